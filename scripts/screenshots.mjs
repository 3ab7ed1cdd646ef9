// Screenshots for the README: the Explain Analyze code lens and the plan viewer, in the light
// and the dark theme, taken in the real workbench (code-server + Chromium) against the
// embedded sandbox built from test/vscode/workspace/migrations (no server needed).
//
// usage: node scripts/screenshots.mjs [--vsix <file>] [--dev] [--out docs/images]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkEditorInstalled, installVsix, makeRunDir, repoRoot, startServer } from './editor-host.mjs';
import { explainInWorkbench, THEMES, writeUserSettings } from './workbench-ui.mjs';

const { values: opts } = parseArgs({
  options: { vsix: { type: 'string' }, dev: { type: 'boolean' }, out: { type: 'string', default: 'docs/images' } },
});

async function main() {
  checkEditorInstalled();
  const { name, version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const vsix = path.resolve(opts.vsix ?? path.join(repoRoot, `${name}-${version}.vsix`));
  if (!opts.dev && !fs.existsSync(vsix)) throw new Error(`no package at ${vsix}. Run: npm run package (or pass --dev)`);
  const outDir = path.resolve(repoRoot, opts.out);
  fs.mkdirSync(outDir, { recursive: true });

  const runDir = makeRunDir('screenshots');
  const folder = path.join(runDir, 'workspace');
  fs.cpSync(path.join(repoRoot, 'test', 'vscode', 'workspace'), folder, { recursive: true });
  if (!opts.dev) await installVsix(runDir, vsix);
  const server = await startServer(runDir);
  try {
    for (const theme of Object.keys(THEMES)) {
      writeUserSettings(runDir, theme);
      const { findings, hotNodes } = await explainInWorkbench(server, {
        folder,
        devPath: opts.dev ? repoRoot : undefined,
        shots: { dir: outDir, suffix: `-${theme}` },
        log: (m) => console.log(`[${theme}] ${m}`),
      });
      console.log(`[${theme}] findings: ${findings.map((f) => f.split('\n')[0]).join(' | ')}`);
      console.log(`[${theme}] hot nodes: ${hotNodes.map((n) => n.split('\n')[0]).join(' | ')}`);
    }
  } finally {
    server.stop();
  }
  fs.rmSync(runDir, { recursive: true, force: true });
  console.log(`screenshots written to ${path.relative(repoRoot, outDir)}/: ${fs.readdirSync(outDir).filter((f) => /-(light|dark)\.png$/.test(f)).join(', ')}`);
}

main().catch((e) => {
  console.error(`screenshots: ${e.message}`);
  process.exit(1);
});

// The editor test layer: installs the packaged .vsix into a fresh code-server, loads the
// installed copy as the extension under test (so the suites exercise exactly what ships) and
// runs test/vscode/suite/*.test.ts with mocha inside the real extension host.
//
// usage: node scripts/vscode-tests.mjs [--vsix <file>] [--dev] [--grep <pattern>] [--keep]
//   --vsix   the package to test (default: ./<name>-<version>.vsix, built by `npm run package`)
//   --dev    test the working tree (dist/ from `npm run build`) instead of a .vsix
//   --grep   only tests whose title matches
//   --keep   keep the run folder (server log, workspace) even when everything passes
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkEditorInstalled, followFile, installVsix, makeRunDir, repoRoot, runExtensionTests, startServer,
} from './editor-host.mjs';

const { values: opts } = parseArgs({
  options: {
    vsix: { type: 'string' }, dev: { type: 'boolean' }, grep: { type: 'string' }, keep: { type: 'boolean' },
  },
});

const outDir = path.join(repoRoot, 'out', 'test', 'vscode');
const workspaceFixture = path.join(repoRoot, 'test', 'vscode', 'workspace');

/** Bundles the test entry and suites for the extension host; `vscode` and mocha stay external. */
async function buildTests() {
  const suiteDir = path.join(repoRoot, 'test', 'vscode', 'suite');
  const suites = fs.readdirSync(suiteDir).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(suiteDir, f));
  fs.rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(repoRoot, 'test', 'vscode', 'index.ts'), ...suites],
    outbase: path.join(repoRoot, 'test', 'vscode'),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return path.join(outDir, 'index.js');
}

function defaultVsix() {
  const { name, version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  return path.join(repoRoot, `${name}-${version}.vsix`);
}

async function main() {
  const t0 = Date.now();
  checkEditorInstalled();
  const vsix = path.resolve(opts.vsix ?? defaultVsix());
  if (!opts.dev && !fs.existsSync(vsix)) {
    throw new Error(`no package at ${vsix}. Run: npm run package (or pass --dev to test dist/ from npm run build)`);
  }
  if (opts.dev && !fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
    throw new Error('no dist/extension.js. Run: npm run build');
  }
  const testsEntry = await buildTests();

  const runDir = makeRunDir('vscode-tests');
  const workspace = path.join(runDir, 'workspace');
  fs.cpSync(workspaceFixture, workspace, { recursive: true });
  const logFile = path.join(runDir, 'mocha.log');
  const resultFile = path.join(runDir, 'result.json');

  let devPath = repoRoot;
  if (!opts.dev) {
    devPath = await installVsix(runDir, vsix);
    console.log(`installed ${path.basename(vsix)} into code-server: ${devPath}`);
  }
  const server = await startServer(runDir, {
    PGLENS_TEST_LOG: logFile,
    PGLENS_TEST_RESULT: resultFile,
    PGLENS_TEST_EXTENSION_PATH: devPath,
    PGLENS_TEST_FROM_VSIX: opts.dev ? '0' : '1',
    ...(opts.grep ? { PGLENS_TEST_GREP: opts.grep } : {}),
  });
  let code;
  try {
    console.log(`code-server ready at ${server.url} after ${((Date.now() - t0) / 1000).toFixed(1)} s; running editor suites`);
    code = await followFile(logFile, runExtensionTests(server, { devPath, testsPath: testsEntry, folder: workspace }));
  } finally {
    server.stop();
  }

  const result = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : null;
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (code === 0 && result && result.failures === 0) {
    console.log(`editor layer passed in ${seconds} s`);
    if (opts.keep) console.log(`run folder kept: ${runDir}`);
    else fs.rmSync(runDir, { recursive: true, force: true });
    return 0;
  }
  if (!result) {
    // run() never reported: the tests module failed to load or the workbench timed out.
    console.log(`\n  0 passing\n  1 failing\n\n  1) the editor suites did not run (workbench exit: ${code}). `
      + `Server log: ${server.logFile}`);
  }
  console.log(`editor layer FAILED after ${seconds} s; run folder kept: ${runDir}`);
  return 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`vscode-tests: ${err.message}`);
  process.exit(1);
});

// The editor test layer: installs the packaged .vsix into a fresh code-server, loads the
// installed copy as the extension under test (so the suites exercise exactly what ships) and
// runs test/vscode/suite/*.test.ts with mocha inside the real extension host; then, with the
// extension loaded as a normal installed one, clicks a code lens in the workbench UI and reads
// the plan viewer's findings (scripts/workbench-ui.mjs).
//
// usage: node scripts/vscode-tests.mjs [--vsix <file>] [--dev] [--grep <pattern>] [--keep]
//   --vsix   the package to test (default: ./<name>-<version>.vsix, built by `npm run package`)
//   --dev    test the working tree (dist/ from `npm run build`) instead of a .vsix
//   --grep   only tests whose title matches
//   --keep   keep the run folder (server log, workspace) even when everything passes
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkEditorInstalled, followFile, installVsix, makeRunDir, repoRoot, runExtensionTests, startServer, buildEditorTests
} from './editor-host.mjs';
import { explainInWorkbench, writeUserSettings } from './workbench-ui.mjs';

const { values: opts } = parseArgs({
  options: {
    vsix: { type: 'string' }, dev: { type: 'boolean' }, grep: { type: 'string' }, keep: { type: 'boolean' },
  },
});

const workspaceFixture = path.join(repoRoot, 'test', 'vscode', 'workspace');


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
  const testsEntry = await buildEditorTests();

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
  let ui;
  try {
    console.log(`code-server ready at ${server.url} after ${((Date.now() - t0) / 1000).toFixed(1)} s; running editor suites`);
    code = await followFile(logFile, runExtensionTests(server, { devPath, testsPath: testsEntry, folder: workspace }));
    if (!opts.grep) ui = await uiCheck(server, runDir, workspace, opts.dev ? devPath : undefined);
  } finally {
    server.stop();
  }

  const result = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : null;
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (ui) {
    // One epilogue over both parts: test-all.mjs reads the last "N passing / N failing".
    const passes = (result?.passes ?? 0) + (ui.ok ? 1 : 0);
    const failures = (result ? result.failures : 1) + (ui.ok ? 0 : 1);
    console.log(`\n  editor layer total: ${passes} passing, ${failures} failing\n\n  ${passes} passing\n  ${failures} failing\n`);
    if (!result) console.log(`  1) the editor suites did not finish (workbench exit: ${code}); the last lines of their log are above\n`);
  }
  if (code === 0 && result && result.failures === 0 && (!ui || ui.ok)) {
    console.log(`editor layer passed in ${seconds} s`);
    if (opts.keep) console.log(`run folder kept: ${runDir}`);
    else fs.rmSync(runDir, { recursive: true, force: true });
    return 0;
  }
  if (!result && !ui) {
    // run() never reported: the tests module failed to load or the workbench timed out.
    console.log(`\n  0 passing\n  1 failing\n\n  1) the editor suites did not run (workbench exit: ${code}). `
      + `Server log: ${server.logFile}`);
  }
  printOutputChannel(runDir);
  console.log(`editor layer FAILED after ${seconds} s; run folder kept: ${runDir}`);
  return 1;
}

/** Errors the extension shows as notifications are gone with the page; its output channel stays on disk. */
function printOutputChannel(runDir) {
  const logs = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/-pglens\.log$/.test(e.name)) logs.push(p);
    }
  };
  const logRoot = path.join(runDir, 'user-data', 'logs');
  if (fs.existsSync(logRoot)) walk(logRoot);
  for (const log of logs) {
    const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
    console.log(`\n--- pglens output channel, last ${Math.min(40, lines.length)} lines (${path.relative(runDir, log)})`);
    console.log(lines.slice(-40).join('\n'));
  }
}

/** The user's path through the UI, as one more test with mocha-style output. */
async function uiCheck(server, runDir, folder, devPath) {
  const title = 'clicking the Explain Analyze lens shows findings and the hot node in the plan viewer';
  const started = Date.now();
  console.log('\n  workbench UI (extension installed from the package, dark theme)');
  writeUserSettings(runDir, 'dark');
  try {
    const { findings, hotNodes } = await explainInWorkbench(server, { folder, devPath, shots: { dir: runDir, suffix: '' } });
    if (!findings.some((f) => f.trim())) throw new Error('the viewer shows no finding text');
    if (!hotNodes.some((n) => /orders/.test(n))) throw new Error(`the hot node is not the scan of orders: ${hotNodes.join(' | ')}`);
    console.log(`    ✔ ${title} (${Date.now() - started}ms)`);
    return { ok: true };
  } catch (e) {
    console.log(`    1) ${title}\n\n  ${e.message.split('\n')[0]}\n  screenshots in ${runDir}`);
    return { ok: false };
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(`vscode-tests: ${err.message}`);
  process.exit(1);
});

#!/usr/bin/env node
// The editor suites on desktop VS Code (Electron) through @vscode/test-electron, for machines
// that can download VS Code (developers' machines, public CI). This machine cannot: its editor
// layer is code-server (vscode-tests.mjs). Both load the same bundle and call the same run().
// usage: npm run build && node scripts/desktop-tests.mjs [--version 1.100.3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { buildEditorTests, repoRoot } from './editor-host.mjs';

const { values: opts } = parseArgs({ options: { version: { type: 'string', default: '1.100.3' } } });
if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
  console.error('desktop-tests: no dist/extension.js — run `npm run build` first');
  process.exit(2);
}
const testsPath = await buildEditorTests();
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-desktop-tests-'));
const workspace = path.join(runDir, 'workspace');
fs.cpSync(path.join(repoRoot, 'test', 'vscode', 'workspace'), workspace, { recursive: true });
const logFile = path.join(runDir, 'mocha.log');
try {
  await runTests({
    version: opts.version,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: testsPath,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${path.join(runDir, 'user-data')}`],
    extensionTestsEnv: { PGLENS_TEST_LOG: logFile, PGLENS_TEST_EXTENSION_PATH: repoRoot, PGLENS_TEST_FROM_VSIX: '0' },
  });
  process.stdout.write(fs.readFileSync(logFile, 'utf8'));
} catch (e) {
  if (fs.existsSync(logFile)) process.stdout.write(fs.readFileSync(logFile, 'utf8'));
  console.error(`desktop-tests: ${e instanceof Error ? e.message : String(e)} (run folder kept: ${runDir})`);
  process.exit(1);
}
fs.rmSync(runDir, { recursive: true, force: true });

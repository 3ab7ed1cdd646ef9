// Runs inside the real extension host (loaded as extensionTestsPath by bench/activation.mjs):
// activates pglens once, cold, and records how long VS Code took to load and activate it.
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { PglensApi } from '../src/extension/extension';

export async function run(): Promise<void> {
  const out = process.env.PGLENS_BENCH_RESULT;
  if (!out) throw new Error('PGLENS_BENCH_RESULT is not set; run this through bench/activation.mjs');
  const ext = vscode.extensions.getExtension<PglensApi>('pglens.pglens');
  if (!ext) throw new Error('pglens.pglens is not loaded in this extension host');
  if (ext.isActive) throw new Error('pglens was already active, so its activation cannot be measured cold');
  const started = performance.now();
  const api = await ext.activate();
  const loadAndActivateMs = performance.now() - started;
  fs.writeFileSync(out, JSON.stringify({ loadAndActivateMs, activateBodyMs: api.activationMs }));
}

// Runs inside the real extension host (loaded as extensionTestsPath by bench/activation.mjs):
// activates pglens once, cold, and records the parts VS Code's "Running Extensions" view
// shows: loading the bundle (require) and the activate() call, plus the whole ext.activate()
// round trip, which also waits on the workbench (storage, secrets) over RPC.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PglensApi } from '../src/extension/extension';

export async function run(): Promise<void> {
  const out = process.env.PGLENS_BENCH_RESULT;
  if (!out) throw new Error('PGLENS_BENCH_RESULT is not set; run this through bench/activation.mjs');
  const ext = vscode.extensions.getExtension<PglensApi>('pglens.pglens');
  if (!ext) throw new Error('pglens.pglens is not loaded in this extension host');
  if (ext.isActive) throw new Error('pglens was already active, so its activation cannot be measured cold');
  // Let the workbench finish starting: a user opens a .sql file after that, not during it.
  await new Promise((r) => setTimeout(r, Number(process.env.PGLENS_BENCH_SETTLE_MS ?? 2000)));

  const main = path.join(ext.extensionPath, ext.packageJSON.main as string);
  let started = performance.now();
  // The extension host resolves `require('vscode')` for any module under the extension's folder,
  // so this is the same load the host performs; activate() below then finds it cached.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the bundle the way the extension host does, so activate() below finds it cached
  require(main);
  const codeLoadingMs = performance.now() - started;
  started = performance.now();
  const api = await ext.activate();
  const activateRoundTripMs = performance.now() - started;
  fs.writeFileSync(out, JSON.stringify({ codeLoadingMs, activateCallMs: api.activationMs, activateRoundTripMs }));
}

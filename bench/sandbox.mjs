// Embedded sandbox: cold build and warm start (from the cache) for each migration folder of
// ../shared/corpus/migrations, failed-migration counts, and this (parent) process's RSS before
// and after — the sandbox lives in its own process, so the parent must not grow.
// Targets: cold ≤ 5 s for ~800 files, warm ≤ 1 s, parent RSS unchanged.
// Run: node bench/sandbox.mjs [folder …]
import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(repo, '..', 'shared', 'corpus', 'migrations');
if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus}: this benchmark needs ../shared/corpus/migrations`);
  process.exit(2);
}
const { createEmbeddedConnection } = await tsImport('../src/core/db/embedded-connection.ts', import.meta.url);
const worker = { workerScript: path.join(repo, 'src', 'core', 'db', 'sandbox-process.ts'), execArgv: ['--import', 'tsx'] };
const folders = process.argv.slice(2).length ? process.argv.slice(2) : readdirSync(corpus).sort();

const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MB`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rssBefore = process.memoryUsage().rss;
console.log(`parent RSS before: ${mb(rssBefore)}`);

for (const name of folders) {
  const root = path.join(corpus, name);
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pglens-bench-sandbox-'));
  try {
    const open = () => createEmbeddedConnection({ workspaceRoot: root, migrationGlobs: ['*.sql'], cacheDir, ...worker });
    let t = performance.now();
    const cold = open();
    const coldReport = await cold.sandboxReport();
    await cold.query('SELECT 1');
    const coldWall = performance.now() - t;
    await cold.close();

    t = performance.now();
    const warm = open();
    const warmReport = await warm.sandboxReport();
    await warm.query('SELECT 1');
    const warmWall = performance.now() - t;
    await warm.close();

    const files = coldReport.files.length;
    console.log(
      `${name}: ${files} files, ${coldReport.applied.length} applied, ${coldReport.failed.length} failed` +
        (coldReport.missingExtensions.length ? ` (extensions PGlite lacks: ${coldReport.missingExtensions.join(', ')})` : ''),
    );
    console.log(`  cold: ${s(coldWall)} to first result (build ${s(coldReport.buildMs)} inside the sandbox)  target ≤ 5 s for ~800 files`);
    console.log(`  warm: ${s(warmWall)} to first result (cache load ${s(warmReport.buildMs)}, fromCache=${warmReport.fromCache})  target ≤ 1 s`);
    for (const f of coldReport.failed.slice(0, 3)) console.log(`  failed: ${f.file}:${f.line}: ${f.message.slice(0, 140)}`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
global.gc?.();
const rssAfter = process.memoryUsage().rss;
console.log(`parent RSS after: ${mb(rssAfter)} (change ${mb(rssAfter - rssBefore)}; target: unchanged, PGlite lives in the child)`);

#!/usr/bin/env node
// Rollback verification of the migration being written, warm (issue #15 target: ≤ 1 s): a real
// project's folder (../shared/corpus/runners/golang-migrate/pocket-id, 64 migrations) verified
// once cold, then its newest migration edited and verified again on the kept database, N times.
import { build } from 'esbuild';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir, root } from './lint-bundle.mjs';

const TARGET_MS = 1000;
const source = join(corpusDir('verify-warm', 'runners'), 'golang-migrate', 'pocket-id');
const repoRequire = createRequire(join(root, 'package.json'));
const outfile = join(mkdtempSync(join(tmpdir(), 'pglens-bench-')), 'warm.cjs');
await build({
  stdin: {
    contents: `export { WarmVerifier } from './src/core/migrations/verify/warm';
export { pgliteTarget } from './src/core/migrations/verify/targets';
export { snapshotCatalog } from './src/core/migrations/verify/snapshot';
export { diffSnapshots } from './src/core/migrations/verify/diff';
export { runnerSetsUnder } from './src/core/lint/migration-lint';
export { defaultConfig } from './src/core/config';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile,
  logLevel: 'error',
  plugins: [
    {
      name: 'deps-from-repo',
      setup(b) {
        // PGlite and libpg-query load their .wasm next to their own modules: kept external, resolved in this repo.
        b.onResolve({ filter: /^(@electric-sql\/|libpg-query|pg$)/ }, (args) => ({ path: repoRequire.resolve(args.path), external: true }));
      },
    },
  ],
});
const core = repoRequire(outfile);
const dir = mkdtempSync(join(tmpdir(), 'pglens-warm-bench-'));
cpSync(source, dir, { recursive: true });
const sets = () => core.runnerSetsUnder(dir, { config: core.defaultConfig(dir) }).map((rs) => rs.set);
const newest = readdirSync(dir).filter((f) => f.endsWith('.up.sql')).sort().pop();
const downFile = newest.replace(/\.up\.sql$/, '.down.sql');
// The extensions the migrations create are loaded into PGlite up front, as the CLI and the editor do.
const texts = sets().flatMap((s) => s.migrations.flatMap((m) => [m.up.text, m.down?.text ?? '']));
const warm = new core.WarmVerifier({ target: await core.pgliteTarget(texts, undefined), snapshot: core.snapshotCatalog, diff: core.diffSnapshots });
let t = performance.now();
const cold = await warm.verify(sets());
for (const v of cold.verdicts) if (v.kind === 'unverifiable') console.log(v.id, v.reason);
console.log(`cold: ${cold.verdicts.length} migrations (${[...new Set(cold.verdicts.map((v) => v.kind))].join(', ')}) in ${(performance.now() - t).toFixed(0)} ms`);
const times = [];
for (let i = 0; i < 7; i++) {
  writeFileSync(join(dir, newest), `${i % 2 ? '' : '-- edit\n'}ALTER TABLE users ADD COLUMN bench_${i} text;\n`);
  writeFileSync(join(dir, downFile), `ALTER TABLE users DROP COLUMN bench_${i};\n`);
  t = performance.now();
  const r = await warm.verify(sets());
  times.push(performance.now() - t);
  if (!r.warm) console.log(`  run ${i}: not warm`);
}
await warm.reset();
const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
console.log(`warm re-verification of the edited newest migration: median ${median.toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (target ≤ ${TARGET_MS} ms) ${median <= TARGET_MS ? 'OK' : 'ABOVE TARGET'}`);
process.exitCode = median <= TARGET_MS ? 0 : 1;

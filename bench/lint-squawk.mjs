#!/usr/bin/env node
// Whole-process wall time of `pglens lint` vs squawk-cli on ../shared/corpus/migrations, same
// run, median of N: each folder in its own process (for drift), then all folders in one process
// each (the target: pglens ≤ 1.5× squawk).
// Usage: node bench/lint-squawk.mjs [--runs N]   (PGLENS_CLI="node dist/cli.js" by default)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = resolve(root, '../shared/corpus/migrations');
const TARGET = 1.5;

if (!existsSync(corpus)) {
  console.error(`lint-squawk: ${corpus} not found — this benchmark needs the shared corpus next to the repository (../shared/corpus/migrations).`);
  process.exit(2);
}
const pglens = (process.env.PGLENS_CLI ?? `node ${join(root, 'dist/cli.js')}`).split(' ');
if (!process.env.PGLENS_CLI && !existsSync(join(root, 'dist/cli.js'))) {
  console.error('lint-squawk: dist/cli.js not found — run `npm run build` first (or set PGLENS_CLI="npx tsx src/cli/main.ts").');
  process.exit(2);
}
// squawk-cli is not a dependency: its lock entries name platform builds the registry here lacks,
// which breaks `npm ci`. The bench installs it into its own cache folder on first run.
const squawkHome = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pglens-bench', 'squawk');
const squawkNpm = join(squawkHome, 'node_modules/.bin/squawk');
if (!existsSync(squawkNpm)) {
  console.error(`lint-squawk: installing squawk-cli into ${squawkHome} (once)…`);
  mkdirSync(squawkHome, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', squawkHome, '--no-save', '--no-audit', '--no-fund', 'squawk-cli'], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(squawkNpm)) {
    console.error('lint-squawk: could not install squawk-cli from the npm registry; the comparison needs it.');
    process.exit(2);
  }
}
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 3;

function wall(cmd, args, cwd) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw r.error;
  // pglens and squawk both exit 1 when they find something; 2 (or a signal) means it could not run.
  if (r.status === null || r.status > 1) {
    console.error(`lint-squawk: \`${cmd} ${args.slice(0, 3).join(' ')} …\` failed (exit ${r.status}): ${r.stderr.toString().split('\n')[0]}`);
    process.exit(2);
  }
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let totalPglens = 0;
let totalSquawk = 0;
console.log(`folder                  files   pglens ms   squawk ms   ratio   (median of ${runs})`);
for (const name of readdirSync(corpus).sort()) {
  const dir = join(corpus, name);
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const p = [];
  const s = [];
  for (let i = 0; i < runs; i++) {
    p.push(wall(pglens[0], [...pglens.slice(1), 'lint', dir], dir));
    s.push(wall(squawkNpm, files, dir));
  }
  const pm = median(p);
  const sm = median(s);
  totalPglens += pm;
  totalSquawk += sm;
  console.log(`${name.padEnd(22)} ${String(files.length).padStart(6)} ${pm.toFixed(0).padStart(11)} ${sm.toFixed(0).padStart(11)} ${(pm / sm).toFixed(2).padStart(7)}`);
}
const perFolder = totalPglens / totalSquawk;
console.log(`total (one process per folder)  ${totalPglens.toFixed(0).padStart(11)} ${totalSquawk.toFixed(0).padStart(11)} ${perFolder.toFixed(2).padStart(7)}`);

// The target (issue #14): every folder in ONE process each, side by side — startup paid once,
// parse and rule cost per file what is left.
const folders = readdirSync(corpus).sort().map((name) => join(corpus, name));
const allFiles = folders.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().map((f) => join(dir, f)));
const p = [];
const s = [];
for (let i = 0; i < runs; i++) {
  p.push(wall(pglens[0], [...pglens.slice(1), 'lint', ...folders], corpus));
  s.push(wall(squawkNpm, allFiles, corpus));
}
const pm = median(p);
const sm = median(s);
const ratio = pm / sm;
console.log(`all folders, one process ${String(allFiles.length).padStart(6)} ${pm.toFixed(0).padStart(11)} ${sm.toFixed(0).padStart(11)} ${ratio.toFixed(2).padStart(7)}`);
console.log(`pglens/squawk wall-time ratio (all folders in one process): ${ratio.toFixed(2)} (target ≤ ${TARGET}) ${ratio <= TARGET ? 'OK' : 'ABOVE TARGET'}`);
process.exitCode = ratio <= TARGET ? 0 : 1;

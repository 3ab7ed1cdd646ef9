// Embedded sandbox: cold build and warm start for each migration folder of
// ../shared/corpus/migrations, with the child's CPU time next to wall time (the machine may be
// loaded: CPU time is the steadier figure), the phases inside the sandbox, failed migrations,
// and this (parent) process's RSS before and after — PGlite lives in the child, so the parent
// must not grow. Runs the bundled child (dist/sandbox-process.js), as users get it. Also the
// everyday case: one migration added to a folder whose build is cached (only it replays).
// Targets: cold ≤ 5 s for ~800 files, warm ≤ 1 s, parent RSS unchanged — for the migrations'
// build alone (`data: { enabled: false }`, as before the sandbox was filled with data). Then, per
// folder, the build filled with generated data as users get it by default: the fill from the
// cached migrations' build (its own target: 1,000,000 rows ≤ 20 s, bench/sandbox-fill.mjs), the
// warm start of the filled build (target ≤ 1 s: "a cached populated sandbox starts as fast as
// an empty one"), and the sandbox process's peak RSS (README: 450–600 MB).
// Run: npm run build && node bench/sandbox.mjs [--runs N] [folder …]
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(repo, '..', 'shared', 'corpus', 'migrations');
const workerScript = path.join(repo, 'dist', 'sandbox-process.js');
if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus}: this benchmark needs ../shared/corpus/migrations`);
  process.exit(2);
}
if (!existsSync(workerScript)) {
  console.error(`no ${path.relative(repo, workerScript)}: run \`npm run build\` first`);
  process.exit(2);
}
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
const folders = args.length ? args : readdirSync(corpus).sort();

const { createEmbeddedConnection } = await tsImport('../src/core/db/embedded-connection.ts', import.meta.url);
const { loadSqlParser } = await tsImport('../src/core/sql/parse.ts', import.meta.url);
const { parseStatements } = await tsImport('../src/core/sql/parse-statements.ts', import.meta.url);
await loadSqlParser();

const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MB`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const phaseText = (p) => Object.entries(p ?? {}).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');

/** One start to first result: wall time here, CPU time and phases as the child reports them. */
async function start(root, cacheDir, migrationFiles, data = { enabled: false }) {
  const t = performance.now();
  const before = sandboxPids();
  const conn = createEmbeddedConnection({ workspaceRoot: root, migrationGlobs: ['*.sql'], migrationFiles, cacheDir, workerScript, data });
  const report = await conn.sandboxReport();
  await conn.query('SELECT 1');
  const wall = performance.now() - t;
  const peak = Math.max(0, ...sandboxPids().filter((p) => !before.includes(p)).map(peakRss));
  await conn.close();
  return { wall, cpu: report.cpuMs, report, peak };
}

/** Live sandbox processes (this machine), to read the new one's peak RSS. */
function sandboxPids() {
  const pids = [];
  for (const d of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('sandbox-process.js')) pids.push(Number(d));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

function peakRss(pid) {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The closed child finishes the copies for the next start in the background (the initdb
 * template's, then the entry's): wait until no live process is copying — the editor case,
 * where a session lives longer than that. Whether the next start found its spare shows in
 * its phases (spare or copy).
 */
async function settle(cacheDir) {
  const copying = () => readdirSync(cacheDir).some((n) => n.startsWith('tmp-') && alive(Number(n.split('-')[1])));
  for (let i = 0; i < 600 && copying(); i++) await sleep(100);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function dropEntrySpares(cacheDir) {
  for (const n of readdirSync(cacheDir).filter((n) => n.startsWith('sandbox-') || n.startsWith('filled-'))) rmSync(path.join(cacheDir, n, 'spare'), { recursive: true, force: true });
}

function dropEntries(cacheDir, prefix = /^(sandbox|filled)-/) {
  for (const n of readdirSync(cacheDir).filter((n) => prefix.test(n))) rmSync(path.join(cacheDir, n), { recursive: true, force: true });
}

function dirSize(dir) {
  let n = 0;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirSize(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size;
  } catch {
    // No such entry.
  }
  return n;
}

function statementCount(root) {
  let n = 0;
  for (const f of readdirSync(root).filter((f) => f.endsWith('.sql'))) {
    try {
      n += parseStatements(readFileSync(path.join(root, f), 'utf8')).length;
    } catch {
      // Files that do not parse count for nothing here; the sandbox reports them.
    }
  }
  return n;
}

function line(label, xs) {
  const wall = median(xs.map((x) => x.wall));
  const cpu = median(xs.map((x) => x.cpu));
  const mid = xs.find((x) => x.wall === wall);
  return `  ${label.padEnd(34)} ${s(wall)} wall, ${s(cpu)} CPU (median of ${xs.length}; ${phaseText(mid.report.phases)} ms)`;
}

console.log(`sandbox bench: ${workerScript}, ${runs} run(s) per figure, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
// Counted before the RSS baseline: the parser's wasm heap is the benchmark's, not the sandbox's.
const statements = Object.fromEntries(folders.map((name) => [name, statementCount(path.join(corpus, name))]));
const rssBefore = process.memoryUsage().rss;
console.log(`parent RSS before: ${mb(rssBefore)}`);
const perFile = [];

for (const name of folders) {
  const root = path.join(corpus, name);
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pglens-bench-sandbox-'));
  try {
    const first = await start(root, cacheDir);
    await settle(cacheDir);
    const cold = [];
    const warmCopy = [];
    const warmSpare = [];
    const added = [];
    for (let i = 0; i < runs; i++) {
      dropEntries(cacheDir);
      cold.push(await start(root, cacheDir));
      await settle(cacheDir);
      dropEntrySpares(cacheDir);
      warmCopy.push(await start(root, cacheDir));
      await settle(cacheDir);
      warmSpare.push(await start(root, cacheDir));
      await settle(cacheDir);
      // A new migration at the end: the build of the others is cached, only the new file replays.
      const list = first.report.files;
      dropEntries(cacheDir);
      await start(root, cacheDir, list.slice(0, -1));
      await settle(cacheDir);
      added.push(await start(root, cacheDir, list));
      await settle(cacheDir);
    }
    const r = first.report;
    const replayMs = median(cold.map((c) => c.report.phases?.replay ?? 0));
    perFile.push({ name, files: r.files.length, msPerFile: replayMs / r.files.length, cold });
    console.log(
      `${name}: ${r.files.length} files (${statements[name]} statements), ${r.applied.length} applied, ${r.failed.length} failed` +
        (r.missingExtensions.length ? ` (extensions PGlite lacks: ${r.missingExtensions.join(', ')})` : ''),
    );
    console.log(line('cold, first ever (no template yet):', [first]) + '  (unpacks the shipped initdb; from source: runs initdb)');
    console.log(line('cold (initdb template cached):', cold) + '  target ≤ 5 s for ~800 files');
    console.log(line('warm, copying the cache entry:', warmCopy) + '  target ≤ 1 s');
    console.log(line('warm, spare copy ready:', warmSpare) + '  target ≤ 1 s');
    console.log(line('one migration added, rest cached:', added));
    console.log(`  replay: ${(replayMs / r.files.length).toFixed(1)} ms per file, ${(replayMs / Math.max(1, statements[name])).toFixed(2)} ms per statement (wall)`);
    for (const f of r.failed.slice(0, 3)) console.log(`  failed: ${f.file}:${f.line}: ${f.message.slice(0, 140)}`);
    // Filled with generated data (the default): the fill from the cached migrations' build, then warm.
    const fill = await start(root, cacheDir, undefined, {});
    await settle(cacheDir);
    const filledWarm = [];
    for (let i = 0; i < runs; i++) {
      filledWarm.push(await start(root, cacheDir, undefined, {}));
      await settle(cacheDir);
    }
    const d = fill.report.data;
    const diskMb = dirSize(path.join(cacheDir, readdirSync(cacheDir).find((n) => n.startsWith('filled-')) ?? 'none', 'pgdata')) / 1048576;
    console.log(
      line('filled: fill from the cached build:', [fill]) +
        `  ${d ? `${d.rows.toLocaleString('en-US')} rows in ${d.tables} tables, fill ${s(d.ms)}, ${d.problems.length} table(s) short` : 'no data report'}; ${diskMb.toFixed(0)} MB on disk`,
    );
    console.log(line('filled: warm, spare copy ready:', filledWarm) + '  target ≤ 1 s');
    console.log(`  sandbox process peak RSS: empty ${mb(Math.max(...warmSpare.map((x) => x.peak)))}, filling ${mb(fill.peak)}, filled warm ${mb(Math.max(...filledWarm.map((x) => x.peak)))}  (README: 450–600 MB)`);
    for (const p of (d?.problems ?? []).slice(0, 3)) console.log(`  short: ${p.table}: ${p.rows} of ${p.target}: ${p.cause.slice(0, 140)}`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

const largest = perFile.sort((a, b) => b.files - a.files)[0];
if (largest) {
  const c = largest.cold[0].report.phases ?? {};
  const fixed = (c.spare ?? c.copy ?? 0) + (c.start ?? 0) + (c.checkpoint ?? 0) + (c.cache ?? 0) + (c.read ?? 0);
  console.log(
    `projection for 800 files from ${largest.name} (${largest.files} files): cold ≈ ${s(fixed + 800 * largest.msPerFile)} wall ` +
      `(start and cache ${s(fixed)} + 800 × ${largest.msPerFile.toFixed(1)} ms replay); the first ever adds the unpack  target ≤ 5 s`,
  );
}
global.gc?.();
const rssAfter = process.memoryUsage().rss;
console.log(`parent RSS after: ${mb(rssAfter)} (change ${mb(rssAfter - rssBefore)}; target: unchanged, PGlite lives in the child)`);

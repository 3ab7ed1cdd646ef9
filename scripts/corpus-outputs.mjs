// CLI outputs on real projects, before and after a refactor: byte for byte the same?
//
//   node scripts/corpus-outputs.mjs [--cli dist/cli.js] [--out DIR]
//       runs the fixed list of CLI invocations below with that built CLI and writes each one's
//       stdout, stderr and exit code to DIR (default: a new temporary folder). Without --cli the
//       working tree is copied to a temporary folder and built there (dist/ is left alone).
//   node scripts/corpus-outputs.mjs --base <git-rev> [--cli dist/cli.js] [--keep]
//       also builds <git-rev> (a `git archive` of it, unpacked in a temporary folder, with this
//       checkout's node_modules symlinked), runs the same list with it, and compares the two
//       output folders byte for byte: prints each file that differs (with the first differing
//       line) and exits 1 when one does, 0 when all are identical.
//
// The inputs are the real-world corpus (../shared/corpus, see its README; read-only, not part of
// the repository, so this is a developer's check, not a layer of `npm test`), the plans in
// ../shared/plans and the plan fixtures of test/fixtures/plans. Both sides read the same
// input files through the same absolute paths, with the same working directory.
//
// Normalised before comparing (the only exception to byte-for-byte): nothing. None of these
// invocations prints a timing figure — `lint`, `schema` and `plan` read files only, and the
// plans' own "Planning/Execution Time" and "actual time" values are data from the input, the same
// on both sides. Should a timing figure appear in an output, add its pattern to TIMING below
// and to this comment.
//
// Git is used read-only (`git rev-parse`, `git archive`, `git ls-files`): the checkout, its
// index and its HEAD are never changed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');
const plans = path.resolve(repoRoot, '..', 'shared', 'plans');
const planFixtures = path.join(repoRoot, 'test', 'fixtures', 'plans');

/** Patterns of timing figures blanked before comparing; see the header (none today). */
const TIMING = [];

/** [name, CLI arguments, gzip file for stdin?]. Names are file names of the outputs. */
const INVOCATIONS = [
  // lint: Prisma migrations, plain migration folders, each migration runner's layout, Prisma schemas
  ['lint-documenso', ['lint', `${corpus}/migrations/documenso`]],
  ['lint-langfuse-json', ['lint', '--format', 'json', `${corpus}/migrations/langfuse`]],
  ['lint-supabase-auth', ['lint', `${corpus}/migrations/supabase-auth`]],
  ['lint-supabase-storage-sarif', ['lint', '--format', 'sarif', `${corpus}/migrations/supabase-storage`]],
  ['lint-runner-goose', ['lint', `${corpus}/runners/goose`]],
  ['lint-runner-golang-migrate', ['lint', `${corpus}/runners/golang-migrate`]],
  ['lint-runner-flyway-json', ['lint', '--format', 'json', `${corpus}/runners/flyway`]],
  ['lint-runner-liquibase', ['lint', `${corpus}/runners/liquibase`]],
  ['lint-runner-sqitch', ['lint', `${corpus}/runners/sqitch`]],
  ['lint-runner-drizzle-kit', ['lint', `${corpus}/runners/drizzle-kit`]],
  ['lint-runner-diesel', ['lint', `${corpus}/runners/diesel`]],
  ['lint-runner-dbmate-json', ['lint', '--format', 'json', `${corpus}/runners/dbmate`]],
  ['lint-runner-sql-migrate', ['lint', `${corpus}/runners/sql-migrate`]],
  ['lint-runner-supabase', ['lint', `${corpus}/runners/supabase`]],
  ['lint-runner-prisma', ['lint', `${corpus}/runners/prisma`]],
  ['lint-prisma-umami', ['lint', `${corpus}/prisma/umami.prisma`]],
  ['lint-prisma-documenso-json', ['lint', '--format', 'json', `${corpus}/prisma/documenso.prisma`]],
  ['lint-prisma-langfuse', ['lint', `${corpus}/prisma/langfuse.prisma`]],
  // schema: the diagram from migrations and from schema.prisma, in each format
  ['schema-supabase-auth-mermaid', ['schema', '--migrations', `${corpus}/migrations/supabase-auth`]],
  ['schema-documenso-migrations-json', ['schema', '--format', 'json', '--migrations', `${corpus}/migrations/documenso`]],
  ['schema-umami-prisma-text', ['schema', '--format', 'text', '--prisma', `${corpus}/prisma/umami.prisma`]],
  ['schema-langfuse-prisma-json', ['schema', '--format', 'json', '--prisma', `${corpus}/prisma/langfuse.prisma`]],
  ['schema-flyway-json', ['schema', '--format', 'json', '--migrations', `${corpus}/runners/flyway/marquez`]],
  // plan: one plan in each output format, a compressed 1k-node plan, text input, a comparison
  // The .gz plans go in on stdin, decompressed.
  ['plan-1k-nodes-json', ['plan', '--format', 'json', '-'], `${plans}/plan-1k-nodes.json.gz`],
  ['plan-10k-nodes-text-input', ['plan', '-'], `${plans}/plan-10k-nodes.txt.gz`],
  ['plan-misestimate', ['plan', `${planFixtures}/misestimate.json`]],
  ['plan-hashagg-spill-markdown', ['plan', '--format', 'markdown', `${planFixtures}/hashagg-spill.json`]],
  ['plan-nested-loop-text-input', ['plan', `${planFixtures}/nested-loop-seq-scan.txt`]],
  ['plan-compare-orders-json', ['plan', '--format', 'json', `${planFixtures}/diff/orders-seq-scan.json`, `${planFixtures}/diff/orders-index-scan.json`]],
  ['plan-compare-join-text', ['plan', `${planFixtures}/diff/join-nested-loop.txt`, `${planFixtures}/diff/join-hash.txt`]],
];

function usage(message) {
  console.error(`corpus-outputs: ${message}\nusage: node scripts/corpus-outputs.mjs [--cli FILE] [--out DIR] [--base GIT-REV [--keep]]`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--cli') o.cli = path.resolve(value());
    else if (a === '--out') o.out = path.resolve(value());
    else if (a === '--base') o.base = value();
    else if (a === '--keep') o.keep = true;
    else usage(`unknown argument ${a}`);
  }
  return o;
}

function git(args) {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'buffer', maxBuffer: 1 << 30 });
}

/** Builds the tree in `dir` (node_modules symlinked from this checkout); returns its dist/cli.js. */
function build(dir, what) {
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  console.error(`corpus-outputs: building ${what} in ${dir}`);
  const r = spawnSync(process.execPath, ['esbuild.config.mjs'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    throw new Error(`building ${what} failed`);
  }
  return path.join(dir, 'dist', 'cli.js');
}

/** `rev` unpacked with `git archive` (read-only: no worktree registered, the checkout untouched). */
function checkoutOf(rev, dir) {
  const sha = git(['rev-parse', '--verify', `${rev}^{commit}`]).toString().trim();
  const tar = git(['archive', '--format=tar', sha]);
  const r = spawnSync('tar', ['-x', '-C', dir], { input: tar });
  if (r.status !== 0) throw new Error(`unpacking ${rev}: ${r.stderr}`);
  return sha;
}

/** The working tree as it is (tracked and untracked files git does not ignore), copied to `dir`. */
function copyOfWorkingTree(dir) {
  const files = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard']).toString().split('\0').filter(Boolean);
  for (const f of files) {
    const from = path.join(repoRoot, f);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, f));
  }
}

/** Runs every invocation with `cli`, writing NAME.stdout, NAME.stderr and NAME.exit to `out`. */
function runAll(cli, out) {
  fs.mkdirSync(out, { recursive: true });
  // A neutral working directory: no .pglens.json of this checkout is found from it.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-corpus-cwd-'));
  const env = { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' };
  delete env.DATABASE_URL;
  for (const [name, args, gzipped] of INVOCATIONS) {
    const started = Date.now();
    const input = gzipped ? gunzipSync(fs.readFileSync(gzipped)) : Buffer.alloc(0);
    const r = spawnSync(process.execPath, [cli, ...args], { cwd, env, input, encoding: 'buffer', maxBuffer: 1 << 30, timeout: 10 * 60_000 });
    fs.writeFileSync(path.join(out, `${name}.stdout`), r.stdout ?? Buffer.alloc(0));
    fs.writeFileSync(path.join(out, `${name}.stderr`), r.stderr ?? Buffer.alloc(0));
    fs.writeFileSync(path.join(out, `${name}.exit`), `${r.status ?? r.signal ?? r.error?.message}\n`);
    console.error(`  ${name.padEnd(36)} exit ${r.status ?? r.signal}  ${r.stdout?.length ?? 0} bytes  ${Date.now() - started} ms`);
  }
  fs.rmSync(cwd, { recursive: true, force: true });
}

function normalise(buf) {
  if (!TIMING.length) return buf;
  let s = buf.toString('utf8');
  for (const re of TIMING) s = s.replace(re, '<time>');
  return Buffer.from(s);
}

/** The files of `a` and `b` that differ (or exist on one side only), with the first differing line. */
function compare(a, b) {
  const names = [...new Set([...fs.readdirSync(a), ...fs.readdirSync(b)])].sort();
  const diffs = [];
  for (const name of names) {
    const pa = path.join(a, name);
    const pb = path.join(b, name);
    if (!fs.existsSync(pa) || !fs.existsSync(pb)) {
      diffs.push({ name, detail: `only in ${fs.existsSync(pa) ? 'base' : 'current'}` });
      continue;
    }
    const x = normalise(fs.readFileSync(pa));
    const y = normalise(fs.readFileSync(pb));
    if (x.equals(y)) continue;
    const lx = x.toString('utf8').split('\n');
    const ly = y.toString('utf8').split('\n');
    let i = 0;
    while (i < lx.length && i < ly.length && lx[i] === ly[i]) i++;
    const clip = (s) => (s === undefined ? '(end of file)' : s.length > 240 ? `${s.slice(0, 240)}…` : s);
    const differing = lx.length === ly.length ? `${lx.filter((l, k) => l !== ly[k]).length} differing lines, the first ` : '';
    diffs.push({ name, detail: `${differing}line ${i + 1} (${lx.length} lines in base, ${ly.length} now)\n      base: ${clip(lx[i])}\n      now:  ${clip(ly[i])}` });
  }
  return diffs;
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(corpus)) usage(`the corpus is not at ${corpus}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-corpus-outputs-'));
  try {
    let cli = o.cli;
    if (!cli) {
      const tree = path.join(work, 'current');
      fs.mkdirSync(tree);
      copyOfWorkingTree(tree);
      cli = build(tree, 'the working tree');
    }
    const out = o.out ?? path.join(work, 'out-current');
    console.error(`corpus-outputs: running ${INVOCATIONS.length} invocations with ${cli}`);
    runAll(cli, out);
    if (!o.base) {
      console.log(`corpus-outputs: outputs in ${out}`);
      return 0;
    }
    const tree = path.join(work, 'base');
    fs.mkdirSync(tree);
    const sha = checkoutOf(o.base, tree);
    const baseCli = build(tree, `${o.base} (${sha.slice(0, 12)})`);
    const baseOut = path.join(work, 'out-base');
    console.error(`corpus-outputs: running ${INVOCATIONS.length} invocations with ${o.base}`);
    runAll(baseCli, baseOut);
    const diffs = compare(baseOut, out);
    for (const d of diffs) console.log(`DIFFERS ${d.name}: ${d.detail}`);
    console.log(
      diffs.length
        ? `corpus-outputs: ${diffs.length} of ${INVOCATIONS.length * 3} output files differ from ${o.base} (base: ${baseOut}, current: ${out})`
        : `corpus-outputs: all ${INVOCATIONS.length * 3} output files (stdout, stderr, exit code of ${INVOCATIONS.length} invocations) identical to ${o.base}`,
    );
    if (diffs.length) o.keep = true;
    return diffs.length ? 1 : 0;
  } finally {
    if (o.keep || !o.base) console.error(`corpus-outputs: kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();

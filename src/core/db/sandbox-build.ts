import { createHash, randomBytes } from 'node:crypto';
import {
  constants as fsConstants,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  promises as fs,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PGlite, type Extension } from '@electric-sql/pglite';
import { DEFAULT_MIGRATION_GLOBS, findMigrationFiles } from './migration-files';
import { loadConfig, type PglensConfig } from '../config';
import { dataKey, mergeDataSettings, type SandboxDataOverrides } from '../sandbox-data/settings';
import pkg from '../../../package.json';
import { fillSandbox, planData } from './sandbox-fill';
import { readMigrationSets } from '../migrations/read';
import type { MigrationPart, RunnerId, TransactionMode } from '../migrations/migration';
import { processAlive } from './process-alive';
import { readInitdbArchive, shippedInitdbArchive, unpackDataDir } from './initdb-archive';
import { loadSqlParser } from '../sql/parse';
import { parseStatements, type ParsedStatement } from '../sql/parse-statements';
import type { SandboxFailure, SandboxReport, SandboxRunner } from './sandbox-report';

/**
 * Builds the embedded sandbox (runs inside the sandbox process, never the editor): replays
 * the workspace's migrations into PGlite and keeps the result as a cached data directory.
 */
export interface SandboxBuildOptions {
  workspaceRoot: string;
  migrationGlobs?: string[];
  /** Explicit files (absolute, or relative to workspaceRoot), replayed in the given order. */
  migrationFiles?: string[];
  /** Cache root: entries `sandbox-<key>/`, the initdb result `template-<PGlite version>/`, session copies under `run/`. */
  cacheDir: string;
  /** This session's working data directory (a copy of the cache entry). */
  workDir: string;
  /** After a kill (cancel, timeout): reopen workDir as it is, so data written this session survives; Postgres runs crash recovery. */
  reuseWorkDir?: boolean;
  /** PGlite's initdb as a data directory dump (default: the one shipped next to the bundle, see initdb-archive.ts). */
  initdbArchive?: string;
  /** The CLI's --data / --scale / --no-data, over `.pglens.json` `sandbox.data`. */
  data?: SandboxDataOverrides;
}

/** CREATE EXTENSION name → PGlite module that provides it. */
const EXTENSIONS: Record<string, () => Promise<Extension>> = {
  vector: bundled('vector', () => path.dirname(require.resolve('@electric-sql/pglite-pgvector'))),
  'uuid-ossp': contrib('uuid-ossp'),
};
for (const name of [
  'amcheck', 'bloom', 'btree_gin', 'btree_gist', 'citext', 'cube', 'dict_int', 'dict_xsyn', 'earthdistance',
  'file_fdw', 'fuzzystrmatch', 'hstore', 'intarray', 'isn', 'lo', 'ltree', 'pageinspect', 'pg_buffercache',
  'pg_freespacemap', 'pg_surgery', 'pg_trgm', 'pg_visibility', 'pg_walinspect', 'pgcrypto', 'seg', 'tablefunc',
  'tcn', 'tsm_system_rows', 'tsm_system_time', 'unaccent',
]) {
  EXTENSIONS[name] = contrib(name);
}
/** Extensions other extensions need (CREATE EXTENSION … CASCADE or in order). */
const REQUIRES: Record<string, string[]> = { earthdistance: ['cube'] };
/** Shipped inside PGlite's core: nothing to load. */
const BUILT_IN = new Set(['plpgsql']);
/**
 * Loaded into every sandbox, never created: the index advisor creates them inside its
 * rolled-back transaction to build trigram and btree_gist candidates there (never on a
 * server). Loading only unpacks the module into PGlite's in-memory file system and writes
 * nothing to the database, so a cache entry stays keyed by what the migrations create.
 */
const ADVISOR_EXTENSIONS = ['pg_trgm', 'btree_gist'];

/**
 * The PGlite extension modules the texts' CREATE EXTENSIONs need (with what they require),
 * keyed as PGlite.create wants them, and the names PGlite cannot provide.
 */
export async function pgliteExtensionsFor(texts: Iterable<string>): Promise<{ loaded: Record<string, Extension>; names: string[]; missing: string[] }> {
  const wanted = new Set<string>();
  for (const t of texts) for (const name of extensionsIn(t)) wanted.add(name);
  for (const name of [...wanted]) for (const dep of REQUIRES[name] ?? []) wanted.add(dep);
  const names = [...wanted].filter((n) => EXTENSIONS[n]).sort();
  const missing = [...wanted].filter((n) => !EXTENSIONS[n] && !BUILT_IN.has(n)).sort();
  const loaded: Record<string, Extension> = {};
  for (const name of names) loaded[name.replace(/-/g, '_')] = await EXTENSIONS[name]();
  return { loaded, names, missing };
}

function contrib(name: string): () => Promise<Extension> {
  return bundled(name, () => path.dirname(require.resolve('@electric-sql/pglite')));
}

/**
 * A PGlite extension is its `.tar.gz` bundle. In the packaged extension the bundles sit in
 * `pglite-ext/` next to this (bundled) file; from source they are in the npm packages.
 */
function bundled(name: string, packageDir: () => string): () => Promise<Extension> {
  return async () => {
    const shipped = path.join(__dirname, 'pglite-ext', `${name}.tar.gz`);
    const file = existsSync(shipped) ? shipped : path.join(packageDir(), `${name}.tar.gz`);
    return {
      name,
      setup: async (_pg: unknown, emscriptenOpts: unknown) => ({ emscriptenOpts, bundlePath: pathToFileURL(file) }),
    } as Extension;
  };
}

export function pgliteVersion(): string {
  try {
    const pkg = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Extension names a migration text creates, lower-cased, unquoted. */
export function extensionsIn(sql: string): string[] {
  const names = new Set<string>();
  const re = /create\s+extension\s+(?:if\s+not\s+exists\s+)?(?:"([^"]+)"|([\w-]+))/gi;
  for (const m of sql.matchAll(re)) names.add((m[1] ?? m[2]).toLowerCase());
  return [...names];
}

/** One migration's up, as the sandbox replays it. */
interface MigrationFile {
  /** What the report lists: the up's file, with `#<id>` when that file holds several migrations. */
  rel: string;
  runner: RunnerId;
  transaction: TransactionMode;
  up: MigrationPart;
  /**
   * sha256 of the label, runner, transaction and up text: what a cache entry records per
   * migration, to be reused as a prefix. A down part is not in it: editing one rebuilds nothing.
   */
  sha: string;
}

export async function openSandbox(
  options: SandboxBuildOptions,
  onProgress: (msg: string) => void,
): Promise<OpenedSandbox> {
  const phases = new PhaseClock();
  const config = loadConfig(options.workspaceRoot);
  const { files, runners } = await readMigrations(options, config);
  const data = planData(mergeDataSettings(config.sandbox?.data, options.data), [config.root, options.workspaceRoot]);
  const wanted = new Set<string>();
  for (const f of files) for (const name of extensionsIn(f.up.text)) wanted.add(name);
  for (const name of [...wanted]) for (const dep of REQUIRES[name] ?? []) wanted.add(dep);
  const extensions = [...wanted].filter((n) => EXTENSIONS[n]).sort();
  const missingExtensions = [...wanted].filter((n) => !EXTENSIONS[n] && !BUILT_IN.has(n)).sort();
  const version = pgliteVersion();
  const key = cacheKey(files, version, extensions);
  const entry = path.join(options.cacheDir, `sandbox-${key}`);
  // The migrations' build filled with this data: a cache entry of its own, so the empty
  // build stays reusable as a prefix when a migration is added (see findReusableBuild).
  const filledEntry = data.settings.enabled ? path.join(options.cacheDir, `filled-${key}-${dataKey(data.settings, data.statsSha, pkg.version)}`) : undefined;
  const loaded: Record<string, Extension> = {};
  for (const name of new Set([...extensions, ...ADVISOR_EXTENSIONS])) loaded[name.replace(/-/g, '_')] = await EXTENSIONS[name]();
  const cached = await readCachedReport(filledEntry ?? entry);
  phases.lap('read');
  const finish = (db: PGlite, report: SandboxReport, sources: string[] = []): OpenedSandbox => {
    report.phases = phases.laps;
    report.buildMs = phases.total();
    report.cpuMs = cpuMs();
    return { db, report, prepareNextStart: () => replenishSpares(sources, options.cacheDir) };
  };

  // The cached report names the stats file of the build; the same bytes may now sit at another path.
  if (cached?.data?.statsFile !== undefined && data.statsShown !== undefined) cached.data = { ...cached.data, statsFile: data.statsShown, statsPath: data.settings.stats };
  if (cached && options.reuseWorkDir) {
    onProgress('restarting the sandbox on its working copy');
    const db = await PGlite.create(options.workDir, { extensions: loaded }).catch(() => undefined);
    phases.lap('start');
    if (db) return finish(db, { ...cached, fromCache: true });
  }
  await fs.rm(options.workDir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(options.workDir), { recursive: true });
  if (cached) {
    const from = filledEntry ?? entry;
    onProgress('loading the sandbox from its cache');
    phases.lap(checkOut(from, options.workDir));
    const db = await PGlite.create(options.workDir, { extensions: loaded });
    phases.lap('start');
    await fs.utimes(from, new Date(), new Date()).catch(() => undefined);
    return finish(db, { ...cached, fromCache: true }, [from]);
  }
  /** Fills the built schema, caches the result as filledEntry (files the schema build left as they were are links to it). */
  const fillAndCache = async (db: PGlite, built: SandboxReport): Promise<SandboxReport> => {
    if (!filledEntry) return built;
    onProgress('filling the tables with generated data (cached for the next start)');
    const filled: SandboxReport = { ...built, data: await fillSandbox(db, data, onProgress) };
    phases.lap('fill');
    // A fill that stopped (the generator could not load, a catalog read failed) is not kept:
    // the next start tries again instead of serving the half-filled build for good.
    if (filled.data?.error) return filled;
    await db.exec('CHECKPOINT');
    const manifest: EntryManifest = { files: files.map((f) => f.sha), extensions, pgliteVersion: version, filled: true };
    await snapshot(
      options,
      filledEntry,
      async (tmp) => {
        await fs.writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(manifest));
        await fs.writeFile(path.join(tmp, 'report.json'), JSON.stringify({ ...filled, fromCache: false, reusedFiles: undefined }));
      },
      existsSync(path.join(entry, 'pgdata', 'PG_VERSION')) ? path.join(entry, 'pgdata') : undefined,
      await walKeep(db),
    );
    phases.lap('fill-cache');
    return filled;
  };
  const schemaCached = filledEntry ? await readCachedReport(entry) : undefined;
  if (schemaCached && existsSync(path.join(entry, 'pgdata', 'PG_VERSION'))) {
    onProgress('loading the migrations\' build from its cache');
    phases.lap(checkOut(entry, options.workDir));
    const db = await PGlite.create(options.workDir, { extensions: loaded });
    phases.lap('start');
    await fs.utimes(entry, new Date(), new Date()).catch(() => undefined);
    const report = await fillAndCache(db, { ...schemaCached, fromCache: true });
    await pruneCache(options.cacheDir, [entry, filledEntry!], path.join(options.cacheDir, `template-${version}`));
    return finish(db, report, [entry, filledEntry!]);
  }

  const template = path.join(options.cacheDir, `template-${version}`);
  // A new or edited migration usually leaves the files before it as they were: start from the
  // cached build of the longest such prefix and replay only what follows.
  const base = await findReusableBuild(options.cacheDir, files, version, extensions);
  const fromTemplate = !base && existsSync(path.join(template, 'pgdata', 'PG_VERSION'));
  let source: string | undefined;
  let unpacked = false;
  if (base) {
    onProgress(`starting from the cached build of the first ${base.count} of ${files.length} migration(s)`);
    source = base.entry;
    await fs.utimes(base.entry, new Date(), new Date()).catch(() => undefined);
  } else if (fromTemplate) {
    onProgress(`starting PGlite from its cached initdb for ${files.length} migration(s)`);
    source = template;
  } else if (await unpackShippedTemplate(options, template, version)) {
    onProgress(`starting PGlite from its shipped initdb for ${files.length} migration(s)`);
    phases.lap('unpack');
    source = template;
    unpacked = true;
  } else {
    onProgress(`starting PGlite (initdb) for ${files.length} migration(s)`);
  }
  if (source && !unpacked) phases.lap(checkOut(source, options.workDir));
  const db = await PGlite.create(options.workDir, { extensions: loaded });
  phases.lap(source ? 'start' : 'initdb');
  if (!source) {
    await db.exec('CHECKPOINT');
    await snapshot(options, template, () => Promise.resolve(), undefined, await walKeep(db));
    phases.lap('template');
  }
  const skip = base?.count ?? 0;
  const applied: string[] = base ? base.report.applied.slice() : [];
  const failed: SandboxFailure[] = base ? base.report.failed.slice() : [];
  for (let i = skip; i < files.length; i++) {
    if (i > skip && (i - skip) % 50 === 0) onProgress(`replaying migrations: ${i}/${files.length}`);
    const startsBatch = i === skip || files[i - 1].transaction !== 'all-pending';
    let failure = await applyMigration(db, files[i], missingExtensions, startsBatch);
    if (!failure && files[i].transaction !== 'all-pending' && db.isInTransaction()) {
      // The next migration, the fill and the cache would all run inside it; its runner would not commit it either.
      await rollback(db);
      failure = failureAt(files[i], 'the migration leaves a transaction open (BEGIN without COMMIT), so the sandbox rolled it back — add the COMMIT');
    }
    if (failure) failed.push(failure);
    else applied.push(files[i].rel);
    // drizzle's one transaction ends after the last of a run of its migrations.
    if (files[i].transaction === 'all-pending' && files[i + 1]?.transaction !== 'all-pending' && db.isInTransaction()) await db.exec('COMMIT');
  }
  await resetSession(db);
  phases.lap('replay');
  const stored: SandboxReport = {
    files: files.map((f) => f.rel),
    runners,
    applied,
    failed,
    fromCache: false,
    buildMs: 0,
    extensions,
    missingExtensions,
    pgliteVersion: version,
  };
  await db.exec('CHECKPOINT');
  phases.lap('checkpoint');
  const manifest: EntryManifest = { files: files.map((f) => f.sha), extensions, pgliteVersion: version };
  await snapshot(
    options,
    entry,
    async (tmp) => {
      await fs.writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(manifest));
      await fs.writeFile(path.join(tmp, 'report.json'), JSON.stringify(stored));
    },
    source && path.join(source, 'pgdata'),
    await walKeep(db),
  );
  phases.lap('cache');
  const report = await fillAndCache(db, skip > 0 ? { ...stored, reusedFiles: skip } : stored);
  await pruneCache(options.cacheDir, filledEntry ? [entry, filledEntry] : [entry], template);
  return finish(db, report, [...(base ? [base.entry] : [template]), entry, ...(filledEntry ? [filledEntry] : [])]);
}

/** What a cache entry was built from, kept next to its data (`manifest.json`). */
interface EntryManifest {
  /** Per migration, in replay order: its sha (MigrationFile.sha). */
  files: string[];
  extensions: string[];
  pgliteVersion: string;
  /** A build filled with generated data (`filled-…`): never a prefix to replay more migrations onto. */
  filled?: boolean;
}

/**
 * The cache entry built from the longest prefix of `files` (same paths, same texts, in the
 * same order), with the same PGlite and no extension the current set lacks; undefined when
 * none has at least one file in common.
 */
async function findReusableBuild(
  cacheDir: string,
  files: MigrationFile[],
  version: string,
  extensions: string[],
): Promise<{ entry: string; count: number; report: SandboxReport } | undefined> {
  let best: { entry: string; count: number; report: SandboxReport } | undefined;
  const names = await fs.readdir(cacheDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('sandbox-'))) {
    const entry = path.join(cacheDir, name);
    const manifest = await readJson<EntryManifest>(path.join(entry, 'manifest.json'));
    if (!manifest || manifest.filled || manifest.pgliteVersion !== version || !Array.isArray(manifest.files) || !Array.isArray(manifest.extensions)) continue;
    const count = manifest.files.length;
    if (count === 0 || count >= files.length || count <= (best?.count ?? 0)) continue;
    if (!manifest.extensions.every((e) => extensions.includes(e))) continue;
    if (!manifest.files.every((sha, i) => files[i].sha === sha)) continue;
    const report = await readCachedReport(entry);
    if (report && existsSync(path.join(entry, 'pgdata', 'PG_VERSION'))) best = { entry, count, report };
  }
  return best;
}

/**
 * First sandbox on this machine for this PGlite: the initdb result shipped with pglens
 * becomes the cached template, and the working copy, both written from the one unpacked
 * archive. False (initdb runs) when there is no archive, e.g. running from source, or it
 * cannot be unpacked.
 */
async function unpackShippedTemplate(options: SandboxBuildOptions, template: string, version: string): Promise<boolean> {
  const tar = readInitdbArchive(options.initdbArchive ?? shippedInitdbArchive(version));
  if (!tar) return false;
  const tmp = path.join(options.cacheDir, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    unpackDataDir(tar, options.workDir);
    unpackDataDir(tar, path.join(tmp, 'pgdata'));
    await fs.rename(tmp, template).catch(() => undefined);
    return true;
  } catch {
    await fs.rm(options.workDir, { recursive: true, force: true });
    return false;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

export interface OpenedSandbox {
  db: PGlite;
  report: SandboxReport;
  /**
   * Copies, in the background, what this start consumed (see `checkOut`), so the next start
   * renames instead of copying. Yields to the event loop between files.
   */
  prepareNextStart(): Promise<void>;
}

/** Wall time per phase of a start, for the report and the benchmark. */
class PhaseClock {
  readonly laps: Record<string, number> = {};
  private readonly started = performance.now();
  private last = this.started;

  lap(name: string): void {
    const now = performance.now();
    this.laps[name] = (this.laps[name] ?? 0) + (now - this.last);
    this.last = now;
  }

  total(): number {
    return performance.now() - this.started;
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Synchronous copy: nothing else runs in the sandbox process while it starts, and the
 * async variant costs three times the CPU for a data directory's ~1,500 small files.
 * FICLONE makes it a reflink where the file system has them (btrfs, XFS, APFS).
 */
function copyDir(from: string, to: string, wal?: WalKeep): void {
  cpSync(from, to, { recursive: true, mode: fsConstants.COPYFILE_FICLONE, ...(wal && { filter: (src: string) => wal.wanted(src) }) });
}

/**
 * Which WAL segments a cache entry needs: right after a CHECKPOINT, only the segment(s) holding
 * the checkpoint (its redo point and its record). Older ones are done with, newer ones are
 * recycled files of old data that Postgres preallocated — tens of MB after a fill, more than
 * half of a filled build's size. Postgres creates new segments as it needs them.
 */
interface WalKeep {
  wanted(file: string): boolean;
}

const ALL_WAL: WalKeep = { wanted: () => true };

async function walKeep(db: PGlite): Promise<WalKeep> {
  try {
    const r = await db.query<{ redo: string; rec: string }>(
      'SELECT pg_walfile_name(redo_lsn) AS redo, pg_walfile_name(checkpoint_lsn) AS rec FROM pg_control_checkpoint()',
    );
    const keep = new Set([r.rows[0].redo, r.rows[0].rec]);
    if ([...keep].some((n) => !/^[0-9A-F]{24}$/.test(n))) return ALL_WAL;
    return { wanted: (file) => !(path.basename(path.dirname(file)) === 'pg_wal' && /^[0-9A-F]{24}$/.test(path.basename(file)) && !keep.has(path.basename(file))) };
  } catch {
    return ALL_WAL;
  }
}

/**
 * A cache entry (or the initdb template) keeps `pgdata/` pristine plus, when a previous
 * session had time to make one, a ready-made copy `spare/`. Starting takes the spare by
 * rename — atomic, so of two processes one wins and the other copies — which takes the
 * copy of ~1,500 files off the start's critical path. Returns the phase name for the report.
 */
function checkOut(entry: string, workDir: string): 'spare' | 'copy' {
  try {
    renameSync(path.join(entry, 'spare'), workDir);
    return 'spare';
  } catch {
    copyDir(path.join(entry, 'pgdata'), workDir);
    return 'copy';
  }
}

async function replenishSpares(entries: string[], cacheDir: string): Promise<void> {
  await removeStaleCopies(cacheDir);
  for (const entry of entries) {
    if (existsSync(path.join(entry, 'spare'))) continue;
    const tmp = path.join(cacheDir, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await copyDirYielding(path.join(entry, 'pgdata'), tmp);
      await fs.rename(tmp, path.join(entry, 'spare'));
    } catch {
      // The entry was pruned, the cache removed, or another process made the spare first.
    }
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** File by file, yielding to the event loop every few files so a running session keeps answering. */
async function copyDirYielding(from: string, to: string): Promise<void> {
  let sinceYield = 0;
  const walk = async (src: string, dst: string): Promise<void> => {
    // Not recursive: if the cache directory was removed meanwhile, fail rather than recreate it.
    mkdirSync(dst, { mode: statSync(src).mode & 0o777 });
    for (const e of readdirSync(src, { withFileTypes: true })) {
      if (++sinceYield >= 32) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const s = path.join(src, e.name);
      const d = path.join(dst, e.name);
      if (e.isDirectory()) await walk(s, d);
      else copyFileSync(s, d, fsConstants.COPYFILE_FICLONE);
    }
  };
  await walk(from, to);
}

/**
 * The ups to replay, in the runners' order (src/core/migrations): from the explicit files in
 * their given order, else from the files the globs match (pglens.sandbox.migrations, the
 * CLI's --migrations), grouped into folders whose runner is detected or forced by
 * `.pglens.json` `migrations[]`.
 */
async function readMigrations(options: SandboxBuildOptions, config: PglensConfig): Promise<{ files: MigrationFile[]; runners: SandboxRunner[] }> {
  const root = options.workspaceRoot;
  const toRel = (p: string) => path.relative(root, p).split(path.sep).join('/');
  const explicit = options.migrationFiles?.map((f) => toRel(path.resolve(root, f)));
  const missing = explicit?.find((f) => !existsSync(path.join(root, f)));
  if (missing !== undefined) throw new Error(`no migration file ${missing}`);
  const candidates = explicit ?? (await findMigrationFiles(root, options.migrationGlobs ?? DEFAULT_MIGRATION_GLOBS)).map(toRel);
  const sets = readMigrationSets(root, { files: candidates, overrides: config.migrations, overridesRoot: config.root });
  let migrations = sets.flatMap((s) => s.migrations.map((m) => ({ m, runner: s.runner })));
  if (explicit) {
    const order = new Map(explicit.map((f, i) => [f, i]));
    migrations = migrations.map((x, i) => ({ x, i })).sort((a, b) => (order.get(a.x.m.up.file) ?? 0) - (order.get(b.x.m.up.file) ?? 0) || a.i - b.i).map(({ x }) => x);
  }
  const perFile = new Map<string, number>();
  for (const { m } of migrations) perFile.set(m.up.file, (perFile.get(m.up.file) ?? 0) + 1);
  const files = migrations.map(({ m, runner }) => {
    const rel = perFile.get(m.up.file) === 1 ? m.up.file : `${m.up.file}#${m.id}`;
    const sha = createHash('sha256').update(`${rel}\0${runner}\0${m.transaction}\0${m.up.offset}\0${m.up.text.length}\0${m.up.text}`).digest('hex');
    return { rel, runner, transaction: m.transaction, up: m.up, sha };
  });
  return { files, runners: sets.map((s) => ({ folder: s.folder, runner: s.runner, migrations: s.migrations.length })) };
}

function cacheKey(files: MigrationFile[], version: string, extensions: string[]): string {
  const h = createHash('sha256');
  h.update(`pglite ${version}\0extensions ${extensions.join(',')}\0`);
  for (const f of files) h.update(`${f.sha}\0`);
  return h.digest('hex').slice(0, 32);
}

function readCachedReport(entry: string): Promise<SandboxReport | undefined> {
  return readJson<SandboxReport>(path.join(entry, 'report.json'));
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Where a statement that refuses a transaction block gets its file retried statement by
 * statement: an unknown runner (pglens's behaviour before it knew runners), Prisma (whether a
 * file is one transaction depends on its engine version) and the Supabase CLI (which runs
 * such statements on their own).
 */
const LENIENT: ReadonlySet<RunnerId> = new Set(['plain', 'prisma', 'supabase']);

/** Replays one migration's up with its runner's transaction semantics. */
async function applyMigration(db: PGlite, file: MigrationFile, missingExtensions: string[], startsBatch: boolean): Promise<SandboxFailure | undefined> {
  if (file.transaction === 'none') return applyStatementByStatement(db, file, missingExtensions);
  if (file.transaction === 'all-pending') return applyInOpenTransaction(db, file, missingExtensions, startsBatch);
  return applyAsOne(db, file, missingExtensions);
}

/**
 * One exec: Postgres runs the statements as one implicit transaction, so a failure rolls the
 * whole up back (a file's own BEGIN/COMMIT still work as written). See LENIENT for the retry.
 */
async function applyAsOne(db: PGlite, file: MigrationFile, missingExtensions: string[]): Promise<SandboxFailure | undefined> {
  try {
    await db.exec(file.up.text);
    return undefined;
  } catch (e) {
    await rollback(db);
    const err = e as PgError;
    if (err.code === '25001' && LENIENT.has(file.runner)) return applyStatementByStatement(db, file, missingExtensions);
    let at = offsetFromPosition(0, err.position);
    if (at === undefined) at = await locateFailingStatement(db, file.up.text);
    const failed = failure(file, lineIn(file.up, at ?? 0), err, missingExtensions);
    if (err.code === '25001') failed.message += ` — ${file.runner} runs this migration in a transaction; ${OPT_OUT[file.runner] ?? 'move the statement to a migration of its own that runs outside one'}`;
    return failed;
  }
}

/** How each runner lets a migration run outside a transaction (see src/core/migrations). */
const OPT_OUT: Partial<Record<RunnerId, string>> = {
  goose: 'add "-- +goose NO TRANSACTION" to the file',
  dbmate: 'write "-- migrate:up transaction:false"',
  'sql-migrate': 'write "-- +migrate Up notransaction"',
  diesel: 'add metadata.toml with run_in_transaction = false next to up.sql',
  flyway: 'set executeInTransaction=false in the script\'s .conf file',
  liquibase: 'add runInTransaction:false to the changeset',
  popx: 'name the file <version>_<name>.autocommit.up.sql',
};

/** Autocommit: each statement on its own; a failure stops the up there, what ran before it stays. */
async function applyStatementByStatement(db: PGlite, file: MigrationFile, missingExtensions: string[]): Promise<SandboxFailure | undefined> {
  const statements = await splitOrUndefined(file.up.text);
  if (!statements) return failure(file, lineIn(file.up, 0), { message: 'the migration does not parse' }, missingExtensions);
  for (const s of statements) {
    try {
      await db.exec(s.text);
    } catch (e) {
      await rollback(db);
      const err = e as PgError;
      return failure(file, lineIn(file.up, offsetFromPosition(s.offset, err.position) ?? s.offset), err, missingExtensions);
    }
  }
  return undefined;
}

/**
 * drizzle: every pending migration in one transaction, statement by statement (a file's own
 * COMMIT ends it, and what follows autocommits, as with drizzle). A failing migration is rolled
 * back to a savepoint and the others kept — drizzle would roll back the whole batch and stop,
 * but Explain needs the tables the other migrations build. The caller commits after the last.
 * `startsBatch`: the first of a run of drizzle migrations, which opens the transaction.
 */
async function applyInOpenTransaction(db: PGlite, file: MigrationFile, missingExtensions: string[], startsBatch: boolean): Promise<SandboxFailure | undefined> {
  const statements = await splitOrUndefined(file.up.text);
  if (!statements) return failure(file, lineIn(file.up, 0), { message: 'the migration does not parse' }, missingExtensions);
  if (startsBatch && !db.isInTransaction()) await db.exec('BEGIN');
  const savepoint = db.isInTransaction();
  if (savepoint) await db.exec('SAVEPOINT pglens_migration');
  for (const s of statements) {
    try {
      await db.exec(s.text);
    } catch (e) {
      if (db.isInTransaction()) await db.exec(savepoint ? 'ROLLBACK TO SAVEPOINT pglens_migration' : 'ROLLBACK').catch(() => rollback(db));
      const err = e as PgError;
      return failure(file, lineIn(file.up, offsetFromPosition(s.offset, err.position) ?? s.offset), err, missingExtensions);
    }
  }
  if (savepoint && db.isInTransaction()) await db.exec('RELEASE SAVEPOINT pglens_migration').catch(() => undefined);
  return undefined;
}

interface PgError {
  code?: string;
  message?: string;
  position?: string;
}

/** For errors without a position: runs the statements one by one in a rolled-back transaction to find the culprit's offset. */
async function locateFailingStatement(db: PGlite, text: string): Promise<number | undefined> {
  const statements = await splitOrUndefined(text);
  if (!statements || statements.some((s) => s.kind === 'TransactionStmt')) return undefined;
  await db.exec('BEGIN');
  try {
    for (const s of statements) {
      try {
        await db.exec(s.text);
      } catch {
        return s.offset;
      }
    }
    return undefined;
  } finally {
    await rollback(db);
  }
}

async function splitOrUndefined(text: string): Promise<ParsedStatement[] | undefined> {
  await loadSqlParser();
  try {
    return parseStatements(text);
  } catch {
    return undefined;
  }
}

async function rollback(db: PGlite): Promise<void> {
  if (db.isInTransaction()) await db.exec('ROLLBACK').catch(() => undefined);
}

function failureAt(file: MigrationFile, message: string): SandboxFailure {
  return { file: file.up.file, line: lineIn(file.up, 0), message };
}

/**
 * What a migration's session settings leave behind (SET ROLE, SET SESSION AUTHORIZATION,
 * SET standard_conforming_strings = off, a search_path) must reach neither the fill nor the
 * Explain sessions: a sandbox loaded from the cache starts from a fresh session too.
 */
async function resetSession(db: PGlite): Promise<void> {
  await rollback(db);
  for (const sql of ['RESET SESSION AUTHORIZATION', 'RESET ROLE', 'RESET ALL']) await db.exec(sql).catch(() => undefined);
}

function failure(file: MigrationFile, line: number, err: PgError, missingExtensions: string[]): SandboxFailure {
  let message = err.message ?? String(err);
  const ext = /extension "([^"]+)" is not available/.exec(message);
  if (ext && missingExtensions.includes(ext[1].toLowerCase())) {
    message += ' — PGlite does not ship this extension; connect to a real server to explain queries that need it';
  }
  return { file: file.up.file, line, message };
}

/** Postgres positions are 1-based characters into what was sent (which starts at `offset` of the up). */
function offsetFromPosition(offset: number, position: string | undefined): number | undefined {
  const p = Number(position);
  if (!position || !Number.isFinite(p) || p < 1) return undefined;
  return offset + p - 1;
}

/** The 1-based line in the file of a character offset into an up part. */
function lineIn(part: MigrationPart, charOffset: number): number {
  let line = part.line + 1;
  for (let i = 0; i < charOffset && i < part.text.length; i++) if (part.text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Cache write, right after a CHECKPOINT: a copy of the working directory into a temp dir,
 * then an atomic rename. PGlite writes through to disk synchronously and nothing else runs
 * here, so the copy is consistent; opening it replays nothing past the checkpoint.
 * With `unchangedFrom` (the pristine directory the working copy was checked out from), files
 * whose bytes are still the source's are hard links to it instead of copies: most of
 * template0, template1 and the catalogs no migration touched. Comparing bytes costs reads,
 * which are cheap next to writing ~40 MB; timestamps would be cheaper but can miss a write
 * within their granularity. Pristine directories are only ever copied from, never opened by
 * PGlite, so sharing their files is safe.
 */
async function snapshot(
  options: SandboxBuildOptions,
  entry: string,
  addFiles: (tmp: string) => Promise<void>,
  unchangedFrom: string | undefined,
  wal: WalKeep,
): Promise<void> {
  const tmp = path.join(options.cacheDir, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    if (unchangedFrom) copyDirLinkingUnchanged(options.workDir, path.join(tmp, 'pgdata'), unchangedFrom, wal);
    else copyDir(options.workDir, path.join(tmp, 'pgdata'), wal);
    await addFiles(tmp);
    await fs.rename(tmp, entry);
  } catch {
    // Another process may have written the same entry first; ours is then redundant.
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

function copyDirLinkingUnchanged(from: string, to: string, source: string, wal: WalKeep): void {
  mkdirSync(to, { recursive: true, mode: statSync(from).mode & 0o777 });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const s = path.join(from, e.name);
    const d = path.join(to, e.name);
    const o = path.join(source, e.name);
    if (e.isDirectory()) {
      copyDirLinkingUnchanged(s, d, o, wal);
      continue;
    }
    if (!wal.wanted(s)) continue;
    const bytes = readFileSync(s);
    if (sameBytes(o, bytes)) {
      try {
        linkSync(o, d);
        continue;
      } catch {
        // No hard links here (a file system without them), or the source went: copy.
      }
    }
    writeFileSync(d, bytes, { mode: statSync(s).mode & 0o777 });
  }
}

function sameBytes(file: string, bytes: Buffer): boolean {
  try {
    return statSync(file).size === bytes.length && readFileSync(file).equals(bytes);
  } catch {
    return false;
  }
}

/** Migration builds kept (prefixes for the next build), and filled builds (each up to ~150 MB). */
const KEEP_ENTRIES: Record<string, number> = { 'sandbox-': 4, 'filled-': 2 };

/** Keeps the newest entries of each kind and only the initdb template of the PGlite version in use. */
async function pruneCache(cacheDir: string, keep: string[], template: string): Promise<void> {
  const all = await fs.readdir(cacheDir);
  for (const n of all.filter((n) => n.startsWith('template-') && path.join(cacheDir, n) !== template)) {
    await fs.rm(path.join(cacheDir, n), { recursive: true, force: true });
  }
  for (const [prefix, count] of Object.entries(KEEP_ENTRIES)) {
    const names = all.filter((n) => n.startsWith(prefix));
    const entries = await Promise.all(
      names.map(async (n) => ({ dir: path.join(cacheDir, n), mtime: (await fs.stat(path.join(cacheDir, n)).catch(() => ({ mtimeMs: 0 }))).mtimeMs })),
    );
    entries.sort((a, b) => b.mtime - a.mtime);
    for (const e of entries.slice(count)) {
      if (!keep.includes(e.dir)) await fs.rm(e.dir, { recursive: true, force: true });
    }
  }
}

/** Temp copies (`tmp-<pid>-…`) of sandbox processes that were killed mid-copy (cancel, timeout). */
async function removeStaleCopies(cacheDir: string): Promise<void> {
  const names = await fs.readdir(cacheDir).catch(() => [] as string[]);
  for (const n of names.filter((n) => n.startsWith('tmp-') && !processAlive(Number(n.split('-')[1])))) {
    await fs.rm(path.join(cacheDir, n), { recursive: true, force: true }).catch(() => undefined);
  }
}

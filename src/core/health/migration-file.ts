import { promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import { PglensError, errorMessage } from '../errors';
import { loadConfig, type PglensConfig } from '../config';
import { compareDigits } from '../migrations/folder';
import type { MigrationSet, RunnerId } from '../migrations/migration';
import { POPX_FILE } from '../migrations/popx';
import { folderFinder, listSqlFiles, readMigrationSets, type ReadMigrationsOptions } from '../migrations/read';
import { SQITCH_PLAN } from '../migrations/sqitch';
import { ROOT_CHANGELOGS } from '../migrations/liquibase';
import { hasWord, statementCount } from '../migrations/statements';
import type { HealthFinding } from './health-finding';

/** A folder entry, as far as naming conventions care. */
export interface MigrationEntry {
  name: string;
  isDirectory: boolean;
}

export type MigrationConvention =
  | 'prisma'
  | 'flyway'
  | 'timestamp-14'
  | 'timestamp-12'
  /** A 14-digit UTC timestamp padded with zeros to a longer version (popx's `20240506070809000000`). */
  | 'timestamp-long'
  | 'unix-seconds'
  | 'unix-millis'
  | 'sequence'
  /** diesel's `<YYYY-MM-DD-HHMMSS>_<name>/` folders. */
  | 'diesel'
  /** sqitch: a change named in `sqitch.plan`, with `deploy/`, `revert/` and `verify/` scripts. */
  | 'sqitch';

/** A file to write besides the migration itself, relative like {@link MigrationFile.fileName}. */
export interface ExtraFile {
  fileName: string;
  /** The whole content: a file that exists (sqitch.plan) is replaced by its old text plus the addition. */
  content: string;
}

export interface MigrationFile {
  convention: MigrationConvention;
  /**
   * The runner that applies the folder (src/core/migrations, or `.pglens.json`
   * `migrations[].runner`); absent when the migration was named from the folder's names alone.
   */
  runner?: RunnerId;
  /** Relative to the migration folder; Prisma's is `<timestamp>_<name>/migration.sql`. */
  fileName: string;
  content: string;
  /** The down of runners that keep it in a file of its own (`.down.sql`, diesel's `down.sql`, sqitch's `revert/`). */
  downFileName?: string;
  downContent?: string;
  /** Further files the runner needs, written after the migration: diesel's metadata.toml, sqitch's verify script and plan. */
  extraFiles?: ExtraFile[];
  /** What the user still has to do before the runner runs it (a Liquibase file no changelog includes). */
  note?: string;
}

/** A planned migration with absolute paths: what the editor writes, in this order. */
export type PlacedMigrationFile = Omit<MigrationFile, 'extraFiles'> & {
  path: string;
  downPath?: string;
  extraFiles?: Array<ExtraFile & { path: string }>;
};

export interface MigrationFolderOptions {
  /** `.pglens.json` settings of the folder (default: `loadConfig(folder)`): `migrations[].runner` forces the runner. */
  config?: PglensConfig;
}

/** {@link planMigrationFile} for the folder on disk, as its runner runs it; paths are absolute. */
export async function migrationFileFor(
  finding: HealthFinding,
  workspaceMigrationFolder: string,
  now: Date = new Date(),
  options: MigrationFolderOptions = {},
): Promise<PlacedMigrationFile> {
  return migrationFileIn(findingSpec(finding), workspaceMigrationFolder, now, options);
}

/**
 * {@link planMigration} for the folder on disk: its runner comes from the runner model
 * (readMigrationSets: side files, names and directives, or `.pglens.json`), the migration is
 * written the way that runner runs it outside a transaction, and the result is read back
 * with the runner model to prove the runner sees it last and outside a transaction. Paths
 * are absolute. A folder inside a runner's project (sqitch's `deploy/`) is resolved to the
 * project's folder, as the linter does.
 */
export async function migrationFileIn(
  spec: MigrationSpec,
  workspaceMigrationFolder: string,
  now: Date = new Date(),
  options: MigrationFolderOptions = {},
): Promise<PlacedMigrationFile> {
  await readMigrationFolder(workspaceMigrationFolder);
  const config = options.config ?? loadConfig(workspaceMigrationFolder);
  const root = setRootOf(workspaceMigrationFolder);
  const files = listSqlFiles(root);
  const readOptions: ReadMigrationsOptions = { overrides: config.migrations, overridesRoot: config.root };
  const set = folderSet(root, files, readOptions);
  const writeDir = writeDirOf(root, set);
  const entries = await readMigrationFolder(writeDir);
  const context: RunnerContext = { runner: set.runner };
  if (set.runner === 'sqitch') {
    context.sqitchPlan = await readOptionalFile(path.join(root, SQITCH_PLAN));
    context.sqitchConf = await readOptionalFile(path.join(root, 'sqitch.conf'));
  }
  const placed = withPaths(planMigration(spec, entries, now, writeDir, context), writeDir);
  const note = checkReadBack(root, files, placed, readOptions);
  return note ? { ...placed, note } : placed;
}

async function readMigrationFolder(folder: string): Promise<MigrationEntry[]> {
  try {
    const dirents = await fs.readdir(folder, { withFileTypes: true });
    return dirents.map((d) => ({ name: d.name, isDirectory: d.isDirectory() }));
  } catch (e) {
    throw new PglensError('bad-input', `cannot read the migration folder ${folder}: ${errorMessage(e)}`, 'choose an existing folder that holds your migrations');
  }
}

async function readOptionalFile(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

function withPaths(plan: MigrationFile, folder: string): PlacedMigrationFile {
  const at = (f: string) => path.join(folder, ...f.split('/'));
  const { extraFiles, ...rest } = plan;
  return {
    ...rest,
    path: at(plan.fileName),
    ...(plan.downFileName ? { downPath: at(plan.downFileName) } : {}),
    ...(extraFiles ? { extraFiles: extraFiles.map((f) => ({ ...f, path: at(f.fileName) })) } : {}),
  };
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

/**
 * The folder the runner works in, for a folder of migrations: as the linter finds it
 * (runnerSetForFile), the topmost of the folder and the two above it holding a sqitch plan, a
 * drizzle journal or a Liquibase root changelog, else the folder itself.
 */
function setRootOf(folder: string): string {
  let base = folder;
  for (let i = 0; i < 2; i++) {
    const parent = path.dirname(base);
    if (parent === base) break;
    base = parent;
  }
  const rel = toPosix(path.relative(base, folder));
  const found = folderFinder(base)(rel ? `${rel}/new.sql` : 'new.sql');
  return path.join(base, ...found.split('/').filter(Boolean));
}

/** The migration set of `root` itself (its folder ''), or for a folder without migrations yet, its runner alone. */
function folderSet(root: string, files: string[], options: ReadMigrationsOptions): MigrationSet {
  const own = readMigrationSets(root, { ...options, files }).find((s) => s.folder === '');
  if (own) return own;
  // No migration in the folder yet: detection sees its side files (plan, journal, changelog)
  // and `.pglens.json`; a probe file that matches no runner's names stands in for the new one.
  const probe = '.pglens-new-migration.sql';
  const [probed] = readMigrationSets(root, { ...options, files: [probe], read: (f) => (f === probe ? '' : undefined) });
  return { runner: probed?.runner ?? 'plain', folder: '', migrations: [] };
}

/** Liquibase files go next to the newest SQL file the changelog runs; every other runner's in its folder. */
function writeDirOf(root: string, set: MigrationSet): string {
  if (set.runner !== 'liquibase') return root;
  const last = [...set.migrations].reverse().find((m) => m.up.file.toLowerCase().endsWith('.sql'));
  if (!last) return root;
  return path.join(root, ...last.up.file.split('/').slice(0, -1));
}

/**
 * Reads the folder back with the new files in it, as the linter and the sandbox will: the new
 * migration must be run by the runner, after every existing one, outside a transaction when it
 * holds CONCURRENTLY. Plain folders and the Supabase CLI are not checked (their runner's
 * transaction is unknown). Returns a note for the user (a Liquibase file no changelog runs).
 */
function checkReadBack(root: string, files: string[], plan: PlacedMigrationFile, options: ReadMigrationsOptions): string | undefined {
  const runner = plan.runner;
  if (!runner || runner === 'plain' || runner === 'supabase') return undefined;
  const rel = (abs: string) => toPosix(path.relative(root, abs));
  const written = new Map<string, string>([[rel(plan.path), plan.content]]);
  if (plan.downPath && plan.downContent !== undefined) written.set(rel(plan.downPath), plan.downContent);
  for (const f of plan.extraFiles ?? []) written.set(rel(f.path), f.content);
  const newSql = [...written.keys()].filter((f) => f.toLowerCase().endsWith('.sql') && !files.includes(f));
  const sets = readMigrationSets(root, { ...options, files: [...files, ...newSql], read: (f) => written.get(f) });
  const upFile = rel(plan.path);
  const set = sets.find((s) => s.migrations.some((m) => m.up.file === upFile));
  const migration = set?.migrations.find((m) => m.up.file === upFile);
  if (!set || !migration) {
    if (runner === 'liquibase') return liquibaseIncludeNote(root, upFile);
    throw new PglensError('refused', `${runner} would not run ${upFile} as a migration of ${root}`, 'write the migration by hand with the runner\'s own command');
  }
  const later = set.migrations.slice(set.migrations.indexOf(migration) + 1).filter((m) => !(runner === 'flyway' && m.id.startsWith('R__')));
  if (later.length > 0 && runner !== 'liquibase') {
    throw new PglensError(
      'refused',
      `${runner} would run ${upFile} before ${later[0].id}, not after the newest migration`,
      `rename it so that it sorts after ${later[0].id}, or write the migration with the runner's own command`,
    );
  }
  const concurrent = (text: string) => hasWord(text, 'CONCURRENTLY');
  const parts: Array<[string, string, string | undefined]> = [[upFile, migration.up.text, migration.transaction]];
  if (migration.down) parts.push([migration.down.file, migration.down.text, migration.downTransaction ?? migration.transaction]);
  for (const [file, text, mode] of parts) {
    if (!concurrent(text) || mode === 'none') continue;
    const n = statementCount(text);
    const why = n > 1 && ONE_STRING.has(runner)
      ? `${runner} sends the file as one string and it holds ${n} statements, which PostgreSQL runs as one implicit transaction`
      : `${runner} would run it in a transaction (${mode}${options.overrides?.some((o) => o.transactional) ? ', as .pglens.json migrations[].transactional says' : ''})`;
    throw new PglensError('refused', `${file}: ${why}, where ${concurrentVerb(text)} fails`, 'run the statement outside the runner (psql) as a deploy step, or write one migration per statement');
  }
  return undefined;
}

function liquibaseIncludeNote(root: string, file: string): string {
  const changelog = ROOT_CHANGELOGS.find((c) => isFile(path.join(root, c)));
  if (!changelog) {
    return `Liquibase runs only the files its changelog includes: include ${file} in the changelog you run (pglens found none of ${ROOT_CHANGELOGS.join(', ')} in ${root}).`;
  }
  const entry = changelog.endsWith('.xml') ? `<include file="${file}" relativeToChangelogFile="true"/>` : `- include: { file: ${file}, relativeToChangelogFile: true }`;
  return `Liquibase runs only the files ${changelog} includes, and it does not include ${file}: add ${entry} to ${path.join(root, changelog)}.`;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** What goes into a new migration, whatever produced it (a health fix, an advised index). */
export interface MigrationSpec {
  /** Lower-case words joined by `_` (dashes are used instead in folders that name files with dashes). */
  slug: string;
  content: string;
  /** The down, for runners that keep one. */
  downContent: string;
}

function findingSpec(finding: HealthFinding): MigrationSpec {
  if (!finding.fixSql) {
    throw new PglensError('bad-input', `a ${finding.ruleId} finding has no automatic fix`, 'write the migration by hand');
  }
  const nothingToUndo =
    finding.ruleId === 'invalid-index'
      ? '-- nothing to undo: the fix only rebuilt an existing index'
      : '-- no undo: pglens did not have the definition to recreate what the fix removes';
  return {
    slug: migrationSlug(finding),
    content: migrationContent(finding, finding.fixSql),
    downContent: migrationContent(finding, finding.revertSql ?? nothingToUndo),
  };
}

/**
 * The migration that applies a finding's fix, named after the folder's convention (see
 * {@link planMigration}); with `context`, written for its runner.
 */
export function planMigrationFile(finding: HealthFinding, entries: MigrationEntry[], now: Date, folder = '', context?: RunnerContext): MigrationFile {
  return planMigration(findingSpec(finding), entries, now, folder, context);
}

/** The runner of the folder, and the side files its migration needs. */
export interface RunnerContext {
  runner: RunnerId;
  /** sqitch: the text of the folder's sqitch.plan (absent: there is none) and of its sqitch.conf. */
  sqitchPlan?: string;
  sqitchConf?: string;
}

/**
 * The new migration for `spec`, sorting after every existing migration of the folder.
 *
 * Without `context` (names only): Prisma's `<timestamp>_<name>/migration.sql`, Flyway's
 * `V<n>__<name>.sql`, a timestamp prefix (`20240101120000_`, unix seconds or milliseconds) or
 * a zero-padded sequence (`0042_`); an empty folder gets a 14-digit UTC timestamp (Prisma's
 * layout when the folder is Prisma's). Plain folders, the Supabase CLI, Prisma and Flyway get
 * the same with their runner named: a one-statement file runs outside a transaction with
 * Prisma, and Flyway runs a migration holding CONCURRENTLY without one.
 *
 * With the runner, in the form that runs outside a transaction (CONCURRENTLY needs that):
 * goose `-- +goose NO TRANSACTION`, dbmate `transaction:false`, sql-migrate `notransaction`,
 * diesel `metadata.toml` `run_in_transaction = false`, golang-migrate one statement per
 * `.up.sql`/`.down.sql`, popx `.autocommit.`, Liquibase `runInTransaction:false`, sqitch a
 * change appended to its plan; drizzle-kit is refused (it runs every pending migration in one
 * transaction).
 */
export function planMigration(spec: MigrationSpec, entries: MigrationEntry[], now: Date, folder = '', context?: RunnerContext): MigrationFile {
  if (!context) return planByNames(spec, entries, now, folder);
  const runner = context.runner;
  const planned = ((): MigrationFile => {
    switch (runner) {
      case 'plain':
      case 'supabase':
        return { ...planByNames(spec, entries, now, folder), runner };
      case 'prisma':
        return { ...planPrisma(spec, entries, now), runner };
      case 'flyway':
        return { ...planFlyway(spec, entries), runner };
      case 'drizzle-kit':
        throw drizzleRefusal(spec);
      case 'goose':
        return planGoose(spec, entries, now);
      case 'dbmate':
        return planDbmate(spec, entries, now);
      case 'sql-migrate':
        return planSqlMigrate(spec, entries, now);
      case 'golang-migrate':
        return planGolangMigrate(spec, entries, now);
      case 'popx':
        return planPopx(spec, entries, now);
      case 'diesel':
        return planDiesel(spec, entries, now);
      case 'liquibase':
        return planLiquibase(spec, entries, now);
      case 'sqitch':
        return planSqitch(spec, now, context);
    }
  })();
  return checkOneString(planned);
}

// ---------------------------------------------------------------------------------------------
// Naming from the folder's names alone (plain folders, Prisma, Flyway).

const PRISMA_DIR = /^(\d{14})_[^/]+$/;
const FLYWAY = /^V(\d+)(?:[._]\d+)*__.+\.sql$/i;
const NUMBERED = /^(\d+)([_-]).+?(\.up\.sql|\.down\.sql|\.sql)$/i;

function isPrismaFolder(entries: MigrationEntry[], folder: string): boolean {
  return (
    entries.some((e) => e.isDirectory && PRISMA_DIR.test(e.name)) ||
    entries.some((e) => e.name === 'migration_lock.toml') ||
    /(^|[\\/])prisma[\\/]migrations[\\/]?$/.test(folder)
  );
}

function planByNames(spec: MigrationSpec, entries: MigrationEntry[], now: Date, folder: string): MigrationFile {
  if (isPrismaFolder(entries, folder)) return planPrisma(spec, entries, now);
  const files = entries.filter((e) => !e.isDirectory);
  if (files.some((e) => FLYWAY.test(e.name))) return planFlyway(spec, entries);
  const { convention, base, upDown } = numberedBase(spec.slug, files, now);
  if (!upDown) return { convention, fileName: `${base}.sql`, content: spec.content };
  return { convention, fileName: `${base}.up.sql`, content: spec.content, downFileName: `${base}.down.sql`, downContent: spec.downContent };
}

function planPrisma(spec: MigrationSpec, entries: MigrationEntry[], now: Date): MigrationFile {
  const prismaDirs = entries.filter((e) => e.isDirectory && PRISMA_DIR.test(e.name));
  const prefix = nextTimestamp(now, prismaDirs.map((e) => e.name.slice(0, 14)), 14);
  return { convention: 'prisma', fileName: `${prefix}_${spec.slug}/migration.sql`, content: spec.content };
}

function planFlyway(spec: MigrationSpec, entries: MigrationEntry[]): MigrationFile {
  const versions = entries.filter((e) => !e.isDirectory).map((e) => FLYWAY.exec(e.name)?.[1]).filter((v): v is string => v !== undefined);
  const next = versions.length > 0 ? increment(maxDigits(versions)) : '1';
  return { convention: 'flyway', fileName: `V${next}__${spec.slug}.sql`, content: spec.content };
}

/** `<prefix><separator><name>` after the numbered files of the folder (a 14-digit timestamp when there are none). */
function numberedBase(slug: string, files: MigrationEntry[], now: Date): { convention: MigrationConvention; base: string; upDown: boolean; separator: string } {
  const numbered = files.map((e) => NUMBERED.exec(e.name)).filter((m): m is RegExpExecArray => m !== null);
  if (numbered.length === 0) return { convention: 'timestamp-14', base: `${nextTimestamp(now, [], 14)}_${slug}`, upDown: false, separator: '_' };
  const separator = mostCommon(numbered.map((m) => m[2]));
  const upDown = numbered.some((m) => m[3].toLowerCase() === '.up.sql');
  const { convention, prefix } = nextVersion(numbered.map((m) => m[1]), now);
  const name = separator === '-' ? slug.replace(/_/g, '-') : slug;
  return { convention, base: `${prefix}${separator}${name}`, upDown, separator };
}

// ---------------------------------------------------------------------------------------------
// Versions.

/** The version after `versions` in their own style (timestamps stay timestamps, a sequence keeps its width); none: a 14-digit UTC timestamp. */
function nextVersion(versions: string[], now: Date): { convention: MigrationConvention; prefix: string } {
  if (versions.length === 0) return { convention: 'timestamp-14', prefix: nextTimestamp(now, [], 14) };
  const width = mostCommon(versions.map((p) => p.length));
  const sameWidth = versions.filter((p) => p.length === width);
  return nextPrefix(width, sameWidth, versions, now);
}

const DATE_PREFIX = /^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/;

function nextPrefix(width: number, sameWidth: string[], all: string[], now: Date): { convention: MigrationConvention; prefix: string } {
  const looksLikeDate = sameWidth.every((p) => DATE_PREFIX.test(p));
  if (width === 14 && looksLikeDate) return { convention: 'timestamp-14', prefix: nextTimestamp(now, sameWidth, 14) };
  if (width === 12 && looksLikeDate) return { convention: 'timestamp-12', prefix: nextTimestamp(now, sameWidth, 12) };
  if (width > 14 && looksLikeDate) {
    const stamp = utcStamp(now).padEnd(width, '0');
    const newest = maxDigits(sameWidth);
    return { convention: 'timestamp-long', prefix: compareDigits(stamp, newest) > 0 ? stamp : increment(newest, width) };
  }
  if (width === 10 && sameWidth.every((p) => p.startsWith('1'))) {
    return { convention: 'unix-seconds', prefix: maxOfText(String(Math.floor(now.getTime() / 1000)), increment(maxDigits(sameWidth))) };
  }
  if (width === 13 && sameWidth.every((p) => p.startsWith('1'))) {
    return { convention: 'unix-millis', prefix: maxOfText(String(now.getTime()), increment(maxDigits(sameWidth))) };
  }
  const next = increment(maxDigits(all));
  const padded = sameWidth.some((p) => p.length > 1 && p.startsWith('0'));
  return { convention: 'sequence', prefix: padded ? next.padStart(width, '0') : next };
}

/** `yyyymmddHHMMSS` in UTC. */
function utcStamp(now: Date): string {
  const iso = now.toISOString();
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
}

/** A `yyyymmddHHMMSS` stamp as a date, when it is one. */
function parseStamp(stamp: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(stamp);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return utcStamp(date) === stamp ? date : undefined;
}

/** `yyyymmddHHMMSS` (or its first 12 digits) in UTC, after the newest existing prefix (one second, or minute, past it when the clock is behind). */
function nextTimestamp(now: Date, existing: string[], width: 12 | 14): string {
  const stamp = utcStamp(now).slice(0, width);
  if (existing.length === 0) return stamp;
  const newest = maxDigits(existing);
  if (compareDigits(stamp, newest) > 0) return stamp;
  const date = parseStamp(newest.padEnd(14, '0').slice(0, 14));
  if (date && newest.length === width) return utcStamp(new Date(date.getTime() + (width === 14 ? 1000 : 60_000))).slice(0, width);
  return increment(newest, width);
}

function maxDigits(values: string[]): string {
  return values.reduce((max, v) => (compareDigits(v, max) > 0 ? v : max), '0');
}

function maxOfText(a: string, b: string): string {
  return compareDigits(a, b) >= 0 ? a : b;
}

/** A digit string plus one (any length: versions overflow 2^53), zero-padded to `width`. */
function increment(digits: string, width = 0): string {
  return (BigInt(digits) + 1n).toString().padStart(width, '0');
}

function mostCommon<T>(values: T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

// ---------------------------------------------------------------------------------------------
// Runner formats.

const CAVEAT_LINES = [/^-- CONCURRENTLY cannot run inside a transaction block/, /^-- \(a runner that sends the whole file as one script/];

/**
 * A spec's text for a runner that takes care of the transaction: without the generic caveat
 * ("run this file outside one"), with the runner's own line before the first statement.
 */
function body(text: string, note?: string): string {
  const lines = text.replace(/\s+$/, '').split(/\r?\n/).filter((l) => !CAVEAT_LINES.some((re) => re.test(l)));
  if (note) {
    const at = lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('--'));
    lines.splice(at < 0 ? lines.length : at, 0, `-- ${note}`);
  }
  return lines.join('\n');
}

/** The SQL lines of a text (comment and blank lines left out). */
function sqlLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('--'));
}

/** `DROP INDEX CONCURRENTLY`, `CREATE INDEX CONCURRENTLY`… as the text says it. */
function concurrentVerb(text: string): string {
  const m = /\b(CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\s+[A-Z]+)\s+CONCURRENTLY\b/i.exec(text);
  return m ? `${m[1].replace(/\s+/g, ' ').toUpperCase()} CONCURRENTLY` : 'CONCURRENTLY';
}

/** `pglens: unused-index on public.orders (index orders_status_idx)`: the first line of the spec, for notes. */
function summary(spec: MigrationSpec): string {
  const first = spec.content.split(/\r?\n/).find((l) => l.trim() !== '') ?? spec.slug;
  return first.replace(/^--\s?/, '').trim() || spec.slug;
}

/** Runners that send a file (or a section) to PostgreSQL as one string: one implicit transaction when it holds several statements. */
const ONE_STRING: ReadonlySet<RunnerId> = new Set(['prisma', 'golang-migrate', 'dbmate', 'diesel', 'popx']);

/** Refuses a CONCURRENTLY migration of several statements for a runner that would send it as one string. */
function checkOneString(plan: MigrationFile): MigrationFile {
  if (!plan.runner || !ONE_STRING.has(plan.runner)) return plan;
  const parts: Array<[string, string]> = [[plan.fileName, plan.content]];
  if (plan.downFileName && plan.downContent !== undefined) parts.push([plan.downFileName, plan.downContent]);
  for (const [file, text] of parts) {
    // Sectioned files (dbmate) are checked section by section.
    const sections = plan.runner === 'dbmate' ? text.split(/^-- migrate:down\b.*$/m) : [text];
    for (const section of sections) {
      const n = statementCount(section);
      if (n > 1 && hasWord(section, 'CONCURRENTLY')) {
        throw new PglensError(
          'refused',
          `${plan.runner} sends ${file} to PostgreSQL as one string: its ${n} statements would run as one implicit transaction, where ${concurrentVerb(section)} fails`,
          'write one migration per statement (each its own file), or run the statements with psql as a deploy step',
        );
      }
    }
  }
  return plan;
}

function drizzleRefusal(spec: MigrationSpec): PglensError {
  const statements = sqlLines(spec.content).join(' ');
  const concurrent = hasWord(spec.content, 'CONCURRENTLY');
  const cause = concurrent
    ? `drizzle-kit runs every pending migration in one transaction, so ${concurrentVerb(spec.content)} can never run from a drizzle migration (and a .sql file missing from meta/_journal.json is never run)`
    : 'drizzle-kit runs only the migrations meta/_journal.json lists, and pglens does not edit the journal';
  return new PglensError(
    'refused',
    `pglens cannot write this migration for drizzle-kit: ${cause}`,
    concurrent
      ? `run the statement with psql as a deploy step, outside drizzle-kit migrate (${statements}); or put the form without CONCURRENTLY in a drizzle migration (drizzle-kit generate --custom), knowing it locks the table's writes while it runs`
      : `create it with drizzle-kit generate --custom and paste: ${statements}`,
  );
}

function planGoose(spec: MigrationSpec, entries: MigrationEntry[], now: Date): MigrationFile {
  const versions = entries.filter((e) => !e.isDirectory).map((e) => /^(\d+)_.*\.sql$/i.exec(e.name)?.[1]).filter((v): v is string => v !== undefined);
  const { convention, prefix } = nextVersion(versions, now);
  const content = [
    '-- +goose NO TRANSACTION',
    '-- +goose Up',
    body(spec.content, 'NO TRANSACTION: goose runs each statement of this file on its own, outside a transaction, as CONCURRENTLY needs.'),
    '',
    '-- +goose Down',
    body(spec.downContent),
    '',
  ].join('\n');
  return { convention, runner: 'goose', fileName: `${prefix}_${spec.slug}.sql`, content };
}

function planDbmate(spec: MigrationSpec, entries: MigrationEntry[], now: Date): MigrationFile {
  const versions = entries.filter((e) => !e.isDirectory).map((e) => /^(\d+).*\.sql$/i.exec(e.name)?.[1]).filter((v): v is string => v !== undefined);
  // dbmate new names migrations by a 14-digit UTC timestamp; keep that past the newest version.
  const stamp = nextTimestamp(now, versions.filter((v) => v.length === 14), 14);
  const newest = versions.length > 0 ? maxDigits(versions) : '0';
  const prefix = compareDigits(stamp, newest) > 0 ? stamp : increment(newest);
  const content = [
    '-- migrate:up transaction:false',
    body(spec.content, 'transaction:false: dbmate runs this section outside a transaction, as CONCURRENTLY needs (one statement: dbmate sends it as one string).'),
    '',
    '-- migrate:down transaction:false',
    body(spec.downContent),
    '',
  ].join('\n');
  return { convention: 'timestamp-14', runner: 'dbmate', fileName: `${prefix}_${spec.slug}.sql`, content };
}

function planSqlMigrate(spec: MigrationSpec, entries: MigrationEntry[], now: Date): MigrationFile {
  const { convention, base } = numberedBase(spec.slug, entries.filter((e) => !e.isDirectory && !/\.down\.sql$/i.test(e.name)), now);
  const content = [
    '-- +migrate Up notransaction',
    body(spec.content, 'notransaction: sql-migrate runs this outside a transaction, as CONCURRENTLY needs.'),
    '',
    '-- +migrate Down notransaction',
    body(spec.downContent),
    '',
  ].join('\n');
  return { convention, runner: 'sql-migrate', fileName: `${base}.sql`, content };
}

function planGolangMigrate(spec: MigrationSpec, entries: MigrationEntry[], now: Date): MigrationFile {
  const versions = entries.filter((e) => !e.isDirectory).map((e) => /^(\d+)_.*\.(?:up|down)\.sql$/i.exec(e.name)?.[1]).filter((v): v is string => v !== undefined);
  const { convention, prefix } = nextVersion(versions, now);
  const base = `${prefix}_${spec.slug}`;
  const note = 'golang-migrate sends this file as one string: with one statement it runs outside a transaction, as CONCURRENTLY needs. Keep one statement per file.';
  return {
    convention,
    runner: 'golang-migrate',
    fileName: `${base}.up.sql`,
    content: `${body(spec.content, note)}\n`,
    downFileName: `${base}.down.sql`,
    downContent: `${body(spec.downContent)}\n`,
  };
}

const POSTGRES_DIALECTS = new Set(['postgres', 'postgresql', 'pg']);

function planPopx(spec: MigrationSpec, entries: MigrationEntry[], now: Date): MigrationFile {
  const named = entries.filter((e) => !e.isDirectory).map((e) => POPX_FILE.exec(e.name)).filter((m): m is RegExpExecArray => m !== null);
  const { convention, prefix } = nextVersion(named.map((m) => m[1]), now);
  // A dialect-less file runs on every dialect: in a folder that also has MySQL, SQLite or
  // CockroachDB files, the PostgreSQL statement goes to a postgres file.
  const dialects = named.map((m) => m[3]?.slice(1)).filter((d): d is string => d !== undefined && d !== 'autocommit');
  const postgres = dialects.filter((d) => POSTGRES_DIALECTS.has(d));
  const multi = dialects.some((d) => !POSTGRES_DIALECTS.has(d));
  const dialect = multi ? `.${postgres.length > 0 ? mostCommon(postgres) : 'postgres'}` : '';
  const base = `${prefix}_${spec.slug}${dialect}.autocommit`;
  const note = '.autocommit: popx runs this file outside a transaction, as CONCURRENTLY needs. Keep one statement per file.';
  return {
    convention,
    runner: 'popx',
    fileName: `${base}.up.sql`,
    content: `${body(spec.content, note)}\n`,
    downFileName: `${base}.down.sql`,
    downContent: `${body(spec.downContent)}\n`,
  };
}

function planDiesel(spec: MigrationSpec, entries: MigrationEntry[], now: Date): MigrationFile {
  const versions = entries
    .filter((e) => e.isDirectory)
    .map((e) => e.name.split('_')[0].replace(/-/g, ''))
    .filter((v) => /^\d+$/.test(v));
  // diesel migration generate: `%Y-%m-%d-%H%M%S`, compared as text without the dashes.
  const s = nextTimestamp(now, versions.filter((v) => v.length === 14), 14);
  const newest = versions.length > 0 ? maxDigits(versions) : '0';
  const stamp = compareDigits(s, newest) > 0 ? s : increment(newest, 14);
  const dir = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}-${stamp.slice(8)}_${spec.slug}`;
  const note = 'metadata.toml sets run_in_transaction = false: diesel runs this outside a transaction, as CONCURRENTLY needs (one statement: diesel sends the file as one string).';
  return {
    convention: 'diesel',
    runner: 'diesel',
    fileName: `${dir}/up.sql`,
    content: `${body(spec.content, note)}\n`,
    downFileName: `${dir}/down.sql`,
    downContent: `${body(spec.downContent)}\n`,
    extraFiles: [{ fileName: `${dir}/metadata.toml`, content: 'run_in_transaction = false\n' }],
  };
}

function planLiquibase(spec: MigrationSpec, entries: MigrationEntry[], now: Date): MigrationFile {
  const sqlFiles = entries.filter((e) => !e.isDirectory && e.name.toLowerCase().endsWith('.sql'));
  const { convention, base } = numberedBase(spec.slug, sqlFiles, now);
  const rollback = sqlLines(spec.downContent).map((l) => `--rollback ${l}`);
  const content = [
    '--liquibase formatted sql',
    '',
    `--changeset pglens:${base} runInTransaction:false`,
    body(spec.content, 'runInTransaction:false: Liquibase runs this changeset outside a transaction, as CONCURRENTLY needs.'),
    ...rollback,
    '',
  ].join('\n');
  return { convention, runner: 'liquibase', fileName: `${base}.sql`, content };
}

/** sqitch.conf settings that move the plan or the scripts, or change their extension: pglens does not follow them. */
const SQITCH_LAYOUT = /^\s*(top_dir|plan_file|deploy_dir|revert_dir|verify_dir|extension)\s*=/im;

function planSqitch(spec: MigrationSpec, now: Date, context: RunnerContext): MigrationFile {
  const plan = context.sqitchPlan;
  const taken = new Set(plan === undefined ? [] : sqitchChangeNames(plan));
  let name = spec.slug;
  for (let i = 2; taken.has(name); i++) name = `${spec.slug}_${i}`;
  const note = summary(spec).replace(/[\r\n]+/g, ' ');
  const layout = SQITCH_LAYOUT.exec(context.sqitchConf ?? '');
  if (plan === undefined || layout) {
    const why = plan === undefined ? `there is no ${SQITCH_PLAN} in the folder` : `sqitch.conf sets ${layout![1]}, which pglens does not follow`;
    throw new PglensError(
      'refused',
      `pglens cannot add the sqitch change itself: ${why}`,
      `run \`sqitch add ${name} -n '${note.replace(/'/g, '')}'\`, then put the statement in deploy/${name}.sql without BEGIN/COMMIT (sqitch runs it through psql outside a transaction, as CONCURRENTLY needs) and its undo in revert/${name}.sql`,
    );
  }
  const project = /^%project=(\S+)/m.exec(plan)?.[1];
  const change = project ? `${project}:${name}` : name;
  const eol = plan.includes('\r\n') ? '\r\n' : '\n';
  const time = `${now.toISOString().slice(0, 19)}Z`;
  const line = `${name} ${time} pglens <pglens@localhost> # ${note}`;
  const newPlan = `${plan}${plan === '' || plan.endsWith('\n') ? '' : eol}${line}${eol}`;
  const noTransaction = 'sqitch runs this script through psql and adds no transaction: no BEGIN/COMMIT here, as CONCURRENTLY needs.';
  return {
    convention: 'sqitch',
    runner: 'sqitch',
    fileName: `deploy/${name}.sql`,
    content: `-- Deploy ${change} to pg\n${body(spec.content, noTransaction)}\n`,
    downFileName: `revert/${name}.sql`,
    downContent: `-- Revert ${change} from pg\n${body(spec.downContent)}\n`,
    extraFiles: [
      {
        fileName: `verify/${name}.sql`,
        content: `-- Verify ${change} on pg\n-- pglens: nothing to verify inside a transaction for an index built or dropped CONCURRENTLY; this only checks the connection.\nSELECT 1;\n`,
      },
      { fileName: SQITCH_PLAN, content: newPlan },
    ],
  };
}

/** The change names of a sqitch plan (pragmas, tags, comments and blank lines skipped). */
function sqitchChangeNames(plan: string): string[] {
  return plan
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^[%@#]/.test(l))
    .map((l) => /^[+-]?\s*([^\s[]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

// ---------------------------------------------------------------------------------------------
// Names and text of health fixes.

const SLUG_VERB: Record<HealthFinding['ruleId'], string> = {
  'unused-index': 'drop_unused_index',
  'duplicate-index': 'drop_duplicate_index',
  'invalid-index': 'rebuild_invalid_index',
  'fk-without-index': 'add_index',
  'missing-primary-key': 'add_primary_key',
  'seq-scan-heavy-table': 'add_index',
};

/** e.g. `drop_unused_index_orders_status_idx`, `add_index_orders_customer_id`: lower-case, at most 60 characters. */
export function migrationSlug(finding: HealthFinding): string {
  const subject = finding.index ?? [finding.table, ...(finding.columns ?? [])].join('_');
  return toSlug(`${SLUG_VERB[finding.ruleId]}_${subject}`);
}

/** Any words as a migration name: lower-case, `_`-joined, at most 60 characters. */
export function toSlug(words: string): string {
  const slug = words
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug.slice(0, 60).replace(/_+$/, '');
}

function migrationContent(finding: HealthFinding, sql: string): string {
  const subject = `${finding.schema}.${finding.table}${finding.index ? ` (index ${finding.index})` : ''}`;
  const lines = [
    `-- pglens: ${finding.ruleId} on ${subject}`,
    ...finding.message.split('\n').map((l) => `-- ${l}`),
    '-- CONCURRENTLY cannot run inside a transaction block: run this file outside one',
    '-- (a runner that sends the whole file as one script needs one statement per file).',
    sql,
    '',
  ];
  return lines.join('\n');
}

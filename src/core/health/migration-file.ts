import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PglensError, errorMessage } from '../errors';
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
  | 'unix-seconds'
  | 'unix-millis'
  | 'sequence';

export interface MigrationFile {
  convention: MigrationConvention;
  /** Relative to the migration folder; Prisma's is `<timestamp>_<name>/migration.sql`. */
  fileName: string;
  content: string;
  /** The matching `.down.sql` for folders that pair `.up.sql`/`.down.sql` files. */
  downFileName?: string;
  downContent?: string;
}

/** {@link planMigrationFile} with the folder read from disk; `path` is absolute. */
export async function migrationFileFor(
  finding: HealthFinding,
  workspaceMigrationFolder: string,
  now: Date = new Date(),
): Promise<MigrationFile & { path: string; downPath?: string }> {
  const entries = await readMigrationFolder(workspaceMigrationFolder);
  return withPaths(planMigrationFile(finding, entries, now, workspaceMigrationFolder), workspaceMigrationFolder);
}

/** {@link planMigration} with the folder read from disk; `path` is absolute. */
export async function migrationFileIn(
  spec: MigrationSpec,
  workspaceMigrationFolder: string,
  now: Date = new Date(),
): Promise<MigrationFile & { path: string; downPath?: string }> {
  const entries = await readMigrationFolder(workspaceMigrationFolder);
  return withPaths(planMigration(spec, entries, now, workspaceMigrationFolder), workspaceMigrationFolder);
}

async function readMigrationFolder(folder: string): Promise<MigrationEntry[]> {
  try {
    const dirents = await fs.readdir(folder, { withFileTypes: true });
    return dirents.map((d) => ({ name: d.name, isDirectory: d.isDirectory() }));
  } catch (e) {
    throw new PglensError('bad-input', `cannot read the migration folder ${folder}: ${errorMessage(e)}`, 'choose an existing folder that holds your migrations');
  }
}

function withPaths(plan: MigrationFile, folder: string): MigrationFile & { path: string; downPath?: string } {
  return {
    ...plan,
    path: path.join(folder, plan.fileName),
    ...(plan.downFileName ? { downPath: path.join(folder, plan.downFileName) } : {}),
  };
}

const PRISMA_DIR = /^(\d{14})_[^/]+$/;
const FLYWAY = /^V(\d+)(?:[._]\d+)*__.+\.sql$/i;
const NUMBERED = /^(\d+)([_-]).+?(\.up\.sql|\.down\.sql|\.sql)$/i;

/**
 * Names the new migration after the folder's existing convention: Prisma's
 * `<timestamp>_<name>/migration.sql`, Flyway's `V<n>__<name>.sql`, a timestamp prefix
 * (`20240101120000_`, unix seconds or milliseconds) or a zero-padded sequence (`0042_`),
 * always sorting after every existing migration. An empty folder gets a 14-digit UTC
 * timestamp (Prisma's layout when the folder is Prisma's).
 */
export function planMigrationFile(finding: HealthFinding, entries: MigrationEntry[], now: Date, folder = ''): MigrationFile {
  if (!finding.fixSql) {
    throw new PglensError('bad-input', `a ${finding.rule} finding has no automatic fix`, 'write the migration by hand');
  }
  return planMigration(
    {
      slug: migrationSlug(finding),
      content: migrationContent(finding, finding.fixSql),
      downContent: migrationContent(finding, finding.revertSql ?? '-- nothing to undo: the fix only rebuilt an existing index'),
    },
    entries,
    now,
    folder,
  );
}

/** What goes into a new migration, whatever produced it (a health fix, an advised index). */
export interface MigrationSpec {
  /** Lower-case words joined by `_` (dashes are used instead in folders that name files with dashes). */
  slug: string;
  content: string;
  /** For folders that pair `.up.sql`/`.down.sql` files. */
  downContent: string;
}

/** {@link planMigrationFile}'s naming for any migration content. */
export function planMigration(spec: MigrationSpec, entries: MigrationEntry[], now: Date, folder = ''): MigrationFile {
  const { slug, content: up } = spec;

  const prismaDirs = entries.filter((e) => e.isDirectory && PRISMA_DIR.test(e.name));
  const isPrismaFolder =
    prismaDirs.length > 0 ||
    entries.some((e) => e.name === 'migration_lock.toml') ||
    /(^|[\\/])prisma[\\/]migrations[\\/]?$/.test(folder);
  if (isPrismaFolder) {
    const prefix = nextTimestamp14(now, prismaDirs.map((e) => e.name.slice(0, 14)), 14);
    return { convention: 'prisma', fileName: `${prefix}_${slug}/migration.sql`, content: up };
  }

  const files = entries.filter((e) => !e.isDirectory);
  const flyway = files.map((e) => FLYWAY.exec(e.name)).filter((m): m is RegExpExecArray => m !== null);
  if (flyway.length > 0) {
    const next = Math.max(...flyway.map((m) => Number(m[1]))) + 1;
    return { convention: 'flyway', fileName: `V${next}__${slug}.sql`, content: up };
  }

  const numbered = files.map((e) => NUMBERED.exec(e.name)).filter((m): m is RegExpExecArray => m !== null);
  if (numbered.length === 0) {
    return { convention: 'timestamp-14', fileName: `${nextTimestamp14(now, [], 14)}_${slug}.sql`, content: up };
  }
  const separator = mostCommon(numbered.map((m) => m[2]));
  const upDown = numbered.some((m) => m[3].toLowerCase() === '.up.sql');
  const prefixes = numbered.map((m) => m[1]);
  const width = mostCommon(prefixes.map((p) => p.length));
  const sameWidth = prefixes.filter((p) => p.length === width);
  const { convention, prefix } = nextPrefix(width, sameWidth, prefixes, now);
  const name = separator === '-' ? slug.replace(/_/g, '-') : slug;
  const base = `${prefix}${separator}${name}`;
  if (!upDown) return { convention, fileName: `${base}.sql`, content: up };
  return {
    convention,
    fileName: `${base}.up.sql`,
    content: up,
    downFileName: `${base}.down.sql`,
    downContent: spec.downContent,
  };
}

function nextPrefix(
  width: number,
  sameWidth: string[],
  all: string[],
  now: Date,
): { convention: MigrationConvention; prefix: string } {
  const looksLikeDate = sameWidth.every((p) => /^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/.test(p));
  if (width === 14 && looksLikeDate) return { convention: 'timestamp-14', prefix: nextTimestamp14(now, sameWidth, 14) };
  if (width === 12 && looksLikeDate) return { convention: 'timestamp-12', prefix: nextTimestamp14(now, sameWidth, 12) };
  if (width === 10 && sameWidth.every((p) => p.startsWith('1'))) {
    return { convention: 'unix-seconds', prefix: String(Math.max(Math.floor(now.getTime() / 1000), maxOf(sameWidth) + 1)) };
  }
  if (width === 13 && sameWidth.every((p) => p.startsWith('1'))) {
    return { convention: 'unix-millis', prefix: String(Math.max(now.getTime(), maxOf(sameWidth) + 1)) };
  }
  const next = maxOf(all) + 1;
  const padded = sameWidth.some((p) => p.length > 1 && p.startsWith('0'));
  return { convention: 'sequence', prefix: padded ? String(next).padStart(width, '0') : String(next) };
}

/** `yyyymmddHHMMSS` (or its first 12 digits) in UTC, bumped past the newest existing prefix. */
function nextTimestamp14(now: Date, existing: string[], width: 12 | 14): string {
  const iso = now.toISOString();
  const stamp = (iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19)).slice(0, width);
  const newest = existing.length > 0 ? maxOf(existing) : 0;
  return Number(stamp) > newest ? stamp : String(newest + 1);
}

function maxOf(prefixes: string[]): number {
  return prefixes.reduce((max, p) => Math.max(max, Number(p)), 0);
}

function mostCommon<T>(values: T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

const SLUG_VERB: Record<HealthFinding['rule'], string> = {
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
  return toSlug(`${SLUG_VERB[finding.rule]}_${subject}`);
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
    `-- pglens: ${finding.rule} on ${subject}`,
    ...finding.message.split('\n').map((l) => `-- ${l}`),
    '-- CONCURRENTLY cannot run inside a transaction block: run this file outside one',
    '-- (a runner that sends the whole file as one script needs one statement per file).',
    sql,
    '',
  ];
  return lines.join('\n');
}

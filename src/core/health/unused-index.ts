import { tableKey, type SchemaModel } from '../schema/model';
import type { CatalogIndex, CatalogServerInfo, CatalogSnapshot } from './catalog';
import { concurrentDefinition, dropIndexSql } from './fix-sql';
import { formatBytes, formatTimestamp, statsSinceText } from './format';
import { INDEX_HEALTH_RULES, type HealthFinding } from './health-finding';

/**
 * unused-index: a valid, non-unique index no constraint needs, with `idx_scan = 0` — judged only
 * when the statistics cover long enough for "never scanned" to mean something. A database just
 * created, restored or migrated, or whose statistics were just reset or lost, has 0 scans on
 * nearly every index: reporting them all would be noise, and dropping them a mistake.
 */

/** `.pglens.json` `"unused-index": ["warning", { "minStatsDays": 7 }]`: the default. */
export const DEFAULT_MIN_STATS_DAYS: number = INDEX_HEALTH_RULES['unused-index'].options.minStatsDays;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** How the start of a database's usage statistics is known. */
export type StatsWindowBasis = 'reset' | 'created' | 'stats-lost';

/**
 * Since when the scan counters of the current database count, as far as the server can tell.
 * Counters start from zero at a statistics reset of the database (`pg_stat_database.stats_reset`),
 * when the database is created, and when the server starts without saved statistics (a new
 * cluster, after a crash or an immediate shutdown; a clean restart keeps them, PG 15 included).
 * `pg_postmaster_start_time()` is therefore not a start: after a clean restart the counts go on.
 */
export type StatsWindow =
  /** The start is known: `ms` is the length of the window. */
  | { kind: 'known'; since: string; basis: StatsWindowBasis; ms: number }
  /** The start is unknown but not before `notBefore` (server-wide statistics lost or reset then): `atMostMs` bounds the window. */
  | { kind: 'bounded'; notBefore: string; atMostMs: number }
  /** Nothing tells: no reset recorded, creation time unreadable, no server-wide reset time. */
  | { kind: 'unknown' };

function ms(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Pure: the window from the snapshot's server facts, measured against the server's clock (the
 * snapshot's read time when the server's is missing).
 *
 * - A recorded reset of this database is the start: a later loss of statistics would have cleared it.
 * - Without one, the counters began when the database was created or when the server last lost its
 *   statistics, whichever is later. The server-wide reset time is taken as that loss: someone
 *   resetting both pg_stat_bgwriter and pg_stat_archiver by hand only makes pglens wait longer.
 * - Without the creation time, that loss only bounds the window from above.
 */
export function statsWindow(server: CatalogServerInfo, readAt: string): StatsWindow {
  const now = ms(server.serverNow) ?? ms(readAt) ?? Date.now();
  const reset = ms(server.statsReset);
  const created = ms(server.databaseCreated);
  const lost = ms(server.sharedStatsReset);
  const known = (at: number, basis: StatsWindowBasis): StatsWindow => ({ kind: 'known', since: new Date(at).toISOString(), basis, ms: Math.max(0, now - at) });
  if (reset !== undefined) return known(reset, 'reset');
  if (created !== undefined) return lost !== undefined && lost > created ? known(lost, 'stats-lost') : known(created, 'created');
  if (lost !== undefined) return { kind: 'bounded', notBefore: new Date(lost).toISOString(), atMostMs: Math.max(0, now - lost) };
  return { kind: 'unknown' };
}

/** Whether unused indexes may be judged: the window is known (or bounded) to be shorter than the minimum → no. */
export function statsWindowTooShort(window: StatsWindow, minStatsDays: number): boolean {
  const min = minStatsDays * DAY;
  if (window.kind === 'known') return window.ms < min;
  if (window.kind === 'bounded') return window.atMostMs < min;
  return false;
}

/** "45 minutes", "5 hours", "3 days" (rounded down: never more than the statistics cover). */
export function formatDuration(durationMs: number): string {
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (durationMs < HOUR) return plural(Math.floor(durationMs / 60_000), 'minute');
  if (durationMs < 2 * DAY) return plural(Math.floor(durationMs / HOUR), 'hour');
  return plural(Math.floor(durationMs / DAY), 'day');
}

const BASIS_TEXT: Record<StatsWindowBasis, string> = {
  reset: 'the last statistics reset of this database',
  created: 'the database was created',
  'stats-lost': 'the server last started without saved statistics (a new cluster, a crash or an immediate shutdown)',
};

/** What the findings say about since when scans count, and what they cannot tell. */
function sinceText(window: StatsWindow, server: CatalogServerInfo): { since: string; caveat: string } {
  if (window.kind === 'known') {
    return { since: `in the ${formatDuration(window.ms)} since ${formatTimestamp(window.since)} (when ${BASIS_TEXT[window.basis]})`, caveat: '' };
  }
  const length =
    window.kind === 'bounded'
      ? `at most ${formatDuration(window.atMostMs)} (the server-wide statistics were last reset or lost at ${formatTimestamp(window.notBefore)}), no less is known`
      : 'unknown';
  return {
    since: statsSinceText(server.statsReset, server.serverStarted),
    caveat:
      ` How long the statistics cover is ${length}: no reset is recorded and the database's creation time is not readable by this role.` +
      ' If the database was created, restored or migrated recently, 0 scans mean nothing yet.',
  };
}

/** The one note that replaces the findings when the window is too short. */
export function shortWindowNote(window: StatsWindow, minStatsDays: number, database: string): string {
  const cover =
    window.kind === 'known'
      ? `only ${formatDuration(window.ms)} (since ${formatTimestamp(window.since)}, when ${BASIS_TEXT[window.basis]})`
      : window.kind === 'bounded'
        ? `at most ${formatDuration(window.atMostMs)} (the server-wide statistics were last reset or lost at ${formatTimestamp(window.notBefore)}: a new cluster, a crash or an immediate shutdown)`
        : 'an unknown time';
  const days = `${minStatsDays} day${minStatsDays === 1 ? '' : 's'}`;
  return (
    `unused-index: the usage statistics of database ${database} cover ${cover}, so indexes with 0 scans are not judged unused yet; ` +
    `they are once the statistics cover ${days} ("minStatsDays" of unused-index in .pglens.json)`
  );
}

/** An index that enforces something (unique, primary key, exclusion) is never unused; an invalid one is invalid-index; null scans mean no statistics. */
export function mayBeUnused(index: CatalogIndex): boolean {
  return !index.unique && !index.primary && index.constraintType === null && index.valid && index.scans === 0;
}

/** The unused-index findings of a snapshot, or none and one note when the statistics are too young to tell. */
export function unusedIndexFindings(
  catalog: CatalogSnapshot,
  model: SchemaModel,
  minStatsDays: number = DEFAULT_MIN_STATS_DAYS,
): { findings: HealthFinding[]; notes: string[] } {
  const candidates = catalog.indexes.filter(mayBeUnused);
  const window = statsWindow(catalog.server, catalog.readAt);
  if (statsWindowTooShort(window, minStatsDays)) {
    return { findings: [], notes: candidates.length > 0 ? [shortWindowNote(window, minStatsDays, catalog.server.database)] : [] };
  }
  const { since, caveat } = sinceText(window, catalog.server);
  const where = catalog.server.isReplica
    ? 'This server is a replica: only scans served here are counted; check the primary and the other replicas before dropping it.'
    : 'Scans served by replicas are not counted here: check them before dropping it.';
  const findings: HealthFinding[] = [];
  for (const index of candidates) {
    const table = model.tables.get(tableKey(index.schema, index.table));
    const fk = table?.foreignKeys.find((f) => coversLeading(index.columns, f.columns));
    const fkNote = fk
      ? ` It covers foreign key ${fk.name ?? fk.columns.join(', ')}: without it, deletes on ${q(fk.refSchema, fk.refTable)} scan ${q(index.schema, index.table)}.`
      : '';
    findings.push({
      ruleId: 'unused-index',
      severity: INDEX_HEALTH_RULES['unused-index'].defaultSeverity,
      message:
        `index ${q(index.schema, index.name)} on ${q(index.schema, index.table)} (${formatBytes(index.sizeBytes)}) has not been scanned ${since}: ` +
        `it costs every write and its disk space for nothing. ${where}${fkNote}${caveat}`,
      schema: index.schema,
      table: index.table,
      index: index.name,
      columns: [...index.columns],
      fixSql: dropIndexSql(index.schema, index.name),
      revertSql: concurrentDefinition(index.definition),
    });
  }
  return { findings, notes: [] };
}

function coversLeading(indexColumns: string[], fkColumns: string[]): boolean {
  return fkColumns.length > 0 && fkColumns.every((c) => indexColumns.slice(0, fkColumns.length).includes(c));
}

function q(schema: string, name: string): string {
  return `${schema}.${name}`;
}

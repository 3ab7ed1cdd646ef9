import { PglensError } from '../errors';
import { escapeControl, escapeControlKeepingLayout } from '../escape-control';
import type { ColumnStats, FillStats, TableStats } from './types';

/**
 * `pglens stats export`: the planner statistics of a real database, read-only, as the stats file
 * the sandbox generator takes (`FillOptions.stats`, a `FillStats`): per user table its row count
 * (`pg_class.reltuples`) and, per column, `pg_stats`' null fraction, distinct count, most common
 * values with their frequencies, histogram bounds and correlation.
 *
 * Everything runs in one message: `BEGIN TRANSACTION READ ONLY`, `SET LOCAL`s and one SELECT of
 * the catalogs (pg_class, pg_namespace, pg_attribute, pg_stats, pg_partition_tree), so the SELECT
 * cannot run outside that transaction even if the session was lost and re-opened in between; a
 * ROLLBACK ends it. Values are printed in fixed, portable styles (ISO dates, UTC, hex bytea).
 */

/** A column's entry: ColumnStats, and with `values: false` the shape of what was left out. */
export interface ExportedColumnStats extends ColumnStats {
  /** `values: false` only: how many histogram bounds were left out. */
  histogramBounds?: number;
}

export interface ExportedTableStats extends TableStats {
  /** `pg_class.relpages` (for a partitioned table: its leaf partitions' sum). */
  pages: number;
  columns: Record<string, ExportedColumnStats>;
}

/** What the stats could not show; every table and column is named 'schema.table' / by column name. */
export interface StatsGaps {
  /** Tables whose row count is unknown (never vacuumed nor analyzed): left out of `tables`. */
  notAnalyzed: string[];
  /** Tables in `tables` with no statistics for any column they show (empty when analyzed, or never analyzed). */
  noColumnStats: string[];
  /** Columns pg_stats hides from the exporting role (no SELECT privilege on the column, or row-level security). */
  hiddenColumns: Record<string, string[]>;
  /** Readable columns without statistics in a table that has some (added since the last ANALYZE, or statistics target 0). */
  columnsNotAnalyzed: Record<string, string[]>;
  /** Keys two tables share (a dot inside a quoted schema or table name): left out, the generator could not tell them apart. */
  ambiguous?: string[];
}

/** The file: a FillStats with a header and what was missing. */
export interface StatsExport extends FillStats {
  /** Always 1 for this shape. */
  format: 1;
  pglensVersion: string;
  /** e.g. "15.8". */
  serverVersion: string;
  /** ISO 8601, UTC. */
  exportedAt: string;
  /** Whether most common values and histogram bounds (real data) are in the file. */
  values: boolean;
  /** The --schema filter, when one was given. */
  schemas?: string[];
  tables: Record<string, ExportedTableStats>;
  missing: StatsGaps;
}

export interface StatsExportOptions {
  /** Only these schemas (default: every schema but the system ones). */
  schemas?: string[];
  /** Keep most common values and histogram bounds (default true). */
  values?: boolean;
  /** SET LOCAL statement_timeout, ms. */
  timeoutMs: number;
  pglensVersion: string;
  serverVersion: string;
  /** The export time (default: now). */
  now?: Date;
}

/** Schemas never exported: the catalogs, TOAST, other sessions' temp schemas, sqitch's registry (as the generator's catalog). */
const SYSTEM_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'sqitch') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

/** A string literal whatever standard_conforming_strings says. */
function literal(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** The statements sent, in one simple-protocol message (exported for tests). */
export function exportSql(options: { schemas?: string[]; timeoutMs: number }): string {
  const schemaFilter = options.schemas?.length ? `AND n.nspname IN (${options.schemas.map(literal).join(', ')})` : '';
  const ms = Math.max(1, Math.ceil(options.timeoutMs));
  return [
    'BEGIN TRANSACTION READ ONLY',
    `SET LOCAL statement_timeout = ${ms}`,
    'SET LOCAL search_path = pg_catalog, pg_temp',
    // Values are printed as the sandbox will read them back, whatever the server's defaults;
    // real numbers (float4) as the shortest text that reads back the same (0.333, not 0.33300000429).
    `SET LOCAL DateStyle = 'ISO, YMD'`,
    `SET LOCAL IntervalStyle = 'postgres'`,
    `SET LOCAL TimeZone = 'UTC'`,
    'SET LOCAL extra_float_digits = 1',
    `SET LOCAL bytea_output = 'hex'`,
    `SELECT n.nspname AS schema, c.relname AS table, c.relkind AS kind,
       c.reltuples::float8 AS reltuples, c.relpages::int8 AS relpages,
       CASE WHEN c.relkind = 'p' THEN (
         SELECT json_build_object('tuples', coalesce(sum(greatest(l.reltuples, 0)), 0)::float8,
                                  'pages', coalesce(sum(l.relpages), 0)::int8,
                                  'unknown', count(*) FILTER (WHERE l.reltuples < 0)::int4,
                                  'leaves', count(*)::int4)::text
         FROM pg_partition_tree(c.oid) t JOIN pg_class l ON l.oid = t.relid
         WHERE t.isleaf AND l.relkind = 'r') END AS leaves,
       a.attnum, a.attname AS column,
       (has_column_privilege(c.oid, a.attnum, 'SELECT') AND NOT (c.relrowsecurity AND row_security_active(c.oid))) AS readable,
       s.attname IS NOT NULL AS has_stats,
       s.null_frac, s.n_distinct, s.most_common_vals::text::text[] AS mcv_values, s.most_common_freqs AS mcv_freqs,
       s.histogram_bounds::text::text[] AS histogram, s.correlation
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
                         AND s.inherited = (c.relkind = 'p')
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't'
       AND ${SYSTEM_SCHEMA} ${schemaFilter}
     ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", a.attnum`,
  ].join(';\n');
}

interface Row {
  schema: string;
  table: string;
  kind: string;
  reltuples: number;
  relpages: string | number;
  leaves: string | null;
  attnum: number | null;
  column: string | null;
  readable: boolean | null;
  has_stats: boolean;
  null_frac: number | null;
  n_distinct: number | null;
  mcv_values: unknown;
  mcv_freqs: unknown;
  histogram: unknown;
  correlation: number | null;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

function numbers(v: unknown): number[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (v as number[]) : undefined;
}

function finite(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function columnStats(r: Row, values: boolean): ExportedColumnStats {
  const out: ExportedColumnStats = {};
  const nullFrac = finite(r.null_frac);
  if (nullFrac !== undefined) out.nullFrac = nullFrac;
  const nDistinct = finite(r.n_distinct);
  if (nDistinct !== undefined) out.nDistinct = nDistinct;
  const freqs = numbers(r.mcv_freqs);
  const mcvValues = strings(r.mcv_values);
  const histogram = strings(r.histogram);
  if (values) {
    if (freqs && mcvValues && freqs.length === mcvValues.length && freqs.length > 0) out.mcv = { values: mcvValues, freqs };
    if (histogram && histogram.length > 0) out.histogram = histogram;
  } else {
    if (freqs && freqs.length > 0) out.mcvFreqs = freqs;
    const bounds = Array.isArray(r.histogram) ? r.histogram.length : 0;
    if (bounds > 0) out.histogramBounds = bounds;
  }
  const correlation = finite(r.correlation);
  if (correlation !== undefined) out.correlation = correlation;
  return out;
}

/** Turns the SELECT's rows (one per column, tables in key order) into the file. */
export function buildStatsExport(rows: Array<Record<string, unknown>>, options: StatsExportOptions): StatsExport {
  const values = options.values ?? true;
  const out: StatsExport = {
    format: 1,
    pglensVersion: options.pglensVersion,
    serverVersion: options.serverVersion,
    exportedAt: (options.now ?? new Date()).toISOString(),
    values,
    ...(options.schemas?.length ? { schemas: [...options.schemas] } : {}),
    tables: {},
    missing: { notAnalyzed: [], noColumnStats: [], hiddenColumns: {}, columnsNotAnalyzed: {} },
  };
  // By (schema, table); the file's key 'schema.table' can name two tables ("a".b and a."b.c" is
  // not it, but "a.b".c and a."b.c" are both a.b.c): those are left out, named in missing.
  const byTable = new Map<string, { key: string; list: Row[] }>();
  const owners = new Map<string, Set<string>>();
  for (const raw of rows) {
    const r = raw as unknown as Row;
    const id = JSON.stringify([r.schema, r.table]);
    const key = `${r.schema}.${r.table}`;
    const entry = byTable.get(id);
    if (entry) entry.list.push(r);
    else byTable.set(id, { key, list: [r] });
    if (!owners.has(key)) owners.set(key, new Set());
    owners.get(key)!.add(id);
  }
  for (const { key, list } of byTable.values()) {
    if (owners.get(key)!.size > 1) {
      if (!out.missing.ambiguous?.includes(key)) (out.missing.ambiguous ??= []).push(key);
      continue;
    }
    const first = list[0];
    let tuples = finite(first.reltuples) ?? -1;
    let pages = finite(first.relpages) ?? 0;
    if (first.kind === 'p' && first.leaves) {
      // Autovacuum never analyzes a partitioned table as a whole: its partitions know the rows.
      const leaves = JSON.parse(first.leaves) as { tuples: number; pages: number; unknown: number; leaves: number };
      pages = Number(leaves.pages);
      if (tuples < 0 && leaves.leaves > leaves.unknown) tuples = Number(leaves.tuples);
    }
    if (tuples < 0) {
      out.missing.notAnalyzed.push(key);
      continue;
    }
    const table: ExportedTableStats = { rows: Math.round(tuples), pages, columns: {} };
    const hidden: string[] = [];
    const unanalyzed: string[] = [];
    for (const r of list) {
      if (r.column === null || r.attnum === null) continue;
      if (r.has_stats) table.columns[r.column] = columnStats(r, values);
      else if (r.readable === false) hidden.push(r.column);
      else unanalyzed.push(r.column);
    }
    if (hidden.length) out.missing.hiddenColumns[key] = hidden;
    if (Object.keys(table.columns).length === 0 && unanalyzed.length > 0) out.missing.noColumnStats.push(key);
    else if (unanalyzed.length) out.missing.columnsNotAnalyzed[key] = unanalyzed;
    out.tables[key] = table;
  }
  return out;
}

/** What exportStats runs its statements on: one session (PgConnection's `query` will do). */
export interface StatsSession {
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/**
 * Reads the statistics, read-only, on `conn` (one session; the repo's PgConnection). Throws
 * PglensError 'bad-input' when there is no table to export, 'timeout' past `timeoutMs`.
 */
export async function exportStats(conn: StatsSession, options: StatsExportOptions): Promise<StatsExport> {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = (await conn.query(exportSql(options))).rows;
  } catch (e) {
    if (e instanceof PglensError && e.code === 'timeout') {
      throw new PglensError('timeout', `reading the statistics ran longer than the ${options.timeoutMs / 1000} s timeout and was cancelled`, 'raise --timeout SECONDS, or export fewer schemas with --schema');
    }
    throw e;
  } finally {
    // Ends the read-only transaction (after an error too); on a lost session there is none left.
    await conn.query('ROLLBACK').catch(() => undefined);
  }
  if (rows.length === 0) {
    const where = options.schemas?.length ? `in schema${options.schemas.length > 1 ? 's' : ''} ${options.schemas.join(', ')}` : 'outside the system schemas';
    throw new PglensError('bad-input', `no tables ${where}`, options.schemas?.length ? 'check the --schema names (they are case-sensitive)' : 'check that --db names the application\'s database');
  }
  return buildStatsExport(rows, options);
}

/**
 * The file's text: two-space JSON, a list of values or frequencies on one line, one trailing
 * newline. JSON escapes C0 controls itself; DEL, C1 controls and U+2028/U+2029 in names and
 * values are written as \u escapes too (the same JSON).
 */
export function statsExportText(e: StatsExport): string {
  return escapeControlKeepingLayout(layout(e, '')) + '\n';
}

function layout(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + layout(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${layout(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function some(names: string[], max = 8): string {
  const shown = names.slice(0, max).map(escapeControl).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** Lines for stderr or the editor's output: what the file lacks, and what to do about it (names control-escaped). */
export function gapNotes(e: StatsExport): string[] {
  const notes: string[] = [];
  const m = e.missing;
  if (m.notAnalyzed.length) {
    notes.push(`${m.notAnalyzed.length} table(s) never analyzed, left out (row count unknown): ${some(m.notAnalyzed)} — run ANALYZE on them, or let the generator size them`);
  }
  if (m.noColumnStats.length) {
    notes.push(`${m.noColumnStats.length} table(s) without column statistics (empty, or never analyzed; autovacuum never analyzes a partitioned table as a whole): ${some(m.noColumnStats)} — run ANALYZE on them if they hold rows`);
  }
  const hidden = Object.entries(m.hiddenColumns).map(([t, cols]) => `${t}(${cols.join(', ')})`);
  if (hidden.length) {
    notes.push(`columns whose statistics pg_stats hides from this role (no SELECT privilege on them, or row-level security): ${some(hidden)} — export as a role that may read them`);
  }
  const late = Object.entries(m.columnsNotAnalyzed).map(([t, cols]) => `${t}(${cols.join(', ')})`);
  if (late.length) notes.push(`columns without statistics (added since the last ANALYZE, or statistics target 0): ${some(late)}`);
  if (m.ambiguous?.length) {
    notes.push(`${m.ambiguous.length} name(s) shared by two tables (a dot inside a quoted name), left out: ${some(m.ambiguous)} — the generator sizes those tables itself`);
  }
  return notes;
}

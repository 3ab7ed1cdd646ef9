import { qualifiedName } from '../../fix-sql';
import { formatBytes, formatCount, formatTimestamp, shellWord } from '../../format';
import { USER_SCHEMAS, type CheckJudgement, type CheckReadContext, type DatabaseCheck, type DatabaseFinding, type Thresholds } from '../check';

export interface BloatTableRow {
  schema: string;
  table: string;
  kind: 'table' | 'materialized view';
  liveTuples: number;
  deadTuples: number;
  /** `pg_class.reltuples`: ≤ 0 when the table was never vacuumed or analyzed (-1 from PostgreSQL 14). */
  reltuples: number;
  heapPages: number;
  toastPages: number;
  toastTuples: number;
  fillfactor: number;
  /**
   * What pg_stats says of the row: its columns, whether any holds NULLs (then each row carries a
   * null bitmap) and the average data width. Null when the width cannot be known: a column
   * without visible statistics (never analyzed, or no SELECT privilege) or of type `name`
   * (pg_stats reports its width wrongly).
   */
  rowStats: { columns: number; anyNulls: boolean; dataWidth: number } | null;
  /** `autovacuum_enabled` of the table (reloptions); the server-wide switch is `TableBloatData.autovacuum`. */
  autovacuumEnabled: boolean;
  /** Effective autovacuum_vacuum_scale_factor / _threshold: the table's reloptions, else the server's. */
  vacuumScaleFactor: number;
  vacuumThreshold: number;
  /** Epoch milliseconds; null when never recorded (or the statistics were reset since). */
  lastVacuum: number | null;
  lastAutovacuum: number | null;
}

export interface TableBloatData {
  blockSize: number;
  /** MAXALIGN of the server: tuples are padded to it. */
  maxAlign: number;
  /** The server's `autovacuum` setting. */
  autovacuum: boolean;
  /** Tables and materialized views looked at. */
  tables: number;
  /** Of those, the ones with data whose column statistics the role may not read (their bloat is not estimated). */
  unreadable: number;
  role: string;
  /** Tables with dead tuples or whose bloat can be estimated. */
  rows: BloatTableRow[];
}

/** Below this size an estimate is noise: a few pages off is a large share of a small table. */
const MIN_ESTIMATED_BYTES = 1024 * 1024;

/**
 * Dead tuples from the statistics functions (visible for every table to every role), and the
 * inputs of the catalog-based bloat estimate (ioguix/pgsql-bloat-estimation): the row width
 * pg_stats gives per column, which only shows columns the role may read. The arithmetic is
 * `estimateBloatBytes`, pure and unit-tested.
 */
const ROWS_SQL = `
WITH t AS (
  SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
         c.reltuples::float8 AS reltuples, c.relpages::float8 AS heap_pages,
         COALESCE(tc.relpages, 0)::float8 AS toast_pages, GREATEST(COALESCE(tc.reltuples, 0), 0)::float8 AS toast_tuples,
         pg_stat_get_live_tuples(c.oid)::float8 AS live, pg_stat_get_dead_tuples(c.oid)::float8 AS dead,
         o.fillfactor, o.enabled, o.scale_factor, o.threshold,
         round(extract(epoch FROM pg_stat_get_last_vacuum_time(c.oid)) * 1000)::float8 AS last_vacuum,
         round(extract(epoch FROM pg_stat_get_last_autovacuum_time(c.oid)) * 1000)::float8 AS last_autovacuum
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
  CROSS JOIN LATERAL (
    SELECT max(CASE WHEN option_name = 'fillfactor' THEN option_value END)::int AS fillfactor,
           max(CASE WHEN option_name = 'autovacuum_enabled' THEN option_value END)::boolean AS enabled,
           max(CASE WHEN option_name = 'autovacuum_vacuum_scale_factor' THEN option_value END)::float8 AS scale_factor,
           max(CASE WHEN option_name = 'autovacuum_vacuum_threshold' THEN option_value END)::float8 AS threshold
    FROM pg_options_to_table(c.reloptions)
  ) o
  WHERE c.relkind IN ('r', 'm') AND ${USER_SCHEMAS}
), w AS (
  SELECT t.oid, count(*)::int AS columns, count(s.attname)::int AS with_stats,
         COALESCE(max(s.null_frac), 0) > 0 AS any_nulls,
         sum((1 - COALESCE(s.null_frac, 0)) * COALESCE(s.avg_width, 0))::float8 AS data_width,
         bool_or(a.atttypid = 'pg_catalog.name'::regtype) AS has_name
  FROM t
  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_stats s ON s.schemaname = t.schema AND s.tablename = t.name AND s.attname = a.attname AND NOT s.inherited
  WHERE t.reltuples > 0 AND (t.heap_pages + t.toast_pages) * current_setting('block_size')::float8 >= $2
  GROUP BY t.oid
)
SELECT t.schema, t.name, t.relkind, t.live, t.dead, t.reltuples, t.heap_pages, t.toast_pages, t.toast_tuples,
       COALESCE(t.fillfactor, 100) AS fillfactor, COALESCE(t.enabled, true) AS autovacuum_enabled,
       COALESCE(t.scale_factor, current_setting('autovacuum_vacuum_scale_factor')::float8) AS scale_factor,
       COALESCE(t.threshold, current_setting('autovacuum_vacuum_threshold')::float8) AS threshold,
       t.last_vacuum, t.last_autovacuum,
       CASE WHEN w.with_stats = w.columns AND NOT w.has_name THEN w.columns END AS columns,
       w.any_nulls, w.data_width
FROM t
LEFT JOIN w ON w.oid = t.oid
WHERE t.dead > 0 OR (w.with_stats = w.columns AND NOT w.has_name)
ORDER BY t.schema, t.name`;

const TOTALS_SQL = `
SELECT count(*)::int AS tables,
       count(*) FILTER (WHERE c.relpages > 0 AND NOT has_table_privilege(c.oid, 'SELECT'))::int AS unreadable,
       current_user AS role,
       current_setting('block_size')::int AS block_size,
       current_setting('autovacuum')::boolean AS autovacuum,
       -- MAXALIGN is 8 on 64-bit builds (the test the estimate's authors use).
       CASE WHEN version() ~ 'mingw32|64-bit|x86_64|ppc64|ia64|amd64|aarch64' THEN 8 ELSE 4 END AS max_align
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'm') AND ${USER_SCHEMAS}`;

/** A fresh autovacuum trigger for big tables: vacuum after 5% of the rows changed, not the default 20%. */
const SUGGESTED_SCALE_FACTOR = 0.05;

async function read(ctx: CheckReadContext): Promise<TableBloatData> {
  const filter = ctx.schemas.length > 0 ? ctx.schemas : null;
  const totals = (await ctx.conn.query<Record<string, unknown>>(TOTALS_SQL, [filter])).rows[0] ?? {};
  const rows = (await ctx.conn.query<Record<string, unknown>>(ROWS_SQL, [filter, MIN_ESTIMATED_BYTES])).rows;
  return {
    blockSize: Number(totals.block_size ?? 8192),
    maxAlign: Number(totals.max_align ?? 8),
    autovacuum: totals.autovacuum !== false,
    tables: Number(totals.tables ?? 0),
    unreadable: Number(totals.unreadable ?? 0),
    role: String(totals.role ?? ''),
    rows: rows.map((r) => ({
      schema: String(r.schema),
      table: String(r.name),
      kind: r.relkind === 'm' ? 'materialized view' : 'table',
      liveTuples: Number(r.live),
      deadTuples: Number(r.dead),
      reltuples: Number(r.reltuples),
      heapPages: Number(r.heap_pages),
      toastPages: Number(r.toast_pages),
      toastTuples: Number(r.toast_tuples),
      fillfactor: Number(r.fillfactor),
      rowStats: r.columns == null ? null : { columns: Number(r.columns), anyNulls: r.any_nulls === true, dataWidth: Number(r.data_width) },
      autovacuumEnabled: r.autovacuum_enabled !== false,
      vacuumScaleFactor: Number(r.scale_factor),
      vacuumThreshold: Number(r.threshold),
      lastVacuum: r.last_vacuum == null ? null : Number(r.last_vacuum),
      lastAutovacuum: r.last_autovacuum == null ? null : Number(r.last_autovacuum),
    })),
  };
}

/**
 * Bytes beyond what the table's rows need at its fillfactor, by the catalog-based estimate of
 * ioguix/pgsql-bloat-estimation: a row is the 23-byte tuple header (plus a null bitmap when
 * a column holds NULLs) and the average data width, each padded to MAXALIGN, plus a 4-byte
 * line pointer; a page holds what fits in its 8,168 bytes after the 24-byte page header; TOAST
 * takes about four 2 kB chunks a page. An estimate: it trusts reltuples and pg_stats, so stale
 * statistics make it wrong. Null when the inputs are missing.
 */
export function estimateBloatBytes(row: BloatTableRow, blockSize: number, maxAlign: number): number | null {
  if (!row.rowStats || row.reltuples <= 0) return null;
  const align = (bytes: number): number => Math.ceil(bytes / maxAlign) * maxAlign;
  const header = 23 + (row.rowStats.anyNulls ? Math.floor((7 + row.rowStats.columns) / 8) : 0);
  const tuple = 4 + align(header) + align(Math.ceil(row.rowStats.dataWidth));
  const rowsPerPage = ((blockSize - 24) * row.fillfactor) / 100 / tuple;
  const expectedPages = Math.ceil(row.reltuples / rowsPerPage) + Math.ceil(row.toastTuples / 4);
  return Math.max(row.heapPages + row.toastPages - expectedPages, 0) * blockSize;
}

function judge(data: TableBloatData, t: Thresholds): CheckJudgement {
  const findings: DatabaseFinding[] = [];
  let totalDead = 0;
  let totalBloat = 0;
  for (const row of data.rows) {
    totalDead += row.deadTuples;
    const tableBytes = (row.heapPages + row.toastPages) * data.blockSize;
    const bloat = estimateBloatBytes(row, data.blockSize, data.maxAlign);
    totalBloat += bloat ?? 0;
    const all = row.deadTuples + row.liveTuples;
    const deadShare = all > 0 ? row.deadTuples / all : 0;
    const bloatShare = bloat !== null && tableBytes > 0 ? bloat / tableBytes : 0;
    const deadHit = row.deadTuples >= t.minDeadTuples && deadShare >= t.deadRatio;
    const bloatHit = bloat !== null && bloat >= t.minBloatBytes && bloatShare >= t.bloatRatio;
    if (!deadHit && !bloatHit) continue;
    findings.push(finding(row, data, { deadHit, deadShare, bloatHit, bloat, bloatShare, tableBytes }));
  }
  const notes: string[] = [];
  if (data.unreadable > 0) {
    notes.push(
      `the bloat estimate skipped ${data.unreadable} table${data.unreadable === 1 ? '' : 's'} whose column statistics ${data.role} may not read ` +
        '(pg_stats shows only columns the role may SELECT); their dead tuples were still checked',
    );
  }
  if (!data.autovacuum) notes.push('autovacuum is off on this server: nothing vacuums or analyzes the tables unless someone runs VACUUM');
  const summary =
    `${data.tables} table${data.tables === 1 ? '' : 's'}: ${formatCount(totalDead)} dead tuple${totalDead === 1 ? '' : 's'}, ` +
    `an estimated ${formatBytes(totalBloat)} of bloat`;
  // Dead tuples were judged on every table: an unreadable one only loses its bloat estimate.
  return { findings, summary, notes, ...(data.unreadable > 0 ? { partial: true } : {}) };
}

interface Measures {
  deadHit: boolean;
  deadShare: number;
  bloatHit: boolean;
  bloat: number | null;
  bloatShare: number;
  tableBytes: number;
}

function finding(row: BloatTableRow, data: TableBloatData, m: Measures): DatabaseFinding {
  const name = qualifiedName(row.schema, row.table);
  const alter = row.kind === 'table' ? 'ALTER TABLE' : 'ALTER MATERIALIZED VIEW';
  const trigger = row.vacuumThreshold + row.vacuumScaleFactor * Math.max(row.reltuples, 0);
  const autovacuumOn = data.autovacuum && row.autovacuumEnabled;
  const parts: string[] = [];
  if (m.deadHit) parts.push(`${count(row.deadTuples)} dead tuples against ${count(row.liveTuples)} live (${percent(m.deadShare)} dead)`);
  if (m.bloatHit && m.bloat !== null) parts.push(`an estimated ${formatBytes(m.bloat)} of bloat (${percent(m.bloatShare)} of its ${formatBytes(m.tableBytes)})`);
  const lastVacuum = Math.max(row.lastVacuum ?? -Infinity, row.lastAutovacuum ?? -Infinity);
  const vacuumed = Number.isFinite(lastVacuum) ? `last vacuumed ${formatTimestamp(new Date(lastVacuum).toISOString())}` : 'never vacuumed';
  const autovacuumState = !row.autovacuumEnabled
    ? ', and autovacuum is disabled on it'
    : !data.autovacuum
      ? ', and autovacuum is off on the server'
      : m.deadHit && row.deadTuples > trigger
        ? `, though autovacuum should vacuum it past ${count(Math.round(trigger))} dead tuples`
        : '';
  const why = m.deadHit
    ? 'every scan still reads the dead rows, and the table keeps growing until VACUUM makes their space reusable'
    : 'scans read and cache the empty space, and VACUUM cannot give it back';
  const message = `${row.kind} ${row.schema}.${row.table} has ${parts.join(' and ')}, ${vacuumed}${autovacuumState}: ${why}`;

  // Bloat alone is space VACUUM cannot return (the finding says so): no VACUUM to run again and again.
  const fix = m.deadHit ? [`VACUUM (ANALYZE) ${name};`] : [];
  if (!row.autovacuumEnabled) fix.push(`${alter} ${name} SET (autovacuum_enabled = true);`);
  else if (autovacuumOn && m.deadHit && row.deadTuples > trigger && row.vacuumScaleFactor > SUGGESTED_SCALE_FACTOR) {
    fix.push(`${alter} ${name} SET (autovacuum_vacuum_scale_factor = ${SUGGESTED_SCALE_FACTOR});`);
  }
  const steps: string[] = [];
  if (m.deadHit) {
    steps.push(
      'VACUUM makes the space of dead rows reusable without blocking reads or writes; if VACUUM (VERBOSE) reports dead row versions that "cannot be removed yet", ' +
        'an old transaction, prepared transaction or replication slot holds them back (see long-running-query and idle-in-transaction).',
    );
  }
  if (m.bloatHit) {
    steps.push(
      `To give the space back, rewrite the table online with pg_repack (pg_repack --table=${shellWord(name)}); VACUUM FULL rewrites it under an ACCESS EXCLUSIVE lock ` +
        'that blocks reads and writes until it finishes. The estimate trusts the statistics: ' +
        (m.deadHit ? 'after the VACUUM (ANALYZE) above, check again before rewriting.' : 'run ANALYZE and check again before rewriting.'),
    );
  }
  return {
    ruleId: 'table-bloat',
    severity: 'warning',
    message,
    schema: row.schema,
    table: row.table,
    metrics: {
      deadTuples: row.deadTuples,
      liveTuples: row.liveTuples,
      deadRatio: round(m.deadShare),
      estimatedBloatBytes: m.bloat,
      estimatedBloatRatio: m.bloat === null ? null : round(m.bloatShare),
      tableBytes: m.tableBytes,
      autovacuumEnabled: row.autovacuumEnabled,
      autovacuumTrigger: Math.round(trigger),
      lastVacuum: row.lastVacuum === null ? null : new Date(row.lastVacuum).toISOString(),
      lastAutovacuum: row.lastAutovacuum === null ? null : new Date(row.lastAutovacuum).toISOString(),
    },
    ...(fix.length > 0 ? { fixSql: fix.join('\n') } : {}),
    nextStep: steps.join(' '),
  };
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Rounded down, so 99.96% never shows as 100%. */
function percent(ratio: number): string {
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;
}

function round(ratio: number): number {
  return Math.round(ratio * 10_000) / 10_000;
}

export const check: DatabaseCheck<TableBloatData> = {
  id: 'table-bloat',
  group: 'storage',
  title: 'Table bloat and dead tuples',
  defaultSeverity: 'warning',
  defaults: { minDeadTuples: 10_000, deadRatio: 0.2, bloatRatio: 0.5, minBloatBytes: 10 * 1024 * 1024 },
  sandbox: true,
  privilege: 'SELECT on the tables (pg_stats shows the column statistics the bloat estimate needs only for columns the role may read)',
  read,
  judge,
};

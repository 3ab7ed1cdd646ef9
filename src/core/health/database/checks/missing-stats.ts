import { qualifiedName } from '../../fix-sql';
import { USER_SCHEMAS, type CheckJudgement, type CheckReadContext, type DatabaseCheck, type DatabaseFinding, type Thresholds } from '../check';

export interface MissingStatsRow {
  schema: string;
  table: string;
  kind: 'table' | 'materialized view';
  liveTuples: number;
  /** ≤ 0 when never vacuumed, analyzed or indexed (-1 from PostgreSQL 14). */
  reltuples: number;
  /** The role may SELECT from it: only then does pg_stats show its statistics. */
  readable: boolean;
  /** An ANALYZE or autoanalyze is on record (the record is lost when the statistics are reset). */
  analyzed: boolean;
  /** pg_stats has a row for at least one of its columns. */
  hasStats: boolean;
  /** autovacuum (the server's and the table's `autovacuum_enabled`) may analyze it. */
  autoanalyze: boolean;
}

export interface MissingStatsData {
  role: string;
  /** Tables with rows but without visible statistics or without an ANALYZE on record. */
  rows: MissingStatsRow[];
}

/*
 * Tables with rows and a column ANALYZE would keep statistics for (statistics target not 0;
 * NULL is the default from PostgreSQL 17); pg_stats is asked only about those. Nothing here
 * opens a table, so a table locked by a migration cannot stall the check: the row count is the
 * live-tuple counter or reltuples.
 */
const ROWS_SQL = `
WITH t AS (
  SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, c.reltuples::float8 AS reltuples,
         pg_stat_get_live_tuples(c.oid)::float8 AS live, c.reloptions
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'm') AND ${USER_SCHEMAS} AND (c.reltuples > 0 OR pg_stat_get_live_tuples(c.oid) > 0)
    AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND COALESCE(a.attstattarget, -1) <> 0)
), j AS (
  SELECT t.*, has_table_privilege(t.oid, 'SELECT') AS readable,
         (pg_stat_get_last_analyze_time(t.oid) IS NOT NULL OR pg_stat_get_last_autoanalyze_time(t.oid) IS NOT NULL) AS analyzed,
         EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = t.schema AND s.tablename = t.name AND NOT s.inherited) AS has_stats,
         current_setting('autovacuum')::boolean
           AND COALESCE((SELECT option_value::boolean FROM pg_options_to_table(t.reloptions) WHERE option_name = 'autovacuum_enabled'), true) AS autoanalyze
  FROM t
)
SELECT schema, name, relkind, reltuples, live, readable, analyzed, has_stats, autoanalyze
FROM j
WHERE NOT has_stats OR NOT analyzed
ORDER BY 1, 2`;

async function read(ctx: CheckReadContext): Promise<MissingStatsData> {
  const filter = ctx.schemas.length > 0 ? ctx.schemas : null;
  const rows = (await ctx.conn.query<Record<string, unknown>>(ROWS_SQL, [filter])).rows;
  const role = ctx.role;
  return {
    role,
    rows: rows.map((r) => ({
      schema: String(r.schema),
      table: String(r.name),
      kind: r.relkind === 'm' ? 'materialized view' : 'table',
      liveTuples: Number(r.live),
      reltuples: Number(r.reltuples),
      readable: r.readable === true,
      analyzed: r.analyzed === true,
      hasStats: r.has_stats === true,
      autoanalyze: r.autoanalyze !== false,
    })),
  };
}

function judge(data: MissingStatsData, t: Thresholds): CheckJudgement {
  const findings: DatabaseFinding[] = [];
  let unreadable = 0;
  for (const row of data.rows) {
    // Statistics are what counts; a role that cannot see them falls back on the ANALYZE record.
    const missing = row.readable ? !row.hasStats : !row.analyzed;
    if (!row.readable) unreadable++;
    if (!missing) continue;
    const rows = Math.max(row.liveTuples, row.reltuples, 0);
    if (rows < t.minRows) continue;
    findings.push(finding(row, rows));
  }
  const notes: string[] = [];
  if (unreadable > 0) {
    notes.push(
      `${unreadable} table${unreadable === 1 ? '' : 's'} that ${data.role} may not SELECT from ${unreadable === 1 ? 'was' : 'were'} judged by the ANALYZE on record only ` +
        '(pg_stats shows statistics only for columns the role may read, and the record is lost when statistics are reset)',
    );
  }
  const summary =
    findings.length === 0
      ? `every table with ${count(t.minRows)} rows or more has planner statistics`
      : `${findings.length} table${findings.length === 1 ? '' : 's'} with data but no planner statistics`;
  return { findings, summary, notes };
}

function finding(row: MissingStatsRow, rows: number): DatabaseFinding {
  const state = !row.readable ? 'no ANALYZE on record' : row.analyzed ? 'last analyzed while it was empty' : 'never analyzed';
  const why = row.autoanalyze
    ? 'autoanalyze waits for 50 rows plus 10% of the table to change, which a table loaded once may never reach'
    : 'autovacuum is disabled for it, so nothing analyzes it automatically';
  return {
    ruleId: 'missing-stats',
    severity: 'warning',
    message:
      `${row.kind} ${row.schema}.${row.table} has ~${count(rows)} rows but no planner statistics (${state}): the planner guesses its row counts and value ` +
      `distribution, which leads to bad join orders and scan choices; ${why}`,
    schema: row.schema,
    table: row.table,
    metrics: { estimatedRows: rows, analyzed: row.analyzed, readable: row.readable, autoanalyze: row.autoanalyze },
    fixSql: `ANALYZE ${qualifiedName(row.schema, row.table)};`,
    nextStep:
      'ANALYZE reads a sample of the table (300 × default_statistics_target rows) under a SHARE UPDATE EXCLUSIVE lock: reads and writes go on. ' +
      'Run it at the end of every bulk load or data migration.',
  };
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export const check: DatabaseCheck<MissingStatsData> = {
  id: 'missing-stats',
  group: 'storage',
  title: 'Tables without planner statistics',
  defaultSeverity: 'warning',
  defaults: { minRows: 1000 },
  sandbox: true,
  privilege: 'SELECT on the tables (pg_stats shows statistics only for columns the role may read)',
  read,
  judge,
};

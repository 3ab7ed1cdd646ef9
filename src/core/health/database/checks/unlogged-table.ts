import { qualifiedName } from '../../fix-sql';
import { formatBytes, formatCount } from '../../format';
import { USER_SCHEMAS, type CheckJudgement, type CheckReadContext, type DatabaseCheck, type DatabaseFinding } from '../check';

export interface UnloggedTableRow {
  schema: string;
  table: string;
  /** ≤ 0 when never vacuumed or analyzed. */
  reltuples: number;
  /** Heap and TOAST pages × block size, as VACUUM/ANALYZE last counted them (0 before). */
  bytes: number;
}

export interface UnloggedData {
  tables: UnloggedTableRow[];
}

/** Sizes from page counts, not pg_table_size: that opens the table and would wait behind a migration's lock on it. */
const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.reltuples::float8 AS reltuples,
       (c.relpages + COALESCE(tc.relpages, 0))::float8 * current_setting('block_size')::float8 AS bytes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
WHERE c.relkind = 'r' AND c.relpersistence = 'u' AND ${USER_SCHEMAS}
ORDER BY 1, 2`;

async function read(ctx: CheckReadContext): Promise<UnloggedData> {
  const filter = ctx.schemas.length > 0 ? ctx.schemas : null;
  const rows = (await ctx.conn.query<Record<string, unknown>>(TABLES_SQL, [filter])).rows;
  return {
    tables: rows.map((r) => ({ schema: String(r.schema), table: String(r.name), reltuples: Number(r.reltuples), bytes: Number(r.bytes) })),
  };
}

function judge(data: UnloggedData): CheckJudgement {
  const findings: DatabaseFinding[] = data.tables.map((t) => {
    // Both stay 0 until the first VACUUM or ANALYZE: then say nothing rather than "0 rows".
    const known = [t.reltuples > 0 ? `~${formatCount(t.reltuples)} rows` : '', t.bytes > 0 ? formatBytes(t.bytes) : ''].filter(Boolean);
    const size = known.length > 0 ? ` (${known.join(', ')})` : '';
    const name = qualifiedName(t.schema, t.table);
    return {
      ruleId: 'unlogged-table',
      severity: 'info',
      message:
        `table ${t.schema}.${t.table} is UNLOGGED${size}: PostgreSQL empties it after a crash or an immediate shutdown, ` +
        'and its rows never reach a replica (after a failover it is empty)',
      schema: t.schema,
      table: t.table,
      metrics: { bytes: t.bytes, estimatedRows: t.reltuples > 0 ? t.reltuples : null },
      fixSql: `SET lock_timeout = '5s';\nALTER TABLE ${name} SET LOGGED;`,
      nextStep:
        'SET LOGGED rewrites the table and writes all of it to the WAL under an ACCESS EXCLUSIVE lock (no reads or writes until it finishes). ' +
        'If the table holds data you can rebuild (a cache, a staging load), leaving it unlogged is a fair choice: then turn this rule off in .pglens.json.',
    };
  });
  const total = data.tables.reduce((sum, t) => sum + t.bytes, 0);
  const summary =
    data.tables.length === 0 ? 'no unlogged tables' : `${data.tables.length} unlogged table${data.tables.length === 1 ? '' : 's'} (${formatBytes(total)})`;
  return { findings, summary };
}

export const check: DatabaseCheck<UnloggedData> = {
  id: 'unlogged-table',
  group: 'storage',
  title: 'Unlogged tables',
  defaultSeverity: 'info',
  defaults: {},
  sandbox: true,
  read,
  judge,
};

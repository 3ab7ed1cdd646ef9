import { formatBytes, formatCount } from '../../format';
import type { CheckJudgement, CheckReadContext, DatabaseCheck, DatabaseFinding, Thresholds } from '../check';

/** Buffer hits and reads (blocks found in shared buffers vs. asked of the OS) since the statistics were reset. */
export interface BlockCounts {
  hit: number;
  read: number;
}

export interface CacheTableRow {
  schema: string;
  table: string;
  heap: BlockCounts;
  /** All the table's indexes together. */
  index: BlockCounts;
  /** Heap + TOAST pages × block size, as VACUUM/ANALYZE last counted them. */
  tableBytes: number;
}

export interface CacheHitData {
  database: string;
  /** Every user table of the database (database-wide, whatever the schema filter). */
  heap: BlockCounts;
  index: BlockCounts;
  sharedBuffersBytes: number;
  /** Tables of the schemas looked at that read at least one block from outside shared buffers. */
  tables: CacheTableRow[];
}

/*
 * One pass over the tables with the statistics functions themselves (pg_statio_user_tables
 * aggregates every table's indexes again, twice as slow on 10,000 tables): a first row with the
 * database's totals over all user tables, then the tables of the schemas looked at (`$1`, or all
 * but pglens scratch schemas) that read at least one block from outside shared buffers.
 */
const CACHE_SQL = `
WITH t AS MATERIALIZED (
  SELECT c.oid, n.nspname AS schema, c.relname AS name,
         (c.relpages + COALESCE(tc.relpages, 0))::float8 * current_setting('block_size')::float8 AS table_bytes,
         pg_stat_get_blocks_hit(c.oid)::float8 AS heap_hit,
         (pg_stat_get_blocks_fetched(c.oid) - pg_stat_get_blocks_hit(c.oid))::float8 AS heap_read,
         (n.nspname !~ '^pglens_' AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))) AS in_scope,
         COALESCE(i.hit, 0) AS idx_hit, COALESCE(i.read, 0) AS idx_read
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
  LEFT JOIN (
    SELECT x.indrelid, sum(pg_stat_get_blocks_hit(x.indexrelid))::float8 AS hit,
           sum(pg_stat_get_blocks_fetched(x.indexrelid) - pg_stat_get_blocks_hit(x.indexrelid))::float8 AS read
    FROM pg_index x GROUP BY x.indrelid
  ) i ON i.indrelid = c.oid
  WHERE c.relkind IN ('r', 'm') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
)
SELECT true AS total, current_database() AS schema, NULL AS name, NULL::float8 AS table_bytes,
       COALESCE(sum(heap_hit), 0) AS heap_hit, COALESCE(sum(heap_read), 0) AS heap_read,
       COALESCE(sum(idx_hit), 0) AS idx_hit, COALESCE(sum(idx_read), 0) AS idx_read,
       pg_size_bytes(current_setting('shared_buffers'))::float8 AS shared_buffers
FROM t
UNION ALL
SELECT false, schema, name, table_bytes, heap_hit, heap_read, idx_hit, idx_read, NULL
FROM t
WHERE in_scope AND (heap_read > 0 OR idx_read > 0)`;

async function read(ctx: CheckReadContext): Promise<CacheHitData> {
  const filter = ctx.schemas.length > 0 ? ctx.schemas : null;
  const rows = (await ctx.conn.query<Record<string, unknown>>(CACHE_SQL, [filter])).rows;
  const db = rows.find((r) => r.total === true) ?? {};
  return {
    database: String(db.schema ?? ''),
    heap: { hit: Number(db.heap_hit ?? 0), read: Number(db.heap_read ?? 0) },
    index: { hit: Number(db.idx_hit ?? 0), read: Number(db.idx_read ?? 0) },
    sharedBuffersBytes: Number(db.shared_buffers ?? 0),
    tables: rows
      .filter((r) => r.total !== true)
      .map((r) => ({
        schema: String(r.schema),
        table: String(r.name),
        heap: { hit: Number(r.heap_hit), read: Number(r.heap_read) },
        index: { hit: Number(r.idx_hit), read: Number(r.idx_read) },
        tableBytes: Number(r.table_bytes),
      })),
  };
}

/** Hits / (hits + reads); null before any block was asked for. */
export function hitRatio(c: BlockCounts): number | null {
  const all = c.hit + c.read;
  return all > 0 ? c.hit / all : null;
}

const CAVEAT = 'shared buffers only: blocks the OS page cache served count as reads';

/** Tables smaller than shared_buffers divided by this are not judged one by one. */
const SMALL_TABLE_SHARE = 4;

function judge(data: CacheHitData, t: Thresholds): CheckJudgement {
  const findings: DatabaseFinding[] = [];
  const heap = hitRatio(data.heap);
  const index = hitRatio(data.index);
  const buffers = formatBytes(data.sharedBuffersBytes);
  const low = (c: BlockCounts): boolean => c.read >= t.minBlocksRead && (hitRatio(c) ?? 1) < t.minRatio;

  if (low(data.heap) || low(data.index)) {
    const read = data.heap.read + data.index.read;
    findings.push({
      ruleId: 'cache-hit-ratio',
      severity: 'warning',
      message:
        `database ${data.database} finds ${percent(heap)} of table blocks and ${percent(index)} of index blocks in shared buffers, below ${threshold(t.minRatio)}: ` +
        `${formatCount(read)} blocks came from outside shared_buffers (${buffers}), so queries wait on the OS cache or disk (${CAVEAT})`,
      metrics: {
        heapHitRatio: rounded(heap),
        indexHitRatio: rounded(index),
        heapBlocksRead: data.heap.read,
        indexBlocksRead: data.index.read,
        sharedBuffersBytes: data.sharedBuffersBytes,
      },
      nextStep:
        `See which tables miss (the table findings), then the queries reading them (Slow queries: pg_stat_statements.shared_blks_read). ` +
        `If the working set is larger than shared_buffers (${buffers}; about 25% of RAM is the usual start), raise it — that needs a restart.`,
    });
  }

  const worst = data.tables
    // A table that fits several times in shared_buffers and still misses was read by a bulk load,
    // VACUUM, ANALYZE or a rewrite (they use a small ring of buffers), not by queries that keep missing.
    .filter((row) => row.tableBytes >= data.sharedBuffersBytes / SMALL_TABLE_SHARE)
    .map((row) => ({ row, heapLow: low(row.heap), indexLow: low(row.index) }))
    .filter((x) => x.heapLow || x.indexLow)
    .map((x) => ({ ...x, ratio: Math.min(x.heapLow ? hitRatio(x.row.heap) ?? 1 : 1, x.indexLow ? hitRatio(x.row.index) ?? 1 : 1) }))
    .sort((a, b) => a.ratio - b.ratio || a.row.schema.localeCompare(b.row.schema) || a.row.table.localeCompare(b.row.table));
  for (const { row, heapLow, indexLow } of worst.slice(0, t.maxTables)) {
    const parts: string[] = [];
    if (heapLow) parts.push(`${percent(hitRatio(row.heap))} of its table blocks (${formatCount(row.heap.read)} read from outside)`);
    if (indexLow) parts.push(`${percent(hitRatio(row.index))} of its index blocks (${formatCount(row.index.read)} read from outside)`);
    findings.push({
      ruleId: 'cache-hit-ratio',
      severity: 'warning',
      message:
        `table ${row.schema}.${row.table} (${formatBytes(row.tableBytes)}) finds only ${parts.join(' and ')} in shared buffers, below ${threshold(t.minRatio)}: ` +
        `the queries reading it wait on the OS cache or disk (${CAVEAT})`,
      schema: row.schema,
      table: row.table,
      metrics: {
        heapHitRatio: rounded(hitRatio(row.heap)),
        indexHitRatio: rounded(hitRatio(row.index)),
        heapBlocksRead: row.heap.read,
        heapBlocksHit: row.heap.hit,
        indexBlocksRead: row.index.read,
        indexBlocksHit: row.index.hit,
        tableBytes: row.tableBytes,
      },
      nextStep:
        'Find the queries that read it (Slow queries, or pg_stat_statements ordered by shared_blks_read) and Explain them: a sequential scan of a big table ' +
        `or a scan through a wide index reads far more blocks than it returns. If the table is hot and the data it needs is larger than shared_buffers (${buffers}), more memory helps.`,
    });
  }
  const notes: string[] = [];
  if (worst.length > t.maxTables) {
    notes.push(`${worst.length - t.maxTables} more tables are below ${threshold(t.minRatio)}; the ${t.maxTables} worst are listed (option maxTables)`);
  }
  return { findings, summary: `heap ${percent(heap)}, index ${percent(index)} hit (${CAVEAT}; shared_buffers ${buffers})`, notes };
}

/** Rounded down, so 99.96% never shows as 100%; "–" before anything was read. */
function percent(ratio: number | null): string {
  return ratio === null ? '–' : `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;
}

/** A threshold as set: 0.99 → "99%", 0.9995 → "99.95%". */
function threshold(ratio: number): string {
  return `${Number((ratio * 100).toFixed(2))}%`;
}

function rounded(ratio: number | null): number | null {
  return ratio === null ? null : Math.round(ratio * 10_000) / 10_000;
}

export const check: DatabaseCheck<CacheHitData> = {
  id: 'cache-hit-ratio',
  group: 'storage',
  title: 'Cache hit ratio',
  defaultSeverity: 'warning',
  defaults: { minRatio: 0.99, minBlocksRead: 1000, maxTables: 10 },
  sandbox: 'the embedded sandbox serves no real traffic, so its buffer hits say nothing about your server: connect to a server',
  read,
  judge,
};

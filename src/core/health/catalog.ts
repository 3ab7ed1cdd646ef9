import type { Connection } from '../db/connection';
import { PglensError, errorMessage } from '../errors';
import type { IndexKeyOptions } from '../schema/model';

/**
 * One snapshot of the live catalog: what the health view and `pglens indexes` show. Read
 * with a handful of set-based queries (never one per table) so 10,000 tables and 20,000
 * indexes list in well under a second.
 */
export interface CatalogServerInfo {
  database: string;
  /** e.g. "15.20" */
  serverVersion: string;
  serverVersionNum: number;
  /** `pg_is_in_recovery()`: a replica counts only the scans it served itself. */
  isReplica: boolean;
  blockSize: number;
  /** `pg_stat_database.stats_reset` as ISO text; null when no reset is recorded for this database. */
  statsReset: string | null;
  /** `pg_postmaster_start_time()` as ISO text. */
  serverStarted: string | null;
  /** The server's clock when the snapshot was read (`now()`), ISO: statistics ages are measured against it, not the client's. */
  serverNow?: string | null;
  /**
   * The older `stats_reset` of the server-wide statistics (pg_stat_bgwriter, pg_stat_archiver), ISO.
   * The server sets them when it starts without saved statistics — a new cluster, after a crash or an
   * immediate shutdown, when every database's counters start again from zero — and
   * `pg_stat_reset_shared()` sets each when asked. A clean restart keeps them, as it keeps the counters.
   */
  sharedStatsReset?: string | null;
  /**
   * When the database was created (the time of its `PG_VERSION` file), ISO; null when the role may not
   * read it (`pg_stat_file` needs superuser or a grant) or the database is outside the default tablespace.
   */
  databaseCreated?: string | null;
}

export interface CatalogColumn {
  schema: string;
  table: string;
  name: string;
  /** `format_type(atttypid, atttypmod)`, e.g. "numeric(12,2)", "timestamp without time zone", "integer[]". */
  formattedType: string;
  notNull: boolean;
  default: string | null;
  /** `pg_attribute.attidentity`: '' | 'a' | 'd'. */
  identity: string;
}

export type TableKind = 'table' | 'partitioned table' | 'materialized view';

export interface CatalogTable {
  schema: string;
  name: string;
  kind: TableKind;
  /** `reltuples`; null when the table was never vacuumed or analyzed (then see `liveTuples`). */
  estimatedRows: number | null;
  /** Heap + TOAST + indexes, bytes (estimated from page counts when the snapshot's `sizesExact` is false). */
  totalBytes: number;
  seqScan: number;
  seqTupRead: number;
  /** Null when the server keeps no index statistics for the table (e.g. a partitioned parent). */
  idxScan: number | null;
  idxTupFetch: number | null;
  liveTuples: number;
  deadTuples: number;
  lastAnalyze: string | null;
  lastAutoanalyze: string | null;
  /** Owning object is a partition of another table. */
  isPartition: boolean;
  /** For a partition: its parent, `schema.name` (the schema diagram folds partitions into it). */
  partitionOf?: string;
}

export interface CatalogIndex {
  schema: string;
  table: string;
  name: string;
  /** `pg_get_indexdef`: the full CREATE INDEX statement. */
  definition: string;
  /** Index scans since the statistics were reset; null when the server keeps none for it (an index on a partitioned parent). */
  scans: number | null;
  tupRead: number | null;
  tupFetch: number | null;
  sizeBytes: number;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  /** Backs a PRIMARY KEY, UNIQUE or EXCLUDE constraint: dropping it means dropping the constraint. */
  constraintName: string | null;
  constraintType: 'p' | 'u' | 'x' | null;
  /** Key columns in order; expressions as SQL text in parentheses. */
  columns: string[];
  /** INCLUDE columns. */
  include: string[];
  /** Per key column: a non-default opclass, a collation other than the column's, DESC, NULLS FIRST (empty objects on plain keys). */
  keyOptions?: IndexKeyOptions[];
  /** Predicate SQL of a partial index. */
  predicate: string | null;
  method: string;
}

export interface CatalogForeignKey {
  schema: string;
  table: string;
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

export interface CatalogRelationName {
  schema: string;
  name: string;
  /** `pg_class.relkind`: 'v' view, 'S' sequence, 'f' foreign table, 'c' composite type. */
  relkind: string;
}

export interface CatalogSnapshot {
  server: CatalogServerInfo;
  schemas: string[];
  tables: CatalogTable[];
  columns: CatalogColumn[];
  indexes: CatalogIndex[];
  foreignKeys: CatalogForeignKey[];
  /**
   * The schemas' other relations — views, sequences, foreign tables, composite types — by name: they
   * share the namespace a new index is named in. Absent in snapshots made without it.
   */
  otherRelations?: CatalogRelationName[];
  /** False when sizes are page-count estimates (large catalogs, see EXACT_SIZE_LIMIT). */
  sizesExact: boolean;
  /** When the snapshot was read (ISO). */
  readAt: string;
}

/** System schemas and pglens's own scratch schemas (`pglens_*`, used by the advisor and sandbox). */
export const EXCLUDED_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'] as const;
export const SCRATCH_SCHEMA_PREFIX = 'pglens_';

export interface CatalogOptions {
  /** Only these schemas (after the system exclusions); all user schemas when absent or empty. */
  schemas?: string[];
  /** Also read columns (types, defaults): the SchemaModel's columns. Health rules do not need them. */
  includeColumns?: boolean;
  /** Exact sizes (opens every relation) or pg_class page-count estimates; default: exact up to EXACT_SIZE_LIMIT relations. */
  exactSizes?: boolean;
}

/** The WHERE fragment every query uses on `pg_namespace n`; `$1` is the schema filter (text[] or null). */
const SCHEMA_FILTER = `
  n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
  AND n.nspname NOT LIKE 'pglens\\_%'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))`;

const SERVER_SQL = `
SELECT current_database() AS database,
       current_setting('server_version') AS server_version,
       current_setting('server_version_num')::int AS server_version_num,
       current_setting('block_size')::int AS block_size,
       pg_is_in_recovery() AS is_replica,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset,
       pg_postmaster_start_time() AS server_started,
       now() AS server_now,
       LEAST((SELECT stats_reset FROM pg_stat_bgwriter), (SELECT stats_reset FROM pg_stat_archiver)) AS shared_stats_reset,
       has_function_privilege('pg_catalog.pg_stat_file(text, boolean)', 'EXECUTE') AS can_stat_file`;

/*
 * A database directory's PG_VERSION is written when the database is created and never again.
 * Only for the default tablespace (others nest it under a catalog-version directory). Run only
 * when the role may execute pg_stat_file: the privilege is checked when the query starts, even
 * in a CASE branch that is never taken.
 */
const DATABASE_CREATED_SQL = `
SELECT (pg_stat_file('base/' || d.oid || '/PG_VERSION', true)).modification AS created
FROM pg_database d
WHERE d.datname = current_database()
  AND d.dattablespace = (SELECT oid FROM pg_tablespace WHERE spcname = 'pg_default')`;

const SCHEMAS_SQL = `
SELECT n.nspname AS name, count(c.oid)::int AS relations
FROM pg_namespace n
LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'm', 'i', 'I')
WHERE ${SCHEMA_FILTER}
GROUP BY n.nspname ORDER BY 1`;

/**
 * A timestamptz as epoch milliseconds (float8): the client skips date-text parsing. Truncated
 * to the millisecond first, as `Date` keeps it, so the float arithmetic rounds to that exact value.
 */
function epochMs(expr: string): string {
  return `round(extract(epoch FROM date_trunc('milliseconds', ${expr})) * 1000)::float8`;
}

/*
 * The pg_stat_get_* functions directly, not pg_stat_all_tables (which joins pg_class and
 * pg_index again and aggregates): a third of the time on a large catalog. `$2` = exact sizes:
 * pg_table_size opens (and locks) every relation, costly cold on thousands of them, so large
 * catalogs use the page counts VACUUM/ANALYZE keep in pg_class.
 */
const TABLES_SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind AS relkind,
       c.reltuples::float8 AS reltuples, c.relispartition AS is_partition,
       CASE WHEN c.relispartition THEN (
         SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i
         JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = c.oid LIMIT 1) END AS partition_of,
       CASE WHEN $2 THEN pg_table_size(c.oid)::float8
            ELSE (GREATEST(c.relpages, 0) + COALESCE(GREATEST(toast.relpages, 0), 0))::float8 * current_setting('block_size')::float8
       END AS table_bytes,
       CASE WHEN c.relkind <> 'p' THEN pg_stat_get_numscans(c.oid)::float8 END AS seq_scan,
       CASE WHEN c.relkind <> 'p' THEN pg_stat_get_tuples_returned(c.oid)::float8 END AS seq_tup_read,
       CASE WHEN c.relkind <> 'p' THEN pg_stat_get_tuples_fetched(c.oid)::float8 END AS heap_tup_fetch,
       pg_stat_get_live_tuples(c.oid)::float8 AS live_tup, pg_stat_get_dead_tuples(c.oid)::float8 AS dead_tup,
       ${epochMs('pg_stat_get_last_analyze_time(c.oid)')} AS last_analyze, ${epochMs('pg_stat_get_last_autoanalyze_time(c.oid)')} AS last_autoanalyze
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
WHERE c.relkind IN ('r', 'p', 'm') AND ${SCHEMA_FILTER}
ORDER BY n.nspname, c.relname`;

const COLUMNS_SQL = `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS "default", a.attidentity::text AS identity
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND ${SCHEMA_FILTER}
ORDER BY 1, 2, a.attnum`;

/*
 * pg_get_indexdef costs ~50-200 µs an index (it resolves opclasses, collations, options
 * through the caches). For the common plain index — distinct column keys with their type's
 * default operator class and collation, ascending, no INCLUDE, predicate, options or NULLS NOT
 * DISTINCT — the same text is composed here exactly as pg_get_indexdef prints it, and its key
 * names come with it. Every other index gets a null definition, and SLOW_INDEXES_SQL reads it.
 *
 * Keys are resolved by index lookups into pg_attribute (`attnum = ANY (indkey)`), never by a
 * hash of the whole of pg_attribute (which spills to disk on large catalogs) nor by a LATERAL
 * per index (enough estimated cost to trigger JIT compilation, ~0.5 s of its own). Rows carry
 * the table's oid, not its names: the client takes those from the tables it has read.
 * int2vector and oidvector subscripts start at 0, like array_position on them.
 */
function indexesSql(serverVersionNum: number): string {
  const nullsDistinct = serverVersionNum >= 150000 ? 'AND NOT i.indnullsnotdistinct' : '';
  return `
WITH k AS (
  SELECT e.indexrelid, count(*)::int AS n, array_agg(e.attname ORDER BY e.p) AS cols,
         string_agg(e.quoted, ', ' ORDER BY e.p) AS key_sql, bool_and(e.plain) AS plain
  FROM (
    SELECT i.indexrelid, u.p, a.attname::text AS attname, quote_ident(a.attname) AS quoted,
           (opc.opcdefault AND opc.opcintype = a.atttypid AND i.indoption[u.p] = 0
            AND (i.indcollation[u.p] = 0 OR i.indcollation[u.p] = a.attcollation)) AS plain
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
    CROSS JOIN LATERAL (SELECT array_position(i.indkey::int2[], a.attnum) AS p) u
    LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[u.p]
    WHERE t.relkind IN ('r', 'p', 'm') AND ${SCHEMA_FILTER}
    -- Not flattened: the grouping sorts these narrow rows, not pg_index's vectors (which spill to disk).
    OFFSET 0) e
  GROUP BY e.indexrelid
), x AS (
  SELECT i.indexrelid, i.indrelid, i.indisunique, i.indisprimary, i.indisvalid, i.indnkeyatts, i.indpred,
         t.relkind, n.nspname, t.relname, ic.relname AS name, ic.relpages, am.amname, k.cols, k.key_sql,
         (ic.relkind = 'i' AND i.indexprs IS NULL AND i.indpred IS NULL AND ic.reloptions IS NULL
          AND i.indnatts = i.indnkeyatts ${nullsDistinct} AND k.n = i.indnatts AND k.plain) AS fast
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN k ON k.indexrelid = i.indexrelid
  WHERE t.relkind IN ('r', 'p', 'm') AND ${SCHEMA_FILTER}
)
SELECT x.indexrelid AS oid, x.indrelid AS rel, x.name,
       CASE WHEN x.fast
            THEN 'CREATE ' || CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(x.name)
                 || ' ON ' || quote_ident(x.nspname) || '.' || quote_ident(x.relname)
                 || ' USING ' || quote_ident(x.amname) || ' (' || x.key_sql || ')'
       END AS definition,
       CASE WHEN x.fast THEN x.cols END AS cols,
       CASE WHEN x.relkind <> 'p' THEN pg_stat_get_numscans(x.indexrelid)::float8 END AS scans,
       CASE WHEN x.relkind <> 'p' THEN pg_stat_get_tuples_returned(x.indexrelid)::float8 END AS tup_read,
       CASE WHEN x.relkind <> 'p' THEN pg_stat_get_tuples_fetched(x.indexrelid)::float8 END AS tup_fetch,
       CASE WHEN $2 THEN pg_relation_size(x.indexrelid)::float8
            ELSE GREATEST(x.relpages, 0)::float8 * current_setting('block_size')::float8
       END AS size_bytes,
       x.indisunique AS is_unique, x.indisprimary AS is_primary, x.indisvalid AS is_valid,
       con.conname AS constraint_name, con.contype::text AS constraint_type,
       x.amname AS method, x.indnkeyatts AS nkey,
       pg_get_expr(x.indpred, x.indrelid, true) AS predicate
FROM x
LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x')`;
}

/** Definition and key texts of the indexes the fast path left out (expressions, INCLUDE, opclasses, predicates…), by oid. */
const SLOW_INDEXES_SQL = `
SELECT i.indexrelid AS oid, pg_get_indexdef(i.indexrelid) AS definition,
       array_agg(CASE WHEN u.attnum = 0 THEN pg_get_indexdef(i.indexrelid, u.ord::int, true) ELSE a.attname::text END ORDER BY u.ord) AS cols,
       array_agg(CASE WHEN u.attnum = 0 THEN 1 ELSE 0 END ORDER BY u.ord) AS is_expr,
       array_agg(CASE WHEN NOT opc.opcdefault THEN opc.opcname::text ELSE '' END ORDER BY u.ord) AS opclasses,
       array_agg(CASE WHEN i.indcollation[u.ord - 1] <> 0 AND i.indcollation[u.ord - 1] <> COALESCE(a.attcollation, 100)
                      THEN coll.collname::text ELSE '' END ORDER BY u.ord) AS collations,
       array_agg(COALESCE(i.indoption[u.ord - 1], 0) ORDER BY u.ord) AS options
FROM pg_index i
CROSS JOIN unnest(i.indkey::int2[]) WITH ORDINALITY AS u(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.attnum
-- indclass, indcollation and indoption cover the key columns only, from subscript 0. An
-- expression's collation is compared with the database default (oid 100).
LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[u.ord - 1]
LEFT JOIN pg_collation coll ON coll.oid = i.indcollation[u.ord - 1]
WHERE i.indexrelid = ANY ($1::oid[])
GROUP BY i.indexrelid`;

const FOREIGN_KEYS_SQL = `
WITH f AS (
  SELECT con.oid, array_agg(a.attname::text ORDER BY k.ord) AS cols, array_agg(ra.attname::text ORDER BY k.ord) AS ref_cols
  FROM pg_constraint con
  JOIN pg_class t ON t.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  CROSS JOIN unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refnum, ord)
  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
  JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = k.refnum
  WHERE con.contype = 'f' AND con.conparentid = 0 AND ${SCHEMA_FILTER}
  GROUP BY con.oid
)
SELECT n.nspname AS schema, t.relname AS table, con.conname AS name,
       rn.nspname AS ref_schema, rt.relname AS ref_table, f.cols, f.ref_cols
FROM f
JOIN pg_constraint con ON con.oid = f.oid
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class rt ON rt.oid = con.confrelid
JOIN pg_namespace rn ON rn.oid = rt.relnamespace
ORDER BY 1, 2, 3`;

/** Relations the other queries do not list (tables, materialized views and their indexes are read there). */
const OTHER_RELATIONS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'S', 'f', 'c') AND ${SCHEMA_FILTER}`;

/** Above this many tables and indexes, sizes come from pg_class page counts rather than opening every relation. */
export const EXACT_SIZE_LIMIT = 2000;

type Row = Record<string, unknown>;

/** Only the server facts of a snapshot (version, database, replica, statistics reset): one query (no `databaseCreated`). */
export async function readServerInfo(conn: Connection): Promise<CatalogServerInfo> {
  return toServerInfo((await conn.query<Row>(SERVER_SQL)).rows[0]);
}

/** `databaseCreated` read (a second query) when the role may; a failure to read it leaves it null. */
async function withDatabaseCreated(conn: Connection, server: CatalogServerInfo, row: Row | undefined): Promise<CatalogServerInfo> {
  if (conn.kind === 'embedded' || row?.can_stat_file !== true) return { ...server, databaseCreated: null };
  try {
    return { ...server, databaseCreated: isoOrNull((await conn.query<Row>(DATABASE_CREATED_SQL)).rows[0]?.created) };
  } catch {
    return { ...server, databaseCreated: null };
  }
}

/** Reads the whole snapshot. Errors name the query that failed and keep the server's message. */
export async function readCatalog(conn: Connection, options: CatalogOptions = {}): Promise<CatalogSnapshot> {
  const filter = options.schemas && options.schemas.length > 0 ? options.schemas : null;
  const run = async (what: string, sql: string, params: unknown[]): Promise<Row[]> => {
    try {
      return (await conn.query<Row>(sql, params)).rows;
    } catch (e) {
      if (e instanceof PglensError) throw e;
      throw new PglensError(
        'sql-error',
        `reading the catalog (${what}) failed on ${conn.label}: ${errorMessage(e)}`,
        'check that the connected role may read pg_catalog and the statistics functions',
      );
    }
  };
  // Sequential on purpose: a Connection may be a single session that cannot pipeline.
  const serverRow = (await run('server', SERVER_SQL, []))[0];
  const server = await withDatabaseCreated(conn, toServerInfo(serverRow), serverRow);
  const schemaRows = await run('schemas', SCHEMAS_SQL, [filter]);
  if (filter) {
    const known = new Set(schemaRows.map((r) => str(r.name)));
    const missing = filter.filter((s) => !known.has(s));
    if (missing.length > 0) {
      throw new PglensError('bad-input', `schema ${missing.join(', ')} does not exist in ${server.database} (or is a system schema)`, 'check the --schema names');
    }
  }
  const relations = schemaRows.reduce((sum, r) => sum + num(r.relations), 0);
  let exact = options.exactSizes ?? relations <= EXACT_SIZE_LIMIT;
  let tableRows: Row[] | undefined;
  let indexRows: Row[] | undefined;
  if (exact) {
    // Exact sizes open every relation under ACCESS SHARE: behind a queued ALTER TABLE that would
    // wait as long as the lock queue does (exactly when the health view is needed). Page counts
    // need no lock, so a lock wait over a second falls back to them.
    const previous = str((await run('lock timeout', `SELECT current_setting('lock_timeout') AS v`, []))[0]?.v);
    await run('lock timeout', `SELECT set_config('lock_timeout', '1s', false)`, []);
    try {
      tableRows = await run('tables', TABLES_SQL, [filter, true]);
      indexRows = await run('indexes', indexesSql(server.serverVersionNum), [filter, true]);
    } catch (e) {
      if (!/lock timeout/i.test(errorMessage(e))) throw e;
      exact = false;
    } finally {
      await run('lock timeout', `SELECT set_config('lock_timeout', $1, false)`, [previous]);
    }
  }
  if (!exact) {
    tableRows = await run('tables', TABLES_SQL, [filter, false]);
    indexRows = await run('indexes', indexesSql(server.serverVersionNum), [filter, false]);
  }
  if (!tableRows || !indexRows) throw new PglensError('sql-error', `reading the catalog of ${conn.label} returned nothing`, 'try again');
  const columnRows = options.includeColumns ? await run('columns', COLUMNS_SQL, [filter]) : [];
  const slowOids = indexRows.filter((r) => r.definition == null).map((r) => num(r.oid));
  if (slowOids.length > 0) {
    const slow = new Map((await run('index definitions', SLOW_INDEXES_SQL, [slowOids])).map((r) => [num(r.oid), r]));
    for (const r of indexRows) {
      const s = r.definition == null ? slow.get(num(r.oid)) : undefined;
      if (s) Object.assign(r, { definition: s.definition, cols: s.cols, is_expr: s.is_expr, opclasses: s.opclasses, collations: s.collations, options: s.options });
    }
  }
  const fkRows = await run('foreign keys', FOREIGN_KEYS_SQL, [filter]);
  const otherRows = await run('relation names', OTHER_RELATIONS_SQL, [filter]);
  const { tables, indexes } = joinIndexes(tableRows, indexRows);
  return {
    server,
    schemas: schemaRows.map((r) => str(r.name)),
    tables,
    columns: columnRows.map(toColumn),
    indexes,
    foreignKeys: fkRows.map(toForeignKey),
    otherRelations: otherRows.map((r) => ({ schema: str(r.schema), name: str(r.name), relkind: str(r.relkind) })),
    sizesExact: exact,
    readAt: new Date().toISOString(),
  };
}

interface IndexTotals {
  bytes: number;
  scans: number | null;
  fetch: number | null;
}

/**
 * Indexes attached to their tables by oid (sharing the tables' name strings), in table order,
 * then creation (oid) order within a table: of two identical indexes the later one is the
 * redundant one. Sorted here, not by the server: the rows are wide and a server sort spills.
 * Tables get what pg_stat_all_tables would add from their indexes: idx_scan, idx_tup_fetch, total size.
 */
function joinIndexes(tableRows: Row[], indexRows: Row[]): { tables: CatalogTable[]; indexes: CatalogIndex[] } {
  const byOid = new Map<number, { schema: string; name: string; position: number; totals: IndexTotals }>();
  tableRows.forEach((r, position) => {
    byOid.set(num(r.oid), { schema: str(r.schema), name: str(r.name), position, totals: { bytes: 0, scans: null, fetch: null } });
  });
  const placed: { position: number; oid: number; index: CatalogIndex }[] = [];
  for (const r of indexRows) {
    // A table created between the two reads: its indexes wait for the next snapshot.
    const table = byOid.get(num(r.rel));
    if (!table) continue;
    const index = toIndex(r, table.schema, table.name);
    const t = table.totals;
    t.bytes += index.sizeBytes;
    if (index.scans !== null) t.scans = (t.scans ?? 0) + index.scans;
    if (index.tupFetch !== null) t.fetch = (t.fetch ?? 0) + index.tupFetch;
    placed.push({ position: table.position, oid: num(r.oid), index });
  }
  placed.sort((a, b) => a.position - b.position || a.oid - b.oid);
  // Zero totals for a table without indexes read as pg_stat_all_tables does: null idx_scan and idx_tup_fetch.
  const tables = tableRows.map((r) => toTable(r, byOid.get(num(r.oid))?.totals));
  return { tables, indexes: placed.map((p) => p.index) };
}

function toServerInfo(r: Row | undefined): CatalogServerInfo {
  if (!r) throw new PglensError('sql-error', 'the server returned no row for its own settings', 'check the connection and retry');
  return {
    database: str(r.database),
    serverVersion: str(r.server_version).split(' ')[0],
    serverVersionNum: num(r.server_version_num),
    blockSize: num(r.block_size),
    isReplica: r.is_replica === true,
    statsReset: isoOrNull(r.stats_reset),
    serverStarted: isoOrNull(r.server_started),
    serverNow: isoOrNull(r.server_now),
    sharedStatsReset: isoOrNull(r.shared_stats_reset),
  };
}

const RELKIND: Record<string, TableKind> = { r: 'table', p: 'partitioned table', m: 'materialized view' };

function toTable(r: Row, idx: IndexTotals | undefined): CatalogTable {
  const reltuples = num(r.reltuples);
  const heapFetch = numOrNull(r.heap_tup_fetch);
  return {
    schema: str(r.schema),
    name: str(r.name),
    kind: RELKIND[str(r.relkind)] ?? 'table',
    estimatedRows: reltuples >= 0 ? reltuples : null,
    totalBytes: num(r.table_bytes) + (idx?.bytes ?? 0),
    seqScan: num(r.seq_scan),
    seqTupRead: num(r.seq_tup_read),
    idxScan: idx?.scans ?? null,
    // As pg_stat_all_tables: rows fetched by index scans plus by bitmap heap scans; null without indexes.
    idxTupFetch: idx?.fetch == null ? null : idx.fetch + (heapFetch ?? 0),
    liveTuples: num(r.live_tup),
    deadTuples: num(r.dead_tup),
    lastAnalyze: epochIso(r.last_analyze),
    lastAutoanalyze: epochIso(r.last_autoanalyze),
    isPartition: r.is_partition === true,
    ...(typeof r.partition_of === 'string' ? { partitionOf: r.partition_of } : {}),
  };
}

function toColumn(r: Row): CatalogColumn {
  return {
    schema: str(r.schema),
    table: str(r.table),
    name: str(r.name),
    formattedType: str(r.type),
    notNull: r.not_null === true,
    default: r.default == null ? null : str(r.default),
    identity: r.identity == null ? '' : str(r.identity),
  };
}

function toIndex(r: Row, schema: string, table: string): CatalogIndex {
  const cols = textArray(r.cols);
  // Only the indexes read by SLOW_INDEXES_SQL can have expressions.
  const isExpr = Array.isArray(r.is_expr) ? r.is_expr.map((v) => Number(v) === 1) : null;
  const named = isExpr ? cols.map((c, i) => (isExpr[i] ? parenthesize(c) : c)) : cols;
  const nkey = num(r.nkey);
  const type = r.constraint_type == null ? null : str(r.constraint_type);
  return {
    schema,
    table,
    name: str(r.name),
    definition: str(r.definition),
    scans: numOrNull(r.scans),
    tupRead: numOrNull(r.tup_read),
    tupFetch: numOrNull(r.tup_fetch),
    sizeBytes: num(r.size_bytes),
    unique: r.is_unique === true,
    primary: r.is_primary === true,
    valid: r.is_valid === true,
    constraintName: r.constraint_name == null ? null : str(r.constraint_name),
    constraintType: type === 'p' || type === 'u' || type === 'x' ? type : null,
    columns: named.slice(0, nkey),
    include: named.slice(nkey),
    keyOptions: keyOptions(r, nkey),
    predicate: r.predicate == null ? null : str(r.predicate),
    method: str(r.method),
  };
}

/** INDOPTION_DESC and INDOPTION_NULLS_FIRST of pg_index.indoption. */
const DESC = 1;
const NULLS_FIRST = 2;

/** Fast-path rows are plain keys by construction and carry no option arrays. */
function keyOptions(r: Row, nkey: number): IndexKeyOptions[] {
  const opclasses = textArray(r.opclasses);
  const collations = textArray(r.collations);
  const options = Array.isArray(r.options) ? r.options.map(Number) : textArray(r.options).map(Number);
  const out: IndexKeyOptions[] = [];
  for (let i = 0; i < nkey; i++) {
    const key: IndexKeyOptions = {};
    if (opclasses[i]) key.opclass = opclasses[i];
    if (collations[i]) key.collation = collations[i];
    const bits = options[i] ?? 0;
    if (bits & DESC) key.descending = true;
    // Stated only when it differs from the direction's default (NULLS FIRST for DESC).
    if (Boolean(bits & NULLS_FIRST) !== Boolean(bits & DESC)) key.nullsFirst = Boolean(bits & NULLS_FIRST);
    out.push(key);
  }
  return out;
}

function toForeignKey(r: Row): CatalogForeignKey {
  return {
    schema: str(r.schema),
    table: str(r.table),
    name: str(r.name),
    columns: textArray(r.cols),
    refSchema: str(r.ref_schema),
    refTable: str(r.ref_table),
    refColumns: textArray(r.ref_cols),
  };
}

/** `(a + b)` stays; `lower(e)` becomes `(lower(e))`, as the SchemaModel writes expressions. */
export function parenthesize(expr: string): string {
  if (!expr.startsWith('(') || !expr.endsWith(')')) return `(${expr})`;
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === '(') depth++;
    else if (expr[i] === ')') depth--;
    if (depth === 0 && i < expr.length - 1) return `(${expr})`;
  }
  return expr;
}

function str(v: unknown): string {
  return v == null ? '' : String(v);
}

function num(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

function numOrNull(v: unknown): number | null {
  if (v == null) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Epoch milliseconds (see epochMs) as ISO text. */
function epochIso(v: unknown): string | null {
  if (v == null) return null;
  const ms = Number(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function isoOrNull(v: unknown): string | null {
  if (v == null) return null;
  if (v instanceof Date) return v.toISOString();
  const d = new Date(String(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
}

/** `pg` parses text[] into arrays; PGlite and name[] may arrive as `{a,b}` text. */
function textArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === 'string' && v.startsWith('{') && v.endsWith('}')) {
    const inner = v.slice(1, -1);
    if (inner === '') return [];
    const out: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < inner.length; i++) {
      const ch = inner[i];
      if (quoted) {
        if (ch === '\\') cur += inner[++i];
        else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        out.push(cur);
        cur = '';
      } else cur += ch;
    }
    out.push(cur);
    return out;
  }
  return [];
}

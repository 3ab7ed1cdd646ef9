import type { Connection } from '../db/connection';
import { PglensError, errorMessage } from '../errors';

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
  /** `pg_stat_database.stats_reset` as ISO text; null when no reset is recorded for this database. */
  statsReset: string | null;
  /** `pg_postmaster_start_time()` as ISO text. */
  serverStarted: string | null;
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
  /** Heap + TOAST + indexes, bytes. */
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

export interface CatalogSnapshot {
  server: CatalogServerInfo;
  schemas: string[];
  tables: CatalogTable[];
  columns: CatalogColumn[];
  indexes: CatalogIndex[];
  foreignKeys: CatalogForeignKey[];
  /** When the snapshot was read (ISO). */
  readAt: string;
}

/** System schemas and pglens's own scratch schemas (`pglens_*`, used by the advisor and sandbox). */
export const EXCLUDED_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'] as const;
export const SCRATCH_SCHEMA_PREFIX = 'pglens_';

export interface CatalogOptions {
  /** Only these schemas (after the system exclusions); all user schemas when absent or empty. */
  schemas?: string[];
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
       pg_is_in_recovery() AS is_replica,
       (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS stats_reset,
       pg_postmaster_start_time() AS server_started`;

const SCHEMAS_SQL = `
SELECT n.nspname AS name FROM pg_namespace n WHERE ${SCHEMA_FILTER} ORDER BY 1`;

const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS relkind,
       c.reltuples::float8 AS reltuples, c.relispartition AS is_partition,
       pg_total_relation_size(c.oid)::float8 AS total_bytes,
       s.seq_scan::float8 AS seq_scan, s.seq_tup_read::float8 AS seq_tup_read,
       s.idx_scan::float8 AS idx_scan, s.idx_tup_fetch::float8 AS idx_tup_fetch,
       s.n_live_tup::float8 AS live_tup, s.n_dead_tup::float8 AS dead_tup,
       s.last_analyze, s.last_autoanalyze
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p', 'm') AND ${SCHEMA_FILTER}
ORDER BY 1, 2`;

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
 * Key columns come from pg_attribute for plain columns (cheap) and pg_get_indexdef(oid, k)
 * only for expressions; the constraint lookup is a join, not a subquery per row.
 */
const INDEXES_SQL = `
SELECT n.nspname AS schema, t.relname AS table, ic.relname AS name,
       pg_get_indexdef(i.indexrelid) AS definition,
       s.idx_scan::float8 AS scans, s.idx_tup_read::float8 AS tup_read, s.idx_tup_fetch::float8 AS tup_fetch,
       pg_relation_size(i.indexrelid)::float8 AS size_bytes,
       i.indisunique AS is_unique, i.indisprimary AS is_primary, i.indisvalid AS is_valid,
       con.conname AS constraint_name, con.contype::text AS constraint_type,
       am.amname AS method, i.indnkeyatts AS nkey,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       ARRAY(
         SELECT CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.ord::int, true) ELSE a.attname::text END
         FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
         LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         ORDER BY k.ord
       ) AS cols,
       ARRAY(
         SELECT CASE WHEN k.attnum = 0 THEN 1 ELSE 0 END
         FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ORDER BY k.ord
       ) AS is_expr
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
WHERE t.relkind IN ('r', 'p', 'm') AND ${SCHEMA_FILTER}
ORDER BY 1, 2, ic.oid`;

const FOREIGN_KEYS_SQL = `
SELECT n.nspname AS schema, t.relname AS table, con.conname AS name,
       rn.nspname AS ref_schema, rt.relname AS ref_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS cols,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_cols
FROM pg_constraint con
JOIN pg_class t ON t.oid = con.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_class rt ON rt.oid = con.confrelid
JOIN pg_namespace rn ON rn.oid = rt.relnamespace
WHERE con.contype = 'f' AND ${SCHEMA_FILTER}
ORDER BY 1, 2, 3`;

type Row = Record<string, unknown>;

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
        'check that the connected role may read pg_catalog and the pg_stat views',
      );
    }
  };
  // Sequential on purpose: a Connection may be a single session that cannot pipeline.
  const [serverRow] = await run('server', SERVER_SQL, []);
  const schemaRows = await run('schemas', SCHEMAS_SQL, [filter]);
  const tableRows = await run('tables', TABLES_SQL, [filter]);
  const columnRows = await run('columns', COLUMNS_SQL, [filter]);
  const indexRows = await run('indexes', INDEXES_SQL, [filter]);
  const fkRows = await run('foreign keys', FOREIGN_KEYS_SQL, [filter]);
  return {
    server: toServerInfo(serverRow),
    schemas: schemaRows.map((r) => str(r.name)),
    tables: tableRows.map(toTable),
    columns: columnRows.map(toColumn),
    indexes: indexRows.map(toIndex),
    foreignKeys: fkRows.map(toForeignKey),
    readAt: new Date().toISOString(),
  };
}

function toServerInfo(r: Row | undefined): CatalogServerInfo {
  if (!r) throw new PglensError('sql-error', 'the server returned no row for its own settings', 'check the connection and retry');
  return {
    database: str(r.database),
    serverVersion: str(r.server_version).split(' ')[0],
    serverVersionNum: num(r.server_version_num),
    isReplica: r.is_replica === true,
    statsReset: isoOrNull(r.stats_reset),
    serverStarted: isoOrNull(r.server_started),
  };
}

const RELKIND: Record<string, TableKind> = { r: 'table', p: 'partitioned table', m: 'materialized view' };

function toTable(r: Row): CatalogTable {
  const reltuples = num(r.reltuples);
  return {
    schema: str(r.schema),
    name: str(r.name),
    kind: RELKIND[str(r.relkind)] ?? 'table',
    estimatedRows: reltuples >= 0 ? reltuples : null,
    totalBytes: num(r.total_bytes),
    seqScan: num(r.seq_scan),
    seqTupRead: num(r.seq_tup_read),
    idxScan: numOrNull(r.idx_scan),
    idxTupFetch: numOrNull(r.idx_tup_fetch),
    liveTuples: num(r.live_tup),
    deadTuples: num(r.dead_tup),
    lastAnalyze: isoOrNull(r.last_analyze),
    lastAutoanalyze: isoOrNull(r.last_autoanalyze),
    isPartition: r.is_partition === true,
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

function toIndex(r: Row): CatalogIndex {
  const cols = textArray(r.cols);
  const isExpr = (Array.isArray(r.is_expr) ? r.is_expr : []).map((v) => Number(v) === 1);
  const named = cols.map((c, i) => (isExpr[i] ? parenthesize(c) : c));
  const nkey = num(r.nkey);
  const type = r.constraint_type == null ? null : str(r.constraint_type);
  return {
    schema: str(r.schema),
    table: str(r.table),
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
    predicate: r.predicate == null ? null : str(r.predicate),
    method: str(r.method),
  };
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

import type { Connection } from '../db/connection';

/** Size and index usage of one table, for the lens above a Prisma model. */
export interface TableSummary {
  schema: string;
  table: string;
  estimatedRows: number;
  totalBytes: number;
  indexes: number;
  /**
   * Valid indexes no constraint needs (unique, primary key, exclusion) with no scan since statistics
   * were reset. Unlike the unused-index finding, not held back while the statistics are young.
   */
  unusedIndexes: number;
}

/** One catalog query for all the tables of a schema file. */
export async function tableSummaries(conn: Connection, tables: { schema: string; table: string }[]): Promise<TableSummary[]> {
  if (tables.length === 0) return [];
  const r = await conn.query<{ schema: string; table: string; rows: string; bytes: string; indexes: string; unused: string }>(
    `SELECT n.nspname AS schema, c.relname AS table,
            greatest(c.reltuples, 0)::bigint::text AS rows,
            pg_total_relation_size(c.oid)::text AS bytes,
            (SELECT count(*) FROM pg_index x WHERE x.indrelid = c.oid)::text AS indexes,
            (SELECT count(*) FROM pg_index x JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid
              WHERE x.indrelid = c.oid AND NOT x.indisunique AND NOT x.indisprimary AND x.indisvalid AND s.idx_scan = 0
                AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.contype IN ('p', 'u', 'x')))::text AS unused
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  return r.rows.map((row) => ({
    schema: row.schema,
    table: row.table,
    estimatedRows: Number(row.rows),
    totalBytes: Number(row.bytes),
    indexes: Number(row.indexes),
    unusedIndexes: Number(row.unused),
  }));
}

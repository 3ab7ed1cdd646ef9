import type { Connection } from '../db/connection';
import type { RelationRef } from './predicates';
import type { TableInfo } from './candidates';

interface Row {
  schema: string;
  name: string;
  rows: number | string;
  columns: string[] | null;
  indexes: { name: string; columns: string[] | null; include: string[] | null; predicate: string | null; valid: boolean }[] | null;
  ndistinct: Record<string, number> | null;
}

/** Columns, size estimate, existing indexes and n_distinct of the tables a query reads, in one catalog query. */
export async function loadTableInfo(conn: Connection, relations: RelationRef[]): Promise<TableInfo[]> {
  const names = [...new Set(relations.map((r) => r.name))];
  if (names.length === 0) return [];
  const result = await conn.query<Row>(
    `SELECT n.nspname AS schema, c.relname AS name, greatest(c.reltuples, 0)::float8 AS rows,
       (SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       (SELECT json_agg(json_build_object(
           'name', ic.relname,
           'columns', (SELECT json_agg(pg_get_indexdef(x.indexrelid, k, true) ORDER BY k) FROM generate_series(1, x.indnkeyatts) k),
           'include', (SELECT json_agg(pg_get_indexdef(x.indexrelid, k, true) ORDER BY k) FROM generate_series(x.indnkeyatts + 1, x.indnatts) k),
           'predicate', pg_get_expr(x.indpred, x.indrelid),
           'valid', x.indisvalid))
         FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = c.oid) AS indexes,
       (SELECT json_object_agg(s.attname, s.n_distinct) FROM pg_stats s
         WHERE s.schemaname = n.nspname AND s.tablename = c.relname) AS ndistinct
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'm') AND c.relname = ANY($1::text[])
       AND (n.nspname = ANY(current_schemas(false)) OR n.nspname = ANY($2::text[]))`,
    [names, [...new Set(relations.map((r) => r.schema).filter((s): s is string => !!s))]],
  );
  return result.rows.map((r) => ({
    schema: r.schema,
    name: r.name,
    columns: r.columns ?? [],
    estimatedRows: Number(r.rows) || 0,
    nDistinct: r.ndistinct ?? {},
    indexes: (r.indexes ?? []).map((i) => ({ name: i.name, columns: i.columns ?? [], include: i.include ?? [], predicate: i.predicate ?? undefined, valid: i.valid })),
  }));
}

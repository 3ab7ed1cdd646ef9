import type { Connection } from '../db/connection';
import type { RelationRef } from './predicates';
import type { ColumnType, PartitionInfo, TableInfo } from './candidate-model';

interface Row {
  schema: string;
  name: string;
  rows: number | string;
  columns: string[] | null;
  types: Record<string, { name: string; category: string; c: boolean | null }> | null;
  indexes: { name: string; columns: string[] | null; include: string[] | null; predicate: string | null; valid: boolean; method: string; opclasses: string[] | null; default_opclasses: boolean[] | null }[] | null;
  ndistinct: Record<string, number> | null;
  correlation: Record<string, number | null> | null;
  inserted: number | string;
  updated: number | string;
  deleted: number | string;
  default_c: boolean | null;
  top_freq: Record<string, number | null> | null;
  taken: { schema: string; name: string }[] | null;
  partitions: { schema: string; name: string; kind: string; parent_schema: string; parent: string; indexes: string[] | null }[] | null;
}

/**
 * Whether a collation compares byte by byte (what lets a plain B-tree range over LIKE 'x%'): the
 * libc C/POSIX locales and the builtin provider's (PostgreSQL 17+). The database's provider is
 * read through to_jsonb so the query also runs on servers older than 15, which lack the column.
 */
const DEFAULT_IS_C = `(SELECT (d.datcollate IN ('C', 'POSIX') AND coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') = 'c')
                              OR coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') = 'b'
                         FROM pg_database d WHERE d.datname = current_database())`;

/**
 * Columns with their types and collations, size estimate, existing indexes (method and operator
 * classes too), n_distinct and correlation, and the write counters of the tables a query reads,
 * in one catalog query.
 */
export async function loadTableInfo(conn: Connection, relations: RelationRef[]): Promise<TableInfo[]> {
  const names = [...new Set(relations.map((r) => r.name))];
  if (names.length === 0) return [];
  const result = await conn.query<Row>(
    `SELECT n.nspname AS schema, c.relname AS name, greatest(c.reltuples, 0)::float8 AS rows,
       (SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       (SELECT json_object_agg(a.attname, json_build_object(
           'name', format_type(a.atttypid, NULL),
           'category', t.typcategory,
           'c', CASE WHEN a.attcollation = 0 THEN NULL
                     WHEN co.collname = 'default' THEN ${DEFAULT_IS_C}
                     ELSE co.collprovider = 'b' OR (co.collprovider = 'c' AND co.collcollate IN ('C', 'POSIX')) END))
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_collation co ON co.oid = a.attcollation
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS types,
       (SELECT json_agg(json_build_object(
           'name', ic.relname,
           'columns', (SELECT json_agg(pg_get_indexdef(x.indexrelid, k, true) ORDER BY k) FROM generate_series(1, x.indnkeyatts) k),
           'include', (SELECT json_agg(pg_get_indexdef(x.indexrelid, k, true) ORDER BY k) FROM generate_series(x.indnkeyatts + 1, x.indnatts) k),
           'predicate', pg_get_expr(x.indpred, x.indrelid),
           'valid', x.indisvalid,
           'method', am.amname,
           'opclasses', (SELECT json_agg(oc.opcname ORDER BY u.ord) FROM unnest(x.indclass::oid[]) WITH ORDINALITY u(opc, ord) JOIN pg_opclass oc ON oc.oid = u.opc),
           'default_opclasses', (SELECT json_agg(oc.opcdefault ORDER BY u.ord) FROM unnest(x.indclass::oid[]) WITH ORDINALITY u(opc, ord) JOIN pg_opclass oc ON oc.oid = u.opc)))
         FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_am am ON am.oid = ic.relam WHERE x.indrelid = c.oid) AS indexes,
       -- A partitioned table has only statistics over its partitions (inherited); a table with
       -- inheritance children has both kinds, one row each per column: its own rows are its own.
       (SELECT json_object_agg(s.attname, s.n_distinct) FROM pg_stats s
         WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.inherited = (c.relkind = 'p')) AS ndistinct,
       (SELECT json_object_agg(s.attname, s.correlation) FROM pg_stats s
         WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.inherited = (c.relkind = 'p')) AS correlation,
       (SELECT json_object_agg(s.attname, s.most_common_freqs[1]) FROM pg_stats s
         WHERE s.schemaname = n.nspname AND s.tablename = c.relname AND s.inherited = (c.relkind = 'p')) AS top_freq,
       -- Index names share the schema's relation namespace with tables, sequences, views and other
       -- tables' indexes: every name a generated one (always ending _idx) could collide with, in the
       -- table's schema and its partitions'.
       (SELECT json_agg(json_build_object('schema', rn.nspname, 'name', r.relname))
         FROM pg_class r JOIN pg_namespace rn ON rn.oid = r.relnamespace
         WHERE right(r.relname, 4) = '_idx'
           AND (r.relnamespace = c.relnamespace
             OR r.relnamespace IN (WITH RECURSIVE tree(oid) AS (
                  SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent = c.oid
                  UNION ALL SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid)
                SELECT pc.relnamespace FROM tree t JOIN pg_class pc ON pc.oid = t.oid))) AS taken,
       -- Every level of partitions (pg_inherits, not pg_partition_tree: servers before 12 lack it), parents first.
       CASE WHEN c.relkind = 'p' THEN (
         WITH RECURSIVE tree(oid, parent, level) AS (
           SELECT i.inhrelid, i.inhparent, 1 FROM pg_inherits i WHERE i.inhparent = c.oid
           UNION ALL SELECT i.inhrelid, i.inhparent, t.level + 1 FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid)
         SELECT coalesce(json_agg(json_build_object(
             'schema', pn.nspname, 'name', pc.relname, 'kind', pc.relkind, 'parent_schema', qn.nspname, 'parent', qc.relname,
             'indexes', (SELECT json_agg(ic.relname) FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = pc.oid))
           ORDER BY t.level, pn.nspname, pc.relname), '[]')
         FROM tree t JOIN pg_class pc ON pc.oid = t.oid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
           JOIN pg_class qc ON qc.oid = t.parent JOIN pg_namespace qn ON qn.oid = qc.relnamespace) END AS partitions,
       pg_stat_get_tuples_inserted(c.oid) AS inserted, pg_stat_get_tuples_updated(c.oid) AS updated, pg_stat_get_tuples_deleted(c.oid) AS deleted,
       ${DEFAULT_IS_C} AS default_c
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'm') AND c.relname = ANY($1::text[])
       AND (n.nspname = ANY(current_schemas(false)) OR n.nspname = ANY($2::text[]))
     -- An unqualified name is the table the search_path finds first: callers take the first row of a name.
     ORDER BY array_position(current_schemas(false), n.nspname::text) NULLS LAST, n.nspname`,
    [names, [...new Set(relations.map((r) => r.schema).filter((s): s is string => !!s))]],
  );
  return result.rows.map((r) => {
    const types: Record<string, ColumnType> = {};
    for (const [col, t] of Object.entries(r.types ?? {})) types[col] = { name: t.name, category: t.category, ...(t.c !== null ? { cCollation: t.c } : {}) };
    const correlation: Record<string, number> = {};
    for (const [col, v] of Object.entries(r.correlation ?? {})) if (typeof v === 'number') correlation[col] = v;
    return {
      schema: r.schema,
      name: r.name,
      columns: r.columns ?? [],
      estimatedRows: Number(r.rows) || 0,
      nDistinct: r.ndistinct ?? {},
      indexes: (r.indexes ?? []).map((i) => ({
        name: i.name,
        columns: i.columns ?? [],
        include: i.include ?? [],
        predicate: i.predicate ?? undefined,
        valid: i.valid,
        method: i.method,
        opclasses: i.opclasses ?? [],
        defaultOpclasses: i.default_opclasses ?? [],
      })),
      types,
      correlation,
      writes: { inserted: Number(r.inserted) || 0, updated: Number(r.updated) || 0, deleted: Number(r.deleted) || 0 },
      ...(r.default_c !== null ? { defaultCCollation: r.default_c } : {}),
      topFrequency: Object.fromEntries(Object.entries(r.top_freq ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number')),
      takenNames: (r.taken ?? []).map((t) => ({ schema: t.schema, name: t.name })),
      ...(r.partitions !== null && r.partitions !== undefined
        ? { partitions: r.partitions.map((p): PartitionInfo => ({ schema: p.schema, name: p.name, kind: p.kind, parentSchema: p.parent_schema, parent: p.parent, indexes: p.indexes ?? [] })) }
        : {}),
    };
  });
}

import type { QueryFn } from './types';
import { quoteLiteral } from '../sql/quote-ident';

/**
 * What the generator needs to know of a database, read from its catalog: the tables of the
 * user schemas (partitioned parents, not their partitions), their columns and types, CHECKs,
 * unique keys, foreign keys and partition bounds.
 */

export interface TypeInfo {
  oid: number;
  /** format_type(oid, NULL): the name to cast to, qualified and quoted as needed. */
  name: string;
  /** pg_type.typname, e.g. int4, _text, citext. */
  typname: string;
  /** pg_type.typtype: b base, d domain, e enum, c composite, r range, m multirange, p pseudo. */
  kind: string;
  /** pg_type.typcategory: A array, B boolean, D date/time, N numeric, S string, U user… */
  category: string;
  /** Array element type. */
  elem?: number;
  /** Domain: base type and its typmod. */
  base?: number;
  baseTypmod?: number;
  baseName?: string;
  /** Domain NOT NULL. */
  notNull: boolean;
  /** Domain CHECK expressions (with VALUE), with their names. */
  checks: Array<{ name: string; expr: string }>;
  /** Enum labels in sort order. */
  labels?: string[];
  /** Range: subtype. */
  rangeSubtype?: number;
}

export interface ColumnInfo {
  num: number;
  name: string;
  /** format_type(atttypid, atttypmod), e.g. `character varying(40)`, `public.mood`, `integer[]`. */
  type: string;
  typeOid: number;
  typmod: number;
  notNull: boolean;
  /** The DEFAULT expression, if any. */
  default?: string;
  /** GENERATED … AS IDENTITY. */
  identity: boolean;
  /** GENERATED ALWAYS AS (…) STORED/VIRTUAL. */
  generated: boolean;
}

export interface CheckInfo {
  name: string;
  /** The expression, as pg_get_expr prints it (no CHECK keyword). */
  expr: string;
  /** Columns it reads. */
  columns: string[];
}

export interface UniqueKeyInfo {
  name: string;
  columns: string[];
  primary: boolean;
  /** Some key part is an expression (`lower(email)`): `columns` are the columns it reads. */
  expression: boolean;
  /** A partial index (WHERE …). */
  partial: boolean;
}

export interface ForeignKeyInfo {
  name: string;
  columns: string[];
  refOid: number;
  refColumns: string[];
  deferrable: boolean;
}

export interface PartitionInfo {
  /** r range, l list, h hash. */
  strategy: string;
  /** Key columns by name; undefined entries for expression keys. */
  keyColumns: Array<string | undefined>;
  /** FOR VALUES … of each direct partition (pg_get_expr of relpartbound). */
  bounds: string[];
  /** Leaf partitions' implicit constraints; null for a leaf without one (a lone DEFAULT). */
  leafConstraints: Array<string | null>;
  /** Partitions partitioned again: their own key (by column name) and their partitions' bounds. */
  sublevels: Array<{ strategy: string; keyColumns: Array<string | undefined>; bounds: string[] }>;
}

export interface TableInfo {
  oid: number;
  schema: string;
  name: string;
  /** 'schema.table', unquoted: the key of options and of the report. */
  key: string;
  /** Quoted, qualified: what SQL names it by. */
  sql: string;
  /** r table, p partitioned table. */
  kind: string;
  columns: ColumnInfo[];
  checks: CheckInfo[];
  uniques: UniqueKeyInfo[];
  foreignKeys: ForeignKeyInfo[];
  /** Exclusion constraint names (not generated for; a conflict drops the row). */
  exclusions: string[];
  partition?: PartitionInfo;
}

export interface Catalog {
  tables: TableInfo[];
  types: Map<number, TypeInfo>;
  /** Tables referenced by a foreign key that are not among `tables` (other schemas, extension tables). */
  outside: Map<number, { key: string; sql: string; columns: Map<number, string> }>;
  /** Extension names installed. */
  extensions: string[];
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export { quoteLiteral };

/** Catalog names always left alone: migration runners' bookkeeping. */
export const MIGRATION_TABLES = new Set([
  'schema_migrations', 'goose_db_version', 'flyway_schema_history', '__drizzle_migrations', '_prisma_migrations',
  '__diesel_schema_migrations', 'databasechangelog', 'databasechangeloglock', 'gorp_migrations', 'schema_version',
  'knex_migrations', 'knex_migrations_lock', 'typeorm_migrations', 'migrations', 'ar_internal_metadata',
]);

const SYSTEM_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname <> 'sqitch'`;

/** One JSON document from a query that returns a single text column `j` (pg and PGlite agree on text). */
async function json<T>(query: QueryFn, sql: string): Promise<T> {
  const rows = await query(sql);
  const text = rows[0]?.j;
  if (text === null || text === undefined) return [] as unknown as T;
  return JSON.parse(String(text)) as T;
}

function oidList(oids: Iterable<number>): string {
  return `'{${[...oids].join(',')}}'::oid[]`;
}

export async function readCatalog(query: QueryFn, options: { schemas?: string[]; excludeTables?: string[] } = {}): Promise<Catalog> {
  const schemaFilter = options.schemas?.length ? `AND n.nspname IN (${options.schemas.map(quoteLiteral).join(', ')})` : '';
  const rawTables = await json<Array<{ oid: number; schema: string; name: string; kind: string }>>(
    query,
    `SELECT json_agg(json_build_object('oid', c.oid::int8, 'schema', n.nspname, 'name', c.relname, 'kind', c.relkind) ORDER BY n.nspname, c.relname)::text AS j
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relpersistence <> 't' AND ${SYSTEM_SCHEMA} ${schemaFilter}
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')`,
  );
  const excluded = new Set(options.excludeTables ?? []);
  const tables: TableInfo[] = rawTables
    .filter((t) => !MIGRATION_TABLES.has(t.name) && !excluded.has(t.name) && !excluded.has(`${t.schema}.${t.name}`))
    .map((t) => ({
      oid: Number(t.oid),
      schema: t.schema,
      name: t.name,
      key: `${t.schema}.${t.name}`,
      sql: `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`,
      kind: t.kind,
      columns: [],
      checks: [],
      uniques: [],
      foreignKeys: [],
      exclusions: [],
    }));
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const extensions = (await json<string[]>(query, `SELECT json_agg(extname ORDER BY extname)::text AS j FROM pg_extension`)) ?? [];
  if (tables.length === 0) return { tables, types: new Map(), outside: new Map(), extensions };
  const oids = oidList(byOid.keys());

  const columns = await json<Array<{ rel: number; num: number; name: string; type: string; typ: number; typmod: number; notnull: boolean; def: string | null; identity: string; generated: string }>>(
    query,
    `SELECT json_agg(json_build_object('rel', a.attrelid::int8, 'num', a.attnum, 'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
              'typ', a.atttypid::int8, 'typmod', a.atttypmod, 'notnull', a.attnotnull, 'def', pg_get_expr(ad.adbin, ad.adrelid),
              'identity', a.attidentity, 'generated', a.attgenerated) ORDER BY a.attrelid, a.attnum)::text AS j
       FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
      WHERE a.attrelid = ANY (${oids}) AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  const names = new Map<number, Map<number, string>>();
  for (const c of columns) {
    const t = byOid.get(Number(c.rel))!;
    t.columns.push({
      num: c.num,
      name: c.name,
      type: c.type,
      typeOid: Number(c.typ),
      typmod: c.typmod,
      notNull: c.notnull,
      default: c.def ?? undefined,
      identity: c.identity !== '',
      generated: c.generated !== '',
    });
    if (!names.has(t.oid)) names.set(t.oid, new Map());
    names.get(t.oid)!.set(c.num, c.name);
  }
  const colName = (rel: number, num: number) => names.get(rel)?.get(num);

  const constraints = await json<Array<{ rel: number; name: string; type: string; cols: number[] | null; ref: number; refcols: number[] | null; expr: string | null; deferrable: boolean }>>(
    query,
    `SELECT json_agg(json_build_object('rel', c.conrelid::int8, 'name', c.conname, 'type', c.contype, 'cols', c.conkey, 'ref', c.confrelid::int8,
              'refcols', c.confkey, 'expr', CASE WHEN c.contype = 'c' THEN pg_get_expr(c.conbin, c.conrelid) END, 'deferrable', c.condeferrable)
              ORDER BY c.conrelid, c.conname)::text AS j
       FROM pg_constraint c
      WHERE c.conrelid = ANY (${oids}) AND c.contype IN ('c', 'f', 'x') AND c.conparentid = 0`,
  );
  const outsideOids = new Set<number>();
  const refNums = new Map<ForeignKeyInfo, number[]>();
  for (const c of constraints) {
    const t = byOid.get(Number(c.rel))!;
    const cols = (c.cols ?? []).map((n) => colName(t.oid, n)).filter((n): n is string => n !== undefined);
    if (c.type === 'c' && c.expr) t.checks.push({ name: c.name, expr: c.expr, columns: cols });
    else if (c.type === 'x') t.exclusions.push(c.name);
    else if (c.type === 'f') {
      const ref = Number(c.ref);
      if (!byOid.has(ref)) outsideOids.add(ref);
      const fk: ForeignKeyInfo = { name: c.name, columns: cols, refOid: ref, refColumns: [], deferrable: c.deferrable };
      t.foreignKeys.push(fk);
      refNums.set(fk, c.refcols ?? []);
    }
  }

  const outside = new Map<number, { key: string; sql: string; columns: Map<number, string> }>();
  if (outsideOids.size) {
    const rows = await json<Array<{ oid: number; schema: string; name: string; cols: Array<[number, string]> }>>(
      query,
      `SELECT json_agg(json_build_object('oid', c.oid::int8, 'schema', n.nspname, 'name', c.relname,
                'cols', (SELECT json_agg(json_build_array(a.attnum, a.attname)) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)))::text AS j
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY (${oidList(outsideOids)})`,
    );
    for (const r of rows) {
      outside.set(Number(r.oid), {
        key: `${r.schema}.${r.name}`,
        sql: `${quoteIdent(r.schema)}.${quoteIdent(r.name)}`,
        columns: new Map((r.cols ?? []).map(([n, name]) => [n, name])),
      });
    }
  }
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      const nums = refNums.get(fk) ?? [];
      const refCols = byOid.has(fk.refOid) ? names.get(fk.refOid) : outside.get(fk.refOid)?.columns;
      fk.refColumns = nums.map((n) => refCols?.get(n) ?? `?${n}`);
    }
  }

  const indexes = await json<Array<{ rel: number; name: string; keys: number[]; nkeys: number; primary: boolean; exprs: boolean; partial: boolean; deps: number[] | null }>>(
    query,
    `SELECT json_agg(json_build_object('rel', i.indrelid::int8, 'name', ic.relname, 'keys', i.indkey::int2[], 'nkeys', i.indnkeyatts, 'primary', i.indisprimary,
              'exprs', i.indexprs IS NOT NULL, 'partial', i.indpred IS NOT NULL,
              'deps', (SELECT json_agg(DISTINCT d.refobjsubid) FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid AND d.refobjid = i.indrelid AND d.refobjsubid > 0))
              ORDER BY i.indrelid, ic.relname)::text AS j
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = ANY (${oids}) AND i.indisunique`,
  );
  for (const ix of indexes) {
    const t = byOid.get(Number(ix.rel))!;
    const keys = ix.keys.slice(0, ix.nkeys);
    const nums = new Set<number>(keys.filter((k) => k > 0));
    if (ix.exprs) for (const d of ix.deps ?? []) nums.add(d);
    const cols = [...nums].map((n) => colName(t.oid, n)).filter((n): n is string => n !== undefined);
    if (cols.length === 0) continue;
    t.uniques.push({ name: ix.name, columns: cols, primary: ix.primary, expression: ix.exprs, partial: ix.partial });
  }

  const partitioned = tables.filter((t) => t.kind === 'p');
  if (partitioned.length) {
    const bounds = (rel: string) =>
      `(SELECT json_agg(pg_get_expr(c.relpartbound, c.oid) ORDER BY c.relname) FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = ${rel})`;
    const parts = await json<
      Array<{
        rel: number;
        strategy: string;
        attrs: number[];
        bounds: string[] | null;
        leaves: Array<string | null> | null;
        sub: Array<{ strategy: string; keys: Array<string | null>; bounds: string[] | null }> | null;
      }>
    >(
      query,
      `SELECT json_agg(json_build_object('rel', p.partrelid::int8, 'strategy', p.partstrat, 'attrs', p.partattrs::int2[], 'bounds', ${bounds('p.partrelid')},
                'leaves', (SELECT json_agg(pg_get_partition_constraintdef(t.relid) ORDER BY t.relid::regclass::text) FROM pg_partition_tree(p.partrelid) t WHERE t.isleaf),
                'sub', (SELECT json_agg(json_build_object('strategy', sp.partstrat, 'bounds', ${bounds('sp.partrelid')},
                          'keys', (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(sp.partattrs::int2[]) WITH ORDINALITY AS k(n, ord)
                                     LEFT JOIN pg_attribute a ON a.attrelid = sp.partrelid AND a.attnum = k.n)))
                        FROM pg_partition_tree(p.partrelid) st JOIN pg_partitioned_table sp ON sp.partrelid = st.relid WHERE st.level > 0)))::text AS j
         FROM pg_partitioned_table p WHERE p.partrelid = ANY (${oidList(partitioned.map((t) => t.oid))})`,
    );
    for (const p of parts) {
      const t = byOid.get(Number(p.rel))!;
      t.partition = {
        strategy: p.strategy,
        keyColumns: p.attrs.map((n) => (n > 0 ? colName(t.oid, n) : undefined)),
        bounds: p.bounds ?? [],
        leafConstraints: p.leaves ?? [],
        sublevels: (p.sub ?? []).map((x) => ({ strategy: x.strategy, keyColumns: x.keys.map((k) => k ?? undefined), bounds: x.bounds ?? [] })),
      };
    }
  }

  const types = await readTypes(query, new Set(tables.flatMap((t) => t.columns.map((c) => c.typeOid))));
  return { tables, types, outside, extensions };
}

/** The types the columns use, with what domains, arrays and ranges are built on. */
async function readTypes(query: QueryFn, wanted: Set<number>): Promise<Map<number, TypeInfo>> {
  const types = new Map<number, TypeInfo>();
  let pending = [...wanted];
  while (pending.length) {
    const rows = await json<Array<{ oid: number; name: string; typname: string; kind: string; category: string; elem: number; base: number; basetypmod: number; basename: string | null; notnull: boolean; sub: number | null }>>(
      query,
      `SELECT json_agg(json_build_object('oid', t.oid::int8, 'name', format_type(t.oid, NULL), 'typname', t.typname, 'kind', t.typtype, 'category', t.typcategory,
                'elem', t.typelem::int8, 'base', t.typbasetype::int8, 'basetypmod', t.typtypmod,
                'basename', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, 'notnull', t.typnotnull,
                'sub', (SELECT r.rngsubtype::int8 FROM pg_range r WHERE r.rngtypid = t.oid)))::text AS j
         FROM pg_type t WHERE t.oid = ANY (${oidList(pending)})`,
    );
    const next = new Set<number>();
    for (const r of rows) {
      const info: TypeInfo = {
        oid: Number(r.oid),
        name: r.name,
        typname: r.typname,
        kind: r.kind,
        category: r.category,
        notNull: r.notnull,
        checks: [],
      };
      if (r.category === 'A' && Number(r.elem)) info.elem = Number(r.elem);
      if (r.kind === 'd') {
        info.base = Number(r.base);
        info.baseTypmod = r.basetypmod;
        info.baseName = r.basename ?? undefined;
      }
      if (r.sub) info.rangeSubtype = Number(r.sub);
      types.set(info.oid, info);
      for (const o of [info.elem, info.base, info.rangeSubtype]) if (o && !types.has(o)) next.add(o);
    }
    pending = [...next].filter((o) => !types.has(o));
  }
  const all = oidList(types.keys());
  const labels = await json<Array<{ t: number; labels: string[] }>>(
    query,
    `SELECT json_agg(json_build_object('t', e.t, 'labels', e.labels))::text AS j
       FROM (SELECT enumtypid::int8 AS t, json_agg(enumlabel ORDER BY enumsortorder) AS labels FROM pg_enum WHERE enumtypid = ANY (${all}) GROUP BY enumtypid) e`,
  );
  for (const l of labels) types.get(Number(l.t))!.labels = l.labels;
  const checks = await json<Array<{ t: number; name: string; expr: string }>>(
    query,
    `SELECT json_agg(json_build_object('t', c.contypid::int8, 'name', c.conname, 'expr', pg_get_expr(c.conbin, 0)) ORDER BY c.conname)::text AS j
       FROM pg_constraint c WHERE c.contypid = ANY (${all}) AND c.contype = 'c'`,
  );
  for (const c of checks) types.get(Number(c.t))!.checks.push({ name: c.name, expr: c.expr });
  return types;
}

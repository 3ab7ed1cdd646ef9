import type { Catalog, ColumnInfo, ForeignKeyInfo, TableInfo, TypeInfo } from '../../../src/core/sandbox-data/catalog';
import type { KeyTable, PlanContext } from '../../../src/core/sandbox-data/build';

/** Catalogs built by hand, for the planner and graph tests (no database). */

const BASE: Array<[number, string, string, string]> = [
  [16, 'boolean', 'bool', 'B'],
  [20, 'bigint', 'int8', 'N'],
  [21, 'smallint', 'int2', 'N'],
  [23, 'integer', 'int4', 'N'],
  [25, 'text', 'text', 'S'],
  [1043, 'character varying', 'varchar', 'S'],
  [1700, 'numeric', 'numeric', 'N'],
  [1114, 'timestamp without time zone', 'timestamp', 'D'],
  [1184, 'timestamp with time zone', 'timestamptz', 'D'],
  [1082, 'date', 'date', 'D'],
  [2950, 'uuid', 'uuid', 'U'],
  [3802, 'jsonb', 'jsonb', 'U'],
];

export const OID: Record<string, number> = Object.fromEntries(BASE.map(([oid, , typname]) => [typname, oid]));

export function baseTypes(): Map<number, TypeInfo> {
  const types = new Map<number, TypeInfo>();
  for (const [oid, name, typname, category] of BASE) types.set(oid, { oid, name, typname, kind: 'b', category, notNull: false, checks: [] });
  return types;
}

let nextOid = 50_000;

export function col(name: string, typname: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return { num: 0, name, type: typname, typeOid: OID[typname] ?? -1, typmod: -1, notNull: false, identity: false, generated: false, ...extra };
}

export function table(name: string, columns: ColumnInfo[], extra: Partial<TableInfo> = {}): TableInfo {
  const oid = nextOid++;
  columns.forEach((c, i) => (c.num = i + 1));
  return {
    oid,
    schema: 'public',
    name,
    key: `public.${name}`,
    sql: `"public"."${name}"`,
    kind: 'r',
    columns,
    checks: [],
    uniques: [],
    foreignKeys: [],
    exclusions: [],
    ...extra,
  };
}

export function fk(name: string, columns: string[], ref: TableInfo, refColumns: string[]): ForeignKeyInfo {
  return { name, columns, refOid: ref.oid, refColumns, deferrable: false };
}

export function catalog(tables: TableInfo[], types = baseTypes()): Catalog {
  return { tables, types, outside: new Map(), extensions: [] };
}

export function context(cat: Catalog, t: TableInfo, extra: Partial<PlanContext> = {}, keys: Record<string, KeyTable> = {}): PlanContext {
  return {
    table: t,
    catalog: cat,
    rows: 1000,
    offset: 0,
    seed: 0,
    nullFrac: 0.1,
    skew: 2,
    keys: (f) => keys[f.name],
    deferred: new Set(),
    triggersDisabled: true,
    mode: 'full',
    capabilities: { xml: false },
    ...extra,
  };
}

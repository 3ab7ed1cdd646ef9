import { emptySchema, tableKey, type Column, type ForeignKey, type Index, type SchemaModel, type Table } from '../schema/model';
import { canonicalTypeName } from '../schema/type-names';
import type { CatalogColumn, CatalogIndex, CatalogSnapshot } from './catalog';

/**
 * The live catalog as a SchemaModel (no SourceRefs), so the linter's schema rules judge the
 * database with the same semantics they judge migrations with.
 */
export function liveSchema(catalog: CatalogSnapshot): SchemaModel {
  const model = emptySchema();
  for (const t of catalog.tables) {
    const table: Table = { schema: t.schema, name: t.name, columns: [], indexes: [], foreignKeys: [], ...(t.partitionOf ? { partitionOf: t.partitionOf } : {}) };
    model.tables.set(tableKey(t.schema, t.name), table);
  }
  for (const c of catalog.columns) model.tables.get(tableKey(c.schema, c.table))?.columns.push(toColumn(c));
  for (const i of catalog.indexes) {
    const table = model.tables.get(tableKey(i.schema, i.table));
    if (!table) continue;
    table.indexes.push(toIndex(i));
    if (i.primary) table.primaryKey = { name: i.constraintName ?? i.name, columns: [...i.columns] };
  }
  for (const fk of catalog.foreignKeys) {
    const key: ForeignKey = {
      name: fk.name,
      schema: fk.schema,
      table: fk.table,
      columns: [...fk.columns],
      refSchema: fk.refSchema,
      refTable: fk.refTable,
      refColumns: [...fk.refColumns],
    };
    model.tables.get(tableKey(fk.schema, fk.table))?.foreignKeys.push(key);
  }
  return model;
}

function toIndex(i: CatalogIndex): Index {
  const index: Index = {
    name: i.name,
    schema: i.schema,
    table: i.table,
    columns: [...i.columns],
    include: [...i.include],
    unique: i.unique,
    primary: i.primary,
    constraint: i.constraintType !== null,
    method: i.method,
    valid: i.valid,
  };
  if (i.predicate !== null) index.where = i.predicate;
  if (i.keyOptions?.some((k) => Object.keys(k).length > 0)) index.keyOptions = i.keyOptions.map((k) => ({ ...k }));
  return index;
}

/** Splits `format_type` output (`numeric(12,2)`, `timestamp(3) with time zone`, `text[]`) into name, modifiers, array. */
export function canonicalType(formatted: string): { type: string; typeModifiers: number[]; isArray: boolean } {
  let text = formatted.trim();
  let isArray = false;
  while (text.endsWith('[]')) {
    isArray = true;
    text = text.slice(0, -2);
  }
  const mods = /\(([^)]*)\)/.exec(text);
  const typeModifiers = mods ? mods[1].split(',').map((m) => Number(m.trim())).filter((n) => Number.isFinite(n)) : [];
  const bare = text.replace(/\([^)]*\)/, '').replace(/\s+/g, ' ').trim();
  // Quoted type names (user types with capitals) keep their spelling, without the quotes.
  const type = bare.includes('"') ? bare.replace(/"/g, '') : canonicalTypeName(bare);
  return { type, typeModifiers, isArray };
}

function toColumn(c: CatalogColumn): Column {
  const { type, typeModifiers, isArray } = canonicalType(c.formattedType);
  const column: Column = { name: c.name, type, typeModifiers, isArray, notNull: c.notNull };
  if (c.default !== null) {
    column.default = c.default;
    // A serial column is an integer whose default draws from a sequence.
    if (c.identity === '' && /^nextval\('/.test(c.default)) column.serial = true;
  }
  if (c.identity === 'a') column.identity = 'always';
  else if (c.identity === 'd') column.identity = 'by default';
  return column;
}

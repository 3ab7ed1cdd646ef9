import type { Table } from '../schema/model';
import type { SourceRange } from '../types';
import { type PrismaDocument, type PrismaField, type PrismaModel } from './ast';
import { isRelationField, prismaToSchema, relationName, type PrismaSchema } from './to-schema';

export { modelRanges, type ModelRange } from './model-ranges';

/**
 * The query Prisma issues to load a relation, for the editor's "Explain lookup" lens: run
 * under EXPLAIN ANALYZE with a real value, it shows whether the foreign key has an index.
 *
 * Prisma loads a relation with one query on the table holding the keys
 * (`SELECT "public"."Post"."id", … FROM "public"."Post" WHERE "public"."Post"."authorId" IN ($1)`);
 * with one parent that is `= $1`, which is what is returned. Identifiers are always quoted,
 * schema-qualified, as Prisma writes them.
 */
export interface RelationLookup {
  model: string;
  field: string;
  file: string;
  /** The relation field's name, where the lens goes. */
  range: SourceRange;
  /** The table the lookup reads and the columns it filters on, in `$1, $2, …` order. */
  schema: string;
  table: string;
  columns: string[];
  /** The lookup, with `$1…$n` for the key values. */
  sql: string;
  /** A query returning one real row of key values for `$1…$n` (no rows: the table is empty). */
  sampleSql: string;
  /** One line for the lens tooltip, e.g. `Post rows of one User, by "authorId"`. */
  description: string;
}

/** Lookups for every relation field of every model (a field whose table cannot be resolved has none). */
export function relationLookups(doc: PrismaDocument, schema: PrismaSchema = prismaToSchema(doc)): RelationLookup[] {
  const out: RelationLookup[] = [];
  for (const model of doc.models) {
    if (model.kind !== 'model') continue;
    for (const field of model.fields) {
      const lookup = lookupFor(doc, schema, model, field);
      if (lookup) out.push(lookup);
    }
  }
  return out;
}

/** The lookup for one relation field, by model and field name. */
export function relationLookup(doc: PrismaDocument, modelName: string, fieldName: string, schema: PrismaSchema = prismaToSchema(doc)): RelationLookup | undefined {
  const model = doc.models.find((m) => m.kind === 'model' && m.name === modelName);
  const field = model?.fields.find((f) => f.name === fieldName);
  return model && field ? lookupFor(doc, schema, model, field) : undefined;
}

function lookupFor(doc: PrismaDocument, schema: PrismaSchema, model: PrismaModel, field: PrismaField): RelationLookup | undefined {
  if (!isRelationField(doc, field)) return undefined;
  const base = { model: model.name, field: field.name, file: model.file, range: field.nameRange };
  // The side holding `fields:`: loading the parent reads the parent's table by its key.
  const own = schema.relations.find((r) => r.model === model && r.field === field);
  if (own) {
    const target = schema.tableOf.get(own.referencedModel);
    const holder = schema.tableOf.get(model);
    if (!target || !holder) return undefined;
    return build(base, target, own.foreignKey.refColumns, holder, own.foreignKey.columns, `${own.referencedModel.name} of one ${model.name}`);
  }
  // The other side: loading children reads the child table by its foreign key.
  const name = relationName(field);
  const opposite = schema.relations.find(
    (r) => r.referencedModel === model && r.model.name === field.type && relationName(r.field) === name && r.field !== field,
  );
  if (opposite) {
    const child = schema.tableOf.get(opposite.model);
    if (!child) return undefined;
    const what = field.list ? `${opposite.model.name} rows of one ${model.name}` : `${opposite.model.name} of one ${model.name}`;
    return build(base, child, opposite.foreignKey.columns, child, opposite.foreignKey.columns, what);
  }
  // Implicit many-to-many: the join table, by this side's column.
  const join = schema.joinTables.find((j) => j.a.field === field || j.b.field === field);
  if (join) {
    const column = join.a.field === field ? 'A' : 'B';
    return build(base, join.table, [column], join.table, [column], `${join.table.name} links of one ${model.name}`);
  }
  return undefined;
}

function build(
  base: Pick<RelationLookup, 'model' | 'field' | 'file' | 'range'>,
  table: Table,
  columns: string[],
  sampleTable: Table,
  sampleColumns: string[],
  what: string,
): RelationLookup {
  const qualified = `${quote(table.schema)}.${quote(table.name)}`;
  const col = (c: string): string => `${qualified}.${quote(c)}`;
  const selected = table.columns.map((c) => col(c.name)).join(', ') || '*';
  const where = columns.map((c, i) => `${col(c)} = $${i + 1}`).join(' AND ');
  const sampleQualified = `${quote(sampleTable.schema)}.${quote(sampleTable.name)}`;
  const sampleWhere = sampleColumns.map((c) => `${quote(c)} IS NOT NULL`).join(' AND ');
  return {
    ...base,
    schema: table.schema,
    table: table.name,
    columns,
    sql: `SELECT ${selected} FROM ${qualified} WHERE ${where}`,
    sampleSql: `SELECT ${sampleColumns.map(quote).join(', ')} FROM ${sampleQualified} WHERE ${sampleWhere} LIMIT 1`,
    description: `${what}, by ${columns.map((c) => `"${c}"`).join(', ')}`,
  };
}

/** Prisma quotes every identifier, doubling embedded quotes. */
function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

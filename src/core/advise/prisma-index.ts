import { blockAttributes, fieldAttribute, fieldList, argument, type PrismaDocument, type PrismaField, type PrismaModel } from '../prisma/ast';
import { addBlockAttribute } from '../prisma/fix-edits';
import { columnName, isRelationField, schemaName, tableName } from '../prisma/to-schema';
import { createLineIndex } from '../sql/line-index';
import type { TextEdit } from '../types';
import type { Suggestion } from './types';
import { PRISMA_INDEX_TYPE } from './index-types';

/**
 * How an advised index lands in a Prisma project:
 * - `edit`: `@@index([…])` added to the model that maps the table (field names, not columns);
 * - `sql`: the model exists but Prisma cannot express this index (partial, INCLUDE, an
 *   expression, an access method or operator class Prisma lacks), so it goes into a SQL
 *   migration — `reason` says why;
 * - `exists`: the model already declares an index that serves the same columns.
 */
export type PrismaIndexPlan =
  | { kind: 'edit'; file: string; model: string; attribute: string; edit: TextEdit; note?: string }
  | { kind: 'sql'; file: string; model: string; reason: string }
  | { kind: 'exists'; file: string; model: string; attribute: string };

/** The model of `doc` whose table is the suggestion's, if any (views are not indexed). */
export function modelForTable(doc: PrismaDocument, schema: string, table: string): PrismaModel | undefined {
  return doc.models.find((m) => m.kind === 'model' && tableName(m) === table && schemaName(m) === schema);
}

function fieldForColumn(doc: PrismaDocument, model: PrismaModel, column: string): PrismaField | undefined {
  return model.fields.find((f) => columnName(f) === column && !isRelationField(doc, f));
}

/** Field names of `@@index`, `@@unique` and `@@id` attributes, and of `@id`/`@unique` fields, with an `@@index`'s `type:`. */
function declaredKeys(model: PrismaModel): { text: string; fields: string[]; type?: string }[] {
  const keys: { text: string; fields: string[]; type?: string }[] = [];
  for (const name of ['index', 'unique', 'id']) {
    for (const attr of blockAttributes(model, name)) {
      const list = fieldList(argument(attr, 'fields', 0));
      const type = name === 'index' ? typeArgument(attr) : undefined;
      if (list) keys.push({ text: `@@${name}`, fields: list.map((f) => f.name), ...(type && type !== 'BTree' ? { type } : {}) });
    }
  }
  for (const f of model.fields) {
    for (const name of ['id', 'unique']) if (fieldAttribute(f, name)) keys.push({ text: `@${name} on ${f.name}`, fields: [f.name] });
  }
  return keys;
}

/** Plans the `@@index` for `s` in `doc`; undefined when no model of `doc` maps the table. */
export function prismaIndexPlan(doc: PrismaDocument, s: Suggestion): PrismaIndexPlan | undefined {
  const model = modelForTable(doc, s.schema, s.table);
  if (!model) return undefined;
  const at = { file: model.file, model: model.name };
  if (s.where !== undefined) {
    return { kind: 'sql', ...at, reason: `Prisma's @@index cannot express a partial index (WHERE ${s.where})` };
  }
  if (s.include.length > 0) {
    return { kind: 'sql', ...at, reason: `Prisma's @@index cannot express INCLUDE columns (${s.include.join(', ')})` };
  }
  const expression = s.columns.find((_, i) => s.expressions?.[i]);
  if (expression !== undefined) {
    return { kind: 'sql', ...at, reason: `Prisma's @@index cannot index an expression (${expression})` };
  }
  const using = s.using ?? 'btree';
  const type = PRISMA_INDEX_TYPE[using];
  if (!type) return { kind: 'sql', ...at, reason: `Prisma's @@index has no type for ${using} indexes` };
  if (using === 'btree' && s.opclasses?.some(Boolean)) {
    return { kind: 'sql', ...at, reason: `Prisma's @@index takes an operator class (${s.opclasses.filter(Boolean).join(', ')}) only on Gin, Gist, SpGist and Brin indexes` };
  }
  const fields: PrismaField[] = [];
  for (const column of s.columns) {
    const field = fieldForColumn(doc, model, column);
    if (!field) return { kind: 'sql', ...at, reason: `no scalar field of model ${model.name} maps column ${column}` };
    fields.push(field);
  }
  const names = fields.map((f) => f.name);
  // Only a plain B-tree is served by @@unique / @id too; another type must be declared as such.
  const covering = declaredKeys(model).find((k) => (using === 'btree' ? !k.type : k.type === type) && names.every((n, i) => k.fields[i] === n));
  if (covering) return { kind: 'exists', ...at, attribute: covering.text };
  const items = fields.map((f, i) => {
    const args = [s.opclasses?.[i] ? `ops: ${prismaOps(s.opclasses[i] as string, s.opclassSchemas?.[i])}` : undefined, s.descending?.[i] ? 'sort: Desc' : undefined].filter(Boolean);
    return args.length > 0 ? `${f.name}(${args.join(', ')})` : f.name;
  });
  const attribute = `@@index([${items.join(', ')}]${using !== 'btree' ? `, type: ${type}` : ''})`;
  const source = doc.files.find((f) => f.file === model.file);
  if (!source) return { kind: 'sql', ...at, reason: `the text of ${model.file} is not available` };
  const ext = s.extension?.name;
  const note = ext
    ? `the index needs the ${ext} extension: declare it in the datasource (extensions = [${ext}], preview feature postgresqlExtensions) or create it in a migration first (CREATE EXTENSION IF NOT EXISTS ${ext};)`
    : undefined;
  return { kind: 'edit', ...at, attribute, edit: addBlockAttribute(createLineIndex(source.text), model, attribute), ...(note ? { note } : {}) };
}

/** An `@@index`'s `type:` as written (`Gin`), if any. */
function typeArgument(attr: Parameters<typeof argument>[0]): string | undefined {
  const v = argument(attr, 'type');
  return typeof v === 'string' ? v : undefined;
}

/**
 * Prisma's name of an operator class: its own enum where it has one (pg_catalog's), else
 * `raw("…")`, schema-qualified when the class lives outside pg_catalog (an extension installed
 * in a schema that may not be on the search_path): Prisma writes raw() into the SQL as is.
 */
function prismaOps(opclass: string, schema: string | undefined): string {
  const named: Record<string, string> = { jsonb_path_ops: 'JsonbPathOps', jsonb_ops: 'JsonbOps', array_ops: 'ArrayOps', inet_ops: 'InetOps' };
  if (!schema && named[opclass]) return named[opclass];
  const qualified = schema ? `${/^[a-z_][a-z0-9_$]*$/.test(schema) ? schema : `\\"${schema.replace(/"/g, '\\"\\"')}\\"`}.${opclass}` : opclass;
  return `raw("${qualified}")`;
}

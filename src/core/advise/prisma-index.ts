import { blockAttributes, fieldAttribute, fieldList, argument, type PrismaDocument, type PrismaField, type PrismaModel } from '../prisma/ast';
import { addBlockAttribute } from '../prisma/fix-edits';
import { columnName, isRelationField, schemaName, tableName } from '../prisma/to-schema';
import { createLineIndex } from '../sql/line-index';
import type { TextEdit } from '../types';
import type { Suggestion } from './advise';

/**
 * How an advised index lands in a Prisma project:
 * - `edit`: `@@index([…])` added to the model that maps the table (field names, not columns);
 * - `sql`: the model exists but Prisma cannot express this index (partial, INCLUDE, an
 *   expression), so it goes into a SQL migration — `reason` says why;
 * - `exists`: the model already declares an index that serves the same columns.
 */
export type PrismaIndexPlan =
  | { kind: 'edit'; file: string; model: string; attribute: string; edit: TextEdit }
  | { kind: 'sql'; file: string; model: string; reason: string }
  | { kind: 'exists'; file: string; model: string; attribute: string };

/** The model of `doc` whose table is the suggestion's, if any (views are not indexed). */
export function modelForTable(doc: PrismaDocument, schema: string, table: string): PrismaModel | undefined {
  return doc.models.find((m) => m.kind === 'model' && tableName(m) === table && schemaName(m) === schema);
}

function fieldForColumn(doc: PrismaDocument, model: PrismaModel, column: string): PrismaField | undefined {
  return model.fields.find((f) => columnName(f) === column && !isRelationField(doc, f));
}

/** Field names of `@@index`, `@@unique` and `@@id` attributes, and of `@id`/`@unique` fields. */
function declaredKeys(model: PrismaModel): { text: string; fields: string[] }[] {
  const keys: { text: string; fields: string[] }[] = [];
  for (const name of ['index', 'unique', 'id']) {
    for (const attr of blockAttributes(model, name)) {
      const list = fieldList(argument(attr, 'fields', 0));
      if (list) keys.push({ text: `@@${name}`, fields: list.map((f) => f.name) });
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
  const fields: PrismaField[] = [];
  for (const column of s.columns) {
    const field = fieldForColumn(doc, model, column);
    if (!field) return { kind: 'sql', ...at, reason: `no scalar field of model ${model.name} maps column ${column}` };
    fields.push(field);
  }
  const names = fields.map((f) => f.name);
  const covering = declaredKeys(model).find((k) => names.every((n, i) => k.fields[i] === n));
  if (covering) return { kind: 'exists', ...at, attribute: covering.text };
  const items = fields.map((f, i) => (s.descending?.[i] ? `${f.name}(sort: Desc)` : f.name));
  const attribute = `@@index([${items.join(', ')}])`;
  const source = doc.files.find((f) => f.file === model.file);
  if (!source) return { kind: 'sql', ...at, reason: `the text of ${model.file} is not available` };
  return { kind: 'edit', ...at, attribute, edit: addBlockAttribute(createLineIndex(source.text), model, attribute) };
}

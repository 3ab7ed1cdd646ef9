import { isUuidDefault, rule as sqlRule } from '../../lint/rules/prefer-uuid-type';
import type { TextEdit } from '../../types';
import { argument, fieldAttribute, functionName, nativeTypeAttribute, stringValue, type PrismaField } from '../ast';
import { insertAfterType, replaceAttribute } from '../fix-edits';
import type { PrismaRule } from '../prisma-rule';
import { referencingFields } from '../to-schema';

/**
 * prefer-uuid-type: a `String` field filled with UUIDs (`@default(uuid())` or
 * `@default(dbgenerated("gen_random_uuid()"))`) without `@db.Uuid`, so stored as text. The fix
 * adds `@db.Uuid` to it and to every relation field referencing it (a foreign key must have
 * its key's type); with a referencing field in another file there is no fix.
 */
const TEXT_TYPES = new Set(['text', 'varchar', 'char']);

export const rule: PrismaRule = {
  id: 'prefer-uuid-type',
  defaultSeverity: sqlRule.defaultSeverity,
  check(context) {
    for (const [column, { model, field }] of context.schema.columnOrigins) {
      if (field.type !== 'String' || field.list || !TEXT_TYPES.has(column.type)) continue;
      const generator = uuidGenerator(field);
      if (!generator) continue;
      const refs = referencingFields(context.schema, model, field).filter((r) => nativeTypeAttribute(r.field)?.name !== 'db.Uuid');
      const elsewhere = refs.filter((r) => r.model.file !== model.file);
      const toUuid = (f: PrismaField): TextEdit => {
        const native = nativeTypeAttribute(f);
        return native ? replaceAttribute(native, '@db.Uuid') : insertAfterType(context.lines(model.file), f, '@db.Uuid');
      };
      const also = refs.length ? ` (with ${refs.map((r) => `${r.model.name}.${r.field.name}`).join(', ')})` : '';
      context.report({
        file: model.file,
        range: field.range,
        message:
          `${model.name}.${field.name} holds ${generator} values as ${column.type}: 37 bytes per value instead of 16, compared as collated text, ` +
          `so its indexes${refs.length ? ' and those of the fields referencing it' : ''} are over twice as large and slower; add @db.Uuid${also}`,
        fix: elsewhere.length
          ? undefined
          : { title: `Add @db.Uuid to ${model.name}.${field.name}${refs.length ? ` and ${refs.length} referencing field(s)` : ''}`, edits: [field, ...refs.map((r) => r.field)].map(toUuid) },
      });
    }
  },
};

/** `uuid()` or the generator in `dbgenerated("…")`, as the message names it; undefined for other defaults. */
function uuidGenerator(field: PrismaField): string | undefined {
  const value = argument(fieldAttribute(field, 'default'), 'value', 0);
  const fn = functionName(value);
  if (fn === 'uuid') return 'uuid()';
  if (fn !== 'dbgenerated' || !value || typeof value !== 'object' || Array.isArray(value) || value.type !== 'function') return undefined;
  const sql = stringValue(value.params?.[0]);
  return sql !== undefined && isUuidDefault(sql) ? sql : undefined;
}

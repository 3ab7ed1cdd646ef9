import { rule as sqlRule } from '../../lint/rules/prefer-bigint-over-int';
import { intKeyLimit } from '../../schema/type-names';
import type { TextEdit } from '../../types';
import { fieldAttribute, nativeTypeAttribute, type PrismaField } from '../ast';
import { removeFieldAttribute, replaceType } from '../fix-edits';
import type { PrismaRule } from '../prisma-rule';
import { referencingFields } from '../to-schema';

/**
 * prefer-bigint-over-int: `Int @id` (or `Int @default(autoincrement())`), stored as integer.
 * The fix turns it and every relation field referencing it into `BigInt` in one edit (a
 * foreign key must have its key's type); when one of those lives in another file of a
 * multi-file schema, the message lists it and there is no fix.
 */
export const rule: PrismaRule = {
  id: 'prefer-bigint-over-int',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    for (const [column, { model, field }] of context.schema.columnOrigins) {
      if (field.type !== 'Int' || field.list) continue;
      const limit = intKeyLimit(column.type);
      const isId = fieldAttribute(field, 'id') !== undefined;
      if (limit === undefined || (!isId && !column.serial)) continue;
      const refs = referencingFields(context.schema, model, field);
      const elsewhere = refs.filter((r) => r.model.file !== model.file);
      const refText = refs.length ? ` and ${refs.map((r) => `${r.model.name}.${r.field.name}`).join(', ')}` : '';
      const retype = (f: PrismaField): TextEdit[] => {
        const native = nativeTypeAttribute(f);
        const edits = [replaceType(f, 'BigInt')];
        if (native) edits.push(removeFieldAttribute(context.lines(model.file), native));
        return edits;
      };
      context.report({
        file: model.file,
        range: field.range,
        message:
          `${isId ? 'the id' : 'the autoincrement field'} ${model.name}.${field.name} is Int (${column.type}): once it passes ${limit.toLocaleString('en-US')} every insert ` +
          `fails, and widening it later rewrites the table and every referencing foreign key under ACCESS EXCLUSIVE; use BigInt${
            refs.length ? ` (with ${refs.map((r) => `${r.model.name}.${r.field.name}`).join(', ')})` : ''
          }`,
        fix: elsewhere.length
          ? undefined
          : {
              title: `Change ${model.name}.${field.name}${refText} to BigInt`,
              edits: [field, ...refs.map((r) => r.field)].flatMap(retype),
            },
      });
    }
  },
};

import { rule as sqlRule } from '../../lint/rules/prefer-jsonb';
import { nativeTypeAttribute } from '../ast';
import { removeFieldAttribute } from '../fix-edits';
import type { PrismaRule } from '../prisma-rule';

/** prefer-jsonb: `Json @db.Json` (Prisma's `Json` is jsonb unless told otherwise); the fix drops `@db.Json`. */
export const rule: PrismaRule = {
  id: 'prefer-jsonb',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    for (const [column, { model, field }] of context.schema.columnOrigins) {
      const native = nativeTypeAttribute(field);
      if (field.type !== 'Json' || column.type !== 'json' || !native) continue;
      context.report({
        file: model.file,
        range: native.range,
        message:
          `${model.name}.${field.name} is json (@db.Json): the text is re-parsed on every access, it cannot have a GIN index for ` +
          'path or containment filters, and it has no equality operator; remove @db.Json (Prisma\'s Json is jsonb)',
        fix: { title: 'Remove @db.Json (use jsonb)', edits: [removeFieldAttribute(context.lines(model.file), native)] },
      });
    }
  },
};

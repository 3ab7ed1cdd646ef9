import { rule as sqlRule } from '../../lint/rules/ban-char-field';
import { nativeTypeAttribute } from '../ast';
import { replaceAttribute } from '../fix-edits';
import type { PrismaRule } from '../prisma-rule';

/** ban-char-field: `String @db.Char(n)` (blank-padded); the fix makes it `@db.VarChar(n)`. */
export const rule: PrismaRule = {
  id: 'ban-char-field',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    for (const [column, { model, field }] of context.schema.columnOrigins) {
      const native = nativeTypeAttribute(field);
      if (column.type !== 'char' || !native) continue;
      const n = column.typeModifiers[0] ?? 1;
      context.report({
        file: model.file,
        range: native.range,
        message:
          `${model.name}.${field.name} is char(${n}): every value is blank-padded to ${n} characters, so Prisma reads the padding back ` +
          "('ab' comes back as 'ab' plus spaces), and it is no faster than text; use @db.VarChar(" + n + ') or drop the native type',
        fix: { title: `Use @db.VarChar(${n})`, edits: [replaceAttribute(native, `@db.VarChar(${n})`)] },
      });
    }
  },
};

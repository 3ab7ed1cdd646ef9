import { rule as sqlRule } from '../../lint/rules/prefer-timestamptz';
import { nativeTypeAttribute } from '../ast';
import { insertAfterType, replaceAttribute } from '../fix-edits';
import type { PrismaRule } from '../prisma-rule';

/**
 * prefer-timestamptz: a `DateTime` without `@db.Timestamptz` (Prisma's default is
 * `timestamp(3)` without time zone). The fix adds `@db.Timestamptz(3)`, or turns a
 * `@db.Timestamp(p)` into `@db.Timestamptz(p)`.
 */
export const rule: PrismaRule = {
  id: 'prefer-timestamptz',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    for (const [column, { model, field }] of context.schema.columnOrigins) {
      if (field.type !== 'DateTime' || column.type !== 'timestamp') continue;
      const native = nativeTypeAttribute(field);
      const precision = column.typeModifiers.length === 1 ? column.typeModifiers[0] : undefined;
      const replacement = `@db.Timestamptz${precision === undefined ? '' : `(${precision})`}`;
      context.report({
        file: model.file,
        range: field.range,
        message:
          `${model.name}.${field.name} is DateTime without @db.Timestamptz, which Prisma stores as timestamp without time zone: ` +
          'the value keeps no zone, so anything that writes or reads it outside Prisma (SQL now(), other clients, reports) in another ' +
          'TimeZone is hours off; use @db.Timestamptz (same 8 bytes, Prisma reads and writes the same instants)',
        fix: native
          ? { title: `Use ${replacement}`, edits: [replaceAttribute(native, replacement)] }
          : { title: 'Add @db.Timestamptz(3)', edits: [insertAfterType(context.lines(model.file), field, '@db.Timestamptz(3)')] },
      });
    }
  },
};

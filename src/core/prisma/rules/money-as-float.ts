import { isFloatType, isMoneyColumnName, rule as sqlRule } from '../../lint/rules/money-as-float';
import { nativeTypeAttribute } from '../ast';
import { insertAfterType, replaceAttribute, replaceType } from '../fix-edits';
import type { PrismaRule } from '../prisma-rule';

/** money-as-float: a `Float` field whose name (or mapped column name) says money; the fix makes it `Decimal @db.Decimal(12, 2)`. */
export const rule: PrismaRule = {
  id: 'money-as-float',
  defaultSeverity: sqlRule.defaultSeverity,
  check(context) {
    for (const [column, { model, field }] of context.schema.columnOrigins) {
      if (field.type !== 'Float' || !isFloatType(column.type)) continue;
      if (!isMoneyColumnName(field.name) && !isMoneyColumnName(column.name)) continue;
      const lines = context.lines(model.file);
      const native = nativeTypeAttribute(field);
      const decimal = '@db.Decimal(12, 2)';
      context.report({
        file: model.file,
        range: field.range,
        message:
          `${model.name}.${field.name} is Float (${column.type}), binary floating point: 0.10 has no exact representation, so sums of money ` +
          'drift (0.1 + 0.2 = 0.30000000000000004) and equality checks on amounts fail; use Decimal @db.Decimal(12, 2) or Int cents',
        fix: {
          title: `Change ${field.name} to Decimal ${decimal}`,
          edits: [
            replaceType(field, 'Decimal'),
            native ? replaceAttribute(native, decimal) : insertAfterType(lines, field, decimal),
          ],
        },
      });
    }
  },
};

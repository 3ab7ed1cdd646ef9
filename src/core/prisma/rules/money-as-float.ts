import { NUMERIC_ADVICE, rule as sqlRule } from '../../lint/rules/money-as-float';
import { floatToNumericDigits, isFloatType, isMoneyColumnName } from '../../schema/money-columns';
import { nativeTypeAttribute } from '../ast';
import { insertAfterType, replaceAttribute, replaceType } from '../fix-edits';
import type { PrismaRule } from '../prisma-rule';

/**
 * money-as-float: a `Float` field whose name (or mapped column name) says money; the fix makes
 * it `Decimal @db.Decimal`: Postgres `numeric` without precision/scale (exact, nothing rounded,
 * no overflow), not Prisma's default `Decimal(65,30)` nor a guessed `Decimal(12, 2)`.
 */
export const rule: PrismaRule = {
  id: 'money-as-float',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    for (const [column, { model, field }] of context.schema.columnOrigins) {
      if (field.type !== 'Float' || !isFloatType(column.type)) continue;
      if (!isMoneyColumnName(field.name) && !isMoneyColumnName(column.name)) continue;
      const lines = context.lines(model.file);
      const native = nativeTypeAttribute(field);
      const decimal = '@db.Decimal';
      context.report({
        file: model.file,
        range: field.range,
        message:
          `${model.name}.${field.name} is Float (${column.type}), binary floating point: 0.10 has no exact representation, so sums of money ` +
          `drift (0.1 + 0.2 = 0.30000000000000004) and equality checks on amounts fail; use Decimal @db.Decimal (${NUMERIC_ADVICE}) or Int minor units. ` +
          'If the table already exists, Prisma Migrate casts the column in place (ALTER COLUMN … SET DATA TYPE DECIMAL), which rewrites the table ' +
          `under an ACCESS EXCLUSIVE lock and rounds the existing ${column.type} values to ${floatToNumericDigits(column.type)} significant digits; ` +
          'Prisma Client then returns Prisma.Decimal instead of number',
        fix: {
          title: `Change ${field.name} to Decimal ${decimal} (exact decimal; add a precision/scale only when you know the range and the sub-unit digits)`,
          edits: [
            replaceType(field, 'Decimal'),
            native ? replaceAttribute(native, decimal) : insertAfterType(lines, field, decimal),
          ],
        },
      });
    }
  },
};

import type { Rule } from '../rule';
import { floatToNumericDigits, isFloatType, isMoneyColumnName } from '../../schema/money-columns';
import { columnDefinitions } from './support/column-definitions';

/**
 * money-as-float: a binary floating-point column whose name says it holds money.
 */

/**
 * The advice and the fix name plain `numeric`: exact, and with no precision/scale nothing is
 * rounded (a scale of 2 turns a unit price of 0.0049 into 0.00) and nothing overflows
 * (`numeric(12,2)` rejects 10^10 and up: "numeric field overflow"). Exported for the Prisma rule.
 */
export const NUMERIC_ADVICE =
  'exact decimal, nothing rounded and no overflow; add a precision/scale only when you know the range and the sub-unit digits ' +
  '(a scale of 2 rounds a unit price of 0.0049 to 0.00)';

export const rule: Rule = {
  id: 'money-as-float',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: {
    description:
      'Money stored as binary floating point: amounts like 0.10 are not exact, so sums and comparisons drift by cents.',
  },
  check(context) {
    for (const col of columnDefinitions(context.statement, context.schema)) {
      if (!isFloatType(col.type) || !isMoneyColumnName(col.column)) continue;
      let existing = '';
      // The USING expression stays as written: with only the type changed, values could still pass through float.
      const using = col.origin === 'alter-type' && col.def.raw_default !== undefined;
      if (col.origin === 'alter-type') {
        const before = context.table(col.table)?.columns.find((c) => c.name === col.column);
        const lock = 'rewrites the table under an ACCESS EXCLUSIVE lock';
        existing =
          before?.type === 'numeric'
            ? `; the column is numeric now: this change ${lock} and rounds every value to floating point, while keeping it numeric rewrites nothing`
            : `; this ALTER COLUMN … TYPE ${lock} (to numeric as well)` +
              (before && isFloatType(before.type)
                ? `, and its existing ${before.type} values become numeric rounded to ${floatToNumericDigits(before.type)} significant digits`
                : '');
        if (using) existing += '; the USING expression would still pass the values through floating point, so there is no fix: change the type to numeric and write the USING yourself';
      }
      context.report({
        message:
          `"${col.column}" is ${col.type}, binary floating point: 0.10 has no exact representation, ` +
          'so sums of money drift (0.1 + 0.2 = 0.30000000000000004) and equality checks on amounts fail; ' +
          `use numeric (${NUMERIC_ADVICE}) or integer minor units${existing}`,
        range: col.range,
        fix: using
          ? undefined
          : {
              title: 'Change the type to numeric (exact decimal; add a precision/scale only when you know the range and the sub-unit digits)',
              edits: [{ range: col.typeRange, newText: 'numeric' }],
            },
      });
    }
  },
};

import type { Rule } from '../rule';
import { columnDefinitions } from './support/column-definitions';

/**
 * money-as-float: a binary floating-point column whose name says it holds money.
 *
 * Exported for the Prisma and live-catalog checks, so all three agree:
 * - `isMoneyColumnName(name)`: the name has a money word (price, amount, total, cost, fee,
 *   tax, balance, salary, revenue, payment, charge, discount, subtotal, or their plural) as
 *   one of its words, split on `_`, digits and camelCase (`unit_price`, `totalAmount`).
 * - `isFloatType(type)`: a canonical type name (schema/type-names) that is binary floating point.
 */
const MONEY_WORDS = new Set([
  'price', 'amount', 'total', 'cost', 'fee', 'tax', 'balance', 'salary', 'revenue', 'payment', 'charge',
  'discount', 'subtotal',
]);
const PLURALS: Record<string, string> = { taxes: 'tax', salaries: 'salary' };

export function isMoneyColumnName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/);
  return words.some((w) => {
    const singular = PLURALS[w] ?? (w.endsWith('s') ? w.slice(0, -1) : w);
    return MONEY_WORDS.has(w) || MONEY_WORDS.has(singular);
  });
}

export function isFloatType(type: string): boolean {
  return type === 'real' || type === 'double precision';
}

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
      context.report({
        message:
          `"${col.column}" is ${col.type}, binary floating point: 0.10 has no exact representation, ` +
          'so sums of money drift (0.1 + 0.2 = 0.30000000000000004) and equality checks on amounts fail; ' +
          'use numeric(12,2) or integer cents',
        range: col.range,
        fix: { title: 'Change the type to numeric(12,2)', edits: [{ range: col.typeRange, newText: 'numeric(12,2)' }] },
      });
    }
  },
};

/**
 * Money held in binary floating point, for the money-as-float rule (SQL and Prisma) and the
 * ERD, so all agree:
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

/** Significant digits Postgres keeps converting a float to numeric (PG15: `0.1::float8::numeric` is 0.1, 123456.79::real is 123457). */
export function floatToNumericDigits(type: string): number {
  return type === 'real' ? 6 : 15;
}

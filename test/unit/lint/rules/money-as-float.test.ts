import assert from 'node:assert/strict';
import { rule } from '../../../../src/core/lint/rules/money-as-float';
import { isFloatType, isMoneyColumnName } from '../../../../src/core/schema/money-columns';
import { lintCase, runRuleTests } from '../rule-tester';
import { loadSqlParser } from '../../../../src/core/sql/parse';

describe('isMoneyColumnName', () => {
  it('finds money words split on _, digits and camelCase, plural or not', () => {
    for (const n of ['price', 'unit_price', 'totalAmount', 'TAX', 'fees', 'salaries', 'taxes', 'amount2', 'sub_total_cost']) {
      assert.ok(isMoneyColumnName(n), n);
    }
  });
  it('ignores words that merely contain a money word', () => {
    for (const n of ['taxonomy', 'discharge_rate', 'costume', 'latitude', 'priceless_flag_x'.replace('priceless', 'pricey')]) {
      assert.ok(!isMoneyColumnName(n), n);
    }
  });
  it('knows the float types by canonical name', () => {
    assert.ok(isFloatType('real') && isFloatType('double precision'));
    assert.ok(!isFloatType('numeric') && !isFloatType('integer'));
  });
});

describe('money-as-float fix', () => {
  before(() => loadSqlParser());
  it('is plain numeric, and its title says why (no precision/scale: nothing rounded, nothing overflows)', () => {
    const [f] = lintCase(rule, { code: 'CREATE TABLE fx (id bigint PRIMARY KEY, unit_price double precision);' });
    assert.match(f.fix!.title, /^Change the type to numeric \(exact decimal/);
    assert.match(f.fix!.title, /precision\/scale only when you know the range and the sub-unit digits/);
    assert.doesNotMatch(f.message + f.fix!.title, /12, ?2/);
  });
});

runRuleTests(rule, {
  valid: [
    'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2), price_cents bigint);',
    'CREATE TABLE points (latitude double precision, longitude float8, weight real);',
    { setup: 'CREATE TABLE orders (id bigint, total numeric);', code: 'ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);' },
    'SELECT 1.5::float8 AS price;',
  ],
  invalid: [
    {
      code: 'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  total double precision NOT NULL,\n  tax float4\n);',
      errors: [
        { message: '"total" is double precision', line: 3, column: 3, endLine: 3, endColumn: 34 },
        { message: /"tax" is real.*0\.30000000000000004.*use numeric/, line: 4, column: 3, endColumn: 13 },
      ],
      output: 'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  total numeric NOT NULL,\n  tax numeric\n);',
    },
    {
      // numeric(12,2) would round a unit price of 0.0049 to 0.00 and reject totals of 10^10 or more
      // (PG15: "numeric field overflow … must round to an absolute value less than 10^10").
      name: 'sub-cent unit prices and FX rates: plain numeric, no scale that rounds them',
      code: 'CREATE TABLE fx_quotes (\n  id bigint PRIMARY KEY,\n  unit_price double precision NOT NULL,\n  fee_amount real\n);',
      errors: [
        { message: /^(?!.*12,2).*"unit_price" is double precision.*use numeric/, line: 3 },
        { message: /^(?!.*12,2).*"fee_amount" is real/, line: 4 },
      ],
      output: 'CREATE TABLE fx_quotes (\n  id bigint PRIMARY KEY,\n  unit_price numeric NOT NULL,\n  fee_amount numeric\n);',
    },
    {
      name: 'ADD COLUMN with float(n) and an array',
      setup: 'CREATE TABLE items (id bigint PRIMARY KEY);',
      code: 'ALTER TABLE items ADD COLUMN "unitPrice" float(10), ADD COLUMN discounts float8[];',
      errors: [
        { message: '"unitPrice" is real', line: 1, column: 30, endColumn: 51 },
        { message: '"discounts" is double precision', line: 1, column: 64 },
      ],
      output: 'ALTER TABLE items ADD COLUMN "unitPrice" numeric, ADD COLUMN discounts numeric[];',
    },
    {
      name: 'ALTER COLUMN TYPE of existing data: the fix keeps the rewrite it already is, and says what it does to the values',
      setup: 'CREATE TABLE items (id bigint PRIMARY KEY, unit_price double precision, unit_cost real);',
      code: 'ALTER TABLE items ALTER COLUMN unit_price TYPE real, ALTER COLUMN unit_cost TYPE float8;',
      errors: [
        { message: /"unit_price" is real.*rewrites the table under an ACCESS EXCLUSIVE lock.*double precision values become numeric rounded to 15 significant digits/, line: 1, column: 32 },
        { message: /"unit_cost" is double precision.*real values become numeric rounded to 6 significant digits/, line: 1, column: 67 },
      ],
      output: 'ALTER TABLE items ALTER COLUMN unit_price TYPE numeric, ALTER COLUMN unit_cost TYPE numeric;',
    },
    {
      name: 'ALTER COLUMN TYPE of a numeric column to a float: keeping numeric rewrites nothing',
      setup: 'CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric(12,2));',
      code: 'ALTER TABLE accounts ALTER COLUMN balance TYPE float8;',
      errors: [{ message: /"balance" is double precision.*the column is numeric now: this change rewrites the table under an ACCESS EXCLUSIVE lock.*keeping it numeric rewrites nothing/ }],
      output: 'ALTER TABLE accounts ALTER COLUMN balance TYPE numeric;',
    },
    {
      name: 'ALTER COLUMN TYPE … USING a float cast: no fix (the values would still pass through float)',
      setup: 'CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric);',
      code: 'ALTER TABLE accounts ALTER COLUMN balance TYPE double precision USING balance::float8;',
      errors: [{ message: /"balance" is double precision.*USING expression/, line: 1, column: 35 }],
      output: null,
    },
  ],
});

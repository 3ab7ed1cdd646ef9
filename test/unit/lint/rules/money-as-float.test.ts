import assert from 'node:assert/strict';
import { isFloatType, isMoneyColumnName, rule } from '../../../../src/core/lint/rules/money-as-float';
import { runRuleTests } from '../rule-tester';

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
        { message: /"tax" is real.*0\.30000000000000004.*numeric\(12,2\)/, line: 4, column: 3, endColumn: 13 },
      ],
      output: 'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  total numeric(12,2) NOT NULL,\n  tax numeric(12,2)\n);',
    },
    {
      name: 'ADD COLUMN with float(n) and an array',
      setup: 'CREATE TABLE items (id bigint PRIMARY KEY);',
      code: 'ALTER TABLE items ADD COLUMN "unitPrice" float(10), ADD COLUMN discounts float8[];',
      errors: [
        { message: '"unitPrice" is real', line: 1, column: 30, endColumn: 51 },
        { message: '"discounts" is double precision', line: 1, column: 64 },
      ],
      output: 'ALTER TABLE items ADD COLUMN "unitPrice" numeric(12,2), ADD COLUMN discounts numeric(12,2)[];',
    },
    {
      name: 'ALTER COLUMN TYPE to a float',
      setup: 'CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric);',
      code: 'ALTER TABLE accounts ALTER COLUMN balance TYPE double precision USING balance::float8;',
      errors: [{ message: '"balance" is double precision', line: 1, column: 35 }],
      output: 'ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(12,2) USING balance::float8;',
    },
  ],
});

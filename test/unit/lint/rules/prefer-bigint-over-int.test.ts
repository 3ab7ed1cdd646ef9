import assert from 'node:assert/strict';
import { intKeyLimit, rule } from '../../../../src/core/lint/rules/prefer-bigint-over-int';
import { runRuleTests } from '../rule-tester';

describe('intKeyLimit', () => {
  it('gives the maximum of the narrow integer types only', () => {
    assert.equal(intKeyLimit('integer'), 2147483647);
    assert.equal(intKeyLimit('smallint'), 32767);
    assert.equal(intKeyLimit('bigint'), undefined);
  });
});

runRuleTests(rule, {
  valid: [
    'CREATE TABLE t (id bigint PRIMARY KEY, n integer);',
    'CREATE TABLE t (id bigserial PRIMARY KEY, qty int NOT NULL);',
    'CREATE TABLE t (id uuid PRIMARY KEY, position smallint);',
    { setup: 'CREATE TABLE t (id bigint PRIMARY KEY, n bigint);', code: 'ALTER TABLE t ALTER COLUMN n TYPE integer;' },
  ],
  invalid: [
    {
      code: 'CREATE TABLE t (\n  id integer PRIMARY KEY,\n  name text\n);',
      errors: [{ message: /primary key "id" is integer: once it passes 2,147,483,647 every insert fails/, line: 2, column: 3, endColumn: 25 }],
      output: 'CREATE TABLE t (\n  id bigint PRIMARY KEY,\n  name text\n);',
    },
    {
      name: 'table-level composite key, serial and identity columns',
      code: 'CREATE TABLE t (a int4, b smallint, s serial, i int GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (a, b));',
      errors: [
        { message: 'primary key "a" is integer', column: 17 },
        { message: /primary key "b" is smallint: once it passes 32,767/, column: 25 },
        { message: 'serial column "s" is serial', column: 37 },
        { message: 'identity column "i" is integer', column: 47 },
      ],
      output: 'CREATE TABLE t (a bigint, b bigint, s bigserial, i bigint GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (a, b));',
    },
    {
      name: 'ALTER COLUMN TYPE on an existing primary key',
      setup: 'CREATE TABLE t (id bigint PRIMARY KEY);',
      code: 'ALTER TABLE t ALTER COLUMN id TYPE integer;',
      errors: [{ message: 'primary key "id" is integer', line: 1, column: 28 }],
      output: 'ALTER TABLE t ALTER COLUMN id TYPE bigint;',
    },
  ],
});

import assert from 'node:assert/strict';
import { rule } from '../../../../src/core/lint/rules/identifier-too-long';
import { identifierByteLength } from '../../../../src/core/schema/identifier-length';
import { runRuleTests } from '../rule-tester';

const long = 'subscription_line_items_billing_period_start_customer_account_id_idx'; // 68 bytes
const sixtyThree = 'a'.repeat(63);

describe('identifierByteLength', () => {
  it('counts UTF-8 bytes, not characters', () => {
    assert.equal(identifierByteLength('abc'), 3);
    assert.equal(identifierByteLength('é'), 2);
  });
});

runRuleTests(rule, {
  valid: [
    `CREATE TABLE ${sixtyThree} (id bigint);`,
    `SELECT ${long} FROM t;`,
    'CREATE INDEX short_idx ON t (a);',
    { name: 'references to a long name are not reported', code: `CREATE INDEX short_idx ON ${long} (a);\nCREATE TABLE c (x bigint REFERENCES ${long});\nALTER TABLE ${long} ADD COLUMN b int;` },
  ],
  invalid: [
    {
      code: `CREATE INDEX ${long}\n  ON t (a);`,
      errors: [{ message: /is 68 bytes: Postgres silently truncates it to 63 \("subscription_line_items_billing_period_start_customer_account_i"\)/, line: 1, column: 14, endColumn: 82 }],
      output: null,
    },
    {
      name: 'quoted mixed-case column and a multi-byte name, each reported once',
      code: `CREATE TABLE t ("${'Ä'.repeat(32)}" int, b int, CONSTRAINT ${'c'.repeat(64)} CHECK (b > 0), CONSTRAINT x UNIQUE (b));\nALTER TABLE t RENAME b TO "${'B'.repeat(64)}";`,
      errors: [
        { message: `"${'Ä'.repeat(32)}" is 64 bytes: Postgres silently truncates it to 63 ("${'Ä'.repeat(31)}")`, line: 1, column: 17 },
        { message: `"${'c'.repeat(64)}" is 64 bytes`, line: 1, column: 75 },
        { message: `"${'B'.repeat(64)}" is 64 bytes`, line: 2, column: 27 },
      ],
    },
    {
      name: 'ADD COLUMN on an existing table',
      setup: 'CREATE TABLE t (a int);',
      code: `ALTER TABLE t ADD COLUMN ${'x'.repeat(70)} int;`,
      errors: [{ message: 'is 70 bytes', column: 26 }],
    },
  ],
});

import assert from 'node:assert/strict';
import { rule } from '../../../../src/core/lint/rules/prefer-bigint-over-int';
import { intKeyLimit } from '../../../../src/core/schema/type-names';
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
    {
      name: 'a plain counter in a composite primary key (nothing draws it from a sequence)',
      setup: 'CREATE TABLE jobs (id bigint PRIMARY KEY);',
      code: 'CREATE TABLE job_attempts (\n  job_id bigint NOT NULL REFERENCES jobs,\n  attempt integer NOT NULL,\n  PRIMARY KEY (job_id, attempt)\n);',
    },
    { name: 'a smallint position in a composite key', code: 'CREATE TABLE order_lines (order_id bigint, line_no smallint, PRIMARY KEY (order_id, line_no));' },
    {
      name: 'ALTER COLUMN TYPE on a plain column of an existing composite key',
      setup: 'CREATE TABLE job_attempts (job_id bigint, attempt bigint, PRIMARY KEY (job_id, attempt));',
      code: 'ALTER TABLE job_attempts ALTER COLUMN attempt TYPE integer;',
    },
    {
      name: 'a foreign key to another table (not to this key) does not count',
      setup: 'CREATE TABLE jobs (id bigint PRIMARY KEY);\nCREATE TABLE job_attempts (job_id bigint REFERENCES jobs, attempt int, PRIMARY KEY (job_id, attempt));',
      code: 'CREATE TABLE notes (job_id bigint REFERENCES jobs (id), body text);',
    },
  ],
  invalid: [
    {
      code: 'CREATE TABLE t (\n  id integer PRIMARY KEY,\n  name text\n);',
      errors: [{ message: /primary key "id" is integer: once it passes 2,147,483,647 every insert fails/, line: 2, column: 3, endColumn: 25 }],
      output: 'CREATE TABLE t (\n  id bigint PRIMARY KEY,\n  name text\n);',
    },
    {
      name: 'table-level single-column key, serial and identity columns',
      code: 'CREATE TABLE t (a int4, b smallint, s serial, i int GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (b));',
      errors: [
        { message: /primary key "b" is smallint: once it passes 32,767/, column: 25 },
        { message: 'serial column "s" is serial', column: 37 },
        { message: 'identity column "i" is integer', column: 47 },
      ],
      output: 'CREATE TABLE t (a int4, b bigint, s bigserial, i bigint GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (b));',
    },
    {
      name: 'sequence-backed columns of a composite key',
      code: "CREATE TABLE t (tenant bigint, id int DEFAULT nextval('t_id_seq'), s serial, PRIMARY KEY (tenant, id, s));",
      errors: [{ message: 'primary key "id" is integer', column: 32 }, { message: 'primary key "s" is serial' }],
      output: "CREATE TABLE t (tenant bigint, id bigint DEFAULT nextval('t_id_seq'), s bigserial, PRIMARY KEY (tenant, id, s));",
    },
    {
      name: 'a composite key that a foreign key in the same file references',
      code: 'CREATE TABLE regions (a int, b int, PRIMARY KEY (a, b));\nCREATE TABLE shops (id bigint PRIMARY KEY, ra int, rb int, FOREIGN KEY (ra, rb) REFERENCES regions);',
      errors: [{ message: 'primary key "a" is integer' }, { message: 'primary key "b" is integer' }],
    },
    {
      name: 'ALTER COLUMN TYPE on a composite key an earlier migration references',
      setup: 'CREATE TABLE regions (a bigint, b bigint, PRIMARY KEY (a, b));\nCREATE TABLE shops (ra bigint, rb bigint);\nALTER TABLE shops ADD CONSTRAINT shops_region_fk FOREIGN KEY (ra, rb) REFERENCES regions (a, b);',
      code: 'ALTER TABLE regions ALTER COLUMN b TYPE integer;',
      errors: [{ message: 'primary key "b" is integer' }],
      output: 'ALTER TABLE regions ALTER COLUMN b TYPE bigint;',
    },
    {
      name: 'ALTER COLUMN TYPE on a sequence-backed column of a composite key',
      setup: "CREATE TABLE t (tenant bigint, id bigint DEFAULT nextval('t_id_seq'), PRIMARY KEY (tenant, id));",
      code: 'ALTER TABLE t ALTER COLUMN id TYPE integer;',
      errors: [{ message: 'primary key "id" is integer' }],
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

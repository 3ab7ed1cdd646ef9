import { rule } from '../../../../src/core/lint/rules/adding-required-field';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY);';

runRuleTests(rule, {
  valid: [
    { setup, code: "ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT '';" },
    { setup, code: 'ALTER TABLE users ADD COLUMN name text;' },
    { setup, code: 'ALTER TABLE users ADD COLUMN seq bigserial NOT NULL;' },
    { setup, code: 'ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY NOT NULL;' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN name text NOT NULL;' },
  ],
  invalid: [
    {
      setup,
      code: 'ALTER TABLE users ADD COLUMN name text NOT NULL;',
      errors: [{ message: 'column contains null values', line: 1, column: 30, endColumn: 48 }],
    },
    {
      setup,
      code: 'ALTER TABLE users\n  ADD COLUMN a int,\n  ADD COLUMN b int NOT NULL;',
      errors: [{ message: 'column b', line: 3, column: 14, endColumn: 28 }],
    },
    { name: 'DEFAULT NULL fills nothing', setup, code: 'ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT NULL;', errors: [{ message: 'column name' }] },
    { name: 'primary key implies NOT NULL', code: 'ALTER TABLE legacy ADD COLUMN id bigint PRIMARY KEY;', errors: [{ message: 'existing table legacy' }] },
  ],
});

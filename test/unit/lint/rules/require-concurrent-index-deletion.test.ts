import { rule } from '../../../../src/core/lint/rules/require-concurrent-index-deletion';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX users_email_idx ON users (email);';
const setup2 =
  setup +
  '\nCREATE INDEX users_id_email_idx ON users (id, email);\nCREATE TABLE orgs (id bigint PRIMARY KEY);' +
  '\nCREATE TABLE app.users (id bigint PRIMARY KEY, email text);\nCREATE INDEX app_users_email_idx ON app.users (email);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'DROP INDEX CONCURRENTLY users_email_idx;' },
    { setup, code: 'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;' },
    { name: 'index of a table created in the same file', code: 'CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;' },
    { setup, code: 'DROP TABLE users;' },
    // The table is already ACCESS EXCLUSIVE locked until COMMIT: the instant drop adds no blocking.
    { name: 'after an ALTER TABLE of the same table in the migration transaction', setup, inTransaction: true, code: 'ALTER TABLE users ADD COLUMN name text;\nDROP INDEX users_email_idx;' },
    { name: 'after an ALTER TABLE inside BEGIN … COMMIT', setup, code: 'BEGIN;\nALTER TABLE users ADD COLUMN name text;\nDROP INDEX users_email_idx;\nCOMMIT;' },
    { name: 'after LOCK TABLE … ACCESS EXCLUSIVE', setup, inTransaction: true, code: 'LOCK TABLE users IN ACCESS EXCLUSIVE MODE;\nDROP INDEX users_email_idx;' },
    {
      name: 'schema-qualified, after a search_path change',
      setup: setup2,
      inTransaction: true,
      code: 'SET search_path = app;\nALTER TABLE users ADD COLUMN name text;\nDROP INDEX app.app_users_email_idx;',
    },
  ],
  invalid: [
    {
      setup,
      code: 'DROP INDEX users_email_idx;',
      errors: [{ message: 'ACCESS EXCLUSIVE', line: 1, column: 1, endColumn: 11 }],
      output: 'DROP INDEX CONCURRENTLY users_email_idx;',
    },
    { name: 'unknown index (live database) still locks', code: 'DROP INDEX IF EXISTS app.old_idx;', errors: [{ message: 'DROP INDEX CONCURRENTLY' }], output: 'DROP INDEX CONCURRENTLY IF EXISTS app.old_idx;' },
    { name: 'no fix with CASCADE', setup, code: 'DROP INDEX users_email_idx CASCADE;', errors: [{}], output: null },
    { name: 'no fix for two indexes', code: 'DROP INDEX a_idx, b_idx;', errors: [{}], output: null },
    { name: 'no fix inside a transaction', setup, inTransaction: true, code: 'DROP INDEX users_email_idx;', errors: [{ message: "cannot run inside this migration's transaction" }], output: null },
    {
      name: 'a second DROP INDEX of the same table in the transaction adds nothing; the first does',
      setup: setup2,
      inTransaction: true,
      code: 'DROP INDEX users_email_idx;\nDROP INDEX users_id_email_idx;',
      errors: [{ line: 1 }],
    },
    {
      name: 'outside a transaction the ALTER TABLE has committed (its lock is gone)',
      setup,
      code: 'ALTER TABLE users ADD COLUMN name text;\nDROP INDEX users_email_idx;',
      errors: [{ line: 2 }],
      output: 'ALTER TABLE users ADD COLUMN name text;\nDROP INDEX CONCURRENTLY users_email_idx;',
    },
    {
      name: 'the lock was taken in a transaction that committed before',
      setup,
      code: 'BEGIN;\nALTER TABLE users ADD COLUMN name text;\nCOMMIT;\nDROP INDEX users_email_idx;',
      errors: [{ line: 4 }],
    },
    {
      name: 'a lock on another table, or a lock taken after',
      setup: setup2,
      inTransaction: true,
      code: 'ALTER TABLE orgs ADD COLUMN name text;\nDROP INDEX users_email_idx;\nALTER TABLE users ADD COLUMN name text;',
      errors: [{ line: 2 }],
    },
    {
      name: 'a SHARE ROW EXCLUSIVE lock (a foreign key to the table) still lets reads through',
      setup: setup2,
      inTransaction: true,
      code: 'ALTER TABLE orgs ADD FOREIGN KEY (id) REFERENCES users (id);\nDROP INDEX users_email_idx;',
      errors: [{ line: 2 }],
    },
    {
      name: 'the same table name in another schema',
      setup: setup2,
      inTransaction: true,
      code: 'ALTER TABLE users ADD COLUMN name text;\nDROP INDEX app.app_users_email_idx;',
      errors: [{ line: 2 }],
    },
  ],
});

import { rule } from '../../../../src/core/lint/rules/require-concurrent-index-deletion';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX users_email_idx ON users (email);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'DROP INDEX CONCURRENTLY users_email_idx;' },
    { setup, code: 'DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;' },
    { name: 'index of a table created in the same file', code: 'CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;' },
    { setup, code: 'DROP TABLE users;' },
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
  ],
});

import { rule } from '../../../../src/core/lint/rules/require-concurrent-index-creation';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);' },
    { setup, code: 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_key ON users (lower(email));' },
    { setup, code: 'SELECT 1;' },
    {
      name: 'ON ONLY a partitioned parent builds no index',
      setup: 'CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);',
      code: 'CREATE INDEX events_at_idx ON ONLY events (at);',
    },
  ],
  invalid: [
    {
      setup,
      code: 'CREATE INDEX users_email_idx ON users (email);',
      errors: [{ message: 'SHARE lock', line: 1, column: 1, endColumn: 13 }],
      output: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    },
    {
      name: 'table unknown to the migrations is an existing one',
      code: 'SELECT 1;\n  create unique index i on app.orders (a) where a > 0;',
      errors: [{ message: /app\.orders/, line: 2, column: 3 }],
      output: 'SELECT 1;\n  create unique index CONCURRENTLY i on app.orders (a) where a > 0;',
    },
    {
      name: 'partitioned parent: no CONCURRENTLY fix (Postgres refuses it there)',
      setup: 'CREATE TABLE app.events (id bigint, at timestamptz) PARTITION BY RANGE (at);',
      code: 'CREATE INDEX events_at_idx ON app.events (at);',
      errors: [{ message: 'ON ONLY the parent' }],
      output: null,
    },
    {
      name: 'ON ONLY a plain table still builds the whole index',
      setup,
      code: 'CREATE INDEX users_email_idx ON ONLY users (email);',
      errors: [{ message: 'Use CREATE INDEX CONCURRENTLY' }],
      output: 'CREATE INDEX CONCURRENTLY users_email_idx ON ONLY users (email);',
    },
    {
      name: 'no fix inside a transaction',
      setup,
      inTransaction: true,
      code: 'CREATE INDEX ON users (email);',
      errors: [{ message: "cannot run inside this migration's transaction. Move it to its own migration file" }],
      output: null,
    },
  ],
});

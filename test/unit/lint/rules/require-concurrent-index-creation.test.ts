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
      name: 'after an ALTER TABLE of the same table in the transaction: the build extends its ACCESS EXCLUSIVE lock',
      setup,
      inTransaction: true,
      code: 'ALTER TABLE users ADD COLUMN name text;\nCREATE INDEX users_name_idx ON users (name);',
      errors: [
        {
          message:
            'CREATE INDEX on existing table users extends the ACCESS EXCLUSIVE lock taken at line 1 by ALTER TABLE: every read and write of the table, ' +
            "not only writes, waits until the index is built and the migration commits. Use CREATE INDEX CONCURRENTLY, which cannot run inside this migration's transaction.",
          line: 2,
        },
      ],
      output: null,
    },
    {
      name: 'after a DROP INDEX of the same table inside BEGIN … COMMIT, qualified names',
      setup: 'CREATE TABLE app.users (id bigint PRIMARY KEY, email text);\nCREATE INDEX users_email_idx ON app.users (email);',
      code: 'BEGIN;\nDROP INDEX app.users_email_idx;\nCREATE INDEX users_email_idx ON app.users (lower(email));\nCOMMIT;',
      errors: [{ message: 'extends the ACCESS EXCLUSIVE lock taken at line 2 by DROP INDEX', line: 3 }],
      output: null,
    },
    {
      name: 'a partitioned parent after a lock',
      setup: 'CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);',
      inTransaction: true,
      code: 'LOCK TABLE events;\nCREATE INDEX events_at_idx ON events (at);',
      errors: [{ message: /extends the ACCESS EXCLUSIVE lock taken at line 1 by LOCK TABLE: .*It is partitioned, so CONCURRENTLY is refused/ }],
      output: null,
    },
    {
      name: 'outside a transaction, or after a committed lock, or a lock on another table: the SHARE lock',
      setup: setup + '\nCREATE TABLE orgs (id bigint PRIMARY KEY);',
      code:
        'ALTER TABLE users ADD COLUMN name text;\nCREATE INDEX users_name_idx ON users (name);\n' +
        'BEGIN;\nALTER TABLE orgs ADD COLUMN name text;\nCREATE INDEX users_email_idx ON users (email);\nCOMMIT;',
      errors: [
        { message: 'without CONCURRENTLY takes a SHARE lock', line: 2 },
        { message: 'without CONCURRENTLY takes a SHARE lock', line: 5 },
      ],
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

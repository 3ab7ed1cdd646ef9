import { rule } from '../../../../src/core/lint/rules/require-concurrent-reindex';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX users_email_idx ON users (email);';
const partitioned = 'CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);\nCREATE INDEX events_at_idx ON events (at);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'REINDEX INDEX CONCURRENTLY users_email_idx;' },
    { setup, code: 'REINDEX TABLE CONCURRENTLY users;' },
    { setup, code: 'REINDEX (CONCURRENTLY, VERBOSE) TABLE users;' },
    { code: 'REINDEX SCHEMA CONCURRENTLY app;' },
    { code: 'REINDEX DATABASE CONCURRENTLY app;' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);\nREINDEX TABLE t;' },
    { name: 'index of a table created in the same file', code: 'CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);\nREINDEX INDEX t_a_idx;' },
    { name: 'the fixed form', setup, code: 'REINDEX INDEX CONCURRENTLY users_email_idx;' },
    { setup, code: 'SELECT 1;' },
  ],
  invalid: [
    {
      setup,
      code: 'REINDEX INDEX users_email_idx;',
      errors: [
        {
          message:
            'REINDEX INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on users_email_idx and a SHARE lock on users: writes to the table wait, ' +
            'and so does every query on it (the planner opens all of its indexes), until the index is rebuilt. Use REINDEX INDEX CONCURRENTLY.',
          line: 1,
          column: 1,
          endColumn: 14,
        },
      ],
      output: 'REINDEX INDEX CONCURRENTLY users_email_idx;',
    },
    {
      setup,
      code: 'reindex table users;',
      errors: [
        {
          message:
            'REINDEX TABLE without CONCURRENTLY takes a SHARE lock on users and an ACCESS EXCLUSIVE lock on each of its indexes: ' +
            'every read and write of the table waits until all of them are rebuilt. Use REINDEX TABLE CONCURRENTLY.',
        },
      ],
      output: 'reindex table CONCURRENTLY users;',
    },
    {
      name: 'options in parentheses stay in front',
      setup,
      code: 'REINDEX (VERBOSE) TABLE users;',
      errors: [{ message: 'Use REINDEX TABLE CONCURRENTLY.', column: 1, endColumn: 24 }],
      output: 'REINDEX (VERBOSE) TABLE CONCURRENTLY users;',
    },
    {
      name: '(CONCURRENTLY false) is not concurrent; no fix overrides it',
      setup,
      code: 'REINDEX (CONCURRENTLY false) TABLE users;',
      errors: [{ message: 'REINDEX TABLE without CONCURRENTLY' }],
      output: null,
    },
    {
      name: 'index unknown to the migrations is an existing one',
      code: 'REINDEX INDEX app.orders_pkey;',
      errors: [{ message: 'ACCESS EXCLUSIVE lock on app.orders_pkey and a SHARE lock on its table' }],
      output: 'REINDEX INDEX CONCURRENTLY app.orders_pkey;',
    },
    {
      code: 'REINDEX SCHEMA app;',
      errors: [
        {
          message:
            'REINDEX SCHEMA without CONCURRENTLY rebuilds every index of every table in schema app, one table at a time, each under a SHARE lock and its indexes under ACCESS EXCLUSIVE: ' +
            'reads and writes of each table wait while its indexes are rebuilt. Use REINDEX SCHEMA CONCURRENTLY.',
        },
      ],
      output: 'REINDEX SCHEMA CONCURRENTLY app;',
    },
    {
      code: 'REINDEX DATABASE app;',
      errors: [{ message: 'every table in the database' }],
      output: 'REINDEX DATABASE CONCURRENTLY app;',
    },
    {
      name: 'no fix inside a transaction',
      setup,
      inTransaction: true,
      code: 'REINDEX INDEX users_email_idx;',
      errors: [{ message: "Use REINDEX INDEX CONCURRENTLY, which cannot run inside this migration's transaction." }],
      output: null,
    },
    {
      name: 'no fix before Postgres 12',
      setup,
      postgresVersion: 11,
      code: 'REINDEX TABLE users;',
      errors: [
        {
          message:
            'Postgres before 12 has no REINDEX CONCURRENTLY: build a replacement with CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY the old one and rename the new one.',
        },
      ],
      output: null,
    },
    {
      name: 'REINDEX CONCURRENTLY in a transaction fails',
      setup,
      inTransaction: true,
      code: 'REINDEX TABLE CONCURRENTLY users;',
      errors: [
        {
          message:
            'REINDEX CONCURRENTLY inside a transaction fails with "cannot run inside a transaction block", so this migration aborts. ' +
            'Move it to its own migration file that the runner does not wrap in a transaction (and no BEGIN … COMMIT around it).',
          column: 1,
          endColumn: 14,
        },
      ],
      output: null,
    },
    {
      name: 'REINDEX CONCURRENTLY inside BEGIN … COMMIT fails, even on a new table',
      code: 'BEGIN;\nCREATE TABLE t (a int);\nREINDEX (CONCURRENTLY) TABLE t;\nCOMMIT;',
      errors: [{ message: 'REINDEX CONCURRENTLY inside a transaction fails', line: 3 }],
      output: null,
    },
    {
      name: 'REINDEX SCHEMA in a transaction fails',
      inTransaction: true,
      code: 'REINDEX SCHEMA app;',
      errors: [{ message: 'REINDEX SCHEMA inside a transaction fails with "cannot run inside a transaction block"' }],
      output: null,
    },
    {
      name: 'a partitioned table cannot be reindexed in a transaction',
      setup: partitioned,
      inTransaction: true,
      code: 'REINDEX TABLE events;',
      errors: [{ message: 'REINDEX TABLE of the partitioned table events inside a transaction fails' }],
      output: null,
    },
    {
      name: 'nor a partitioned index',
      setup: partitioned,
      inTransaction: true,
      code: 'REINDEX INDEX events_at_idx;',
      errors: [{ message: 'REINDEX INDEX of the partitioned table events inside a transaction fails' }],
      output: null,
    },
    {
      name: 'a partitioned table outside a transaction: CONCURRENTLY works',
      setup: partitioned,
      code: 'REINDEX TABLE events;',
      errors: [{ message: 'Use REINDEX TABLE CONCURRENTLY.' }],
      output: 'REINDEX TABLE CONCURRENTLY events;',
    },
    {
      name: 'REINDEX SYSTEM cannot be concurrent',
      code: 'REINDEX SYSTEM app;',
      errors: [{ message: 'and cannot run CONCURRENTLY: DDL waits, and so do queries that have to read those catalogs. Run it by hand in a maintenance window, not in a migration.' }],
      output: null,
    },
    {
      code: 'REINDEX SYSTEM CONCURRENTLY app;',
      errors: [{ message: 'REINDEX SYSTEM CONCURRENTLY fails with "cannot reindex system catalogs concurrently"' }],
      output: null,
    },
  ],
});

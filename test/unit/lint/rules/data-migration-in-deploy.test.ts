import assert from 'node:assert/strict';
import { defaultConfig } from '../../../../src/core/config';
import { lintParts, type LintPart } from '../../../../src/core/lint/engine';
import { rule } from '../../../../src/core/lint/rules/data-migration-in-deploy';
import { loadSqlParser } from '../../../../src/core/sql/parse';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id bigint);\nCREATE TABLE orgs (id bigint PRIMARY KEY, name text);';

const rest =
  'stops vacuum from removing dead rows anywhere in the database while it runs, and writes all of it to WAL at once (replicas lag). ' +
  'On a large table, run the copy as a background job in batches (by key range, one transaction per batch) instead of in the migration.';
/** Outside a transaction: one statement, committed when it ends; no earlier lock is held. */
const tail = `inside the migration: the deploy waits for the whole copy, one statement that commits only when it ends, ${rest}`;
const inTransactionTail = `inside the migration: the deploy waits for the whole copy, in one transaction that keeps every lock taken before it, ${rest}`;

describe('data-migration-in-deploy and the runner transaction mode', () => {
  before(() => loadSqlParser());
  const copy = 'INSERT INTO orgs (id, name) SELECT id, email FROM users;';
  const messages = (part: Partial<LintPart>): string[] => {
    const config = defaultConfig('/');
    config.rules[rule.id] = { severity: 'info', options: {} };
    const parts: LintPart[] = [
      { file: '001.sql', text: setup, direction: 'up', transaction: part.transaction },
      { file: '002.sql', text: copy, direction: 'up', ...part },
    ];
    return lintParts(parts, config, { rules: [rule] }).filter((f) => f.file === '002.sql').map((f) => f.message);
  };
  it('sql-migrate notransaction: one statement, no earlier locks held', () => {
    assert.deepEqual(messages({ runner: 'sql-migrate', transaction: 'none' }), [`INSERT … SELECT copies the rows of users ${tail}`]);
  });
  it('a migration in its own transaction', () => {
    assert.deepEqual(messages({ runner: 'sql-migrate', transaction: 'per-migration' }), [`INSERT … SELECT copies the rows of users ${inTransactionTail}`]);
  });
  it('every pending migration in one transaction', () => {
    assert.deepEqual(messages({ runner: 'drizzle-kit', transaction: 'all-pending' }), [
      'INSERT … SELECT copies the rows of users inside the migration: the deploy waits for the whole copy, ' +
        `in the one transaction of every pending migration, which keeps every lock taken before it, ${rest}`,
    ]);
  });
});

runRuleTests(rule, {
  valid: [
    { name: 'INSERT … VALUES', setup, code: "INSERT INTO orgs (id, name) VALUES (1, 'acme'), (2, 'initech');" },
    { name: 'INSERT … VALUES with a scalar subquery', setup, code: "INSERT INTO orgs (id, name) VALUES ((SELECT max(id) + 1 FROM orgs), 'x');" },
    { name: 'INSERT … SELECT without a table', setup, code: "INSERT INTO orgs (id, name) SELECT g, 'org ' || g FROM generate_series(1, 10) g;" },
    {
      name: 'source created in the same file',
      code: 'CREATE TABLE a (id int);\nCREATE TABLE b AS SELECT * FROM a;\nINSERT INTO a SELECT id FROM b;\nSELECT * INTO c FROM b;',
    },
    { name: 'source filled by SELECT … INTO earlier in the file', setup, code: 'SELECT 1 AS x INTO tmp_ids;\nINSERT INTO orgs (id) SELECT x FROM tmp_ids;' },
    { name: 'a loose query file is not a deploy', setup, migration: false, code: 'INSERT INTO orgs (id, name) SELECT id, email FROM users;' },
    { name: 'WITH NO DATA copies the shape only', setup, code: 'CREATE TABLE users_copy AS SELECT * FROM users WITH NO DATA;' },
    { name: 'a subquery in WHERE only filters', code: 'CREATE TABLE a (id int);\nCREATE TABLE b AS SELECT id FROM a WHERE id IN (SELECT id FROM users);' },
    { name: 'catalog reads', setup, code: "CREATE TABLE cols AS SELECT table_name FROM information_schema.columns;\nINSERT INTO orgs (id) SELECT oid::bigint FROM pg_class WHERE relname = 'x';" },
    { name: 'a plain SELECT is not a copy', setup, code: 'SELECT * FROM users;' },
  ],
  invalid: [
    {
      setup,
      code: 'CREATE TABLE users_backup AS SELECT * FROM users;',
      errors: [{ message: `CREATE TABLE … AS SELECT copies the rows of users ${tail}`, line: 1, column: 44, endColumn: 49 }],
      output: null,
    },
    {
      setup,
      code: 'SELECT id, email INTO users_backup FROM users;',
      errors: [{ message: `SELECT … INTO copies the rows of users ${tail}`, column: 41 }],
      output: null,
    },
    {
      setup,
      code: 'INSERT INTO orgs (id, name)\nSELECT u.org_id, u.email FROM users u JOIN public.orgs o ON o.id = u.org_id;',
      errors: [{ message: `INSERT … SELECT copies the rows of users and public.orgs ${tail}`, line: 2, column: 31, endColumn: 36 }],
      output: null,
    },
    {
      name: 'through a CTE, a FROM subquery and a UNION arm',
      setup,
      code: 'WITH src AS (SELECT id FROM users)\nINSERT INTO orgs (id) SELECT id FROM src UNION SELECT id FROM (SELECT id FROM orgs) s;',
      errors: [{ message: 'copies the rows of users and orgs', line: 1, column: 29 }],
      output: null,
    },
    {
      name: 'a CTE of the SELECT',
      setup,
      code: 'CREATE TABLE emails AS WITH e AS (SELECT email FROM users) SELECT * FROM e;',
      errors: [{ message: 'CREATE TABLE … AS SELECT copies the rows of users' }],
      output: null,
    },
    {
      name: 'a materialized view is filled in the deploy too',
      setup,
      code: 'CREATE MATERIALIZED VIEW org_sizes AS SELECT org_id, count(*) FROM users GROUP BY org_id;',
      errors: [{ message: 'CREATE MATERIALIZED VIEW … AS SELECT copies the rows of users' }],
      output: null,
    },
    {
      name: 'a new source is silent, an existing one in the same statement is not',
      setup,
      code: 'CREATE TABLE tags (id int);\nINSERT INTO orgs (id) SELECT t.id FROM tags t, users u;',
      errors: [{ message: 'copies the rows of users inside', line: 2, column: 48 }],
      output: null,
    },
    {
      name: 'inside the migration transaction',
      setup,
      inTransaction: true,
      code: 'CREATE TABLE users_backup AS SELECT * FROM users;',
      errors: [{ message: `CREATE TABLE … AS SELECT copies the rows of users ${inTransactionTail}` }],
    },
    {
      name: 'inside an explicit BEGIN … COMMIT',
      setup,
      code: 'BEGIN;\nCREATE TABLE users_backup AS SELECT * FROM users;\nCOMMIT;',
      errors: [{ message: `CREATE TABLE … AS SELECT copies the rows of users ${inTransactionTail}`, line: 2 }],
    },
    {
      name: 'a table of an earlier migration or unknown to pglens',
      code: 'INSERT INTO archive SELECT * FROM events WHERE at < now() - interval \'1 year\';',
      errors: [{ message: 'copies the rows of events' }],
      output: null,
    },
  ],
});

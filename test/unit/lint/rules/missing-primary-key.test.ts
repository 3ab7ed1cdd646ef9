import assert from 'node:assert/strict';
import { rule } from '../../../../src/core/lint/rules/missing-primary-key';
import { tablesWithoutPrimaryKey } from '../../../../src/core/schema/primary-key';
import type { Table } from '../../../../src/core/schema/model';
import { runRuleTests } from '../rule-tester';

describe('tablesWithoutPrimaryKey', () => {
  it('counts a primary key or a primary index, and skips temporary and unlogged tables', () => {
    const t = (name: string, extra: Partial<Table> = {}): Table => ({ schema: 'public', name, columns: [], indexes: [], foreignKeys: [], ...extra });
    const tables = new Map<string, Table>([
      ['public.a', t('a', { primaryKey: { columns: ['id'] } })],
      ['public.b', t('b')],
      ['public.tmp', t('tmp', { temporary: true })],
      ['public.scratch', t('scratch', { unlogged: true })],
      ['public.c', t('c', { indexes: [{ name: 'c_pkey', schema: 'public', table: 'c', columns: ['id'], include: [], unique: true, primary: true, constraint: true, method: 'btree', valid: true }] })],
    ]);
    assert.deepEqual(tablesWithoutPrimaryKey({ tables }).map((x) => x.name), ['b']);
  });
});

runRuleTests(rule, {
  valid: [
    'CREATE TABLE t (id bigint PRIMARY KEY);',
    'CREATE TABLE t (a int, b int, CONSTRAINT t_pk PRIMARY KEY (a, b));',
    { name: 'primary key added later in the file', code: 'CREATE TABLE t (id bigint NOT NULL);\nALTER TABLE t ADD PRIMARY KEY (id);' },
    { name: 'table dropped again', code: 'CREATE TABLE tmp (a int);\nDROP TABLE tmp;' },
    { name: 'a temporary table lives for one session', code: 'CREATE TEMP TABLE scratch (a int);' },
    { name: 'TEMPORARY and CREATE TEMP TABLE … AS', code: 'CREATE TEMPORARY TABLE a (x int);\nCREATE TEMP TABLE b AS SELECT 1 AS n;' },
    // An unlogged table cannot be in a publication: logical replication never applies its changes.
    { name: 'an unlogged table', code: 'CREATE UNLOGGED TABLE cache (k text, v jsonb);\nCREATE UNLOGGED TABLE snapshot AS SELECT 1 AS n;' },
    { name: 'a table made unlogged later', code: 'CREATE TABLE cache (k text, v jsonb);\nALTER TABLE cache SET UNLOGGED;' },
    {
      name: 'a partition inherits its parent primary key',
      code: "CREATE TABLE events (id bigint, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);\nCREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    },
    {
      name: 'a key dropped later is reported on the table, which an earlier file defines',
      setup: 'CREATE TABLE t (id bigint CONSTRAINT t_pkey PRIMARY KEY);',
      code: 'ALTER TABLE t DROP CONSTRAINT t_pkey;',
    },
  ],
  invalid: [
    {
      code: 'CREATE TABLE audit_log (\n  happened_at timestamptz,\n  message text\n);',
      errors: [{ message: /table audit_log has no primary key: .*replica identity/, line: 1, column: 14, endColumn: 23 }],
    },
    {
      name: 'a unique index is not a primary key; qualified name',
      code: 'CREATE TABLE app.t (id bigint NOT NULL UNIQUE);',
      errors: [{ message: 'table t has no primary key', column: 14, endColumn: 19 }],
    },
    {
      name: 'an unlogged table made logged again is published like any other',
      code: 'CREATE UNLOGGED TABLE cache (k text, v jsonb);\nALTER TABLE cache SET LOGGED;',
      errors: [{ message: 'table cache has no primary key', line: 1 }],
    },
    {
      name: 'CREATE TABLE AS',
      code: 'SELECT 1;\nCREATE TABLE report AS SELECT 1 AS n;',
      errors: [{ message: 'table report has no primary key', line: 2, column: 14 }],
    },
  ],
});

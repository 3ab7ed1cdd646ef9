import assert from 'node:assert/strict';
import { loadSqlParser, parseSql } from '../../../src/core/sql/parse';
import { createReplayState, replayStatements, type ReplayState } from '../../../src/core/schema/replay';
import { canonicalTypeName } from '../../../src/core/schema/type-names';
import type { Table } from '../../../src/core/schema/model';

function replay(...files: string[]): ReplayState {
  const state = createReplayState();
  files.forEach((text, i) => replayStatements(parseSql(text).statements.map((statement) => ({ statement, file: `${i}.sql` })), state));
  return state;
}

function table(state: ReplayState, key: string): Table {
  const t = state.schema.tables.get(key);
  assert.ok(t, `table ${key} missing; have ${[...state.schema.tables.keys()].join(', ')}`);
  return t;
}

describe('schema replay', () => {
  before(() => loadSqlParser());

  it('creates tables with canonical column types, modifiers, nullability, defaults and sources', () => {
    const text =
      "CREATE TABLE users (\n  id bigserial PRIMARY KEY,\n  email varchar(255) NOT NULL UNIQUE,\n  price numeric(12,2) DEFAULT 0 NOT NULL,\n  tags text[],\n  at timestamp without time zone DEFAULT now(),\n  at2 timestamptz,\n  n int4 GENERATED ALWAYS AS IDENTITY,\n  f float8, r real, s smallint, c char(3), b bool\n);";
    const state = replay(text);
    const t = table(state, 'public.users');
    const col = (n: string) => t.columns.find((c) => c.name === n)!;
    assert.deepEqual(
      t.columns.map((c) => c.type),
      ['bigint', 'varchar', 'numeric', 'text', 'timestamp', 'timestamptz', 'integer', 'double precision', 'real', 'smallint', 'char', 'boolean'],
    );
    assert.equal(col('id').serial, true);
    assert.equal(col('id').notNull, true);
    assert.deepEqual(col('email').typeModifiers, [255]);
    assert.deepEqual(col('price').typeModifiers, [12, 2]);
    assert.equal(col('price').default, '0');
    assert.equal(col('price').notNull, true);
    assert.equal(col('at').default, 'now()');
    assert.equal(col('tags').isArray, true);
    assert.equal(col('n').identity, 'always');
    assert.deepEqual(t.primaryKey?.columns, ['id']);
    assert.equal(t.primaryKey?.name, 'users_pkey');
    const unique = t.indexes.find((i) => i.unique && !i.primary)!;
    assert.deepEqual(unique.columns, ['email']);
    assert.equal(unique.name, 'users_email_key');
    assert.equal(unique.constraint, true);
    assert.equal(text.slice(col('email').source!.range.startOffset, col('email').source!.range.endOffset), 'email varchar(255) NOT NULL UNIQUE');
    assert.equal(text.slice(t.source!.range.startOffset, t.source!.range.endOffset), 'users');
    assert.equal(t.source!.file, '0.sql');
  });

  it('records foreign keys (column and table level) with schema-qualified names', () => {
    const state = replay(
      'CREATE SCHEMA app;\nCREATE TABLE app.users (id int PRIMARY KEY);\nCREATE TABLE app.orders (id int, user_id int REFERENCES app.users (id), a int, b int, CONSTRAINT ab_fk FOREIGN KEY (a, b) REFERENCES other (x, y));',
    );
    const orders = table(state, 'app.orders');
    assert.deepEqual(
      orders.foreignKeys.map((f) => [f.name, f.columns, `${f.refSchema}.${f.refTable}`, f.refColumns]),
      [
        ['orders_user_id_fkey', ['user_id'], 'app.users', ['id']],
        ['ab_fk', ['a', 'b'], 'public.other', ['x', 'y']],
      ],
    );
  });

  it('applies CREATE INDEX: unique, partial, expression, INCLUDE, method', () => {
    const state = replay(
      'CREATE TABLE t (a int, b text, c int);\nCREATE UNIQUE INDEX CONCURRENTLY t_lower ON t USING btree (lower(b), a DESC) INCLUDE (c) WHERE a > 0;\nCREATE INDEX ON t USING gin ((b || \'x\'));',
    );
    const [first, second] = table(state, 'public.t').indexes;
    assert.deepEqual(first.columns, ['(lower(b))', 'a']);
    assert.deepEqual(first.include, ['c']);
    assert.equal(first.where, 'a > 0');
    assert.equal(first.unique, true);
    assert.equal(first.constraint, false);
    assert.deepEqual(second.columns, ["(b || 'x')"]);
    assert.equal(second.method, 'gin');
  });

  it('applies ALTER TABLE add/drop/alter column, constraints and renames', () => {
    const state = replay(
      'CREATE TABLE t (id int, a varchar(10), b int, c int);\nCREATE INDEX t_b ON t (b);',
      [
        'ALTER TABLE t ADD COLUMN d text NOT NULL DEFAULT \'x\', ALTER COLUMN a TYPE text, ALTER COLUMN c SET NOT NULL;',
        'ALTER TABLE t ADD CONSTRAINT t_pk PRIMARY KEY (id), ADD CONSTRAINT t_c_fk FOREIGN KEY (c) REFERENCES u (id);',
        'ALTER TABLE t DROP COLUMN b;',
        'ALTER TABLE t RENAME COLUMN c TO cc;',
        'ALTER TABLE t RENAME TO t2;',
        'ALTER TABLE t2 ALTER COLUMN d DROP DEFAULT;',
      ].join('\n'),
    );
    assert.equal(state.schema.tables.has('public.t'), false);
    const t = table(state, 'public.t2');
    assert.deepEqual(t.columns.map((c) => c.name), ['id', 'a', 'cc', 'd']);
    assert.equal(t.columns[1].type, 'text');
    assert.equal(t.columns[2].notNull, true);
    assert.equal(t.columns[3].default, undefined);
    assert.deepEqual(t.primaryKey, { name: 't_pk', columns: ['id'], source: t.primaryKey!.source });
    assert.deepEqual(t.indexes.map((i) => i.name), ['t_pk'], 'index on the dropped column went with it');
    assert.deepEqual(t.foreignKeys.map((f) => [f.name, f.table, f.columns]), [['t_c_fk', 't2', ['cc']]]);
  });

  it('promotes an index with ADD CONSTRAINT … USING INDEX and drops constraints and indexes', () => {
    const state = replay(
      'CREATE TABLE t (id int, e text);\nCREATE UNIQUE INDEX CONCURRENTLY t_e_idx ON t (e);\nALTER TABLE t ADD CONSTRAINT t_e_key UNIQUE USING INDEX t_e_idx;\nCREATE INDEX t_id ON t (id);\nDROP INDEX t_id;',
    );
    const t = table(state, 'public.t');
    assert.deepEqual(t.indexes.map((i) => [i.name, i.constraint]), [['t_e_key', true]]);
    const after = replay('CREATE TABLE t (id int, e text UNIQUE);', 'ALTER TABLE t DROP CONSTRAINT t_e_key;');
    assert.equal(table(after, 'public.t').indexes.length, 0);
  });

  it('follows search_path and DROP TABLE', () => {
    const state = replay('SET search_path TO app;\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\nDROP TABLE b;');
    assert.deepEqual([...state.schema.tables.keys()], ['app.a']);
  });

  it('leaves the model alone for statements it does not model and for unknown tables', () => {
    const state = replay('CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\nALTER TABLE missing ADD COLUMN x int;\nCREATE INDEX i ON missing (x);');
    assert.deepEqual([...state.schema.tables.keys()], ['public.t']);
  });

  it('CREATE TABLE IF NOT EXISTS keeps the first definition', () => {
    const state = replay('CREATE TABLE t (id int);\nCREATE TABLE IF NOT EXISTS t (other text);');
    assert.deepEqual(table(state, 'public.t').columns.map((c) => c.name), ['id']);
  });

  it('RENAME COLUMN of a partition key column renames it in the key, and in sub-partitions\' keys', () => {
    const state = replay(
      'CREATE TABLE ev (id int, region text, at date) PARTITION BY LIST (region);\n' +
        "CREATE TABLE ev_eu PARTITION OF ev FOR VALUES IN ('eu') PARTITION BY RANGE (at);\n" +
        'CREATE TABLE lx (id int, k int) PARTITION BY RANGE ((k + 1));\n' +
        'ALTER TABLE ev RENAME COLUMN region TO zone;\nALTER TABLE ev RENAME COLUMN at TO happened;\nALTER TABLE lx RENAME COLUMN k TO kk;',
    );
    assert.deepEqual(table(state, 'public.ev').partitionKey, { strategy: 'list', parts: [{ column: 'zone' }] });
    assert.deepEqual(table(state, 'public.ev_eu').partitionKey, { strategy: 'range', parts: [{ column: 'happened' }] });
    // The key expression is written with the old name: no longer known.
    assert.equal(table(state, 'public.lx').partitionKey, undefined);
    assert.equal(table(state, 'public.lx').partitioned, true);
  });
});

describe('canonicalTypeName', () => {
  it('maps internal and spelled-out names to one vocabulary', () => {
    assert.equal(canonicalTypeName('int4'), 'integer');
    assert.equal(canonicalTypeName('INT8'), 'bigint');
    assert.equal(canonicalTypeName('timestamp without time zone'), 'timestamp');
    assert.equal(canonicalTypeName('timestamp with time zone'), 'timestamptz');
    assert.equal(canonicalTypeName('character varying'), 'varchar');
    assert.equal(canonicalTypeName('bpchar'), 'char');
    assert.equal(canonicalTypeName('float8'), 'double precision');
    assert.equal(canonicalTypeName('my_enum'), 'my_enum');
  });
});

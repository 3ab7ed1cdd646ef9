import assert from 'node:assert/strict';
import { loadSqlParser, parseSql } from '../../../src/core/sql/parse';
import { applyStatement, createReplayState, replayStatements, type ReplayState } from '../../../src/core/schema/replay';
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

const keys = (t: Table): string[][] => t.foreignKeys.map((f) => [f.name ?? '', f.columns.join(','), `${f.refSchema}.${f.refTable}`, f.refColumns.join(',')]);
const columns = (t: Table): string[] => t.columns.map((c) => c.name);

describe('schema replay: references, moves and inheritance', () => {
  before(() => loadSqlParser());

  describe('REFERENCES without a column list', () => {
    it('takes the referenced table’s primary key (single and composite, column and table level)', () => {
      const state = replay(
        'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE lines (order_id int, n int, PRIMARY KEY (order_id, n));',
        'CREATE TABLE notes (id int, user_id bigint REFERENCES users, o int, n int, FOREIGN KEY (o, n) REFERENCES lines ON DELETE CASCADE);',
        'ALTER TABLE notes ADD CONSTRAINT notes_again FOREIGN KEY (user_id) REFERENCES users;',
      );
      assert.deepEqual(keys(table(state, 'public.notes')), [
        ['notes_user_id_fkey', 'user_id', 'public.users', 'id'],
        ['notes_o_n_fkey', 'o,n', 'public.lines', 'order_id,n'],
        ['notes_again', 'user_id', 'public.users', 'id'],
      ]);
    });

    it('resolves a key to the table itself whose primary key comes later in the statement', () => {
      const state = replay('CREATE TABLE node (parent int REFERENCES node, id int, PRIMARY KEY (id));');
      assert.deepEqual(keys(table(state, 'public.node')), [['node_parent_fkey', 'parent', 'public.node', 'id']]);
    });

    it('takes the key as it is when the constraint is made; an unknown table leaves the list empty', () => {
      const state = replay(
        'CREATE TABLE a (id int, code text);\nALTER TABLE a ADD PRIMARY KEY (code);\nCREATE TABLE b (a_code text REFERENCES a, x int REFERENCES elsewhere);',
        'ALTER TABLE a RENAME COLUMN code TO c;',
      );
      assert.deepEqual(keys(table(state, 'public.b')), [
        ['b_a_code_fkey', 'a_code', 'public.a', 'c'],
        ['b_x_fkey', 'x', 'public.elsewhere', ''],
      ]);
    });
  });

  describe('SET SCHEMA and ALTER SCHEMA … RENAME', () => {
    it('ALTER TABLE … SET SCHEMA moves the table, its indexes, keys and policies; references follow', () => {
      const state = replay(
        'CREATE SCHEMA billing;\nCREATE TABLE accounts (id int PRIMARY KEY, parent int REFERENCES accounts);\nCREATE INDEX accounts_parent ON accounts (parent);',
        'CREATE TABLE invoices (id int PRIMARY KEY, account_id int REFERENCES accounts);\nCREATE POLICY own ON accounts USING (true);',
        'ALTER TABLE accounts SET SCHEMA billing;\nALTER TABLE IF EXISTS missing SET SCHEMA billing;',
      );
      assert.deepEqual([...state.schema.tables.keys()].sort(), ['billing.accounts', 'public.invoices']);
      const accounts = table(state, 'billing.accounts');
      assert.deepEqual(accounts.indexes.map((i) => `${i.schema}.${i.table}.${i.name}`), ['billing.accounts.accounts_pkey', 'billing.accounts.accounts_parent']);
      assert.deepEqual(keys(accounts), [['accounts_parent_fkey', 'parent', 'billing.accounts', 'id']]);
      assert.equal(accounts.foreignKeys[0].schema, 'billing');
      assert.deepEqual(keys(table(state, 'public.invoices')), [['invoices_account_id_fkey', 'account_id', 'billing.accounts', 'id']]);
      assert.deepEqual([...(state.schema.policies?.keys() ?? [])], ['billing.accounts']);
      assert.equal(state.schema.policies?.get('billing.accounts')?.[0].schema, 'billing');
    });

    it('reports the move as a rename, so the linter still knows the table as created in the file', () => {
      const state = createReplayState();
      const [create, move] = parseSql('CREATE TABLE t (id int);\nALTER TABLE t SET SCHEMA app;').statements;
      applyStatement(state, create, 'a.sql');
      assert.deepEqual(applyStatement(state, move, 'a.sql')?.renamed, [['public.t', 'app.t']]);
    });

    it('moves a materialized view and its indexes', () => {
      const state = replay('CREATE TABLE t (id int);\nCREATE MATERIALIZED VIEW v AS SELECT id FROM t;\nCREATE INDEX v_id ON v (id);\nALTER MATERIALIZED VIEW v SET SCHEMA app;');
      const view = state.schema.materializedViews?.get('app.v');
      assert.ok(view);
      assert.equal(view.indexes[0].schema, 'app');
      assert.equal(state.schema.materializedViews?.has('public.v'), false);
    });

    it('ALTER SCHEMA a RENAME TO b moves every table, view and policy of a; keys into a follow, also to tables the model does not know', () => {
      const state = replay(
        'CREATE SCHEMA crm;\nCREATE TABLE crm.people (id int PRIMARY KEY);\nCREATE TABLE crm.notes (id int PRIMARY KEY, person int REFERENCES crm.people);',
        'CREATE TABLE public.deals (id int, person int REFERENCES crm.people, org int REFERENCES crm.orgs (id));\nCREATE MATERIALIZED VIEW crm.v AS SELECT 1;',
        'CREATE POLICY p ON crm.people USING (true);\nALTER TABLE crm.others ENABLE ROW LEVEL SECURITY;',
        'ALTER SCHEMA crm RENAME TO sales;',
      );
      assert.deepEqual([...state.schema.tables.keys()].sort(), ['public.deals', 'sales.notes', 'sales.people']);
      assert.deepEqual(keys(table(state, 'sales.notes')), [['notes_person_fkey', 'person', 'sales.people', 'id']]);
      assert.deepEqual(keys(table(state, 'public.deals')), [
        ['deals_person_fkey', 'person', 'sales.people', 'id'],
        ['deals_org_fkey', 'org', 'sales.orgs', 'id'],
      ]);
      assert.deepEqual([...(state.schema.materializedViews?.keys() ?? [])], ['sales.v']);
      assert.deepEqual([...(state.schema.policies?.keys() ?? [])], ['sales.people']);
      assert.deepEqual([...(state.schema.rowSecurityOutside?.keys() ?? [])], ['sales.others']);
    });

    it('ALTER TABLE … RENAME TO keeps a key to the table itself and partitions pointing at it', () => {
      const state = replay(
        'CREATE TABLE tree (id int PRIMARY KEY, up int REFERENCES tree);\nCREATE TABLE ev (id int, at date) PARTITION BY RANGE (at);\nCREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM (\'2020-01-01\') TO (\'2021-01-01\');',
        'ALTER TABLE tree RENAME TO trees;\nALTER TABLE ev RENAME TO events;',
      );
      assert.deepEqual(keys(table(state, 'public.trees')), [['tree_up_fkey', 'up', 'public.trees', 'id']]);
      assert.equal(table(state, 'public.ev_1').partitionOf, 'public.events');
    });
  });

  describe('INHERITS', () => {
    it('puts the parents’ columns first, in order, merging names two parents or the child share', () => {
      const state = replay(
        'CREATE TABLE base (id int NOT NULL, created_at timestamptz DEFAULT now(), note text);\nCREATE TABLE tagged (tag text, note text);',
        'CREATE TABLE item (name text, note text NOT NULL, id int) INHERITS (base, tagged);',
      );
      const item = table(state, 'public.item');
      assert.deepEqual(columns(item), ['id', 'created_at', 'note', 'tag', 'name']);
      assert.equal(item.columns[0].notNull, true, 'NOT NULL is inherited even where the child restates the column');
      assert.equal(item.columns[1].default, 'now()');
      assert.equal(item.columns[2].notNull, true, 'the local definition takes the inherited place');
      assert.equal(item.primaryKey, undefined, 'primary keys are not inherited');
    });

    it('the parent’s ADD, DROP and ALTER COLUMN reach the children; ONLY and local columns stay', () => {
      const state = replay(
        'CREATE TABLE p (a int, b int, c int);\nCREATE TABLE c1 (b int, own text) INHERITS (p);\nCREATE TABLE c2 () INHERITS (c1);',
        'ALTER TABLE p ADD COLUMN d text;\nALTER TABLE p ALTER COLUMN a TYPE bigint;\nALTER TABLE p DROP COLUMN b;\nALTER TABLE ONLY p DROP COLUMN c;',
      );
      assert.deepEqual(columns(table(state, 'public.p')), ['a', 'd']);
      assert.deepEqual(columns(table(state, 'public.c1')), ['a', 'b', 'c', 'own', 'd']);
      assert.deepEqual(columns(table(state, 'public.c2')), ['a', 'b', 'c', 'own', 'd']);
      assert.equal(table(state, 'public.c2').columns[0].type, 'bigint');
    });

    it('ALTER TABLE … INHERIT / NO INHERIT keep the column list and link or unlink later column changes', () => {
      const state = replay(
        'CREATE TABLE p (a int);\nCREATE TABLE c (a int, x int);\nALTER TABLE c INHERIT p;\nALTER TABLE p ADD COLUMN b int;',
        'CREATE TABLE q (a int);\nCREATE TABLE d () INHERITS (q);\nALTER TABLE d NO INHERIT q;\nALTER TABLE q ADD COLUMN z int;\nALTER TABLE q DROP COLUMN a;',
      );
      assert.deepEqual(columns(table(state, 'public.c')), ['a', 'x', 'b']);
      assert.deepEqual(columns(table(state, 'public.d')), ['a']);
    });

    it('a child’s own change to an inherited column, or ONLY on the parent, stays on that table', () => {
      const state = replay(
        'CREATE TABLE p (a int, b int);\nCREATE TABLE c () INHERITS (p);\nCREATE TABLE g () INHERITS (c);',
        'ALTER TABLE c ALTER COLUMN a SET DEFAULT 7;\nALTER TABLE ONLY p ALTER COLUMN b SET NOT NULL;\nALTER TABLE p ALTER COLUMN a TYPE bigint;',
      );
      const [p, c, g] = ['public.p', 'public.c', 'public.g'].map((k) => table(state, k));
      assert.equal(p.columns[0].default, undefined);
      assert.equal(c.columns[0].default, '7');
      assert.equal(g.columns[0].default, '7', 'the child’s descendants share its column');
      assert.deepEqual([p, c, g].map((t) => t.columns[1].notNull), [true, false, false]);
      assert.equal(p.columns[0].type, 'bigint');
    });

    it('NO INHERIT detaches the child and its own children; a renamed column no longer renames the parent’s', () => {
      const state = replay('CREATE TABLE p (a int);\nCREATE TABLE c () INHERITS (p);\nCREATE TABLE g () INHERITS (c);\nALTER TABLE c NO INHERIT p;\nALTER TABLE c RENAME a TO x;');
      assert.deepEqual(['public.p', 'public.c', 'public.g'].map((k) => columns(table(state, k)).join()), ['a', 'x', 'x']);
    });

    it('an attached partition follows the parent’s ADD and DROP COLUMN', () => {
      const state = replay(
        'CREATE TABLE m (a int, b int) PARTITION BY LIST (a);\nCREATE TABLE m1 (LIKE m);\nALTER TABLE m ATTACH PARTITION m1 FOR VALUES IN (1);',
        'ALTER TABLE m DROP COLUMN b;\nALTER TABLE m ADD COLUMN c text;',
      );
      assert.deepEqual(columns(table(state, 'public.m1')), ['a', 'c']);
    });

    it('a column two parents give the child stays when one parent drops it', () => {
      const state = replay('CREATE TABLE p1 (id int, a int);\nCREATE TABLE p2 (a int, c int);\nCREATE TABLE kid (d int) INHERITS (p1, p2);\nALTER TABLE p1 DROP COLUMN a;');
      assert.deepEqual(columns(table(state, 'public.kid')), ['id', 'a', 'c', 'd']);
    });
  });

  describe('a move onto a name that is taken', () => {
    it('leaves both tables as they are (Postgres refuses: "already exists")', () => {
      const state = replay('CREATE SCHEMA s2;\nCREATE TABLE w (id int PRIMARY KEY);\nCREATE TABLE s2.w (x int);\nCREATE TABLE v (y int);\nALTER TABLE s2.w SET SCHEMA public;\nALTER TABLE v RENAME TO w;');
      assert.deepEqual([...state.schema.tables.keys()], ['public.w', 's2.w', 'public.v']);
      assert.deepEqual(columns(table(state, 'public.w')), ['id']);
    });
  });

  describe('DROP TABLE', () => {
    it('takes the children and partitions, and the keys referencing the dropped tables, with it', () => {
      const state = replay(
        'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE posts (id int PRIMARY KEY, user_id bigint REFERENCES users);\n' +
          'CREATE TABLE p (a int);\nCREATE TABLE c () INHERITS (p);\nCREATE TABLE m (a int) PARTITION BY LIST (a);\nCREATE TABLE m1 PARTITION OF m FOR VALUES IN (1);',
        'DROP TABLE users CASCADE;\nDROP TABLE p CASCADE;\nDROP TABLE m;\nCREATE TABLE users (uid bigint PRIMARY KEY);\nCREATE TABLE p (b int);\nALTER TABLE p ADD COLUMN z int;',
      );
      assert.deepEqual(keys(table(state, 'public.posts')), []);
      assert.deepEqual([...state.schema.tables.keys()], ['public.posts', 'public.users', 'public.p']);
      assert.deepEqual(columns(table(state, 'public.p')), ['b', 'z']);
    });
  });
});

import assert from 'node:assert/strict';
import { loadSqlParser, parseSql } from '../../../src/core/sql/parse';
import { createReplayState, replayStatements, type ReplayState } from '../../../src/core/schema/replay';
import { tablePolicies, type Table } from '../../../src/core/schema/model';
import { lintMigrationSet } from '../../../src/core/lint/engine';
import { defaultConfig } from '../../../src/core/config';
import { rule as policyWithoutRls } from '../../../src/core/lint/rules/policy-without-rls';

/** Row-level security, policies and materialized views in the replayed schema model. */
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

describe('schema replay: row-level security, policies, materialized views', () => {
  before(() => loadSqlParser());

  it('tracks ENABLE/DISABLE/FORCE/NO FORCE ROW LEVEL SECURITY, with the subcommand that turned it on', () => {
    const text = 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN n int, ENABLE ROW LEVEL SECURITY;\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\nALTER TABLE t FORCE ROW LEVEL SECURITY;';
    const state = replay(text);
    const rls = table(state, 'public.t').rowSecurity;
    assert.deepEqual({ enabled: rls?.enabled, forced: rls?.forced }, { enabled: true, forced: true });
    assert.equal(rls?.source?.file, '0.sql');
    assert.equal(text.slice(rls!.source!.range.startOffset, rls!.source!.range.endOffset), 'ENABLE ROW LEVEL SECURITY');
    assert.equal(rls?.source?.range.start.line, 1, 'the first ENABLE turned it on; the second changed nothing');

    const after = replay(text, 'ALTER TABLE t NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;');
    const off = table(after, 'public.t').rowSecurity;
    assert.deepEqual({ enabled: off?.enabled, forced: off?.forced, file: off?.source?.file }, { enabled: false, forced: false, file: '1.sql' });

    assert.equal(table(replay('CREATE TABLE u (id int);\nALTER TABLE u DISABLE ROW LEVEL SECURITY;'), 'public.u').rowSecurity, undefined, 'a DISABLE that changes nothing');
    assert.deepEqual(table(replay('CREATE TABLE u (id int);\nALTER TABLE u FORCE ROW LEVEL SECURITY;'), 'public.u').rowSecurity, { enabled: false, forced: true });
    const outside = replay('ALTER TABLE IF EXISTS storage.objects ENABLE ROW LEVEL SECURITY;').schema;
    assert.deepEqual([...(outside.rowSecurityOutside?.keys() ?? [])], ['storage.objects'], 'a table the model does not know');
    assert.equal(outside.tables.size, 0);
  });

  it('keeps policies with command, roles, permissive, USING and WITH CHECK text and the name as source', () => {
    const text =
      'SET search_path = app;\nCREATE TABLE t (id int, owner uuid);\n' +
      'CREATE POLICY "Own rows" ON t AS RESTRICTIVE FOR UPDATE TO authenticated, PUBLIC, CURRENT_USER\n  USING ( owner = auth.uid() /* mine */ )\n  WITH CHECK ((owner = auth.uid()) AND (id > 0));\n' +
      'CREATE POLICY p2 ON public.elsewhere USING (true);';
    const state = replay(text);
    const [p] = tablePolicies(state.schema, table(state, 'app.t'));
    assert.deepEqual(
      { ...p, source: undefined },
      {
        name: 'Own rows',
        schema: 'app',
        table: 't',
        command: 'update',
        roles: ['authenticated', 'public', 'current_user'],
        permissive: false,
        using: 'owner = auth.uid() /* mine */',
        withCheck: '(owner = auth.uid()) AND (id > 0)',
        source: undefined,
      },
    );
    assert.equal(text.slice(p.source!.range.startOffset, p.source!.range.endOffset), '"Own rows"');
    assert.equal(p.source?.statementRange?.start.line, 2);
    // A table the migrations do not create keeps its policies too; the defaults are ALL, PUBLIC, permissive.
    const [other] = state.schema.policies!.get('public.elsewhere')!;
    assert.deepEqual([other.command, other.roles, other.permissive, other.using, other.withCheck], ['all', ['public'], true, 'true', undefined]);
  });

  it('applies ALTER POLICY, renames, DROP POLICY, and moves or drops policies with their table', () => {
    const state = replay(
      'CREATE TABLE t (id int);\nCREATE POLICY a ON t USING (id > 0);\nCREATE POLICY b ON t FOR INSERT WITH CHECK (id > 0);\n' +
        'ALTER POLICY a ON t TO anon USING (true);\nALTER POLICY b ON t RENAME TO c;\nDROP POLICY IF EXISTS c ON public.t;\nDROP POLICY IF EXISTS nope ON t;',
      'ALTER TABLE t RENAME TO t2;',
    );
    const policies = tablePolicies(state.schema, table(state, 'public.t2'));
    assert.deepEqual(policies.map((p) => [p.name, p.table, p.roles, p.using, p.source?.statementRange?.start.line]), [['a', 't2', ['anon'], 'true', 3]]);
    assert.equal(state.schema.policies?.has('public.t'), false);
    const dropped = replay('CREATE TABLE t (id int);\nCREATE POLICY a ON t USING (true);\nDROP TABLE t;\nCREATE TABLE t (id int);');
    assert.deepEqual(tablePolicies(dropped.schema, table(dropped, 'public.t')), []);
    const cascaded = replay('CREATE TABLE p (a int);\nCREATE TABLE c () INHERITS (p);\nCREATE POLICY cp ON c USING (true);\nDROP TABLE p CASCADE;\nCREATE TABLE c (b int);');
    assert.deepEqual(tablePolicies(cascaded.schema, table(cascaded, 'public.c')), [], 'a table created again, its old self dropped unseen');
  });

  it('keeps materialized views with their indexes, renames, drops and whether they hold data', () => {
    const state = replay(
      'CREATE MATERIALIZED VIEW app.mv (a, b) AS SELECT 1, 2 WITH NO DATA;\nCREATE UNIQUE INDEX mv_a ON app.mv (a);\nCREATE INDEX ON app.mv ((a + b)) WHERE b > 0;\n' +
        'ALTER MATERIALIZED VIEW app.mv RENAME TO mv2;\nALTER MATERIALIZED VIEW app.mv2 RENAME COLUMN a TO x;\nALTER INDEX app.mv_a RENAME TO mv2_x;',
      'REFRESH MATERIALIZED VIEW app.mv2;\nCREATE MATERIALIZED VIEW gone AS SELECT 1;\nDROP MATERIALIZED VIEW IF EXISTS gone, nothing;\nCREATE MATERIALIZED VIEW IF NOT EXISTS kept AS SELECT 1;',
    );
    const views = state.schema.materializedViews!;
    assert.deepEqual([...views.keys()], ['app.mv2', 'public.kept']);
    const mv = views.get('app.mv2')!;
    assert.deepEqual(mv.columns, ['x', 'b']);
    assert.equal(mv.populated, true);
    assert.deepEqual(
      mv.indexes.map((i) => [i.name, i.table, i.columns, i.unique, i.where]),
      [
        ['mv2_x', 'mv2', ['x'], true, undefined],
        ['mv_expr_idx', 'mv2', ['(a + b)'], false, 'b > 0'],
      ],
    );
    assert.equal(views.get('public.kept')?.maybeOlder, true);
    const dropIndex = replay('CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nCREATE UNIQUE INDEX mv_a ON mv (a);\nDROP INDEX mv_a;');
    assert.deepEqual(dropIndex.schema.materializedViews?.get('public.mv')?.indexes, []);
    assert.equal(dropIndex.schema.tables.size, 0, 'a materialized view is not a table');
  });

  it('marks tables whose RLS code it cannot read: DO blocks, helper functions, event triggers', () => {
    const tables = 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n';
    const opaque = (state: ReplayState) => [...state.schema.tables.values()].filter((t) => t.rowSecurityOpaque).map((t) => t.name);
    assert.deepEqual(opaque(replay(tables + "DO $$ BEGIN EXECUTE 'ALTER TABLE a ENABLE ROW LEVEL SECURITY'; END $$;")), ['a']);
    assert.deepEqual(opaque(replay(tables + "DO $$ BEGIN EXECUTE format('CREATE POLICY p ON %I USING (true)', 'x'); END $$;")), ['a', 'b'], 'names none: every table');
    assert.deepEqual(opaque(replay(tables + "DO $$ BEGIN EXECUTE 'GRANT SELECT ON a TO anon'; END $$;")), [], 'no RLS code');
    const helper = "CREATE FUNCTION lock_down(t regclass) RETURNS void LANGUAGE sql AS $$ SELECT 1 $$;\nCREATE OR REPLACE FUNCTION app.rls_on(t text) RETURNS void LANGUAGE plpgsql AS 'BEGIN EXECUTE format(''ALTER TABLE %I ENABLE ROW LEVEL SECURITY'', t); END';\n";
    assert.deepEqual(opaque(replay(tables + helper + "SELECT app.rls_on('b');")), ['b']);
    assert.deepEqual(opaque(replay(tables + helper + "GRANT EXECUTE ON FUNCTION app.rls_on(text) TO anon;\nSELECT lock_down('a');")), [], 'naming a helper is not calling it');
    const trigger = tables + helper + 'CREATE EVENT TRIGGER on_create ON ddl_command_end EXECUTE FUNCTION app.rls_on();\nCREATE TABLE c (id int);';
    assert.deepEqual(opaque(replay(trigger)), ['c']);
  });

  it('does not change a base schema the engine is given', () => {
    const config = defaultConfig('/');
    const base = replay('CREATE TABLE t (id int);\nCREATE POLICY p ON t USING (true);\nCREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;').schema;
    const findings = lintMigrationSet(
      [{ file: '1.sql', text: 'ALTER POLICY p ON t TO anon;\nCREATE UNIQUE INDEX ON mv (a);\nALTER TABLE t RENAME TO t2;' }],
      config,
      { rules: [policyWithoutRls], baseSchema: base },
    );
    assert.deepEqual(findings.map((f) => f.ruleId), ['policy-without-rls']);
    assert.deepEqual(base.policies?.get('public.t')?.map((p) => p.roles), [['public']]);
    assert.deepEqual(base.materializedViews?.get('public.mv')?.indexes, []);
  });
});

import assert from 'node:assert/strict';
import { rule, tablesWithIdlePolicies } from '../../../../src/core/lint/rules/policy-without-rls';
import type { Policy, Table } from '../../../../src/core/schema/model';
import { runRuleTests } from '../rule-tester';

describe('tablesWithIdlePolicies', () => {
  it('keeps tables with policies and RLS off, and leaves out those the model cannot see whole', () => {
    const t = (name: string, extra: Partial<Table> = {}): Table => ({ schema: 'public', name, columns: [], indexes: [], foreignKeys: [], ...extra });
    const p = (table: string): Policy => ({ name: 'p', schema: 'public', table, command: 'select', roles: ['public'], permissive: true, using: 'true' });
    const tables = new Map<string, Table>([
      ['public.a', t('a')],
      ['public.b', t('b', { rowSecurity: { enabled: true, forced: false } })],
      ['public.c', t('c', { rowSecurityOpaque: true })],
      ['public.d', t('d')],
    ]);
    const policies = new Map([['public.a', [p('a')]], ['public.b', [p('b')]], ['public.c', [p('c')]], ['storage.objects', [p('objects')]]]);
    assert.deepEqual(tablesWithIdlePolicies({ tables, policies }).map((x) => x.table.name), ['a']);
  });
});

const table = 'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL);';
const policy = 'CREATE POLICY own ON notes USING (user_id = auth.uid())';

runRuleTests(rule, {
  valid: [
    { name: 'RLS enabled first', code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n${policy};` },
    { name: 'RLS enabled after the policies', code: `${table}\n${policy};\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;` },
    { name: 'RLS enabled in an earlier migration', setup: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;`, code: `${policy};` },
    { name: 'the policy is dropped again', code: `${table}\n${policy};\nDROP POLICY own ON notes;` },
    { name: 'the table is dropped with its policies', code: `${table}\n${policy};\nDROP TABLE notes;` },
    { name: 'a table the migrations do not create (Supabase storage.objects)', code: "CREATE POLICY \"Public read\" ON storage.objects FOR SELECT USING (bucket_id = 'avatars');" },
    {
      name: 'RLS enabled by a helper function the linter cannot read',
      code:
        "CREATE FUNCTION secure(t text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t); END $$;\n" +
        `${table}\n${policy};\nSELECT secure('notes');`,
    },
    {
      name: 'RLS enabled by an event trigger on every new table',
      code:
        "CREATE FUNCTION rls_auto_enable() RETURNS event_trigger LANGUAGE plpgsql AS $$ DECLARE cmd record; BEGIN\n" +
        "  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' LOOP\n" +
        "    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', cmd.object_identity);\n  END LOOP; END $$;\n" +
        'CREATE EVENT TRIGGER ensure_rls ON ddl_command_end EXECUTE FUNCTION rls_auto_enable();\n' +
        `${table}\n${policy};`,
    },
    {
      name: 'RLS enabled through an unqualified name the replay put in public (the deploy\'s search_path picks the table\'s schema)',
      code: 'CREATE TABLE flex.line (id bigint PRIMARY KEY);\nCREATE POLICY "LN_SO001" ON flex.line FOR SELECT USING (true);\nALTER TABLE IF EXISTS line ENABLE ROW LEVEL SECURITY;',
    },
    {
      name: 'RLS enabled in a DO block naming the table',
      code: `${table}\n${policy};\nDO $$ BEGIN IF NOT current_setting('app.multitenant')::bool THEN ALTER TABLE notes ENABLE ROW LEVEL SECURITY; END IF; END $$;`,
    },
    {
      name: 'SET LOCAL search_path ends with its transaction: the ALTER after COMMIT is on public.notes',
      code:
        'create schema app; create table app.notes(id int); create table public.notes(id int);\n' +
        'begin; set local search_path=app; alter table notes enable row level security; commit;\n' +
        'alter table notes enable row level security; create policy p on public.notes using (true);',
    },
    {
      name: 'set_config(\'search_path\', …, false) is followed like SET',
      code:
        'create schema app; create table app.notes(id int); create table public.notes(id int);\n' +
        "select pg_catalog.set_config('search_path', 'app', false); alter table notes enable row level security; create policy p on app.notes using (true);",
    },
    {
      name: 'SET LOCAL in the runner\'s transaction lasts to the end of the file',
      inTransaction: true,
      code: `CREATE SCHEMA app;\nCREATE TABLE app.notes (id int);\nSET LOCAL search_path = app;\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON app.notes USING (true);`,
    },
  ],
  invalid: [
    {
      code: `${table}\n${policy};`,
      errors: [
        {
          message:
            'policy own is defined on notes, but row-level security is never enabled on it: Postgres ignores policies until ALTER TABLE notes ENABLE ROW LEVEL SECURITY, ' +
            'so every role with a privilege on the table reads and changes every row',
          line: 2,
          column: 15,
          endColumn: 18,
        },
      ],
      output: `${table}\n${policy};\nALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;`,
    },
    {
      name: 'several policies: one finding, on the last, with the fix after it',
      code: `SET search_path = app;\nCREATE TABLE "Notes" (id bigint PRIMARY KEY, user_id uuid NOT NULL);\nCREATE POLICY "Own notes" ON "Notes" FOR SELECT USING (user_id = auth.uid());\nCREATE POLICY insert_own ON app."Notes" FOR INSERT\n  WITH CHECK (user_id = auth.uid())\n;\nSELECT 1;`,
      errors: [{ message: '2 policies ("Own notes", insert_own) are defined on app."Notes"', line: 4, column: 15, endColumn: 25 }],
      output: `SET search_path = app;\nCREATE TABLE "Notes" (id bigint PRIMARY KEY, user_id uuid NOT NULL);\nCREATE POLICY "Own notes" ON "Notes" FOR SELECT USING (user_id = auth.uid());\nCREATE POLICY insert_own ON app."Notes" FOR INSERT\n  WITH CHECK (user_id = auth.uid())\n;\nALTER TABLE app."Notes" ENABLE ROW LEVEL SECURITY;\nSELECT 1;`,
    },
    {
      name: 'policies on an existing table, in a migration of their own',
      setup: table,
      code: `${policy};`,
      errors: [{ line: 1 }],
      output: `${policy};\nALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;`,
    },
    {
      name: 'disabled after the policies: reported on the DISABLE, no fix',
      code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n${policy};\nALTER TABLE notes DISABLE ROW LEVEL SECURITY;`,
      errors: [{ message: 'policy own is defined on notes, but row-level security is disabled on it (DISABLE ROW LEVEL SECURITY)', line: 4, column: 19, endColumn: 45 }],
      output: null,
    },
    {
      name: 'disabled by a later migration than the policies: reported on the DISABLE',
      setup: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n${policy};`,
      code: 'ALTER TABLE notes DISABLE ROW LEVEL SECURITY;',
      errors: [{ message: 'disabled on it', line: 1, column: 19 }],
      output: null,
    },
    {
      name: 'a DISABLE on a table that never had RLS changes nothing (drizzle-kit writes them): reported on the policy, with the fix',
      code: `${table}\nALTER TABLE notes DISABLE ROW LEVEL SECURITY;\n${policy};`,
      errors: [{ message: 'never enabled on it', line: 3 }],
      output: `${table}\nALTER TABLE notes DISABLE ROW LEVEL SECURITY;\n${policy};\nALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;`,
    },
    {
      name: 'disabled before the policies were created: reported on the DISABLE',
      code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nALTER TABLE notes DISABLE ROW LEVEL SECURITY;\n${policy};`,
      errors: [{ message: 'disabled on it', line: 3 }],
      output: null,
    },
    {
      name: 'the table was renamed by a later statement: no fix (the policy statement names the old table)',
      code: `${table}\n${policy};\nALTER TABLE notes RENAME TO user_notes;`,
      errors: [{ message: 'policy own is defined on user_notes', line: 2 }],
      output: null,
    },
    {
      name: 'a renamed policy keeps counting; ALTER POLICY moves the finding to it',
      code: `${table}\n${policy};\nALTER POLICY own ON notes RENAME TO mine;\nALTER POLICY mine ON notes TO authenticated;`,
      errors: [{ message: 'policy mine is defined on notes', line: 4, column: 14, endColumn: 18 }],
      output: `${table}\n${policy};\nALTER POLICY own ON notes RENAME TO mine;\nALTER POLICY mine ON notes TO authenticated;\nALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;`,
    },
    {
      name: 'set_config(…, true) ends with its transaction',
      code:
        'create schema app; create table app.notes(id int); create table public.notes(id int);\n' +
        "begin; select set_config('search_path', 'app', true); commit; alter table notes enable row level security; create policy p on app.notes using (true);",
      errors: [{ message: 'policy p is defined on app.notes', line: 2 }],
    },
    {
      name: 'SET LOCAL outside any transaction does nothing (Postgres only warns): the ALTER is on public.notes',
      code: `CREATE SCHEMA app;\nCREATE TABLE app.notes (id int);\nCREATE TABLE notes (id int);\nSET LOCAL search_path = app;\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON app.notes USING (true);`,
      errors: [{ message: 'policy p is defined on app.notes', line: 6 }],
    },
    {
      name: 'a comment between the policy and its ";": the fix goes after the ";", not into the comment',
      code: 'create table "My Tab" (id int, owner text);\ncreate policy p on "My Tab" using (owner = current_user) -- trailing\n;\n',
      errors: [{ line: 2, column: 15, endColumn: 16 }],
      output:
        'create table "My Tab" (id int, owner text);\ncreate policy p on "My Tab" using (owner = current_user) -- trailing\n;\nALTER TABLE public."My Tab" ENABLE ROW LEVEL SECURITY;\n',
    },
    {
      name: 'a block comment before the ";" and another statement on its line',
      code: `${table}\n${policy} /* own rows; only */ ; SELECT 1;`,
      errors: [{ line: 2 }],
      output: `${table}\n${policy} /* own rows; only */ ;\nALTER TABLE public.notes ENABLE ROW LEVEL SECURITY; SELECT 1;`,
    },
    {
      name: 'the last statement of the file has no ";" and a trailing comment: the fix goes after its last token',
      code: `${table}\n${policy} -- trailing\n`,
      errors: [{ line: 2 }],
      output: `${table}\n${policy};\nALTER TABLE public.notes ENABLE ROW LEVEL SECURITY -- trailing\n`,
    },
    {
      name: 'a CRLF file gets CRLF line breaks',
      code: `${table}\r\n${policy} -- trailing\r\n;\r\nSELECT 1;\r\n`,
      errors: [{ line: 2 }],
      output: `${table}\r\n${policy} -- trailing\r\n;\r\nALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;\r\nSELECT 1;\r\n`,
    },
  ],
});

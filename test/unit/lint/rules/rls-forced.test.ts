import assert from 'node:assert/strict';
import { rule, tablesWithUnforcedRowSecurity } from '../../../../src/core/lint/rules/rls-forced';
import type { Policy, Table } from '../../../../src/core/schema/model';
import { runRuleTests } from '../rule-tester';

describe('tablesWithUnforcedRowSecurity', () => {
  it('keeps tables with policies and RLS enabled, not forced, and leaves out those the model cannot see whole', () => {
    const t = (name: string, extra: Partial<Table> = {}): Table => ({ schema: 'public', name, columns: [], indexes: [], foreignKeys: [], ...extra });
    const p = (table: string): Policy => ({ name: 'p', schema: 'public', table, command: 'select', roles: ['public'], permissive: true, using: 'true' });
    const on = { enabled: true, forced: false };
    const tables = new Map<string, Table>([
      ['public.a', t('a', { rowSecurity: on })],
      ['public.b', t('b', { rowSecurity: { enabled: true, forced: true } })],
      ['public.c', t('c', { rowSecurity: on, rowSecurityOpaque: true })],
      ['public.d', t('d', { rowSecurity: on })],
      ['public.e', t('e', { rowSecurity: { enabled: false, forced: false } })],
    ]);
    const policies = new Map([['public.a', [p('a')]], ['public.b', [p('b')]], ['public.c', [p('c')]], ['public.e', [p('e')]]]);
    assert.deepEqual(tablesWithUnforcedRowSecurity({ tables, policies }).map((x) => x.name), ['a']);
  });
});

const table = 'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL);';
const enable = 'ALTER TABLE notes ENABLE ROW LEVEL SECURITY;';
const policy = "CREATE POLICY own ON notes USING (user_id = current_setting('app.user_id')::uuid);";

runRuleTests(rule, {
  valid: [
    { name: 'forced right after enabling', code: `${table}\n${enable}\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\n${policy}` },
    { name: 'forced in the same ALTER', code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;\n${policy}` },
    { name: 'forced by a later migration', setup: `${table}\n${enable}\n${policy}`, code: 'ALTER TABLE notes FORCE ROW LEVEL SECURITY;' },
    { name: 'forced before enabling', code: `${table}\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\n${enable}\n${policy}` },
    { name: 'RLS disabled again later', code: `${table}\n${enable}\n${policy}\nALTER TABLE notes DISABLE ROW LEVEL SECURITY;` },
    { name: 'no policy: rls-enabled-without-policy reports the table', code: `${table}\n${enable}` },
    { name: 'an explicit NO FORCE is a decision', code: `${table}\n${enable}\nALTER TABLE notes NO FORCE ROW LEVEL SECURITY;\n${policy}` },
    { name: 'NO FORCE before ENABLE is a decision too', code: `${table}\nALTER TABLE notes NO FORCE ROW LEVEL SECURITY;\n${enable}\n${policy}` },
    {
      name: 'every policy names its roles: the application connects as them, not as the owner',
      code: `${table}\n${enable}\nCREATE POLICY r ON notes FOR SELECT TO app_reader USING (true);\nCREATE POLICY w ON notes FOR ALL TO app_writer, app_admin USING (user_id IS NOT NULL);`,
    },
    { name: "Supabase's auth.uid(): the Data API's roles are not the owner", code: `${table}\n${enable}\nCREATE POLICY own ON notes USING (user_id = auth.uid());` },
    { name: 'the table is dropped', code: `${table}\n${enable}\n${policy}\nDROP TABLE notes;` },
    { name: 'RLS never enabled (policy-without-rls reports it)', code: `${table}\n${policy}` },
    {
      name: 'RLS switched in a DO block naming the table',
      code: `${table}\n${enable}\n${policy}\nDO $$ BEGIN ALTER TABLE notes FORCE ROW LEVEL SECURITY; END $$;`,
    },
    {
      name: 'enabled in an earlier migration: the finding belongs to that file, not this one',
      setup: 'CREATE SCHEMA app;\nCREATE TABLE app."Notes" (id int, owner text);\nALTER TABLE app."Notes" ENABLE ROW LEVEL SECURITY;',
      code: 'CREATE POLICY a ON app."Notes" FOR SELECT USING (owner = current_user);',
    },
    {
      name: 'FORCE after NO FORCE, then DISABLE and ENABLE again: still forced',
      code: `${table}\n${enable}\nALTER TABLE notes NO FORCE ROW LEVEL SECURITY;\n${policy}\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\nALTER TABLE notes DISABLE ROW LEVEL SECURITY;\n${enable}`,
    },
  ],
  invalid: [
    {
      name: 'the table moved to another schema later: the fix names it as the ENABLE does, where it runs',
      code: `${table}\n${enable}\n${policy}\nCREATE SCHEMA app;\nALTER TABLE notes SET SCHEMA app;`,
      errors: [{ message: 'enabled on app.notes but not forced', line: 2 }],
      output: `${table}\n${enable}\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\n${policy}\nCREATE SCHEMA app;\nALTER TABLE notes SET SCHEMA app;`,
    },
    {
      code: `${table}\n${enable}\n${policy}`,
      errors: [
        {
          message:
            'row-level security is enabled on notes but not forced: its owner bypasses the policy (as do superusers and BYPASSRLS roles), ' +
            'so when the application or the tests connect as the role that created the table, every query sees and changes every row and the policies only look tested; ' +
            'add ALTER TABLE notes FORCE ROW LEVEL SECURITY, or keep it if the application connects as another role',
          line: 2,
          column: 19,
          endColumn: 44,
        },
      ],
      output: `${table}\n${enable}\nALTER TABLE notes FORCE ROW LEVEL SECURITY;\n${policy}`,
    },
    {
      name: 'schema-qualified and quoted, several policies',
      code: 'CREATE SCHEMA app;\nCREATE TABLE app."Notes" (id int, owner text);\nALTER TABLE app."Notes" ENABLE ROW LEVEL SECURITY; -- on\nCREATE POLICY a ON app."Notes" FOR SELECT USING (owner = current_user);\nCREATE POLICY b ON app."Notes" FOR INSERT WITH CHECK (owner = current_user);',
      errors: [{ message: 'enabled on app."Notes" but not forced: its owner bypasses the 2 policies', line: 3 }],
      // The house helper inserts right after the ';': a trailing comment stays at the end of the line.
      output: 'CREATE SCHEMA app;\nCREATE TABLE app."Notes" (id int, owner text);\nALTER TABLE app."Notes" ENABLE ROW LEVEL SECURITY;\nALTER TABLE app."Notes" FORCE ROW LEVEL SECURITY; -- on\nCREATE POLICY a ON app."Notes" FOR SELECT USING (owner = current_user);\nCREATE POLICY b ON app."Notes" FOR INSERT WITH CHECK (owner = current_user);',
    },
    {
      name: 'one policy for a named role and one for PUBLIC: the owner may be the application',
      code: `${table}\n${enable}\nCREATE POLICY r ON notes FOR SELECT TO app_reader USING (true);\n${policy}`,
      errors: [{ message: 'its owner bypasses the 2 policies', line: 2 }],
    },
    {
      name: 'enabled in this migration, policies in an earlier one',
      setup: `${table}\n${policy}`,
      code: `-- turn it on\n${enable}`,
      errors: [{ message: 'bypasses the policy', line: 2 }],
      output: `-- turn it on\n${enable}\nALTER TABLE notes FORCE ROW LEVEL SECURITY;`,
    },
    {
      name: 'the table was renamed later: no fix',
      code: `${table}\n${enable}\n${policy}\nALTER TABLE notes RENAME TO user_notes;`,
      errors: [{ message: 'enabled on user_notes', line: 2 }],
      output: null,
    },
    {
      name: 'the ENABLE without ";" at the end of the file',
      code: `${table}\n${policy}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY`,
      errors: [{ line: 3 }],
      output: `${table}\n${policy}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nALTER TABLE notes FORCE ROW LEVEL SECURITY`,
    },
  ],
});

import assert from 'node:assert/strict';
import { rule, tablesLockedByRowSecurity } from '../../../../src/core/lint/rules/rls-enabled-without-policy';
import type { Policy, Table } from '../../../../src/core/schema/model';
import { runRuleTests } from '../rule-tester';

describe('tablesLockedByRowSecurity', () => {
  it('keeps tables with RLS on and no policy, and leaves out those the model cannot see whole', () => {
    const t = (name: string, extra: Partial<Table> = {}): Table => ({ schema: 'public', name, columns: [], indexes: [], foreignKeys: [], ...extra });
    const on = { enabled: true, forced: false };
    const policy: Policy = { name: 'p', schema: 'public', table: 'b', command: 'all', roles: ['public'], permissive: true, using: 'true' };
    const tables = new Map<string, Table>([
      ['public.a', t('a', { rowSecurity: on })],
      ['public.b', t('b', { rowSecurity: on })],
      ['public.c', t('c', { rowSecurity: { enabled: false, forced: false } })],
      ['public.d', t('d', { rowSecurity: on, rowSecurityOpaque: true })],
      ['public.e', t('e')],
    ]);
    assert.deepEqual(tablesLockedByRowSecurity({ tables, policies: new Map([['public.b', [policy]]]) }).map((x) => x.name), ['a']);
  });
});

const table = 'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL, body text);';

runRuleTests(rule, {
  valid: [
    { name: 'RLS with a policy', code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON notes USING (user_id = auth.uid());` },
    { name: 'the policy comes in a later statement', code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nSELECT 1;\nCREATE POLICY own ON notes FOR SELECT USING (user_id = auth.uid());` },
    {
      name: 'the policy was created in an earlier migration (a schema-qualified name, search_path)',
      setup: `${table}\nCREATE POLICY own ON public.notes USING (user_id = auth.uid());`,
      code: 'SET search_path = public;\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;',
    },
    { name: 'RLS enabled, then disabled', code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nALTER TABLE notes DISABLE ROW LEVEL SECURITY;` },
    { name: 'RLS never enabled', code: table },
    { name: 'a table the migrations do not create', code: 'ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;' },
    {
      name: 'a DO block that builds its policies at run time',
      code:
        `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n` +
        "DO $$ BEGIN EXECUTE format('CREATE POLICY own ON %I USING (user_id = auth.uid())', 'notes'); END $$;",
    },
    {
      name: 'a DO block looping over every table',
      code:
        `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\n` +
        "DO $$ DECLARE r record; BEGIN FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n" +
        "  EXECUTE format('CREATE POLICY owner_only ON %I USING (owner = current_user)', r.tablename);\nEND LOOP; END $$;",
    },
    {
      name: 'a helper function that creates the policies, called later',
      code:
        'CREATE FUNCTION add_owner_policy(t regclass) RETURNS void LANGUAGE plpgsql AS $$\n' +
        "BEGIN EXECUTE format('CREATE POLICY owner_only ON %s USING (user_id = auth.uid())', t); END $$;\n" +
        `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nSELECT add_owner_policy('notes');`,
    },
    {
      name: 'an unqualified policy the replay put in public while the table lives in the schema the deploy\'s search_path picks (Liquibase default schema)',
      code: 'CREATE TABLE flex.line_history (id bigint PRIMARY KEY);\nALTER TABLE flex.line_history ENABLE ROW LEVEL SECURITY;\nCREATE POLICY "LNH_SO001" ON line_history FOR SELECT TO flex_system_operator USING (true);',
    },
    {
      name: 'the table is dropped',
      code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nDROP TABLE notes;`,
    },
  ],
  invalid: [
    {
      code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;`,
      errors: [
        {
          message:
            'row-level security is enabled on notes and no policy exists on it after the migrations: every role other than its owner, superusers and BYPASSRLS roles ' +
            'reads no rows from it, UPDATE and DELETE change nothing, and INSERT fails with "new row violates row-level security policy"; ' +
            "add the policies that say who sees which rows, or keep it if only the owner or a BYPASSRLS role (such as Supabase's service_role) is meant to reach it",
          line: 2,
          column: 19,
          endColumn: 44,
        },
      ],
      output: null,
    },
    {
      name: 'the only policy is dropped later; the finding is on the subcommand that enabled RLS',
      code: `${table}\nALTER TABLE public.notes ADD COLUMN tag text, ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON notes USING (user_id = auth.uid());\nDROP POLICY own ON notes;`,
      errors: [{ message: 'row-level security is enabled on notes', line: 2, column: 47, endColumn: 72 }],
    },
    {
      name: 'a schema other than public, through search_path',
      code: 'SET search_path = app;\nCREATE TABLE notes (id bigint PRIMARY KEY);\nALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON public.other USING (true);',
      errors: [{ message: 'row-level security is enabled on app.notes', line: 3 }],
    },
    {
      name: 'the table was renamed: its policies follow it, the old name has none',
      code: `${table}\nCREATE TABLE other (id int PRIMARY KEY);\nALTER TABLE other ENABLE ROW LEVEL SECURITY;\nALTER TABLE notes RENAME TO old_notes;\nCREATE POLICY own ON old_notes USING (true);\nALTER TABLE other RENAME TO notes2;`,
      errors: [{ message: 'enabled on notes2', line: 3 }],
    },
    {
      name: 'FORCE locks the owner out too: a warning',
      code: `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;`,
      errors: [{ message: 'every role other than superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY locks the owner out too)', column: 19 }],
    },
    {
      name: 'RLS enabled in an earlier migration; this one drops the last policy (reported where RLS was enabled, not here)',
      setup: `${table}\nCREATE POLICY own ON notes USING (user_id = auth.uid());`,
      code: 'ALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nDROP POLICY IF EXISTS own ON notes;',
      errors: [{ line: 1 }],
    },
    {
      name: 'a DO block about another table does not hide this one',
      code: `${table}\nCREATE TABLE other (id int PRIMARY KEY);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nDO $$ BEGIN EXECUTE 'ALTER TABLE other ENABLE ROW LEVEL SECURITY'; END $$;`,
      errors: [{ message: 'enabled on notes', line: 3 }],
    },
  ],
});

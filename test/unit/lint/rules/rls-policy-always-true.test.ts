import assert from 'node:assert/strict';
import { isConstantTrue, rule } from '../../../../src/core/lint/rules/rls-policy-always-true';
import { runRuleTests } from '../rule-tester';

describe('isConstantTrue', () => {
  it('reads true as Postgres would, and nothing else', () => {
    for (const e of ['true', 'TRUE', '(true)', '( (true) )', 'true::boolean', "'t'::bool", "'yes'"]) assert.equal(isConstantTrue(e), true, e);
    for (const e of [undefined, 'false', 'auth.uid() IS NOT NULL', "(true) AND (user_id = auth.uid())", '(true) OR (false)', "'f'", '1 = 1']) {
      assert.equal(isConstantTrue(e), false, String(e));
    }
  });
});

const table = 'CREATE TABLE notes (id bigint PRIMARY KEY, user_id uuid NOT NULL);\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;';

runRuleTests(rule, {
  valid: [
    { name: 'a policy comparing the row with the user', code: `${table}\nCREATE POLICY own ON notes TO authenticated USING (user_id = auth.uid());` },
    { name: 'an admin role (default list)', code: `${table}\nCREATE POLICY service ON notes TO service_role USING (true) WITH CHECK (true);` },
    { name: 'several admin roles', code: `${table}\nCREATE POLICY admin ON notes FOR ALL TO postgres, supabase_admin USING (true);` },
    {
      name: 'configured admin roles replace the default list',
      options: { adminRoles: ['flex_internal_data'] },
      code: `${table}\nCREATE POLICY internal ON notes FOR ALL TO flex_internal_data USING (true) WITH CHECK (true);`,
    },
    { name: 'a restrictive true restricts nothing and opens nothing', code: `${table}\nCREATE POLICY r ON notes AS RESTRICTIVE TO authenticated USING (true);` },
    { name: 'an INSERT policy with a real check', code: `${table}\nCREATE POLICY ins ON notes FOR INSERT TO authenticated WITH CHECK (user_id = auth.uid());` },
    {
      name: 'UPDATE comparing the row with the user in USING and WITH CHECK',
      code: `${table}\nCREATE POLICY upd ON notes FOR UPDATE TO authenticated USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid());`,
    },
    { name: 'the policy is dropped later', code: `${table}\nCREATE POLICY open ON notes USING (true);\nDROP POLICY open ON notes;` },
    { name: 'ALTER POLICY narrows it later', code: `${table}\nCREATE POLICY open ON notes TO authenticated USING (true);\nALTER POLICY open ON notes USING (user_id = auth.uid());` },
    { name: 'ALTER POLICY moves it to an admin role', code: `${table}\nCREATE POLICY open ON notes USING (true);\nALTER POLICY open ON notes TO service_role;` },
    { name: 'the table is dropped', code: `${table}\nCREATE POLICY open ON notes USING (true);\nDROP TABLE notes;` },
  ],
  invalid: [
    {
      code: `${table}\nCREATE POLICY "Anyone can do anything" ON notes FOR ALL TO authenticated USING (true) WITH CHECK (true);`,
      errors: [
        {
          message:
            'policy "Anyone can do anything" on notes is USING (true) and WITH CHECK (true) for authenticated: they may read, update and delete every row in notes, ' +
            "other users' rows included, and insert and update rows of notes with any values (a row in another user's name, or handed to another owner); " +
            'permissive policies are OR-ed, so no other policy for them on that command narrows it; compare the row with the user ' +
            "(e.g. user_id = auth.uid(), tenant_id = current_setting('app.tenant_id')::uuid), or add the role to \"adminRoles\" if it is meant to see everything",
          line: 3,
          column: 15,
          endColumn: 39,
        },
      ],
      output: null,
    },
    {
      name: 'PUBLIC by default; a SELECT-only opening is info (public reference data often means it)',
      code: `${table}\nCREATE POLICY read_all ON public.notes FOR SELECT USING ( TRUE );`,
      errors: [{ message: 'policy read_all on notes is USING (true) for PUBLIC (every role, anon included): they may read every row in notes', line: 3 }],
    },
    {
      name: 'INSERT … WITH CHECK (true): anyone may insert rows for anyone',
      code: `${table}\nCREATE POLICY ins ON notes FOR INSERT TO anon WITH CHECK (true);`,
      errors: [{ message: "is WITH CHECK (true) for anon: they may insert rows with any values into notes (a row in another user's name); permissive policies", severity: 'info' }],
    },
    {
      name: 'UPDATE with USING (true) and no WITH CHECK (it checks new rows with USING)',
      code: `${table}\nCREATE POLICY upd ON notes FOR UPDATE TO authenticated USING (true);`,
      errors: [{ message: "is USING (true) for authenticated: they may update every row in notes, other users' rows included, and give the rows they update in notes any values (hand a row to another owner);" }],
    },
    {
      name: 'UPDATE … USING (true) WITH CHECK (real): every row can still be changed, the new values are checked',
      code: `${table}\nCREATE POLICY upd ON notes FOR UPDATE TO authenticated USING (true) WITH CHECK (user_id = auth.uid());`,
      errors: [{ message: "is USING (true) for authenticated: they may update every row in notes, other users' rows included; permissive policies" }],
    },
    {
      name: 'UPDATE … USING (real) WITH CHECK (true): not every row, but the rows they update may get any values (a new owner)',
      code: `${table}\nCREATE POLICY upd ON notes FOR UPDATE USING (user_id = auth.uid()) WITH CHECK (true);`,
      errors: [{ message: "is WITH CHECK (true) for PUBLIC (every role, anon included): they may give the rows they update in notes any values (hand a row to another owner); permissive policies" }],
    },
    {
      name: 'FOR ALL … USING (real) WITH CHECK (true): writes with any values only',
      code: `${table}\nCREATE POLICY own ON notes TO authenticated USING (user_id = auth.uid()) WITH CHECK (true);`,
      errors: [{ message: "is WITH CHECK (true) for authenticated: they may insert and update rows of notes with any values (a row in another user's name, or handed to another owner); permissive" }],
    },
    {
      name: 'DELETE for a mix of roles: only the non-admin ones are named',
      code: `${table}\nCREATE POLICY del ON notes FOR DELETE TO service_role, authenticated USING (true);`,
      errors: [{ message: 'is USING (true) for authenticated: they may delete every row in notes' }],
    },
    {
      name: 'ALTER POLICY opens it: the finding is on the ALTER',
      code: `${table}\nCREATE POLICY own ON notes TO authenticated USING (user_id = auth.uid());\nALTER POLICY own ON notes USING (true);`,
      errors: [{ message: 'policy own on notes is USING (true)', line: 4, column: 14, endColumn: 17 }],
    },
    {
      name: 'a table the migrations do not create',
      code: "CREATE POLICY \"Anyone can upload\" ON storage.objects FOR INSERT TO public WITH CHECK ('t'::boolean);",
      errors: [{ message: 'policy "Anyone can upload" on storage.objects is WITH CHECK (true) for PUBLIC' }],
    },
    {
      name: 'a configured admin role list does not include the default ones',
      options: { adminRoles: ['flex_internal_data'] },
      code: `${table}\nCREATE POLICY s ON notes TO service_role USING (true);`,
      errors: [{ message: 'for service_role' }],
    },
  ],
});

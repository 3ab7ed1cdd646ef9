import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { defaultConfig } from '../../../src/core/config';
import { lintMigrationSet } from '../../../src/core/lint/engine';
import { rule as matviewRefreshNeedsUniqueIndex } from '../../../src/core/lint/rules/matview-refresh-needs-unique-index';
import { rule as policyWithoutRls } from '../../../src/core/lint/rules/policy-without-rls';
import { rule as rlsEnabledWithoutPolicy } from '../../../src/core/lint/rules/rls-enabled-without-policy';
import { rule as rlsPolicyAlwaysTrue } from '../../../src/core/lint/rules/rls-policy-always-true';
import type { Rule } from '../../../src/core/lint/rule';
import { loadSqlParser } from '../../../src/core/sql/parse';
import type { Finding } from '../../../src/core/types';
import { requireServer } from '../db/test-env';
import { databaseConfig, withFreshDatabase } from './run-as-runner';

/**
 * What the row-level security and materialized view rules tell users, checked on the real
 * server: each migration is linted, then run on a fresh database, and a role that is not the
 * owner (and no superuser) reads and writes as the finding says it would. policy-without-rls's
 * fix is applied and the fixed migration must run and make the policy bite. The role is
 * cluster-wide: created per run with a random name and dropped afterwards.
 */

function lint(rule: Rule, text: string): Finding[] {
  const config = defaultConfig('/');
  return lintMigrationSet([{ file: '001.sql', text }], config, { rules: [rule] }).filter((f) => f.ruleId === rule.id);
}

/** The error Postgres raises for `sql`, or undefined when it succeeds. */
async function errorOf(client: Client, sql: string): Promise<string | undefined> {
  try {
    await client.query(sql);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('row-level security and materialized view rules, on the real server', function () {
  this.timeout(120_000);
  const role = `pglens_rls_${randomBytes(5).toString('hex')}`;
  let admin: Client | undefined;

  before(async function () {
    await requireServer(this, 'row-level security on the server');
    await loadSqlParser();
    admin = new Client({ ...databaseConfig(), connectionTimeoutMillis: 5000 });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} NOLOGIN`);
  });

  after(async () => {
    if (!admin) return;
    // The databases that granted it privileges are gone: nothing depends on the role any more.
    await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  });

  /** Runs the migration as the owner (the test superuser), fills the table, then gives the role table privileges. */
  async function migrate(client: Client, sql: string): Promise<void> {
    await client.query(sql);
    await client.query(`INSERT INTO notes (id, owner) VALUES (1, '${role}'), (2, 'someone_else')`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO ${role}`);
  }

  /** Runs `sql` as the role (not the owner, not a superuser, no BYPASSRLS). */
  async function asRole<T>(client: Client, use: () => Promise<T>): Promise<T> {
    await client.query(`SET ROLE ${role}`);
    try {
      return await use();
    } finally {
      await client.query('RESET ROLE');
    }
  }

  const table = 'CREATE TABLE notes (id int PRIMARY KEY, owner text NOT NULL DEFAULT current_user);';

  it('rls-enabled-without-policy: the role reads no rows, changes none, cannot insert; the owner still reads all (and not under FORCE)', async () => {
    const sql = `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;`;
    assert.equal(lint(rlsEnabledWithoutPolicy, sql).length, 1);
    await withFreshDatabase('pglens_rls', async (client) => {
      await migrate(client, sql);
      await asRole(client, async () => {
        assert.equal((await client.query('SELECT * FROM notes')).rowCount, 0);
        assert.equal((await client.query("UPDATE notes SET owner = 'x'")).rowCount, 0);
        assert.equal((await client.query('DELETE FROM notes')).rowCount, 0);
        assert.match((await errorOf(client, 'INSERT INTO notes (id) VALUES (3)')) ?? '', /^new row violates row-level security policy for table "notes"$/);
      });
      // The owner is not subject to RLS unless it is forced; the test superuser owns the table.
      await client.query(`ALTER TABLE notes OWNER TO ${role}`);
      await asRole(client, async () => assert.equal((await client.query('SELECT * FROM notes')).rowCount, 2));
      await client.query('ALTER TABLE notes FORCE ROW LEVEL SECURITY');
      assert.equal(lint(rlsEnabledWithoutPolicy, `${sql}\nALTER TABLE notes FORCE ROW LEVEL SECURITY;`)[0]?.severity, 'warning');
      await asRole(client, async () => assert.equal((await client.query('SELECT * FROM notes')).rowCount, 0));
    });
  });

  it('policy-without-rls: the policy does nothing until the fix enables RLS; the fixed migration runs and the policy bites', async () => {
    const sql = `${table}\nCREATE POLICY own ON notes FOR ALL USING (owner = current_user);\n`;
    const findings = lint(policyWithoutRls, sql);
    assert.equal(findings.length, 1);
    const fixed = applyEdits(sql, findings[0].fix!.edits);
    assert.equal(fixed, `${table}\nCREATE POLICY own ON notes FOR ALL USING (owner = current_user);\nALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;\n`);
    assert.deepEqual(lint(policyWithoutRls, fixed), []);
    await withFreshDatabase('pglens_rls', async (client) => {
      await migrate(client, sql);
      await asRole(client, async () => assert.equal((await client.query('SELECT * FROM notes')).rowCount, 2, 'the policy is ignored'));
    });
    await withFreshDatabase('pglens_rls', async (client) => {
      await migrate(client, fixed);
      const rls = await client.query("SELECT relrowsecurity FROM pg_class WHERE oid = 'public.notes'::regclass");
      assert.equal(rls.rows[0].relrowsecurity, true);
      await asRole(client, async () => {
        assert.deepEqual((await client.query('SELECT id FROM notes')).rows, [{ id: 1 }]);
        assert.match((await errorOf(client, "INSERT INTO notes (id, owner) VALUES (3, 'someone_else')")) ?? '', /new row violates row-level security policy/);
      });
    });
  });

  it('rls-policy-always-true: USING (true) lets the role read and change every row', async () => {
    const sql = `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON notes USING (owner = current_user);\nCREATE POLICY everyone ON notes FOR UPDATE TO PUBLIC USING (true);`;
    assert.deepEqual(lint(rlsPolicyAlwaysTrue, sql).map((f) => f.severity), ['warning']);
    await withFreshDatabase('pglens_rls', async (client) => {
      await migrate(client, sql);
      await asRole(client, async () => {
        assert.equal((await client.query('SELECT * FROM notes')).rowCount, 1, 'the owner check still holds for reads');
        // An UPDATE that reads columns (WHERE, SET x = x…) must pass the SELECT policies too; a blind one only the UPDATE policies.
        assert.equal((await client.query("UPDATE notes SET id = id + 10 WHERE owner = 'someone_else'")).rowCount, 0);
        assert.equal((await client.query("UPDATE notes SET owner = 'stolen'")).rowCount, 2, 'every row overwritten');
      });
    });
    const open = `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY everyone ON notes TO PUBLIC USING (true);`;
    assert.equal(lint(rlsPolicyAlwaysTrue, open).length, 1);
    await withFreshDatabase('pglens_rls', async (client) => {
      await migrate(client, open);
      await asRole(client, async () => {
        assert.equal((await client.query('SELECT * FROM notes')).rowCount, 2);
        assert.equal((await client.query("UPDATE notes SET owner = 'stolen'")).rowCount, 2);
        assert.equal((await client.query('DELETE FROM notes')).rowCount, 2);
      });
    });
  });

  it('rls-policy-always-true: WITH CHECK (true) under a real USING updates only the own rows, but may hand them to another owner (as the message says)', async () => {
    const sql =
      `${table}\nALTER TABLE notes ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own_read ON notes FOR SELECT USING (owner = current_user);\n` +
      'CREATE POLICY own_update ON notes FOR UPDATE USING (owner = current_user) WITH CHECK (true);';
    const [finding] = lint(rlsPolicyAlwaysTrue, sql);
    assert.ok(finding, 'expected a finding');
    assert.match(finding.message, /is WITH CHECK \(true\) for PUBLIC .*: they may give the rows they update in notes any values \(hand a row to another owner\);/);
    assert.doesNotMatch(finding.message, /every row/);
    await withFreshDatabase('pglens_rls', async (client) => {
      await migrate(client, sql);
      await asRole(client, async () => {
        // Not every row: the other owner's row is out of the USING's reach.
        assert.equal((await client.query("UPDATE notes SET id = id + 10 WHERE owner = 'someone_else'")).rowCount, 0);
        // Its own row (only: the USING holds), handed to another owner: the new values are not checked. A blind
        // UPDATE: one that reads columns (WHERE id = 1) must also pass the SELECT policies with the new row.
        assert.equal((await client.query("UPDATE notes SET owner = 'someone_else'")).rowCount, 1);
        assert.equal((await client.query('SELECT * FROM notes')).rowCount, 0, 'the row is gone from its reach');
      });
      assert.deepEqual((await client.query('SELECT id, owner FROM notes ORDER BY id')).rows, [{ id: 1, owner: 'someone_else' }, { id: 2, owner: 'someone_else' }]);
    });
  });

  it('policy-without-rls follows search_path as the server does: SET LOCAL ends with COMMIT, set_config is followed', async () => {
    const schemas = 'CREATE SCHEMA app; CREATE TABLE app.notes (id int); CREATE TABLE public.notes (id int);\n';
    const local =
      `${schemas}BEGIN; SET LOCAL search_path = app; ALTER TABLE notes ENABLE ROW LEVEL SECURITY; COMMIT;\n` +
      'ALTER TABLE notes ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON public.notes USING (true);';
    const config = `${schemas}SELECT pg_catalog.set_config('search_path', 'app', false); ALTER TABLE notes ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON app.notes USING (true);`;
    const localConfig = `${schemas}BEGIN; SELECT set_config('search_path', 'app', true); COMMIT; ALTER TABLE notes ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON app.notes USING (true);`;
    const rowSecurity = async (client: Client): Promise<Record<string, boolean>> =>
      Object.fromEntries((await client.query("SELECT relnamespace::regnamespace::text AS schema, relrowsecurity FROM pg_class WHERE relname = 'notes'")).rows.map((r) => [r.schema, r.relrowsecurity]));
    for (const [sql, expected, findings] of [
      [local, { app: true, public: true }, 0],
      [config, { app: true, public: false }, 0],
      [localConfig, { app: false, public: true }, 1],
    ] as const) {
      assert.equal(lint(policyWithoutRls, sql).length, findings, sql);
      await withFreshDatabase('pglens_rls', async (client) => {
        await client.query(sql);
        assert.deepEqual(await rowSecurity(client), expected, sql);
      });
    }
  });

  it('matview-refresh-needs-unique-index: the refresh fails as the finding says; with a unique index it runs', async () => {
    const base = 'CREATE TABLE orders (id int PRIMARY KEY, total numeric);\nCREATE MATERIALIZED VIEW totals AS SELECT id, total FROM orders;\nCREATE UNIQUE INDEX totals_expr ON totals ((id + 0));\n';
    const failing = `${base}REFRESH MATERIALIZED VIEW CONCURRENTLY totals;`;
    const [finding] = lint(matviewRefreshNeedsUniqueIndex, failing);
    assert.ok(finding, 'expected a finding');
    await withFreshDatabase('pglens_mv', async (client) => {
      const error = await errorOf(client, failing);
      assert.equal(error, 'cannot refresh materialized view "public.totals" concurrently');
      assert.ok(finding.message.includes(`"${error}"`), finding.message);
    });
    const working = `${base}CREATE UNIQUE INDEX totals_id ON totals (id);\nREFRESH MATERIALIZED VIEW CONCURRENTLY totals;`;
    assert.deepEqual(lint(matviewRefreshNeedsUniqueIndex, working), []);
    await withFreshDatabase('pglens_mv', async (client) => assert.equal(await errorOf(client, working), undefined));
  });
});

import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import type { DatabaseCheck, DatabaseFinding, Thresholds } from '../../../src/core/health/database/check';
import { ACTIVITY_CHECKS } from '../../../src/core/health/database/checks';
import { databaseHealth } from '../../../src/core/health/database/database-health';
import { signalBackend } from '../../../src/core/health/database/session-signal';
import { parseConfig } from '../../../src/core/config';
import type { DatabaseRuleId } from '../../../src/core/health/database/check';
import { PgQueryConnection } from './pg-adapter';
import { openTestServer } from './server';
import { serverConfig, serverUrl, uniqueName } from '../db/test-env';

/**
 * Each session condition made for real on the test server, from extra connections the test
 * opens: a sleeping query, an idle transaction, a chain of lock waits, a role without
 * pg_read_all_stats. Other activity on the machine must not flake the assertions, so they look
 * only at sessions whose application_name starts with this run's prefix (the checks do not).
 */
describe('database activity checks on a live server', function () {
  this.timeout(30_000);
  const app = uniqueName('pglens_act');
  const schema = uniqueName('activity_it');
  const role = uniqueName('pglens_act_role');
  const password = `pw_${Math.random().toString(36).slice(2)}`;
  let conn: PgQueryConnection | undefined;
  let serverVersionNum = 0;
  let roleCreated = false;
  const clients: Client[] = [];
  /** Queries started without awaiting; settled before the connections close. */
  const pending: Promise<unknown>[] = [];

  before(async function () {
    conn = await openTestServer(this, 'database activity tests');
    if (!conn) return;
    serverVersionNum = Number((await conn.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
    await conn.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.accounts (id int PRIMARY KEY, balance int NOT NULL);
      INSERT INTO ${schema}.accounts SELECT g, 100 FROM generate_series(1, 10) g;`);
  });

  after(async function () {
    if (!conn) return;
    // Any session this run left running (a test failed half-way) ends here, not minutes later.
    await conn.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1 AND pid <> pg_backend_pid()`, [`${app}%`]);
    await Promise.allSettled(pending);
    await Promise.allSettled(clients.map((c) => c.end()));
    await conn.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    if (roleCreated) await conn.query(`DROP ROLE IF EXISTS ${role}`);
    await conn.close();
  });

  /** A session of this run, named `<app>_<tag>`; a terminated one must not crash the process. */
  async function session(tag: string): Promise<{ client: Client; pid: number; name: string }> {
    const name = `${app}_${tag}`;
    const client = new Client({ ...serverConfig(), application_name: name });
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    return { client, pid, name };
  }

  /** Starts a statement and returns at once; the outcome is kept for the test to inspect. */
  function start(client: Client, sql: string): Promise<{ ok: boolean; error?: Error & { code?: string } }> {
    const outcome = client.query(sql).then(
      () => ({ ok: true }),
      (error: Error & { code?: string }) => ({ ok: false, error }),
    );
    pending.push(outcome);
    return outcome;
  }

  function check(id: DatabaseRuleId): DatabaseCheck<unknown> {
    const c = ACTIVITY_CHECKS.find((x) => x.id === id);
    assert.ok(c, `${id} is registered`);
    return c;
  }

  async function judge(id: DatabaseRuleId, thresholds: Thresholds, on: PgQueryConnection = conn as PgQueryConnection) {
    const c = check(id);
    const data = await c.read({ conn: on, serverVersionNum, schemas: [], role: 'postgres' });
    return c.judge(data, { ...c.defaults, ...thresholds }, 'server');
  }

  /** Reads and judges until `pick` finds its finding (conditions take a moment to show, and thresholds a second to pass). */
  async function until(id: DatabaseRuleId, thresholds: Thresholds, pick: (f: DatabaseFinding) => boolean): Promise<DatabaseFinding> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = (await judge(id, thresholds)).findings.find(pick);
      if (found) return found;
      if (Date.now() > deadline) assert.fail(`${id}: no matching finding after 10 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const ours = (f: DatabaseFinding) => String(f.metrics?.application_name ?? '').startsWith(app);

  it('registers the four checks in order (by id), each needing a server', function () {
    assert.deepEqual(
      ACTIVITY_CHECKS.map((c) => c.id),
      ['blocking-locks', 'connections', 'idle-in-transaction', 'long-running-query'],
    );
    assert.ok(ACTIVITY_CHECKS.every((c) => typeof c.sandbox === 'string' && /pg_read_all_stats/.test(c.privilege ?? '')));
  });

  it('finds nothing in the test\'s own quiet sessions, and never reports pglens\'s own session', async function () {
    if (!conn) return;
    const quiet = await session('quiet');
    await quiet.client.query('SELECT 1');
    const config = parseConfig(
      {
        rules: {
          'long-running-query': ['warning', { seconds: 0 }],
          'idle-in-transaction': ['warning', { seconds: 0 }],
          'blocking-locks': ['warning', { waitSeconds: 0 }],
        },
      },
      '/nowhere/.pglens.json',
    );
    const health = await databaseHealth(conn, { checks: ACTIVITY_CHECKS, config });
    assert.deepEqual(
      health.checks.map((c) => [c.id, c.state]),
      ACTIVITY_CHECKS.map((c) => [c.id, 'ran']),
    );
    assert.deepEqual(health.findings.filter(ours), []);
    const own = (await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    assert.ok(!health.findings.some((f) => f.pid === own), 'pglens\'s own session is never a finding');
    const connections = health.checks.find((c) => c.id === 'connections');
    assert.match(connections?.summary ?? '', /^\d+ of \d+ connections in use \(\d+%; max_connections \d+ − \d+ reserved for superusers/);
  });

  it('long-running-query: reports a sleeping query past 1 s; cancel works only on the statement the user confirmed', async function () {
    if (!conn) return;
    const sleeper = await session('sleeper');
    const sleeping = start(sleeper.client, 'SELECT pg_sleep(20) /* long-running */');
    const f = await until('long-running-query', { seconds: 1 }, (x) => x.pid === sleeper.pid);
    assert.equal(f.severity, 'warning');
    assert.equal(f.query, 'SELECT pg_sleep(20) /* long-running */');
    assert.match(f.message, new RegExp(`^pid ${sleeper.pid} \\(postgres via ${sleeper.name} from [\\d.:a-f]+, database \\w+\\) has been running its query for \\d+ s \\(threshold 1 s\\)`));
    assert.match(f.message, /, waiting on Timeout:PgSleep: SELECT pg_sleep\(20\)/);
    assert.equal(f.metrics?.state, 'active');
    assert.equal(f.metrics?.application_name, sleeper.name);
    assert.ok(Number(f.metrics?.seconds) >= 1);
    assert.match(String(f.metrics?.query_start), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(f.nextStep ?? '', /statement_timeout/);
    const error = (await judge('long-running-query', { seconds: 1, errorSeconds: 1 })).findings.find((x) => x.pid === sleeper.pid);
    assert.equal(error?.severity, 'error', 'past errorSeconds the finding is an error');

    const own = (await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const self = await signalBackend(conn, own, 'cancel');
    assert.deepEqual(self, { signalled: false, message: `did not cancel the query of pid ${own}: it is pglens's own session` });

    const moved = await signalBackend(conn, sleeper.pid, 'cancel', { queryStart: '2000-01-01T00:00:00.000000Z', query: f.query });
    assert.equal(moved.signalled, false);
    assert.match(moved.message, /has started another statement since it was listed/);
    const otherText = await signalBackend(conn, sleeper.pid, 'terminate', { queryStart: String(f.metrics?.query_start), query: 'SELECT 1' });
    assert.equal(otherText.signalled, false);
    assert.match(otherText.message, /query text has changed/);

    const cancelled = await signalBackend(conn, sleeper.pid, 'cancel', { queryStart: String(f.metrics?.query_start), query: f.query });
    assert.equal(cancelled.signalled, true, cancelled.message);
    const outcome = await sleeping;
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error?.code, '57014', 'the sleeping statement was cancelled');
    assert.equal((await sleeper.client.query('SELECT 1 AS one')).rows[0].one, 1, 'the session stays connected');

    const idle = await signalBackend(conn, sleeper.pid, 'cancel');
    assert.equal(idle.signalled, false);
    assert.match(idle.message, /it is idle, with no statement to cancel/);
    const gone = await signalBackend(conn, 2_000_000_000, 'terminate');
    assert.match(gone.message, /no such session any more/);
  });

  it('idle-in-transaction: reports an open transaction past 1 s with its locks; terminate ends it', async function () {
    if (!conn) return;
    const idler = await session('idler');
    await idler.client.query('BEGIN');
    await idler.client.query(`SELECT count(*) FROM ${schema}.accounts`);
    const f = await until('idle-in-transaction', { seconds: 1 }, (x) => x.pid === idler.pid);
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      new RegExp(
        `^pid ${idler.pid} \\(.*\\) has been idle in a transaction for \\d+ s \\(threshold 1 s\\); the transaction has been open for \\d+ s, ` +
          `holding \\d+ relation locks \\(AccessShareLock on ${schema}\\.accounts\\) that DDL on that table must wait for; its last statement: SELECT count`,
      ),
    );
    assert.equal(f.schema, schema);
    assert.equal(f.table, 'accounts');
    assert.equal(f.metrics?.state, 'idle in transaction');
    assert.equal(f.metrics?.locked_tables, `${schema}.accounts (AccessShareLock)`);
    assert.match(f.nextStep ?? '', /idle_in_transaction_session_timeout/);

    const cancel = await signalBackend(conn, idler.pid, 'cancel', { queryStart: String(f.metrics?.query_start), query: f.query });
    assert.equal(cancel.signalled, false);
    assert.match(cancel.message, /idle in transaction, with no statement to cancel; terminate it/);
    const terminated = await signalBackend(conn, idler.pid, 'terminate', { queryStart: String(f.metrics?.query_start), query: f.query });
    assert.equal(terminated.signalled, true, terminated.message);
    await waitGone(conn, idler.pid);
    await assert.rejects(idler.client.query('SELECT 1'));
  });

  it('blocking-locks: one finding for the root of a chain, with every session queued behind it', async function () {
    if (!conn) return;
    const holder = await session('holder');
    const writer = await session('writer');
    const ddl = await session('ddl');
    const reader = await session('reader');
    await holder.client.query('BEGIN');
    await holder.client.query(`UPDATE ${schema}.accounts SET balance = balance - 1 WHERE id = 1`);
    // A row lock, then DDL queued behind both holders of RowExclusiveLock, then a plain read queued behind the DDL.
    const writes = start(writer.client, `UPDATE ${schema}.accounts SET balance = balance + 1 WHERE id = 1`);
    await waitWaiting(conn, writer.pid);
    const alters = start(ddl.client, `ALTER TABLE ${schema}.accounts ADD COLUMN note text`);
    await waitWaiting(conn, ddl.pid);
    const reads = start(reader.client, `SELECT count(*) FROM ${schema}.accounts`);
    await waitWaiting(conn, reader.pid);

    const f = await until('blocking-locks', { waitSeconds: 1 }, (x) => x.pid === holder.pid);
    assert.equal(f.severity, 'warning');
    assert.equal(f.metrics?.waiters, 3);
    assert.deepEqual(String(f.metrics?.waiting_pids).split(',').map(Number).sort(), [writer.pid, ddl.pid, reader.pid].sort());
    assert.match(f.message, new RegExp(`^pid ${holder.pid} \\(.*\\), idle in transaction for \\d+ s, blocks 3 sessions, the longest waiting \\d+ s \\(threshold 1 s\\): `));
    assert.match(f.message, new RegExp(`pid ${writer.pid} waits \\d+ s for a row lock on ${schema}\\.accounts`));
    assert.match(f.message, new RegExp(`pid ${ddl.pid} waits \\d+ s for AccessExclusiveLock on ${schema}\\.accounts`));
    assert.match(f.message, new RegExp(`pid ${reader.pid} waits \\d+ s for AccessShareLock on ${schema}\\.accounts behind pid ${ddl.pid}`));
    assert.match(f.message, /its last statement: UPDATE/);
    assert.equal(f.query, `UPDATE ${schema}.accounts SET balance = balance - 1 WHERE id = 1`);
    assert.equal(f.schema, schema);
    assert.equal(f.table, 'accounts');
    assert.match(f.nextStep ?? '', /lock_timeout/);
    const all = await judge('blocking-locks', { waitSeconds: 1 });
    assert.ok(!all.findings.some((x) => x.pid === writer.pid || x.pid === ddl.pid || x.pid === reader.pid), 'a waiter is not a root');
    assert.match(all.summary ?? '', /sessions wait for a lock/);
    const error = (await judge('blocking-locks', { waitSeconds: 1, errorSeconds: 1 })).findings.find((x) => x.pid === holder.pid);
    assert.equal(error?.severity, 'error');

    // The holder's transaction is idle: cancelling cannot free the chain, terminating does.
    const released = await signalBackend(conn, holder.pid, 'terminate', { queryStart: String(f.metrics?.query_start), query: f.query });
    assert.equal(released.signalled, true, released.message);
    assert.deepEqual(await Promise.all([writes, alters, reads]).then((r) => r.map((x) => x.ok)), [true, true, true]);
    const after = await judge('blocking-locks', { waitSeconds: 0 });
    assert.ok(!after.findings.some((x) => x.pid === holder.pid));
  });

  it('connections: counts the test\'s sessions by application, and warns past the share', async function () {
    if (!conn) return;
    const a = await session('pool');
    await session('pool'); // a second idle session of the same application: only counted
    await a.client.query('BEGIN');
    const c = check('connections');
    const data = (await c.read({ conn, serverVersionNum, schemas: [], role: 'postgres' })) as { groups: { state: string | null; applicationName: string | null; sessions: number }[]; maxConnections: number };
    const pool = data.groups.filter((g) => g.applicationName === `${app}_pool`);
    assert.deepEqual(pool.map((g) => [g.state, g.sessions]).sort(), [['idle in transaction', 1], ['idle', 1]]);
    assert.ok(data.maxConnections > 0);
    const judged = c.judge(data, { share: 0, errorShare: 2 }, 'server');
    const [f] = judged.findings;
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /^\d+ of the \d+ connections ordinary roles may open are in use \(\d+%, threshold 0%\): \d+ active/);
    assert.match(String(f.metrics?.by_application), new RegExp(`${app}_pool: 2`));
    assert.ok(Number(f.metrics?.idle_in_transaction) >= 1);
    assert.deepEqual(c.judge(data, c.defaults, 'server').findings.length, Number(f.metrics?.share) >= 0.8 ? 1 : 0);
    await a.client.query('ROLLBACK');
  });

  it('without pg_read_all_stats: counts hidden sessions in notes and turns a refused signal into the privilege it needs', async function () {
    if (!conn) return;
    try {
      await conn.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      roleCreated = true;
    } catch (e) {
      console.log(`    (skipped: the test role cannot create a role: ${(e as Error).message})`);
      this.skip();
    }
    const victim = await session('victim');
    const sleeping = start(victim.client, 'SELECT pg_sleep(20)');
    await waitActive(conn, victim.pid);
    const url = new URL(serverUrl());
    url.username = role;
    url.password = password;
    const low = await PgQueryConnection.open(url.toString());
    try {
      const judged = await judge('long-running-query', { seconds: 0 }, low);
      assert.ok(!judged.findings.some((f) => f.pid === victim.pid), 'another role\'s query is hidden');
      assert.match(judged.notes?.[0] ?? '', /^(1 backend of another role is|\d+ backends of other roles are) hidden from this role .*grant the role pg_read_all_stats \(or pg_monitor\)/);
      const connections = await judge('connections', {}, low);
      assert.match(connections.summary ?? '', /\d+ of other roles, state hidden/);

      const checked = await signalBackend(low, victim.pid, 'cancel', { query: 'SELECT pg_sleep(20)' });
      assert.equal(checked.signalled, false);
      assert.match(checked.message, /hidden from this role.*pg_read_all_stats/);
      const refused = await signalBackend(low, victim.pid, 'cancel');
      assert.equal(refused.signalled, false);
      assert.match(refused.message, /the server refused \(.*\); it needs membership in pg_signal_backend/);
      assert.match(refused.message, /the session belongs to postgres|superuser/);
    } finally {
      await low.close();
    }
    assert.equal((await signalBackend(conn, victim.pid, 'cancel')).signalled, true);
    assert.equal((await sleeping).error?.code, '57014');
  });

  it('without pg_read_all_stats: blocking-locks still sees who waits for whom (pg_locks shows every role)', async function () {
    if (!conn || !roleCreated) this.skip();
    const c = conn as PgQueryConnection;
    const holder = await session('holder_low');
    const writer = await session('writer_low');
    await holder.client.query('BEGIN');
    await holder.client.query(`UPDATE ${schema}.accounts SET balance = balance - 1 WHERE id = 2`);
    const writes = start(writer.client, `UPDATE ${schema}.accounts SET balance = balance + 1 WHERE id = 2`);
    await waitWaiting(c, writer.pid);
    const url = new URL(serverUrl());
    url.username = role;
    url.password = password;
    const low = await PgQueryConnection.open(url.toString());
    try {
      await new Promise((r) => setTimeout(r, 1100));
      const judged = await judge('blocking-locks', { waitSeconds: 1 }, low);
      const f = judged.findings.find((x) => x.pid === holder.pid);
      assert.ok(f, `the chain is found: ${judged.summary}`);
      assert.equal(String(f.metrics?.waiting_pids), String(writer.pid));
      assert.equal(f.query, undefined, 'the holder\'s query stays hidden');
      assert.match(judged.notes?.[0] ?? '', /who they are and what they run cannot be shown/);
    } finally {
      await low.close();
      await holder.client.query('ROLLBACK');
      await writes;
    }
  });
});

/** Polls pg_stat_activity until `pid` waits for a lock. */
async function waitWaiting(conn: PgQueryConnection, pid: number): Promise<void> {
  await poll(conn, `SELECT wait_event_type = 'Lock' AS ok FROM pg_stat_activity WHERE pid = $1`, pid, 'to wait for a lock');
}

async function waitActive(conn: PgQueryConnection, pid: number): Promise<void> {
  await poll(conn, `SELECT state = 'active' AS ok FROM pg_stat_activity WHERE pid = $1`, pid, 'to run its statement');
}

async function waitGone(conn: PgQueryConnection, pid: number): Promise<void> {
  await poll(conn, `SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1) AS ok`, pid, 'to end');
}

async function poll(conn: PgQueryConnection, sql: string, pid: number, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = await conn.query<{ ok: boolean }>(sql, [pid]);
    if (r.rows[0]?.ok === true) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail(`pid ${pid} did not come ${what} within 10 s`);
}

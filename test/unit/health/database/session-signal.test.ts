import * as assert from 'node:assert/strict';
import type { Connection, ConnectionKind, QueryResult } from '../../../../src/core/db/connection';
import { PglensError } from '../../../../src/core/errors';
import { signalBackend } from '../../../../src/core/health/database/session-signal';

/** What the check statement sees of pid 42 (pglens itself is pid 7). */
interface Seen {
  pid?: number | null;
  state?: string | null;
  query?: string | null;
  query_start?: string | null;
  backend_type?: string | null;
  usename?: string | null;
  hidden?: boolean | null;
}

const RUNNING: Seen = {
  pid: 42,
  state: 'active',
  query: 'SELECT pg_sleep(60)',
  query_start: '2024-05-01T12:00:00.123456Z',
  backend_type: 'client backend',
  usename: 'alice',
  hidden: false,
};

/**
 * A Connection whose first statement (the check) sees `seen` and whose second (the signal)
 * answers `signal`: rows, or an error to throw. Records every statement and its parameters.
 */
function fake(seen: Seen, signal: { signalled: boolean | null }[] | Error = [{ signalled: true }], kind: ConnectionKind = 'server') {
  const sent: { sql: string; params: unknown[] }[] = [];
  const conn: Connection = {
    kind,
    label: 'fake',
    async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
      sent.push({ sql, params });
      if (sent.length === 1) {
        const row = { own: 7, pid: null, state: null, query: null, query_start: null, backend_type: null, usename: null, hidden: null, ...seen };
        return { rows: [row as R], fields: [], rowCount: 1 };
      }
      if (signal instanceof Error) throw signal;
      return { rows: signal as R[], fields: [], rowCount: signal.length };
    },
    queryOne: () => Promise.reject(new Error('not used')),
    explain: () => Promise.reject(new Error('not used')),
    cancel: async () => undefined,
    close: async () => undefined,
    serverVersion: async () => '15.2',
  };
  return { conn, sent };
}

const confirmed = { queryStart: RUNNING.query_start as string, query: RUNNING.query as string };

describe('signalBackend', () => {
  const refusals: { name: string; seen: Seen; pid?: number; action?: 'cancel' | 'terminate'; expect?: typeof confirmed; message: string | RegExp }[] = [
    { name: 'pglens\'s own session', seen: { pid: 7 }, pid: 7, message: "did not cancel the query of pid 7: it is pglens's own session" },
    { name: 'a session that has ended', seen: { pid: null }, message: 'did not cancel the query of pid 42: no such session any more (it has ended); refresh the list' },
    {
      name: 'a session that started another statement since it was listed',
      seen: { ...RUNNING, query_start: '2024-05-01T12:00:09.000001Z' },
      expect: confirmed,
      message:
        'did not cancel the query of pid 42: it has started another statement since it was listed (started 2024-05-01T12:00:09.000001Z, listed 2024-05-01T12:00:00.123456Z); refresh and confirm again',
    },
    { name: 'a session whose query text changed', seen: { ...RUNNING, query: 'SELECT 2' }, expect: confirmed, message: /its query text has changed since it was listed/ },
    { name: 'cancel on an idle session', seen: { ...RUNNING, state: 'idle' }, message: 'did not cancel the query of pid 42: it is idle, with no statement to cancel' },
    {
      name: 'cancel on an idle transaction points to terminate',
      seen: { ...RUNNING, state: 'idle in transaction' },
      message: 'did not cancel the query of pid 42: it is idle in transaction, with no statement to cancel; terminate it to end its transaction',
    },
    { name: 'a server process that is not a client session', seen: { ...RUNNING, backend_type: 'walsender' }, action: 'terminate', message: 'did not terminate pid 42: it is a walsender, not a client session' },
    {
      name: 'a hidden session when the user confirmed a query pglens cannot compare',
      seen: { pid: 42, hidden: true, query: '<insufficient privilege>', usename: 'bob' },
      expect: confirmed,
      message: /its activity is hidden from this role, so pglens cannot check it still runs the confirmed query — grant the role pg_read_all_stats/,
    },
    { name: 'not a process id', seen: RUNNING, pid: -1, message: 'did not cancel the query of pid -1: it is not a process id' },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}, and sends no signal`, async () => {
      const { conn, sent } = fake(r.seen);
      const result = await signalBackend(conn, r.pid ?? 42, r.action ?? 'cancel', r.expect);
      assert.equal(result.signalled, false);
      if (r.message instanceof RegExp) assert.match(result.message, r.message);
      else assert.equal(result.message, r.message);
      assert.ok(sent.length <= 1, 'only the check ran');
    });
  }

  it('refuses on the embedded sandbox without asking it anything', async () => {
    const { conn, sent } = fake(RUNNING, [{ signalled: true }], 'embedded');
    const result = await signalBackend(conn, 42, 'terminate');
    assert.deepEqual(result, {
      signalled: false,
      message: "did not terminate pid 42: the embedded sandbox has no other sessions, only pglens's own (to stop a running Explain, cancel it)",
    });
    assert.equal(sent.length, 0);
  });

  it('cancels the confirmed statement, guarded by the same identity in the signalling statement', async () => {
    const { conn, sent } = fake(RUNNING);
    const result = await signalBackend(conn, 42, 'cancel', confirmed);
    assert.deepEqual(result, {
      signalled: true,
      message: 'sent a cancel to pid 42: its statement stops with an error (an open transaction is aborted and must be rolled back) and the session stays connected',
    });
    assert.match(sent[1].sql, /SELECT pg_cancel_backend\(a\.pid\)/);
    assert.match(sent[1].sql, /a\.pid <> pg_backend_pid\(\)/);
    assert.deepEqual(sent[1].params, [42, RUNNING.query_start, RUNNING.query]);
  });

  it('terminates an idle transaction', async () => {
    const { conn, sent } = fake({ ...RUNNING, state: 'idle in transaction' });
    const result = await signalBackend(conn, 42, 'terminate');
    assert.equal(result.signalled, true);
    assert.equal(result.message, 'sent terminate to pid 42: the session ends and its open transaction is rolled back');
    assert.match(sent[1].sql, /pg_terminate_backend/);
  });

  it('signals a hidden session when nothing was confirmed to compare: the server decides', async () => {
    const { conn } = fake({ pid: 42, hidden: true, query: '<insufficient privilege>' });
    assert.equal((await signalBackend(conn, 42, 'cancel')).signalled, true);
  });

  it('says when the session changed or ended between the check and the signal', async () => {
    assert.match((await signalBackend(fake(RUNNING, []).conn, 42, 'cancel')).message, /it moved on to another statement or ended just now/);
    assert.match((await signalBackend(fake(RUNNING, [{ signalled: false }]).conn, 42, 'cancel')).message, /the server did not signal it: it ended just now/);
  });

  it('turns a permission error (pg or PglensError) into the privilege it needs', async () => {
    const pgError = Object.assign(new Error('must be a superuser to cancel superuser query'), { code: '42501' });
    const r1 = await signalBackend(fake(RUNNING, pgError).conn, 42, 'cancel');
    assert.deepEqual(r1, {
      signalled: false,
      message:
        "did not cancel the query of pid 42: the server refused (must be a superuser to cancel superuser query); it needs membership in pg_signal_backend, or being the same role as the session (only a superuser may signal a superuser's session) — the session belongs to alice",
    });
    const wrapped = new PglensError('sql-error', 'permission denied to terminate process (SQLSTATE 42501)', 'fix the statement and try again');
    const r2 = await signalBackend(fake(RUNNING, wrapped).conn, 42, 'terminate');
    assert.match(r2.message, /^did not terminate pid 42: the server refused \(permission denied to terminate process \(SQLSTATE 42501\) — fix the statement and try again\); it needs membership in pg_signal_backend/);
  });

  it('lets other errors (a lost connection) through', async () => {
    const lost = new PglensError('connection-failed', 'the connection to the server was lost');
    await assert.rejects(signalBackend(fake(RUNNING, lost).conn, 42, 'cancel'), /connection to the server was lost/);
  });
});

import type { Connection } from '../../db/connection';
import { errorMessage } from '../../errors';
import { HIDDEN_SESSION, QUERY_START_TEXT } from './checks/sessions';

export type SignalAction = 'cancel' | 'terminate';

/** What the user saw and confirmed: the session must still be running exactly this. */
export interface SignalExpectation {
  /** The finding's `metrics.query_start` (UTC, microseconds, as the checks read it). */
  queryStart?: string;
  /** The finding's `query`. */
  query?: string;
}

export interface SignalResult {
  signalled: boolean;
  /** One sentence for the user: what happened, or why nothing was done and what to do. */
  message: string;
}

/** Backend types pglens signals: client sessions, and autovacuum workers (which may block DDL). */
const SIGNALLABLE = new Set(['client backend', 'autovacuum worker']);

const PRIVILEGE =
  'membership in pg_signal_backend, or being the same role as the session (only a superuser may signal a superuser\'s session)';

interface Target {
  own: number;
  pid: number | null;
  state: string | null;
  query: string | null;
  query_start: string | null;
  backend_type: string | null;
  usename: string | null;
  hidden: boolean | null;
}

/**
 * Cancels the statement a session runs (`pg_cancel_backend`) or ends the session
 * (`pg_terminate_backend`), after checking it is still what the user confirmed: never pglens's
 * own session, never a session that has gone or moved on to another statement. The signal
 * itself is sent under the same condition in one statement, so a change between the check and
 * the signal leaves the session alone. Refusals and a missing privilege are answers, not errors;
 * a lost connection still throws.
 */
export async function signalBackend(conn: Connection, pid: number, action: SignalAction, expect?: SignalExpectation): Promise<SignalResult> {
  const verb = action === 'cancel' ? 'cancel the query of' : 'terminate';
  const refuse = (why: string): SignalResult => ({ signalled: false, message: `did not ${verb} pid ${pid}: ${why}` });
  if (conn.kind === 'embedded') {
    return refuse('the embedded sandbox has no other sessions, only pglens\'s own (to stop a running Explain, cancel it)');
  }
  if (!Number.isInteger(pid) || pid <= 0) return refuse('it is not a process id');

  const r = await conn.query<Target>(
    `SELECT pg_backend_pid() AS own, a.pid, a.state, a.query, ${QUERY_START_TEXT} AS query_start, a.backend_type,
            a.usename::text AS usename, ${HIDDEN_SESSION} AS hidden
     FROM (SELECT 1) one LEFT JOIN pg_stat_activity a ON a.pid = $1`,
    [pid],
  );
  const t = r.rows[0];
  if (!t) return refuse('the server did not answer the check');
  if (t.own === pid) return refuse('it is pglens\'s own session');
  if (t.pid === null) return refuse('no such session any more (it has ended); refresh the list');
  if (t.hidden) {
    if (expect?.query !== undefined || expect?.queryStart !== undefined) {
      return refuse(`its activity is hidden from this role, so pglens cannot check it still runs the confirmed query — grant the role pg_read_all_stats`);
    }
  } else {
    if (t.backend_type && !SIGNALLABLE.has(t.backend_type)) return refuse(`it is a ${t.backend_type}, not a client session`);
    if (expect?.queryStart !== undefined && expect.queryStart !== t.query_start) {
      return refuse(`it has started another statement since it was listed (started ${t.query_start ?? 'unknown'}, listed ${expect.queryStart}); refresh and confirm again`);
    }
    if (expect?.query !== undefined && expect.query !== t.query) {
      return refuse('its query text has changed since it was listed; refresh and confirm again');
    }
    // A cancel reaches only a running statement: an idle session ignores it, and its transaction stays open.
    if (action === 'cancel' && t.state !== 'active' && t.state !== 'fastpath function call') {
      return refuse(`it is ${t.state ?? 'not running a statement'}, with no statement to cancel${t.state?.startsWith('idle in transaction') ? '; terminate it to end its transaction' : ''}`);
    }
  }

  const fn = action === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
  let sent: { signalled: boolean | null }[];
  try {
    // The same identity again, so a session that changed since the check is not signalled.
    const res = await conn.query<{ signalled: boolean | null }>(
      `SELECT ${fn}(a.pid) AS signalled
       FROM pg_stat_activity a
       WHERE a.pid = $1 AND a.pid <> pg_backend_pid()
         AND ${QUERY_START_TEXT} IS NOT DISTINCT FROM $2::text AND a.query IS NOT DISTINCT FROM $3::text`,
      [pid, t.query_start, t.query],
    );
    sent = res.rows;
  } catch (e) {
    const message = errorMessage(e);
    if (isPermissionError(e, message)) {
      return refuse(`the server refused (${message.split('\n')[0]}); it needs ${PRIVILEGE}${t.usename ? ` — the session belongs to ${t.usename}` : ''}`);
    }
    throw e;
  }
  if (sent.length === 0) return refuse('it moved on to another statement or ended just now; refresh the list');
  if (sent[0].signalled !== true) return refuse('the server did not signal it: it ended just now; refresh the list');
  return {
    signalled: true,
    message:
      action === 'cancel'
        ? `sent a cancel to pid ${pid}: its statement stops with an error (an open transaction is aborted and must be rolled back) and the session stays connected`
        : `sent terminate to pid ${pid}: the session ends and its open transaction is rolled back`,
  };
}

/** 42501 (insufficient_privilege) from `pg`, or the same error after PgConnection turned it into a PglensError. */
function isPermissionError(e: unknown, message: string): boolean {
  return (e as { code?: unknown }).code === '42501' || /SQLSTATE 42501|permission denied|must be a (superuser|member)/i.test(message);
}

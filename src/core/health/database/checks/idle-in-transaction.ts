import { quoteIdent } from '../../../sql/quote-ident';
import type { CheckJudgement, DatabaseCheck, DatabaseFinding } from '../check';
import {
  describeSession,
  formatDuration,
  hiddenNote,
  queryExcerpt,
  readSessions,
  SESSION_PRIVILEGE,
  sessionMetrics,
  type SessionRow,
} from './sessions';

/** A lock an idle-in-transaction session holds on a relation. */
export interface HeldLock {
  pid: number;
  mode: string;
  /** Null when the relation is in another database (its name cannot be read from here). */
  schema: string | null;
  table: string | null;
  /** pg_class.relkind; only tables, views and materialized views are named in the message (their indexes are locked with them). */
  relkind: string | null;
}

export interface IdleInTransactionData {
  sessions: SessionRow[];
  locks: HeldLock[];
  hidden: number;
}

const IDLE_STATES = `a.state IN ('idle in transaction', 'idle in transaction (aborted)')`;

/**
 * Sessions that opened a transaction and stopped talking: they keep every lock they took
 * (a DDL statement then queues everyone behind them), and a snapshot or xid that keeps vacuum
 * from cleaning up; an aborted one still holds its connection until it rolls back.
 */
export const check: DatabaseCheck<IdleInTransactionData> = {
  id: 'idle-in-transaction',
  group: 'activity',
  title: 'Idle in transaction',
  defaultSeverity: 'warning',
  // errorSeconds: ten times the warning line; by then the transaction is forgotten, not slow.
  defaults: { seconds: 60, errorSeconds: 600 },
  sandbox: 'needs a server: the embedded sandbox has one session (pglens\'s own) and no traffic',
  privilege: SESSION_PRIVILEGE,

  async read({ conn }) {
    const { sessions, hidden } = await readSessions(conn, IDLE_STATES);
    if (sessions.length === 0) return { sessions, locks: [], hidden };
    // Names only for relations of this database: an oid from another one would name the wrong table.
    const locks = await conn.query<Record<string, unknown>>(
      `SELECT l.pid, l.mode, n.nspname::text AS schema, c.relname::text AS table, c.relkind::text AS relkind
       FROM pg_locks l
       LEFT JOIN pg_class c ON c.oid = l.relation AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE l.granted AND l.locktype = 'relation' AND l.pid = ANY($1::int[])`,
      [sessions.map((s) => s.pid)],
    );
    return {
      sessions,
      hidden,
      locks: locks.rows.map((r) => ({
        pid: Number(r.pid),
        mode: String(r.mode),
        schema: r.schema == null ? null : String(r.schema),
        table: r.table == null ? null : String(r.table),
        relkind: r.relkind == null ? null : String(r.relkind),
      })),
    };
  },

  judge(data, thresholds): CheckJudgement {
    const { seconds, errorSeconds } = thresholds;
    const findings: DatabaseFinding[] = [];
    const idle = [...data.sessions].sort((a, b) => (b.stateSeconds ?? 0) - (a.stateSeconds ?? 0));
    for (const s of idle) {
      const duration = s.stateSeconds ?? 0;
      if (duration < seconds) continue;
      const aborted = s.state === 'idle in transaction (aborted)';
      const locks = data.locks.filter((l) => l.pid === s.pid);
      const named = locks.filter((l) => l.table !== null && l.schema !== 'pg_catalog' && (l.relkind === null || 'rpmvf'.includes(l.relkind)));
      const first = named[0];
      findings.push({
        ruleId: 'idle-in-transaction',
        severity: duration >= Math.max(seconds, errorSeconds) ? 'error' : 'warning',
        message:
          `${describeSession(s)} has been idle in ${aborted ? 'an aborted' : 'a'} transaction for ${formatDuration(duration)} ` +
          `(threshold ${formatDuration(seconds)})${s.xactSeconds !== null ? `; the transaction has been open for ${formatDuration(s.xactSeconds)}` : ''}` +
          `${holding(aborted, locks.length, named)}; its last statement: ${queryExcerpt(s.query)}`,
        pid: s.pid,
        query: s.query,
        ...(first?.schema && first.table ? { schema: first.schema, table: first.table } : {}),
        metrics: {
          seconds: Math.round(duration * 10) / 10,
          ...sessionMetrics(s),
          relation_locks: locks.length,
          locked_tables: named.map((l) => `${l.schema}.${l.table} (${l.mode})`).join(', ') || null,
        },
        nextStep: nextStep(aborted, s.usename),
      });
    }
    const summary =
      idle.length === 0
        ? 'no session is idle in a transaction'
        : `${idle.length} ${idle.length === 1 ? 'session' : 'sessions'} idle in a transaction, the longest for ${formatDuration(idle[0].stateSeconds ?? 0)}`;
    const note = hiddenNote(data.hidden, 'whether they are idle in a transaction could not be checked');
    return { findings, summary, ...(note ? { notes: [note] } : {}) };
  },
};

function holding(aborted: boolean, count: number, named: HeldLock[]): string {
  // An aborted transaction released its locks when its statement failed; it waits for a ROLLBACK.
  if (aborted) return ', holding no locks but its connection until it rolls back';
  if (count === 0) return ', holding no table locks';
  const shown = named.slice(0, 3).map((l) => `${l.mode} on ${l.schema}.${l.table}`);
  const more = named.length > shown.length ? ` and ${named.length - shown.length} more` : '';
  const locks = `${count} relation ${count === 1 ? 'lock' : 'locks'}`;
  if (shown.length === 0) return `, holding ${locks}`;
  return `, holding ${locks} (${shown.join(', ')}${more}) that DDL on ${named.length === 1 ? 'that table' : 'those tables'} must wait for`;
}

function nextStep(aborted: boolean, usename: string | null): string {
  const role = usename ? quoteIdent(usename) : 'app_role';
  return (
    (aborted
      ? 'A statement failed inside the transaction and the application never rolled back: fix its error handling so it always ends the transaction. '
      : 'Find the code path that opens a transaction and then waits (network calls or user input between statements, a missing COMMIT, an open interactive session) and end the transaction promptly. ') +
    `Let the server end such sessions: ALTER ROLE ${role} SET idle_in_transaction_session_timeout = '5min'. ` +
    'Terminating this session (pg_terminate_backend) rolls its transaction back; cancelling does nothing while it is idle.'
  );
}

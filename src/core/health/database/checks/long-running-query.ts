import type { CheckJudgement, DatabaseCheck, DatabaseFinding } from '../check';
import {
  describeSession,
  formatDuration,
  hiddenNote,
  queryExcerpt,
  readSessions,
  SESSION_PRIVILEGE,
  sessionMetrics,
  waitText,
  type SessionsRead,
} from './sessions';

/**
 * Statements that have been running for a long time: they hold their locks and their snapshot
 * (which keeps vacuum from removing dead rows everywhere) for as long as they run, and are
 * often a runaway query or a missing index. Only `active` statements: a transaction left open
 * between statements is idle-in-transaction's.
 */
export const check: DatabaseCheck<SessionsRead> = {
  id: 'long-running-query',
  group: 'activity',
  title: 'Long-running queries',
  defaultSeverity: 'warning',
  // errorSeconds: ten times the warning line, so an hour-long runaway stands out from a slow report.
  defaults: { seconds: 300, errorSeconds: 3000 },
  sandbox: 'needs a server: the embedded sandbox has one session (pglens\'s own) and no traffic',
  privilege: SESSION_PRIVILEGE,

  read: ({ conn }) => readSessions(conn, `a.state = 'active'`),

  judge(data, thresholds): CheckJudgement {
    const { seconds, errorSeconds } = thresholds;
    const findings: DatabaseFinding[] = [];
    const running = [...data.sessions].sort((a, b) => (b.querySeconds ?? 0) - (a.querySeconds ?? 0));
    for (const s of running) {
      const duration = s.querySeconds ?? 0;
      if (duration < seconds) continue;
      const wait = waitText(s);
      const xact = s.xactSeconds !== null && s.xactSeconds >= duration + 1 ? `, in a transaction open for ${formatDuration(s.xactSeconds)}` : '';
      findings.push({
        ruleId: 'long-running-query',
        severity: duration >= Math.max(seconds, errorSeconds) ? 'error' : 'warning',
        message:
          `${describeSession(s)} has been running its query for ${formatDuration(duration)} ` +
          `(threshold ${formatDuration(seconds)})${wait ? `, waiting on ${wait}` : ''}${xact}: ${queryExcerpt(s.query)}`,
        pid: s.pid,
        query: s.query,
        metrics: { seconds: Math.round(duration * 10) / 10, ...sessionMetrics(s) },
        nextStep: nextStep(s.waitEventType),
      });
    }
    const longest = running[0]?.querySeconds;
    const summary =
      running.length === 0
        ? 'no query is running besides pglens\'s own'
        : `${running.length} ${running.length === 1 ? 'query' : 'queries'} running, the longest for ${formatDuration(longest ?? 0)}`;
    const note = hiddenNote(data.hidden, 'their queries could not be checked');
    return { findings, summary, ...(note ? { notes: [note] } : {}) };
  },
};

function nextStep(waitEventType: string | null): string {
  const stop =
    'If it is a runaway, cancel it (pg_cancel_backend: the statement stops with an error, the session stays) or terminate the session ' +
    '(pg_terminate_backend: its transaction rolls back). To bound such statements, set statement_timeout for the role or the application.';
  // A statement queued for a lock is not slow itself: the session holding the lock is the one to deal with.
  if (waitEventType === 'Lock') return `It is waiting for a lock, not working: see blocking-locks for the session that holds it. ${stop}`;
  return `Explain the query (plain EXPLAIN, without ANALYZE) to see why it is slow, and ask its owner whether it is expected. ${stop}`;
}

import type { CheckJudgement, CheckReadContext, DatabaseCheck, DatabaseFinding } from '../check';
import {
  describeSession,
  formatDuration,
  HIDDEN_SESSION,
  hiddenNote,
  queryExcerpt,
  SESSION_COLUMNS,
  SESSION_PRIVILEGE,
  sessionMetrics,
  toSession,
  waitText,
  type SessionRow,
} from './sessions';

/** The lock a waiting session asked for and did not get. */
export interface WaitedLock {
  /** pg_locks.locktype: 'relation', 'tuple', 'transactionid', 'virtualxid', 'advisory', … */
  lockType: string | null;
  mode: string | null;
  /** The relation it is about (for a row lock: the table of the row); null when none or in another database. */
  schema: string | null;
  table: string | null;
  /** Since the wait began (PG 14+ pg_locks.waitstart), else since the statement started. */
  seconds: number;
}

/** A backend in a blocking tree: a waiting client session, or one (of any kind) that others wait for. */
export interface LockNode {
  pid: number;
  /** pg_blocking_pids(pid), without duplicates; empty when it waits for nothing. 0 stands for a prepared transaction. */
  blockedBy: number[];
  /** Null when pg_stat_activity has no row (a prepared transaction, or it ended meanwhile). */
  session: SessionRow | null;
  /** Another role's backend this role may not look into. */
  hidden: boolean;
  wait: WaitedLock | null;
}

export interface BlockingData {
  nodes: LockNode[];
  hidden: number;
}

/**
 * Sessions waiting for a lock, grouped under the session at the root of each blocking tree:
 * one finding per root, with everyone queued behind it. A blocker that itself waits is a link
 * of the chain, not a root; sessions waiting for each other with no root are a deadlock.
 */
export const check: DatabaseCheck<BlockingData> = {
  id: 'blocking-locks',
  group: 'activity',
  title: 'Blocking locks',
  defaultSeverity: 'warning',
  // waitSeconds: short waits are normal contention; errorSeconds: a minute of waiting is an outage for whoever waits.
  defaults: { waitSeconds: 5, errorSeconds: 60 },
  sandbox: 'needs a server: the embedded sandbox has one session (pglens\'s own), so nothing can block',
  privilege: SESSION_PRIVILEGE,

  async read(ctx) {
    const nodes = await readNodes(ctx);
    return { nodes, hidden: await countHidden(ctx) };
  },

  judge(data, thresholds): CheckJudgement {
    const { waitSeconds, errorSeconds } = thresholds;
    const byPid = new Map(data.nodes.map((n) => [n.pid, n]));
    const waiters = data.nodes.filter((n) => n.blockedBy.length > 0);
    const blockedByPid = new Map<number, LockNode[]>();
    for (const w of waiters) {
      for (const b of w.blockedBy) blockedByPid.set(b, [...(blockedByPid.get(b) ?? []), w]);
    }
    const findings: DatabaseFinding[] = [];
    const reached = new Set<number>();
    const roots = [...blockedByPid.keys()].filter((pid) => !byPid.get(pid)?.blockedBy.length).sort((a, b) => a - b);
    for (const root of roots) {
      // Longest wait first: the message and the view lead with who suffers most.
      const tree = queuedBehind(root, blockedByPid).sort((a, b) => (b.node.wait?.seconds ?? 0) - (a.node.wait?.seconds ?? 0));
      tree.forEach((t) => reached.add(t.node.pid));
      const finding = rootFinding(root, byPid.get(root), tree, waitSeconds, errorSeconds);
      if (finding) findings.push(finding);
    }
    // Whoever was not reached waits in a cycle: the deadlock detector ends one of them after deadlock_timeout.
    const cycled = waiters.filter((w) => !reached.has(w.pid));
    const deadlock = cycleFinding(cycled, waitSeconds, errorSeconds);
    if (deadlock) findings.push(deadlock);
    findings.sort((a, b) => Number(b.metrics?.max_wait_seconds ?? 0) - Number(a.metrics?.max_wait_seconds ?? 0));

    const blockers = roots.length + (cycled.length > 0 ? 1 : 0);
    const summary =
      waiters.length === 0
        ? 'no session is waiting for a lock'
        : `${waiters.length} ${waiters.length === 1 ? 'session waits' : 'sessions wait'} for a lock, ` +
          `behind ${blockers} ${blockers === 1 ? 'blocker' : 'blockers'}, the longest for ${formatDuration(Math.max(...waiters.map((w) => w.wait?.seconds ?? 0)))}`;
    const note = hiddenNote(data.hidden, 'who they are and what they run cannot be shown (who waits for whom still is)');
    return { findings, summary, ...(note ? { notes: [note] } : {}) };
  },
};

/** One waiter in a tree, with the session it waits for directly. */
interface Queued {
  node: LockNode;
  behind: number;
}

/** Everyone waiting, directly or through a chain, for `root`, nearest first. */
function queuedBehind(root: number, blockedByPid: Map<number, LockNode[]>): Queued[] {
  const out: Queued[] = [];
  const seen = new Set<number>([root]);
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const w of blockedByPid.get(pid) ?? []) {
      if (seen.has(w.pid)) continue;
      seen.add(w.pid);
      out.push({ node: w, behind: pid });
      queue.push(w.pid);
    }
  }
  return out;
}

function rootFinding(
  pid: number,
  root: LockNode | undefined,
  tree: Queued[],
  waitSeconds: number,
  errorSeconds: number,
): DatabaseFinding | undefined {
  if (tree.length === 0) return undefined;
  const maxWait = Math.max(...tree.map((t) => t.node.wait?.seconds ?? 0));
  if (maxWait < waitSeconds) return undefined;
  const session = root?.session ?? null;
  const first = tree[0].node.wait;
  const who = blockerText(pid, root);
  return {
    ruleId: 'blocking-locks',
    severity: maxWait >= Math.max(waitSeconds, errorSeconds) ? 'error' : 'warning',
    message:
      `${who} blocks ${tree.length} ${tree.length === 1 ? 'session' : 'sessions'}, the longest waiting ${formatDuration(maxWait)} ` +
      `(threshold ${formatDuration(waitSeconds)}): ${waitersText(tree, pid)}` +
      (session && !root?.hidden && session.query ? `; its ${session.state === 'active' ? 'running' : 'last'} statement: ${queryExcerpt(session.query)}` : ''),
    ...(pid > 0 ? { pid } : {}),
    ...(session && !root?.hidden ? { query: session.query } : {}),
    ...(first?.schema && first.table ? { schema: first.schema, table: first.table } : {}),
    metrics: {
      ...(session ? sessionMetrics(session) : {}),
      backend_type: session?.backendType ?? (pid === 0 ? 'prepared transaction' : null),
      waiters: tree.length,
      waiting_pids: tree.map((t) => t.node.pid).join(','),
      max_wait_seconds: Math.round(maxWait * 10) / 10,
      waits: tree.map((t) => `${t.node.pid}: ${lockText(t.node.wait)}${t.behind !== pid ? ` behind ${t.behind}` : ''}`).join('; '),
    },
    nextStep: nextStep(pid, root, tree),
  };
}

function cycleFinding(cycled: LockNode[], waitSeconds: number, errorSeconds: number): DatabaseFinding | undefined {
  if (cycled.length === 0) return undefined;
  const maxWait = Math.max(...cycled.map((w) => w.wait?.seconds ?? 0));
  if (maxWait < waitSeconds) return undefined;
  const pids = cycled.map((w) => w.pid).sort((a, b) => a - b);
  const tree: Queued[] = cycled.map((node) => ({ node, behind: node.blockedBy[0] }));
  const first = cycled.find((w) => w.wait?.table)?.wait;
  return {
    ruleId: 'blocking-locks',
    severity: maxWait >= Math.max(waitSeconds, errorSeconds) ? 'error' : 'warning',
    message: `pids ${pids.join(', ')} wait for each other (a deadlock), the longest for ${formatDuration(maxWait)}: ${waitersText(tree, -1)}`,
    ...(first?.schema && first.table ? { schema: first.schema, table: first.table } : {}),
    metrics: {
      waiters: cycled.length,
      waiting_pids: pids.join(','),
      max_wait_seconds: Math.round(maxWait * 10) / 10,
      waits: tree.map((t) => `${t.node.pid}: ${lockText(t.node.wait)} behind ${t.node.blockedBy.join(',')}`).join('; '),
    },
    nextStep:
      'The server ends one of them after deadlock_timeout; if they stay, deadlock detection is not reaching them: terminate one. ' +
      'Make the code paths take their locks (and update rows) in the same order.',
  };
}

/** "pid 4242 (alice via psql, database shop), idle in transaction for 3 min,": the subject of the message. */
function blockerText(pid: number, node: LockNode | undefined): string {
  if (pid === 0) return 'A prepared transaction';
  const s = node?.session;
  if (!s) return `pid ${pid} (no longer listed in pg_stat_activity)`;
  const extras: string[] = [];
  if (node.hidden) {
    extras.push('a session of another role whose activity this role cannot see');
  } else {
    if (s.backendType && s.backendType !== 'client backend') extras.push(`${/^[aeiou]/.test(s.backendType) ? 'an' : 'a'} ${s.backendType}`);
    const wait = s.state === 'active' && waitText(s) ? ` waiting on ${waitText(s)}` : '';
    if (s.state) extras.push(`${s.state} for ${formatDuration(s.stateSeconds ?? 0)}${wait}`);
  }
  return extras.length > 0 ? `${describeSession(s)}, ${extras.join(', ')},` : describeSession(s);
}

/** "pid 12 waits 40 s for AccessExclusiveLock on public.orders; pid 13 waits 30 s for AccessShareLock on public.orders behind pid 12 …" */
function waitersText(tree: Queued[], root: number): string {
  const shown = tree.slice(0, 5).map((t) => {
    const wait = t.node.wait;
    const behind = t.behind !== root && root >= 0 ? ` behind pid ${t.behind}` : '';
    return `pid ${t.node.pid} waits ${formatDuration(wait?.seconds ?? 0)} for ${lockText(wait)}${behind}`;
  });
  const more = tree.length > shown.length ? `, and ${tree.length - shown.length} more` : '';
  return `${shown.join(', ')}${more}`;
}

function lockText(wait: WaitedLock | null): string {
  if (!wait) return 'a lock';
  const mode = wait.mode ?? 'a lock';
  const on = wait.schema && wait.table ? ` on ${wait.schema}.${wait.table}` : '';
  switch (wait.lockType) {
    case 'transactionid':
      return `a row lock${on} (ShareLock on the transaction that holds the row)`;
    case 'tuple':
      return `a row lock${on} (${mode})`;
    case 'virtualxid':
      return `another transaction to end (${mode} on its virtual xid)`;
    case 'advisory':
      return `an advisory lock (${mode})`;
    case 'relation':
    case null:
      return `${mode}${on}`;
    default:
      return `${mode} (${wait.lockType} lock${on})`;
  }
}

function nextStep(pid: number, root: LockNode | undefined, tree: Queued[]): string {
  const ddl = tree.some((t) => t.node.wait?.mode === 'AccessExclusiveLock')
    ? ' A statement waiting for AccessExclusiveLock (ALTER TABLE, DROP, TRUNCATE, …) queues every later reader behind it: run migrations with SET lock_timeout so they give up instead (see require-lock-timeout).'
    : '';
  if (pid === 0) {
    return `Find the transaction in pg_prepared_xacts and finish it with COMMIT PREPARED or ROLLBACK PREPARED (its transaction manager should have).${ddl}`;
  }
  const s = root?.session;
  if (s?.backendType === 'autovacuum worker') {
    return `Autovacuum gives way to a lock request unless it runs to prevent transaction ID wraparound; if this one does not, let it finish (cancelling it only postpones it).${ddl}`;
  }
  if (s?.state?.startsWith('idle in transaction')) {
    return (
      `pid ${pid} holds its locks in a transaction it has stopped using: have its application commit or roll back, or terminate the session ` +
      `(its transaction rolls back; cancelling does nothing while it is idle). Set idle_in_transaction_session_timeout so the server does it.${ddl}`
    );
  }
  return (
    `Wait for pid ${pid} to finish, or cancel its statement (its transaction aborts and releases its locks) or terminate the session. ` +
    `Keep transactions that take strong locks short.${ddl}`
  );
}

/**
 * The waiting client sessions and everyone they wait for, with the lock each waits for, in one
 * statement so the tree and the sessions come from one activity snapshot.
 */
async function readNodes({ conn, serverVersionNum }: CheckReadContext): Promise<LockNode[]> {
  // pg_locks.waitstart exists from PG 14 (null for a moment after the wait begins); before, the statement's start bounds it.
  const waitStart = serverVersionNum >= 140000 ? 'coalesce(wl.waitstart, a.state_change)' : 'a.state_change';
  const r = await conn.query<Record<string, unknown>>(
    // Waiters from pg_locks, which every role sees whole: pg_stat_activity hides the wait event of
    // other roles' sessions without pg_read_all_stats, yet who waits for whom is still there.
    `WITH waiting AS (
       SELECT DISTINCT l.pid, pg_blocking_pids(l.pid) AS blocked_by
       FROM pg_locks l
       WHERE NOT l.granted AND l.pid IS NOT NULL AND l.pid <> pg_backend_pid()
         AND NOT EXISTS (
           SELECT 1 FROM pg_stat_activity a
           WHERE a.pid = l.pid AND a.backend_type IS NOT NULL AND a.backend_type <> 'client backend'
         )
     ),
     involved AS (
       SELECT pid FROM waiting
       UNION
       SELECT unnest(blocked_by) FROM waiting
     ),
     locks AS MATERIALIZED (
       SELECT l.* FROM pg_locks l WHERE l.pid IN (SELECT pid FROM waiting)
     )
     SELECT i.pid AS node_pid, w.blocked_by, a.pid IS NOT NULL AS listed, coalesce(${HIDDEN_SESSION}, false) AS hidden, ${SESSION_COLUMNS},
            wl.locktype::text AS lock_type, wl.mode::text AS lock_mode, rel.schema, rel.table,
            greatest(0, extract(epoch FROM statement_timestamp() - ${waitStart}))::float8 AS wait_seconds
     FROM involved i
     LEFT JOIN waiting w ON w.pid = i.pid
     LEFT JOIN pg_stat_activity a ON a.pid = i.pid
     LEFT JOIN LATERAL (SELECT * FROM locks l WHERE l.pid = i.pid AND NOT l.granted LIMIT 1) wl ON true
     LEFT JOIN LATERAL (
       SELECT l.relation, l.database FROM locks l WHERE l.pid = i.pid AND l.granted AND l.locktype = 'tuple' LIMIT 1
     ) tl ON true
     LEFT JOIN LATERAL (
       SELECT n.nspname::text AS schema, c.relname::text AS table
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.oid = coalesce(wl.relation, tl.relation)
         AND coalesce(wl.database, tl.database) IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
     ) rel ON true`,
  );
  return r.rows.map((row) => {
    const pid = Number(row.node_pid);
    const blockedBy = [...new Set(((row.blocked_by as number[] | null) ?? []).map(Number))].filter((b) => b !== pid);
    return {
      pid,
      blockedBy,
      session: row.listed === true ? toSession(row) : null,
      hidden: row.hidden === true,
      wait:
        blockedBy.length > 0
          ? {
              lockType: row.lock_type == null ? null : String(row.lock_type),
              mode: row.lock_mode == null ? null : String(row.lock_mode),
              schema: row.schema == null ? null : String(row.schema),
              table: row.table == null ? null : String(row.table),
              seconds: Number(row.wait_seconds ?? 0),
            }
          : null,
    };
  });
}

async function countHidden({ conn }: CheckReadContext): Promise<number> {
  const r = await conn.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity a WHERE ${HIDDEN_SESSION}`);
  return r.rows[0]?.n ?? 0;
}

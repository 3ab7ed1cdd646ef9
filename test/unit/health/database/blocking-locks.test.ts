import * as assert from 'node:assert/strict';
import { check as blockingLocks, type LockNode, type WaitedLock } from '../../../../src/core/health/database/checks/blocking-locks';
import type { SessionRow } from '../../../../src/core/health/database/checks/sessions';
import { judgeCase, runCheckTests, session } from './session-fixtures';

/** A session others wait for, idle in its transaction for 2 min unless told otherwise. */
function holder(pid: number, over: Partial<SessionRow> = {}): LockNode {
  return {
    pid,
    blockedBy: [],
    hidden: false,
    wait: null,
    session: session(pid, { state: 'idle in transaction', stateSeconds: 120, xactSeconds: 130, query: 'UPDATE orders SET total = 0 WHERE id = 1', ...over }),
  };
}

function waiter(pid: number, blockedBy: number[], wait: Partial<WaitedLock> = {}): LockNode {
  const w: WaitedLock = { lockType: 'relation', mode: 'AccessExclusiveLock', schema: 'public', table: 'orders', seconds: 30, ...wait };
  return {
    pid,
    blockedBy,
    hidden: false,
    wait: w,
    session: session(pid, { waitEventType: 'Lock', waitEvent: w.lockType, querySeconds: w.seconds, stateSeconds: w.seconds, query: 'ALTER TABLE orders ADD COLUMN note text' }),
  };
}

runCheckTests(blockingLocks, {
  valid: [
    { name: 'nobody waits', data: { nodes: [], hidden: 0 } },
    { name: 'a wait under the default 5 s', data: { nodes: [holder(1), waiter(2, [1], { seconds: 4.9 })], hidden: 0 } },
    { name: 'under a raised waitSeconds', data: { nodes: [holder(1), waiter(2, [1], { seconds: 20 })], hidden: 0 }, thresholds: { waitSeconds: 30 } },
  ],
  invalid: [
    {
      name: 'one holder, one waiter: who, how long, which lock on which table',
      data: { nodes: [holder(1), waiter(2, [1])], hidden: 0 },
      findings: [
        {
          severity: 'warning',
          pid: 1,
          schema: 'public',
          table: 'orders',
          message:
            'pid 1 (alice via billing-api from 10.0.0.7, database shop), idle in transaction for 2 min, blocks 1 session, the longest waiting 30 s (threshold 5 s): ' +
            'pid 2 waits 30 s for AccessExclusiveLock on public.orders; its last statement: UPDATE orders SET total = 0 WHERE id = 1',
          metrics: { waiters: 1, waiting_pids: '2', max_wait_seconds: 30, state: 'idle in transaction', backend_type: 'client backend' },
        },
      ],
    },
    {
      name: 'a chain: the root gets one finding with everyone behind it, longest wait first; links are not roots',
      data: {
        nodes: [
          holder(1, { state: 'active', stateSeconds: 300, waitEventType: 'IO', waitEvent: 'DataFileRead', query: 'SELECT * FROM orders' }),
          waiter(2, [1], { seconds: 40 }),
          waiter(3, [2], { mode: 'AccessShareLock', seconds: 35 }),
          waiter(4, [2, 2], { mode: 'RowExclusiveLock', seconds: 50 }),
        ],
        hidden: 0,
      },
      findings: [
        {
          pid: 1,
          message:
            'pid 1 (alice via billing-api from 10.0.0.7, database shop), active for 5 min waiting on IO:DataFileRead, blocks 3 sessions, the longest waiting 50 s (threshold 5 s): ' +
            'pid 4 waits 50 s for RowExclusiveLock on public.orders behind pid 2, pid 2 waits 40 s for AccessExclusiveLock on public.orders, ' +
            'pid 3 waits 35 s for AccessShareLock on public.orders behind pid 2; its running statement: SELECT * FROM orders',
          metrics: { waiters: 3, waiting_pids: '4,2,3', max_wait_seconds: 50 },
        },
      ],
    },
    {
      name: 'two roots, each with its own finding, the longest wait first; a waiter blocked by both appears under both',
      data: { nodes: [holder(1), holder(5), waiter(2, [1], { seconds: 10 }), waiter(6, [5, 1], { seconds: 70 })], hidden: 0 },
      findings: [
        { pid: 1, severity: 'error', metrics: { waiting_pids: '6,2' } },
        { pid: 5, severity: 'error', metrics: { waiting_pids: '6' } },
      ],
    },
    {
      name: 'row locks, virtual xids and advisory locks in words',
      data: {
        nodes: [
          holder(1),
          waiter(2, [1], { lockType: 'transactionid', mode: 'ShareLock' }),
          waiter(3, [1], { lockType: 'tuple', mode: 'ExclusiveLock' }),
          waiter(4, [1], { lockType: 'virtualxid', mode: 'ShareLock', schema: null, table: null }),
          waiter(5, [1], { lockType: 'advisory', mode: 'ExclusiveLock', schema: null, table: null }),
          waiter(6, [1], { lockType: 'extend', mode: 'ExclusiveLock' }),
        ],
        hidden: 0,
      },
      findings: [
        {
          message: new RegExp(
            [
              'pid 2 waits 30 s for a row lock on public\\.orders \\(ShareLock on the transaction that holds the row\\)',
              'pid 3 waits 30 s for a row lock on public\\.orders \\(ExclusiveLock\\)',
              'pid 4 waits 30 s for another transaction to end \\(ShareLock on its virtual xid\\)',
              'pid 5 waits 30 s for an advisory lock \\(ExclusiveLock\\)',
              'pid 6 waits 30 s for ExclusiveLock \\(extend lock on public\\.orders\\)',
            ].join(', '),
          ),
        },
      ],
    },
    {
      name: 'more than five waiters: five listed, the rest counted, all in metrics',
      data: { nodes: [holder(1), ...[2, 3, 4, 5, 6, 7, 8].map((p) => waiter(p, [1]))], hidden: 0 },
      findings: [{ message: /pid 6 waits 30 s for AccessExclusiveLock on public\.orders, and 2 more; its last/, metrics: { waiters: 7, waiting_pids: '2,3,4,5,6,7,8' } }],
    },
    {
      name: 'a prepared transaction (pid 0) holds the lock: no session to signal',
      data: { nodes: [{ pid: 0, blockedBy: [], hidden: false, wait: null, session: null }, waiter(2, [0])], hidden: 0 },
      findings: [{ pid: undefined, message: /^A prepared transaction blocks 1 session, the longest waiting 30 s/, metrics: { backend_type: 'prepared transaction' } }],
    },
    {
      name: 'a blocker of another role whose activity is hidden: no query shown',
      data: {
        nodes: [{ ...holder(1, { state: null, query: '<insufficient privilege>', applicationName: null, clientAddr: null, backendType: null }), hidden: true }, waiter(2, [1])],
        hidden: 1,
      },
      findings: [{ pid: 1, message: /^pid 1 \(alice, database shop\), a session of another role whose activity this role cannot see, blocks 1 session, .*AccessExclusiveLock on public\.orders$/ }],
    },
    {
      name: 'a blocker that ended between the two reads',
      data: { nodes: [waiter(2, [9])], hidden: 0 },
      findings: [{ pid: 9, message: /^pid 9 \(no longer listed in pg_stat_activity\) blocks 1 session/ }],
    },
    {
      name: 'an autovacuum worker is a blocker like any other',
      data: { nodes: [holder(3, { backendType: 'autovacuum worker', state: 'active', stateSeconds: 50, usename: null, applicationName: null, clientAddr: null, query: 'autovacuum: VACUUM public.orders (to prevent wraparound)' }), waiter(2, [3])], hidden: 0 },
      findings: [{ pid: 3, message: /^pid 3 \(unknown role, database shop\), an autovacuum worker, active for 50 s, blocks 1 session/ }],
    },
    {
      name: 'sessions waiting for each other with no root: a deadlock',
      data: { nodes: [waiter(4, [5], { seconds: 8 }), waiter(5, [4], { seconds: 9 })], hidden: 0 },
      findings: [{ pid: undefined, message: /^pids 4, 5 wait for each other \(a deadlock\), the longest for 9 s: pid 4 waits 8 s for AccessExclusiveLock on public\.orders, pid 5 waits 9 s/ }],
    },
  ],
});

describe('blocking-locks next step, summary and notes', () => {
  it('tells how to release an idle holder, a running one, a prepared transaction; and to use lock_timeout for DDL', () => {
    const next = (nodes: LockNode[]) => judgeCase(blockingLocks, { name: '', data: { nodes, hidden: 0 } }).findings[0].nextStep ?? '';
    assert.match(next([holder(1), waiter(2, [1])]), /^pid 1 holds its locks in a transaction it has stopped using: .*terminate the session .*idle_in_transaction_session_timeout.*SET lock_timeout .*require-lock-timeout/);
    assert.match(next([holder(1, { state: 'active' }), waiter(2, [1], { mode: 'RowExclusiveLock' })]), /^Wait for pid 1 to finish, or cancel its statement .*Keep transactions that take strong locks short\.$/);
    assert.match(next([{ pid: 0, blockedBy: [], hidden: false, wait: null, session: null }, waiter(2, [0])]), /^Find the transaction in pg_prepared_xacts and finish it with COMMIT PREPARED or ROLLBACK PREPARED/);
    assert.match(next([holder(3, { backendType: 'autovacuum worker', state: 'active' }), waiter(2, [3])]), /^Autovacuum gives way/);
  });

  it('summarises waiters and blockers, and counts hidden sessions', () => {
    const j = judgeCase(blockingLocks, { name: '', data: { nodes: [holder(1), waiter(2, [1], { seconds: 2 }), waiter(3, [1], { seconds: 3 })], hidden: 2 } });
    assert.deepEqual(j.findings, []);
    assert.equal(j.summary, '2 sessions wait for a lock, behind 1 blocker, the longest for 3 s');
    assert.match(j.notes?.[0] ?? '', /^2 backends of other roles are hidden .*who they are and what they run cannot be shown/);
    assert.equal(judgeCase(blockingLocks, { name: '', data: { nodes: [], hidden: 0 } }).summary, 'no session is waiting for a lock');
  });

  it('defaults: report waits from 5 s, error from 60 s', () => {
    assert.deepEqual(blockingLocks.defaults, { waitSeconds: 5, errorSeconds: 60 });
    const error = judgeCase(blockingLocks, { name: '', data: { nodes: [holder(1), waiter(2, [1], { seconds: 60 })], hidden: 0 } });
    assert.equal(error.findings[0].severity, 'error');
  });
});

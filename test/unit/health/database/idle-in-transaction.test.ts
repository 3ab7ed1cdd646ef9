import * as assert from 'node:assert/strict';
import { check as idleInTransaction, type HeldLock } from '../../../../src/core/health/database/checks/idle-in-transaction';
import { judgeCase, runCheckTests, session } from './session-fixtures';

const idle = (pid: number, stateSeconds: number, over: Parameters<typeof session>[1] = {}) =>
  session(pid, { state: 'idle in transaction', waitEventType: 'Client', waitEvent: 'ClientRead', stateSeconds, xactSeconds: stateSeconds + 5, ...over });
const lock = (pid: number, table: string | null, mode = 'AccessShareLock', relkind = 'r'): HeldLock => ({
  pid,
  mode,
  schema: table === null ? null : 'public',
  table,
  relkind: table === null ? null : relkind,
});

runCheckTests(idleInTransaction, {
  valid: [
    { name: 'no idle transaction', data: { sessions: [], locks: [], hidden: 0 } },
    { name: 'idle under the default 60 s', data: { sessions: [idle(7, 59)], locks: [lock(7, 'orders')], hidden: 0 } },
    { name: 'under a raised threshold', data: { sessions: [idle(7, 200)], locks: [], hidden: 0 }, thresholds: { seconds: 300 } },
  ],
  invalid: [
    {
      name: 'holding table locks: names them (not their indexes) and says DDL waits for them',
      data: {
        sessions: [idle(7, 75, { query: 'UPDATE orders SET total = 0 WHERE id = 1', xidAge: 12 })],
        locks: [lock(7, 'orders', 'RowExclusiveLock'), lock(7, 'orders_pkey', 'RowExclusiveLock', 'i'), lock(8, 'other')],
        hidden: 0,
      },
      findings: [
        {
          severity: 'warning',
          pid: 7,
          schema: 'public',
          table: 'orders',
          message:
            'pid 7 (alice via billing-api from 10.0.0.7, database shop) has been idle in a transaction for 1 min 15 s (threshold 1 min); ' +
            'the transaction has been open for 1 min 20 s, holding 2 relation locks (RowExclusiveLock on public.orders) that DDL on that table must wait for; ' +
            'its last statement: UPDATE orders SET total = 0 WHERE id = 1',
          metrics: { seconds: 75, relation_locks: 2, locked_tables: 'public.orders (RowExclusiveLock)', backend_xid_age: 12, state: 'idle in transaction' },
        },
      ],
    },
    {
      name: 'no table locks (BEGIN; SELECT 1)',
      data: { sessions: [idle(8, 61, { query: 'SELECT 1' })], locks: [], hidden: 0 },
      findings: [{ message: /for 1 min 1 s \(threshold 1 min\); the transaction has been open for 1 min 6 s, holding no table locks; its last statement: SELECT 1$/ }],
    },
    {
      name: 'more than three tables: three named, the rest counted',
      data: { sessions: [idle(9, 90)], locks: ['a', 'b', 'c', 'd', 'e'].map((t) => lock(9, t)), hidden: 0 },
      findings: [{ message: /holding 5 relation locks \(AccessShareLock on public\.a, AccessShareLock on public\.b, AccessShareLock on public\.c and 2 more\) that DDL on those tables must wait for/ }],
    },
    {
      name: 'locks only in another database: counted, not named',
      data: { sessions: [idle(9, 90)], locks: [lock(9, null)], hidden: 0 },
      findings: [{ message: /holding 1 relation lock; its last statement/, metrics: { locked_tables: null } }],
    },
    {
      name: 'aborted: holds no locks but its connection, and the next step is the error handling',
      data: { sessions: [idle(10, 120, { state: 'idle in transaction (aborted)' })], locks: [], hidden: 0 },
      findings: [{ message: /idle in an aborted transaction for 2 min .*holding no locks but its connection until it rolls back/ }],
    },
    {
      name: 'past errorSeconds (600 s by default): error',
      data: { sessions: [idle(11, 601)], locks: [], hidden: 0 },
      findings: [{ severity: 'error', pid: 11 }],
    },
  ],
});

describe('idle-in-transaction next step, summary and notes', () => {
  it('names idle_in_transaction_session_timeout for the session\'s role, quoted', () => {
    const { findings } = judgeCase(idleInTransaction, { name: '', data: { sessions: [idle(7, 70, { usename: 'Billing' })], locks: [], hidden: 0 } });
    assert.match(findings[0].nextStep ?? '', /ALTER ROLE "Billing" SET idle_in_transaction_session_timeout = '5min'/);
    assert.match(findings[0].nextStep ?? '', /cancelling does nothing while it is idle/);
    const aborted = judgeCase(idleInTransaction, { name: '', data: { sessions: [idle(7, 70, { state: 'idle in transaction (aborted)' })], locks: [], hidden: 0 } });
    assert.match(aborted.findings[0].nextStep ?? '', /^A statement failed inside the transaction/);
  });

  it('summarises and counts hidden sessions', () => {
    const j = judgeCase(idleInTransaction, { name: '', data: { sessions: [idle(1, 3), idle(2, 30)], locks: [], hidden: 1 } });
    assert.equal(j.summary, '2 sessions idle in a transaction, the longest for 30 s');
    assert.match(j.notes?.[0] ?? '', /^1 backend of another role is hidden from this role .*whether they are idle in a transaction could not be checked: grant the role pg_read_all_stats/);
    assert.equal(judgeCase(idleInTransaction, { name: '', data: { sessions: [], locks: [], hidden: 0 } }).summary, 'no session is idle in a transaction');
  });

  it('defaults: warning past 60 s, error past 600 s', () => {
    assert.deepEqual(idleInTransaction.defaults, { seconds: 60, errorSeconds: 600 });
    assert.equal(idleInTransaction.defaultSeverity, 'warning');
  });
});

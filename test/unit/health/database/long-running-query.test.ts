import * as assert from 'node:assert/strict';
import { check as longRunningQuery } from '../../../../src/core/health/database/checks/long-running-query';
import { judgeCase, runCheckTests, session } from './session-fixtures';

runCheckTests(longRunningQuery, {
  valid: [
    { name: 'no session runs anything', data: { sessions: [], hidden: 0 } },
    { name: 'a query under the default 300 s', data: { sessions: [session(10, { querySeconds: 299 })], hidden: 0 } },
    { name: 'under a raised threshold', data: { sessions: [session(10, { querySeconds: 900 })], hidden: 0 }, thresholds: { seconds: 1200 } },
  ],
  invalid: [
    {
      name: 'a query past 300 s: warning with who runs it and the query',
      data: { sessions: [session(10, { querySeconds: 312.4, xactSeconds: 312.4 })], hidden: 0 },
      findings: [
        {
          severity: 'warning',
          pid: 10,
          message:
            'pid 10 (alice via billing-api from 10.0.0.7, database shop) has been running its query for 5 min 12 s (threshold 5 min): SELECT * FROM orders',
          metrics: { seconds: 312.4, state: 'active', usename: 'alice', application_name: 'billing-api', client_addr: '10.0.0.7', query_start: '2024-05-01T12:00:00.123456Z' },
        },
      ],
    },
    {
      name: 'past errorSeconds (3000 s by default): error',
      data: { sessions: [session(11, { querySeconds: 3000 })], hidden: 0 },
      findings: [{ severity: 'error', pid: 11, message: /running its query for 50 min \(threshold 5 min\)/ }],
    },
    {
      name: 'an errorSeconds below seconds: every finding is an error, none appears under seconds',
      data: { sessions: [session(11, { querySeconds: 100 }), session(12, { querySeconds: 30 })], hidden: 0 },
      thresholds: { seconds: 60, errorSeconds: 10 },
      findings: [{ severity: 'error', pid: 11 }],
    },
    {
      name: 'waiting, in an older transaction, from a socket, with a long query cut short',
      data: {
        sessions: [
          session(12, {
            querySeconds: 400,
            xactSeconds: 4000,
            waitEventType: 'Lock',
            waitEvent: 'relation',
            clientAddr: null,
            applicationName: null,
            query: `UPDATE orders\n   SET status = 'x' WHERE id IN (${'1, '.repeat(40)}1)`,
          }),
        ],
        hidden: 0,
      },
      findings: [
        {
          message:
            "pid 12 (alice, database shop) has been running its query for 6 min 40 s (threshold 5 min), waiting on Lock:relation, in a transaction open for 1 h 6 min: UPDATE orders SET status = 'x' WHERE id IN (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,…",
          metrics: { wait_event_type: 'Lock', wait_event: 'relation', xact_seconds: 4000 },
        },
      ],
    },
    {
      name: 'longest first',
      data: { sessions: [session(1, { querySeconds: 400 }), session(2, { querySeconds: 900 }), session(3, { querySeconds: 5 })], hidden: 0 },
      findings: [{ pid: 2 }, { pid: 1 }],
    },
  ],
});

describe('long-running-query summary and notes', () => {
  it('states what it looked at, with or without findings', () => {
    const none = judgeCase(longRunningQuery, { name: '', data: { sessions: [], hidden: 0 } });
    assert.equal(none.summary, "no query is running besides pglens's own");
    assert.equal(none.notes, undefined);
    const some = judgeCase(longRunningQuery, { name: '', data: { sessions: [session(1, { querySeconds: 4 }), session(2, { querySeconds: 75 })], hidden: 0 } });
    assert.equal(some.summary, '2 queries running, the longest for 1 min 15 s');
  });

  it('counts the sessions of other roles it cannot see and names the privilege', () => {
    const { notes } = judgeCase(longRunningQuery, { name: '', data: { sessions: [], hidden: 4 } });
    assert.deepEqual(notes, [
      "4 backends of other roles are hidden from this role (pg_stat_activity shows '<insufficient privilege>'), so their queries could not be checked: grant the role pg_read_all_stats (or pg_monitor) to see them",
    ]);
  });

  it('defaults: warning past 300 s, error past 3000 s; needs a server', () => {
    assert.deepEqual(longRunningQuery.defaults, { seconds: 300, errorSeconds: 3000 });
    assert.equal(longRunningQuery.defaultSeverity, 'warning');
    assert.equal(typeof longRunningQuery.sandbox, 'string');
  });
});

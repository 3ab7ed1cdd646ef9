import * as assert from 'node:assert/strict';
import { check as connections, type ConnectionsData, type SessionGroup } from '../../../../src/core/health/database/checks/connections';
import { judgeCase, runCheckTests } from './session-fixtures';

const group = (state: string | null, applicationName: string | null, sessions: number): SessionGroup => ({ state, applicationName, sessions });

/** max_connections 100, 3 reserved for superusers: 97 slots for ordinary roles. */
function data(groups: SessionGroup[], over: Partial<ConnectionsData> = {}): ConnectionsData {
  return { maxConnections: 100, superuserReserved: 3, reserved: 0, groups, ...over };
}

runCheckTests(connections, {
  valid: [
    { name: 'one session (pglens\'s own)', data: data([group('active', 'pglens', 1)]) },
    { name: 'just under 80% of the 97 slots', data: data([group('idle', 'api', 77)]) },
    { name: 'under a raised share', data: data([group('idle', 'api', 85)]), thresholds: { share: 0.9 } },
  ],
  invalid: [
    {
      name: 'at 80% of the slots ordinary roles may use: warning, by state and application',
      data: data([group('idle', 'api', 60), group('active', 'api', 10), group('idle in transaction', 'worker', 5), group('active', null, 3)]),
      findings: [
        {
          severity: 'warning',
          message:
            '78 of the 97 connections ordinary roles may open are in use (80%, threshold 80%): 13 active, 5 idle in transaction, 60 idle; most from api (70); ' +
            'at the limit new connections fail with "too many clients already"',
          metrics: {
            used: 78,
            available: 97,
            share: 0.804,
            max_connections: 100,
            superuser_reserved_connections: 3,
            reserved_connections: 0,
            active: 13,
            idle: 60,
            idle_in_transaction: 5,
            hidden: 0,
            by_application: 'api: 70, worker: 5, (no application_name): 3',
          },
        },
      ],
    },
    {
      name: 'at 95%: error',
      data: data([group('active', 'api', 93)]),
      findings: [{ severity: 'error', message: /^93 of the 97 connections ordinary roles may open are in use \(96%, threshold 80%\)/ }],
    },
    {
      name: 'reserved_connections (PG 16+) leave fewer slots',
      data: data([group('idle', 'api', 80)], { reserved: 10 }),
      findings: [{ message: /^80 of the 87 connections/, metrics: { available: 87, reserved_connections: 10 } }],
    },
    {
      name: 'superusers in their reserved slots: above 100%',
      data: data([group('active', 'api', 99)]),
      findings: [{ severity: 'error', message: /^99 of the 97 connections .* \(102%, threshold 80%\)/ }],
    },
    {
      name: 'hidden sessions count as connections',
      data: data([group('idle', 'api', 40), group(null, null, 40)]),
      findings: [{ message: /^80 of the 97 .*: 40 idle, 40 of other roles, state hidden; most from api \(40\)/, metrics: { hidden: 40 } }],
    },
    {
      name: 'aborted transactions get their own metric',
      data: data([group('idle in transaction (aborted)', 'api', 90)]),
      findings: [{ metrics: { idle_in_transaction_aborted: 90 } }],
    },
  ],
});

describe('connections summary, next step and notes', () => {
  it('always says "N of M connections in use (…)", with the limit and the breakdown', () => {
    const j = judgeCase(connections, {
      name: '',
      data: data([group('idle', 'api', 4), group('active', 'pglens', 1), group('idle', 'a', 1), group('idle', 'b', 1), group('idle', 'c', 1), group('idle', 'd', 1), group('idle', 'e', 1)]),
    });
    assert.deepEqual(j.findings, []);
    assert.equal(
      j.summary,
      '10 of 97 connections in use (10%; max_connections 100 − 3 reserved for superusers; 1 active, 9 idle; by application: api 4, a 1, b 1, c 1, d 1, 2 more)',
    );
    const pg16 = judgeCase(connections, { name: '', data: data([], { reserved: 5 }) });
    assert.equal(pg16.summary, '0 of 92 connections in use (0%; max_connections 100 − 3 reserved for superusers − 5 reserved_connections; none)');
  });

  it('points mostly-idle pools at their size and a pooler', () => {
    const idle = judgeCase(connections, { name: '', data: data([group('idle', 'api', 90)]) }).findings[0];
    assert.match(idle.nextStep ?? '', /^90 of them are idle: an application pool keeps more connections than it uses .*PgBouncer.*idle_session_timeout/);
    const busy = judgeCase(connections, { name: '', data: data([group('active', 'api', 90)]) }).findings[0];
    assert.match(busy.nextStep ?? '', /^Put a pooler such as PgBouncer .*Raise max_connections only with the memory to match/);
  });

  it('names the privilege when sessions are hidden', () => {
    const j = judgeCase(connections, { name: '', data: data([group(null, null, 2)]) });
    assert.match(j.notes?.[0] ?? '', /^2 backends of other roles are hidden .*they are counted as connections but their state and application are unknown: grant the role pg_read_all_stats/);
  });

  it('defaults: warning from 80%, error from 95%', () => {
    assert.deepEqual(connections.defaults, { share: 0.8, errorShare: 0.95 });
  });
});

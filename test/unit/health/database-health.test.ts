import * as assert from 'node:assert/strict';
import type { Connection, ConnectionKind, QueryResult } from '../../../src/core/db/connection';
import { PglensError } from '../../../src/core/errors';
import type { CheckJudgement, DatabaseCheck, Thresholds } from '../../../src/core/health/database/check';
import { DATABASE_CHECKS } from '../../../src/core/health/database/checks';
import { databaseHealth } from '../../../src/core/health/database/database-health';
import { healthFindingRecords } from '../../../src/core/health/database/finding-record';
import { findTableDefinition } from '../../../src/core/health/index-source';
import { defaultConfig } from '../../../src/core/config';
import { DATABASE_RULE_IDS } from '../../../src/core/lint/rule-ids';

/** A connection that answers only the server-version query the runner asks first. */
function fakeConnection(kind: ConnectionKind = 'server'): Connection {
  const answer = async <R>(): Promise<QueryResult<R>> => ({ rows: [{ v: 150004 } as R], fields: [{ name: 'v' }], rowCount: 1 });
  return {
    kind,
    label: 'fake',
    query: answer,
    queryOne: answer,
    explain: () => Promise.reject(new Error('not used')),
    cancel: async () => undefined,
    close: async () => undefined,
    serverVersion: async () => '15.4',
  };
}

/** A check that "reads" a value and reports one finding per value above its `limit` threshold. */
function check(id: DatabaseCheck['id'], over: Partial<DatabaseCheck<number[]>> = {}): DatabaseCheck<number[]> {
  return {
    id,
    group: 'storage',
    title: `check ${id}`,
    defaultSeverity: 'warning',
    defaults: { limit: 10 },
    sandbox: true,
    privilege: 'pg_read_all_stats',
    read: async () => [5, 20, 30],
    judge(values: number[], t: Thresholds): CheckJudgement {
      const over = values.filter((v) => v > t.limit);
      return {
        findings: over.map((v) => ({ ruleId: id, severity: v >= 30 ? 'error' : 'warning', message: `value ${v} above ${t.limit}`, table: `t${v}`, schema: 's' })),
        summary: `${values.length} values`,
      };
    },
    ...over,
  };
}

function config(rules: Record<string, { severity: 'error' | 'warning' | 'info' | 'off'; options?: Record<string, unknown> }>) {
  const c = defaultConfig('/tmp');
  c.file = '/tmp/.pglens.json';
  for (const [id, r] of Object.entries(rules)) c.rules[id] = { severity: r.severity, options: r.options ?? {} };
  return c;
}

describe('databaseHealth (the runner of the database checks)', () => {
  it('registers exactly one check per database rule id', () => {
    assert.deepEqual([...DATABASE_CHECKS.map((c) => c.id)].sort(), [...DATABASE_RULE_IDS].sort());
    for (const c of DATABASE_CHECKS) {
      assert.ok(c.title.length > 0, `${c.id}: a title`);
      assert.ok(c.sandbox === true || c.sandbox.length > 10, `${c.id}: a sandbox reason a user can read`);
    }
  });

  it('runs each check, keeps its own escalation and sorts most severe first', async () => {
    const health = await databaseHealth(fakeConnection(), { checks: [check('table-bloat')] });
    assert.deepEqual(health.findings.map((f) => [f.severity, f.message]), [
      ['error', 'value 30 above 10'],
      ['warning', 'value 20 above 10'],
    ]);
    assert.deepEqual(health.checks, [
      { id: 'table-bloat', title: 'check table-bloat', state: 'ran', summary: '3 values', notes: [], findings: 2, thresholds: { limit: 10 } },
    ]);
  });

  it('uses thresholds and severities from .pglens.json', async () => {
    const health = await databaseHealth(fakeConnection(), {
      checks: [check('table-bloat'), check('missing-stats')],
      config: config({ 'table-bloat': { severity: 'info', options: { limit: 25 } }, 'missing-stats': { severity: 'warning', options: { limit: 15 } } }),
    });
    assert.deepEqual(
      health.findings.map((f) => `${f.ruleId} ${f.severity} ${f.message}`),
      // The default severity given with thresholds keeps the escalation; another one replaces it.
      ['missing-stats error value 30 above 15', 'missing-stats warning value 20 above 15', 'table-bloat info value 30 above 25'],
    );
  });

  const badOptions: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a string', { limit: '10' }, /"rules\.table-bloat" option "limit" must be a number ≥ 0, got "10"/],
    ['a negative number', { limit: -1 }, /must be a number ≥ 0, got -1/],
    ['an unknown option', { other: 1 }, /option "other" is not an option of table-bloat \(limit\)/],
  ];
  for (const [title, options, message] of badOptions) {
    it(`stops on a threshold that is ${title}, naming the file, the rule and the option`, async () => {
      await assert.rejects(databaseHealth(fakeConnection(), { checks: [check('table-bloat')], config: config({ 'table-bloat': { severity: 'warning', options } }) }), (e: Error) => {
        assert.match(e.message, message);
        assert.match(e.message, /^\/tmp\/\.pglens\.json: /);
        return true;
      });
    });
  }

  it('refuses a share above 1, which could never fire', async () => {
    const shares = check('connections', { defaults: { share: 0.8 } });
    await assert.rejects(
      databaseHealth(fakeConnection(), { checks: [shares], config: config({ connections: { severity: 'warning', options: { share: 2 } } }) }),
      /option "share" is a fraction between 0 and 1, got 2/,
    );
  });

  it('skips a check turned off, and on the sandbox one that needs a server, with the reason', async () => {
    let reads = 0;
    const counting = (id: DatabaseCheck['id'], sandbox: true | string) =>
      check(id, {
        sandbox,
        read: async () => {
          reads++;
          return [];
        },
      });
    const health = await databaseHealth(fakeConnection('embedded'), {
      checks: [counting('connections', 'the embedded sandbox has one session'), counting('table-bloat', true), counting('missing-stats', true)],
      config: config({ 'missing-stats': { severity: 'off' } }),
    });
    assert.equal(reads, 1);
    assert.deepEqual(
      health.checks.map((c) => [c.id, c.state, c.reason]),
      [
        ['connections', 'skipped', 'the embedded sandbox has one session'],
        ['table-bloat', 'ran', undefined],
        ['missing-stats', 'off', 'turned off in /tmp/.pglens.json'],
      ],
    );
  });

  it('reports a check that fails — privilege, timeout, missing view — and still runs the others', async () => {
    const failing = (id: DatabaseCheck['id'], error: Error) => check(id, { read: () => Promise.reject(error) });
    const health = await databaseHealth(fakeConnection(), {
      checks: [
        failing('connections', new PglensError('sql-error', 'permission denied for view pg_stat_activity')),
        failing('blocking-locks', new PglensError('timeout', 'canceling statement due to statement timeout', 'raise --timeout')),
        failing('sequence-exhaustion', new PglensError('sql-error', 'relation "pg_sequences" does not exist')),
        check('table-bloat'),
      ],
    });
    assert.deepEqual(
      health.checks.map((c) => [c.id, c.state, c.reason]),
      [
        ['connections', 'failed', 'not allowed: permission denied for view pg_stat_activity — it needs pg_read_all_stats'],
        ['blocking-locks', 'failed', 'timed out: the statement timeout ended its query — raise --timeout SECONDS (CLI) or pglens.explain.statementTimeout (editor)'],
        ['sequence-exhaustion', 'failed', 'not available on this server: relation "pg_sequences" does not exist'],
        ['table-bloat', 'ran', undefined],
      ],
    );
    assert.equal(health.findings.length, 2);
  });

  it('reports a check that could read nothing it judges as failed, with the privilege; one that read part as ran and partial', async () => {
    const judging = (id: DatabaseCheck['id'], j: Partial<CheckJudgement>) => check(id, { judge: () => ({ findings: [], summary: 'nothing to judge here', notes: ['2 sequences could not be read'], ...j }) });
    const health = await databaseHealth(fakeConnection(), {
      checks: [
        judging('sequence-exhaustion', { unjudged: { reason: 'none of the 2 sequences it judges could be read (lo lacks SELECT or USAGE on all of them)', privilege: true } }),
        judging('int-key-overflow', { unjudged: { reason: 'none of the one key it judges could be read (1 key sequence is locked by another session)', privilege: false } }),
        judging('table-bloat', { partial: true }),
      ],
    });
    assert.deepEqual(
      health.checks.map((c) => [c.id, c.state, c.reason, c.partial, c.summary, c.notes]),
      [
        [
          'sequence-exhaustion',
          'failed',
          'not allowed to read what it judges: none of the 2 sequences it judges could be read (lo lacks SELECT or USAGE on all of them) — it needs pg_read_all_stats',
          undefined,
          undefined,
          ['2 sequences could not be read'],
        ],
        ['int-key-overflow', 'failed', 'could not judge anything: none of the one key it judges could be read (1 key sequence is locked by another session)', undefined, undefined, ['2 sequences could not be read']],
        ['table-bloat', 'ran', undefined, true, 'nothing to judge here', ['2 sequences could not be read']],
      ],
    );
  });

  it('puts index and database findings in one list, most severe first', () => {
    const records = healthFindingRecords(
      [{ ruleId: 'unused-index', severity: 'warning', message: 'unused', schema: 's', table: 't', index: 'i', fixSql: 'DROP INDEX CONCURRENTLY s.i;' }],
      [
        { ruleId: 'connections', severity: 'info', message: 'busy' },
        { ruleId: 'xid-wraparound', severity: 'error', message: 'old', metrics: { age: 1 } },
      ],
    );
    assert.deepEqual(records.map((r) => r.ruleId), ['xid-wraparound', 'unused-index', 'connections']);
    assert.deepEqual(records[1], { ruleId: 'unused-index', severity: 'warning', message: 'unused', schema: 's', table: 't', index: 'i', fixSql: 'DROP INDEX CONCURRENTLY s.i;' });
  });
});

describe('findTableDefinition (Reveal Migration for a table)', () => {
  const cases: Array<[string, string, string, { line: number; character: number } | undefined]> = [
    ['plain', 'CREATE TABLE orders (id int);', 'orders', { line: 0, character: 13 }],
    ['schema-qualified, IF NOT EXISTS, second line', '-- x\ncreate table if not exists shop.orders (id int);', 'orders', { line: 1, character: 32 }],
    ['unlogged', 'CREATE UNLOGGED TABLE "orders" ();', 'orders', { line: 0, character: 22 }],
    ['quoted mixed case must match exactly', 'CREATE TABLE "Orders" ();', 'orders', undefined],
    ['quoted mixed case', 'CREATE TABLE "Orders" ();', 'Orders', { line: 0, character: 13 }],
    ['a longer name is not it', 'CREATE TABLE orders_archive ();', 'orders', undefined],
    ['first creation wins', 'CREATE TABLE t ();\nDROP TABLE t;\nCREATE TABLE t ();', 't', { line: 0, character: 13 }],
    ['not a table', 'CREATE INDEX orders ON x (id);', 'orders', undefined],
  ];
  for (const [title, text, name, expected] of cases) {
    it(title, () => {
      const site = findTableDefinition(text, name);
      assert.deepEqual(site && { line: site.line, character: site.character }, expected);
    });
  }
});

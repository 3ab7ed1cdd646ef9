/**
 * One `connection` object for every command's JSON (src/cli/connection-json.ts, docs/cli.md
 * "Output, errors and escaping"): at least `{kind, serverVersion, label, database}`, in that
 * order; indexes and health add their statistics fields after them. And `health`'s exit code:
 * a check that could not run is 2, winning over the 1 of a finding at or above --fail-on.
 */
import * as assert from 'node:assert/strict';
import { connectionJson, connectionJsonOf } from '../../../src/cli/connection-json';
import { healthExitCode, healthJson } from '../../../src/cli/commands/health';
import { indexesJson } from '../../../src/cli/commands/indexes';
import { queriesJson } from '../../../src/cli/commands/queries';
import type { Connection } from '../../../src/core/db/connection';
import type { HealthReport } from '../../../src/core/health/findings';

const SERVER = { kind: 'server' as const, serverVersion: '15.20', label: 'postgresql://postgres:***@db:5432/shop', database: 'shop' };
const STATS = { isReplica: false, statsReset: '2026-01-02T03:04:05.000Z', statsSince: 'since 2026-01-02 03:04 UTC (last statistics reset)', sizesExact: true };
const FOUR = ['kind', 'serverVersion', 'label', 'database'];

describe('CLI JSON: the shared connection object', () => {
  it('has the four fields in order, then the statistics fields when given', () => {
    const base = connectionJson({ ...SERVER, extra: 'dropped' } as typeof SERVER);
    assert.deepEqual(Object.keys(base), FOUR);
    assert.deepEqual(base, SERVER);
    const full = connectionJson(SERVER, STATS);
    assert.deepEqual(Object.keys(full), [...FOUR, 'isReplica', 'statsReset', 'statsSince', 'sizesExact']);
    assert.deepEqual(full, { ...SERVER, ...STATS });
  });

  it('reads the database of an open connection (explain, advise) with current_database()', async () => {
    const sent: string[] = [];
    const conn = {
      kind: 'embedded',
      label: 'embedded sandbox (PGlite)',
      serverVersion: async () => '18.6',
      query: async (sql: string) => {
        sent.push(sql);
        return { rows: [{ database: 'postgres' }], fields: [], rowCount: 1 };
      },
    } as unknown as Connection;
    assert.deepEqual(await connectionJsonOf(conn), { kind: 'embedded', serverVersion: '18.6', label: 'embedded sandbox (PGlite)', database: 'postgres' });
    assert.deepEqual(sent, ['SELECT current_database() AS database']);
    assert.equal((await connectionJsonOf(conn, '18.7')).serverVersion, '18.7', 'a version the caller has is used as is');
  });

  it('indexes, health and queries all start with the same four fields; indexes and health keep every field they had', () => {
    const report = {
      connection: SERVER,
      isReplica: STATS.isReplica,
      statsReset: STATS.statsReset,
      statsSince: STATS.statsSince,
      catalog: { sizesExact: STATS.sizesExact },
      indexes: [],
      findings: [],
      notes: [],
    } as unknown as HealthReport;
    const fromIndexes = (indexesJson(report) as { connection: Record<string, unknown> }).connection;
    const header = { connection: SERVER, isReplica: false, statsReset: STATS.statsReset, statsSince: STATS.statsSince, sizesExact: true, notes: [] };
    const fromHealth = (healthJson({ header, database: { checks: [], findings: [] }, findings: [] }) as { connection: Record<string, unknown> }).connection;
    const fromHealthOnly = (healthJson({ header: { ...header, sizesExact: null }, database: { checks: [], findings: [] }, findings: [] }) as { connection: Record<string, unknown> }).connection;
    const fromQueries = (queriesJson({ connection: connectionJson(SERVER), result: { state: 'unavailable', installed: false, reason: 'not installed' } }) as { connection: Record<string, unknown> }).connection;
    for (const c of [fromIndexes, fromHealth, fromHealthOnly, fromQueries]) assert.deepEqual(Object.keys(c).slice(0, 4), FOUR);
    for (const c of [fromIndexes, fromHealth, fromQueries]) assert.deepEqual(Object.fromEntries(FOUR.map((k) => [k, c[k]])), SERVER);
    assert.deepEqual(fromIndexes, { ...SERVER, ...STATS }, 'indexes: every field it had (label, database, isReplica, statsReset, statsSince, sizesExact)');
    assert.deepEqual(fromHealth, { ...SERVER, ...STATS }, 'health: what indexes has, statsReset and sizesExact included');
    assert.equal(fromHealthOnly.sizesExact, null, 'health --only reads no sizes');
  });
});

describe('pglens health exit code', () => {
  type Run = Parameters<typeof healthExitCode>[0];
  const check = (id: string, state: 'ran' | 'failed') => ({ id, title: id, state, notes: [], findings: 0, thresholds: {}, ...(state === 'failed' && { reason: 'permission denied' }) });
  const run = (states: Array<'ran' | 'failed'>, severities: Array<'error' | 'warning' | 'info'>): Run =>
    ({
      database: { checks: states.map((s, i) => check(`check-${i}`, s)), findings: [] },
      findings: severities.map((severity) => ({ ruleId: 'table-bloat', severity, message: 'm' })),
    }) as unknown as Run;
  const exit = (r: Run, failOn: 'error' | 'warning' | 'info' | 'off') => {
    let stderr = '';
    return { code: healthExitCode(r, failOn, { stderr: (t) => void (stderr += t) }), stderr };
  };

  it('0 clean, 1 at or above --fail-on, never 1 with off — when every check ran', () => {
    assert.deepEqual(exit(run(['ran'], []), 'warning'), { code: 0, stderr: '' });
    assert.deepEqual(exit(run(['ran'], ['warning']), 'warning'), { code: 1, stderr: '' });
    assert.deepEqual(exit(run(['ran'], ['warning']), 'error'), { code: 0, stderr: '' });
    assert.deepEqual(exit(run(['ran'], ['error']), 'off'), { code: 0, stderr: '' });
  });

  it('2 when a check could not run, said on stderr with the next step', () => {
    const { code, stderr } = exit(run(['ran', 'failed'], []), 'warning');
    assert.equal(code, 2);
    assert.match(stderr, /^pglens health: 1 check could not run or read nothing to judge \(check-1\): the report is incomplete — see each check's reason .*; fix what it names, or turn such a check off in \.pglens\.json .*\n$/);
  });

  it('2 wins over 1: a finding at or above --fail-on does not hide that the run was incomplete', () => {
    const { code, stderr } = exit(run(['failed', 'failed'], ['error']), 'warning');
    assert.equal(code, 2);
    assert.match(stderr, /^pglens health: 2 checks could not run or read nothing to judge \(check-0, check-1\): the report is incomplete; the findings above also reach --fail-on warning, but exit code 2 \(incomplete\) wins over 1 — /);
    assert.equal(exit(run(['failed'], ['error']), 'off').code, 2, 'off judges findings only');
    assert.doesNotMatch(exit(run(['failed'], ['info']), 'warning').stderr, /also reach/, 'below --fail-on: nothing to say about 1');
  });
});

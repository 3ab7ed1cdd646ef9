import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check as missingStats, type MissingStatsData, type MissingStatsRow } from '../../../../src/core/health/database/checks/missing-stats';
import { judgeCase, runCheckTests } from './session-fixtures';

/** shop.imports: 60,000 rows loaded and never analyzed, readable by the role, autovacuum on. */
function row(over: Partial<MissingStatsRow> = {}): MissingStatsRow {
  return {
    schema: 'shop',
    table: 'imports',
    kind: 'table',
    liveTuples: 60_000,
    reltuples: -1,
    readable: true,
    analyzed: false,
    hasStats: false,
    autoanalyze: true,
    ...over,
  };
}

function data(rows: MissingStatsRow[]): MissingStatsData {
  return { role: 'app', rows };
}

runCheckTests(missingStats, {
  valid: [
    { name: 'statistics present, though no ANALYZE is on record (statistics reset)', data: data([row({ hasStats: true })]) },
    { name: 'fewer than 1,000 rows', data: data([row({ liveTuples: 999 })]) },
    { name: 'unreadable, but an ANALYZE is on record', data: data([row({ readable: false, analyzed: true })]) },
    { name: 'under a raised minRows', data: data([row()]), thresholds: { minRows: 100_000 } },
  ],
  invalid: [
    {
      name: 'rows loaded, never analyzed',
      data: data([row()]),
      findings: [
        {
          severity: 'warning',
          schema: 'shop',
          table: 'imports',
          message:
            'table shop.imports has ~60,000 rows but no planner statistics (never analyzed): the planner guesses its row counts and value distribution, ' +
            'which leads to bad join orders and scan choices; autoanalyze waits for 50 rows plus 10% of the table to change, which a table loaded once may never reach',
          metrics: { estimatedRows: 60_000, analyzed: false, readable: true, autoanalyze: true },
        },
      ],
    },
    {
      name: 'analyzed while empty, rows since (the row count from reltuples)',
      data: data([row({ liveTuples: 0, reltuples: 5000, analyzed: true })]),
      findings: [{ message: /^table shop\.imports has ~5,000 rows but no planner statistics \(last analyzed while it was empty\)/ }],
    },
    {
      name: 'autovacuum disabled for it',
      data: data([row({ autoanalyze: false })]),
      findings: [{ message: /; autovacuum is disabled for it, so nothing analyzes it automatically$/ }],
    },
    {
      name: 'a materialized view (REFRESH does not analyze)',
      data: data([row({ kind: 'materialized view', table: 'daily_totals' })]),
      findings: [{ message: /^materialized view shop\.daily_totals has ~60,000 rows/ }],
    },
    {
      name: 'a table the role may not read: judged by the ANALYZE record',
      data: data([row({ readable: false })]),
      findings: [{ message: /no planner statistics \(no ANALYZE on record\)/, metrics: { readable: false } }],
    },
    {
      name: 'a lowered minRows',
      data: data([row({ liveTuples: 50 })]),
      thresholds: { minRows: 10 },
      findings: [{ message: /has ~50 rows/ }],
    },
  ],
});

describe('missing-stats fix SQL, summary and notes', () => {
  it('ANALYZE, with quoted names', () => {
    const [f] = judgeCase(missingStats, { name: '', data: data([row(), row({ schema: 'Shop', table: 'order lines' })]) }).findings;
    assert.equal(f.fixSql, 'ANALYZE shop.imports;');
    assert.match(f.nextStep ?? '', /^ANALYZE reads a sample of the table .* SHARE UPDATE EXCLUSIVE lock: reads and writes go on\. Run it at the end of every bulk load/);
    const [, quoted] = judgeCase(missingStats, { name: '', data: data([row(), row({ schema: 'Shop', table: 'order lines' })]) }).findings;
    assert.equal(quoted.fixSql, 'ANALYZE "Shop"."order lines";');
  });

  it('summary: how many tables lack statistics', () => {
    assert.equal(judgeCase(missingStats, { name: '', data: data([]) }).summary, 'every table with 1,000 rows or more has planner statistics');
    assert.equal(judgeCase(missingStats, { name: '', data: data([row(), row({ table: 'b' })]) }).summary, '2 tables with data but no planner statistics');
  });

  it('notes the tables the role could only judge by their ANALYZE record', () => {
    const j = judgeCase(missingStats, { name: '', data: data([row({ readable: false, analyzed: true }), row({ readable: false })]) });
    assert.deepEqual(j.notes, [
      '2 tables that app may not SELECT from were judged by the ANALYZE on record only (pg_stats shows statistics only for columns the role may read, and the record is lost when statistics are reset)',
    ]);
  });

  it('defaults: tables of 1,000 rows or more', () => {
    assert.deepEqual(missingStats.defaults, { minRows: 1000 });
  });
});

describe('missing-stats docs page', () => {
  it('quotes the message and fix of its example', () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const page = flat(readFileSync(join(__dirname, '../../../../docs/rules/missing-stats.md'), 'utf8'));
    const { findings } = judgeCase(missingStats, { name: '', data: data([row()]) });
    for (const f of [findings[0]]) {
      assert.ok(page.includes(flat(f.message)), `missing-stats.md does not quote: ${f.message}`);
      if (f.fixSql) assert.ok(page.includes(flat(f.fixSql)), `missing-stats.md does not show: ${f.fixSql}`);
    }
  });
});

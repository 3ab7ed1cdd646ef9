import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check as unloggedTable, type UnloggedTableRow } from '../../../../src/core/health/database/checks/unlogged-table';
import { judgeCase, runCheckTests } from './session-fixtures';

function table(over: Partial<UnloggedTableRow> = {}): UnloggedTableRow {
  return { schema: 'shop', table: 'sessions', reltuples: 120_000, bytes: 24 * 1024 * 1024, ...over };
}

runCheckTests(unloggedTable, {
  valid: [{ name: 'no unlogged tables', data: { tables: [] } }],
  invalid: [
    {
      name: 'an unlogged table: info, it loses its rows on a crash and on failover',
      data: { tables: [table()] },
      findings: [
        {
          severity: 'info',
          schema: 'shop',
          table: 'sessions',
          message:
            'table shop.sessions is UNLOGGED (~120k rows, 24.0 MB): PostgreSQL empties it after a crash or an immediate shutdown, ' +
            'and its rows never reach a replica (after a failover it is empty)',
          metrics: { bytes: 24 * 1024 * 1024, estimatedRows: 120_000 },
        },
      ],
    },
    {
      name: 'never vacuumed or analyzed: no size to state',
      data: { tables: [table({ reltuples: -1, bytes: 0 })] },
      findings: [{ message: /^table shop\.sessions is UNLOGGED: PostgreSQL empties it/, metrics: { estimatedRows: null } }],
    },
    {
      name: 'each table its own finding',
      data: { tables: [table(), table({ table: 'cache' })] },
      findings: [{ table: 'sessions' }, { table: 'cache' }],
    },
  ],
});

describe('unlogged-table fix SQL and summary', () => {
  it('SET LOGGED under a lock_timeout, with the rewrite and the choice to keep it explained', () => {
    const [f] = judgeCase(unloggedTable, { name: '', data: { tables: [table({ schema: 'Shop', table: 'user sessions' })] } }).findings;
    assert.equal(f.fixSql, 'SET lock_timeout = \'5s\';\nALTER TABLE "Shop"."user sessions" SET LOGGED;');
    assert.match(f.nextStep ?? '', /^SET LOGGED rewrites the table and writes all of it to the WAL under an ACCESS EXCLUSIVE lock .* leaving it unlogged is a fair choice/);
  });

  it('summary: how many, and how big', () => {
    assert.equal(judgeCase(unloggedTable, { name: '', data: { tables: [] } }).summary, 'no unlogged tables');
    assert.equal(judgeCase(unloggedTable, { name: '', data: { tables: [table(), table({ table: 'cache', bytes: 8 * 1024 * 1024 })] } }).summary, '2 unlogged tables (32.0 MB)');
  });

  it('has no thresholds and means something on the sandbox too', () => {
    assert.deepEqual(unloggedTable.defaults, {});
    assert.equal(unloggedTable.sandbox, true);
    assert.equal(unloggedTable.defaultSeverity, 'info');
  });
});

describe('unlogged-table docs page', () => {
  it('quotes the message and fix of its example', () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const page = flat(readFileSync(join(__dirname, '../../../../docs/rules/unlogged-table.md'), 'utf8'));
    const { findings } = judgeCase(unloggedTable, { name: '', data: { tables: [table()] } });
    for (const f of [findings[0]]) {
      assert.ok(page.includes(flat(f.message)), `unlogged-table.md does not quote: ${f.message}`);
      if (f.fixSql) assert.ok(page.includes(flat(f.fixSql)), `unlogged-table.md does not show: ${f.fixSql}`);
    }
  });
});

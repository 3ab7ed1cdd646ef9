import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateBloatBytes, check as tableBloat, type BloatTableRow, type TableBloatData } from '../../../../src/core/health/database/checks/table-bloat';
import { judgeCase, runCheckTests } from './session-fixtures';

const MB = 1024 * 1024;
const MAY_1 = Date.parse('2024-05-01T12:34:00Z');

/**
 * shop.orders: 100,000 rows of 40 bytes in 1,000 pages. The estimate expects 833 pages
 * (68-byte tuples, 120.1 a page), so ~1.3 MB (16.7%) of it is "bloat": a healthy table.
 */
function row(over: Partial<BloatTableRow> = {}): BloatTableRow {
  return {
    schema: 'shop',
    table: 'orders',
    kind: 'table',
    liveTuples: 100_000,
    deadTuples: 0,
    reltuples: 100_000,
    heapPages: 1000,
    toastPages: 0,
    toastTuples: 0,
    fillfactor: 100,
    rowStats: { columns: 4, anyNulls: false, dataWidth: 40 },
    autovacuumEnabled: true,
    vacuumScaleFactor: 0.2,
    vacuumThreshold: 50,
    lastVacuum: null,
    lastAutovacuum: null,
    ...over,
  };
}

function data(rows: BloatTableRow[], over: Partial<TableBloatData> = {}): TableBloatData {
  return { blockSize: 8192, maxAlign: 8, autovacuum: true, tables: rows.length, unreadable: 0, role: 'app', rows, ...over };
}

/** The issue's table: 48,401 dead tuples that nothing reported. */
const ISSUE = row({ liveTuples: 20_000, deadTuples: 48_401, reltuples: 20_000, heapPages: 600, lastAutovacuum: MAY_1 });

runCheckTests(tableBloat, {
  valid: [
    { name: 'a healthy table', data: data([row()]) },
    { name: 'many dead tuples but a small share of the table (13%)', data: data([row({ deadTuples: 15_000 })]) },
    { name: 'a large share dead but fewer than 10,000 dead tuples', data: data([row({ liveTuples: 1000, deadTuples: 5000, reltuples: 1000, heapPages: 60 })]) },
    { name: 'an estimated 90% bloat, but under 10 MB', data: data([row({ heapPages: 1000, reltuples: 10_000 })]) },
    { name: 'no estimate without visible column statistics', data: data([row({ heapPages: 100_000, rowStats: null })]) },
    { name: 'no estimate for a table never analyzed (reltuples -1)', data: data([row({ heapPages: 100_000, reltuples: -1 })]) },
    { name: 'the issue\'s table under a raised minDeadTuples', data: data([ISSUE]), thresholds: { minDeadTuples: 50_000 } },
  ],
  invalid: [
    {
      name: 'the issue\'s 48,401 dead tuples, above the table\'s autovacuum trigger',
      data: data([ISSUE]),
      findings: [
        {
          severity: 'warning',
          schema: 'shop',
          table: 'orders',
          message:
            'table shop.orders has 48,401 dead tuples against 20,000 live (70.7% dead), last vacuumed 2024-05-01 12:34 UTC, ' +
            'though autovacuum should vacuum it past 4,050 dead tuples: every scan still reads the dead rows, and the table keeps growing until VACUUM makes their space reusable',
          metrics: { deadTuples: 48_401, liveTuples: 20_000, deadRatio: 0.7076, autovacuumTrigger: 4050, autovacuumEnabled: true, lastAutovacuum: '2024-05-01T12:34:00.000Z', estimatedBloatBytes: 433 * 8192 },
        },
      ],
    },
    {
      name: 'autovacuum disabled on the table, never vacuumed',
      data: data([row({ liveTuples: 10_000, deadTuples: 50_000, reltuples: 10_000, autovacuumEnabled: false })]),
      findings: [{ message: /^table shop\.orders has 50,000 dead tuples against 10,000 live \(83\.3% dead\), never vacuumed, and autovacuum is disabled on it: / }],
    },
    {
      name: 'autovacuum off on the whole server',
      data: data([row({ liveTuples: 10_000, deadTuples: 50_000, reltuples: 10_000 })], { autovacuum: false }),
      findings: [{ message: /, never vacuumed, and autovacuum is off on the server: / }],
    },
    {
      name: 'heavy estimated bloat without dead tuples (after a VACUUM): the estimate, stated as one',
      data: data([row({ heapPages: 10_000 })]),
      findings: [
        {
          message:
            'table shop.orders has an estimated 71.6 MB of bloat (91.6% of its 78.1 MB), never vacuumed: scans read and cache the empty space, and VACUUM cannot give it back',
          metrics: { estimatedBloatBytes: 9167 * 8192, estimatedBloatRatio: 0.9167, tableBytes: 10_000 * 8192, deadTuples: 0 },
        },
      ],
    },
    {
      name: 'dead tuples and bloat together, in one finding',
      data: data([row({ heapPages: 10_000, liveTuples: 100_000, deadTuples: 60_000, lastVacuum: MAY_1, lastAutovacuum: MAY_1 - 86_400_000 })]),
      findings: [{ message: /^table shop\.orders has 60,000 dead tuples against 100,000 live \(37\.5% dead\) and an estimated 71\.6 MB of bloat .*, last vacuumed 2024-05-01 12:34 UTC, / }],
    },
    {
      name: 'a materialized view',
      data: data([row({ kind: 'materialized view', table: 'daily_totals', liveTuples: 0, deadTuples: 20_000 })]),
      findings: [{ message: /^materialized view shop\.daily_totals has 20,000 dead tuples against 0 live \(100\.0% dead\)/ }],
    },
    {
      name: 'lowered thresholds',
      data: data([row({ liveTuples: 1000, deadTuples: 5000, reltuples: 1000, heapPages: 60 }), row({ table: 'lines', heapPages: 1000, reltuples: 10_000 })]),
      thresholds: { minDeadTuples: 1000, minBloatBytes: MB },
      findings: [{ table: 'orders', message: /5,000 dead tuples/ }, { table: 'lines', message: /an estimated 7\.2 MB of bloat \(91\.6% of its 7\.8 MB\)/ }],
    },
  ],
});

describe('table-bloat fix SQL', () => {
  const cases: { name: string; row: BloatTableRow; fixSql: string | undefined; nextStep?: RegExp }[] = [
    {
      name: 'dead tuples past the autovacuum trigger: VACUUM, and vacuum sooner (5% of the rows)',
      row: ISSUE,
      fixSql: 'VACUUM (ANALYZE) shop.orders;\nALTER TABLE shop.orders SET (autovacuum_vacuum_scale_factor = 0.05);',
      nextStep: /^VACUUM makes the space of dead rows reusable .*"cannot be removed yet", an old transaction, prepared transaction or replication slot holds them back/,
    },
    {
      name: 'autovacuum disabled on the table: turn it back on',
      row: row({ liveTuples: 10_000, deadTuples: 50_000, reltuples: 10_000, autovacuumEnabled: false }),
      fixSql: 'VACUUM (ANALYZE) shop.orders;\nALTER TABLE shop.orders SET (autovacuum_enabled = true);',
    },
    {
      name: 'the table vacuums at 1% already: no lower scale factor',
      row: { ...ISSUE, vacuumScaleFactor: 0.01, vacuumThreshold: 0 },
      fixSql: 'VACUUM (ANALYZE) shop.orders;',
    },
    {
      name: 'heavy bloat alone: no VACUUM to run again and again, pg_repack named, never VACUUM FULL in the fix',
      row: row({ heapPages: 10_000 }),
      fixSql: undefined,
      nextStep: /^To give the space back, rewrite the table online with pg_repack \(pg_repack --table=shop\.orders\); VACUUM FULL rewrites it under an ACCESS EXCLUSIVE lock.*run ANALYZE and check again/,
    },
    {
      name: 'heavy bloat with dead tuples: VACUUM first, then pg_repack',
      row: row({ heapPages: 10_000, deadTuples: 50_000 }),
      fixSql: 'VACUUM (ANALYZE) shop.orders;\nALTER TABLE shop.orders SET (autovacuum_vacuum_scale_factor = 0.05);',
      nextStep: /To give the space back, rewrite the table online with pg_repack .*after the VACUUM \(ANALYZE\) above, check again/,
    },
    {
      name: 'a table name a shell would run stays one quoted word in the pg_repack command',
      row: row({ heapPages: 10_000, table: "$(touch /tmp/x)'" }),
      fixSql: undefined,
      nextStep: /\(pg_repack --table='shop\."\$\(touch \/tmp\/x\)'\\''"'\)/,
    },
    {
      name: 'a materialized view with autovacuum disabled',
      row: row({ kind: 'materialized view', table: 'daily_totals', deadTuples: 50_000, liveTuples: 0, autovacuumEnabled: false }),
      fixSql: 'VACUUM (ANALYZE) shop.daily_totals;\nALTER MATERIALIZED VIEW shop.daily_totals SET (autovacuum_enabled = true);',
    },
    {
      name: 'names that need quoting',
      row: row({ schema: 'Shop', table: 'order items', liveTuples: 0, deadTuples: 20_000, autovacuumEnabled: false }),
      fixSql: 'VACUUM (ANALYZE) "Shop"."order items";\nALTER TABLE "Shop"."order items" SET (autovacuum_enabled = true);',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [f] = judgeCase(tableBloat, { name: c.name, data: data([c.row]) }).findings;
      assert.equal(f?.fixSql, c.fixSql);
      assert.ok(!/VACUUM FULL/.test(f.fixSql ?? ''));
      if (c.nextStep) assert.match(f.nextStep ?? '', c.nextStep);
    });
  }
});

describe('table-bloat summary and notes', () => {
  it('always sums the dead tuples and the estimated bloat', () => {
    const j = judgeCase(tableBloat, { name: '', data: data([ISSUE, row({ table: 'lines', heapPages: 10_000 })], { tables: 12 }) });
    assert.equal(j.summary, '12 tables: 48.4k dead tuples, an estimated 75.0 MB of bloat');
    assert.deepEqual(j.notes, []);
  });

  it('says which tables the estimate could not see, and that autovacuum is off', () => {
    const j = judgeCase(tableBloat, { name: '', data: data([], { unreadable: 3, role: 'reporter', autovacuum: false }) });
    assert.deepEqual(j.notes, [
      'the bloat estimate skipped 3 tables whose column statistics reporter may not read (pg_stats shows only columns the role may SELECT); their dead tuples were still checked',
      'autovacuum is off on this server: nothing vacuums or analyzes the tables unless someone runs VACUUM',
    ]);
  });

  it('defaults: 10,000 dead tuples and 20% dead; 50% and 10 MB of estimated bloat', () => {
    assert.deepEqual(tableBloat.defaults, { minDeadTuples: 10_000, deadRatio: 0.2, bloatRatio: 0.5, minBloatBytes: 10 * MB });
    assert.equal(tableBloat.sandbox, true);
  });
});

describe('estimateBloatBytes (the ioguix catalog-based estimate)', () => {
  it('counts the tuple header, data width and line pointer, each padded to MAXALIGN', () => {
    // 23 + 40 → 24 + 40 + 4 = 68 bytes a row, 8,168 / 68 = 120.1 a page, 100,000 rows → 833 pages.
    assert.equal(estimateBloatBytes(row({ heapPages: 833 }), 8192, 8), 0);
    assert.equal(estimateBloatBytes(row({ heapPages: 1000 }), 8192, 8), 167 * 8192);
  });

  it('adds a null bitmap only when a column holds NULLs', () => {
    // 9 columns with NULLs: 23 + 2 bitmap bytes → 32 (padded), 76-byte tuples, 107.5 a page → 931 pages.
    const nulls = row({ rowStats: { columns: 9, anyNulls: true, dataWidth: 40 } });
    assert.equal(estimateBloatBytes({ ...nulls, heapPages: 931 }, 8192, 8), 0);
    assert.equal(estimateBloatBytes({ ...nulls, rowStats: { columns: 9, anyNulls: false, dataWidth: 40 }, heapPages: 931 }, 8192, 8), 98 * 8192);
  });

  it('leaves the free space fillfactor asks for, and counts TOAST at four chunks a page', () => {
    // fillfactor 50: 60.1 rows a page → 1,666 pages; 4,000 TOAST chunks → 1,000 more.
    assert.equal(estimateBloatBytes(row({ fillfactor: 50, heapPages: 1666 }), 8192, 8), 0);
    assert.equal(estimateBloatBytes(row({ heapPages: 833, toastPages: 1000, toastTuples: 4000 }), 8192, 8), 0);
  });

  it('never goes below zero, and gives up without statistics or a row count', () => {
    assert.equal(estimateBloatBytes(row({ heapPages: 10 }), 8192, 8), 0);
    assert.equal(estimateBloatBytes(row({ rowStats: null }), 8192, 8), null);
    assert.equal(estimateBloatBytes(row({ reltuples: -1 }), 8192, 8), null);
    assert.equal(estimateBloatBytes(row({ reltuples: 0 }), 8192, 8), null);
  });
});

describe('table-bloat docs page', () => {
  it('quotes the message and fix of its example', () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const page = flat(readFileSync(join(__dirname, '../../../../docs/rules/table-bloat.md'), 'utf8'));
    const { findings } = judgeCase(tableBloat, { name: '', data: data([ISSUE]) });
    for (const f of [findings[0]]) {
      assert.ok(page.includes(flat(f.message)), `table-bloat.md does not quote: ${f.message}`);
      if (f.fixSql) assert.ok(page.includes(flat(f.fixSql)), `table-bloat.md does not show: ${f.fixSql}`);
    }
  });
});

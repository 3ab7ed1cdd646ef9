import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check as cacheHitRatio, hitRatio, type CacheHitData, type CacheTableRow } from '../../../../src/core/health/database/checks/cache-hit-ratio';
import { judgeCase, runCheckTests } from './session-fixtures';

/** A table of 2 GB whose blocks are found in shared buffers 99.9% of the time, unless `over` says otherwise. */
function table(name: string, over: Partial<CacheTableRow> = {}): CacheTableRow {
  return { schema: 'shop', table: name, heap: { hit: 999_000, read: 1000 }, index: { hit: 2_000_000, read: 1000 }, tableBytes: 2 * 1024 ** 3, ...over };
}

/** The database: heap 99.8%, index 99.9%, shared_buffers 128 MB. */
function data(tables: CacheTableRow[], over: Partial<CacheHitData> = {}): CacheHitData {
  return { database: 'shop', heap: { hit: 998_000, read: 2000 }, index: { hit: 999_000, read: 1000 }, sharedBuffersBytes: 128 * 1024 ** 2, tables, ...over };
}

runCheckTests(cacheHitRatio, {
  valid: [
    { name: 'everything above 99%', data: data([table('orders')]) },
    { name: 'a low ratio over fewer than 1,000 blocks read', data: data([table('tiny', { heap: { hit: 10, read: 999 } })]) },
    {
      name: 'a table far smaller than shared_buffers that missed (a bulk load, VACUUM or ANALYZE read it)',
      data: data([table('account', { heap: { hit: 96_400, read: 3600 }, tableBytes: 4 * 1024 ** 2 })]),
    },
    { name: 'no traffic at all', data: data([], { heap: { hit: 0, read: 0 }, index: { hit: 0, read: 0 } }) },
    { name: 'below 99% but above a lowered minRatio', data: data([table('orders', { heap: { hit: 96_000, read: 4000 } })]), thresholds: { minRatio: 0.95 } },
  ],
  invalid: [
    {
      name: 'a table whose heap misses shared buffers',
      data: data([table('events', { heap: { hit: 60_000, read: 40_000 } }), table('orders')]),
      findings: [
        {
          severity: 'warning',
          schema: 'shop',
          table: 'events',
          message:
            'table shop.events (2.0 GB) finds only 60.0% of its table blocks (40.0k read from outside) in shared buffers, below 99%: ' +
            'the queries reading it wait on the OS cache or disk (shared buffers only: blocks the OS page cache served count as reads)',
          metrics: { heapHitRatio: 0.6, indexHitRatio: 0.9995, heapBlocksRead: 40_000, heapBlocksHit: 60_000, tableBytes: 2 * 1024 ** 3 },
        },
      ],
    },
    {
      name: 'heap and index both low: one finding naming both',
      data: data([table('events', { heap: { hit: 9000, read: 1000 }, index: { hit: 5000, read: 5000 } })]),
      findings: [{ message: /^table shop\.events \(2\.0 GB\) finds only 90\.0% of its table blocks \(1000 read from outside\) and 50\.0% of its index blocks \(5000 read from outside\) in shared buffers/ }],
    },
    {
      name: 'the database below 99%: a finding without a table, then the worst tables first',
      data: data([table('a', { heap: { hit: 90_000, read: 10_000 } }), table('b', { index: { hit: 50_000, read: 50_000 } })], {
        heap: { hit: 931_000, read: 69_000 },
        index: { hit: 940_000, read: 60_000 },
      }),
      findings: [
        {
          message:
            'database shop finds 93.1% of table blocks and 94.0% of index blocks in shared buffers, below 99%: 129k blocks came from outside shared_buffers (128 MB), ' +
            'so queries wait on the OS cache or disk (shared buffers only: blocks the OS page cache served count as reads)',
          metrics: { heapHitRatio: 0.931, indexHitRatio: 0.94, heapBlocksRead: 69_000, indexBlocksRead: 60_000, sharedBuffersBytes: 128 * 1024 ** 2 },
        },
        { table: 'b', message: /50\.0% of its index blocks/ },
        { table: 'a', message: /90\.0% of its table blocks/ },
      ],
    },
    {
      name: 'only the maxTables worst tables',
      data: data([0.5, 0.6, 0.7].map((r, i) => table(`t${i}`, { heap: { hit: r * 10_000, read: (1 - r) * 10_000 } }))),
      thresholds: { maxTables: 2 },
      findings: [{ table: 't0' }, { table: 't1' }],
    },
    {
      name: 'a raised minRatio',
      data: data([table('orders')]),
      thresholds: { minRatio: 0.9999 },
      findings: [
        { message: /^database shop finds 99\.8% of table blocks and 99\.9% of index blocks in shared buffers, below 99\.99%: 3000 blocks/ },
        { table: 'orders', message: /finds only 99\.9% of its table blocks .* and 99\.9% of its index blocks .* below 99\.99%/ },
      ],
    },
  ],
});

describe('cache-hit-ratio summary, next step and notes', () => {
  it('always states "heap …, index … hit", with the shared-buffers caveat', () => {
    assert.equal(
      judgeCase(cacheHitRatio, { name: '', data: data([]) }).summary,
      'heap 99.8%, index 99.9% hit (shared buffers only: blocks the OS page cache served count as reads; shared_buffers 128 MB)',
    );
    const idle = judgeCase(cacheHitRatio, { name: '', data: data([], { heap: { hit: 0, read: 0 }, index: { hit: 0, read: 0 } }) });
    assert.match(idle.summary ?? '', /^heap –, index – hit/);
  });

  it('rounds down: 99.96% is not 100%', () => {
    const j = judgeCase(cacheHitRatio, { name: '', data: data([], { heap: { hit: 9996, read: 4 } }) });
    assert.match(j.summary ?? '', /^heap 99\.9%/);
  });

  it('names the queries and shared_buffers as the next steps, with no SQL to run', () => {
    const [db, t] = judgeCase(cacheHitRatio, {
      name: '',
      data: data([table('a', { heap: { hit: 1, read: 10_000 } })], { heap: { hit: 1, read: 10_000 } }),
    }).findings;
    assert.match(db.nextStep ?? '', /pg_stat_statements\.shared_blks_read\)\. If the working set is larger than shared_buffers \(128 MB; .*needs a restart/);
    assert.match(t.nextStep ?? '', /^Find the queries that read it .* and Explain them/);
    assert.equal(db.fixSql, undefined);
    assert.equal(t.fixSql, undefined);
  });

  it('says how many more tables are below the line than it lists', () => {
    const j = judgeCase(cacheHitRatio, {
      name: '',
      data: data([1, 2, 3].map((i) => table(`t${i}`, { heap: { hit: 1, read: 5000 } }))),
      thresholds: { maxTables: 1 },
    });
    assert.deepEqual(j.notes, ['2 more tables are below 99%; the 1 worst are listed (option maxTables)']);
  });

  it('hitRatio is hits over all blocks asked for, null before any', () => {
    assert.equal(hitRatio({ hit: 3, read: 1 }), 0.75);
    assert.equal(hitRatio({ hit: 0, read: 0 }), null);
  });

  it('needs a server: the sandbox has no real traffic', () => {
    assert.match(String(cacheHitRatio.sandbox), /no real traffic/);
    assert.deepEqual(cacheHitRatio.defaults, { minRatio: 0.99, minBlocksRead: 1000, maxTables: 10 });
  });
});

describe('cache-hit-ratio docs page', () => {
  it('quotes the message and fix of its example', () => {
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const page = flat(readFileSync(join(__dirname, '../../../../docs/rules/cache-hit-ratio.md'), 'utf8'));
    const { findings } = judgeCase(cacheHitRatio, { name: '', data: data([table('events', { heap: { hit: 60_000, read: 40_000 } })]) });
    for (const f of [findings[0]]) {
      assert.ok(page.includes(flat(f.message)), `cache-hit-ratio.md does not quote: ${f.message}`);
      if (f.fixSql) assert.ok(page.includes(flat(f.fixSql)), `cache-hit-ratio.md does not show: ${f.fixSql}`);
    }
  });
});

import * as assert from 'node:assert/strict';
import { fkStatsPick, physicalOrder, planTable, positionSql, strataSql, strideFor, unitSql } from '../../../src/core/sandbox-data/build';
import { ensureCheckParser } from '../../../src/core/sandbox-data/checks';
import { catalog, col, context, fk, table } from './catalog-fixture';

/**
 * What the fidelity bench (bench/sandbox-fidelity.mjs) found missing: a histogram-shaped column
 * lost its correlation with the row order, FK columns ignored their most common values, and rare
 * values came out at a random count. No database: the SQL and the arithmetic behind it.
 */
describe('sandbox data: following the stats closely', () => {
  before(() => ensureCheckParser());

  it('reads physical order from correlation above what ties alone give', () => {
    // No common values: the correlation is the order.
    assert.deepEqual(physicalOrder({ correlation: 1 }), { share: 1, reverse: false });
    assert.deepEqual(physicalOrder({ correlation: 0.5 }), { share: 0.5, reverse: false });
    assert.deepEqual(physicalOrder({ correlation: -0.9 }), { share: 0.9, reverse: true });
    // A status that is 93 % one value shows ~0.87 in random order: that is not order.
    const status = { mcv: { values: ['delivered', 'pending', 'shipped'], freqs: [0.93, 0.04, 0.025] } };
    assert.ok(physicalOrder({ ...status, correlation: 0.87 }).share < 0.05);
    assert.ok(physicalOrder({ ...status, correlation: 0.86 }).share < 0.05);
    assert.ok(physicalOrder({ ...status, correlation: 0.99 }).share > 0.9);
    // Frequencies count among the non-null values, as pg_stats' correlation does.
    const sparse = physicalOrder({ nullFrac: 0.9, mcv: { values: ['a'], freqs: [0.05] }, correlation: 0.4 });
    assert.equal(sparse.reverse, false);
    assert.ok(Math.abs(sparse.share - 0.2) < 1e-9, `ties of 0.5² = 0.25, the rest (0.4 − 0.25) / 0.75 is order; got ${sparse.share}`);
    // One value only: nothing to order.
    assert.deepEqual(physicalOrder({ mcv: { values: ['x'], freqs: [1] }, correlation: 1 }), { share: 0, reverse: false });
  });

  it('gives the row position in the batch, forwards or backwards, past rows already there', () => {
    assert.equal(positionSql(100, 0, false, 7), `least(0.999999999, ((g - 1)::float8 + ${unitSql(7)}) / 100)`);
    assert.equal(positionSql(100, 40, false, 7), `least(0.999999999, ((g - 41)::float8 + ${unitSql(7)}) / 100)`);
    assert.equal(positionSql(100, 40, true, 7), `least(0.999999999, ((140 - g)::float8 + ${unitSql(7)}) / 100)`);
  });

  it('stratifies: every stratum once, in an order without a trend', () => {
    for (const n of [3, 10, 97, 1000, 10_000, 30_000, 65_536]) {
      for (const seed of [0, 1, 12345, 2 ** 31 - 1]) {
        const m = strideFor(n, seed);
        assert.ok(m > 0 && m < n, `n ${n} seed ${seed}: m ${m}`);
        const seen = new Set<number>();
        for (let i = 0; i < n; i++) seen.add((i * m) % n);
        assert.equal(seen.size, n, `n ${n} seed ${seed}: a permutation`);
        if (n >= 1000) {
          // Correlation of stratum with position ~ 0; the first tenth of the rows spread over all strata.
          let sxy = 0;
          for (let i = 0; i < n; i++) sxy += (i / n - 0.5) * (((i * m) % n) / n - 0.5);
          const corr = sxy / n / (1 / 12);
          assert.ok(Math.abs(corr) < 0.05, `n ${n} seed ${seed}: correlation ${corr}`);
          const deciles = new Set<number>();
          for (let i = 0; i < n / 10; i++) deciles.add(Math.floor((((i * m) % n) / n) * 10));
          assert.equal(deciles.size, 10);
        }
      }
    }
    assert.equal(strideFor(30_000, 5), strideFor(30_000, 5), 'deterministic');
    assert.notEqual(strideFor(30_000, 5), strideFor(30_000, 6));
    assert.match(strataSql(1000, 0, 9), /^least\(0\.999999999, \(\(\(\(g - 1\) \* \d+\) % 1000\)::float8 \+ .*\) \/ 1000\)$/);
    assert.equal(strataSql(2, 0, 9), unitSql(9), 'too few rows to stratify');
  });

  it('keeps an FK\'s most common values on keys of their own, where they sit in the key order', () => {
    const sql = fkStatsPick({
      count: 10_000,
      rows: 30_000,
      stats: { nDistinct: -0.13, mcv: { values: ['1', '2', '50000'], freqs: [0.02, 0.01, 0.005] }, histogram: ['3', '100000'] },
      numeric: true,
      ref: { histogram: ['1', '50000', '100000'] },
      u: 'U',
      u2: 'V',
    });
    // 1 and 2 both fall on the first key: the second takes the next free one; 50000 halfway.
    assert.match(sql, /^coalesce\(\(ARRAY\[1, 2, 5000\]::int8\[\]\)\[1 \+ width_bucket\(U, ARRAY\[0\.02, 0\.03, 0\.035\]::float8\[\]\)\], /);
    // The rest: 0.13 × 30,000 − 3 = 3897 keys spread over the 10,000.
    assert.match(sql, /\(1 \+ \(floor\(V \* 3897\)::int8 \* 10000\) \/ 3897\)\)$/);

    // NULLs do not take a share: frequencies are of the non-null rows. Values left out: spread evenly.
    const blind = fkStatsPick({ count: 100, rows: 1000, stats: { nullFrac: 0.5, mcvFreqs: [0.25, 0.125] }, numeric: true, u: 'U', u2: 'V' });
    assert.match(blind, /ARRAY\[26, 75\]::int8\[\]/);
    assert.match(blind, /ARRAY\[0\.5, 0\.75\]::float8\[\]/);
    assert.match(blind, /\(1 \+ floor\(V \* 100\)::int8\)\)$/, 'no n_distinct: every key');

    // No common values: only the spread.
    assert.equal(fkStatsPick({ count: 100, rows: 1000, stats: { nDistinct: 20 }, numeric: true, u: 'U', u2: 'V' }), '(1 + (floor(V * 20)::int8 * 100) / 20)');
    // Text keys: placed evenly, more common values than keys: one each.
    const text = fkStatsPick({ count: 2, rows: 10, stats: { mcv: { values: ['a', 'b', 'c'], freqs: [0.5, 0.3, 0.2] } }, numeric: false, u: 'U', u2: 'V' });
    assert.match(text, /ARRAY\[1, 2\]::int8\[\]/);
  });

  it('plans a correlated histogram column along the rows, a random-order MCV column stratified, and an FK by its MCVs', () => {
    const customers = table('customers', [col('id', 'int8', { notNull: true })]);
    const orders = table('orders', [
      col('customer_id', 'int8', { notNull: true }),
      col('status', 'text', { notNull: true }),
      col('created_at', 'timestamptz', { notNull: true }),
      col('deleted_at', 'timestamptz'),
    ]);
    orders.foreignKeys.push(fk('orders_customer', ['customer_id'], customers, ['id']));
    const plan = planTable(
      context(
        catalog([customers, orders]),
        orders,
        {
          rows: 3000,
          stats: {
            rows: 30_000,
            columns: {
              customer_id: { nDistinct: -0.1, mcv: { values: ['1'], freqs: [0.02] }, histogram: ['2', '1000'] },
              status: { nDistinct: 3, mcv: { values: ['delivered', 'pending', 'fraud'], freqs: [0.93, 0.065, 0.005] }, correlation: 0.87 },
              created_at: { nDistinct: -1, histogram: ['2021-01-01 00:00:00+00', '2022-01-01 00:00:00+00', '2025-01-01 00:00:00+00'], correlation: 1 },
              deleted_at: { nullFrac: 0.98, nDistinct: -0.02, histogram: ['2021-01-01 00:00:00+00', '2025-01-01 00:00:00+00'], correlation: 0.96 },
            },
          },
          refStats: () => ({ histogram: ['1', '500', '1000'] }),
        },
        { orders_customer: { temp: '', count: 1000, denseMin: 1 } },
      ),
    );
    const sql = plan.sql!;
    // created_at: all along the rows (no coin), deleted_at: 96 % along the rows.
    const unit = String.raw`\(\(hashint8extended\(g, \d+\) & 4503599627370495\)::float8 \/ 4503599627370496\)`;
    assert.match(sql, new RegExp(String.raw`least\(0\.999999999, \(\(g - 1\)::float8 \+ ${unit}\) \/ 3000\) AS u2`));
    assert.match(sql, new RegExp(String.raw`CASE WHEN ${unit} < 0\.96 THEN least\(0\.999999999, \(\(g - 1\)::float8 \+ ${unit}\) \/ 3000\) ELSE least\(0\.999999999, \(\(\(\(g - 1\) \* \d+\) % 3000\)::float8 \+ ${unit}\) \/ 3000\) END AS u3`));
    // status: stratified, no position.
    assert.match(sql, new RegExp(String.raw`least\(0\.999999999, \(\(\(\(g - 1\) \* \d+\) % 3000\)::float8 \+ ${unit}\) \/ 3000\) AS u1`));
    assert.match(sql, /WHEN s\.u1 < 0\.93 THEN 'delivered'::text WHEN s\.u1 < 0\.995 THEN 'pending'::text/);
    // customer_id: customer 1 takes 2 % of the rows; the rest spread over 0.1 × 3000 − 1 keys.
    assert.match(sql, /coalesce\(\(ARRAY\[1\]::int8\[\]\)\[1 \+ width_bucket\(least\(0\.999999999, \(\(\(\(g - 1\) \* \d+\) % 3000\)/);
    assert.match(sql, new RegExp(String.raw`, \(1 \+ \(floor\(${unit} \* 299\)::int8 \* 1000\) \/ 299\)\) AS p0`));
  });
});

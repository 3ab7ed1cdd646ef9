import * as assert from 'node:assert/strict';
import { fkDistinct, fkStatsPick, histogramSteps, physicalOrder, planTable, positionSql, snapToRows, strataSql, strideFor, unitSql } from '../../../src/core/sandbox-data/build';
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

  it('gives each most common value its frequency to the nearest row, whatever the jitter of the strata', () => {
    // A 0.99 % category of 1,000 rows at the end of the list: 10 rows every time, not 9 or 10 by chance.
    const freqs = [0.45, 0.3, 0.2301, 0.0099];
    const n = 1000;
    const bounds = freqs.reduce<number[]>((acc, f) => [...acc, snapToRows((acc.length ? acc[acc.length - 1] : 0) + f, n)], []);
    assert.deepEqual(bounds, [0.45, 0.75, 0.98, 0.99]);
    for (const jitter of [0, 0.05, 0.5, 0.95, 0.999]) {
      const counts = freqs.map(() => 0);
      for (let k = 0; k < n; k++) {
        const u = (k + jitter) / n;
        const i = bounds.findIndex((b) => u < b);
        if (i >= 0) counts[i]++;
      }
      assert.deepEqual(counts, [450, 300, 230, 10], `jitter ${jitter}`);
    }
    assert.equal(snapToRows(1.2, 1000), 1, 'never past 1');
    assert.equal(snapToRows(0.123456, 2), 0.123456, 'too few rows to stratify: as given');
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
    // The rest: 0.13 × 30,000 − 3 = 3897 keys spread over the 9,997 the common values leave, theirs skipped.
    const q = String.raw`\(\(floor\(V \* 3897\)::int8 \* 9997\) \/ 3897\)`;
    assert.match(sql, new RegExp(String.raw`, \(1 \+ ${q} \+ width_bucket\(${q}, ARRAY\[0, 0, 4997\]::int8\[\]\)\)\)$`));
    // As SQL reads it: the q-th free key is q + 1 + the thresholds at or below q — never a common key, all distinct.
    const restKey = (qv: number, thresholds: number[]) => 1 + qv + thresholds.filter((t) => t <= qv).length;
    const seen = new Set<number>();
    for (let qv = 0; qv < 9997; qv++) seen.add(restKey(qv, [0, 0, 4997]));
    assert.equal(seen.size, 9997);
    for (const k of [1, 2, 5000]) assert.ok(!seen.has(k), `common key ${k} left to its value`);
    assert.ok([...seen].every((k) => k >= 1 && k <= 10_000));

    // NULLs do not take a share: frequencies are of the non-null rows. Values left out: spread evenly.
    const blind = fkStatsPick({ count: 100, rows: 1000, stats: { nullFrac: 0.5, mcvFreqs: [0.25, 0.125] }, numeric: true, u: 'U', u2: 'V' });
    assert.match(blind, /ARRAY\[26, 75\]::int8\[\]/);
    assert.match(blind, /ARRAY\[0\.5, 0\.75\]::float8\[\]/);
    assert.match(blind, /\(1 \+ \(floor\(V \* 98\)::int8\) \+ width_bucket\(\(floor\(V \* 98\)::int8\), ARRAY\[25, 73\]::int8\[\]\)\)\)$/, 'no n_distinct: every key the common values leave');

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
    // customer_id: customer 1 takes 2 % of the rows; the rest spread over 0.1 × 3000 − 1 keys of the 999 others.
    assert.match(sql, /coalesce\(\(ARRAY\[1\]::int8\[\]\)\[1 \+ width_bucket\(least\(0\.999999999, \(\(\(\(g - 1\) \* \d+\) % 3000\)/);
    const rest = String.raw`\(\(floor\(${unit} \* 299\)::int8 \* 999\) \/ 299\)`;
    assert.match(sql, new RegExp(String.raw`, \(1 \+ ${rest} \+ width_bucket\(${rest}, ARRAY\[0\]::int8\[\]\)\)\) AS p0`));
  });

  it('points an FK at the share of the parent\'s rows it referenced in the source, whatever the sizes here', () => {
    // 300,000 orders referencing 39,300 of 100,000 customers; both at a tenth: 3,930 of 10,000.
    assert.equal(Math.round(fkDistinct(-0.131, 30_000, 10_000, { rows: 300_000, refRows: 100_000 })!), 3930);
    // A positive n_distinct of a reference is no fixed set of values: 500 of 10,000 products
    // referenced is 50 of the 1,000 a tenth keeps, not 500 (half of them: a tenth of the fan-out).
    assert.equal(fkDistinct(500, 60_000, 1000, { rows: 600_000, refRows: 10_000 }), 50);
    // A lookup table kept at its size (250 countries): the 180 referenced stay 180.
    assert.equal(fkDistinct(180, 20_000, 250, { rows: 200_000, refRows: 250 }), 180);
    // At most every key; without the source's sizes, as pg_stats says.
    assert.equal(fkDistinct(-0.9, 1000, 10, { rows: 1000, refRows: 100 }), 10);
    assert.equal(fkDistinct(-0.1, 3000, 1000), 300);
    assert.equal(fkDistinct(20, 3000, 1000), 20);
    assert.equal(fkDistinct(undefined, 3000, 1000), undefined);
    const sql = fkStatsPick({ count: 1000, rows: 60_000, stats: { nDistinct: 500 }, numeric: true, source: { rows: 600_000, refRows: 10_000 }, u: 'U', u2: 'V' });
    assert.equal(sql, '(1 + (floor(V * 50)::int8 * 1000) / 50)');
  });

  it('stores children in their parents\' order where the FK\'s correlation says so, and unique codes zero-padded in theirs', () => {
    const orders = table('orders', [col('id', 'int8', { notNull: true })]);
    const items = table('order_items', [col('order_id', 'int8', { notNull: true }), col('qty', 'int4', { notNull: true })]);
    items.foreignKeys.push(fk('items_order', ['order_id'], orders, ['id']));
    const products = table('products', [col('sku', 'text', { notNull: true })]);
    products.uniques.push({ name: 'products_sku_key', columns: ['sku'], primary: false, expression: false, partial: false });
    const plan = (t: typeof items, columns: Record<string, object>) =>
      planTable(
        context(catalog([orders, items, products]), t, { rows: 6000, stats: { rows: 600_000, columns }, refRows: () => 300_000 }, { items_order: { temp: '', count: 3000, denseMin: 1 } }),
      ).sql!;
    const unit = String.raw`\(\(hashint8extended\(g, \d+\) & 4503599627370495\)::float8 \/ 4503599627370496\)`;
    // 256,000 of 300,000 orders referenced: 2,562 of the 3,000 here, in row order.
    const ordered = plan(items, { order_id: { nDistinct: -0.427, correlation: 1 } });
    assert.match(ordered, new RegExp(String.raw`\(1 \+ \(floor\(least\(0\.999999999, \(\(g - 1\)::float8 \+ ${unit}\) \/ 6000\) \* 2562\)::int8 \* 3000\) \/ 2562\) AS p0`));
    const random = plan(items, { order_id: { nDistinct: -0.427, correlation: 0.01 } });
    assert.match(random, new RegExp(String.raw`\(1 \+ \(floor\(${unit} \* 2562\)::int8 \* 3000\) \/ 2562\) AS p0`));
    const padded = plan(products, { sku: { nDistinct: -1, correlation: 1 } });
    assert.match(padded, /'sku_' \|\| lpad\(s\.k0::text, greatest\(4, length\(s\.k0::text\)\), '0'\)/, 'sku_0000 … sku_5999 sort as they are stored');
    assert.doesNotMatch(plan(products, { sku: { nDistinct: -1, correlation: 0.8 } }), /lpad/);
    assert.doesNotMatch(plan(products, { sku: { nDistinct: -1 } }), /lpad/);
  });

  it('interpolates a histogram in as many steps as n_distinct asks: amounts repeat as they do in the source', () => {
    assert.equal(histogramSteps(7860, 100, 30_000), 79);
    assert.equal(histogramSteps(30_000, 100, 30_000), undefined, 'one value a row: free');
    assert.equal(histogramSteps(29_800, 100, 30_000), undefined);
    assert.equal(histogramSteps(27_500, 100, 30_000), 275, 'nine in ten rows a value of their own: one in ten repeats');
    assert.equal(histogramSteps(50, 100, 30_000), 1);
    assert.equal(histogramSteps(0, 100, 30_000), undefined);
    const orders = table('orders', [col('total', 'numeric', { notNull: true, typmod: ((12 << 16) | 2) + 4 }), col('created_at', 'timestamptz', { notNull: true })]);
    const sql = planTable(
      context(catalog([orders]), orders, {
        rows: 30_000,
        stats: {
          rows: 300_000,
          columns: {
            total: { nDistinct: -0.262, histogram: ['5.00', '500.00', '1000.00'] },
            created_at: { nDistinct: -1, histogram: ['2021-01-01 00:00:00+00', '2025-01-01 00:00:00+00'], correlation: 1 },
          },
        },
      }),
    ).sql!;
    // 0.262 × 30,000 = 7,860 values over 2 buckets: 3,930 steps each, the rows spread evenly (no jitter).
    assert.match(sql, /least\(0\.999999999, \(\(\(\(g - 1\) \* \d+\) % 30000\)::float8 \+ 0\.5\) \/ 30000\) AS u0/);
    assert.match(sql, /round\(\(ARRAY\['5\.00', '500\.00', '1000\.00'\]::numeric\[\]\)\[.*\(\(floor\(\(s\.u0 \* 2 - floor\(s\.u0 \* 2\)\) \* 3930\) \+ 0\.5\) \/ 3930\)\)::numeric, 2\)/);
    assert.equal(sql.match(/\) \+ 0\.5\) \//g)?.length, 1, 'a unique-ish timestamp is not stepped');
  });
});

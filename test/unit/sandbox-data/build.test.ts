import * as assert from 'node:assert/strict';
import { digitSql, drawSql, duplicateShare, fkLayout, keyConcentration, MAX_DUPLICATE_SHARE, parseBound, planTable, replaceValue, seedOf, unitSql } from '../../../src/core/sandbox-data/build';
import { ensureCheckParser } from '../../../src/core/sandbox-data/checks';
import { baseTypes, catalog, col, context, fk, table } from './catalog-fixture';

describe('sandbox data: statement builders', () => {
  before(() => ensureCheckParser());

  it('derives seeds and hash expressions deterministically', () => {
    assert.equal(seedOf('public.t.a'), seedOf('public.t.a'));
    assert.notEqual(seedOf('public.t.a'), seedOf('public.t.b'));
    assert.notEqual(seedOf('public.t.a', 1), seedOf('public.t.a', 2));
    assert.ok(seedOf('x') >= 0 && seedOf('x') < 2 ** 32);
    assert.equal(unitSql(7), '((hashint8extended(g, 7) & 4503599627370495)::float8 / 4503599627370496)');
    assert.equal(drawSql(1, 2, 7), '0::int8');
    assert.equal(drawSql(10, 1, 7), `floor(10 * ${unitSql(7)})::int8`);
    assert.equal(drawSql(10, 2, 7), `floor(10 * power(${unitSql(7)}, 2))::int8`);
  });

  it('keeps seeds past 2^32 apart, and refuses those past 2^53 instead of folding them', () => {
    // Folded into 32 bits, 1 and 2^32 + 1 were the same seed: the same data.
    for (const [a, b] of [
      [1, 2 ** 32 + 1],
      [0, 2 ** 32],
      [2 ** 32, 2 ** 33],
      [2 ** 40 + 5, 2 ** 41 + 5],
      [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 2 ** 32],
    ]) {
      assert.notEqual(seedOf('public.t:k.a', a), seedOf('public.t:k.a', b), `${a} vs ${b}`);
    }
    // Within 32 bits: one-to-one too (every FNV step is), not only unlikely to collide.
    const seen = new Set<number>();
    for (let s = 0; s < 50_000; s++) seen.add(seedOf('public.t:u.status', s));
    assert.equal(seen.size, 50_000);
    const big = seedOf('x', Number.MAX_SAFE_INTEGER);
    assert.ok(Number.isSafeInteger(big) && big >= 0, 'a number SQL and JavaScript read alike');
    assert.match(unitSql(big), /^\(\(hashint8extended\(g, \d+\) /);
    assert.throws(() => seedOf('x', 2 ** 53), /data seed must be a whole number from 0 to 9007199254740991, not 9007199254740992/);
    assert.throws(() => seedOf('x', -1), /data seed must be a whole number/);
    assert.throws(() => seedOf('x', 1.5), /data seed must be a whole number/);
  });

  it('makes mixed-radix digits, the upper ones shifted by a hash of the lower', () => {
    assert.equal(digitSql('(g - 1)', 1, 10, 3), '((g - 1) % 10)');
    assert.equal(digitSql('(g - 1)', 10, 5, 3), '(((g - 1) / 10 + (hashint8extended((g - 1) % 10, 3) & 4503599627370495)) % 5)');
  });

  it('puts the column in place of a domain CHECK\'s VALUE, not inside quotes', () => {
    assert.equal(replaceValue(`(VALUE ~ 'VALUE'::text)`, 'code'), `("code" ~ 'VALUE'::text)`);
    assert.equal(replaceValue(`((VALUE > 0) AND ("VALUE" < 3))`, 'n'), `(("n" > 0) AND ("VALUE" < 3))`);
  });

  it('reads partition bounds', () => {
    assert.deepEqual(parseBound(`FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00')`), {
      from: ['2024-01-01 00:00:00+00'],
      to: ['2024-02-01 00:00:00+00'],
    });
    assert.deepEqual(parseBound(`FOR VALUES FROM (MINVALUE) TO (100)`), { from: ['MINVALUE'], to: ['100'] });
    assert.deepEqual(parseBound(`FOR VALUES IN ('a', 'it''s')`), { in: ['a', "it's"] });
    assert.deepEqual(parseBound('DEFAULT'), { isDefault: true });
    assert.deepEqual(parseBound('FOR VALUES WITH (modulus 4, remainder 0)'), {});
  });
});

describe('sandbox data: planning a table', () => {
  before(() => ensureCheckParser());

  it('leaves identity to its default, makes unique columns from the row number, filters on CHECKs', () => {
    const t = table('users', [
      col('id', 'int8', { identity: true, notNull: true }),
      col('email', 'text', { notNull: true }),
      col('age', 'int2'),
      col('bio', 'text'),
    ]);
    t.uniques.push({ name: 'users_pkey', columns: ['id'], primary: true, expression: false, partial: false });
    t.uniques.push({ name: 'users_email_key', columns: ['email'], primary: false, expression: false, partial: false });
    t.checks.push({ name: 'users_age_check', expr: '((age >= 18) AND (age <= 120))', columns: ['age'] });
    const plan = planTable(context(catalog([t]), t));
    assert.equal(plan.fatal, undefined);
    assert.equal(plan.rows, 1000);
    const sql = plan.sql!;
    assert.match(sql, /^INSERT INTO "public"."users" \("email", "age", "bio"\) SELECT v."email", v."age", v."bio" FROM/);
    assert.match(sql, /generate_series\(1::int8, 1000::int8\)/);
    assert.match(sql, /\('user' \|\| s\.k1::text \|\| '@example\.com'\)/);
    assert.match(sql, /\(g - 1\) AS k1/, 'email is made from the row number');
    assert.match(sql, /\(18 \+ \(s\.k2 % 103\)\)/, 'age fits its CHECK');
    assert.match(sql, /CASE WHEN s\.z3 THEN NULL ELSE/, 'nullable bio gets NULLs');
    assert.match(sql, /WHERE \(\(\(age >= 18\) AND \(age <= 120\)\)\) IS NOT FALSE$/);
    assert.equal(plan.filtered, true);
  });

  it('spreads a composite key of two FKs over both (mixed radix) and lowers the target to what fits', () => {
    const a = table('a', [col('id', 'int4', { notNull: true })]);
    const b = table('b', [col('id', 'int4', { notNull: true })]);
    const ab = table('ab', [col('a_id', 'int4', { notNull: true }), col('b_id', 'int4', { notNull: true })]);
    ab.foreignKeys.push(fk('ab_a', ['a_id'], a, ['id']), fk('ab_b', ['b_id'], b, ['id']));
    ab.uniques.push({ name: 'ab_pkey', columns: ['a_id', 'b_id'], primary: true, expression: false, partial: false });
    const cat = catalog([a, b, ab]);
    const keys = { ab_a: { temp: 'ka', count: 10 }, ab_b: { temp: 'kb', count: 20 } };
    const plan = planTable(context(cat, ab, { rows: 150 }, keys));
    assert.equal(plan.rows, 150);
    assert.match(plan.sql!, /\(1 \+ \(\(g - 1\) % 10\)\) AS p\d/);
    assert.match(plan.sql!, /\(1 \+ \(\(\(g - 1\) \/ 10 \+ \(hashint8extended\(\(g - 1\) % 10, \d+\) & 4503599627370495\)\) % 20\)\) AS p\d/);
    assert.match(plan.sql!, /LEFT JOIN pg_temp\."ka" AS f\d ON/);
    const small = planTable(context(cat, ab, { rows: 1000 }, keys));
    assert.equal(small.rows, 200);
    assert.ok(small.notes.some((n) => /allows 200 distinct rows/.test(n)));
  });

  it('draws a composite key of FKs with stats each by its own stats when few pairs repeat, else mixed radix', () => {
    const orders = table('orders', [col('id', 'int8', { notNull: true })]);
    const products = table('products', [col('id', 'int4', { notNull: true })]);
    const items = table('order_items', [col('order_id', 'int8', { notNull: true }), col('product_id', 'int4', { notNull: true })]);
    items.foreignKeys.push(fk('oi_o', ['order_id'], orders, ['id']), fk('oi_p', ['product_id'], products, ['id']));
    items.uniques.push({ name: 'order_items_pkey', columns: ['order_id', 'product_id'], primary: true, expression: false, partial: false });
    const cat = catalog([orders, products, items]);
    const keys = { oi_o: { temp: 'ko', count: 30_000, denseMin: 1 }, oi_p: { temp: 'kp', count: 1000, denseMin: 1 } };
    // The source: 600,000 items of 300,000 orders (each referenced, stored in order), 10,000 products, one at 0.5 %.
    const stats = {
      rows: 600_000,
      columns: { order_id: { nDistinct: -0.5, correlation: 1 }, product_id: { nDistinct: 10_000, mcv: { values: ['1'], freqs: [0.005] }, correlation: 0 } },
    };
    const refRows = (f: { name: string }) => (f.name === 'oi_o' ? 300_000 : 10_000);
    const plan = planTable(context(cat, items, { rows: 60_000, stats, refRows }, keys));
    assert.equal(plan.conflicts, true);
    assert.equal(plan.rows, 60_000);
    assert.ok(plan.notes.some((n) => /order_items_pkey: its FKs follow their stats; the 0\.\d % of rows that repeat a key are dropped/.test(n)), plan.notes.join('; '));
    // Items in their orders' order (the position), products by their MCV: no mixed radix.
    assert.match(plan.sql!, /least\(0\.999999999, \(\(g - 1\)::float8 \+ /);
    assert.match(plan.sql!, /coalesce\(\(ARRAY\[\d+\]::int8\[\]\)\[1 \+ width_bucket\(/);
    assert.doesNotMatch(plan.sql!, /% 30000\)\) AS p/);
    // Σ p²: 0.5 % on one key, the rest over 999 keys; 60,000 rows of 30,000 × that: about 0.2 % repeat.
    const c = keyConcentration(stats.columns.product_id, 1000, 60_000, { rows: 600_000, refRows: 10_000 });
    assert.ok(Math.abs(c - (0.005 ** 2 + 0.995 ** 2 / 999)) < 1e-12, String(c));
    const share = duplicateShare([keyConcentration(stats.columns.order_id, 30_000, 60_000, { rows: 600_000, refRows: 300_000 }), c], 60_000);
    assert.ok(share > 0.001 && share < 0.003, String(share));
    // Too few pairs for the rows (10 × 20 keys, 150 rows): the mixed radix, every pair once.
    const tight = planTable(context(cat, items, { rows: 150, stats: { rows: 600_000, columns: stats.columns }, refRows }, { oi_o: { temp: 'ko', count: 10 }, oi_p: { temp: 'kp', count: 20 } }));
    assert.equal(tight.conflicts, undefined);
    assert.match(tight.sql!, /\(1 \+ \(\(g - 1\) % 10\)\) AS p\d/);
    assert.ok(duplicateShare([0.1, 0.05], 150) > MAX_DUPLICATE_SHARE);
  });

  it('uses dense integer keys directly: no temp table, no join', () => {
    const p = table('p', [col('id', 'int4', { notNull: true })]);
    const c = table('c', [col('p_id', 'int4', { notNull: true })]);
    c.foreignKeys.push(fk('c_p', ['p_id'], p, ['id']));
    const plan = planTable(context(catalog([p, c]), c, {}, { c_p: { temp: '', count: 50, denseMin: 7 } }));
    assert.doesNotMatch(plan.sql!, /JOIN/);
    assert.match(plan.sql!, /\(6 \+ s\.p0\)::int4 AS "p_id"/);
  });

  it('picks a dependent FK among the keys of the group its shared columns name', () => {
    const orgs = table('orgs', [col('id', 'int4', { notNull: true })]);
    const projects = table('projects', [col('org_id', 'int4', { notNull: true }), col('id', 'int4', { notNull: true })]);
    const tasks = table('tasks', [col('org_id', 'int4', { notNull: true }), col('project_id', 'int4', { notNull: true })]);
    const byProject = fk('tasks_project', ['org_id', 'project_id'], projects, ['org_id', 'id']);
    const byOrg = fk('tasks_org', ['org_id'], orgs, ['id']);
    tasks.foreignKeys.push(byOrg, byProject);
    const layout = fkLayout(tasks, new Set());
    assert.deepEqual(layout.get(byProject), { role: 'primary', shared: [] });
    assert.deepEqual(layout.get(byOrg), { role: 'secondary', shared: [0] });
    // The other way round: the org FK is placed first (wider FKs go first, so make it wider).
    const t2 = table('t2', [col('org_id', 'int4', { notNull: true }), col('region', 'int4', { notNull: true }), col('project_id', 'int4', { notNull: true })]);
    const regions = table('org_regions', [col('org_id', 'int4'), col('region', 'int4')]);
    const wide = fk('t2_org_region', ['org_id', 'region'], regions, ['org_id', 'region']);
    const dep = fk('t2_project', ['org_id', 'project_id'], projects, ['org_id', 'id']);
    t2.foreignKeys.push(dep, wide);
    assert.deepEqual(fkLayout(t2, new Set()).get(dep), { role: 'dependent', shared: [0] });
    const keys = { t2_org_region: { temp: 'kr', count: 30 }, t2_project: { temp: 'kp', count: 100, groupBy: [0], counts: 'kp_counts' } };
    const plan = planTable(context(catalog([orgs, projects, regions, t2]), t2, {}, keys));
    assert.match(plan.sql!, /LEFT JOIN pg_temp\."kp_counts" AS f1c ON f1c\.k1::int4 = f0\.k1::int4/);
    assert.match(plan.sql!, /LEFT JOIN pg_temp\."kp" AS f1 ON f1\.k1::int4 = f0\.k1::int4 AND f1\.i = 1 \+ floor\(f1c\.c \* s\.p1\)::int8/);
    assert.match(plan.sql!, /v\."project_id" IS NOT NULL/, 'a group without keys drops the row');
  });

  it('defers a nullable self-reference to an UPDATE, and reports what it cannot make', () => {
    const t = table('nodes', [col('id', 'int4', { notNull: true }), col('parent_id', 'int4'), col('blob', 'whatever', { typeOid: 9999 })]);
    const types = baseTypes();
    types.set(9999, { oid: 9999, name: 'whatever', typname: 'whatever', kind: 'c', category: 'C', notNull: false, checks: [] });
    t.foreignKeys.push(fk('nodes_parent', ['parent_id'], t, ['id']));
    const plan = planTable(context(catalog([t], types), t));
    assert.deepEqual(plan.later.map((l) => [l.fk.name, l.notNull]), [['nodes_parent', false]]);
    assert.match(plan.sql!, /INSERT INTO "public"."nodes" \("id"\)/);
    assert.deepEqual(plan.unsupported, [{ table: 'public.nodes', column: 'blob', type: 'whatever', handling: 'null' }]);

    t.columns[2].notNull = true;
    const fatal = planTable(context(catalog([t], types), t));
    assert.equal(fatal.sql, undefined);
    assert.match(fatal.fatal!, /column blob of type whatever cannot be generated/);
    assert.equal(fatal.unsupported[0].handling, 'table-skipped');
  });

  it('skips a table whose NOT NULL FK has nothing to point at; a nullable one stays NULL', () => {
    const p = table('p', [col('id', 'int4', { notNull: true })]);
    const c = table('c', [col('p_id', 'int4', { notNull: true })]);
    c.foreignKeys.push(fk('c_p', ['p_id'], p, ['id']));
    assert.match(planTable(context(catalog([p, c]), c, {}, { c_p: { temp: 'k', count: 0 } })).fatal!, /NOT NULL and public\.p has no rows/);
    c.columns[0].notNull = false;
    const plan = planTable(context(catalog([p, c]), c, {}, {}));
    assert.ok(plan.notes.some((n) => /has no rows; left NULL/.test(n)));
  });

  it('keeps a range-partitioned key inside the partitions, and filters on the leaves', () => {
    const t = table('events', [col('at', 'timestamptz', { notNull: true }), col('n', 'int4')], {
      kind: 'p',
      partition: {
        strategy: 'r',
        keyColumns: ['at'],
        bounds: [`FOR VALUES FROM ('2024-01-01') TO ('2024-02-01')`, `FOR VALUES FROM ('2024-02-01') TO ('2024-03-01')`],
        leafConstraints: [`((at IS NOT NULL) AND (at >= '2024-01-01') AND (at < '2024-02-01'))`, `((at IS NOT NULL) AND (at >= '2024-02-01') AND (at < '2024-03-01'))`],
        sublevels: [],
      },
    });
    const sql = planTable(context(catalog([t]), t)).sql!;
    assert.match(sql, /\(ARRAY\['2024-01-01', '2024-02-01'\]::timestamptz\[\]\)/);
    assert.match(sql, /\(ARRAY\['2024-02-01', '2024-03-01'\]::timestamptz\[\]\)/);
    assert.match(sql, /WHERE \(\(\(\(at IS NOT NULL\).*\) OR \(\(\(at IS NOT NULL\)/);
  });

  it('honours stats: NULL fraction, most common values, histogram', () => {
    const t = table('orders', [col('status', 'text', { notNull: true }), col('amount', 'int4'), col('note', 'text')]);
    const plan = planTable(
      context(catalog([t]), t, {
        stats: {
          rows: 1000,
          columns: {
            status: { mcv: { values: ['paid', 'new'], freqs: [0.7, 0.2] }, nDistinct: 4 },
            amount: { nullFrac: 0.5, histogram: ['0', '10', '100', '1000'] },
            note: { nullFrac: 0.25 },
          },
        },
      }),
    );
    const sql = plan.sql!;
    assert.match(sql, /WHEN s\.u0 < 0\.7 THEN 'paid'::text WHEN s\.u0 < 0\.9 THEN 'new'::text ELSE/);
    assert.match(sql, /< 0\.5\) AS z1/);
    assert.match(sql, /\(ARRAY\['0', '10', '100', '1000'\]::int4\[\]\)/);
    assert.match(sql, /< 0\.25\) AS z2/);
  });
});

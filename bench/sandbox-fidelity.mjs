// Sandbox data fidelity (issue #16): do plans on the generated sandbox look like plans on the
// real database whose statistics shaped it?
//
// 1. On the local PostgreSQL server, a scratch database (unique name, dropped at the end, on
//    failure too) with five tables and ~1.3 M rows: skew (Zipf-like FK fan-out; a status where one
//    value is ~93 % and others < 1 %), correlation (orders.created_at and customers.created_at
//    follow the id; events.occurred_at does not), NULLs (customers.deleted_at ~98 % NULL,
//    events.customer_id 30 %), and indexes whose use depends on the data (btree on status, on
//    created_at, on FKs, a partial index, composites). Loaded with FK triggers off, indexes built
//    after the load, VACUUM ANALYZE with whole-table statistics (below).
// 2. `exportStats` (with values), written with statsExportText and read back with readStatsFile,
//    as `pglens stats export -o FILE` and the sandbox do.
// 3. PGlite from the same DDL, filled by `fillDatabase` with `fillOptionsFor({ enabled: true,
//    scale: 0.1 }, stats)`: exactly what a user with that stats file and scale 0.1 gets.
// 4. Plain EXPLAIN (FORMAT JSON) of each query on both; each plan reduced to its shape; printed
//    side by side with match yes/no and the count. Exit code 0 whatever the count (a bench).
//
// Whole-table statistics on the server (WHOLE_TABLE_STATS): each table above 30,000 rows carries a
// statistics target of 10,000 on one column (the key; order_items: qty), so ANALYZE samples
// 3,000,000 rows — every row of every table here — while the other columns keep the default 100
// most common values and histogram bounds. That is what a DBA does where estimates matter: with
// the default 30,000-row sample, n_distinct of a Zipf-like FK (orders.customer_id) is an estimate
// that moves from one ANALYZE to the next, and so did Q7's plan (index or bitmap scan into orders,
// a 3 % cost tie), run to run on the same rows — a bench that measures a coin. Read whole, the
// statistics (and the stats file) are the same every run, and n_distinct is the true count. The
// sandbox's and the controls' tables are analyzed as the sandbox does (their own defaults); the
// ceiling (the server's rows in PGlite) gets the same targets as the server.
//
// The shape of a plan: node types in tree order (outer child first, so the join order is in it),
// with the join type when not inner, the aggregate strategy (HashAggregate / GroupAggregate /
// Aggregate), the scan direction when backward, the relation and the index. Costs, row counts,
// filters, sort keys, widths are left out.
//   - "Index Only Scan" and "Index Scan" are NOT merged: both databases are vacuumed (visibility
//     map set), so choosing one over the other is the planner's, from the data.
//   - The "Hash" node under a Hash Join is dropped (it is always the inner child; it says nothing),
//     so a hash join reads Hash Join(outer, hashed side).
// Settings and version normalisations (everything else is compared as is):
//   - Parallel query is off on the server's session (max_parallel_workers_per_gather = 0): PGlite
//     has no worker processes (its default is 0 and max_worker_processes = 0), so a Gather on the
//     server would only measure that, not the data. Other planner settings are both defaults
//     (checked and printed: random_page_cost, work_mem, effective_cache_size, …).
//   - "Right Anti" (PostgreSQL 16+) and "Right Semi" (18+) join types do not exist on the 15
//     server: such a join is read as the Anti / Semi join with its two sides swapped, the preserved
//     side first, as PostgreSQL 15 writes it. That is all: where PostgreSQL 18 chooses to hash the
//     preserved side (which 15 cannot do at all) and 15 picks another method, they still differ
//     (the control below tells that apart). The raw shape is printed whenever this changed it.
//
// For each mismatch, a diagnostic (not counted): each side is pushed towards the other's shape by
// turning off (SET LOCAL, rolled back) the planner switches of the node types it has in excess,
// and the extra cost the planner sees is printed: a few percent means the query sits at a cost
// tie, where the table sizes of the scale (not the data's shape) decide.
//
// Control (skip with --no-control): the same fill (same stats, same scale) into a second scratch
// database on the server, planned by PostgreSQL 15: where it matches the server but the sandbox
// does not, the difference is the version; where it does not match either, the scale or the data.
// And the same fill at scale 1 into a third: where that matches the server, the generated rows
// have the shape that gives the server's plan, and only their number at the scale asked differs.
// Ceiling (skip with --no-ceiling): the server's own rows (the same LOAD: setseed and random() give
// the same rows on both versions, checked by a fingerprint of every table) in a PGlite of their own,
// planned by the sandbox's PostgreSQL: the best any generator can do on that version. A query whose
// plan differs there already differs by the version alone (verified on the same data, not
// assumed); one that matches there and on the generated rows at scale 1 on the server's version,
// but not on the generated rows at the scale asked (sandbox nor control), differs by the size of
// the scale (a cost tie that tips the other way on small tables), not by the data's shape.
// Printed per query, with a line per mismatch saying which; the headline count is the PGlite
// sandbox's, what users get, and counts every mismatch, the version's too.
//
// Times: the whole script, the server build, the export, the sandbox build and the fill alone.
// Target: ≥ 9 plan shapes of 10 match (printed as a fraction of all the queries).
// Measured (three full runs at scale 0.1 with whole-table server statistics, on a loaded 2-core
// machine, so times vary 80–150 s): 14 of 16 every run, the same plans each time (control 15/16,
// control at scale 1 16/16, ceiling 15/16). Q13 differs by the version (the ceiling plans the
// server's own rows as the sandbox does). Q15 differs by the scale: the sandbox's nested loop costs
// 2.7 % less than the hash join there (on the server the nested loop costs 14.8 % more). PostgreSQL
// prices a bitmap heap scan's pages by the share of the table one loop reads; with the same fan-out
// per product, that share is ten times larger in a table a tenth the size, so each loop looks
// cheaper. No table-size rule fixed it without breaking another query (measured with the generator
// as it is now): keeping products (10,000 rows) at its production size, or near √scale (3,000
// rows), gives Q15 and loses Q14 (a few hundred items probe products by a nested loop, where
// production hashes them). 1,200–2,000 products match both, but that is a range tuned to this
// schema, not a rule, so sizes stay proportional above 1,000 rows. Before whole-table statistics, Q7 flipped with
// the server's sample, 13 or 14 of 16 from run to run.
// Run: node bench/sandbox-fidelity.mjs [--verbose] [--stats] [--scale 0.1] [--no-control] [--no-ceiling] [--keep-server-db]
//   --verbose prints both plans with the planner's row estimates; --stats compares pg_stats
//   (null_frac, n_distinct, correlation, top MCV) of the server and the sandbox column by column.
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { tsImport } from 'tsx/esm/api';

const started = performance.now();
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SCALE = opt('--scale', 0.1);
const verbose = flag('--verbose');
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

const { fillDatabase } = await tsImport('../src/core/sandbox-data/index.ts', import.meta.url);
const { exportStats, statsExportText } = await tsImport('../src/core/sandbox-data/stats-export.ts', import.meta.url);
const { fillOptionsFor, readStatsFile } = await tsImport('../src/core/sandbox-data/settings.ts', import.meta.url);

// ---------------------------------------------------------------------------------------------
// Schema: the same text on both sides (index names spelled out so both have the same ones).
const TABLES = `
CREATE TABLE customers (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  country char(2) NOT NULL,
  tier text NOT NULL,
  created_at timestamptz NOT NULL,
  deleted_at timestamptz
);
CREATE TABLE products (
  id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  category text NOT NULL,
  price numeric(10, 2) NOT NULL,
  discontinued_at timestamptz
);
CREATE TABLE orders (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  total numeric(12, 2) NOT NULL,
  note text
);
CREATE TABLE order_items (
  order_id bigint NOT NULL REFERENCES orders,
  product_id integer NOT NULL REFERENCES products,
  qty integer NOT NULL CHECK (qty > 0),
  unit_price numeric(10, 2) NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
CREATE TABLE events (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  customer_id bigint REFERENCES customers,
  kind text NOT NULL,
  occurred_at timestamptz NOT NULL,
  duration_ms integer
);
`;
const INDEXES = `
CREATE INDEX customers_country_idx ON customers (country);
CREATE INDEX customers_created_at_idx ON customers (created_at);
CREATE INDEX customers_deleted_at_idx ON customers (deleted_at);
CREATE INDEX products_category_idx ON products (category);
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at);
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_created_at_idx ON orders (created_at);
CREATE INDEX orders_open_idx ON orders (created_at) WHERE status IN ('pending', 'shipped');
CREATE INDEX order_items_product_idx ON order_items (product_id);
CREATE INDEX events_occurred_at_idx ON events (occurred_at);
CREATE INDEX events_customer_idx ON events (customer_id, occurred_at);
CREATE INDEX events_kind_idx ON events (kind);
`;

// Statistics targets that make ANALYZE read every row (see the header), before VACUUM ANALYZE.
const WHOLE_TABLE_STATS = `
ALTER TABLE customers ALTER COLUMN id SET STATISTICS 10000;
ALTER TABLE orders ALTER COLUMN id SET STATISTICS 10000;
ALTER TABLE order_items ALTER COLUMN qty SET STATISTICS 10000;
ALTER TABLE events ALTER COLUMN id SET STATISTICS 10000;
`;

// The server's data: random() after setseed, so every run builds the same database.
const N = { customers: 100_000, products: 10_000, orders: 300_000, events: 300_000 };
const LOAD = `
SELECT setseed(0.16);
INSERT INTO customers (id, email, country, tier, created_at, deleted_at)
SELECT g, 'user' || g || '@example.com', c.country, t.tier, c0.created_at,
       CASE WHEN random() < 0.02 THEN c0.created_at + random() * interval '400 days' END
FROM generate_series(1, ${N.customers}) AS g
CROSS JOIN LATERAL (SELECT timestamptz '2019-01-01 00:00:00+00' + g * interval '20 minutes' + random() * interval '15 minutes' AS created_at, random() AS r1, random() AS r2 OFFSET 0) AS c0
CROSS JOIN LATERAL (SELECT CASE WHEN c0.r1 < 0.45 THEN 'US' WHEN c0.r1 < 0.60 THEN 'DE' WHEN c0.r1 < 0.70 THEN 'GB' WHEN c0.r1 < 0.78 THEN 'FR'
                                WHEN c0.r1 < 0.85 THEN 'IN' WHEN c0.r1 < 0.91 THEN 'BR' WHEN c0.r1 < 0.95 THEN 'JP' WHEN c0.r1 < 0.998 THEN 'CA' ELSE 'IS' END AS country) AS c
CROSS JOIN LATERAL (SELECT CASE WHEN c0.r2 < 0.92 THEN 'free' WHEN c0.r2 < 0.995 THEN 'pro' ELSE 'enterprise' END AS tier) AS t;

INSERT INTO products (id, sku, category, price, discontinued_at)
SELECT g, 'SKU-' || lpad(g::text, 6, '0'), 'cat-' || floor(30 * power(random(), 3))::int,
       round((1 + random() * 499)::numeric, 2), CASE WHEN random() < 0.05 THEN timestamptz '2023-01-01 00:00:00+00' + random() * interval '700 days' END
FROM generate_series(1, ${N.products}) AS g;

INSERT INTO orders (id, customer_id, status, created_at, total, note)
SELECT g, 1 + floor(${N.customers} * power(random(), 3))::int8,
       CASE WHEN r < 0.93 THEN 'delivered' WHEN r < 0.97 THEN 'pending' WHEN r < 0.9945 THEN 'shipped' WHEN r < 0.9995 THEN 'refunded' ELSE 'fraud' END,
       timestamptz '2021-01-01 00:00:00+00' + g * interval '7 minutes' + random() * interval '5 minutes',
       round((5 + random() * 995)::numeric, 2), CASE WHEN random() < 0.01 THEN 'gift wrap' END
FROM (SELECT g, random() AS r FROM generate_series(1, ${N.orders}) AS g) AS x;

INSERT INTO order_items (order_id, product_id, qty, unit_price)
SELECT o.id, 1 + (o.base + k * 3331) % ${N.products}, 1 + floor(4 * power(random(), 2))::int, round((1 + random() * 499)::numeric, 2)
FROM (SELECT id, floor(${N.products} * power(random(), 2))::int AS base FROM orders) AS o
CROSS JOIN LATERAL generate_series(0, (o.id * 7919 % 3)::int) AS k;

INSERT INTO events (id, customer_id, kind, occurred_at, duration_ms)
SELECT g, CASE WHEN random() < 0.3 THEN NULL ELSE 1 + floor(${N.customers} * power(random(), 3))::int8 END,
       CASE WHEN r < 0.90 THEN 'page_view' WHEN r < 0.97 THEN 'click' WHEN r < 0.995 THEN 'signup' WHEN r < 0.998 THEN 'purchase' ELSE 'error' END,
       timestamptz '2024-01-01 00:00:00+00' + random() * interval '365 days',
       CASE WHEN random() < 0.4 THEN NULL ELSE floor(random() * 5000)::int END
FROM (SELECT g, random() AS r FROM generate_series(1, ${N.events}) AS g) AS x;

SELECT setval(pg_get_serial_sequence('customers', 'id'), ${N.customers});
SELECT setval(pg_get_serial_sequence('products', 'id'), ${N.products});
SELECT setval(pg_get_serial_sequence('orders', 'id'), ${N.orders});
SELECT setval(pg_get_serial_sequence('events', 'id'), ${N.events});
`;

// ---------------------------------------------------------------------------------------------
// Queries whose plan depends on the data, each with what it exercises.
const QUERIES = [
  { name: 'rare status (0.5 %)', why: 'index vs seq scan by selectivity', sql: `SELECT * FROM orders WHERE status = 'refunded'` },
  { name: 'common status (93 %)', why: 'index vs seq scan by selectivity', sql: `SELECT * FROM orders WHERE status = 'delivered'` },
  { name: 'range, correlated date', why: 'index scan where the heap follows the index', sql: `SELECT * FROM orders WHERE created_at >= '2023-03-01' AND created_at < '2023-03-08'` },
  { name: 'range, uncorrelated date', why: 'bitmap scan where the heap does not follow the index', sql: `SELECT * FROM events WHERE occurred_at >= '2024-03-01' AND occurred_at < '2024-03-04'` },
  { name: 'hot FK value (MCV)', why: 'Zipf fan-out: the top customer has ~2 % of the orders', sql: `SELECT * FROM orders WHERE customer_id = 1` },
  { name: 'cold FK value', why: 'Zipf fan-out: a tail customer has a few', sql: `SELECT * FROM orders WHERE customer_id = 70000` },
  { name: 'selective join, small side filtered', why: 'nested loop with a rare country', sql: `SELECT o.* FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.country = 'IS'` },
  { name: 'join with common filter', why: 'hash join, join order by size', sql: `SELECT c.country, sum(o.total) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'delivered' GROUP BY c.country` },
  { name: 'LIMIT, common-ish filter', why: 'index order (partial index) vs sort', sql: `SELECT * FROM orders WHERE status = 'pending' ORDER BY created_at DESC LIMIT 20` },
  { name: 'LIMIT, rare filter', why: 'sort of a selective scan vs walking the index', sql: `SELECT * FROM orders WHERE status = 'fraud' ORDER BY created_at DESC LIMIT 20` },
  { name: 'mostly-NULL IS NOT NULL', why: 'null_frac makes 2 % of rows', sql: `SELECT * FROM customers WHERE deleted_at IS NOT NULL` },
  { name: 'aggregate by skewed column', why: 'n_distinct of status: hash vs group aggregate', sql: `SELECT status, count(*) FROM orders GROUP BY status` },
  { name: 'anti-join', why: 'customers without orders: hash anti join, which side', sql: `SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)` },
  { name: 'three-way join, rare tier', why: 'join order from a selective filter', sql: `SELECT p.category, sum(oi.qty) FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_items oi ON oi.order_id = o.id JOIN products p ON p.id = oi.product_id WHERE c.tier = 'enterprise' GROUP BY p.category` },
  { name: 'rare category join', why: 'skewed category: nested loop into order_items', sql: `SELECT oi.* FROM products p JOIN order_items oi ON oi.product_id = p.id WHERE p.category = 'cat-29'` },
  { name: 'rare event kind, recent', why: 'BitmapAnd vs one index', sql: `SELECT * FROM events WHERE kind = 'error' AND occurred_at >= '2024-11-01'` },
];

// ---------------------------------------------------------------------------------------------
// Plan shapes.
const AGG = { Hashed: 'HashAggregate', Sorted: 'GroupAggregate', Plain: 'Aggregate', Mixed: 'MixedAggregate' };

/** The shape as text; `norm` applies the version normalisations (see the header). */
function shape(node, norm) {
  let type = node['Node Type'];
  if (type === 'Aggregate') type = AGG[node.Strategy] ?? type;
  let joinType = node['Join Type'];
  let kids = node.Plans ?? [];
  if (norm && (joinType === 'Right Anti' || joinType === 'Right Semi')) {
    joinType = joinType.slice('Right '.length);
    kids = [...kids].reverse();
  }
  let label = type;
  if (joinType && joinType !== 'Inner') label += `[${joinType}]`;
  if (node['Scan Direction'] === 'Backward') label += ' Backward';
  if (node['Relation Name']) label += ` ${node['Relation Name']}`;
  if (node['Index Name']) label += ` using ${node['Index Name']}`;
  if (node['Parent Relationship'] === 'InitPlan' || node['Parent Relationship'] === 'SubPlan') label = `${node['Parent Relationship']}: ${label}`;
  // The Hash under a Hash Join: its child stands for it.
  const children = kids.map((k) => (type === 'Hash Join' && k['Node Type'] === 'Hash' && k.Plans?.length === 1 ? k.Plans[0] : k)).map((k) => shape(k, norm));
  return children.length ? `${label} → (${children.join(', ')})` : label;
}

/** The plan with estimates, one node a line (--verbose). */
function outline(node, depth = 0) {
  let type = node['Node Type'];
  if (type === 'Aggregate') type = AGG[node.Strategy] ?? type;
  const bits = [type, node['Join Type'] && node['Join Type'] !== 'Inner' ? `[${node['Join Type']}]` : '', node['Relation Name'] ?? '', node['Index Name'] ? `using ${node['Index Name']}` : ''];
  const cond = node['Index Cond'] ?? node['Recheck Cond'] ?? node.Filter ?? node['Hash Cond'] ?? '';
  let out = `${'  '.repeat(depth + 2)}${bits.filter(Boolean).join(' ')}  rows=${node['Plan Rows']} cost=${node['Total Cost']}${cond ? `  ${cond}` : ''}\n`;
  for (const k of node.Plans ?? []) out += outline(k, depth + 1);
  return out;
}

// Planner switches by node type, to push a plan towards another shape (the near-miss diagnostic).
const ENABLE = {
  'Seq Scan': 'enable_seqscan', 'Index Scan': 'enable_indexscan', 'Index Only Scan': 'enable_indexonlyscan', 'Bitmap Heap Scan': 'enable_bitmapscan',
  'Hash Join': 'enable_hashjoin', 'Merge Join': 'enable_mergejoin', 'Nested Loop': 'enable_nestloop', Sort: 'enable_sort', 'Incremental Sort': 'enable_incremental_sort',
  HashAggregate: 'enable_hashagg', Memoize: 'enable_memoize', Material: 'enable_material',
  'Bitmap Index Scan': 'enable_bitmapscan', BitmapAnd: 'enable_bitmapscan', BitmapOr: 'enable_bitmapscan', Hash: 'enable_hashjoin',
};
function typeCounts(node, out = new Map()) {
  const type = node['Node Type'] === 'Aggregate' ? (AGG[node.Strategy] ?? 'Aggregate') : node['Node Type'];
  out.set(type, (out.get(type) ?? 0) + 1);
  for (const k of node.Plans ?? []) typeCounts(k, out);
  return out;
}

/**
 * Turns off (SET LOCAL, rolled back) the planner's switch for each node type `from` has more of
 * than `target`, and plans again: "+x % cost" when that gives the target's shape (x: how much
 * dearer the planner finds it: a small x is a near tie), else why not. A diagnostic only: it
 * does not change the count.
 */
async function reach(run, sql, from, target) {
  const [have, want] = [typeCounts(from), typeCounts(target)];
  const off = [...new Set([...have].filter(([t, n]) => n > (want.get(t) ?? 0)).map(([t]) => ENABLE[t]).filter(Boolean))];
  if (off.length === 0) return { text: 'no planner switch for that', reached: false };
  try {
    await run('BEGIN');
    for (const g of off) await run(`SET LOCAL ${g} = off`);
    const p = planOf(await run(`EXPLAIN (FORMAT JSON) ${sql}`));
    const got = shape(p, true) === shape(target, true);
    const pct = (p['Total Cost'] / from['Total Cost'] - 1) * 100;
    const text = got ? `+${pct.toFixed(1)} % cost (${off.join(', ')} off)` : `not reached with ${off.join(', ')} off (got ${shape(p, true)}, +${pct.toFixed(1)} % cost)`;
    return { text, reached: got, pct };
  } finally {
    await run('ROLLBACK');
  }
}

/**
 * Why a query's plan differs on the sandbox, from the other databases (see the header):
 * 'version' when the sandbox's PostgreSQL plans the server's own rows otherwise too; 'scale' when
 * it plans them as the server does, the server's PostgreSQL plans the generated rows at scale 1 as
 * the server does and those at the scale asked as the sandbox does (the data's shape is right, the
 * size tips a tie); 'data' when the generated rows at scale 1 already differ; else not told apart.
 */
function causeOf(q, toServer) {
  const tie = toServer.reached ? ` (the server's plan costs ${toServer.pct.toFixed(1)} % more on the sandbox${toServer.pct < 10 ? ': a near tie' : ''})` : '';
  if (q.ceiling === false) return { kind: 'version', text: `version: PostgreSQL ${sandboxVersion.split(' ')[0]} plans the server's own rows otherwise too — no data can give the server's plan there` };
  if (q.ceiling === true && q.full === true && q.control === false) {
    return { kind: 'scale', text: `scale: the generated rows at scale 1 give the server's plan on its version, at scale ${SCALE} they give the sandbox's: the data's shape holds, the size of this scale tips the costs${tie}` };
  }
  if (q.full === false) {
    // The control at scale 1 is analyzed as the sandbox does (a 30,000-row sample of its 600,000
    // rows, not the server's whole-table statistics): a query at a cost tie can tip either way there.
    return { kind: 'data', text: `data: the generated rows give another plan at scale 1 too, on the server's version (their shape, or at a tie the sample ANALYZE drew: run again to tell)${tie}` };
  }
  return { kind: 'unknown', text: `not told apart (run with the control and the ceiling)${tie}` };
}

const planOf = (rows) => {
  const v = rows[0]['QUERY PLAN'];
  return (typeof v === 'string' ? JSON.parse(v) : v)[0].Plan;
};

// ---------------------------------------------------------------------------------------------
const adminConfig = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres', password: process.env.PGPASSWORD, database: 'postgres' };
const dbName = `pglens_fidelity_${process.pid}_${Date.now().toString(36)}`;
const genName = `${dbName}_gen`;
const fullName = `${dbName}_full`;
const control = !flag('--no-control');
const ceilingOn = !flag('--no-ceiling');
let generated;
let full;
let ceiling;
const admin = new pg.Client(adminConfig);
await admin.connect();
let server;
let sandbox;
const dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-fidelity-'));
let dropped = false;
const dropServerDb = async () => {
  if (dropped) return;
  dropped = true;
  await server?.end().catch(() => undefined);
  await generated?.end().catch(() => undefined);
  await full?.end().catch(() => undefined);
  if (flag('--keep-server-db')) {
    console.log(`kept: ${dbName}${generated ? `, ${genName}` : ''}${full ? `, ${fullName}` : ''}`);
    return;
  }
  for (const name of [dbName, genName, fullName]) {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((e) => console.error(`could not drop ${name}: ${e.message}`));
  }
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    dropServerDb().finally(() => process.exit(130));
  });
}

const times = {};
let sandboxVersion = '?';
try {
  await admin.query(`CREATE DATABASE ${dbName}`);
  console.log(`server: scratch database ${dbName}`);
  server = new pg.Client({ ...adminConfig, database: dbName });
  await server.connect();

  // 1. The real database.
  let t = performance.now();
  await server.query(`SET session_replication_role = replica; SET synchronous_commit = off; SET maintenance_work_mem = '256MB'`);
  await server.query(TABLES);
  await server.query(LOAD);
  await server.query('RESET session_replication_role');
  await server.query(INDEXES);
  await server.query(WHOLE_TABLE_STATS);
  await server.query('VACUUM ANALYZE');
  times.server = performance.now() - t;
  const counts = (await server.query(`SELECT relname, reltuples::int8 AS n FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname`)).rows;
  const total = counts.reduce((a, r) => a + Number(r.n), 0);
  console.log(`server: ${total.toLocaleString('en')} rows (${counts.map((r) => `${r.relname} ${Number(r.n).toLocaleString('en')}`).join(', ')}) built in ${s(times.server)}`);

  // 2. Its statistics, through a file, as the CLI writes it and the sandbox reads it.
  t = performance.now();
  const serverVersion = (await server.query('SHOW server_version')).rows[0].server_version;
  // exportStats sends several statements in one message: the last result is the SELECT's (as PgConnection does).
  const session = { query: async (sql) => { const r = await server.query(sql); return Array.isArray(r) ? r[r.length - 1] : r; } };
  const exported = await exportStats(session, { timeoutMs: 60_000, pglensVersion: 'bench', serverVersion, values: true });
  const file = path.join(dir, 'stats.json');
  writeFileSync(file, statsExportText(exported));
  const loaded = readStatsFile(file);
  if (loaded.dropped.length) console.log(`stats file: dropped ${loaded.dropped.join('; ')}`);
  times.export = performance.now() - t;
  console.log(`stats: ${Object.keys(loaded.stats.tables).length} tables exported in ${s(times.export)}`);

  // 3. The sandbox: same DDL, no data, filled as the sandbox fills it.
  t = performance.now();
  sandbox = await PGlite.create();
  await sandbox.exec(TABLES + INDEXES);
  const options = fillOptionsFor({ enabled: true, scale: SCALE }, loaded.stats);
  const tf = performance.now();
  const report = await fillDatabase((q) => sandbox.query(q).then((r) => r.rows), (q) => sandbox.exec(q).then(() => undefined), options);
  times.fill = performance.now() - tf;
  times.sandbox = performance.now() - t;
  console.log(`sandbox: PGlite, scale ${SCALE}: ${report.rows.toLocaleString('en')} rows (${report.tables.map((x) => `${x.table.replace(/^public\./, '')} ${x.rows.toLocaleString('en')}${x.status !== 'filled' ? ` ${x.status}${x.cause ? `: ${x.cause}` : ''}` : ''}`).join(', ')}); fill ${s(times.fill)}, with start and DDL ${s(times.sandbox)}`);
  for (const n of report.notes) console.log(`  note: ${n}`);

  // Planner settings that would change plans without the data: print where they differ.
  const GUCS = ['random_page_cost', 'seq_page_cost', 'cpu_tuple_cost', 'cpu_index_tuple_cost', 'cpu_operator_cost', 'effective_cache_size', 'work_mem', 'hash_mem_multiplier', 'default_statistics_target', 'enable_memoize', 'from_collapse_limit', 'join_collapse_limit'];
  await server.query('SET max_parallel_workers_per_gather = 0');
  const gucSql = `SELECT name, setting FROM pg_settings WHERE name IN (${GUCS.map((g) => `'${g}'`).join(', ')}) ORDER BY name`;
  const sg = Object.fromEntries((await server.query(gucSql)).rows.map((r) => [r.name, r.setting]));
  const pgl = Object.fromEntries((await sandbox.query(gucSql)).rows.map((r) => [r.name, r.setting]));
  const diff = GUCS.filter((g) => sg[g] !== pgl[g]).map((g) => `${g} server ${sg[g]} / sandbox ${pgl[g]}`);
  console.log(`planner settings: parallel query off on the server (as PGlite); ${diff.length ? `differ: ${diff.join(', ')}` : 'the rest identical'}`);
  sandboxVersion = (await sandbox.query('SHOW server_version')).rows[0].server_version;
  console.log(`versions: server ${serverVersion}, sandbox ${sandboxVersion}`);

  // Control: the same generator and stats on a second database of the server (PostgreSQL 15):
  // the same data shape and scale as the sandbox, the server's planner. A query that matches
  // there but not on the sandbox differs by version; one that differs there too, by the data or
  // the scale.
  if (control) {
    t = performance.now();
    await admin.query(`CREATE DATABASE ${genName}`);
    generated = new pg.Client({ ...adminConfig, database: genName });
    await generated.connect();
    await generated.query(TABLES + INDEXES);
    await fillDatabase((q) => generated.query(q).then((r) => r.rows), (q) => generated.query(q).then(() => undefined), options);
    await generated.query('SET max_parallel_workers_per_gather = 0');
    times.control = performance.now() - t;
    console.log(`control: the same fill on the server (${serverVersion.split(' ')[0]}) in ${s(times.control)}`);
    if (SCALE !== 1) {
      t = performance.now();
      await admin.query(`CREATE DATABASE ${fullName}`);
      full = new pg.Client({ ...adminConfig, database: fullName });
      await full.connect();
      await full.query(TABLES + INDEXES);
      const r = await fillDatabase((q) => full.query(q).then((x) => x.rows), (q) => full.query(q).then(() => undefined), fillOptionsFor({ enabled: true, scale: 1 }, loaded.stats));
      await full.query('SET max_parallel_workers_per_gather = 0');
      times.full = performance.now() - t;
      console.log(`control at scale 1: ${r.rows.toLocaleString('en')} generated rows on the server in ${s(times.full)}`);
    }
  }

  // Ceiling: the production rows themselves on the sandbox's version (see the header).
  if (ceilingOn) {
    t = performance.now();
    ceiling = await PGlite.create();
    await ceiling.exec('SET session_replication_role = replica');
    await ceiling.exec(TABLES);
    await ceiling.exec(LOAD);
    await ceiling.exec('RESET session_replication_role');
    await ceiling.exec(INDEXES);
    await ceiling.exec(WHOLE_TABLE_STATS);
    await ceiling.exec('VACUUM ANALYZE');
    const print = (rows) => rows.map((r) => `${r.t} ${r.n} ${r.h}`).join('; ');
    const fp = `SET TimeZone = 'UTC'; ${['customers', 'products', 'orders', 'order_items', 'events'].map((x) => `SELECT '${x}' AS t, count(*) AS n, sum(hashtext(x::text)::int8) AS h FROM ${x} AS x`).join(' UNION ALL ')}`;
    const [a, b] = [print((await server.query(fp)).at(-1).rows), print((await ceiling.exec(fp)).at(-1).rows)];
    times.ceiling = performance.now() - t;
    console.log(`ceiling: the server's rows in PGlite (${a === b ? 'identical: every table\'s fingerprint matches' : `NOT identical: server ${a} / PGlite ${b}`}) in ${s(times.ceiling)}`);
    await server.query(`RESET TimeZone`);
  }

  if (flag('--stats')) await compareStats(server, sandbox);

  // 4. Plans.
  t = performance.now();
  let matched = 0;
  const summary = [];
  console.log('');
  QUERIES.forEach((q, i) => (q.n = i + 1));
  for (const q of QUERIES) {
    const sp = planOf((await server.query(`EXPLAIN (FORMAT JSON) ${q.sql}`)).rows);
    const bp = planOf((await sandbox.query(`EXPLAIN (FORMAT JSON) ${q.sql}`)).rows);
    const [ss, bs] = [shape(sp, true), shape(bp, true)];
    const [sr, br] = [shape(sp, false), shape(bp, false)];
    const ok = ss === bs;
    if (ok) matched++;
    summary.push({ q, ok });
    console.log(`Q${q.n} ${q.name} — ${q.why}: match ${ok ? 'yes' : 'NO'}`);
    console.log(`   ${q.sql}`);
    console.log(`   server : ${ss}`);
    console.log(`   sandbox: ${bs}`);
    if (sr !== ss) console.log(`   server raw : ${sr}`);
    if (br !== bs) console.log(`   sandbox raw: ${br}`);
    if (control) {
      const cs = shape(planOf((await generated.query(`EXPLAIN (FORMAT JSON) ${q.sql}`)).rows), true);
      q.control = cs === ss;
      console.log(`   control (generated data on the server's version): ${q.control ? 'same as the server' : cs === bs ? 'same as the sandbox' : cs}`);
    }
    if (full) {
      const fs = shape(planOf((await full.query(`EXPLAIN (FORMAT JSON) ${q.sql}`)).rows), true);
      q.full = fs === ss;
      console.log(`   control at scale 1 (generated data, full size, on the server's version): ${q.full ? 'same as the server' : fs === bs ? 'same as the sandbox' : fs}`);
    }
    if (ceiling) {
      const es = shape(planOf((await ceiling.query(`EXPLAIN (FORMAT JSON) ${q.sql}`)).rows), true);
      q.ceiling = es === ss;
      console.log(`   ceiling (the server's rows on the sandbox's version): ${q.ceiling ? 'same as the server' : es === bs ? 'same as the sandbox' : es}`);
    }
    if (!ok) {
      // How close the miss is: each side pushed (enable_* off) towards the other's shape, and what that costs.
      const toServer = await reach((q2) => sandbox.query(q2).then((r) => r.rows), q.sql, bp, sp);
      const toSandbox = await reach((q2) => server.query(q2).then((r) => r.rows), q.sql, sp, bp);
      console.log(`   near miss? the server's shape on the sandbox: ${toServer.text}; the sandbox's shape on the server: ${toSandbox.text}`);
      q.cause = causeOf(q, toServer);
      console.log(`   cause: ${q.cause.text}`);
    }
    if (verbose) {
      process.stdout.write(`   server plan:\n${outline(sp)}   sandbox plan:\n${outline(bp)}`);
    }
  }
  times.explain = performance.now() - t;
  console.log('');
  console.log(
    `summary: query, sandbox shape = server shape${control ? ', the control (generated data on the server\'s version)' : ''}${full ? ', at scale 1' : ''}${ceiling ? ', the ceiling (the server\'s rows on the sandbox\'s version)' : ''}`,
  );
  const yn = (v) => (v ? 'yes' : 'NO ');
  for (const { q, ok } of summary) {
    console.log(`  Q${String(q.n).padEnd(3)} ${yn(ok)}${control ? `  control ${yn(q.control)}` : ''}${full ? `  at 1 ${yn(q.full)}` : ''}${ceiling ? `  ceiling ${yn(q.ceiling)}` : ''}  ${q.name}${q.cause ? `  [${q.cause.kind}]` : ''}`);
  }
  if (control) console.log(`control: ${summary.filter((x) => x.q.control).length}/${QUERIES.length} match with the sandbox's data on PostgreSQL ${serverVersion.split(' ')[0]} (not the headline: users get PGlite)`);
  if (full) console.log(`control at scale 1: ${summary.filter((x) => x.q.full).length}/${QUERIES.length} match with the generated rows at full size on PostgreSQL ${serverVersion.split(' ')[0]}`);
  if (ceiling) console.log(`ceiling: ${summary.filter((x) => x.q.ceiling).length}/${QUERIES.length} match with the server's own rows on PostgreSQL ${sandboxVersion} (the most any data can give on that version)`);
  const misses = summary.filter((x) => !x.ok);
  if (misses.length) {
    const by = (kind) => misses.filter((x) => x.q.cause?.kind === kind).map((x) => `Q${x.q.n}`);
    const kinds = ['version', 'scale', 'data', 'unknown'].map((k) => [k, by(k)]).filter(([, qs]) => qs.length);
    console.log(`mismatches: ${kinds.map(([k, qs]) => `${k} ${qs.length} (${qs.join(', ')})`).join('; ')} — all counted below`);
  }
  console.log(`fidelity: ${matched}/${QUERIES.length} plan shapes match (target ≥ 9 of 10${QUERIES.length !== 10 ? `, i.e. ≥ ${Math.ceil(QUERIES.length * 0.9)} of ${QUERIES.length}` : ''}): ${matched >= Math.ceil(QUERIES.length * 0.9) ? 'met' : 'MISSED'}`);
} catch (e) {
  console.error(`bench failed: ${e.stack ?? e}`);
} finally {
  await sandbox?.close().catch(() => undefined);
  await ceiling?.close().catch(() => undefined);
  await dropServerDb();
  await admin.end().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
times.total = performance.now() - started;
console.log(`time: total ${s(times.total)}; server build ${s(times.server ?? 0)} (target ≤ ~120 s); stats export ${s(times.export ?? 0)}; sandbox fill alone ${s(times.fill ?? 0)}${control ? `; control fill ${s(times.control ?? 0)}${times.full ? `, at scale 1 ${s(times.full)}` : ''}` : ''}${ceilingOn ? `; ceiling load ${s(times.ceiling ?? 0)}` : ''}; EXPLAINs ${s(times.explain ?? 0)}`);

/** pg_stats of the server next to the sandbox's, for the columns that shape the plans above. */
async function compareStats(server, sandbox) {
  const sql = `SELECT tablename || '.' || attname AS col, round(null_frac::numeric, 3) AS nf, round(n_distinct::numeric, 3) AS nd,
      round(correlation::numeric, 2) AS corr, (most_common_freqs)[1] AS top, (most_common_vals::text::text[])[1] AS topv
    FROM pg_stats WHERE schemaname = 'public' ORDER BY 1`;
  const a = new Map((await server.query(sql)).rows.map((r) => [r.col, r]));
  const b = new Map((await sandbox.query(sql)).rows.map((r) => [r.col, r]));
  console.log('stats (server → sandbox): null_frac, n_distinct, correlation, top MCV');
  const f = (r) => (r ? `${r.nf} ${r.nd} ${r.corr ?? '-'} ${r.topv ?? '-'}@${r.top != null ? Number(r.top).toFixed(4) : '-'}` : 'none');
  for (const [k, r] of a) console.log(`  ${k.padEnd(28)} ${f(r).padEnd(44)} → ${f(b.get(k))}`);
}

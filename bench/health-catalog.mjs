#!/usr/bin/env node
// Health catalog benchmark: 10,000 tables and 20,000 indexes, listed by healthReport and
// grouped as the sidebar shows them. Target: ≤ 1 s.
//
// Uses a scratch database, `pglens_bench_catalog` on the local server (DATABASE_URL's server
// when set), created and filled on the first run, reused afterwards. It never drops anything.
//   node bench/health-catalog.mjs            measure (builds the catalog first when missing)
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';
import pg from 'pg';

// The sources are CommonJS TypeScript: load them through tsx's require hook.
register();
const require = createRequire(import.meta.url);
const { healthReport } = require('../src/core/health/findings.ts');
const { healthOverview, tableSummary, indexSummary } = require('../src/core/health/overview.ts');

const TABLES = 10_000;
const SCHEMAS = 10;
const DB = 'pglens_bench_catalog';
const TARGET_MS = 1000;

const base = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const adminUrl = new URL(base);
adminUrl.pathname = '/postgres';
const benchUrl = new URL(base);
benchUrl.pathname = `/${DB}`;

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

await withClient(adminUrl, async (admin) => {
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]);
  if (exists.rowCount === 0) {
    console.log(`creating database ${DB}`);
    await admin.query(`CREATE DATABASE ${DB}`);
  }
});

await withClient(benchUrl, async (client) => {
  await client.query('CREATE SCHEMA IF NOT EXISTS pglens_bench');
  await client.query('CREATE TABLE IF NOT EXISTS pglens_bench.built (tables int NOT NULL)');
  const built = await client.query('SELECT tables FROM pglens_bench.built');
  if (built.rows[0]?.tables === TABLES) return;
  console.log(`building ${TABLES} tables with 2 indexes each (once; later runs reuse them)…`);
  const started = Date.now();
  for (let s = 0; s < SCHEMAS; s++) await client.query(`CREATE SCHEMA IF NOT EXISTS app_${s}`);
  const perSchema = TABLES / SCHEMAS;
  const batch = 250;
  for (let first = 0; first < TABLES; first += batch) {
    const ddl = [];
    for (let n = first; n < Math.min(TABLES, first + batch); n++) {
      const schema = `app_${n % SCHEMAS}`;
      const t = `t_${Math.floor(n / SCHEMAS)}`;
      // Every third table references its schema's first table, and only some index the key: real-looking findings.
      const ref = n >= SCHEMAS && n % 3 === 0 ? ` REFERENCES ${schema}.t_0 (id)` : '';
      ddl.push(`CREATE TABLE IF NOT EXISTS ${schema}.${t} (id bigint PRIMARY KEY, parent_id bigint${ref}, name text, created_at timestamptz);`);
      ddl.push(`CREATE INDEX IF NOT EXISTS ${t}_${n % 2 ? 'parent_id' : 'created_at'}_idx ON ${schema}.${t} (${n % 2 ? 'parent_id' : 'created_at'});`);
    }
    await client.query(`BEGIN; ${ddl.join('\n')} COMMIT;`);
    process.stdout.write(`\r  ${Math.min(TABLES, first + batch)} / ${TABLES} tables (${perSchema} per schema)`);
  }
  await client.query('ANALYZE');
  await client.query('DELETE FROM pglens_bench.built');
  await client.query('INSERT INTO pglens_bench.built VALUES ($1)', [TABLES]);
  console.log(`\n  built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

// healthReport only needs `query`; the bench keeps to that part of the Connection contract.
const client = new pg.Client({ connectionString: benchUrl.toString() });
await client.connect();
const conn = {
  kind: 'server',
  label: `bench (${benchUrl.host}/${DB})`,
  query: async (sql, params) => {
    const r = await client.query(sql, params);
    return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.rowCount ?? 0 };
  },
};

const runs = [];
let last;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const report = await healthReport(conn);
  const t1 = performance.now();
  // What the tree does on expand: group once, then describe every table and index.
  const overview = healthOverview(report);
  let described = 0;
  for (const tables of overview.tablesBySchema.values()) for (const t of tables) described += tableSummary(t).length;
  for (const idx of report.indexes) described += indexSummary(idx).length;
  const t2 = performance.now();
  runs.push({ report: t1 - t0, tree: t2 - t1, total: t2 - t0, described });
  last = report;
}
await client.end();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const total = median(runs.map((r) => r.total));
console.log(`health catalog: ${last.tables.length} tables, ${last.indexes.length} indexes, ${last.findings.length} findings`);
console.log(`  healthReport (catalog queries + findings): median ${fmt(median(runs.map((r) => r.report)))}, first ${fmt(runs[0].report)}`);
console.log(`  tree grouping + descriptions:              median ${fmt(median(runs.map((r) => r.tree)))}`);
console.log(`  listing total: median ${fmt(total)} (target ≤ ${TARGET_MS} ms) ${total <= TARGET_MS ? 'OK' : 'OVER TARGET'}`);

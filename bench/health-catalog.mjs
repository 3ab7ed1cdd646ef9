#!/usr/bin/env node
// Health catalog benchmark: 10,000 tables and 20,000 indexes, listed by healthReport and
// grouped as the sidebar shows them. Target: ≤ 1 s.
//
// Uses a scratch database, `pglens_bench_catalog` on the local server (DATABASE_URL's server
// when set), created and filled on the first run, reused afterwards. It never drops anything.
//   node bench/health-catalog.mjs            measure (builds the catalog first when missing)
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';
import { ensureCatalogDb, openBenchConnection } from './catalog-db.mjs';

// The sources are CommonJS TypeScript: load them through tsx's require hook.
register();
const require = createRequire(import.meta.url);
const { healthReport } = require('../src/core/health/findings.ts');
const { healthOverview, tableSummary, indexSummary } = require('../src/core/health/overview.ts');

const TARGET_MS = 1000;

await ensureCatalogDb();

// healthReport only needs `query`; the bench keeps to that part of the Connection contract.
const conn = await openBenchConnection();

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
await conn.end();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const total = median(runs.map((r) => r.total));
console.log(`health catalog: ${last.tables.length} tables, ${last.indexes.length} indexes, ${last.findings.length} findings`);
console.log(`  healthReport (catalog queries + findings): median ${fmt(median(runs.map((r) => r.report)))}, first ${fmt(runs[0].report)}`);
console.log(`  tree grouping + descriptions:              median ${fmt(median(runs.map((r) => r.tree)))}`);
console.log(`  listing total: median ${fmt(total)} (target ≤ ${TARGET_MS} ms) ${total <= TARGET_MS ? 'OK' : 'OVER TARGET'}`);

#!/usr/bin/env node
// Health snapshot benchmark (#19): everything `pglens health` and the sidebar's Health node read
// on a database with 10,000 tables and 20,000 indexes — the index/schema report and every
// database check (bloat, cache, sessions, locks, connections, sequences, key overflow,
// wraparound, statistics). Target: ≤ 2 s.
//
// Uses the scratch database of bench/catalog-db.mjs (built on the first run, reused).
//   node bench/health-snapshot.mjs
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';
import { ensureCatalogDb, openBenchConnection } from './catalog-db.mjs';

register();
const require = createRequire(import.meta.url);
const { healthReport } = require('../src/core/health/findings.ts');
const { databaseHealth } = require('../src/core/health/database/database-health.ts');

const TARGET_MS = 2000;

await ensureCatalogDb();

const conn = await openBenchConnection();

const runs = [];
let last;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const report = await healthReport(conn);
  const t1 = performance.now();
  const database = await databaseHealth(conn);
  const t2 = performance.now();
  runs.push({ report: t1 - t0, database: t2 - t1, total: t2 - t0 });
  last = { report, database };
}
await conn.end();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0)} ms`;
const total = median(runs.map((r) => r.total));
const states = last.database.checks.map((c) => `${c.id}=${c.state}`).join(', ');
console.log(`health snapshot: ${last.report.tables.length} tables, ${last.report.indexes.length} indexes, ${last.report.findings.length + last.database.findings.length} findings`);
console.log(`  checks: ${states}`);
console.log(`  index/schema report: median ${fmt(median(runs.map((r) => r.report)))}`);
console.log(`  database checks:     median ${fmt(median(runs.map((r) => r.database)))}, first ${fmt(runs[0].database)}`);
console.log(`  snapshot total: median ${fmt(total)} (target ≤ ${TARGET_MS} ms) ${total <= TARGET_MS ? 'OK' : 'OVER TARGET'}`);

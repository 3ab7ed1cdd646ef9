// Overhead of pglens's explain runner over the query itself, on the real server: the round
// trip of PgConnection.explain (ANALYZE, inside BEGIN … ROLLBACK) minus the Execution Time
// Postgres reports, median of 20 after a warm-up. Target ≤ 50 ms.
// Server: DATABASE_URL, else 127.0.0.1:5432 user postgres db test. Run: node bench/explain-overhead.mjs
import { performance } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';

const { PgConnection } = await tsImport('../src/core/db/pg-connection.ts', import.meta.url);
const conn = new PgConnection(
  process.env.DATABASE_URL ? { connectionString: process.env.DATABASE_URL } : { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' },
);
const sql = 'SELECT c.relname, count(*) FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relkind = $1 GROUP BY c.relname ORDER BY 2 DESC LIMIT 10';
const options = { analyze: true, timeoutMs: 30_000, params: ['r'] };
try {
  await conn.explain(sql, options);
  const overheads = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const r = await conn.explain(sql, options);
    const wall = performance.now() - t;
    overheads.push(wall - r.plan[0]['Execution Time']);
  }
  overheads.sort((a, b) => a - b);
  const median = (overheads[9] + overheads[10]) / 2;
  console.log(`explain overhead (click-to-result minus execution time), median of 20: ${median.toFixed(1)} ms  (min ${overheads[0].toFixed(1)}, max ${overheads[19].toFixed(1)})  target ≤ 50 ms`);
} catch (e) {
  console.error(`could not run: ${e.message}`);
  process.exitCode = 2;
} finally {
  await conn.close();
}

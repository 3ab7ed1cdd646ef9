// Index advisor across index types (issue 18): wall time of advising one query, per predicate
// kind, on 100k-row tables — on the embedded sandbox (PGlite: each candidate built for real
// inside a rolled-back transaction, EXPLAIN ANALYZE before and after; target ≤ 3 s with ≤ 20
// candidates) and on the real server with HypoPG (hypothetical B-tree/BRIN indexes; target ≤ 1 s).
// Server: DATABASE_URL, else 127.0.0.1:5432 user postgres db test (a scratch schema, dropped).
// Run: node bench/advise-types.mjs
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { tsImport } from 'tsx/esm/api';

const { adviseIndexes } = await tsImport('../src/core/advise/advise.ts', import.meta.url);
const { PgConnection } = await tsImport('../src/core/db/pg-connection.ts', import.meta.url);
const { pgliteExtensionsFor } = await tsImport('../src/core/db/sandbox-build.ts', import.meta.url);

const ROWS = 100_000;
const SEED = `
  CREATE TABLE docs (id int PRIMARY KEY, status text NOT NULL, title text NOT NULL, email text NOT NULL, body text NOT NULL, doc jsonb NOT NULL,
                     tags text[] NOT NULL, span int4range NOT NULL, p point NOT NULL, created_at timestamptz NOT NULL);
  INSERT INTO docs SELECT g, (ARRAY['open','closed','draft','spam'])[1 + g % 4], 'title ' || md5(g::text), 'User' || g || '@example.org',
      'lorem ipsum ' || md5(g::text) || CASE WHEN g % 1000 = 0 THEN ' needle' ELSE '' END,
      jsonb_build_object('kind', 'k' || (g % 500), 'n', g), ARRAY['t' || (g % 400), 'u' || (g % 7)], int4range(g, g + 5),
      point(g % 500, g / 500), timestamptz '2024-01-01' + g * interval '1 minute'
    FROM generate_series(1, ${ROWS}) g;
  ANALYZE;
`;

const QUERIES = [
  ['trigram (ILIKE %x%)', "SELECT id FROM docs WHERE title ILIKE '%abc12%'"],
  ['pattern (LIKE x%)', "SELECT id FROM docs WHERE title LIKE 'title abc1%'"],
  ['expression (lower)', "SELECT id FROM docs WHERE lower(email) = 'user42@example.org'"],
  ["expression (->>)", "SELECT id FROM docs WHERE doc ->> 'kind' = 'k42'"],
  ['jsonb @>', `SELECT id FROM docs WHERE doc @> '{"kind": "k42"}'`],
  ['full text', "SELECT id FROM docs WHERE to_tsvector('english', body) @@ to_tsquery('english', 'needle')"],
  ['array @>', "SELECT id FROM docs WHERE tags @> ARRAY['t42']"],
  ['range &&', 'SELECT id FROM docs WHERE span && int4range(500, 510)'],
  ['k-NN <->', 'SELECT id FROM docs ORDER BY p <-> point(50, 50) LIMIT 5'],
  ['BRIN + B-tree (range on created_at)', "SELECT id FROM docs WHERE created_at >= '2024-02-01' AND created_at < '2024-02-02'"],
  ['multi-column + partial + covering', "SELECT id, title FROM docs WHERE status = 'draft' AND created_at > '2024-02-01' ORDER BY created_at LIMIT 20"],
  ['many kinds in one query', `SELECT id, title FROM docs WHERE status = 'draft' AND doc @> '{"kind": "k42"}' AND tags && ARRAY['t42'] AND lower(email) LIKE 'user4%' AND span && int4range(1, 90000) AND created_at > '2024-01-02'`],
];

/** Advises every query; returns rows for the table. */
async function run(conn, label, target, options = {}) {
  const rows = [];
  for (const [kind, sql] of QUERIES) {
    const t = performance.now();
    let advice;
    try {
      advice = await adviseIndexes(conn, sql, options);
    } catch (e) {
      rows.push({ kind, ms: performance.now() - t, error: e.message });
      continue;
    }
    const ms = performance.now() - t;
    const candidates = advice.suggestions.length + advice.rejected.filter((r) => !/simpler index/.test(r.reason)).length + (advice.unverified?.length ?? 0);
    const best = advice.suggestions[0];
    rows.push({
      kind,
      ms,
      candidates,
      best: best ? `${best.ddl.replace(/^CREATE INDEX CONCURRENTLY IF NOT EXISTS \S+ ON \S+ /, '')} [${best.method}] cost ${(best.before ?? advice.before).totalCost.toFixed(0)} → ${best.after.totalCost.toFixed(0)}${best.after.executionTimeMs !== undefined ? `, ${((best.before ?? advice.before).executionTimeMs ?? 0).toFixed(1)} → ${best.after.executionTimeMs.toFixed(2)} ms` : ''}${best.sizeBytes ? `, ${Math.round(best.sizeBytes / 1024)} kB` : ''}` : `none (${advice.unverified?.length ? `${advice.unverified.length} unverified` : 'no index helps'})`,
    });
  }
  console.log(`\n${label} — target ≤ ${target} ms per query`);
  for (const r of rows) {
    const mark = r.ms <= target ? 'ok  ' : 'OVER';
    console.log(`  ${mark} ${r.ms.toFixed(0).padStart(6)} ms  ${String(r.candidates ?? '-').padStart(2)} cand.  ${r.kind.padEnd(36)} ${r.error ? `ERROR ${r.error}` : r.best}`);
  }
  const over = rows.filter((r) => r.ms > target);
  console.log(`  ${rows.length - over.length}/${rows.length} within target; slowest ${Math.max(...rows.map((r) => r.ms)).toFixed(0)} ms`);
}

class Lite {
  kind = 'embedded';
  label = 'PGlite';
  constructor(db) {
    this.db = db;
  }
  async query(sql, params) {
    if (!params || params.length === 0) {
      const r = (await this.db.exec(sql)).at(-1);
      return { rows: r?.rows ?? [], fields: (r?.fields ?? []).map((f) => ({ name: f.name })), rowCount: r?.rows.length ?? 0 };
    }
    const r = await this.db.query(sql, params);
    return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.rows.length };
  }
  queryOne(sql, params) {
    return this.db.query(sql, params ?? []).then((r) => ({ rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.rows.length }));
  }
  async cancel() {}
  async close() {
    await this.db.close();
  }
  async serverVersion() {
    return '18';
  }
}

const { loaded } = await pgliteExtensionsFor(['CREATE EXTENSION pg_trgm; CREATE EXTENSION btree_gist;']);
const t0 = performance.now();
const lite = new Lite(new PGlite({ extensions: loaded }));
await lite.db.exec(SEED);
console.log(`sandbox: PGlite with ${ROWS.toLocaleString('en')} rows seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
await run(lite, 'embedded sandbox (real indexes, EXPLAIN ANALYZE, rolled back)', 3000);

const server = new PgConnection(process.env.DATABASE_URL ? { connectionString: process.env.DATABASE_URL } : { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
const schema = `pglens_bench_types_${process.pid}`;
try {
  const hypopg = await server.query("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'hypopg'");
  if (hypopg.rows[0].n === 0) throw new Error('HypoPG is not available on the server (apt-get install postgresql-15-hypopg)');
  await server.query(`CREATE SCHEMA ${schema}`);
  await server.query(`SET search_path = ${schema}, public`);
  for (const stmt of SEED.split(';').map((s) => s.trim()).filter(Boolean)) await server.query(stmt);
  await run(server, 'server with HypoPG (GIN/GiST reported unverified)', 1000);
  await run(server, 'server with HypoPG + the sandbox for GIN/GiST (not the ≤ 1 s target: includes real builds on PGlite)', 3000, { sandbox: lite });
} catch (e) {
  console.error(`server part could not run: ${e.message}`);
  process.exitCode = 2;
} finally {
  await server.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await server.close();
  await lite.close();
}

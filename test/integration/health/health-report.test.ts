import * as assert from 'node:assert/strict';
import { healthReport, type HealthReport } from '../../../src/core/health/findings';
import type { PgQueryConnection } from './pg-adapter';
import { openTestServer } from './server';
import { uniqueName } from '../db/test-env';

/**
 * A seeded schema with one case of every health finding plus clean tables, on the real
 * server. Scans are generated on the indexes that must count as used, and the statistics
 * flushed with pg_stat_force_next_flush() (PG 15+) before the report reads them.
 */
describe('health report on a live server', function () {
  this.timeout(30_000);
  const schema = uniqueName('health_it');
  let conn: PgQueryConnection | undefined;
  let report: HealthReport;

  before(async function () {
    conn = await openTestServer(this, 'health integration tests');
    if (!conn) return;
    const s = schema;
    await conn.query(`CREATE SCHEMA ${s}`);
    await conn.query(`
      CREATE TABLE ${s}.customers (id bigint PRIMARY KEY, email text NOT NULL);
      CREATE TABLE ${s}.orders (
        id bigint PRIMARY KEY,
        customer_id bigint NOT NULL REFERENCES ${s}.customers (id),
        status text NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX orders_status_idx ON ${s}.orders (status);
      CREATE INDEX orders_created_at_status_idx ON ${s}.orders (created_at, status);
      CREATE INDEX orders_created_at_idx ON ${s}.orders (created_at);
      CREATE TABLE ${s}.events (payload text);
      CREATE TABLE ${s}.tags (id bigint PRIMARY KEY, name text NOT NULL);
      CREATE INDEX tags_name_idx ON ${s}.tags (name);
      CREATE TABLE ${s}.coupons (id bigint PRIMARY KEY, code text NOT NULL);
      INSERT INTO ${s}.customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 50) g;
      INSERT INTO ${s}.orders SELECT g, 1 + g % 50, 'new', now() - g * interval '1 minute' FROM generate_series(1, 200) g;
      INSERT INTO ${s}.tags SELECT g, 'tag' || g FROM generate_series(1, 20) g;
      INSERT INTO ${s}.coupons VALUES (1, 'SAME'), (2, 'SAME');
      ANALYZE ${s}.customers, ${s}.orders, ${s}.tags, ${s}.coupons;
    `);
    // A unique index over duplicate values: CREATE INDEX CONCURRENTLY fails and leaves it invalid.
    await assert.rejects(conn.query(`CREATE UNIQUE INDEX CONCURRENTLY coupons_code_key ON ${s}.coupons (code)`), /could not create unique index/);

    await conn.query('SET enable_seqscan = off');
    // Only the two-column index yields this order, so the planner must scan it.
    await conn.query(`SELECT id FROM ${s}.orders ORDER BY created_at, status LIMIT 5`);
    await conn.query(`SELECT count(*) FROM ${s}.tags WHERE name = 'tag3'`);
    await conn.query('RESET enable_seqscan');
    await conn.query('SELECT pg_stat_force_next_flush()');
    report = await waitForScans(conn, schema, ['orders_created_at_status_idx', 'tags_name_idx']);
  });

  after(async function () {
    if (!conn) return;
    await conn.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await conn.close();
  });

  it('reports exactly the seeded findings, and none on the clean tables', function () {
    const got = report.findings.map((f) => [f.ruleId, f.severity, f.table, f.index ?? '', (f.columns ?? []).join(',')].join(' | ')).sort();
    assert.deepEqual(got, [
      'duplicate-index | warning | orders | orders_created_at_idx | created_at',
      'fk-without-index | warning | orders |  | customer_id',
      'invalid-index | error | coupons | coupons_code_key | code',
      'missing-primary-key | warning | events |  | ',
      'unused-index | warning | orders | orders_created_at_idx | created_at',
      'unused-index | warning | orders | orders_status_idx | status',
    ]);
    assert.ok(report.findings.every((f) => f.schema === schema));
    assert.ok(!report.findings.some((f) => f.table === 'tags' || f.table === 'customers'));
  });

  it('lists tables and indexes with their statistics', function () {
    assert.deepEqual(report.schemas, [schema]);
    assert.deepEqual(report.tables.map((t) => t.name).sort(), ['coupons', 'customers', 'events', 'orders', 'tags']);
    const orders = report.tables.find((t) => t.name === 'orders');
    assert.equal(orders?.estimatedRows, 200);
    assert.ok((orders?.totalBytes ?? 0) > 0);
    assert.ok((orders?.idxScan ?? 0) >= 1);
    const used = report.indexes.find((i) => i.name === 'orders_created_at_status_idx');
    assert.ok((used?.scans ?? 0) >= 1, 'the scanned index counts its scans');
    assert.deepEqual(used?.columns, ['created_at', 'status']);
    const pkey = report.indexes.find((i) => i.name === 'orders_pkey');
    assert.equal(pkey?.primary, true);
    assert.equal(pkey?.unique, true);
    assert.equal(pkey?.constraintType, 'p');
    const invalid = report.indexes.find((i) => i.name === 'coupons_code_key');
    assert.equal(invalid?.valid, false);
    assert.match(invalid?.definition ?? '', /^CREATE UNIQUE INDEX coupons_code_key ON health_it_\w+\.coupons USING btree \(code\)$/);
  });

  it('says since when scans are counted and that replicas are not counted', function () {
    const unused = report.findings.find((f) => f.ruleId === 'unused-index' && f.index === 'orders_status_idx');
    assert.ok(unused);
    // The test server may be minutes old: the report judges with minStatsDays 0 (see waitForScans).
    assert.match(unused.message, /has not been scanned (in the \d+ \w+ )?since/);
    assert.match(unused.message, report.isReplica ? /This server is a replica/ : /Scans served by replicas are not counted here/);
    assert.equal(unused.fixSql, `DROP INDEX CONCURRENTLY IF EXISTS ${schema}.orders_status_idx;`);
    assert.ok(report.statsSince.startsWith('since '));
  });

  it('gives fixes that apply cleanly to the live database', async function () {
    if (!conn) return;
    const fk = report.findings.find((f) => f.ruleId === 'fk-without-index');
    const invalid = report.findings.find((f) => f.ruleId === 'invalid-index');
    assert.equal(fk?.fixSql, `CREATE INDEX CONCURRENTLY orders_customer_id_idx ON ${schema}.orders (customer_id);`);
    assert.equal(invalid?.fixSql, `REINDEX INDEX CONCURRENTLY ${schema}.coupons_code_key;`);
    await conn.query(fk.fixSql);
    await conn.query(`DELETE FROM ${schema}.coupons WHERE id = 2`);
    await conn.query(invalid.fixSql);
    const after = await healthReport(conn, { schemas: [schema] });
    assert.ok(!after.findings.some((f) => f.ruleId === 'fk-without-index' || f.ruleId === 'invalid-index'));
  });
});

/**
 * Statistics reach the shared stats a moment after the scanning transaction: poll briefly.
 * unused-index is judged whatever the age of the server's statistics (minStatsDays 0): the
 * window itself is tested in a scratch database (unused-index-window.test.ts).
 */
async function waitForScans(conn: PgQueryConnection, schema: string, indexes: string[]): Promise<HealthReport> {
  for (let attempt = 0; ; attempt++) {
    const report = await healthReport(conn, { schemas: [schema], unusedMinStatsDays: 0 });
    const counted = indexes.every((name) => (report.indexes.find((i) => i.name === name)?.scans ?? 0) > 0);
    if (counted || attempt >= 20) return report;
    await new Promise((r) => setTimeout(r, 250));
  }
}

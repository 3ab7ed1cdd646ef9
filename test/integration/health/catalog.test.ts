import * as assert from 'node:assert/strict';
import { readCatalog } from '../../../src/core/health/catalog';
import { liveSchema } from '../../../src/core/health/live-schema';
import { slowQueries } from '../../../src/core/health/slow-queries';
import { redundantIndexes } from '../../../src/core/schema/redundant-indexes';
import { tableKey } from '../../../src/core/schema/model';
import { PgQueryConnection } from './pg-adapter';
import { openTestServer } from './server';
import { serverUrl, uniqueName } from '../db/test-env';

describe('catalog queries on a live server', function () {
  this.timeout(30_000);
  const schema = uniqueName('health_cat');
  let conn: PgQueryConnection | undefined;

  before(async function () {
    conn = await openTestServer(this, 'health catalog tests');
    if (!conn) return;
    const s = schema;
    await conn.query(`
      CREATE SCHEMA ${s};
      CREATE TABLE ${s}."Mixed Case" (id bigint PRIMARY KEY, "Name" varchar(40), body text, n int, tags text[], at timestamp(3));
      CREATE INDEX plain_idx ON ${s}."Mixed Case" (n, id);
      CREATE UNIQUE INDEX "Quoted Idx" ON ${s}."Mixed Case" ("Name");
      CREATE INDEX desc_idx ON ${s}."Mixed Case" (n DESC);
      CREATE INDEX expr_idx ON ${s}."Mixed Case" (lower(body), (n + 1));
      CREATE INDEX partial_idx ON ${s}."Mixed Case" (n) WHERE n > 0;
      CREATE INDEX include_idx ON ${s}."Mixed Case" (n) INCLUDE (body);
      CREATE INDEX collate_idx ON ${s}."Mixed Case" (body COLLATE "C");
      CREATE INDEX opclass_idx ON ${s}."Mixed Case" (body text_pattern_ops);
      CREATE INDEX gin_idx ON ${s}."Mixed Case" USING gin (tags);
      CREATE INDEX fill_idx ON ${s}."Mixed Case" (at) WITH (fillfactor = 70);
      CREATE UNIQUE INDEX nnd_idx ON ${s}."Mixed Case" (n, at) NULLS NOT DISTINCT;
      CREATE TABLE ${s}.parts (id bigint, k int) PARTITION BY RANGE (id);
      CREATE INDEX parts_k_idx ON ${s}.parts (k);
      CREATE TABLE ${s}.parts_1 PARTITION OF ${s}.parts FOR VALUES FROM (0) TO (100);
    `);
  });

  after(async function () {
    if (!conn) return;
    await conn.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await conn.close();
  });

  it('prints every definition exactly as pg_get_indexdef does', async function () {
    if (!conn) return;
    const catalog = await readCatalog(conn, { schemas: [schema] });
    const truth = await conn.query<{ name: string; def: string }>(
      `SELECT c.relname AS name, pg_get_indexdef(c.oid) AS def FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('i', 'I')`,
      [schema],
    );
    assert.equal(catalog.indexes.length, truth.rows.length);
    for (const row of truth.rows) {
      assert.equal(catalog.indexes.find((i) => i.name === row.name)?.definition, row.def, row.name);
    }
  });

  it('reads key columns, INCLUDE columns, expressions and predicates', async function () {
    if (!conn) return;
    const catalog = await readCatalog(conn, { schemas: [schema], includeColumns: true });
    const byName = new Map(catalog.indexes.map((i) => [i.name, i]));
    assert.deepEqual(byName.get('expr_idx')?.columns, ['(lower(body))', '(n + 1)']);
    assert.deepEqual(byName.get('include_idx')?.columns, ['n']);
    assert.deepEqual(byName.get('include_idx')?.include, ['body']);
    assert.equal(byName.get('partial_idx')?.predicate, 'n > 0');
    assert.equal(byName.get('gin_idx')?.method, 'gin');
    assert.deepEqual(byName.get('collate_idx')?.keyOptions, [{ collation: 'C' }]);
    assert.deepEqual(byName.get('opclass_idx')?.keyOptions, [{ opclass: 'text_pattern_ops' }]);
    assert.deepEqual(byName.get('desc_idx')?.keyOptions, [{ descending: true }]);
    assert.deepEqual(byName.get('expr_idx')?.keyOptions, [{}, {}]);
    assert.deepEqual(byName.get('include_idx')?.keyOptions, [{}]);
    assert.equal(byName.get('parts_k_idx')?.scans, null, 'a partitioned parent keeps no scan counts');
    assert.ok(catalog.sizesExact);
    const name = catalog.columns.find((c) => c.table === 'Mixed Case' && c.name === 'Name');
    assert.equal(name?.formattedType, 'character varying(40)');
  });

  it('a COLLATE "C" or text_pattern_ops index is not a duplicate of the plain one (it serves LIKE prefixes the plain one cannot)', async function () {
    if (!conn) return;
    await conn.query(`CREATE INDEX body_idx ON ${schema}."Mixed Case" (body)`);
    try {
      const table = liveSchema(await readCatalog(conn, { schemas: [schema] })).tables.get(tableKey(schema, 'Mixed Case'));
      assert.ok(table);
      // desc_idx (n DESC) is plain_idx (n, id) read backwards; nothing on body is redundant.
      assert.deepEqual(redundantIndexes(table).map((r) => r.redundant.name), ['desc_idx']);
    } finally {
      await conn.query(`DROP INDEX ${schema}.body_idx`);
    }
  });

  it('names a schema that does not exist', async function () {
    if (!conn) return;
    await assert.rejects(readCatalog(conn, { schemas: [`${schema}_absent`] }), /schema health_cat_\w+_absent does not exist/);
  });

  it('estimates sizes from page counts when asked, without opening relations', async function () {
    if (!conn) return;
    const catalog = await readCatalog(conn, { schemas: [schema], exactSizes: false });
    assert.equal(catalog.sizesExact, false);
    assert.ok(catalog.indexes.every((i) => i.sizeBytes % catalog.server.blockSize === 0));
  });
});

describe('slow queries from pg_stat_statements', function () {
  this.timeout(60_000);
  const db = uniqueName('pglens_it_pgss');
  let admin: PgQueryConnection | undefined;
  let scratch: PgQueryConnection | undefined;

  before(async function () {
    admin = await openTestServer(this, 'slow query tests');
    if (!admin) return;
    await admin.query(`CREATE DATABASE ${db}`);
    const url = new URL(serverUrl());
    url.pathname = `/${db}`;
    scratch = await PgQueryConnection.open(url.toString());
  });

  after(async function () {
    await scratch?.close();
    if (!admin) return;
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.close();
  });

  it('says when the extension is not installed', async function () {
    if (!scratch) return;
    const result = await slowQueries(scratch);
    assert.deepEqual(result.available, false);
    assert.ok(!result.available && !result.installed);
    assert.match(!result.available ? result.reason : '', /not installed in this database.*CREATE EXTENSION pg_stat_statements/);
  });

  it('says when it is installed but not preloaded, or lists queries when it is', async function () {
    if (!scratch) return;
    const available = await scratch.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'pg_stat_statements'`);
    if (available.rows[0].n === 0) this.skip();
    await scratch.query('CREATE EXTENSION pg_stat_statements');
    const preload = await scratch.query<{ v: string }>(`SELECT current_setting('shared_preload_libraries') AS v`);
    const result = await slowQueries(scratch);
    if (/pg_stat_statements/.test(preload.rows[0].v)) {
      assert.equal(result.available, true);
      assert.ok(result.available && result.queries.every((q) => q.calls > 0 && q.totalMs >= 0));
    } else {
      assert.ok(!result.available && result.installed);
      assert.match(!result.available ? result.reason : '', /installed but not loaded: add it to shared_preload_libraries/);
    }
  });
});

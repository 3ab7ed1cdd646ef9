/**
 * Issue 18: per predicate kind, the right index type is proposed and verified — on the real
 * server (HypoPG for B-tree and BRIN; the candidates HypoPG cannot simulate built on a PGlite
 * sandbox) and on PGlite alone (real indexes, rolled back) — a plain B-tree is never proposed
 * where it cannot help, a low-selectivity query gets none, an existing index is recognised,
 * and every migration "Add to migration" would write runs on the server.
 */
import { strict as assert } from 'node:assert';
import { PGlite } from '@electric-sql/pglite';
import type { Connection, QueryResult } from '../../../src/core/db/connection';
import { PgConnection } from '../../../src/core/db/pg-connection';
import { pgliteExtensionsFor } from '../../../src/core/db/sandbox-build';
import { adviseIndexes, type AdviceResult, type Suggestion } from '../../../src/core/advise/advise';
import { extensionMigrationSpec, indexMigrationSpec } from '../../../src/core/advise/index-migration';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { serverConfig, serverTarget, serverUnavailable } from '../db/test-env';

const SEED = `
  CREATE TABLE docs (id int PRIMARY KEY, title text NOT NULL, email text NOT NULL, body text NOT NULL, doc jsonb NOT NULL,
                     tags text[] NOT NULL, span int4range NOT NULL, p point NOT NULL, day timestamp NOT NULL);
  INSERT INTO docs SELECT g, 'title ' || md5(g::text), 'User' || g || '@example.org',
      'lorem ipsum ' || md5(g::text) || CASE WHEN g % 1000 = 0 THEN ' needle' ELSE '' END,
      jsonb_build_object('kind', 'k' || (g % 500), 'n', g), ARRAY['t' || (g % 400), 'u' || (g % 7)], int4range(g, g + 5),
      point(g % 200, g / 200), timestamp '2024-01-01' + g * interval '1 minute'
    FROM generate_series(1, 20000) g;
  CREATE TABLE notes (id int PRIMARY KEY, title text NOT NULL);
  INSERT INTO notes SELECT g, 'note ' || md5(g::text) FROM generate_series(1, 20000) g;
  CREATE INDEX notes_title_trgm ON notes USING gin (title gin_trgm_ops);
  CREATE TABLE events (id bigint PRIMARY KEY, kind int NOT NULL, created_at timestamptz NOT NULL);
  INSERT INTO events SELECT g, g % 10, timestamptz '2024-01-01' + g * interval '10 seconds' FROM generate_series(1, 120000) g;
  ANALYZE;
`;

/** An in-process PGlite behind the Connection contract's `query`, enough for the advisor. */
class PgliteQuery implements Connection {
  readonly kind = 'embedded' as const;
  readonly label = 'PGlite';
  constructor(private readonly db: PGlite) {}
  async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    if (!params || params.length === 0) {
      const r = (await this.db.exec(sql)).at(-1);
      return { rows: (r?.rows ?? []) as R[], fields: (r?.fields ?? []).map((f) => ({ name: f.name })), rowCount: r?.rows.length ?? 0 };
    }
    const r = await this.db.query<R>(sql, params);
    return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.affectedRows ?? r.rows.length };
  }
  async queryOne<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const r = await this.db.query<R>(sql, params ?? []);
    return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.affectedRows ?? r.rows.length };
  }
  explain(): never {
    throw new Error('the advisor runs its own EXPLAINs');
  }
  async cancel() {}
  async close() {
    await this.db.close();
  }
  async serverVersion() {
    return '18';
  }
}

async function pglite(): Promise<PgliteQuery> {
  // The contrib modules the sandbox loads when the migrations create them.
  const { loaded } = await pgliteExtensionsFor(['CREATE EXTENSION pg_trgm; CREATE EXTENSION btree_gist;']);
  const db = new PGlite({ extensions: loaded });
  await db.exec(`CREATE EXTENSION pg_trgm; ${SEED}`);
  return new PgliteQuery(db);
}

/** The suggestion whose DDL matches, with the whole advice in the failure message. */
function proposed(advice: AdviceResult, ddl: RegExp): Suggestion {
  const s = advice.suggestions.find((x) => ddl.test(x.ddl));
  assert.ok(s, `expected ${ddl} among the suggestions:\n${JSON.stringify({ suggestions: advice.suggestions.map((x) => x.ddl), rejected: advice.rejected, unverified: advice.unverified }, null, 2)}`);
  assert.ok(s.improvement >= 1.25, `${s.ddl} improves ${s.improvement}`);
  assert.ok(s.writeOverhead && s.writeOverhead.length > 0);
  assert.ok((s.sizeBytes ?? 0) > 0, `${s.ddl} has a size`);
  return s;
}

/** No plain (single-column, default operator class) B-tree on the column anywhere: not proposed, not even tried. */
function noPlainBtree(advice: AdviceResult, table: string, column: string): void {
  const plain = new RegExp(`ON \\w+\\.${table} \\(${column}\\)`);
  const all = [...advice.suggestions.map((s) => s.ddl), ...advice.rejected.map((r) => r.ddl), ...(advice.unverified ?? []).map((u) => u.ddl)];
  assert.deepEqual(all.filter((d) => plain.test(d)), [], 'a plain B-tree cannot serve this predicate');
}

interface Setup {
  conn: Connection;
  /** The sandbox for what HypoPG cannot simulate (server only). */
  sandbox?: Connection;
  /** 'hypopg' for B-tree/BRIN on the server; the GIN/GiST kinds are always built on a sandbox. */
  btreeMethod: 'hypopg' | 'sandbox';
}

const emitted: Suggestion[] = [];

function describeKinds(name: string, open: () => Promise<Setup | undefined>, close: (s: Setup) => Promise<void>) {
  describe(`index types on ${name}`, function () {
    this.timeout(180_000);
    let setup: Setup | undefined;
    const advise = (sql: string) => adviseIndexes(setup!.conn, sql, { sandbox: setup!.sandbox });

    before(async function () {
      setup = await open();
      if (!setup) this.skip();
    });
    after(async () => {
      if (setup) await close(setup);
    });

    it("LIKE '%x%' and ILIKE: a pg_trgm GIN index, verified on the sandbox, never a plain B-tree", async () => {
      for (const sql of ["SELECT id FROM docs WHERE title LIKE '%abc12%'", "SELECT id FROM docs WHERE title ILIKE '%ABC12%'"]) {
        const advice = await advise(sql);
        const s = proposed(advice, /USING gin \(title public\.gin_trgm_ops\)/);
        assert.equal(s.method, 'sandbox');
        assert.equal(s.extension?.name, 'pg_trgm');
        assert.ok(s.after.executionTimeMs !== undefined && s.after.buffers !== undefined, 'timed and buffers counted on the sandbox');
        if (setup!.sandbox) assert.ok(s.before, 'costs of the sandbox, not the server');
        noPlainBtree(advice, 'docs', 'title');
        emitted.push(s);
      }
    });

    it('a regular expression: the trigram GIN index', async () => {
      const s = proposed(await advise("SELECT id FROM docs WHERE title ~ 'abc1[0-9]'"), /USING gin \(title public\.gin_trgm_ops\)/);
      assert.equal(s.method, 'sandbox');
    });

    it("LIKE 'x%': text_pattern_ops under a non-C collation, the plain B-tree under C", async () => {
      const advice = await advise("SELECT id FROM docs WHERE title LIKE 'title abc1%'");
      if (setup!.btreeMethod === 'hypopg') {
        // The scratch database uses C.UTF-8: not byte order for the planner's LIKE prefix.
        const s = proposed(advice, /\(title text_pattern_ops\)/);
        assert.equal(s.method, 'hypopg');
        noPlainBtree(advice, 'docs', 'title');
        emitted.push(s);
      } else {
        // PGlite's database collation is C: the plain B-tree serves the prefix.
        proposed(advice, /ON \w+\.docs \(title\);$/);
      }
    });

    it('lower(email) = …: an expression index on exactly lower(email)', async () => {
      const advice = await advise("SELECT id FROM docs WHERE lower(email) = 'user42@example.org'");
      const s = proposed(advice, /\(\(lower\(email\)\)\)/);
      assert.equal(s.method, setup!.btreeMethod);
      noPlainBtree(advice, 'docs', 'email');
      emitted.push(s);
    });

    it("doc ->> 'kind' = …: an expression B-tree on that path", async () => {
      const s = proposed(await advise("SELECT id FROM docs WHERE doc ->> 'kind' = 'k42'"), /\(\(\(doc ->> 'kind'\)\)\)/);
      assert.equal(s.method, setup!.btreeMethod);
      emitted.push(s);
    });

    it('jsonb @>: GIN jsonb_path_ops; with ? too: jsonb_ops', async () => {
      const path = proposed(await advise(`SELECT id FROM docs WHERE doc @> '{"kind": "k42"}'`), /USING gin \(doc jsonb_path_ops\)/);
      assert.equal(path.method, 'sandbox');
      emitted.push(path);
      const ops = proposed(await advise(`SELECT id FROM docs WHERE doc ? 'kind' AND doc @> '{"kind": "k42"}'`), /USING gin \(doc\);$/);
      assert.equal(ops.method, 'sandbox');
    });

    it("to_tsvector('english', body) @@ …: GIN on the same expression", async () => {
      const s = proposed(await advise("SELECT id FROM docs WHERE to_tsvector('english', body) @@ to_tsquery('english', 'needle')"), /USING gin \(\(to_tsvector\('english', body\)\)\)/);
      assert.equal(s.method, 'sandbox');
      emitted.push(s);
    });

    it('array @>: GIN; value = ANY(array) is told to rewrite', async () => {
      const s = proposed(await advise("SELECT id FROM docs WHERE tags @> ARRAY['t42']"), /USING gin \(tags\)/);
      assert.equal(s.method, 'sandbox');
      emitted.push(s);
      const any = await advise("SELECT id FROM docs WHERE 't42' = ANY(tags)");
      assert.deepEqual(any.suggestions, []);
      assert.ok(any.rejected.some((r) => /tags @> ARRAY\[value\]/.test(r.reason)), JSON.stringify(any.rejected));
    });

    it('range &&: GiST', async () => {
      const s = proposed(await advise('SELECT id FROM docs WHERE span && int4range(500, 510)'), /USING gist \(span\)/);
      assert.equal(s.method, 'sandbox');
      emitted.push(s);
    });

    it('ORDER BY point <-> … LIMIT: GiST k-NN', async () => {
      const s = proposed(await advise('SELECT id FROM docs ORDER BY p <-> point(50, 50) LIMIT 5'), /USING gist \(p\)/);
      assert.equal(s.method, 'sandbox');
      emitted.push(s);
    });

    it('a large append-only table filtered on a column in physical order: BRIN, a fraction of the B-tree', async () => {
      const advice = await advise("SELECT id FROM events WHERE created_at >= '2024-01-05' AND created_at < '2024-01-06'");
      const brin = proposed(advice, /USING brin \(created_at\)/);
      const btree = proposed(advice, /ON \w+\.events \(created_at\);$/);
      assert.equal(brin.method, setup!.btreeMethod);
      assert.ok(brin.sizeBytes! * 10 < btree.sizeBytes!, `BRIN ${brin.sizeBytes} vs B-tree ${btree.sizeBytes}`);
      emitted.push(brin);
    });

    it('no index for a low-selectivity filter', async () => {
      const advice = await advise("SELECT id FROM docs WHERE title LIKE '%e%'");
      assert.deepEqual(advice.suggestions, []);
      assert.match(advice.summary, /^no index helps/);
      noPlainBtree(advice, 'docs', 'title');
    });

    it('an existing trigram index is recognised: nothing proposed again', async () => {
      const advice = await advise("SELECT id FROM notes WHERE title ILIKE '%abc12%'");
      assert.deepEqual(advice.suggestions, []);
      assert.deepEqual(advice.rejected, []);
      assert.deepEqual(advice.unverified ?? [], []);
    });

    it('leaves nothing behind: no index, no extension it created, no open transaction', async () => {
      const idx = await setup!.conn.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename IN ('docs', 'events', 'notes')");
      assert.equal(idx.rows[0].n, 4);
      const ext = await setup!.conn.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_extension WHERE extname IN ('hypopg', 'btree_gist')");
      assert.equal(ext.rows[0].n, 0);
      await assert.rejects(setup!.conn.query('SAVEPOINT pglens_probe'), /transaction block/);
    });
  });
}

const database = `pglens_advise_types_${process.pid}`;
let admin: PgConnection | undefined;
describeKinds(
  'the real server (HypoPG, GIN/GiST on a PGlite sandbox)',
  async () => {
    const why = await serverUnavailable();
    if (why) {
      const line = `no PostgreSQL at ${serverTarget()} (${why})`;
      if (process.env.CI === 'true') throw new Error(`${line} — CI=true requires the server`);
      console.log(`\n  *** SKIPPED index types on server: ${line} ***\n`);
      return undefined;
    }
    admin = new PgConnection(serverConfig());
    const ext = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name IN ('hypopg', 'pg_trgm')");
    if (ext.rows[0].n < 2) {
      const msg = 'HypoPG or pg_trgm is not available on the server (apt-get install postgresql-15-hypopg)';
      if (process.env.CI === 'true') throw new Error(msg);
      console.log(`\n  *** SKIPPED index types on server: ${msg} ***\n`);
      return undefined;
    }
    await admin.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`);
    const conn = new PgConnection({ ...serverConfig(), ...(serverConfig().connectionString ? { connectionString: serverConfig().connectionString!.replace(/\/[^/?]*(\?|$)/, `/${database}$1`) } : { database }) });
    await conn.query('CREATE EXTENSION pg_trgm');
    for (const stmt of SEED.split(';').map((s) => s.trim()).filter(Boolean)) await conn.query(stmt);
    return { conn, sandbox: await pglite(), btreeMethod: 'hypopg' };
  },
  async (s) => {
    // Every migration the suggestions above would write runs on the server, one statement at a time, as a runner outside a transaction runs it.
    const failures: string[] = [];
    for (const sug of emitted.splice(0)) {
      for (const spec of [indexMigrationSpec({ before: { totalCost: 1 }, query: 'SELECT 1' }, sug), indexMigrationSpec({ before: { totalCost: 1 }, query: 'SELECT 1' }, sug, { concurrently: false }), extensionMigrationSpec(sug)]) {
        if (!spec) continue;
        const statements = spec.content.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--'));
        try {
          for (const stmt of statements) await s.conn.query(stmt);
          const valid = await s.conn.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_index WHERE NOT indisvalid');
          if (valid.rows[0].n !== 0) failures.push(`${sug.ddl}: left an invalid index`);
          for (const stmt of spec.downContent.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--'))) await s.conn.query(stmt);
        } catch (e) {
          failures.push(`${statements.join(' ')}: ${(e as Error).message}`);
        }
      }
    }
    await s.sandbox?.close();
    await s.conn.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin?.close();
    assert.deepEqual(failures, [], 'every emitted migration runs on PostgreSQL 15');
  },
);

describeKinds(
  'PGlite (real indexes in a rolled-back transaction)',
  async () => ({ conn: await pglite(), btreeMethod: 'sandbox' }),
  async (s) => {
    emitted.splice(0);
    await s.conn.close();
  },
);

describe('index types on a server without a sandbox', function () {
  this.timeout(60_000);
  it('reports GIN candidates unverified, saying HypoPG cannot simulate them and how to verify them', async function () {
    if (await serverUnavailable()) this.skip();
    const conn = new PgConnection(serverConfig());
    const hypopg = await conn.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'hypopg'");
    if (hypopg.rows[0].n === 0) {
      await conn.close();
      const msg = 'HypoPG is not available on the server (apt-get install postgresql-15-hypopg)';
      if (process.env.CI === 'true') throw new Error(msg);
      console.log(`\n  *** SKIPPED GIN without a sandbox: ${msg} ***\n`);
      this.skip();
    }
    const schema = `pglens_types_${process.pid}`;
    try {
      await conn.query(`CREATE SCHEMA ${schema}`);
      await conn.query(`SET search_path = ${schema}, public`);
      await conn.query(`CREATE TABLE docs (id int PRIMARY KEY, doc jsonb NOT NULL)`);
      await conn.query(`INSERT INTO docs SELECT g, jsonb_build_object('kind', 'k' || (g % 500)) FROM generate_series(1, 20000) g`);
      await conn.query('ANALYZE docs');
      const advice = await adviseIndexes(conn, `SELECT id FROM docs WHERE doc @> '{"kind": "k42"}'`);
      assert.deepEqual(advice.suggestions, []);
      assert.equal(advice.unverified?.length, 1, JSON.stringify(advice));
      assert.match(advice.unverified![0].ddl, /USING gin \(doc jsonb_path_ops\)/);
      assert.match(advice.unverified![0].reason, /HypoPG cannot simulate gin indexes: verify it on the embedded sandbox/);
      assert.match(advice.summary, /could not be verified/);
      noPlainBtree(advice, 'docs', 'doc');
    } finally {
      await conn.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await conn.close();
    }
  });
});

describe('seq-scan-filter on a leading-wildcard LIKE (real EXPLAIN ANALYZE on PGlite)', function () {
  this.timeout(60_000);
  it('points to the trigram index, not a plain B-tree', async () => {
    const conn = await pglite();
    try {
      const rows = (await conn.queryOne<Record<string, unknown>>("EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM docs WHERE title LIKE '%abc12%'")).rows;
      const report = analyzePlan(Object.values(rows[0])[0]);
      const f = report.findings.find((x) => x.ruleId === 'seq-scan-filter');
      assert.ok(f, JSON.stringify(report.findings));
      assert.equal(f.fix, 'CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX CONCURRENTLY ON docs USING gin (title gin_trgm_ops);');
      assert.match(f.message, /a plain B-tree cannot serve title ~~ '%abc12%'::text; a trigram \(pg_trgm GIN\) index would read only the rows it needs/);
    } finally {
      await conn.close();
    }
  });
});

import { strict as assert } from 'node:assert';
import { PGlite } from '@electric-sql/pglite';
import { PgConnection } from '../../../src/core/db/pg-connection';
import type { Connection, QueryResult } from '../../../src/core/db/connection';
import { adviseIndexes } from '../../../src/core/advise/advise';
import { serverConfig, serverTarget, serverUnavailable } from '../db/test-env';

/** The four cases of issue 8, on any database: multi-column best, partial wins, nothing helps, index exists. */
const SEED = `
  CREATE TABLE events (id bigint PRIMARY KEY, tenant_id int NOT NULL, kind text NOT NULL, created_at timestamptz NOT NULL, payload text);
  INSERT INTO events SELECT g, g % 500, (ARRAY['click','view','buy','share'])[1 + (g / 7) % 4], timestamptz '2024-01-01' + g * interval '1 minute', repeat('x', 20)
    FROM generate_series(1, 60000) g;
  CREATE TABLE jobs (id bigint PRIMARY KEY, status text NOT NULL, run_at timestamptz NOT NULL, note text);
  INSERT INTO jobs SELECT g, CASE WHEN g % 200 = 0 THEN 'pending' ELSE 'done' END, timestamptz '2024-01-01' + g * interval '1 minute', repeat('y', 40)
    FROM generate_series(1, 60000) g;
  CREATE TABLE flags (id bigint PRIMARY KEY, enabled boolean NOT NULL);
  INSERT INTO flags SELECT g, g % 2 = 0 FROM generate_series(1, 20000) g;
  CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
  INSERT INTO accounts SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 20000) g;
  CREATE INDEX accounts_email_idx ON accounts (email);
  CREATE TABLE shops (id bigint PRIMARY KEY, region text NOT NULL, tier int NOT NULL);
  INSERT INTO shops SELECT g, 'r' || (g % 1000), g % 5 FROM generate_series(1, 20000) g;
  CREATE TABLE sales (id bigint PRIMARY KEY, shop_id bigint NOT NULL, state text NOT NULL, amount int NOT NULL);
  INSERT INTO sales SELECT g, 1 + (g * 7919) % 20000, (ARRAY['new','paid','sent','void'])[1 + g % 4], g % 100 FROM generate_series(1, 60000) g;
  ANALYZE;
`;

function describeAdvisor(name: string, open: () => Promise<Connection | undefined>, cleanup: (c: Connection) => Promise<void>) {
  describe(`index advisor on ${name}`, function () {
    this.timeout(120_000);
    let conn: Connection | undefined;

    before(async function () {
      conn = await open();
      if (!conn) this.skip();
    });
    after(async () => {
      if (conn) await cleanup(conn);
    });

    it('finds the multi-column index for equality + equality + range', async () => {
      const advice = await adviseIndexes(conn!, "SELECT id, payload FROM events WHERE tenant_id = 42 AND kind = 'buy' AND created_at >= '2024-01-20'");
      assert.ok(advice.suggestions.length > 0, advice.summary);
      assert.deepEqual(advice.suggestions[0].columns, ['tenant_id', 'kind', 'created_at']);
      assert.ok(advice.suggestions[0].after.totalCost < advice.before.totalCost / 2);
      assert.match(advice.suggestions[0].ddl, /^CREATE INDEX CONCURRENTLY events_tenant_id_kind_created_at_idx ON \w+\.events \(tenant_id, kind, created_at\);$/);
    });

    it('reads the table the search_path finds first when two schemas have one of that name', async () => {
      const tag = Math.random().toString(36).slice(2, 8);
      const [first, second] = [`sp_first_${tag}`, `sp_second_${tag}`];
      // One statement per call: the PGlite adapter sends each through the extended protocol.
      for (const sql of [
        `CREATE SCHEMA ${first}`,
        `CREATE SCHEMA ${second}`,
        `CREATE TABLE ${second}.docs (id bigint PRIMARY KEY, user_id int)`,
        `CREATE TABLE ${first}.docs (id bigint, user_id int)`,
        `INSERT INTO ${first}.docs SELECT g, g % 1000 FROM generate_series(1, 30000) g`,
        `INSERT INTO ${second}.docs SELECT g, g % 1000 FROM generate_series(1, 30000) g`,
        `ANALYZE ${first}.docs`,
        `ANALYZE ${second}.docs`,
      ]) {
        await conn!.query(sql);
      }
      // The suite's own search_path (the server suite works in a scratch schema) comes back after.
      const saved = String((await conn!.query<{ p: string }>(`SELECT current_setting('search_path') AS p`)).rows[0].p);
      try {
        await conn!.query(`SET search_path = ${first}, ${second}, ${saved}`);
        const advice = await adviseIndexes(conn!, 'SELECT * FROM docs WHERE id = 42');
        assert.ok(advice.suggestions.some((x) => x.schema === first), `the unindexed ${first}.docs gets the index: ${advice.summary}`);
      } finally {
        await conn!.query(`SELECT set_config('search_path', $1, false)`, [saved]);
        for (const sql of [`DROP SCHEMA ${first} CASCADE`, `DROP SCHEMA ${second} CASCADE`]) await conn!.query(sql);
      }
    });

    it('prefers a partial index when a rare constant filters the rows', async () => {
      const advice = await adviseIndexes(conn!, "SELECT id, run_at FROM jobs WHERE status = 'pending' ORDER BY run_at LIMIT 10");
      assert.ok(advice.suggestions.length > 0, advice.summary);
      assert.equal(advice.suggestions[0].where, "status = 'pending'", JSON.stringify(advice.suggestions.map((s) => s.ddl)));
    });

    it('verifies a join\'s two indexes together: the outer filter and the inner lookup', async () => {
      const advice = await adviseIndexes(conn!, "SELECT s.id, s.amount FROM shops p JOIN sales s ON s.shop_id = p.id WHERE p.region = 'r7' AND p.tier = 2 AND s.state = 'new'");
      assert.ok(advice.together, advice.summary);
      assert.equal(advice.together.ddls.length, 2);
      assert.ok(advice.together.ddls.some((d) => / ON \w+\.shops \(region/.test(d)), advice.together.ddls.join(' '));
      assert.ok(advice.together.ddls.some((d) => / ON \w+\.sales \((state, shop_id|shop_id)/.test(d)), advice.together.ddls.join(' '));
      const bestAlone = Math.min(...advice.suggestions.map((x) => x.after.totalCost));
      assert.ok(advice.together.after.totalCost < bestAlone * 0.8, `${advice.together.after.totalCost} vs ${bestAlone}`);
      assert.match(advice.summary, /^2 indexes together cut the plan's cost/);
    });

    it('says no index helps when the filter keeps half the table', async () => {
      const advice = await adviseIndexes(conn!, 'SELECT count(*) FROM flags WHERE enabled');
      assert.deepEqual(advice.suggestions, []);
      assert.match(advice.summary, /^no index helps/);
    });

    it('proposes nothing when the right index exists', async () => {
      const advice = await adviseIndexes(conn!, "SELECT id FROM accounts WHERE email = 'u42@example.com'");
      assert.deepEqual(advice.suggestions, []);
      assert.deepEqual(advice.rejected, []);
      assert.match(advice.summary, /right index exists/);
    });

    it('leaves nothing behind: no index, no hypothetical index, no open transaction', async () => {
      await adviseIndexes(conn!, "SELECT id FROM events WHERE tenant_id = 7 AND kind = 'view'");
      const idx = await conn!.query<{ n: string }>("SELECT count(*)::text AS n FROM pg_indexes WHERE tablename IN ('events','jobs','flags')");
      assert.equal(idx.rows[0].n, '3');
      // SAVEPOINT is only accepted inside a transaction block: its refusal proves none is open.
      await assert.rejects(conn!.query('SAVEPOINT pglens_probe'), /transaction block/);
    });
  });
}

/** An in-process PGlite behind the Connection contract's `query`, enough for the advisor. */
class PgliteQuery implements Connection {
  readonly kind = 'embedded' as const;
  readonly label = 'PGlite';
  constructor(private readonly db: PGlite) {}
  async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const r = await this.db.query<R>(sql, params);
    return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.affectedRows ?? r.rows.length };
  }
  /** PGlite's query() is the extended protocol already. */
  queryOne<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.query<R>(sql, params);
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

const schema = `pglens_advise_${process.pid}`;
describeAdvisor(
  'the real server (HypoPG)',
  async () => {
    const why = await serverUnavailable();
    if (why) {
      const line = `no PostgreSQL at ${serverTarget()} (${why})`;
      if (process.env.CI === 'true') throw new Error(`${line} — CI=true requires the server`);
      console.log(`\n  *** SKIPPED advisor on server: ${line} ***\n`);
      return undefined;
    }
    const conn = new PgConnection(serverConfig());
    const ext = await conn.query<{ ok: boolean }>("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS ok");
    if (!ext.rows[0].ok) {
      const msg = 'HypoPG is not installed on the server (apt-get install postgresql-15-hypopg)';
      if (process.env.CI === 'true') throw new Error(msg);
      console.log(`\n  *** SKIPPED advisor on server: ${msg} ***\n`);
      await conn.close();
      return undefined;
    }
    await conn.query(`CREATE SCHEMA ${schema}`);
    // The session's own settings survive every advice: pglens's reset after it leaves them alone.
    await conn.query(`SET search_path = ${schema}, public`);
    for (const stmt of SEED.split(';').map((s) => s.trim()).filter(Boolean)) await conn.query(stmt);
    return conn;
  },
  async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.close();
  },
);

describeAdvisor(
  'PGlite (real indexes in a rolled-back transaction)',
  async () => {
    const db = new PGlite();
    await db.exec(SEED);
    return new PgliteQuery(db);
  },
  (c) => c.close(),
);

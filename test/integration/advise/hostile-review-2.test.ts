/**
 * The second hostile review of the advisor, each defect reproduced on the real server in a
 * scratch database (dropped afterwards), HypoPG installed in a schema off the search_path:
 * - 1: an index name another relation of the schema has (another table's index, a sequence) is
 *   never emitted; the DDL, run as a migration runner runs it, creates the index (no IF NOT
 *   EXISTS to skip it), on a partitioned table too;
 * - 2: an expression over two columns is not verified on HypoPG's guessed selectivity;
 * - 3: no BRIN on a column whose most common value holds 99% of the rows;
 * - 4: HypoPG in a schema off the search_path;
 * - 7, 10: a table named with a newline and a bidirectional control: the summary counts one
 *   statement, the generated name has neither character, and text output refers to --format json;
 * - 11: a catalog read waiting on a lock gives up after the lock_timeout;
 * - 12, 14: the CLI refuses extra --param values, and names --sandbox, not --embedded.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { PgConnection } from '../../../src/core/db/pg-connection';
import { adviseIndexes, type AdviceResult, type Suggestion } from '../../../src/core/advise/advise';
import { indexMigrationSpec } from '../../../src/core/advise/index-migration';
import { removeSettled, repoRoot, requireServer, serverConfig, serverUrl } from '../db/test-env';

const SEED = `
  CREATE SCHEMA hx;
  CREATE EXTENSION hypopg SCHEMA hx;
  CREATE TABLE t (id int PRIMARY KEY, c int NOT NULL);
  INSERT INTO t SELECT g, g FROM generate_series(1, 50000) g;
  CREATE TABLE t2 (x int);
  CREATE INDEX t_c_idx ON t2 (x);
  CREATE TABLE lst (id int NOT NULL, v int NOT NULL) PARTITION BY LIST (id);
  CREATE TABLE lst_a PARTITION OF lst FOR VALUES IN (1, 2, 3);
  CREATE TABLE lst_b PARTITION OF lst DEFAULT;
  INSERT INTO lst SELECT g % 7, g FROM generate_series(1, 100000) g;
  CREATE SEQUENCE lst_v_idx;
  CREATE SEQUENCE lst_a_v_idx;
  CREATE TABLE e (id bigint, status text, n int);
  INSERT INTO e SELECT g, CASE WHEN g % 10 = 0 THEN 'Closed' ELSE 'Active' END, g FROM generate_series(1, 300000) g;
  CREATE TABLE nc (id bigint, v int, pad text);
  INSERT INTO nc SELECT g, CASE WHEN g % 100 = 0 THEN g ELSE 1 END, repeat('x', 40) FROM generate_series(1, 1000000) g;
  CREATE TABLE "ev\u202e\nil" (id int PRIMARY KEY, c int NOT NULL);
  INSERT INTO "ev\u202e\nil" SELECT g, g FROM generate_series(1, 50000) g;
  ANALYZE;
`;

function dump(advice: AdviceResult): string {
  return JSON.stringify({ suggestions: advice.suggestions.map((s) => [s.ddl, s.reason]), rejected: advice.rejected, unverified: advice.unverified, summary: advice.summary }, null, 2);
}

describe('index advisor: second hostile review (real server, HypoPG in a schema off the search_path)', function () {
  this.timeout(300_000);
  const database = `pglens_advise_hostile2_${process.pid}`;
  let admin: PgConnection | undefined;
  let server: PgConnection | undefined;
  let url = '';

  before(async function () {
    await requireServer(this, 'advise hostile review');
    admin = new PgConnection(serverConfig());
    const ext = await admin.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'hypopg'");
    if (ext.rows[0].n < 1) {
      if (process.env.CI === 'true') throw new Error('HypoPG is not available on the server');
      this.skip();
    }
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'`);
    const cfg = serverConfig();
    server = new PgConnection({ ...cfg, ...(cfg.connectionString ? { connectionString: cfg.connectionString.replace(/\/[^/?]*(\?|$)/, `/${database}$1`) } : { database }) });
    url = serverUrl().replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
    for (const stmt of SEED.split(';').map((s) => s.trim()).filter(Boolean)) await server.query(stmt);
  });

  after(async () => {
    await server?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.close();
  });

  /** Runs a migration file as a user does: psql -f, stopping at the first error (statement by statement, outside a transaction). */
  function psql(content: string): void {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-advise-h2-sql-'));
    try {
      const file = path.join(dir, 'm.sql');
      writeFileSync(file, content);
      const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${content}\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /NOTICE|skipping/, r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const applyUp = (s: Suggestion) => psql(indexMigrationSpec({ before: { totalCost: 1 }, query: 'SELECT 1' }, s).content);
  const applyDown = (s: Suggestion) => psql(indexMigrationSpec({ before: { totalCost: 1 }, query: 'SELECT 1' }, s).downContent);

  describe('4: HypoPG installed in a schema off the search_path', () => {
    it('is used, its calls qualified', async () => {
      const path = await server!.query<{ p: string }>('SHOW search_path');
      assert.doesNotMatch(String(path.rows[0].p), /hx/);
      const advice = await adviseIndexes(server!, 'SELECT id FROM t WHERE c = 42');
      assert.equal(advice.hypopg, 'installed');
      assert.ok(advice.suggestions.length > 0, dump(advice));
    });
  });

  describe('1: index names in the schema-wide namespace', () => {
    it('avoids the name of another table\'s index, and the DDL creates the index on t', async () => {
      const advice = await adviseIndexes(server!, 'SELECT id FROM t WHERE c = 42');
      const s = advice.suggestions.find((x) => x.columns.join() === 'c' && x.include.length === 0);
      assert.ok(s, dump(advice));
      assert.match(s.ddl, /^CREATE INDEX CONCURRENTLY t_c_[0-9a-f]{8}_idx ON public\.t \(c\);$/);
      applyUp(s);
      const on = await server!.query<{ name: string }>("SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'public.t'::regclass AND NOT indisprimary");
      assert.equal(on.rows.length, 1);
      assert.match(on.rows[0].name, /^t_c_[0-9a-f]{8}_idx$/);
      applyDown(s);
    });

    it('on a partitioned table, avoids sequences named like the parent\'s and a partition\'s index; the recipe runs', async () => {
      const advice = await adviseIndexes(server!, 'SELECT id FROM lst WHERE v = 42');
      const s = advice.suggestions.find((x) => x.columns.join() === 'v' && x.include.length === 0);
      assert.ok(s, dump(advice));
      assert.doesNotMatch(s.ddl, /\blst_v_idx\b|\blst_a_v_idx\b/);
      assert.doesNotMatch(s.ddl, /IF NOT EXISTS/);
      applyUp(s);
      const tree = await server!.query<{ n: number; valid: boolean }>(
        "SELECT count(*)::int AS n, bool_and(x.indisvalid) AS valid FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid WHERE c.relname IN ('lst', 'lst_a', 'lst_b') AND x.indkey::text = '2'",
      );
      assert.deepEqual(tree.rows[0], { n: 3, valid: true });
      applyDown(s);
      const seq = await server!.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('lst_v_idx', 'lst_a_v_idx') AND relkind = 'S'");
      assert.equal(seq.rows[0].n, 2);
    });
  });

  describe('2: an expression over two columns', () => {
    it('(n - id) = 0, which every row matches: not verified, with the reason', async () => {
      const advice = await adviseIndexes(server!, 'SELECT * FROM e WHERE (n - id) = 0');
      assert.ok(!advice.suggestions.some((s) => /n - id/.test(s.ddl)), dump(advice));
      const u = advice.unverified?.find((x) => /\(\(n - id\)\)/.test(x.ddl));
      assert.ok(u, dump(advice));
      assert.match(u.reason, /with HypoPG, but that cost rests on a guess .*pg_stats cannot judge \(?n - id\)?: it reads several columns \(n, id\)/);
    });
  });

  describe('3: BRIN on a column one value dominates', () => {
    it('is not tried, and says why', async () => {
      const advice = await adviseIndexes(server!, 'SELECT * FROM nc WHERE v > 500000 AND v < 500500');
      assert.ok(!advice.suggestions.some((s) => s.using === 'brin'), dump(advice));
      const r = advice.rejected.find((x) => /USING brin \(v\)/.test(x.ddl));
      assert.ok(r, dump(advice));
      assert.match(r.reason, /no BRIN on v: its most common value holds 99(\.\d)?% of the rows \(pg_stats most_common_freqs; a BRIN needs under 50%\)/);
    });
  });

  describe('7, 10: a table named with a newline and a bidirectional control', () => {
    it('one statement in the summary, a clean generated name, and its DDL runs', async () => {
      const advice = await adviseIndexes(server!, 'SELECT id FROM "ev\u202e\nil" WHERE c = 42');
      const s = advice.suggestions.find((x) => x.columns.join() === 'c' && x.include.length === 0);
      assert.ok(s, dump(advice));
      assert.equal(s.ddl, 'CREATE INDEX CONCURRENTLY evil_c_idx ON public."ev\u202e\nil" (c);');
      assert.doesNotMatch(advice.summary, /more statements/);
      applyUp(s);
      applyDown(s);
    });

    it('text output does not print the statement it would have to escape: it points to --format json', () => {
      const cli = path.join(repoRoot(), 'dist', 'cli.js');
      const r = spawnSync(process.execPath, [cli, 'advise', '--db', url, 'SELECT id FROM "ev\u202e\nil" WHERE c = 42'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /DDL not shown: an identifier in it holds control or bidirectional characters.*take it from --format json/);
      assert.ok(!r.stdout.includes('\u202e'));
      assert.match(r.stdout, /Note: an identifier above holds control or bidirectional characters, spelled out in text output: take the DDL from --format json\./);
      const json = spawnSync(process.execPath, [cli, 'advise', '--db', url, '--format', 'json', 'SELECT id FROM "ev\u202e\nil" WHERE c = 42'], { encoding: 'utf8' });
      assert.equal(json.status, 0, json.stderr);
      assert.ok((JSON.parse(json.stdout) as { suggestions: { ddl: string }[] }).suggestions.some((x) => x.ddl === 'CREATE INDEX CONCURRENTLY evil_c_idx ON public."ev\u202e\nil" (c);'));
    });
  });

  describe('11: a catalog read behind a lock', () => {
    it('gives up after the lock_timeout, not the statement timeout', async () => {
      const holder = new Client({ ...serverConfig(), database, ...(serverConfig().connectionString ? { connectionString: url } : {}) });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        await assert.rejects(adviseIndexes(server!, 'SELECT id FROM t WHERE c = 42'), /waited over 2 s for a lock on a table the statement reads/);
        assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`);
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
      }
    });
  });

  describe('12, 14: the CLI', () => {
    const cli = () => path.join(repoRoot(), 'dist', 'cli.js');

    it('refuses more --param values than placeholders, as explain does', () => {
      const r = spawnSync(process.execPath, [cli(), 'advise', '--db', url, '--param', '1', '--param', '2', 'SELECT id FROM t WHERE c = $1'], { encoding: 'utf8' });
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, /the statement uses 1 parameter\(s\) but 2 --param value\(s\) were given/);
    });

    it('--db with --sandbox names --sandbox as why the sandbox is used', async () => {
      const work = mkdtempSync(path.join(os.tmpdir(), 'pglens-advise-h2-'));
      try {
        const migrations = path.join(work, 'migrations');
        mkdirSync(migrations);
        writeFileSync(path.join(migrations, '001.sql'), 'CREATE TABLE t (id int PRIMARY KEY, c int NOT NULL);\n');
        const env = { PATH: process.env.PATH ?? '', HOME: work, XDG_CACHE_HOME: path.join(work, 'cache') };
        const r = spawnSync(process.execPath, [cli(), 'advise', '--db', url, '--sandbox', '--migrations', migrations, '--no-data', 'SELECT id FROM t WHERE c = 42'], { encoding: 'utf8', cwd: work, env });
        assert.equal(r.status, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /--embedded was given/);
        assert.match(r.stderr, /using the embedded sandbox \(--sandbox was given/);
      } finally {
        // The sandbox's process may still be writing its cache as it exits.
        await removeSettled(work);
      }
    });
  });

  describe('afterwards', () => {
    it('leaves no index behind and HypoPG where it was', async () => {
      const idx = await server!.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%pkey' AND indexname <> 't_c_idx'");
      assert.equal(idx.rows[0].n, 0);
      const ext = await server!.query<{ schema: string }>("SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'hypopg'");
      assert.deepEqual(ext.rows, [{ schema: 'hx' }]);
    });
  });
});

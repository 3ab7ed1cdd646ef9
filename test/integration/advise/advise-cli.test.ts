/**
 * `pglens advise` as a user runs it (dist/cli.js, the real sandbox process and cache):
 * - the sandbox measures trigram candidates although the migrations never create pg_trgm (it is
 *   loaded in the sandbox only, created inside the rolled-back transaction);
 * - D9: `--timeout` bounds each advisor statement on the sandbox, which has no statement_timeout;
 * - D10: Ctrl-C during `--sandbox` closes the sandbox too, so its working copy of the database
 *   (hundreds of MB) does not stay in the cache.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { removeSettled, repoRoot, requireServer, serverConfig, serverUrl, uniqueName } from '../db/test-env';

const MIGRATION = `CREATE TABLE docs (id int PRIMARY KEY, title text NOT NULL);
INSERT INTO docs SELECT g, 'title ' || md5(g::text) FROM generate_series(1, 200000) g;
ANALYZE docs;
`;
const QUERY = "SELECT id FROM docs WHERE title LIKE '%abc12%'";

describe('pglens advise (CLI, real sandbox process)', function () {
  this.timeout(240_000);
  const cli = path.join(repoRoot(), 'dist', 'cli.js');
  let work: string;
  let cache: string;
  let migrations: string;

  before(() => {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: repoRoot(), stdio: 'ignore' });
    work = mkdtempSync(path.join(os.tmpdir(), 'pglens-advise-cli-'));
    cache = path.join(work, 'cache');
    migrations = path.join(work, 'migrations');
    execFileSync('mkdir', ['-p', migrations]);
    // No CREATE EXTENSION pg_trgm anywhere.
    writeFileSync(path.join(migrations, '001_docs.sql'), MIGRATION);
  });
  after(async () => {
    if (work) await removeSettled(work);
  });

  const env = (root = cache) => ({ PATH: process.env.PATH ?? '', HOME: work, XDG_CACHE_HOME: root });
  const runs = (root = cache) => (existsSync(path.join(root, 'pglens', 'sandbox', 'run')) ? readdirSync(path.join(root, 'pglens', 'sandbox', 'run')) : []);

  it('measures a trigram index on the sandbox although the migrations do not create pg_trgm', () => {
    const r = spawnSync(process.execPath, [cli, 'advise', '--embedded', '--migrations', migrations, '--no-data', '--format', 'json', QUERY], { cwd: work, encoding: 'utf8', env: env() });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { suggestions: { ddl: string; method: string; extension: { name: string; installed: boolean; available: boolean } }[]; unverified: unknown[] };
    // Not installed: unqualified, for the CREATE EXTENSION the migration starts with puts it on the search_path.
    const s = out.suggestions.find((x) => /USING gin \(title gin_trgm_ops\)/.test(x.ddl));
    assert.ok(s, r.stdout);
    assert.equal(s.method, 'sandbox');
    // The sandbox had it available, not installed: the migration the user adds creates it.
    assert.deepEqual(s.extension, { name: 'pg_trgm', installed: false, available: true });
    assert.deepEqual(out.unverified, []);
  });

  it('--timeout ends an advisor statement on the sandbox that runs longer (D9)', () => {
    const r = spawnSync(process.execPath, [cli, 'advise', '--embedded', '--migrations', migrations, '--no-data', '--timeout', '0.3', QUERY], { cwd: work, encoding: 'utf8', env: env() });
    assert.notEqual(r.status, 0, r.stdout);
    assert.match(r.stderr, /an advisor statement ran longer than the timeout \(300 ms\) on the embedded sandbox, which was ended and restarted: /);
    assert.match(r.stderr, /raise --timeout/);
  });

  describe('with a server', () => {
    const schema = uniqueName('pglens_advise_cli');
    let client: Client | undefined;

    before(async function () {
      await requireServer(this, 'advise CLI on a server');
      client = new Client(serverConfig());
      await client.connect();
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path = ${schema}`);
      for (const stmt of MIGRATION.split(';').map((s) => s.trim()).filter(Boolean)) await client.query(stmt);
    });
    after(async () => {
      await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await client?.end().catch(() => undefined);
    });

    const url = () => `${serverUrl()}${serverUrl().includes('?') ? '&' : '?'}options=${encodeURIComponent(`-csearch_path=${schema}`)}`;

    it('Ctrl-C while advising with --sandbox closes the sandbox: no working copy is left in the cache (D10)', async () => {
      const child = spawn(process.execPath, [cli, 'advise', '--db', url(), '--sandbox', '--migrations', migrations, '--no-data', QUERY], { cwd: work, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let signalled = false;
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // The sandbox is up and the advisor starts: interrupt it there, mid-run.
        if (!signalled && /using the embedded sandbox/.test(stderr)) {
          signalled = true;
          child.kill('SIGINT');
        }
      });
      const code = await exited;
      assert.ok(signalled, stderr);
      assert.equal(code, 130, `interrupted mid-run, not finished: ${stderr}`);
      assert.match(stderr, /interrupted — cancelling the statement on .* and embedded sandbox \(PGlite\)/);
      // The sandbox removes its working copy as it closes, before the CLI exits.
      assert.deepEqual(runs(), []);
    });

    it('Ctrl-C while the sandbox starts (replaying the migrations) ends it and removes its working copy (D10)', async () => {
      // A cache of its own: a cold start replays 200,000 rows, seconds to interrupt in.
      const cold = path.join(work, 'cold-cache');
      const child = spawn(process.execPath, [cli, 'advise', '--db', url(), '--sandbox', '--migrations', migrations, '--no-data', QUERY], { cwd: work, env: env(cold), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let started = false;
      for (let i = 0; i < 600 && !started; i++) {
        started = runs(cold).length > 0;
        if (!started) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(started, `the sandbox never started: ${stderr}`);
      child.kill('SIGINT');
      const code = await exited;
      assert.equal(code, 130, `interrupted while the sandbox started: ${stderr}`);
      assert.doesNotMatch(stderr, /using the embedded sandbox/, 'it was still starting');
      assert.deepEqual(runs(cold), []);
    });
  });

  after(() => {
    // A sandbox cache of this size is what D10 was about: make sure none is left under the test's HOME either.
    if (work && existsSync(path.join(work, '.cache'))) rmSync(path.join(work, '.cache'), { recursive: true, force: true });
  });
});

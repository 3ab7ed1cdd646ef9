import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createEmbeddedConnection, type EmbeddedConnection } from '../../../src/core/db/embedded-connection';
import { processAlive } from '../../../src/core/db/process-alive';
import type { SandboxReport } from '../../../src/core/db/sandbox-report';
import { isPglensError } from '../../../src/core/errors';
import { describeConnectionContract } from './connection-contract';
import { describeExplainSafety } from './explain-safety-contract';
import { describeCallAnalysis } from './call-analysis-contract';
import { fixture, sandboxWorker, tempCacheDir } from './test-env';

/** PGlite costs seconds and ~500 MB per process: each suite uses one sandbox, closed in its after(). */
const START_TIMEOUT = 180_000;

describe('EmbeddedConnection', function () {
  const cache = tempCacheDir();
  after(() => cache.remove());

  const create = async () =>
    createEmbeddedConnection({ workspaceRoot: fixture('basic'), cacheDir: cache.dir, ...sandboxWorker() });

  describeConnectionContract('EmbeddedConnection (PGlite)', {
    create,
    longQuery: 'SELECT count(*) FROM generate_series(1, 2000000000)',
    startTimeoutMs: START_TIMEOUT,
  });
  describeExplainSafety('EmbeddedConnection (PGlite)', { create, startTimeoutMs: START_TIMEOUT });
  describeCallAnalysis('EmbeddedConnection (PGlite)', { create, startTimeoutMs: START_TIMEOUT });

  it('is not started by construction', () => {
    const conn = createEmbeddedConnection({ workspaceRoot: fixture('basic'), cacheDir: cache.dir, ...sandboxWorker() });
    assert.equal(conn.report, undefined);
  });
});

describe('Embedded sandbox build', function () {
  this.timeout(START_TIMEOUT);
  const cache = tempCacheDir();
  let conn: EmbeddedConnection | undefined;
  const progress: string[] = [];

  after(async () => {
    await conn?.close();
    await cache.remove();
  });

  const open = (migrationFiles?: string[]) =>
    createEmbeddedConnection({
      workspaceRoot: fixture('basic'),
      migrationFiles,
      cacheDir: cache.dir,
      ...sandboxWorker(),
      onProgress: (m) => progress.push(m),
    });

  it('replays the migrations in name order and reports a failing file with line and message', async () => {
    conn = open();
    const report = await conn.sandboxReport();
    assert.equal(report.fromCache, false);
    assert.deepEqual(report.files, [
      'migrations/001_init.sql',
      'migrations/002_orders.sql',
      'migrations/003_broken.sql',
      'migrations/004_concurrently.sql',
      'migrations/005_after_failure.sql',
    ]);
    assert.deepEqual(report.applied, report.files.filter((f) => f !== 'migrations/003_broken.sql'));
    assert.equal(report.failed.length, 1);
    assert.equal(report.failed[0].file, 'migrations/003_broken.sql');
    assert.equal(report.failed[0].line, 4);
    assert.match(report.failed[0].message, /column "no_such_column" does not exist/);
    assert.ok(progress.some((m) => /initdb/.test(m)));
  });

  it('rolls back the failing file as a whole and keeps what applied after it', async () => {
    const cols = await conn!.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'status'`);
    assert.equal(cols.rows.length, 0, 'the ALTER before the failing statement of 003 was rolled back');
    const tables = await conn!.query(`SELECT 1 FROM pg_tables WHERE tablename = 'audit_log'`);
    assert.equal(tables.rows.length, 1);
  });

  it('retries a CONCURRENTLY file statement by statement', async () => {
    const idx = await conn!.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_created_at_idx'`);
    assert.equal(idx.rows.length, 1);
  });

  it('loads the extensions the migrations create (pg_trgm, citext)', async () => {
    const report = await conn!.sandboxReport();
    assert.deepEqual(report.extensions, ['citext', 'pg_trgm']);
    const r = await conn!.query<{ same: boolean; sim: number }>(`SELECT 'Ann@Example.com'::citext = 'ann@example.com'::citext AS same, similarity('postgres', 'postgre') AS sim`);
    assert.equal(r.rows[0].same, true);
    assert.ok(r.rows[0].sim > 0.5);
  });

  it('starts warm from the cache, faster, without replaying', async () => {
    const cold = (await conn!.sandboxReport()).buildMs;
    await conn!.close();
    progress.length = 0;
    conn = open();
    const report = await conn.sandboxReport();
    assert.equal(report.fromCache, true);
    assert.ok(report.buildMs < cold, `warm ${report.buildMs} ms < cold ${cold} ms`);
    assert.ok(!progress.some((m) => /initdb|replaying/.test(m)), progress.join('; '));
    assert.deepEqual(report.failed.map((f) => f.file), ['migrations/003_broken.sql']);
    const idx = await conn.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'orders_created_at_idx'`);
    assert.equal(idx.rows.length, 1);
  });

  it('builds another migration set from the cached initdb, without running initdb again', async () => {
    await conn!.close();
    progress.length = 0;
    conn = open(['migrations/001_init.sql', 'migrations/002_orders.sql']);
    const report = await conn.sandboxReport();
    assert.equal(report.fromCache, false);
    assert.deepEqual(report.applied, ['migrations/001_init.sql', 'migrations/002_orders.sql']);
    assert.ok(report.phases && report.phases.replay !== undefined && report.phases.initdb === undefined, JSON.stringify(report.phases));
    assert.ok(progress.some((m) => /cached initdb/.test(m)), progress.join('; '));
    const t = await conn.query(`SELECT 1 FROM pg_tables WHERE tablename = 'orders'`);
    assert.equal(t.rows.length, 1);
  });

  it('replays only the files after the longest cached prefix, keeping its failures', async () => {
    await conn!.close();
    progress.length = 0;
    // [001, 002] is cached by the test before: only 003 runs.
    conn = open(['migrations/001_init.sql', 'migrations/002_orders.sql', 'migrations/003_broken.sql']);
    let report = await conn.sandboxReport();
    assert.equal(report.fromCache, false);
    assert.equal(report.reusedFiles, 2);
    assert.ok(progress.some((m) => /cached build of the first 2 of 3/.test(m)), progress.join('; '));
    assert.ok(report.phases?.initdb === undefined, JSON.stringify(report.phases));
    assert.deepEqual(report.failed.map((f) => `${f.file}:${f.line}`), ['migrations/003_broken.sql:4']);
    await conn.close();
    progress.length = 0;
    // [001, 002, 003] is now cached too, failure and all: only 005 runs.
    conn = open(['migrations/001_init.sql', 'migrations/002_orders.sql', 'migrations/003_broken.sql', 'migrations/005_after_failure.sql']);
    report = await conn.sandboxReport();
    assert.equal(report.reusedFiles, 3);
    assert.deepEqual(report.applied, ['migrations/001_init.sql', 'migrations/002_orders.sql', 'migrations/005_after_failure.sql']);
    assert.deepEqual(report.failed.map((f) => `${f.file}:${f.line}`), ['migrations/003_broken.sql:4']);
    const tables = await conn.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    assert.deepEqual(tables.rows.map((r) => r.tablename), ['audit_log', 'orders', 'users']);
    const status = await conn.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'status'`);
    assert.equal(status.rows.length, 0, 'the failed file stays rolled back');
  });

  it('caches a build that shares its untouched files with the build it started from, and loads it warm', async () => {
    await conn!.close();
    const entries = readdirSync(cache.dir).filter((n) => n.startsWith('sandbox-'));
    const linked = entries.map((n) => countLinked(path.join(cache.dir, n, 'pgdata')));
    assert.ok(linked.some((n) => n > 100), `hard-linked files per entry: ${linked.join(', ')}`);
    conn = open(['migrations/001_init.sql', 'migrations/002_orders.sql', 'migrations/003_broken.sql', 'migrations/005_after_failure.sql']);
    const report = await conn.sandboxReport();
    assert.equal(report.fromCache, true);
    assert.equal(report.reusedFiles, undefined);
    const check = await conn.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_class WHERE relname IN ('users', 'orders', 'audit_log', 'users_name_trgm_idx')`);
    assert.equal(check.rows[0].n, '4');
    // The generated rows as the fill counted them (its ANALYZE), none of a session's writes.
    const integrity = await conn.query<{ n: string; counted: string }>(`SELECT count(*)::text AS n, (SELECT reltuples::int8::text FROM pg_class WHERE relname = 'users') AS counted FROM users`);
    assert.equal(integrity.rows[0].n, integrity.rows[0].counted);
    assert.ok(Number(integrity.rows[0].n) > 0, 'the cached build holds the generated rows');
  });

  it('starts from the copy a previous session prepared, which has none of that session\'s writes', async () => {
    await conn!.close();
    conn = open();
    assert.equal((await conn.sandboxReport()).fromCache, true);
    await conn.query('CREATE TABLE written_in_session (id int)');
    await conn.close();
    await waitForSpares(cache.dir);
    conn = open();
    const report = await conn.sandboxReport();
    assert.equal(report.fromCache, true);
    assert.ok(report.phases?.spare !== undefined, JSON.stringify(report.phases));
    assert.ok((report.cpuMs ?? 0) > 0);
    const t = await conn.query(`SELECT 1 FROM pg_tables WHERE tablename = 'written_in_session'`);
    assert.equal(t.rows.length, 0);
    const idx = await conn.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'orders_created_at_idx'`);
    assert.equal(idx.rows.length, 1);
  });

  it('reports a sandbox that cannot start as a PglensError', async () => {
    const broken = createEmbeddedConnection({ workspaceRoot: fixture('basic'), cacheDir: cache.dir, workerScript: fixture('basic') + '/no-such-worker.js' });
    await assert.rejects(broken.sandboxReport(), (e: unknown) => isPglensError(e) && e.code === 'sandbox-failed');
    await broken.close();
  });
});

describe('Embedded sandbox from a shipped initdb archive', function () {
  this.timeout(START_TIMEOUT);
  const cache = tempCacheDir();
  const archives = mkdtempSync(path.join(os.tmpdir(), 'pglens-initdb-'));
  const files = ['migrations/001_init.sql', 'migrations/002_orders.sql'];
  let conn: EmbeddedConnection | undefined;

  before(async () => {
    // What the build ships (scripts/initdb-archive.mjs): PGlite's own dump of a fresh initdb.
    const db = await PGlite.create();
    await db.exec('CHECKPOINT');
    writeFileSync(path.join(archives, 'initdb.tar.gz'), Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer()));
    await db.close();
    writeFileSync(path.join(archives, 'damaged.tar.gz'), Buffer.from('not an archive'));
  });
  after(async () => {
    await conn?.close();
    await cache.remove();
    rmSync(archives, { recursive: true, force: true });
  });

  const open = (cacheDir: string, archive: string, progress: string[]) =>
    createEmbeddedConnection({
      workspaceRoot: fixture('basic'),
      migrationFiles: files,
      cacheDir,
      initdbArchive: path.join(archives, archive),
      ...sandboxWorker(),
      onProgress: (m) => progress.push(m),
    });

  it('unpacks it as the cached template instead of running initdb', async () => {
    const progress: string[] = [];
    conn = open(cache.dir, 'initdb.tar.gz', progress);
    const report = await conn.sandboxReport();
    assert.ok(report.phases?.unpack !== undefined && report.phases.initdb === undefined, JSON.stringify(report.phases));
    assert.ok(progress.some((m) => /shipped initdb/.test(m)), progress.join('; '));
    assert.deepEqual(report.applied, files);
    assert.ok(existsSync(path.join(cache.dir, `template-${report.pgliteVersion}`, 'pgdata', 'PG_VERSION')));
    const r = await conn.query<{ same: boolean }>(`SELECT 'A@B.C'::citext = 'a@b.c'::citext AS same FROM orders RIGHT JOIN (SELECT 1) one ON true`);
    assert.equal(r.rows[0].same, true);
  });

  it('runs initdb when the archive is damaged', async () => {
    await conn?.close();
    const other = tempCacheDir();
    const progress: string[] = [];
    conn = open(other.dir, 'damaged.tar.gz', progress);
    try {
      const report = await conn.sandboxReport();
      assert.ok(report.phases?.initdb !== undefined, JSON.stringify(report.phases));
      assert.deepEqual(report.applied, files);
    } finally {
      await conn.close();
      conn = undefined;
      await other.remove();
    }
  });
});

describe('Embedded sandbox refresh after the migrations change', function () {
  this.timeout(START_TIMEOUT);
  const cache = tempCacheDir();
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'pglens-refresh-'));
  const reports: SandboxReport[] = [];
  let conn: EmbeddedConnection | undefined;

  before(() => {
    mkdirSync(path.join(workspace, 'migrations'));
    for (const f of ['001_init.sql', '002_orders.sql']) copyFileSync(path.join(fixture('basic'), 'migrations', f), path.join(workspace, 'migrations', f));
  });
  after(async () => {
    await conn?.close();
    await cache.remove();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('answers what was already sent, then starts from the current files, replaying only the new one', async () => {
    // Without generated data: the counts below are this session's rows alone.
    conn = createEmbeddedConnection({ workspaceRoot: workspace, cacheDir: cache.dir, ...sandboxWorker(), data: { enabled: false }, onReady: (r) => reports.push(r) });
    await conn.query('INSERT INTO users (email, name) VALUES ($1, $2)', ['a@example.com', 'A']);
    writeFileSync(path.join(workspace, 'migrations', '003_added.sql'), 'CREATE TABLE added_later (id bigint PRIMARY KEY);\n');
    // Sent before the refresh (the sandbox is up, so one turn of the event loop sends it): the
    // old sandbox answers it, with the row this session inserted.
    const inFlight = conn.query<{ n: string }>('SELECT count(*)::text AS n FROM users CROSS JOIN generate_series(1, 1000000)');
    await new Promise((r) => setImmediate(r));
    conn.refresh();
    // Not sent before the refresh: the new sandbox answers it.
    const afterRefresh = conn.query<{ n: string }>('SELECT count(*)::text AS n FROM users');
    assert.equal((await inFlight).rows[0].n, '1000000');
    assert.equal((await afterRefresh).rows[0].n, '0', 'a refreshed sandbox starts from the migrations alone');
    const t = await conn.query(`SELECT 1 FROM pg_tables WHERE tablename = 'added_later'`);
    assert.equal(t.rows.length, 1);
    assert.equal(reports.length, 2);
    assert.equal(reports[1].reusedFiles, 2);
    assert.deepEqual(reports[1].applied, ['migrations/001_init.sql', 'migrations/002_orders.sql', 'migrations/003_added.sql']);
  });

  it('leaves one working copy behind it, its own', async () => {
    const runs = readdirSync(path.join(cache.dir, 'run'));
    for (let i = 0; i < 100 && readdirSync(path.join(cache.dir, 'run')).length > 1; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(readdirSync(path.join(cache.dir, 'run')).length, 1, `working copies: ${runs.join(', ')}`);
  });
});

/** A closed sandbox finishes the copies for the next start in the background, then exits: wait until no live process is copying. */
async function waitForSpares(cacheDir: string): Promise<void> {
  const copying = () => readdirSync(cacheDir).some((n) => n.startsWith('tmp-') && processAlive(Number(n.split('-')[1])));
  for (let i = 0; i < 600 && copying(); i++) await new Promise((r) => setTimeout(r, 100));
  const missing = readdirSync(cacheDir).filter((n) => n.startsWith('sandbox-') && !existsSync(path.join(cacheDir, n, 'spare')));
  assert.deepEqual(missing, [], `cache entries without a spare copy in ${cacheDir}`);
}

function countLinked(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += countLinked(p);
    else if (statSync(p).nlink > 1) n++;
  }
  return n;
}

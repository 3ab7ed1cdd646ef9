import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { repoRoot, requireServer, serverConfig, serverUrl, uniqueName } from '../db/test-env';

/**
 * Ctrl-C on `pglens explain` / `pglens advise` cancels the statement on the server before the
 * process exits: it must not go on running there until its timeout.
 */
describe('pglens CLI: Ctrl-C cancels the statement on the server', function () {
  this.timeout(120_000);
  const cli = path.join(repoRoot(), 'dist', 'cli.js');
  let watcher: Client;

  before(async function () {
    await requireServer(this, 'CLI interrupt');
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: repoRoot(), stdio: 'ignore' });
    watcher = new Client(serverConfig());
    await watcher.connect();
  });
  after(async () => {
    await watcher?.end().catch(() => undefined);
  });

  /** Backends running a statement that contains `marker`, other than the watcher's own query. */
  async function running(marker: string): Promise<number> {
    const r = await watcher.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%' || $1 || '%'",
      [marker],
    );
    return r.rows[0].n;
  }

  async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during EXPLAIN ANALYZE: the server stops the statement, the CLI exits ${signal === 'SIGINT' ? 130 : 143} and says so`, async () => {
      const marker = uniqueName('pglens_sleep');
      const child = spawn(process.execPath, [cli, 'explain', '--db', serverUrl(), '--timeout', '60', `SELECT pg_sleep(30) AS ${marker}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      assert.ok(await until(async () => (await running(marker)) === 1, 20_000), 'the statement started on the server');
      child.kill(signal);
      const code = await exited;
      assert.equal(code, signal === 'SIGINT' ? 130 : 143);
      assert.match(stderr, /cancelling the statement/);
      assert.ok(await until(async () => (await running(marker)) === 0, 3_000), 'the statement no longer runs on the server');
    });
  }
});

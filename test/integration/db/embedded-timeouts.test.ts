/**
 * The sandbox's two clocks: a statement timeout counts from when the sandbox is ready and is
 * reported when it expires, not after the restart it triggers; a start has a limit of its own.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEmbeddedConnection } from '../../../src/core/db/embedded-connection';
import { isPglensError, type PglensError } from '../../../src/core/errors';
import { fixture, sandboxWorker, tempCacheDir } from './test-env';

async function rejection(p: Promise<unknown>): Promise<PglensError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isPglensError(e), String(e));
    return e;
  }
  assert.fail('expected a rejection');
}

describe('Embedded sandbox timeouts', function () {
  this.timeout(180_000);
  const cache = tempCacheDir();
  after(() => cache.remove());

  it('reports a statement timeout when it expires, and closes without waiting for the restart it began', async () => {
    const conn = createEmbeddedConnection({ workspaceRoot: fixture('basic'), cacheDir: cache.dir, ...sandboxWorker() });
    await conn.serverVersion();
    const started = Date.now();
    const e = await rejection(conn.explain('SELECT pg_sleep(10)', { analyze: true, timeoutMs: 1000 }));
    const timedOut = Date.now() - started;
    assert.equal(e.code, 'timeout');
    await conn.close();
    const closed = Date.now() - started;
    // The close used to wait out the restarted sandbox's start, or the 3 s grace period.
    assert.ok(timedOut >= 1000 && timedOut < 1500, `timed out after ${timedOut} ms`);
    assert.ok(closed < 2000, `closed after ${closed} ms`);
  });

  it('ends a start that takes longer than its limit, naming the step it was at', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-endless-migration-'));
    try {
      mkdirSync(path.join(dir, 'migrations'));
      writeFileSync(path.join(dir, 'migrations', '001_endless.sql'), 'DO $$ BEGIN LOOP END LOOP; END $$;\n');
      const conn = createEmbeddedConnection({ workspaceRoot: dir, cacheDir: cache.dir, ...sandboxWorker(), startTimeoutMs: 4000 });
      const started = Date.now();
      const e = await rejection(conn.serverVersion());
      assert.equal(e.code, 'timeout');
      assert.match(e.message, /^the embedded sandbox did not start within 4 s \(last step: .*1 migration/);
      assert.match(e.message, /a migration may never finish/);
      assert.ok(Date.now() - started < 6000, `gave up after ${Date.now() - started} ms`);
      await conn.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says to ask for less data when the start ran out of time filling the tables', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-huge-data-'));
    try {
      mkdirSync(path.join(dir, 'migrations'));
      writeFileSync(path.join(dir, 'migrations', '001_t.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY, v text);\n');
      writeFileSync(path.join(dir, '.pglens.json'), JSON.stringify({ sandbox: { data: { rows: { t: 5_000_000 } } } }));
      // Long enough to replay the migration (initdb is cached by the test before), too short to fill.
      const conn = createEmbeddedConnection({ workspaceRoot: dir, cacheDir: cache.dir, ...sandboxWorker(), startTimeoutMs: 8000 });
      const e = await rejection(conn.serverVersion());
      assert.equal(e.code, 'timeout');
      assert.match(e.message, /\(last step: (sandbox data: filling public\.t|filling the tables)/);
      assert.match(e.message, /the generated data is too large to fill in time: lower "scale", "rowsPerTable" or "rows" in \.pglens\.json sandbox\.data/);
      await conn.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createEmbeddedConnection, type EmbeddedConnection } from '../../../src/core/db/embedded-connection';
import { fixture, sandboxWorker, tempCacheDir } from '../db/test-env';
import { describeNoServerChange } from './no-server-change';

/**
 * The same hostile statements on the embedded sandbox (one sandbox for all of them), with the
 * checks that apply there: table contents, sequences, large objects, catalog objects,
 * advisory locks and the session's settings. Nothing may leak into the cached build that
 * the next sandbox starts from.
 */
const START_TIMEOUT = 180_000;

/** sha256 of every file of the cache's pristine builds (not the working copies, spares or copies in progress). */
function cacheDigest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === 'run' || e.name === 'spare' || e.name.startsWith('tmp-')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) hash.update(path.relative(dir, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(dir);
  return hash.digest('hex');
}

describe('Embedded sandbox security', function () {
  /** Made when the sandbox is first opened (not when this file is loaded), removed at the end. */
  let cache: ReturnType<typeof tempCacheDir> | undefined;
  let conn: EmbeddedConnection | undefined;
  let digestBefore = '';

  describeNoServerChange('Explain on the embedded sandbox', {
    kind: 'embedded',
    exercise: 'explain',
    startTimeoutMs: START_TIMEOUT,
    open: async () => {
      cache ??= tempCacheDir();
      conn ??= createEmbeddedConnection({ workspaceRoot: fixture('basic'), cacheDir: cache.dir, ...sandboxWorker() });
      await conn.sandboxReport();
      if (!digestBefore) digestBefore = cacheDigest(cache.dir);
      return conn;
    },
  });

  describe('the cached build', function () {
    it('is byte for byte what it was before the hostile statements ran', function () {
      this.timeout(60_000);
      if (!cache || !digestBefore) this.skip();
      assert.equal(cacheDigest(cache.dir), digestBefore, 'a hostile statement on the sandbox changed the cached build the next sandbox starts from');
    });
  });

  after(async function () {
    this.timeout(60_000);
    await cache?.remove();
  });
});

/**
 * `npx tsx src/cli/main.ts … --embedded` (docs/cli.md, first lines): run from source, the CLI
 * starts the sandbox child from its TypeScript entry with tsx's loader — from any current folder —
 * instead of failing with "the embedded sandbox process ended unexpectedly".
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeSettled, repoRoot } from '../db/test-env';

describe('pglens from source (tsx), embedded sandbox', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'pglens-from-source-'));
  after(() => removeSettled(dir));

  it('explain --embedded runs from a folder outside the repository, and its JSON names the sandbox', () => {
    const migrations = path.join(dir, 'migrations');
    mkdirSync(migrations, { recursive: true });
    writeFileSync(path.join(migrations, '001_init.sql'), 'CREATE TABLE items (id bigint PRIMARY KEY, name text);\n');
    const main = path.join(repoRoot(), 'src', 'cli', 'main.ts');
    // As `npx tsx src/cli/main.ts` runs it: tsx's loader in this process only (by URL: the cwd has no node_modules).
    const tsx = pathToFileURL(require.resolve('tsx')).href;
    const r = spawnSync(process.execPath, ['--import', tsx, main, 'explain', '--embedded', '--migrations', 'migrations', '--no-data', '--format', 'json', "SELECT * FROM items WHERE name = 'x'"], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, XDG_CACHE_HOME: path.join(dir, 'cache') },
      timeout: 170_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /ended unexpectedly/);
    assert.match(r.stderr, /using the embedded sandbox \(--embedded was given/);
    const out = JSON.parse(r.stdout) as { connection: Record<string, unknown>; analyzed: boolean };
    assert.deepEqual(Object.keys(out.connection), ['kind', 'serverVersion', 'label', 'database']);
    assert.equal(out.connection.kind, 'embedded');
    assert.equal(out.connection.label, 'embedded sandbox (PGlite)');
    assert.match(String(out.connection.serverVersion), /^18\./);
    assert.equal(typeof out.connection.database, 'string');
    assert.equal(out.analyzed, true);
  });
});

import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, removeSettled, repoRoot } from '../db/test-env';

/**
 * The `pglens` executable as shipped: dist/cli.js, the launcher that runs dist/cli-bundle.js
 * from a V8 code cache in the user's cache folder. Whatever state that cache is in, the output
 * is the same.
 */
describe('pglens executable (launcher and code cache)', function () {
  this.timeout(120_000);
  const cli = path.join(repoRoot(), 'dist', 'cli.js');
  const home = mkdtempSync(path.join(os.tmpdir(), 'pglens-launcher-'));
  const cacheDir = path.join(home, 'pglens', 'code-cache');
  const target = path.join(fixture('basic'), 'migrations');

  before(() => {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: repoRoot(), stdio: 'ignore' });
  });
  after(() => removeSettled(home));

  const run = (args: string[], cacheHome = home) => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cacheFiles = () => readdirSync(cacheDir).filter((n) => n.endsWith('.bin'));

  let expected: { code: number | null; stdout: string };

  it('--version writes no cache', () => {
    const r = run(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
    assert.throws(() => readdirSync(cacheDir));
  });

  it('a lint run writes the cache of its command, and the next run uses it as it is', () => {
    const first = run(['lint', target, '--format', 'json']);
    assert.equal(first.code, 1, first.stderr);
    const findings = JSON.parse(first.stdout) as unknown[];
    assert.ok(Array.isArray(findings) && findings.length > 0, first.stdout.slice(0, 200));
    expected = { code: first.code, stdout: first.stdout };
    const files = cacheFiles();
    assert.equal(files.length, 1);
    assert.match(files[0], /-lint-/);
    const written = statSync(path.join(cacheDir, files[0])).mtimeMs;
    const second = run(['lint', target, '--format', 'json']);
    assert.deepEqual({ code: second.code, stdout: second.stdout }, expected);
    assert.equal(statSync(path.join(cacheDir, files[0])).mtimeMs, written, 'an accepted cache is not rewritten');
  });

  it('a damaged cache is ignored and replaced', () => {
    const file = path.join(cacheDir, cacheFiles()[0]);
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(file, bytes);
    const r = run(['lint', target, '--format', 'json']);
    assert.deepEqual({ code: r.code, stdout: r.stdout }, expected);
    assert.notDeepEqual(readFileSync(file), bytes, 'the damaged cache was written again');
  });

  it('an unwritable cache folder costs nothing but the cache', () => {
    const notADir = path.join(home, 'a-file');
    writeFileSync(notADir, '');
    const r = run(['lint', target, '--format', 'json'], notADir);
    assert.deepEqual({ code: r.code, stdout: r.stdout }, expected);
    assert.equal(r.stderr, '');
  });
  it('a reader that closes the pipe early (`| head`) gets no stack trace, and the exit code is the run\'s', async () => {
    const child = spawn(process.execPath, [cli, 'lint', target, '--format', 'json'], { env: { ...process.env, XDG_CACHE_HOME: home } });
    // Closed before the first byte: every write of the run meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 1);
  });
});

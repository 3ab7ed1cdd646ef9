import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkConnectionUrl } from '../../../src/core/db/connection-url';
import { isPglensError } from '../../../src/core/errors';

/** The message checkConnectionUrl throws for `url`, or undefined when the URL is accepted. */
function problem(url: string): string | undefined {
  try {
    checkConnectionUrl(url, '--db');
    return undefined;
  } catch (e) {
    assert.ok(isPglensError(e));
    assert.equal(e.code, 'bad-input');
    return e.message;
  }
}

describe('checkConnectionUrl', () => {
  it('names an unencoded "/", "#" or "?" in the password and how to encode it, hiding the password', () => {
    for (const [c, encoded] of [['/', '%2F'], ['#', '%23'], ['?', '%3F']]) {
      const message = problem(`postgresql://app:s3${c}cret@db.example.com:5432/prod`);
      assert.equal(
        message,
        `--db is not a usable connection URL: the password contains an unencoded "${c}", which ends the host part of a URL ` +
          `(postgresql://app:***@db.example.com:5432/prod) — percent-encode the password: ${c} → ${encoded}`,
      );
    }
  });

  it('names a "%" that starts no percent-encoded byte, in the password or the user name', () => {
    assert.match(problem('postgresql://app:50%off@db/prod') ?? '', /the password contains a "%" that does not start a percent-encoded byte .* — percent-encode the password: % → %25$/);
    assert.match(problem('postgresql://ap%p:pw@db/prod') ?? '', /the user name contains a "%"/);
    assert.equal(problem('postgresql://app:50%25off@db/prod'), undefined);
  });

  it('names a port that is not a number or out of range', () => {
    assert.match(problem('postgresql://app@db:abc/prod') ?? '', /the port "abc" is not a number .* — write the port as digits, e\.g\. :5432$/);
    assert.match(problem('postgresql://app@db:99999/prod') ?? '', /the port 99999 is out of range .* — use a port from 1 to 65535/);
    assert.match(problem('postgresql://app@db:0/prod') ?? '', /the port 0 is out of range/);
  });

  it('names a missing host', () => {
    for (const url of ['postgresql://app:pw@:5432/prod', 'postgresql://:5432/prod', 'postgresql://app:pw@']) {
      assert.match(problem(url) ?? '', /: it names no host .* — write the host after the "@": postgresql:\/\/user:password@HOST:5432\/database$/, url);
    }
  });

  it('names several hosts, and any other URL pg cannot read', () => {
    assert.match(problem('postgresql://h1:5432,h2:5433/prod') ?? '', /it lists several hosts \(h1:5432,h2:5433\)/);
    assert.match(problem('postgresql://app@[::1/prod') ?? '', /it is not a valid URL .* — write it as postgresql:\/\/user:password@host:5432\/database/);
  });

  it('accepts what pg reads as meant: encoded passwords, IPv6, default host and port, parameters', () => {
    for (const url of [
      'postgresql://app:p%40ss%2Fw0rd@db.example.com:5432/prod?sslmode=require',
      'postgres://app@[::1]:5432/prod',
      'postgresql:///prod',
      'postgresql://app@/prod',
      'postgresql://db/prod?password=x&application_name=me@laptop',
      'postgresql://u:p@w@db/prod',
    ]) {
      assert.equal(problem(url), undefined, url);
    }
  });
});

/** The CLI as a process (runCli loads commands with import(), which mocha's TypeScript hook does not serve). */
function pglens(argv: string[], cwd: string): { code: number | null; stderr: string } {
  const main = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const r = spawnSync(process.execPath, ['--import', tsx, main, ...argv], { cwd, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  return { code: r.status, stderr: r.stderr };
}

describe('CLI: a malformed --db URL', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pglens-cli-url-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused naming the cause and the fix, never as an "unexpected error", never with the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['postgresql://u:p#w@host/db', /the password contains an unencoded "#".* — percent-encode the password: # → %23$/],
      ['postgresql://u:p/w@host/db', /percent-encode the password: \/ → %2F$/],
      ['postgresql://u@host:99999/db', /the port 99999 is out of range/],
      ['postgresql://u:pw@:5432/db', /it names no host/],
    ];
    for (const [url, expected] of cases) {
      const { code, stderr } = pglens(['indexes', '--db', url], dir);
      assert.equal(code, 2, url);
      assert.match(stderr, /^pglens indexes: --db is not a usable connection URL: /, url);
      assert.match(stderr.trimEnd(), expected, url);
      assert.doesNotMatch(stderr, /unexpected error|p#w|p\/w/, url);
    }
  });

  it('reports a file an ssl parameter names that cannot be read, not as an unexpected error', () => {
    const { code, stderr } = pglens(['indexes', '--db', `postgresql://u:s3cret@127.0.0.1/db?sslkey=${path.join(dir, 'missing.key')}&sslpassword=kp`], dir);
    assert.equal(code, 2);
    assert.match(stderr, /^pglens indexes: cannot use the connection postgresql:\/\/u:\*\*\*@127\.0\.0\.1\/db\?sslkey=.*&sslpassword=\*\*\*: ENOENT/);
    assert.doesNotMatch(stderr, /unexpected error|s3cret|=kp/);
  });
});

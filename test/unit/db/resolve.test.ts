import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDotEnv, readDotEnv, redactUrl, resolveConnection } from '../../../src/core/db/resolve';
import { isPglensError } from '../../../src/core/errors';

describe('connection resolution (CLI.md)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-resolve-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers --db, then DATABASE_URL, then .env, then the sandbox', async () => {
    writeFileSync(path.join(dir, '.env'), 'DATABASE_URL="postgresql://file@h/db"\n');
    const env = { DATABASE_URL: 'postgres://env@h/db' };
    assert.deepEqual(await resolveConnection({ db: 'postgresql://flag@h/db', env, cwd: dir }), { kind: 'server', url: 'postgresql://flag@h/db', source: 'flag' });
    assert.deepEqual(await resolveConnection({ env, cwd: dir }), { kind: 'server', url: 'postgres://env@h/db', source: 'env' });
    assert.deepEqual(await resolveConnection({ env: {}, cwd: dir }), { kind: 'server', url: 'postgresql://file@h/db', source: 'dotenv' });
    rmSync(path.join(dir, '.env'));
    const embedded = await resolveConnection({ env: {}, cwd: dir });
    assert.equal(embedded.kind, 'embedded');
  });

  it('--embedded wins over everything', async () => {
    const r = await resolveConnection({ embedded: true, db: 'postgresql://x@h/db', env: {}, cwd: dir });
    assert.equal(r.kind, 'embedded');
  });

  it('rejects a --db that is not a PostgreSQL URL, without echoing its password', async () => {
    await assert.rejects(resolveConnection({ db: 'mysql://u:s3cret@h/db', env: {}, cwd: dir }), (e: unknown) => {
      assert.ok(isPglensError(e));
      assert.equal(e.code, 'bad-input');
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
  });

  it('falls back to the sandbox, saying why, when DATABASE_URL is not PostgreSQL (Prisma with SQLite)', async () => {
    writeFileSync(path.join(dir, '.env'), 'DATABASE_URL="file:./dev.db"\n');
    const r = await resolveConnection({ env: {}, cwd: dir });
    assert.deepEqual(r, { kind: 'embedded', reason: 'DATABASE_URL in .env (file:) is not a PostgreSQL URL' });
  });

  it('reads no variables when there is no .env', async () => {
    assert.deepEqual(await readDotEnv(dir), {});
  });
});

describe('parseDotEnv', () => {
  it('handles quotes, comments, export, blanks and expansion', () => {
    const text = [
      '# a comment',
      '',
      'export PLAIN=value # trailing comment',
      "SINGLE='it''s ${NOT_EXPANDED}'",
      'DOUBLE="line1\\nline2 # not a comment"',
      'MULTI="first',
      'second"',
      'EMPTY=',
      'USER_=app',
      'DATABASE_URL="postgresql://${USER_}:p%40ss@localhost:5432/db?schema=public"',
      'BACKTICK=`raw $value`',
      '  SPACED = spaced value  ',
      'WIN=crlf\r',
    ].join('\n');
    const vars = parseDotEnv(text, {});
    assert.equal(vars.PLAIN, 'value');
    assert.equal(vars.SINGLE, 'it');
    assert.equal(vars.DOUBLE, 'line1\nline2 # not a comment');
    assert.equal(vars.MULTI, 'first\nsecond');
    assert.equal(vars.EMPTY, '');
    assert.equal(vars.DATABASE_URL, 'postgresql://app:p%40ss@localhost:5432/db?schema=public');
    assert.equal(vars.BACKTICK, 'raw $value');
    assert.equal(vars.SPACED, 'spaced value');
    assert.equal(vars.WIN, 'crlf');
  });

  it('expands from the environment when the file does not define the name', () => {
    assert.equal(parseDotEnv('URL=postgres://${PGUSER}@h/db', { PGUSER: 'me' }).URL, 'postgres://me@h/db');
  });
});

describe('redactUrl', () => {
  it('hides the password in the authority and in query parameters', () => {
    assert.equal(redactUrl('postgresql://app:s3cret@db.example.com:5432/prod'), 'postgresql://app:***@db.example.com:5432/prod');
    assert.equal(redactUrl('postgresql://db/prod?user=app&password=s3cret'), 'postgresql://db/prod?user=app&password=***');
    assert.equal(redactUrl('postgresql://app@db/prod'), 'postgresql://app@db/prod');
  });

  it('hides the password even in a URL that does not parse', () => {
    assert.doesNotMatch(redactUrl('postgresql://app:s3cret@[bad/prod'), /s3cret/);
  });
});

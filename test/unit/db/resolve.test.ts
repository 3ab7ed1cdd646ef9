import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDotEnv, readDotEnv, resolveConnection } from '../../../src/core/db/resolve';
import { isPglensError } from '../../../src/core/errors';

describe('connection resolution (docs/cli.md)', () => {
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

  it('refuses a .env DATABASE_URL that needs a variable from the environment, naming it', async () => {
    writeFileSync(path.join(dir, '.env'), 'DATABASE_URL="postgresql://app:${DB_PASSWORD}@db.example.com/app"\n');
    await assert.rejects(resolveConnection({ env: {}, cwd: dir }), (e: unknown) => {
      assert.ok(isPglensError(e));
      assert.equal(e.code, 'bad-input');
      assert.match(e.message, /^DATABASE_URL in \.env uses \$\{DB_PASSWORD\}, which \.env does not define; pglens does not fill \.env values from the environment/);
      assert.match(e.message, /— define DB_PASSWORD in \.env itself \(the CLI also takes --db URL, or DATABASE_URL from the environment\)$/);
      return true;
    });
  });

  it('checks the URL of every source: --db, DATABASE_URL and .env', async () => {
    const bad = 'postgresql://app:pa#ss@db.example.com/app';
    await assert.rejects(resolveConnection({ db: bad, env: {}, cwd: dir }), /^PglensError: --db is not a usable connection URL: the password contains an unencoded "#"/);
    await assert.rejects(resolveConnection({ env: { DATABASE_URL: bad }, cwd: dir }), /^PglensError: DATABASE_URL is not a usable connection URL/);
    writeFileSync(path.join(dir, '.env'), `DATABASE_URL=${bad}\n`);
    await assert.rejects(resolveConnection({ env: {}, cwd: dir }), /^PglensError: DATABASE_URL in \.env is not a usable connection URL/);
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
    const vars = parseDotEnv(text);
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

  it('never takes a value from the process environment: ${VAR} and $VAR stay as written', () => {
    const saved = process.env.PGLENS_TEST_SECRET;
    process.env.PGLENS_TEST_SECRET = 'from-the-environment';
    try {
      const vars = parseDotEnv([
        'A=postgresql://u:${PGLENS_TEST_SECRET}@evil.example.com/db',
        'B="postgresql://u:${PGLENS_TEST_SECRET}@evil.example.com/db"',
        'C=postgresql://u:$PGLENS_TEST_SECRET@evil.example.com/db',
      ].join('\n'));
      assert.equal(vars.A, 'postgresql://u:${PGLENS_TEST_SECRET}@evil.example.com/db');
      assert.equal(vars.B, 'postgresql://u:${PGLENS_TEST_SECRET}@evil.example.com/db');
      assert.equal(vars.C, 'postgresql://u:$PGLENS_TEST_SECRET@evil.example.com/db');
      assert.ok(!Object.values(vars).some((v) => v.includes('from-the-environment')));
    } finally {
      if (saved === undefined) delete process.env.PGLENS_TEST_SECRET;
      else process.env.PGLENS_TEST_SECRET = saved;
    }
  });
});

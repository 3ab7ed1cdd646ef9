import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { removeSettled, repoRoot, requireServer, serverConfig, serverUrl, withServerClient } from '../db/test-env';

/**
 * `pglens migrations verify` as shipped (dist/cli.js, which runs the verification in its
 * child process): exit codes, the three formats, the setup SQL, the --db guard, and a server
 * run that leaves no database behind.
 */
describe('pglens migrations verify (the executable)', function () {
  this.timeout(180_000);
  const cli = path.join(repoRoot(), 'dist', 'cli.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-verify-cli-'));
  const write = (files: Record<string, string>): void => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.join(dir, name, '..'), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
  };
  const run = (args: string[], sub = 'verify') => {
    // A hang fails the test instead of the suite.
    const r = spawnSync(process.execPath, [cli, 'migrations', sub, ...args], { cwd: dir, encoding: 'utf8', timeout: 170_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const admin = withServerClient;
  const scratchCount = () => admin(async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'pglens_verify_%'")).rows[0].n as number);

  before(() => {
    write({
      'db/00001_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n-- +goose Down\nDROP TABLE users;\n',
      'db/00002_idx.sql': '-- +goose Up\nCREATE INDEX users_name_idx ON users (name);\nALTER TABLE users ADD COLUMN x int;\n-- +goose Down\nALTER TABLE users DROP COLUMN x;\n',
      'db/00003_plan.sql': '-- +goose Up\nALTER TABLE users ADD COLUMN plan text;\n',
    });
  });
  after(() => removeSettled(dir));

  it('text: a summary line, each finding at the down, exit 1 at warning', () => {
    const r = run(['db']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^1 rollback\(s\) verified, 1 failing, 1 without a down — on embedded PGlite, [\d.]+ s$/);
    assert.match(r.stdout, /^db\/00002_idx\.sql:5:1 {2}error {2}rollback-fails {2}After the down of 00002_idx, its up fails again \(relation "users_name_idx" already exists, at db\/00002_idx\.sql:2\)/m);
    assert.match(r.stdout, /^db\/00002_idx\.sql:5:1 {2}warning {2}rollback-incomplete {2}The down of 00002_idx does not restore the schema: index on public\.users \(name\) is left behind/m);
    assert.match(r.stdout, /^db\/00003_plan\.sql:2:1 {2}info {2}missing-down-migration {2}00003_plan has no down: goose can roll it back only with a `-- \+goose Down` section\./m);
  });

  it('JSON carries the summary and each difference as an object; --fail-on error still fails on the rollback error', () => {
    const r = run(['db', '--format', 'json', '--fail-on', 'error']);
    assert.equal(r.code, 1);
    const { summary, findings } = JSON.parse(r.stdout);
    assert.equal(summary.migrations, 3);
    const diff = findings.find((f: { rule: string }) => f.rule === 'rollback-incomplete');
    assert.deepEqual([diff.difference.change, diff.difference.kind, diff.migration], ['extra', 'index', '00002_idx']);
  });

  it('SARIF carries the summary in the run properties', () => {
    const run0 = JSON.parse(run(['db', '--format', 'sarif']).stdout).runs[0];
    assert.equal(run0.properties.verify.verified, 1);
    assert.ok(run0.results.some((r: { ruleId: string; properties?: { difference: { kind: string } } }) => r.ruleId === 'rollback-incomplete' && r.properties?.difference.kind === 'index'));
  });

  it('refuses --db without --yes-this-is-disposable, and a folder without migrations, with exit 2 and the next step', () => {
    const guarded = run(['db', '--db', serverUrl()]);
    assert.equal(guarded.code, 2);
    assert.match(guarded.stderr, /--yes-this-is-disposable/);
    mkdirSync(path.join(dir, 'empty'), { recursive: true });
    const empty = run(['empty']);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no migrations under empty — pass the folder your migration runner reads/);
  });

  it('on a server, refuses migrations that reach beyond the scratch database (a role would outlive it)', () => {
    write({ 'roles/00001_role.sql': '-- +goose Up\nCREATE ROLE pglens_verify_never;\n-- +goose Down\nDROP ROLE pglens_verify_never;\n' });
    const r = run(['roles', '--db', serverUrl(), '--yes-this-is-disposable']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /00001_role\.sql:2 \(CREATE ROLE\).*verify them on the embedded PGlite/);
  });

  it('on a server: a scratch database per run, dropped at the end; the --db database is untouched', async function () {
    await requireServer(this, 'migrations verify on a server');
    const client = new Client(serverConfig());
    await client.connect();
    try {
      const before = (await client.query("SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'pglens_verify_%'")).rows[0].n;
      const r = run(['db', '--db', serverUrl(), '--yes-this-is-disposable', '--format', 'json']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(JSON.parse(r.stdout).summary.database, 'server');
      const after = (await client.query("SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'pglens_verify_%'")).rows[0].n;
      assert.equal(after, before);
      const leaked = await client.query("SELECT 1 FROM pg_tables WHERE tablename = 'users' AND schemaname = 'public'");
      assert.equal(leaked.rowCount, 0);
    } finally {
      await client.end();
    }
  });

  it('refuses --db with another database\'s URL, or empty (it would fall back to the embedded PGlite without a word)', () => {
    for (const sub of [['verify', 'db'], ['down', 'db/00003_plan.sql']]) {
      const mysql = run([sub[1], '--db', 'mysql://root:hunter2@localhost/app', '--yes-this-is-disposable'], sub[0]);
      assert.equal(mysql.code, 2);
      assert.match(mysql.stderr, /--db must be a PostgreSQL URL \(postgresql:\/\/ or postgres:\/\/\), got a mysql: URL \(mysql:\/\/root:\*\*\*@localhost\/app\)/);
      assert.doesNotMatch(mysql.stderr, /hunter2/);
      const empty = run([sub[1], '--db', '', '--yes-this-is-disposable'], sub[0]);
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /--db is empty — pass --db postgresql:\/\/.*or leave --db out to use the embedded PGlite/);
      assert.equal(empty.stdout, '');
    }
  });

  it('a --db connection error says what it is; CREATEDB is named only when the role may not create databases', async function () {
    await requireServer(this, 'migrations verify on a server');
    const refused = run(['db', '--db', 'postgresql://postgres@127.0.0.1:1/postgres', '--yes-this-is-disposable']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cannot connect to the --db server: could not connect to 127\.0\.0\.1:1\/postgres: connection refused/);
    assert.doesNotMatch(refused.stderr, /CREATEDB/);
    const role = `pglens_nocreatedb_${Math.random().toString(36).slice(2, 10)}`;
    await admin((c) => c.query(`CREATE ROLE ${role} LOGIN NOCREATEDB`));
    try {
      const url = new URL(serverUrl());
      url.username = role;
      url.password = '';
      const r = run(['db', '--db', url.toString(), '--yes-this-is-disposable']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, new RegExp(`the --db role ${role} may not create databases \\(permission denied to create database\\).* use a role with CREATEDB`));
    } finally {
      await admin((c) => c.query(`DROP ROLE IF EXISTS ${role}`));
    }
  });

  it('a sandbox setup that creates a role verifies on a --db server run after run; the role stays, said so', async function () {
    await requireServer(this, 'migrations verify on a server');
    const role = `pglens_cli_role_${Math.random().toString(36).slice(2, 10)}`;
    write({
      'withrole/.pglens.json': JSON.stringify({ sandbox: { setup: 'setup.sql' } }),
      'withrole/setup.sql': `CREATE ROLE ${role};\n`,
      'withrole/db/00001_t.sql': `-- +goose Up\nCREATE TABLE t (id int);\nGRANT SELECT ON t TO ${role};\n-- +goose Down\nDROP TABLE t;\n`,
    });
    try {
      const first = run(['withrole/db', '--db', serverUrl(), '--yes-this-is-disposable']);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, new RegExp(`the sandbox setup created role ${role} on the --db server: roles belong to the whole server and stay`));
      const second = run(['withrole/db', '--db', serverUrl(), '--yes-this-is-disposable']);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /^1 rollback\(s\) verified — on server/);
      assert.match(second.stderr, new RegExp(`role ${role} exists already on the --db server: the sandbox setup's CREATE ROLE is skipped`));
    } finally {
      await admin((c) => c.query(`DROP ROLE IF EXISTS ${role}`));
    }
  });

  it('a part that never ends on the embedded PGlite is stopped at --timeout and reported; the other migrations are verified', () => {
    write({
      'loop/00001_a.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n',
      'loop/00002_loop.sql': '-- +goose Up\nCREATE TABLE b (id int);\n-- +goose Down\n-- +goose StatementBegin\nDO $$ BEGIN LOOP END LOOP; END $$;\n-- +goose StatementEnd\nDROP TABLE b;\n',
      'loop/00003_c.sql': '-- +goose Up\nCREATE TABLE c (id int);\n-- +goose Down\nDROP TABLE c;\n',
    });
    const r = run(['loop', '--timeout', '3']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^2 rollback\(s\) verified, 1 cannot be verified — on embedded PGlite/);
    assert.match(r.stdout, /^loop\/00002_loop\.sql:4:1 {2}warning {2}rollback-unverifiable {2}Cannot verify the down of 00002_loop: it ran longer than 3 s on an empty database and was stopped/m);
    assert.match(r.stderr, /pglens: 00002_loop: its down ran longer than 3 s on the embedded PGlite and was stopped; verifying the folder again without running it/);
    assert.doesNotMatch(r.stderr, /@@pglens-part/);
  });

  it('on a server, Ctrl-C during a long statement cancels it there, rolls back, drops the scratch database and says so', async function () {
    await requireServer(this, 'migrations verify on a server');
    write({
      'sleepy/00001_a.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n',
      'sleepy/00002_sleep.sql': '-- +goose Up\nCREATE TABLE s (id int);\nSELECT pg_sleep(120);\n-- +goose Down\nDROP TABLE s;\n',
    });
    const before = await scratchCount();
    const child = spawn(process.execPath, [cli, 'migrations', 'verify', 'sleepy', '--db', serverUrl(), '--yes-this-is-disposable'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const sleeping = () =>
      admin(async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname LIKE 'pglens_verify_%' AND query LIKE '%pg_sleep(120)%' AND state = 'active'")).rows[0].n as number);
    try {
      const deadline = Date.now() + 60_000;
      while ((await sleeping()) === 0) {
        assert.ok(Date.now() < deadline, `the statement never started: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const interrupted = Date.now();
      child.kill('SIGINT');
      const code = await closed;
      assert.ok(Date.now() - interrupted < 15_000, `took ${Date.now() - interrupted} ms after Ctrl-C`);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /pglens: interrupted — cancelling the statement running on the --db server, rolling back and dropping the scratch database/);
      assert.match(stderr, /pglens: verification cancelled — the statement running on the --db server was cancelled and rolled back, and the scratch database dropped/);
      assert.match(stdout, /^1 rollback\(s\) verified, 1 not verified \(cancelled\) — on server/);
      assert.doesNotMatch(stdout, /rollback-(fails|unverifiable)/);
      assert.equal(await sleeping(), 0);
      assert.equal(await scratchCount(), before);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('migrations down names the file it proposes, and the up beside it, each in its own folder (Prisma, diesel, Flyway)', () => {
    write({
      'layouts/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
      'layouts/prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'layouts/prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE "User" (id int PRIMARY KEY);\n',
      'layouts/diesel/diesel.toml': '',
      'layouts/diesel/migrations/2024-01-01-000000_users/up.sql': 'CREATE TABLE users (id int);\n',
      'layouts/fly/flyway.conf': 'flyway.locations=filesystem:sql\n',
      'layouts/fly/sql/v1/V1__users.sql': 'CREATE TABLE users (id int);\n',
    });
    const prisma = run(['layouts/prisma/migrations/20240101000000_init'], 'down');
    assert.equal(prisma.code, 0, prisma.stderr);
    assert.match(prisma.stdout, /^-- It goes in a new file layouts\/prisma\/migrations\/20240101000000_init\/down\.sql beside layouts\/prisma\/migrations\/20240101000000_init\/migration\.sql \(--write puts it there\)\.$/m);
    assert.match(prisma.stdout, /prisma db execute --file layouts\/prisma\/migrations\/20240101000000_init\/down\.sql/);
    const diesel = run(['layouts/diesel/migrations/2024-01-01-000000_users', '--write'], 'down');
    assert.equal(diesel.code, 0, diesel.stderr);
    assert.match(diesel.stdout, /^-- Written: a new file layouts\/diesel\/migrations\/2024-01-01-000000_users\/down\.sql beside layouts\/diesel\/migrations\/2024-01-01-000000_users\/up\.sql\.$/m);
    assert.ok(existsSync(path.join(dir, 'layouts/diesel/migrations/2024-01-01-000000_users/down.sql')));
    const flyway = run(['layouts/fly/sql/v1/V1__users.sql'], 'down');
    assert.equal(flyway.code, 0, flyway.stderr);
    assert.match(flyway.stdout, /^-- It goes in the undo script layouts\/fly\/sql\/v1\/U1__users\.sql beside layouts\/fly\/sql\/v1\/V1__users\.sql \(--write puts it there\)\.$/m);
  });
});

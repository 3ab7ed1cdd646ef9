import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { repoRoot, requireServer, serverConfig, serverUrl } from '../db/test-env';

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
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [cli, 'migrations', 'verify', ...args], { cwd: dir, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(() => {
    write({
      'db/00001_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n-- +goose Down\nDROP TABLE users;\n',
      'db/00002_idx.sql': '-- +goose Up\nCREATE INDEX users_name_idx ON users (name);\nALTER TABLE users ADD COLUMN x int;\n-- +goose Down\nALTER TABLE users DROP COLUMN x;\n',
      'db/00003_plan.sql': '-- +goose Up\nALTER TABLE users ADD COLUMN plan text;\n',
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

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
});

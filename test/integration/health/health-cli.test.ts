import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { command } from '../../../src/cli/commands/health';
import { parseArgs } from '../../../src/cli/args';
import type { CliContext } from '../../../src/cli/context';
import { PgQueryConnection } from './pg-adapter';
import { openTestServer } from './server';
import { removeSettled, repoRoot, serverConfig, serverUrl, uniqueName } from '../db/test-env';

async function run(argv: string[], cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = { cwd, env: {}, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  try {
    const code = await command.run(parseArgs(argv, command.flags), ctx);
    return { code, stdout, stderr };
  } catch (e) {
    // main.ts turns a thrown UsageError/PglensError into exit 2 with the message on stderr.
    return { code: 2, stdout, stderr: stderr + (e as Error).message };
  }
}

interface JsonFinding {
  rule: string;
  severity: string;
  message: string;
  schema?: string;
  table?: string;
  pid?: number;
  query?: string;
}

describe('pglens health', function () {
  this.timeout(60_000);
  const schema = uniqueName('health_cmd');
  let conn: PgQueryConnection | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'pglens-health-cli-'));

  before(async function () {
    conn = await openTestServer(this, 'pglens health CLI tests');
    if (!conn) return;
    await conn.query(`
      CREATE SCHEMA ${schema};
      CREATE UNLOGGED TABLE ${schema}.scratch (id bigint PRIMARY KEY, note text);
      INSERT INTO ${schema}.scratch SELECT g, 'n' || g FROM generate_series(1, 5000) g;
      CREATE TABLE ${schema}.clean (id bigint PRIMARY KEY);
      ANALYZE ${schema}.clean;
    `);
    // The live-tuple counters the checks read are flushed when the inserting session goes idle.
    await conn.query('SELECT pg_stat_force_next_flush()');
    await new Promise((r) => setTimeout(r, 300));
  });

  after(async function () {
    try {
      if (conn) await conn.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await conn?.close();
      await removeSettled(dir);
    }
  });

  it('reports the checks it ran and their findings as JSON, and exits 1 on a warning', async () => {
    const { code, stdout, stderr } = await run(['--db', serverUrl(), '--schema', schema, '--only', 'missing-stats,unlogged-table', '--format', 'json']);
    assert.equal(code, 1, stderr);
    const out = JSON.parse(stdout) as { connection: { kind: string }; checks: Array<{ id: string; state: string }>; findings: JsonFinding[] };
    assert.equal(out.connection.kind, 'server');
    assert.deepEqual(out.checks.map((c) => `${c.id} ${c.state}`), ['missing-stats ran', 'unlogged-table ran']);
    const ours = out.findings.filter((f) => f.schema === schema).map((f) => `${f.rule} ${f.table}`);
    assert.deepEqual(ours.sort(), [`missing-stats scratch`, `unlogged-table scratch`]);
    assert.ok(!out.findings.some((f) => f.table === 'clean'), 'the analyzed, logged table is clean');
  });

  it('exits 0 below --fail-on and lists every check with its state in text', async () => {
    const { code, stdout } = await run(['--db', serverUrl(), '--schema', schema, '--fail-on', 'error', '--only', 'unlogged-table']);
    assert.equal(code, 0);
    assert.match(stdout, /^Checks:$/m);
    assert.match(stdout, /^ {2}unlogged-table\s+1 finding\b/m);
    assert.match(stdout, new RegExp(`info\\s+unlogged-table\\s+${schema}\\.scratch`));
  });

  it('writes SARIF whose results name the database object as a logical location', async () => {
    const { stdout } = await run(['--db', serverUrl(), '--schema', schema, '--only', 'unlogged-table', '--format', 'sarif']);
    const sarif = JSON.parse(stdout) as { version: string; runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ logicalLocations: Array<{ fullyQualifiedName: string }> }> }> }> };
    assert.equal(sarif.version, '2.1.0');
    const result = sarif.runs[0].results.find((r) => r.ruleId === 'unlogged-table');
    assert.ok(result);
    assert.equal(result.level, 'note');
    assert.match(result.locations[0].logicalLocations[0].fullyQualifiedName, new RegExp(`/${schema}\\.scratch$`));
  });

  it('runs the whole health report (index checks included) without --only', async () => {
    const { code, stdout } = await run(['--db', serverUrl(), '--schema', schema, '--format', 'json']);
    assert.ok(code === 0 || code === 1);
    const out = JSON.parse(stdout) as { checks: Array<{ id: string; state: string; reason?: string }> };
    assert.equal(out.checks.length, 11);
    for (const c of out.checks) assert.ok(c.state === 'ran', `${c.id} ${c.state}: ${c.reason ?? ''}`);
  });

  it('prints a session\'s hostile query text escaped: no control character, no line a CI runner would read as a command', async () => {
    const config = path.join(dir, 'long.pglens.json');
    writeFileSync(config, JSON.stringify({ rules: { 'long-running-query': ['warning', { seconds: 1 }] } }));
    const sleeper = new Client({ ...serverConfig(), application_name: 'pglens-health-cli-test' });
    await sleeper.connect();
    const marker = uniqueName('hostile');
    const running = sleeper.query(`SELECT pg_sleep(20) /* ${marker} \u001b[31mred\n::error file=x::owned */`).catch(() => undefined);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const { stdout } = await run(['--db', serverUrl(), '--only', 'long-running-query', '--config', config]);
      assert.ok(stdout.includes(marker), `the long query is reported:\n${stdout}`);
      assert.ok(!/\u001b/.test(stdout), 'no raw escape character');
      assert.ok(!/^::error/m.test(stdout), 'no line starts with a workflow command');
    } finally {
      await conn?.query(`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'pglens-health-cli-test'`);
      await running;
      await sleeper.end();
    }
  });

  it('does not wait for a sequence another session holds locked: it says so and reads the rest', async () => {
    await conn!.query(`CREATE SEQUENCE ${schema}.locked_no AS integer; CREATE SEQUENCE ${schema}.free_no AS integer; SELECT setval('${schema}.free_no', 2000000000)`);
    const locker = new Client(serverConfig());
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`ALTER SEQUENCE ${schema}.locked_no RESTART WITH 2140000001`);
      const started = Date.now();
      const { code, stdout } = await run(['--db', serverUrl(), '--schema', schema, '--only', 'sequence-exhaustion', '--format', 'json']);
      assert.ok(Date.now() - started < 10_000, 'no wait for the lock');
      assert.equal(code, 1);
      const out = JSON.parse(stdout) as { checks: Array<{ state: string; notes: string[] }>; findings: Array<JsonFinding & { sequence?: string }> };
      assert.equal(out.checks[0].state, 'ran');
      assert.match(out.checks[0].notes.join('\n'), new RegExp(`not read: another session holds it locked .*${schema}\\.locked_no`));
      assert.deepEqual(out.findings.map((f) => f.sequence), ['free_no']);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  it('as a login-only role: a check that could read nothing is failed (exit 2), one that read part is "ok, partly"', async () => {
    const role = uniqueName('health_lo');
    const s = `${schema}_lo`;
    await conn!.query(`
      CREATE ROLE ${role} LOGIN;
      CREATE SCHEMA ${s};
      GRANT USAGE ON SCHEMA ${s} TO ${role};
      CREATE SEQUENCE ${s}.order_no AS integer;
      CREATE TABLE ${s}.items (id serial PRIMARY KEY);
    `);
    const url = new URL(serverUrl());
    url.username = role;
    url.password = '';
    try {
      const none = await run(['--db', url.toString(), '--schema', s, '--only', 'sequence-exhaustion,int-key-overflow']);
      assert.equal(none.code, 2, none.stderr);
      assert.match(none.stdout, new RegExp(`^  sequence-exhaustion  failed +not allowed to read what it judges: none of the one sequence it judges could be read \\(${role} lacks SELECT or USAGE on it\\) — it needs SELECT or USAGE on each sequence`, 'm'));
      assert.match(none.stdout, new RegExp(`^  int-key-overflow +failed +not allowed to read what it judges: none of the one key it judges could be read \\(${role} lacks SELECT or USAGE on 1 key sequence\\) — it needs`, 'm'));
      assert.match(none.stdout, new RegExp(`note: 1 sequence could not be read: ${role} lacks SELECT or USAGE on ${s}\\.order_no`));
      assert.doesNotMatch(none.stdout, /^No findings\.$/m);
      assert.doesNotMatch(none.stdout, / ok /);
      assert.match(none.stderr, /2 checks could not run or read nothing to judge \(int-key-overflow, sequence-exhaustion\): the report is incomplete/);

      // One of two sequences readable: judged in part, said in the state and the closing line; exit 0.
      await conn!.query(`CREATE SEQUENCE ${s}.invoice_no AS integer; GRANT USAGE ON SEQUENCE ${s}.invoice_no TO ${role}`);
      const part = await run(['--db', url.toString(), '--schema', s, '--only', 'sequence-exhaustion', '--format', 'json']);
      assert.equal(part.code, 0, part.stderr);
      const out = JSON.parse(part.stdout) as { checks: Array<{ id: string; state: string; partial?: boolean; notes: string[] }> };
      assert.deepEqual(out.checks.map((c) => [c.id, c.state, c.partial]), [['sequence-exhaustion', 'ran', true]]);
      const text = await run(['--db', url.toString(), '--schema', s, '--only', 'sequence-exhaustion']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^  sequence-exhaustion  ok, partly  1 sequence; the fullest/m);
      assert.match(text.stdout, /^No findings in what could be read; 1 check could read only part of what it judges \(sequence-exhaustion\): see its notes above\.$/m);
    } finally {
      await conn!.query(`DROP SCHEMA ${s} CASCADE; DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('refuses an unknown check and an unknown format with the list to choose from', async () => {
    const only = await run(['--db', serverUrl(), '--only', 'nope']);
    assert.equal(only.code, 2);
    assert.match(only.stderr, /--only: "nope" is not a health check \(checks: cache-hit-ratio, int-key-overflow, /);
    const format = await run(['--db', serverUrl(), '--format', 'xml']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /text, json, sarif/);
  });

  it('on the embedded sandbox (the shipped CLI), runs what means something there and says why the others need a server', async function () {
    this.timeout(180_000);
    const cli = path.join(repoRoot(), 'dist', 'cli.js');
    if (!existsSync(cli)) execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: repoRoot(), stdio: 'ignore' });
    const migrations = path.join(dir, 'migrations');
    mkdirSync(migrations, { recursive: true });
    writeFileSync(path.join(migrations, '001_init.sql'), 'CREATE TABLE items (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);\n');
    const r = spawnSync(process.execPath, [cli, 'health', '--embedded', '--migrations', migrations, '--no-data', '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '', XDG_CACHE_HOME: path.join(dir, 'cache') },
    });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const out = JSON.parse(r.stdout) as { connection: { kind: string }; checks: Array<{ id: string; state: string; reason?: string }> };
    assert.equal(out.connection.kind, 'embedded');
    const skipped = out.checks.filter((c) => c.state === 'skipped').map((c) => c.id);
    assert.deepEqual(skipped.sort(), ['blocking-locks', 'cache-hit-ratio', 'connections', 'idle-in-transaction', 'long-running-query']);
    for (const c of out.checks.filter((x) => x.state === 'skipped')) assert.ok((c.reason ?? '').length > 10, `${c.id} says why`);
    assert.deepEqual(out.checks.filter((c) => c.state === 'failed'), [], 'every check that runs on the sandbox runs');
  });
});

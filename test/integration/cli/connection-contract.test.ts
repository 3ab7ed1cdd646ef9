/**
 * The CLI on a real server (docs/cli.md): every command's JSON `connection` has the same
 * `{kind, serverVersion, label, database}`; `--migrations` on a server is said to be ignored;
 * `--fail-on off` never exits 1 for findings on indexes and health.
 */
import * as assert from 'node:assert/strict';
import { parseArgs } from '../../../src/cli/args';
import type { CliContext, Command } from '../../../src/cli/context';
import { command as explain } from '../../../src/cli/commands/explain';
import { command as health } from '../../../src/cli/commands/health';
import { command as indexes } from '../../../src/cli/commands/indexes';
import { command as queries } from '../../../src/cli/commands/queries';
import { redactSecrets } from '../../../src/core/db/redact';
import { PgQueryConnection } from '../health/pg-adapter';
import { openTestServer } from '../health/server';
import { serverUrl, uniqueName } from '../db/test-env';

async function run(command: Command, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = { cwd: process.cwd(), env: {}, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  try {
    return { code: await command.run(parseArgs(argv, command.flags), ctx), stdout, stderr };
  } catch (e) {
    return { code: 2, stdout, stderr: stderr + (e as Error).message };
  }
}

type Json = { connection: Record<string, unknown> };

describe('pglens CLI contract on a server', function () {
  this.timeout(60_000);
  const schema = uniqueName('cli_contract');
  let conn: PgQueryConnection | undefined;
  let database = '';

  before(async function () {
    conn = await openTestServer(this, 'CLI contract tests');
    if (!conn) return;
    database = String((await conn.query('SELECT current_database() AS d')).rows[0].d);
    // A foreign key without an index (fk-without-index, a warning) and an unlogged table (unlogged-table, a warning).
    await conn.query(`
      CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.parent (id bigint PRIMARY KEY);
      CREATE TABLE ${schema}.child (id bigint PRIMARY KEY, parent_id bigint REFERENCES ${schema}.parent (id));
      CREATE UNLOGGED TABLE ${schema}.scratch (id bigint PRIMARY KEY);
      ANALYZE ${schema}.parent; ANALYZE ${schema}.child; ANALYZE ${schema}.scratch;
    `);
  });

  after(async () => {
    try {
      if (conn) await conn.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await conn?.close();
    }
  });

  it('explain, indexes, health and queries give the same {kind, serverVersion, label, database}', async () => {
    const url = serverUrl();
    const outputs = {
      explain: await run(explain, ['--db', url, '--format', 'json', '--no-analyze', `SELECT * FROM ${schema}.parent`]),
      indexes: await run(indexes, ['--db', url, '--schema', schema, '--format', 'json', '--fail-on', 'off']),
      health: await run(health, ['--db', url, '--schema', schema, '--only', 'unlogged-table', '--format', 'json', '--fail-on', 'off']),
      // The test server has no pg_stat_statements: exit 2, the JSON is printed all the same.
      queries: await run(queries, ['--db', url, '--no-code', '--format', 'json']),
    };
    const connections: Record<string, Record<string, unknown>> = {};
    for (const [name, r] of Object.entries(outputs)) {
      assert.ok(r.stdout.startsWith('{'), `${name}: ${r.stderr}`);
      connections[name] = (JSON.parse(r.stdout) as Json).connection;
    }
    const expected = { kind: 'server', serverVersion: connections.explain.serverVersion, label: redactSecrets(url), database };
    assert.match(String(expected.serverVersion), /^\d+\.\d+/);
    for (const [name, c] of Object.entries(connections)) {
      assert.deepEqual(Object.keys(c).slice(0, 4), ['kind', 'serverVersion', 'label', 'database'], name);
      assert.deepEqual({ kind: c.kind, serverVersion: c.serverVersion, label: c.label, database: c.database }, expected, name);
      assert.ok(!JSON.stringify(c).includes('password'), name);
    }
    // What indexes had stays; health now has it too (sizesExact null with --only: no sizes read).
    for (const k of ['isReplica', 'statsReset', 'statsSince', 'sizesExact']) assert.ok(k in connections.indexes, `indexes: ${k}`);
    for (const k of ['isReplica', 'statsReset', 'statsSince', 'sizesExact']) assert.ok(k in connections.health, `health: ${k}`);
    assert.equal(connections.health.sizesExact, null);
    assert.equal(typeof connections.indexes.sizesExact, 'boolean');
  });

  it('--migrations on a server: ignored, and said so on stderr', async () => {
    const r = await run(explain, ['--db', serverUrl(), '--migrations', 'db/migrations', '--no-analyze', 'SELECT 1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'pglens: --migrations builds the embedded sandbox: ignored on a server connection\n');
  });

  it('indexes and health: --fail-on off exits 0 on the findings a severity exits 1 on', async () => {
    const url = serverUrl();
    // fk-without-index is a warning (the default --fail-on); unlogged-table is info.
    for (const [command, argv, failOn] of [
      [indexes, ['--db', url, '--schema', schema], 'warning'],
      [health, ['--db', url, '--schema', schema, '--only', 'unlogged-table'], 'info'],
    ] as const) {
      const strict = await run(command, [...argv, '--fail-on', failOn]);
      assert.equal(strict.code, 1, `${command.name}: ${strict.stderr}`);
      const off = await run(command, [...argv, '--fail-on', 'off']);
      assert.equal(off.code, 0, `${command.name}: ${off.stderr}`);
      assert.equal(off.stdout, strict.stdout, `${command.name}: the same report`);
    }
  });
});

import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { command } from '../../../src/cli/commands/indexes';
import { parseArgs } from '../../../src/cli/args';
import type { CliContext } from '../../../src/cli/context';
import { PgQueryConnection } from './pg-adapter';
import { openTestServer } from './server';
import { serverUrl, uniqueName } from '../db/test-env';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = { cwd: process.cwd(), env: {}, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const code = await command.run(parseArgs(argv, command.flags), ctx);
  return { code, stdout, stderr };
}

describe('pglens indexes', function () {
  this.timeout(30_000);
  const schema = uniqueName('health_cli');
  let conn: PgQueryConnection | undefined;
  const configDir = mkdtempSync(path.join(os.tmpdir(), 'pglens-indexes-cli-'));
  const judgeAlways = path.join(configDir, '.pglens.json');
  writeFileSync(judgeAlways, JSON.stringify({ rules: { 'unused-index': ['warning', { minStatsDays: 0 }] } }));

  before(async function () {
    conn = await openTestServer(this, 'pglens indexes CLI tests');
    if (!conn) return;
    await conn.query(`
      CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.parents (id bigint PRIMARY KEY);
      CREATE TABLE ${schema}.children (id bigint PRIMARY KEY, parent_id bigint REFERENCES ${schema}.parents (id), note text);
      CREATE INDEX children_note_idx ON ${schema}.children (note);
    `);
  });

  after(async function () {
    rmSync(configDir, { recursive: true, force: true });
    if (!conn) return;
    await conn.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await conn.close();
  });

  it('prints the JSON shape of docs/cli.md and exits 1 on warnings', async function () {
    // Judge unused indexes however young the test server's statistics are (unused-index-window.test.ts tests the window).
    const { code, stdout } = await run(['--db', serverUrl(), '--schema', schema, '--format', 'json', '--config', judgeAlways]);
    assert.equal(code, 1);
    const out = JSON.parse(stdout);
    assert.equal(out.connection.kind, 'server');
    assert.match(out.connection.serverVersion, /^\d+\.\d+/);
    assert.ok(!JSON.stringify(out.connection).includes('password'));
    const names = out.indexes.map((i: { name: string }) => i.name).sort();
    assert.deepEqual(names, ['children_note_idx', 'children_pkey', 'parents_pkey']);
    for (const i of out.indexes) {
      assert.deepEqual(Object.keys(i).slice(0, 9), ['schema', 'table', 'name', 'definition', 'scans', 'sizeBytes', 'unique', 'primary', 'valid']);
    }
    const rules = out.findings.map((f: { rule: string; table: string; index?: string }) => `${f.rule} ${f.table} ${f.index ?? ''}`.trim()).sort();
    assert.deepEqual(rules, ['fk-without-index children', 'unused-index children children_note_idx']);
  });

  it('exits 0 when nothing reaches --fail-on, and prints a text table with the stats reset', async function () {
    const { code, stdout } = await run(['--db', serverUrl(), '--schema', schema, '--fail-on', 'error']);
    assert.equal(code, 0);
    assert.match(stdout, /^Scans counted since /m);
    assert.match(stdout, new RegExp(`^${schema}\\.children\\s+children_note_idx\\s+0\\s+`, 'm'));
    assert.match(stdout, /fix: CREATE INDEX CONCURRENTLY children_parent_id_idx ON health_cli_\w+\.children \(parent_id\);/);
  });

  it('rejects stray arguments with a usage error', async function () {
    await assert.rejects(run(['extra']), /indexes takes no arguments/);
  });
});

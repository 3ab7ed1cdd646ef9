/**
 * `pglens indexes` on a server whose schema, table and index names forge a GitHub Actions
 * command (`\n::error …`, or `::error` at the start) and carry a terminal escape sequence: the
 * text output keeps one row per index with the names escaped visibly, and the JSON gives them
 * back exactly.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { command } from '../../../src/cli/commands/indexes';
import { parseArgs } from '../../../src/cli/args';
import type { CliContext } from '../../../src/cli/context';
import { guardedContext } from '../../../src/cli/output';
import { quoteIdent } from '../../../src/core/sql/quote-ident';
import { PgQueryConnection } from './pg-adapter';
import { openTestServer } from './server';
import { serverUrl, uniqueName } from '../db/test-env';

const FORGED = '\n::error file=x::pwned';
const RED = '\x1b[31m';

/** unused-index judged however young the test server's statistics are: the index with the forged name must be reported. */
const configDir = mkdtempSync(path.join(os.tmpdir(), 'pglens-hygiene-'));
const judgeAlways = path.join(configDir, '.pglens.json');
writeFileSync(judgeAlways, JSON.stringify({ rules: { 'unused-index': ['warning', { minStatsDays: 0 }] } }));

async function run(argv: string[], guarded: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  argv = [...argv, '--config', judgeAlways];
  let stdout = '';
  let stderr = '';
  const plain: CliContext = { cwd: process.cwd(), env: { GITHUB_ACTIONS: 'true' }, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  // runCli's context, as the pglens process has it (runCli itself loads commands with import()).
  const code = await command.run(parseArgs(argv, command.flags), guarded ? guardedContext(plain) : plain);
  return { code, stdout, stderr };
}

describe('pglens indexes: control characters in names from the server', function () {
  this.timeout(30_000);
  const schema = `::error file=x::${uniqueName('hygiene')}`;
  const parent = `parent${FORGED}${RED}`;
  const child = `child${FORGED}${RED}`;
  const index = `idx${FORGED}${RED}`;
  let conn: PgQueryConnection | undefined;

  before(async function () {
    conn = await openTestServer(this, 'pglens indexes output hygiene tests');
    if (!conn) return;
    const s = quoteIdent(schema);
    await conn.query(`
      CREATE SCHEMA ${s};
      CREATE TABLE ${s}.${quoteIdent(parent)} (id bigint PRIMARY KEY);
      CREATE TABLE ${s}.${quoteIdent(child)} (id bigint PRIMARY KEY, parent_id bigint REFERENCES ${s}.${quoteIdent(parent)} (id), note text);
      CREATE INDEX ${quoteIdent(index)} ON ${s}.${quoteIdent(child)} (note);
    `);
  });

  after(async function () {
    rmSync(configDir, { recursive: true, force: true });
    if (!conn) return;
    await conn.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await conn.close();
  });

  it('text: names are escaped, so no line is forged and no escape sequence is printed', async () => {
    const { code, stdout } = await run(['--db', serverUrl(), '--schema', schema], false);
    assert.equal(code, 1);
    assert.doesNotMatch(stdout, /\x1b/);
    assert.doesNotMatch(stdout, /^::error file=x::pwned/m);
    const shownIndex = 'idx\\n::error file=x::pwned\\u001b[31m';
    const shownChild = `${schema}.child\\n::error file=x::pwned\\u001b[31m`;
    assert.match(stdout, new RegExp(`^${escapeRegExp(shownChild)}\\s+${escapeRegExp(shownIndex)}\\s+0\\s+`, 'm'));
    // Fix SQL keeps the quoted name on its one line.
    assert.ok(stdout.includes(`fix: DROP INDEX CONCURRENTLY IF EXISTS "${schema}"."${shownIndex}";`), stdout);
    assert.ok(stdout.includes(`fix: CREATE INDEX CONCURRENTLY `), stdout);
    for (const line of stdout.split('\n').filter((l) => l.includes('fix: CREATE INDEX'))) assert.match(line, /\(parent_id\);$/);
  });

  it('text through the CLI\'s output guard: a schema named "::error …" cannot start a command line either', async () => {
    const { stdout } = await run(['--db', serverUrl(), '--schema', schema], true);
    assert.doesNotMatch(stdout, /^\s*::/m);
    assert.doesNotMatch(stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    assert.match(stdout, /^\\u003a:error file=x::hygiene_\w+\.child\\n::error file=x::pwned\\u001b\[31m\s+idx/m);
  });

  it('JSON stays valid and gives the names back exactly', async () => {
    const { stdout } = await run(['--db', serverUrl(), '--schema', schema, '--format', 'json'], true);
    const out = JSON.parse(stdout);
    const names = out.indexes.map((i: { schema: string; table: string; name: string }) => [i.schema, i.table, i.name]);
    assert.deepEqual(names.find((n: string[]) => n[2] === index), [schema, child, index]);
    assert.ok(out.findings.some((f: { table: string; index?: string }) => f.table === child && f.index === index));
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

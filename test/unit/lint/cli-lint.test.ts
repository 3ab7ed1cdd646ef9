import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { command } from '../../../src/cli/commands/lint';
import type { CliContext } from '../../../src/cli/context';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function lint(cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let out = '';
  let err = '';
  const ctx: CliContext = { cwd, env, stdout: (t) => (out += t), stderr: (t) => (err += t) };
  const code = await command.run(parseArgs(argv, command.flags), ctx);
  return { code, out, err };
}

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-cli-lint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const MIGRATIONS = {
  'migrations/001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
  'migrations/002_index.sql': "SET lock_timeout = '5s';\nCREATE INDEX users_email_idx ON users (email);\n",
};

describe('pglens lint (CLI)', () => {
  it('lints a folder as a migration set and prints file:line:col, severity, rule, message and the fix', async () => {
    const dir = workspace(MIGRATIONS);
    const { code, out } = await lint(dir, ['migrations']);
    assert.equal(code, 1);
    const lines = out.split('\n');
    // First what pglens read: the folder, its runner, its migrations.
    assert.equal(lines.shift(), 'migrations: plain, 2 migrations');
    assert.match(lines[0], /^migrations\/002_index\.sql:2:1 {2}warning {2}require-concurrent-index-creation {2}CREATE INDEX on existing table users/);
    assert.equal(lines[1], '    fix: Create the index CONCURRENTLY');
    assert.match(out, /\n1 problem \(0 errors, 1 warning, 0 info\)\n$/);
  });

  it('prints the docs/cli.md JSON shape with 1-based positions and the fix edits', async () => {
    const dir = workspace(MIGRATIONS);
    const { code, out } = await lint(dir, ['migrations', '--format', 'json']);
    assert.equal(code, 1);
    const json = JSON.parse(out);
    assert.deepEqual(Object.keys(json[0]).sort(), ['column', 'endColumn', 'endLine', 'file', 'fix', 'line', 'message', 'rule', 'runner', 'severity']);
    assert.equal(json[0].runner, 'plain');
    assert.equal(json[0].file, 'migrations/002_index.sql');
    assert.deepEqual([json[0].line, json[0].column, json[0].endLine, json[0].endColumn], [2, 1, 2, 13]);
    assert.deepEqual(json[0].fix.edits, [{ line: 2, column: 13, endLine: 2, endColumn: 13, newText: ' CONCURRENTLY' }]);
  });

  it('prints SARIF 2.1.0 with rules linking to their docs pages', async () => {
    const dir = workspace(MIGRATIONS);
    const { out } = await lint(dir, ['migrations', '--format', 'sarif']);
    const sarif = JSON.parse(out);
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.equal(run.tool.driver.name, 'pglens');
    assert.deepEqual(run.tool.driver.rules.map((r: { id: string }) => r.id), ['require-concurrent-index-creation']);
    assert.match(run.tool.driver.rules[0].help.text, /docs\/rules\/require-concurrent-index-creation\.md/);
    const result = run.results[0];
    assert.equal(result.level, 'warning');
    assert.equal(result.ruleIndex, 0);
    assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: 2, startColumn: 1, endLine: 2, endColumn: 13 });
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'migrations/002_index.sql');
    assert.deepEqual(run.properties.migrationSets, [{ folder: 'migrations', runner: 'plain', migrations: 2, notRun: [] }]);
  });

  it('adds GitHub annotations under GITHUB_ACTIONS=true, escaping properties and data', async () => {
    const dir = workspace({ 'a,b.sql': 'DROP DATABASE x;\nSELECT 1 FROM t WHERE a LIKE \'%x\';\n' });
    const { out } = await lint(dir, ['a,b.sql'], { GITHUB_ACTIONS: 'true' });
    assert.match(out, /^::error file=a%2Cb\.sql,line=1,col=1,endLine=1,endColumn=16,title=pglens ban-drop-database::DROP DATABASE x deletes/m);
    const { out: plain } = await lint(dir, ['a,b.sql']);
    assert.doesNotMatch(plain, /^::/m);
  });

  it('exits 0 when nothing reaches --fail-on, 1 when something does', async () => {
    const dir = workspace(MIGRATIONS);
    assert.equal((await lint(dir, ['migrations', '--fail-on', 'error'])).code, 0);
    assert.equal((await lint(dir, ['migrations', '--fail-on', 'warning'])).code, 1);
    const clean = workspace({ 'ok.sql': 'CREATE TABLE t (id bigint PRIMARY KEY);\n' });
    const run = await lint(clean, ['ok.sql']);
    assert.deepEqual([run.code, run.out], [0, 'No problems found.\n']);
  });

  it('reports a syntax error as a finding and keeps linting the file', async () => {
    const dir = workspace({ 'x.sql': 'SELEC 1;\nDROP DATABASE prod;\n' });
    const { code, out } = await lint(dir, ['x.sql', '--format', 'json']);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(out).map((f: { rule: string; line: number }) => [f.rule, f.line]), [['syntax-error', 1], ['ban-drop-database', 2]]);
  });

  it('reports 100,000 nested unterminated comments as one syntax error at their start, in seconds, not minutes', async () => {
    const dir = workspace({ 'open.sql': 'SELECT 1;\n' + '/*'.repeat(100_000) });
    const started = Date.now();
    const { code, out } = await lint(dir, ['open.sql', '--format', 'json']);
    assert.equal(code, 1);
    assert.deepEqual(
      JSON.parse(out).map((f: { rule: string; line: number; column: number; message: string }) => [f.rule, f.line, f.column, f.message]),
      [['syntax-error', 2, 1, 'unterminated /* comment (comments nest: each /* needs its own */)']],
    );
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('reads .pglens.json above the path, or the one given with --config', async () => {
    const dir = workspace({ ...MIGRATIONS, '.pglens.json': JSON.stringify({ rules: { 'require-concurrent-index-creation': 'off' } }), 'strict.json': JSON.stringify({ rules: { 'require-concurrent-index-creation': 'error' } }) });
    assert.equal((await lint(dir, ['migrations'])).code, 0);
    const strict = await lint(dir, ['migrations', '--config', 'strict.json', '--fail-on', 'error']);
    assert.equal(strict.code, 1);
    assert.match(strict.out, /error {2}require-concurrent-index-creation/);
  });

  it('runs a Prisma migration as Prisma does: one statement alone outside a transaction, several in one', async () => {
    const dir = workspace({
      'prisma/migrations/20240101_a/migration.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'prisma/migrations/20240102_b/migration.sql': 'CREATE INDEX CONCURRENTLY i ON users (email);\n',
      'prisma/migrations/20240103_c/migration.sql': 'CREATE INDEX CONCURRENTLY j ON users (id, email);\nSELECT 1;\n',
    });
    const { out } = await lint(dir, ['prisma/migrations', '--format', 'json']);
    const found = JSON.parse(out).map((f: { file: string; rule: string; runner: string }) => [f.file, f.rule, f.runner]);
    assert.deepEqual(found, [['prisma/migrations/20240103_c/migration.sql', 'concurrent-index-in-transaction', 'prisma']]);
    const text = await lint(dir, ['prisma/migrations']);
    assert.match(text.out, /^prisma\/migrations: prisma, 3 migrations\n/);
  });

  it('a Prisma or diesel migration folder given alone is linted in its set, as its file is', async () => {
    const dir = workspace({
      'prisma/migrations/1_init/migration.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'prisma/migrations/2_idx/migration.sql': 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n',
    });
    for (const arg of ['prisma/migrations/2_idx', 'prisma/migrations/2_idx/migration.sql']) {
      const { code, out } = await lint(dir, [arg]);
      assert.deepEqual([code, out], [0, 'prisma/migrations: prisma, 2 migrations\nNo problems found.\n'], arg);
    }
  });

  it('says so when a file given alone is one its runner never runs, and lints it on its own', async () => {
    const dir = workspace({
      'drizzle/meta/_journal.json': JSON.stringify({ entries: [{ idx: 0, tag: '0000_init' }] }),
      'drizzle/0000_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'drizzle/seed.sql': 'DROP TABLE users;\n',
    });
    const { out } = await lint(dir, ['drizzle/seed.sql']);
    assert.match(out, /^drizzle\/seed\.sql: drizzle-kit does not run this file \(it is not one of the migrations of drizzle\): linted on its own\n/);
    assert.match(out, /drizzle\/seed\.sql:1:12 {2}warning {2}ban-drop-table/);
  });

  it('a binary file the runner never runs does not stop the lint of its folder; SARIF URIs escape # and ?', async () => {
    const dir = workspace({ 'm/001_a#b?c.sql': '-- +goose Up\nCREATE TABLE t (id bigint PRIMARY KEY);\nDROP TABLE t2;\n' });
    writeFileSync(join(dir, 'm', 'zz_backup.sql'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00]));
    const { out } = await lint(dir, ['m', '--format', 'sarif']);
    const run = JSON.parse(out).runs[0];
    assert.equal(run.properties.migrationSets[0].runner, 'goose');
    assert.equal(run.results[0].locations[0].physicalLocation.artifactLocation.uri, 'm/001_a%23b%3Fc.sql');
  });

  it('lints a multi-file Prisma schema (prisma/schema/) as one, given the folder or any of its files', async () => {
    const dir = workspace({
      'prisma/schema/main.prisma': 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
      'prisma/schema/user.prisma': 'model User {\n  id     BigInt  @id\n  orders Order[]\n}\n',
      'prisma/schema/order.prisma': 'model Order {\n  id     BigInt @id\n  userId BigInt\n  user   User   @relation(fields: [userId], references: [id])\n}\n',
    });
    const expected = [['prisma/schema/order.prisma', 'fk-without-index']];
    for (const argv of [['prisma/schema'], ['prisma/schema/order.prisma'], ['prisma/schema/order.prisma', 'prisma/schema/user.prisma']]) {
      const { out } = await lint(dir, [...argv, '--format', 'json']);
      assert.deepEqual(JSON.parse(out).map((f: { file: string; rule: string }) => [f.file, f.rule]), expected, argv.join(' '));
    }
  });

  it('refuses a Prisma schema for another database, naming its provider', async () => {
    const dir = workspace({ 'schema.prisma': 'datasource db {\n  provider = "mysql"\n  url      = env("DATABASE_URL")\n}\n\nmodel A {\n  id Int @id\n  at DateTime\n}\n' });
    await assert.rejects(lint(dir, ['schema.prisma']), /schema\.prisma: the datasource provider is "mysql", and pglens checks PostgreSQL schemas/);
  });

  it('fails with a one-line cause on an unreadable path, a bad config or a wrong file type', async () => {
    const dir = workspace({ 'bad.json': '{', 'notes.txt': 'x' });
    await assert.rejects(lint(dir, ['missing.sql']), /cannot read missing\.sql: ENOENT/);
    await assert.rejects(lint(dir, ['.', '--config', 'bad.json']), /bad\.json is not valid JSON/);
    await assert.rejects(lint(dir, ['notes.txt']), /takes \.sql files, \.prisma files and folders/);
    await assert.rejects(lint(dir, ['.', '--format', 'xml']), /--format must be one of text, json, sarif/);
  });

  it('refuses a binary or UTF-16 file instead of linting the text before its first NUL byte', async () => {
    // Postgres's parser reads a C string: the DELETE after the NUL would be silently not linted.
    const dir = workspace({ 'mixed.sql': 'SELECT 1;\n\0\nDELETE FROM accounts;\n' });
    writeFileSync(join(dir, 'utf16.sql'), Buffer.from('\ufeffDELETE FROM accounts;\n', 'utf16le'));
    await assert.rejects(lint(dir, ['mixed.sql']), /^PglensError: mixed\.sql is not a text file \(a NUL byte on line 2: binary, or UTF-16\) — pass a text file saved as UTF-8$/);
    await assert.rejects(lint(dir, ['utf16.sql']), /utf16\.sql is not a text file \(a NUL byte on line 1/);
  });

  it('reads a UTF-8 file with a byte order mark from its first statement on', async () => {
    const dir = workspace({ 'bom.sql': '\ufeffDELETE FROM accounts;\n' });
    const { code, out } = await lint(dir, ['bom.sql']);
    assert.equal(code, 1);
    assert.match(out, /^bom\.sql:1:1 {2}error {2}missing-where /);
  });
});

/**
 * The linter follows the migration runner (src/core/migrations): ups replayed in the
 * runner's order, each down linted right after its own up and never replayed, each part
 * with the runner's transaction mode, and fixes only where they work with that runner.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/core/config';
import { lintFileInContext, lintRunnerSet, runnerSetForFile, runnerSetsUnder } from '../../../src/core/lint/migration-lint';
import { loadSqlParser } from '../../../src/core/sql/parse';
import type { Finding } from '../../../src/core/types';

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-runner-lint-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const read = (f: string): string => readFileSync(f, 'utf8');

function lintDir(dir: string): Array<[file: string, line: number, rule: string, fix: boolean]> {
  const config = defaultConfig(dir);
  return runnerSetsUnder(dir, { config })
    .flatMap((rs) => lintRunnerSet(rs, read, config))
    .map((f: Finding) => [f.file.slice(dir.length + 1), f.range.start.line + 1, f.ruleId, Boolean(f.fix)] as [string, number, string, boolean])
    .filter(([, , rule]) => rule !== 'require-lock-timeout' && rule !== 'duplicate-index');
}

describe('lint follows the migration runner', () => {
  before(() => loadSqlParser());

  it('goose: the Down section is linted after its Up, not replayed, and its undo of the Up is silent', () => {
    const dir = workspace({
      'db/migrations/00001_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- +goose Down\nDROP TABLE users;\n',
      'db/migrations/00002_email.sql':
        '-- +goose Up\nALTER TABLE users ADD COLUMN nick text;\nCREATE INDEX users_email_idx ON users (email);\n' +
        '-- +goose Down\nDROP INDEX users_email_idx;\nALTER TABLE users DROP COLUMN nick;\nALTER TABLE users DROP COLUMN email;\n',
      // Were the Down of 00001 replayed forward, users would not exist here: the index build would be on a new table (silent).
      'db/migrations/00003_more.sql': '-- +goose Up\nCREATE INDEX users_nick_idx ON users (nick);\n-- +goose Down\nDROP INDEX users_nick_idx;\n',
    });
    assert.deepEqual(lintDir(dir), [
      // Inside goose's transaction: no CONCURRENTLY fix, the message says how with goose.
      ['db/migrations/00002_email.sql', 3, 'require-concurrent-index-creation', false],
      // The Down drops a column the Up did not add: real data loss, reported.
      ['db/migrations/00002_email.sql', 7, 'ban-drop-column', false],
      ['db/migrations/00003_more.sql', 2, 'require-concurrent-index-creation', false],
    ]);
    const config = defaultConfig(dir);
    const [rs] = runnerSetsUnder(dir, { config });
    assert.equal(rs.set.runner, 'goose');
    const index = lintRunnerSet(rs, read, config).find((f) => f.ruleId === 'require-concurrent-index-creation')!;
    assert.match(index.message, /-- \+goose NO TRANSACTION/);
  });

  it('goose NO TRANSACTION: CONCURRENTLY runs, the fix adds it, and SET LOCAL does not protect anything', () => {
    const dir = workspace({
      'migrations/00001_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'migrations/00002_index.sql':
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nSET LOCAL lock_timeout = '1s';\nCREATE INDEX users_id_email_idx ON users (id, email);\nALTER TABLE users ADD COLUMN b int;\n" +
        '-- +goose Down\nDROP INDEX CONCURRENTLY users_email_idx;\n',
    });
    const config = defaultConfig(dir);
    const findings = runnerSetsUnder(dir, { config }).flatMap((rs) => lintRunnerSet(rs, read, config));
    assert.deepEqual(
      findings.map((f) => [f.range.start.line + 1, f.ruleId, Boolean(f.fix)]),
      [
        [5, 'require-concurrent-index-creation', true],
        // SET LOCAL outside a transaction block does nothing: the ALTER still waits without a timeout.
        [6, 'require-lock-timeout', true],
      ],
    );
  });

  it('diesel: up.sql in a transaction unless metadata.toml says otherwise; down.sql undoing the up is silent', () => {
    const dir = workspace({
      'migrations/2024-01-01-000000_users/up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'migrations/2024-01-01-000000_users/down.sql': 'DROP TABLE users;\n',
      'migrations/2024-01-02-000000_nick/up.sql': "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN nick text;\nCREATE INDEX CONCURRENTLY users_nick_idx ON users (nick);\n",
      'migrations/2024-01-02-000000_nick/down.sql': "SET lock_timeout = '1s';\nDROP INDEX users_nick_idx;\nALTER TABLE users DROP COLUMN nick;\n",
      'migrations/2024-01-03-000000_idx/up.sql': 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n',
      'migrations/2024-01-03-000000_idx/down.sql': 'DROP INDEX CONCURRENTLY users_email_idx;\n',
      'migrations/2024-01-03-000000_idx/metadata.toml': 'run_in_transaction = false\n',
    });
    assert.deepEqual(lintDir(dir), [['migrations/2024-01-02-000000_nick/up.sql', 3, 'concurrent-index-in-transaction', false]]);
    const config = defaultConfig(dir);
    const error = runnerSetsUnder(dir, { config }).flatMap((rs) => lintRunnerSet(rs, read, config))[0];
    assert.match(error.message, /diesel runs this migration in a transaction\)\. .*run_in_transaction = false/);
  });

  it('drizzle-kit: every pending migration in one transaction, so CONCURRENTLY fails and no fix adds it', () => {
    const dir = workspace({
      'drizzle/meta/_journal.json': JSON.stringify({ entries: [{ idx: 0, tag: '0000_init' }, { idx: 1, tag: '0001_index' }] }),
      'drizzle/0000_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'drizzle/0001_index.sql': "SET lock_timeout = '1s';--> statement-breakpoint\nCREATE INDEX users_email_idx ON users (email);--> statement-breakpoint\nCREATE INDEX CONCURRENTLY users_id_idx ON users (email, id);\n",
    });
    assert.deepEqual(lintDir(dir), [
      ['drizzle/0001_index.sql', 2, 'require-concurrent-index-creation', false],
      ['drizzle/0001_index.sql', 3, 'concurrent-index-in-transaction', false],
    ]);
  });

  it('Prisma: a lone CONCURRENTLY statement runs outside a transaction; with others it does not', () => {
    const dir = workspace({
      'prisma/migrations/1_init/migration.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'prisma/migrations/2_alone/migration.sql': 'CREATE INDEX users_email_idx ON users (email);\n',
      'prisma/migrations/3_mixed/migration.sql': "SET lock_timeout = '1s';\nCREATE INDEX users_id_idx ON users (email, id);\n",
    });
    assert.deepEqual(lintDir(dir), [
      ['prisma/migrations/2_alone/migration.sql', 1, 'require-concurrent-index-creation', true],
      ['prisma/migrations/3_mixed/migration.sql', 2, 'require-concurrent-index-creation', false],
    ]);
  });

  it('golang-migrate: the .down.sql dropping what its .up.sql added is silent; other drops are not', () => {
    const dir = workspace({
      'migrations/1_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'migrations/1_users.down.sql': 'DROP TABLE users;\n',
      'migrations/2_nick.up.sql': "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users RENAME COLUMN email TO mail;\n",
      'migrations/2_nick.down.sql': "SET lock_timeout = '1s';\nALTER TABLE users RENAME COLUMN mail TO email;\nALTER TABLE users DROP COLUMN nick;\nDROP TABLE users;\n",
    });
    assert.deepEqual(lintDir(dir), [
      ['migrations/2_nick.up.sql', 3, 'renaming-column', false],
      ['migrations/2_nick.down.sql', 4, 'ban-drop-table', false],
    ]);
  });

  it('a file is linted in the context of its set, reporting on itself only (the editor and `pglens lint FILE`)', () => {
    const dir = workspace({
      'migrations/00001_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- +goose Down\nDROP TABLE users;\n',
      'migrations/00002_email.sql': '-- +goose Up\nCREATE INDEX users_email_idx ON users (email);\n-- +goose Down\nDROP INDEX users_email_idx;\n',
    });
    const config = defaultConfig(dir);
    const file = join(dir, 'migrations/00002_email.sql');
    const { findings, set } = lintFileInContext(file, read, config);
    assert.equal(set?.set.runner, 'goose');
    assert.deepEqual(
      findings.map((f) => [f.file, f.range.start.line + 1, f.ruleId]),
      [[file, 2, 'require-concurrent-index-creation']],
    );
    // An unsaved edit is what gets linted.
    const edited = lintFileInContext(file, (f) => (f === file ? '-- +goose Up\nSELECT 1;\n' : read(f)), config);
    assert.deepEqual(edited.findings, []);
  });

  it('a loose query file is not a migration; a file a runner never runs is not part of its set', () => {
    const dir = workspace({
      'queries/report.sql': 'SELECT * FROM users;\n',
      'drizzle/meta/_journal.json': JSON.stringify({ entries: [{ idx: 0, tag: '0000_init' }] }),
      'drizzle/0000_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
      'drizzle/seed.sql': 'INSERT INTO users VALUES (1);\n',
    });
    const config = defaultConfig(dir);
    assert.equal(runnerSetForFile(join(dir, 'queries/report.sql'), { config }), undefined);
    assert.equal(runnerSetForFile(join(dir, 'drizzle/seed.sql'), { config }), undefined);
    const rs = runnerSetForFile(join(dir, 'drizzle/0000_init.sql'), { config })!;
    assert.deepEqual([rs.set.runner, rs.notRun.map((f) => f.slice(dir.length + 1))], ['drizzle-kit', ['drizzle/seed.sql']]);
  });

  it('missing-where: a backfill in a migration is a warning about the deploy; in a query file an error', () => {
    const dir = workspace({
      'migrations/00001_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, plan text);\n',
      'migrations/00002_backfill.sql': "-- +goose Up\nUPDATE users SET plan = 'free';\n",
      'queries/fix.sql': "UPDATE users SET plan = 'free';\n",
    });
    const config = defaultConfig(dir);
    const severity = (rel: string): string[] =>
      lintFileInContext(join(dir, rel), read, config).findings.filter((f) => f.ruleId === 'missing-where').map((f) => f.severity);
    assert.deepEqual(severity('migrations/00002_backfill.sql'), ['warning']);
    assert.deepEqual(severity('queries/fix.sql'), ['error']);
    // A severity the user sets for the rule wins over the finding's own.
    config.rules['missing-where'] = { severity: 'info', options: {} };
    assert.deepEqual(
      lintFileInContext(join(dir, 'migrations/00002_backfill.sql'), read, config).findings.filter((f) => f.ruleId === 'missing-where').map((f) => f.severity),
      ['info'],
    );
  });

  it('a one-statement migration sent as one string keeps one statement: no fix adds another (fixes applied on a server proved it)', () => {
    const dir = workspace({
      'prisma/migrations/1_init/migration.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text, org bigint);\nCREATE TABLE orgs (id bigint PRIMARY KEY);\nCREATE INDEX users_email_idx ON users (email);\n',
      'prisma/migrations/2_drop/migration.sql': 'DROP INDEX users_email_idx;\n',
      'prisma/migrations/3_unique/migration.sql': 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n',
      'prisma/migrations/4_fk/migration.sql': 'ALTER TABLE users ADD CONSTRAINT users_org_fkey FOREIGN KEY (org) REFERENCES orgs (id);\n',
    });
    const config = defaultConfig(dir);
    const findings = runnerSetsUnder(dir, { config }).flatMap((rs) => lintRunnerSet(rs, read, config));
    const of = (dirName: string, rule: string) => findings.find((f) => f.file.includes(`/${dirName}/`) && f.ruleId === rule);
    // Adding CONCURRENTLY keeps one statement: offered. A SET lock_timeout before it would make a transaction: not offered.
    assert.ok(of('2_drop', 'require-concurrent-index-deletion')?.fix);
    const timeout = of('2_drop', 'require-lock-timeout')!;
    assert.equal(timeout.fix, undefined);
    assert.match(timeout.message, /prisma runs this one-statement migration outside a transaction.*options=-c lock_timeout=5s/);
    // CREATE UNIQUE INDEX CONCURRENTLY + ADD CONSTRAINT USING INDEX would be two statements: no fix, the way out in the message.
    const unique = of('3_unique', 'unique-constraint-locks')!;
    assert.equal(unique.fix, undefined);
    assert.match(unique.message, /Put it alone in a migration of its own/);
    // NOT VALID + VALIDATE in one string is one implicit transaction: only NOT VALID, VALIDATE in the next migration.
    const fk = of('4_fk', 'constraint-missing-not-valid')!;
    assert.deepEqual(fk.fix?.edits.map((e) => e.newText), [' NOT VALID']);
  });

  it('dbmate transaction:false with several statements is one implicit transaction (dbmate sends the part as one string)', () => {
    const dir = workspace({
      'db/migrations/20240101000000_users.sql': '-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'db/migrations/20240102000000_alone.sql': '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n',
      'db/migrations/20240103000000_two.sql': "-- migrate:up transaction:false\nSET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY users_id_email_idx ON users (id, email);\n",
    });
    assert.deepEqual(lintDir(dir), [['db/migrations/20240103000000_two.sql', 3, 'concurrent-index-in-transaction', false]]);
  });

  it('a down reports what makes it fail or destroys data, not lock or design advice; tables it creates are new', () => {
    const dir = workspace({
      'migrations/1_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE tokens (id bigint PRIMARY KEY);\n',
      'migrations/2_split.up.sql': "SET lock_timeout = '1s';\nDROP TABLE tokens;\n",
      'migrations/2_split.down.sql':
        'CREATE TABLE tokens (id bigint PRIMARY KEY, user_id bigint);\nCREATE INDEX tokens_user_idx ON tokens (user_id);\n' +
        'CREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN nick text NOT NULL;\nCREATE INDEX CONCURRENTLY users_id_idx ON users (id, email);\n',
    });
    assert.deepEqual(
      lintDir(dir).filter(([file]) => file.endsWith('.down.sql')),
      [
        // Fails on a table with rows, and CONCURRENTLY fails in the implicit transaction of a several-statement file.
        ['migrations/2_split.down.sql', 4, 'adding-required-field', false],
        ['migrations/2_split.down.sql', 5, 'concurrent-index-in-transaction', false],
      ],
    );
  });

  it("a COMMIT of the file's own ends the runner's transaction: CONCURRENTLY after it runs (drizzle projects do this)", () => {
    const dir = workspace({
      'drizzle/meta/_journal.json': JSON.stringify({ entries: [{ idx: 0, tag: '0000_init' }, { idx: 1, tag: '0001_index' }] }),
      'drizzle/0000_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'drizzle/0001_index.sql': "SET lock_timeout = '1s';--> statement-breakpoint\nCOMMIT;--> statement-breakpoint\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);--> statement-breakpoint\nCREATE INDEX users_id_email_idx ON users (id, email);\n",
    });
    assert.deepEqual(lintDir(dir), [['drizzle/0001_index.sql', 4, 'require-concurrent-index-creation', true]]);
  });

  it('a down statement that drops the up\'s column and restores an old constraint in one ALTER destroys nothing', () => {
    const dir = workspace({
      'migrations/1_t.up.sql': 'CREATE TABLE t (a int, b int, CONSTRAINT t_uq UNIQUE (a));\n',
      'migrations/1_t.down.sql': 'DROP TABLE t;\n',
      'migrations/2_tenant.up.sql': "SET lock_timeout = '1s';\nALTER TABLE t DROP CONSTRAINT t_uq, ADD COLUMN tenant int, ADD CONSTRAINT t_uq UNIQUE (tenant, a);\n",
      'migrations/2_tenant.down.sql': "SET lock_timeout = '1s';\nALTER TABLE t DROP CONSTRAINT t_uq, DROP COLUMN tenant, ADD CONSTRAINT t_uq UNIQUE (a);\nALTER TABLE t DROP COLUMN b;\n",
    });
    assert.deepEqual(lintDir(dir).filter(([file]) => file.endsWith('.down.sql')), [['migrations/2_tenant.down.sql', 3, 'ban-drop-column', false]]);
  });
});

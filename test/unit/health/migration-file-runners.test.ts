/**
 * Create migration… writes the migration the way the folder's runner runs it outside a
 * transaction (CONCURRENTLY needs that), and the runner model reads it back so: for each
 * runner, a folder with a couple of migrations, the planned migration written as the editor
 * writes it, the folder re-read with readMigrationSets — the new migration is last, its up
 * holds the fix, its down the revert, both run without a transaction — and the linter finds
 * no concurrent-index-in-transaction (nor a syntax error) in it.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { HealthFinding } from '../../../src/core/health/health-finding';
import { migrationFileFor, migrationFileIn, planMigration, type MigrationEntry, type PlacedMigrationFile } from '../../../src/core/health/migration-file';
import { chooseMigrationFolder } from '../../../src/core/health/migration-folder';
import { defaultConfig, loadConfig } from '../../../src/core/config';
import { lintRunnerSet, runnerSetsUnder } from '../../../src/core/lint/migration-lint';
import { readMigrationSets } from '../../../src/core/migrations/read';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { makeProject, RUNNER_PROJECTS, writePlanned } from './runner-projects';

const unused: HealthFinding = {
  ruleId: 'unused-index',
  severity: 'warning',
  message: 'index public.orders_status_idx has not been scanned',
  schema: 'public',
  table: 'orders',
  index: 'orders_status_idx',
  columns: ['status'],
  fixSql: 'DROP INDEX CONCURRENTLY IF EXISTS public.orders_status_idx;',
  revertSql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON public.orders USING btree (status);',
};
/** An invalid index rebuilt without REINDEX CONCURRENTLY (servers before PostgreSQL 12): two statements. */
const rebuild: HealthFinding = {
  ruleId: 'invalid-index',
  severity: 'error',
  message: 'index public.orders_status_idx on public.orders is invalid',
  schema: 'public',
  table: 'orders',
  index: 'orders_status_idx',
  fixSql: 'DROP INDEX CONCURRENTLY IF EXISTS public.orders_status_idx;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON public.orders USING btree (status);',
};
const now = new Date('2024-05-06T07:08:09.123Z');
const read = (f: string): string => readFileSync(f, 'utf8');
const rel = (dir: string, f: string): string => path.relative(dir, f).split(path.sep).join('/');

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = makeProject(files);
  dirs.push(dir);
  return dir;
}

/** Re-reads `dir` after `plan` was written and checks what the runner and the linter see. */
function assertReadBack(dir: string, plan: PlacedMigrationFile, runner: string, finding: HealthFinding = unused, hasDown = true): void {
  const config = loadConfig(dir);
  const sets = readMigrationSets(dir, { overrides: config.migrations, overridesRoot: config.root });
  const set = sets.find((s) => s.folder === '');
  assert.ok(set, `no set for the folder: ${JSON.stringify(sets.map((s) => s.folder))}`);
  assert.equal(set.runner, runner);
  const last = set.migrations.at(-1)!;
  assert.equal(last.up.file, rel(dir, plan.path), `the new migration is not last: ${set.migrations.map((m) => m.id).join(', ')}`);
  for (const statement of finding.fixSql!.split('\n')) assert.ok(last.up.text.includes(statement), `up lacks ${statement}:\n${last.up.text}`);
  assert.ok(!last.up.text.includes('CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx') || finding !== unused, 'the revert leaked into the up');
  if (finding.revertSql && hasDown) {
    assert.ok(last.down, 'no down');
    assert.ok(last.down.text.includes(finding.revertSql), `down lacks the revert:\n${last.down.text}`);
    assert.ok(!last.down.text.includes(finding.fixSql!), 'the fix leaked into the down');
    assert.equal(last.downTransaction ?? last.transaction, 'none');
  }
  assert.equal(last.transaction, 'none');

  const lintConfig = defaultConfig(dir);
  const rs = runnerSetsUnder(dir, { config: { ...lintConfig, migrations: config.migrations, root: config.root } }).find((r) => r.set.folder === '')!;
  const mine = new Set([plan.path, plan.downPath].filter((f): f is string => f !== undefined));
  const findings = lintRunnerSet(rs, read, lintConfig).filter((f) => mine.has(f.file));
  const bad = findings.filter((f) => f.ruleId === 'concurrent-index-in-transaction' || f.ruleId === 'syntax-error');
  assert.deepEqual(bad.map((f) => `${f.ruleId}: ${f.message}`), []);
}

describe('Create migration… follows the runner', () => {
  before(() => loadSqlParser());
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const [name, p] of Object.entries(RUNNER_PROJECTS)) {
    it(`${name}: ${p.expectedUp}, read back last and outside a transaction`, async () => {
      const dir = project(p.files);
      const plan = await migrationFileFor(unused, dir, now);
      assert.equal(plan.runner, p.runner);
      assert.equal(rel(dir, plan.path), p.expectedUp);
      assert.equal(plan.note, undefined);
      writePlanned(plan);
      assertReadBack(dir, plan, p.runner, unused, p.down);
      if (!p.down) assert.equal(plan.downPath, undefined);
    });
  }

  it('goose: NO TRANSACTION, Up and Down markers, the caveat replaced by the runner\'s line', async () => {
    const dir = project(RUNNER_PROJECTS.goose.files);
    const plan = await migrationFileFor(unused, dir, now);
    const lines = plan.content.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['-- +goose NO TRANSACTION', '-- +goose Up', '-- pglens: unused-index on public.orders (index orders_status_idx)']);
    assert.ok(lines.includes('-- +goose Down'));
    assert.ok(!plan.content.includes('run this file outside one'), plan.content);
    assert.equal(plan.downPath, undefined);
  });

  it('dbmate and sql-migrate: both directions opt out of the transaction', async () => {
    const dbmate = await migrationFileFor(unused, project(RUNNER_PROJECTS.dbmate.files), now);
    assert.match(dbmate.content, /^-- migrate:up transaction:false\n[\s\S]*\n-- migrate:down transaction:false\n/);
    const sqlMigrate = await migrationFileFor(unused, project(RUNNER_PROJECTS['sql-migrate'].files), now);
    assert.match(sqlMigrate.content, /^-- \+migrate Up notransaction\n[\s\S]*\n-- \+migrate Down notransaction\n/);
  });

  it('diesel: a version folder with up.sql, down.sql and metadata.toml run_in_transaction = false', async () => {
    const dir = project(RUNNER_PROJECTS.diesel.files);
    const plan = await migrationFileFor(unused, dir, now);
    assert.equal(rel(dir, plan.downPath!), '2024-05-06-070809_drop_unused_index_orders_status_idx/down.sql');
    assert.deepEqual(
      plan.extraFiles?.map((f) => [rel(dir, f.path), f.content]),
      [['2024-05-06-070809_drop_unused_index_orders_status_idx/metadata.toml', 'run_in_transaction = false\n']],
    );
  });

  it('diesel: a version one second after a newest one ahead of the clock', async () => {
    const plan = planMigration(
      { slug: 'x', content: 'DROP INDEX CONCURRENTLY i;\n', downContent: '' },
      [{ name: '2099-12-31-235959_future', isDirectory: true }],
      now,
      '',
      { runner: 'diesel' },
    );
    assert.equal(plan.fileName, '2100-01-01-000000_x/up.sql');
  });

  it('golang-migrate and popx: one statement per file, the down in its own file', async () => {
    for (const name of ['golang-migrate', 'popx'] as const) {
      const dir = project(RUNNER_PROJECTS[name].files);
      const plan = await migrationFileFor(unused, dir, now);
      assert.equal(plan.content.split('\n').filter((l) => l && !l.startsWith('--')).length, 1, plan.content);
      assert.equal(plan.downContent!.split('\n').filter((l) => l && !l.startsWith('--')).length, 1, plan.downContent);
      assert.match(rel(dir, plan.downPath!), /\.down\.sql$/);
    }
  });

  it('popx: long versions count past 2^53 without losing digits', () => {
    const entries: MigrationEntry[] = [{ name: '20990101000000000009_future.autocommit.up.sql', isDirectory: false }];
    const plan = planMigration({ slug: 'x', content: 'DROP INDEX CONCURRENTLY i;\n', downContent: '' }, entries, now, '', { runner: 'popx' });
    assert.equal(plan.fileName, '20990101000000000010_x.autocommit.up.sql');
  });

  it('Liquibase: formatted SQL, a runInTransaction:false changeset with --rollback lines, next to the newest included file', async () => {
    const dir = project(RUNNER_PROJECTS.liquibase.files);
    const plan = await migrationFileFor(unused, dir, now);
    const lines = plan.content.split('\n');
    assert.equal(lines[0], '--liquibase formatted sql');
    assert.ok(lines.includes('--changeset pglens:003_drop_unused_index_orders_status_idx runInTransaction:false'), plan.content);
    assert.ok(lines.includes(`--rollback ${unused.revertSql}`), plan.content);
  });

  it('Liquibase: a file the root changelog does not include is written with a note saying how to include it', async () => {
    const dir = project({
      'changelog.xml':
        '<?xml version="1.0"?>\n<databaseChangeLog>\n  <include file="changes/001_orders.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>\n',
      'changes/001_orders.sql': RUNNER_PROJECTS.liquibase.files['changes/001_orders.sql'],
    });
    const plan = await migrationFileFor(unused, dir, now);
    assert.equal(rel(dir, plan.path), 'changes/002_drop_unused_index_orders_status_idx.sql');
    assert.match(plan.note ?? '', /changelog\.xml includes, and it does not include changes\/002_drop_unused_index_orders_status_idx\.sql: add <include file="changes\/002_drop_unused_index_orders_status_idx\.sql" relativeToChangelogFile="true"\/>/);
  });

  it('sqitch: deploy, revert and verify scripts, and the change appended to the plan', async () => {
    const dir = project(RUNNER_PROJECTS.sqitch.files);
    const plan = await migrationFileFor(unused, dir, now);
    assert.equal(rel(dir, plan.downPath!), 'revert/drop_unused_index_orders_status_idx.sql');
    const extra = new Map(plan.extraFiles!.map((f) => [rel(dir, f.path), f.content]));
    assert.deepEqual([...extra.keys()], ['verify/drop_unused_index_orders_status_idx.sql', 'sqitch.plan']);
    assert.equal(
      extra.get('sqitch.plan'),
      `${RUNNER_PROJECTS.sqitch.files['sqitch.plan']}drop_unused_index_orders_status_idx 2024-05-06T07:08:09Z pglens <pglens@localhost> # pglens: unused-index on public.orders (index orders_status_idx)\n`,
    );
    assert.match(plan.content, /^-- Deploy shop:drop_unused_index_orders_status_idx to pg\n/);
    assert.ok(!/^\s*(BEGIN|COMMIT)/m.test(plan.content), plan.content);
    // A second one gets a name of its own: a name already in the plan would be a rework.
    writePlanned(plan);
    const again = await migrationFileFor(unused, dir, now);
    assert.equal(rel(dir, again.path), 'deploy/drop_unused_index_orders_status_idx_2.sql');
  });

  it('sqitch: the deploy/ folder resolves to the plan\'s folder; a moved layout is refused with the sqitch add command', async () => {
    const dir = project(RUNNER_PROJECTS.sqitch.files);
    const plan = await migrationFileFor(unused, path.join(dir, 'deploy'), now);
    assert.equal(rel(dir, plan.path), 'deploy/drop_unused_index_orders_status_idx.sql');
    writeFileSync(path.join(dir, 'sqitch.conf'), '[core]\n\tengine = pg\n\ttop_dir = db\n');
    await assert.rejects(
      migrationFileFor(unused, dir, now),
      /sqitch\.conf sets top_dir, which pglens does not follow — run `sqitch add drop_unused_index_orders_status_idx -n 'pglens: unused-index on public\.orders \(index orders_status_idx\)'`/,
    );
  });

  it('drizzle-kit: refused, naming the one transaction and the way out', async () => {
    const dir = project({
      '0000_init.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n',
      'meta/_journal.json': JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, tag: '0000_init' }] }),
    });
    await assert.rejects(
      migrationFileFor(unused, dir, now),
      (e: Error) => {
        assert.match(e.message, /drizzle-kit runs every pending migration in one transaction, so DROP INDEX CONCURRENTLY can never run from a drizzle migration/);
        assert.match(e.message, /run the statement with psql as a deploy step, outside drizzle-kit migrate \(DROP INDEX CONCURRENTLY IF EXISTS public\.orders_status_idx;\)/);
        assert.match(e.message, /without CONCURRENTLY in a drizzle migration .* locks/);
        return true;
      },
    );
  });

  it('plain folders and the Supabase CLI keep the plain file with the caveat', async () => {
    const plain = project({ '001_orders.sql': 'CREATE TABLE orders (id bigint);\n', '002_more.sql': 'SELECT 1;\n' });
    const p = await migrationFileFor(unused, plain, now);
    assert.equal(p.runner, 'plain');
    assert.equal(rel(plain, p.path), '003_drop_unused_index_orders_status_idx.sql');
    assert.match(p.content, /CONCURRENTLY cannot run inside a transaction block: run this file outside one/);
    const root = project({ 'supabase/migrations/20240101000000_orders.sql': 'CREATE TABLE orders (id bigint);\n' });
    const s = await migrationFileFor(unused, path.join(root, 'supabase', 'migrations'), now);
    assert.equal(s.runner, 'supabase');
    assert.equal(path.basename(s.path), '20240506070809_drop_unused_index_orders_status_idx.sql');
  });

  it('.pglens.json migrations[].runner forces the runner of the folder', async () => {
    const dir = project({
      '.pglens.json': JSON.stringify({ migrations: [{ path: 'db', runner: 'goose' }] }),
      // Plain files: read as a plain folder without the config, as goose with it.
      'db/00001_orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n',
      'db/00002_more.sql': 'SELECT 1;\n',
    });
    assert.equal(readMigrationSets(dir)[0].runner, 'plain');
    const db = path.join(dir, 'db');
    const plan = await migrationFileFor(unused, db, now);
    assert.equal(plan.runner, 'goose');
    assert.equal(path.basename(plan.path), '00003_drop_unused_index_orders_status_idx.sql');
    assert.match(plan.content, /^-- \+goose NO TRANSACTION\n/);
    writePlanned(plan);
    assertReadBack(db, plan, 'goose');
  });

  it('several CONCURRENTLY statements: refused where the runner sends the file as one string, each on its own elsewhere', async () => {
    await assert.rejects(
      migrationFileFor(rebuild, project(RUNNER_PROJECTS['golang-migrate'].files), now),
      /golang-migrate sends 000003_rebuild_invalid_index_orders_status_idx\.up\.sql to PostgreSQL as one string: its 2 statements would run as one implicit transaction, where DROP INDEX CONCURRENTLY fails — write one migration per statement/,
    );
    await assert.rejects(migrationFileFor(rebuild, project(RUNNER_PROJECTS.prisma.files), now), /prisma sends .* one implicit transaction/);
    await assert.rejects(migrationFileFor(rebuild, project(RUNNER_PROJECTS.diesel.files), now), /diesel sends .* one implicit transaction/);
    const dir = project(RUNNER_PROJECTS.goose.files);
    const plan = await migrationFileFor(rebuild, dir, now);
    writePlanned(plan);
    assertReadBack(dir, plan, 'goose', rebuild);
  });

  it('the advised index (migrationFileIn) takes the same way', async () => {
    const dir = project(RUNNER_PROJECTS.dbmate.files);
    const spec = {
      slug: 'add_index_orders_customer_id',
      content: '-- pglens: index suggested for public.orders\n-- CONCURRENTLY cannot run inside a transaction block: run this file outside one\n-- (a runner that sends the whole file as one script needs one statement per file).\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON public.orders (customer_id);\n',
      downContent: '-- pglens: undo the index suggested for public.orders\nDROP INDEX CONCURRENTLY IF EXISTS public.orders_customer_id_idx;\n',
    };
    const plan = await migrationFileIn(spec, dir, now);
    assert.equal(rel(dir, plan.path), '20240506070809_add_index_orders_customer_id.sql');
    writePlanned(plan);
    const last = readMigrationSets(dir)[0].migrations.at(-1)!;
    assert.match(last.up.text, /CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx/);
    assert.match(last.down!.text, /DROP INDEX CONCURRENTLY IF EXISTS public\.orders_customer_id_idx/);
    assert.equal(last.transaction, 'none');
  });
});

describe('chooseMigrationFolder groups files as their runner does', () => {
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('diesel version folders count for the folder above them', () => {
    const files = Object.keys(RUNNER_PROJECTS.diesel.files).filter((f) => f.endsWith('.sql')).map((f) => `/w/migrations/${f}`);
    assert.equal(chooseMigrationFolder(files, ['/w']), path.join('/w', 'migrations'));
  });

  it('sqitch deploy/, revert/ and verify/ count for the plan\'s folder', () => {
    const root = project({});
    const dir = path.join(root, 'db');
    mkdirSync(dir);
    for (const [name, text] of Object.entries(RUNNER_PROJECTS.sqitch.files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    const files = Object.keys(RUNNER_PROJECTS.sqitch.files).filter((f) => f.endsWith('.sql')).map((f) => path.join(dir, f));
    assert.equal(chooseMigrationFolder([...files, path.join(root, 'other', 'x.sql')], [root]), dir);
  });
});

import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEmbeddedConnection, type EmbeddedConnection } from '../../../src/core/db/embedded-connection';
import { sandboxWorker, tempCacheDir } from './test-env';

/**
 * The sandbox replays what the runner runs: ups only, in the runner's order, with its
 * transaction semantics. Before the runner model, it replayed whole files by name, so a
 * golang-migrate `.down.sql` or a goose Down section dropped what the ups had built.
 */
const START_TIMEOUT = 180_000;

const FILES: Record<string, string> = {
  'db-goose/migrations/00001_users.sql': [
    '-- +goose Up',
    'CREATE TABLE g_users (id bigint PRIMARY KEY, email text NOT NULL);',
    '',
    '-- +goose Down',
    'DROP TABLE g_users;',
    '',
  ].join('\n'),
  'db-goose/migrations/00002_email_index.sql': [
    '-- +goose NO TRANSACTION',
    '-- +goose Up',
    'CREATE INDEX CONCURRENTLY g_users_email_idx ON g_users (email);',
    '',
    '-- +goose Down',
    'DROP INDEX CONCURRENTLY g_users_email_idx;',
    '',
  ].join('\n'),
  // No NO TRANSACTION: goose runs it in a transaction, where CONCURRENTLY fails; all of it rolls back.
  'db-goose/migrations/00003_in_transaction.sql': [
    '-- +goose Up',
    'CREATE TABLE g_rolled_back (id bigint PRIMARY KEY);',
    'CREATE INDEX CONCURRENTLY g_rolled_back_idx ON g_rolled_back (id);',
    '-- +goose Down',
    'DROP TABLE g_rolled_back;',
    '',
  ].join('\n'),
  'db-golang/migrations/1_teams.up.sql': 'CREATE TABLE m_teams (id bigint PRIMARY KEY);\n',
  'db-golang/migrations/1_teams.down.sql': 'DROP TABLE m_teams;\n',
  'db-golang/migrations/2_members.up.sql': 'CREATE TABLE m_members (id bigint PRIMARY KEY, team_id bigint REFERENCES m_teams (id));\nCREATE INDEX m_members_team_idx ON m_members (team_id);\n',
  'db-golang/migrations/2_members.down.sql': 'DROP TABLE m_members;\n',
  'db-golang/migrations/10_projects.up.sql': 'CREATE TABLE m_projects (id bigint PRIMARY KEY, team_id bigint REFERENCES m_teams (id));\n',
};

describe('Embedded sandbox: migrations as their runner runs them', function () {
  this.timeout(START_TIMEOUT);
  const cache = tempCacheDir();
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'pglens-runners-'));
  let conn: EmbeddedConnection | undefined;
  const open = () => createEmbeddedConnection({ workspaceRoot: workspace, cacheDir: cache.dir, ...sandboxWorker() });
  const tables = async () =>
    (await conn!.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.tablename);

  before(() => {
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
      writeFileSync(path.join(workspace, file), text);
    }
  });
  after(async () => {
    await conn?.close();
    await cache.remove();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('detects each folder\'s runner and replays only the ups, in version order', async () => {
    conn = open();
    const report = await conn.sandboxReport();
    assert.deepEqual(report.runners, [
      { folder: 'db-golang/migrations', runner: 'golang-migrate', migrations: 3 },
      { folder: 'db-goose/migrations', runner: 'goose', migrations: 3 },
    ]);
    assert.deepEqual(report.files, [
      'db-golang/migrations/1_teams.up.sql',
      'db-golang/migrations/2_members.up.sql',
      'db-golang/migrations/10_projects.up.sql',
      'db-goose/migrations/00001_users.sql',
      'db-goose/migrations/00002_email_index.sql',
      'db-goose/migrations/00003_in_transaction.sql',
    ]);
  });

  it('builds the schema of the ups: golang-migrate .down.sql files and goose Down sections are not replayed', async () => {
    assert.deepEqual(await tables(), ['g_users', 'm_members', 'm_projects', 'm_teams']);
  });

  it('replays a goose NO TRANSACTION file with CREATE INDEX CONCURRENTLY, statement by statement', async () => {
    const idx = await conn!.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'g_users_email_idx'`);
    assert.equal(idx.rows.length, 1);
  });

  it('rolls a transactional goose up back as a whole, naming the line in the file and goose\'s way out', async () => {
    const report = await conn!.sandboxReport();
    assert.deepEqual(report.failed.map((f) => `${f.file}:${f.line}`), ['db-goose/migrations/00003_in_transaction.sql:3']);
    assert.match(report.failed[0].message, /cannot run inside a transaction block.*goose runs this migration in a transaction; add "-- \+goose NO TRANSACTION"/);
    assert.ok(!(await tables()).includes('g_rolled_back'));
  });

  it('keeps its cached build when only a down part changes', async () => {
    await conn!.close();
    appendFileSync(path.join(workspace, 'db-goose/migrations/00001_users.sql'), 'DROP TYPE IF EXISTS g_unused;\n');
    writeFileSync(path.join(workspace, 'db-golang/migrations/1_teams.down.sql'), 'DROP TABLE IF EXISTS m_teams CASCADE;\n');
    conn = open();
    const report = await conn.sandboxReport();
    assert.equal(report.fromCache, true);
    assert.deepEqual(await tables(), ['g_users', 'm_members', 'm_projects', 'm_teams']);
  });
});

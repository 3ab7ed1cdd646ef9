import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { allMigrations, readMigrationSets } from '../../../src/core/migrations/read';
import type { MigrationPart, RunnerId, TransactionMode } from '../../../src/core/migrations/migration';
import { splitSections } from '../../../src/core/migrations/sections';
import { GOOSE_MARKER } from '../../../src/core/migrations/goose';

const fixtures = path.resolve(__dirname, '..', '..', 'fixtures', 'runners');

interface Case {
  folder: string;
  runner: RunnerId;
  /** Migration ids, in replay order. */
  ids: string[];
  transactions: TransactionMode[];
  /** Which migrations have a down part. */
  downs: boolean[];
  /** Text each up must hold, and text it must not (a down's statements). */
  upHas?: Record<string, string>;
  upLacks?: string[];
}

const CASES: Case[] = [
  {
    folder: 'goose',
    runner: 'goose',
    ids: ['00001_users', '00002_add_index', '00010_orders'],
    transactions: ['per-migration', 'none', 'per-migration'],
    downs: [true, true, true],
    upHas: { '00001_users': 'CREATE FUNCTION touch()', '00002_add_index': 'CREATE INDEX CONCURRENTLY' },
    upLacks: ['DROP'],
  },
  {
    folder: 'golang-migrate',
    runner: 'golang-migrate',
    ids: ['1_users', '2_email_index', '10_orders'],
    // One Exec per file: several statements are one implicit transaction, a lone one none.
    transactions: ['per-migration', 'none', 'none'],
    downs: [true, true, false],
    upLacks: ['DROP'],
  },
  {
    folder: 'dbmate',
    runner: 'dbmate',
    ids: ['20240101000000_users', '20240102000000_index'],
    transactions: ['per-migration', 'none'],
    downs: [true, true],
    upLacks: ['DROP'],
  },
  {
    folder: 'sql-migrate',
    runner: 'sql-migrate',
    ids: ['1_users', '2_orders'],
    transactions: ['none', 'per-migration'],
    downs: [true, true],
    upHas: { '1_users': 'CREATE INDEX CONCURRENTLY' },
    upLacks: ['DROP'],
  },
  {
    folder: 'diesel',
    runner: 'diesel',
    ids: ['00000000000000_diesel_initial_setup', '2024-01-01-000000_users', '2024-01-02-000000_index'],
    transactions: ['per-migration', 'per-migration', 'none'],
    downs: [true, true, true],
    upLacks: ['DROP'],
  },
  {
    folder: 'prisma',
    runner: 'prisma',
    ids: ['20240101000000_init', '20240102000000_index'],
    transactions: ['per-migration', 'none'],
    downs: [false, false],
  },
  {
    folder: 'drizzle-kit',
    runner: 'drizzle-kit',
    // The journal decides: 0002 is not in it, so drizzle never runs it.
    ids: ['0000_init', '0001_index'],
    transactions: ['all-pending', 'all-pending'],
    downs: [false, false],
    upLacks: ['DROP'],
  },
  {
    folder: 'flyway',
    runner: 'flyway',
    // Versions by number, part by part (1 < 1.1 < 2 < 3 < 10), then repeatables.
    ids: ['1__users', '1.1__email', '2__index', '3__config', '10__orders', 'R__users_view'],
    transactions: ['per-migration', 'per-migration', 'none', 'none', 'per-migration', 'per-migration'],
    downs: [false, false, false, false, true, false],
    upLacks: ['DROP'],
  },
  {
    folder: 'liquibase',
    runner: 'liquibase',
    // The changelog's order; the mysql-only changeset and the file it never includes are left out.
    ids: ['test:schema#1', 'test:users', 'test:users-index', 'test:a', 'test:b'],
    transactions: ['per-migration', 'per-migration', 'none', 'per-migration', 'per-migration'],
    downs: [false, true, true, false, false],
    upHas: { 'test:schema#1': 'CREATE SCHEMA app', 'test:users': 'CREATE TABLE app.users' },
    upLacks: ['DROP', 'mysql_only', 'not_included'],
  },
  {
    folder: 'sqitch',
    runner: 'sqitch',
    // The project it depends on first; the reworked change's first version is users@v1.
    ids: ['base:roles', 'app:users', 'app:orders', 'app:users'],
    transactions: ['none', 'none', 'none', 'none'],
    downs: [false, true, true, true],
    upLacks: ['DROP'],
  },
  {
    folder: 'popx',
    runner: 'popx',
    // Per version, postgres over dialect-less; mysql, sqlite3 and cockroach files are skipped.
    ids: ['20240101000000_users', '20240102000000_index'],
    transactions: ['per-migration', 'none'],
    downs: [true, false],
    upHas: { '20240101000000_users': 'id uuid' },
    upLacks: ['DROP', 'CHAR(36)'],
  },
  {
    folder: 'supabase',
    runner: 'supabase',
    ids: ['20240101000000_users', '20240102000000_posts'],
    transactions: ['per-migration', 'per-migration'],
    downs: [false, false],
  },
  {
    folder: 'plain',
    runner: 'plain',
    ids: ['001_users', '002_posts'],
    transactions: ['per-migration', 'per-migration'],
    downs: [false, false],
  },
];

/** The part's text is where it says it is in its file (blanked sections aside). */
function assertInPlace(root: string, part: MigrationPart): void {
  const file = readFileSync(path.join(root, part.file), 'utf8');
  const before = file.slice(0, part.offset).split('\n');
  assert.equal(part.line, before.length - 1, `${part.file}: line`);
  assert.equal(part.character, before[before.length - 1].length, `${part.file}: character`);
  const original = file.slice(part.offset, part.offset + part.text.length);
  for (let i = 0; i < part.text.length; i++) {
    if (part.text[i] !== ' ' && part.text[i] !== original[i]) assert.fail(`${part.file}: character ${part.offset + i} differs from the file`);
  }
}

describe('migration runners: detection, order, up/down, transaction mode', () => {
  for (const c of CASES) {
    it(`${c.folder}: ${c.runner}, ${c.ids.length} migrations in the runner's order`, () => {
      const root = path.join(fixtures, c.folder);
      const sets = readMigrationSets(root);
      assert.deepEqual([...new Set(sets.map((s) => s.runner))], [c.runner]);
      const migrations = allMigrations(sets);
      assert.deepEqual(migrations.map((m) => m.id), c.ids);
      assert.deepEqual(migrations.map((m) => m.transaction), c.transactions);
      assert.deepEqual(migrations.map((m) => m.down !== undefined), c.downs);
      for (const m of migrations) {
        assertInPlace(root, m.up);
        if (m.down) assertInPlace(root, m.down);
        for (const word of c.upLacks ?? []) assert.ok(!m.up.text.includes(word), `${m.id}: up holds ${word}`);
      }
      for (const [id, text] of Object.entries(c.upHas ?? {})) {
        assert.ok(migrations.find((m) => m.id === id)?.up.text.includes(text), `${id}: up lacks ${text}`);
      }
    });
  }

  it('goose: the up starts after its marker line, the down after its own', () => {
    const root = path.join(fixtures, 'goose');
    const m = allMigrations(readMigrationSets(root)).find((x) => x.id === '00001_users')!;
    assert.deepEqual([m.up.line, m.up.character], [1, 0]);
    assert.match(m.up.text, /^CREATE TABLE users/);
    assert.match(m.up.text, /-- \+goose StatementEnd\n\n$/);
    assert.equal(m.down?.line, 11);
    assert.equal(m.down?.text, 'DROP FUNCTION touch();\nDROP TABLE users;\n');
  });

  it('sql-migrate: several Up sections are one up; the down between none of them', () => {
    const m = allMigrations(readMigrationSets(path.join(fixtures, 'sql-migrate')))[0];
    assert.match(m.up.text, /CREATE TABLE users[\s\S]*CREATE INDEX CONCURRENTLY/);
    assert.equal(m.down?.text.trim(), 'DROP TABLE users;');
    const orders = allMigrations(readMigrationSets(path.join(fixtures, 'sql-migrate')))[1];
    assert.equal(orders.downTransaction, 'none');
  });

  it('liquibase: the rollback is the down, in place, its --rollback prefix blanked', () => {
    const root = path.join(fixtures, 'liquibase');
    const users = allMigrations(readMigrationSets(root)).find((m) => m.id === 'test:users')!;
    assert.equal(users.down?.text.trim(), 'DROP TABLE app.users;');
    assert.equal(users.down?.line, 4);
    assert.ok(!users.up.text.includes('rollback'));
    const schema = allMigrations(readMigrationSets(root))[0];
    assert.equal(schema.up.text, 'CREATE SCHEMA app');
    assert.equal(schema.up.file, 'changelog.yml');
  });

  it('sqitch: a reworked change reads its earlier version from <change>@<tag>.sql', () => {
    const ups = allMigrations(readMigrationSets(path.join(fixtures, 'sqitch'))).map((m) => m.up.file);
    assert.deepEqual(ups, ['base/deploy/roles.sql', 'deploy/users@v1.sql', 'deploy/orders.sql', 'deploy/users.sql']);
  });

  it('groups a workspace into folders, each with its runner, by path', () => {
    const sets = readMigrationSets(fixtures, { files: ['plain/001_users.sql', 'goose/00001_users.sql', 'diesel/2024-01-01-000000_users/up.sql', 'diesel/2024-01-01-000000_users/down.sql'] });
    assert.deepEqual(sets.map((s) => `${s.folder}:${s.runner}`), ['diesel:diesel', 'goose:goose', 'plain:plain']);
    assert.equal(sets[0].migrations[0].up.file, 'diesel/2024-01-01-000000_users/up.sql');
  });

  it('.pglens.json migrations[] forces the runner and the transaction mode', () => {
    const root = path.join(fixtures, 'plain');
    const forced = readMigrationSets(root, { overrides: [{ path: '.', runner: 'supabase', transactional: false }] });
    assert.equal(forced[0].runner, 'supabase');
    assert.deepEqual(forced[0].migrations.map((m) => m.transaction), ['none', 'none']);
    const elsewhere = readMigrationSets(root, { overrides: [{ path: 'db/**', runner: 'goose' }] });
    assert.equal(elsewhere[0].runner, 'plain');
    const byFile = readMigrationSets(fixtures, { files: ['goose/00001_users.sql'], overrides: [{ path: 'goose/*.sql', transactional: false }] });
    assert.equal(byFile[0].migrations[0].transaction, 'none');
  });

  const SECTION_CASES: Array<{ name: string; text: string; up: string; down?: string }> = [
    { name: 'no marker: the whole file is up (as before pglens knew the runner)', text: 'CREATE TABLE t (id int);\n', up: 'CREATE TABLE t (id int);\n' },
    { name: 'a Down only: the up is empty', text: '-- +goose Down\nDROP TABLE t;\n', up: '', down: 'DROP TABLE t;\n' },
    { name: 'text before the first marker belongs to neither', text: '-- header\n-- +goose Up\nSELECT 1;\n', up: 'SELECT 1;\n' },
    { name: 'a Down between two Ups is blanked, lines kept', text: '-- +goose Up\nA;\n-- +goose Down\nB;\n-- +goose Up\nC;\n', up: 'A;\n              \n  \n-- +goose Up\nC;\n', down: 'B;\n' },
    { name: 'markers are case-insensitive and take trailing spaces', text: '-- +goose up \nA;\n-- +goose DOWN\nB;\n', up: 'A;\n', down: 'B;\n' },
  ];
  for (const c of SECTION_CASES) {
    it(`sections: ${c.name}`, () => {
      const { up, down } = splitSections('f.sql', c.text, GOOSE_MARKER);
      assert.equal(up.part.text, c.up);
      assert.equal(down?.part.text, c.down);
    });
  }
});

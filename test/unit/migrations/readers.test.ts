/**
 * The runner readers against inputs that fooled them: side files that only look like a
 * runner's, nested folders of another runner, Liquibase's no-op rollbacks and YAML scalars,
 * dbmate's repeated markers, old-Mac line ends, XML quoting and big sqitch plans.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { changesets } from '../../../src/core/migrations/liquibase';
import { blank, sliceOf, type Migration, type MigrationSet } from '../../../src/core/migrations/migration';
import { allMigrations, readMigrationSets } from '../../../src/core/migrations/read';
import { parsePlan } from '../../../src/core/migrations/sqitch';

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pglens-readers-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.join(dir, name, '..'), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const summary = (sets: MigrationSet[]): string[] => sets.map((s) => `${s.folder || '.'}:${s.runner}:${s.migrations.length}`);
const GOOSE_FILE = '-- +goose Up\nCREATE INDEX i ON users (x);\n-- +goose Down\nDROP INDEX i;\n';
const CHANGELOG_YML = 'databaseChangeLog:\n  - include:\n      file: db/changelog/001.sql\n';
const FORMATTED = '--liquibase formatted sql\n\n--changeset me:1\nCREATE TABLE t (id int);\n--rollback DROP TABLE t;\n';

describe('runner readers: what a runner really runs', () => {
  describe('side files that only look like a runner marker', () => {
    for (const [name, text] of [
      ['changelog.yml', 'entries:\n  - version: 1.0\n'],
      ['changelog.yaml', 'name: release notes\n'],
      ['changelog.xml', '<?xml version="1.0"?>\n<changelog><entry version="1.0"/></changelog>\n'],
      ['db.changelog-master.yaml', '# nothing\n'],
      ['sqitch.plan', 'A plan for the next sprint:\n- ship it\n'],
    ]) {
      it(`an unrelated ${name} at the repository root hides nothing`, () => {
        const dir = workspace({ [name]: text, 'db/migrations/001_a.sql': GOOSE_FILE });
        const sets = readMigrationSets(dir);
        assert.deepEqual(summary(sets), ['db/migrations:goose:1']);
      });
    }

    it('a real changelog is recognised: YAML after `---`, JSON, and XML behind a prolog and comments', () => {
      const cases: Record<string, string> = {
        'changelog.yml': `---\n# root\n${CHANGELOG_YML}`,
        'changelog.yaml': '{ "databaseChangeLog": [ { "include": { "file": "db/changelog/001.sql" } } ] }\n',
        'changelog.xml':
          '<?xml version="1.0" encoding="UTF-8"?>\n<!-- the root <b>changelog</b> -->\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <include file="db/changelog/001.sql"/>\n</databaseChangeLog>\n',
      };
      for (const [name, text] of Object.entries(cases)) {
        const dir = workspace({ [name]: text, 'db/changelog/001.sql': FORMATTED });
        assert.deepEqual(summary(readMigrationSets(dir)).map((s) => s.split(':').slice(0, 2).join(':')), ['.:liquibase'], name);
      }
    });

    it('a real sqitch.plan is recognised by its %project pragma or its plan lines', () => {
      for (const plan of ['%project=app\n', 'users 2024-01-01T00:00:00Z Tester <t@example.com> # users\n']) {
        const dir = workspace({ 'sqitch.plan': plan, 'deploy/users.sql': 'CREATE TABLE users (id int);\n' });
        assert.deepEqual(summary(readMigrationSets(dir)), plan.startsWith('%') ? ['.:sqitch:0'] : ['.:sqitch:1']);
      }
    });
  });

  describe('a nested folder of another runner stays its own set', () => {
    it('Liquibase: files its changelog never includes, of another runner, are not its own', () => {
      const dir = workspace({
        'changelog.yml': CHANGELOG_YML,
        'db/changelog/001.sql': FORMATTED,
        'services/billing/migrations/00001_a.sql': GOOSE_FILE,
      });
      assert.deepEqual(summary(readMigrationSets(dir)), ['.:liquibase:1', 'services/billing/migrations:goose:1']);
    });

    it('Liquibase: a folder it includes (includeAll) stays in the Liquibase set, whatever is in it', () => {
      const dir = workspace({
        'changelog.xml': `<databaseChangeLog>\n  <includeAll path='db/changelog/'/>\n</databaseChangeLog>\n`,
        'db/changelog/00001_a.sql': FORMATTED,
        'db/changelog/00002_b.sql': `--liquibase formatted sql\n--changeset me:2\n${GOOSE_FILE}`,
        // Not formatted SQL: Liquibase runs it whole, as one raw changeset.
        'db/changelog/00003_c.sql': GOOSE_FILE,
      });
      const sets = readMigrationSets(dir);
      assert.deepEqual(summary(sets), ['.:liquibase:3']);
      assert.deepEqual(sets[0].migrations.map((m) => m.id), ['me:1', 'me:2', 'includeAll:raw@db/changelog/00003_c.sql']);
      assert.equal(sets[0].migrations[2].up.text, GOOSE_FILE);
    });

    it('Liquibase: formatted SQL it does not include stays with it (not run), as does a nested changelog it includes', () => {
      const dir = workspace({
        'changelog.yml': 'databaseChangeLog:\n  - include:\n      file: app/changelog.yml\n',
        'app/changelog.yml': 'databaseChangeLog:\n  - include:\n      file: 001.sql\n      relativeToChangelogFile: true\n',
        'app/001.sql': FORMATTED,
        'app/old/002.sql': FORMATTED.replace('me:1', 'me:2'),
      });
      const sets = readMigrationSets(dir);
      assert.deepEqual(summary(sets), ['.:liquibase:1']);
    });

    it('Liquibase: a nested changelog the root does not include is a set of its own', () => {
      const dir = workspace({
        'changelog.yml': CHANGELOG_YML,
        'db/changelog/001.sql': FORMATTED,
        'tools/audit/changelog.yml': 'databaseChangeLog:\n  - include:\n      file: 001.sql\n      relativeToChangelogFile: true\n',
        'tools/audit/001.sql': FORMATTED.replace('me:1', 'audit:1'),
      });
      assert.deepEqual(summary(readMigrationSets(dir)), ['.:liquibase:1', 'tools/audit:liquibase:1']);
    });

    it('sqitch: only the scripts its plan names are its own', () => {
      const dir = workspace({
        'sqitch.plan': '%project=app\n\nusers 2024-01-01T00:00:00Z Tester <t@example.com> # users\n',
        'deploy/users.sql': 'CREATE TABLE users (id int);\n',
        'revert/users.sql': 'DROP TABLE users;\n',
        'verify/users.sql': 'SELECT id FROM users WHERE false;\n',
        'legacy/migrations/00001_a.sql': GOOSE_FILE,
      });
      assert.deepEqual(summary(readMigrationSets(dir)), ['.:sqitch:1', 'legacy/migrations:goose:1']);
    });

    it('drizzle: only the files in the journal folder are its own', () => {
      const dir = workspace({
        'meta/_journal.json': '{"entries":[{"idx":0,"tag":"0000_init"}]}',
        '0000_init.sql': 'CREATE TABLE users (id int);\n',
        'seeds/migrations/00001_a.sql': GOOSE_FILE,
      });
      assert.deepEqual(summary(readMigrationSets(dir)), ['.:drizzle-kit:1', 'seeds/migrations:goose:1']);
    });

    it('plain .sql files below a runner folder it does not run stay with it (not run)', () => {
      const dir = workspace({
        'sqitch.plan': '%project=app\nusers 2024-01-01T00:00:00Z Tester <t@example.com>\n',
        'deploy/users.sql': 'CREATE TABLE users (id int);\n',
        'scripts/cleanup.sql': 'DELETE FROM users;\n',
      });
      assert.deepEqual(summary(readMigrationSets(dir)), ['.:sqitch:1']);
    });
  });

  describe('Liquibase changelogs whose only migrations are inline', () => {
    it('a folder with a changelog and no .sql file is read', () => {
      const dir = workspace({ 'changelog.yml': 'databaseChangeLog:\n  - changeSet:\n      id: a\n      author: me\n      changes:\n        - sql: CREATE TABLE t (id int)\n' });
      const sets = readMigrationSets(dir);
      assert.deepEqual(summary(sets), ['.:liquibase:1']);
      assert.equal(sets[0].migrations[0].up.text, 'CREATE TABLE t (id int)');
      assert.deepEqual(summary(readMigrationSets(dir, { files: [] })), ['.:liquibase:1']);
    });

    it('next to another runner folder, both are read', () => {
      const dir = workspace({
        'changelog.yml': 'databaseChangeLog:\n  - changeSet:\n      id: a\n      author: me\n      changes:\n        - sql: CREATE TABLE t (id int)\n',
        'db/migrations/00001_a.sql': GOOSE_FILE,
      });
      assert.deepEqual(summary(readMigrationSets(dir)), ['.:liquibase:1', 'db/migrations:goose:1']);
    });
  });

  describe('Liquibase formatted SQL rollbacks', () => {
    for (const rollback of ['empty', 'not required', 'EMPTY', 'Not Required - nothing to undo']) {
      it(`--rollback ${rollback} is no rollback`, () => {
        const [m] = changesets('a.sql', `--liquibase formatted sql\n--changeset me:1\nCREATE TABLE t (id int);\n--rollback ${rollback}\n`);
        assert.equal(m.down, undefined);
        assert.ok(!m.up.text.includes('rollback'));
      });
    }

    it('--rollback changesetId:… changesetAuthor:… runs another changeset, not SQL', () => {
      const [, m] = changesets('a.sql', '--liquibase formatted sql\n--changeset me:1\nCREATE TABLE t (id int);\n--changeset me:2\nDROP TABLE t;\n--rollback changesetId:1 changesetAuthor:me\n');
      assert.equal(m.down, undefined);
    });

    it('a real rollback starting with the word "empty" on a later line is still SQL', () => {
      const [m] = changesets('a.sql', '--liquibase formatted sql\n--changeset me:1\nCREATE TABLE t (id int);\n--rollback DROP TABLE t;\n');
      assert.equal(m.down?.text.trim(), 'DROP TABLE t;');
    });

    it('a /* liquibase rollback */ block is the down; --ignoreLines blocks are neither', () => {
      const [m] = changesets('a.sql', '--liquibase formatted sql\n--changeset me:1\nCREATE TABLE t (id int);\n--ignoreLines:start\nNOT SQL AT ALL\n--ignoreLines:end\n/* liquibase rollback\nDROP TABLE t;\n*/\n');
      assert.equal(m.up.text.trim(), 'CREATE TABLE t (id int);');
      assert.equal(m.down?.text.trim(), 'DROP TABLE t;');
      assert.equal(m.down?.line, 7);
    });

    it('an author with a space is a changeset header (Liquibase allows [^:]+)', () => {
      const sets = changesets('a.sql', '--liquibase formatted sql\n--changeset John Doe:1\nCREATE TABLE t (id int);\n--changeset John Doe:2\nCREATE TABLE u (id int);\n');
      assert.deepEqual(sets.map((m) => m.id), ['John Doe:1', 'John Doe:2']);
    });
  });

  describe('Liquibase YAML inline sql scalars', () => {
    const read = (changes: string): Migration[] => {
      const dir = workspace({ 'changelog.yml': `databaseChangeLog:\n  - changeSet:\n      id: a\n      author: me\n      changes:\n${changes}` });
      return allMigrations(readMigrationSets(dir));
    };
    const sql = (m: Migration): string => m.up.text.trim();

    it('double-quoted: quotes gone, backslash escapes resolved', () => {
      const [m] = read('        - sql: "CREATE TABLE \\"t\\" (note text DEFAULT \'a\\tb\')"\n');
      assert.equal(sql(m), 'CREATE TABLE "t" (note text DEFAULT \'a\tb\')');
    });

    it("single-quoted: quotes gone, '' is one quote", () => {
      const [m] = read("        - sql: 'INSERT INTO t VALUES (''a'')'\n");
      assert.equal(sql(m), "INSERT INTO t VALUES ('a')");
    });

    it('a quoted scalar over several lines', () => {
      const [m] = read('        - sql: "CREATE TABLE t\n            (id int)"\n');
      assert.match(sql(m), /^CREATE TABLE t\s+\(id int\)$/);
    });

    it('literal and folded block scalars', () => {
      const ms = read('        - sql: |\n            CREATE TABLE t (id int);\n            CREATE TABLE u (id int);\n        - sql: >-\n            CREATE INDEX i\n            ON t (id)\n');
      assert.equal(ms.length, 2);
      assert.match(sql(ms[0]), /^CREATE TABLE t \(id int\);\s+CREATE TABLE u \(id int\);$/);
      assert.match(sql(ms[1]), /^CREATE INDEX i\s+ON t \(id\)$/);
      assert.ok(!ms.some((m) => /[|>]/.test(m.up.text)));
    });

    it('the nested form (sql: then sql:), a plain scalar over lines, and a trailing comment', () => {
      const ms = read('        - sql:\n            splitStatements: false\n            sql: "SELECT 1"\n        - sql: SELECT 2\n            + 3\n        - sql: SELECT 4 # four\n');
      assert.deepEqual(ms.map(sql).map((s) => s.replace(/\s+/g, ' ')), ['SELECT 1', 'SELECT 2 + 3', 'SELECT 4']);
    });

    it('only `changes:` are ups: `sql:` under rollback and preConditions is not; dbms filters; sqlFile runs a file', () => {
      const dir = workspace({
        'changelog.yaml':
          'databaseChangeLog:\n- changeSet:\n    id: a\n    author: me\n    preConditions:\n      - sqlCheck:\n          expectedResult: 0\n          sql: SELECT count(*) FROM t\n' +
          '    changes:\n    - sql: CREATE TABLE t (id int)\n    - sql:\n        dbms: mysql\n        sql: CREATE TABLE mysql_only (id int)\n    - sqlFile:\n        path: raw/seed.sql\n' +
          '    rollback:\n      - sql: DROP TABLE t\n- changeSet:\n    id: b\n    author: me\n    dbms: oracle\n    changes:\n      - sql: CREATE TABLE oracle_only (id int)\n',
        'raw/seed.sql': 'INSERT INTO t VALUES (1);\n',
      });
      const ms = allMigrations(readMigrationSets(dir));
      assert.deepEqual(ms.map((m) => [m.id, m.up.file, m.up.text.trim()]), [
        ['me:a#1', 'changelog.yaml', 'CREATE TABLE t (id int)'],
        ['me:a#2', 'raw/seed.sql', 'INSERT INTO t VALUES (1);'],
      ]);
    });

    it('the part stays in place: its offset is where the SQL starts in the changelog', () => {
      const dir = workspace({ 'changelog.yml': 'databaseChangeLog:\n  - changeSet:\n      id: a\n      author: me\n      changes:\n        - sql: "SELECT 1"\n' });
      const [m] = allMigrations(readMigrationSets(dir));
      assert.deepEqual([m.up.line, m.up.character], [5, 15]);
      assert.equal(m.up.text.slice(m.up.text.indexOf('S')), 'SELECT 1 ');
    });
  });

  describe('dbmate: repeated markers', () => {
    it('each `-- migrate:up` starts a section of its own (dbmate multi-section files): its options are its own', () => {
      const dir = workspace({
        '20240101000000_a.sql':
          '-- migrate:up\nCREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);\n-- migrate:down\nDROP TABLE a;\n' +
          '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY a_id2 ON a (id);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY a_id2;\n',
      });
      const ms = allMigrations(readMigrationSets(dir));
      assert.deepEqual(ms.map((m) => [m.id, m.transaction, m.downTransaction]), [
        ['20240101000000_a', 'per-migration', 'per-migration'],
        ['20240101000000_a#2', 'none', 'none'],
      ]);
      assert.ok(!ms[0].up.text.includes('CONCURRENTLY'));
      assert.ok(!ms[0].down!.text.includes('CONCURRENTLY'));
      assert.equal(ms[1].up.text.trim(), 'CREATE INDEX CONCURRENTLY a_id2 ON a (id);');
      assert.equal(ms[1].down!.text.trim(), 'DROP INDEX CONCURRENTLY a_id2;');
    });

    it('the options come from the marker line only, as dbmate parses them (key:value, exact)', () => {
      const dir = workspace({
        '1_a.sql': '-- migrate:up transaction: false\nCREATE INDEX CONCURRENTLY i ON t (x);\n-- migrate:down\nDROP INDEX i;\n',
        '2_b.sql': '-- migrate:up\n-- transaction:false\nCREATE INDEX CONCURRENTLY j ON t (x);\n-- migrate:down\nDROP INDEX j;\n',
        '3_c.sql': '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY k ON t (x);\n-- migrate:down\nDROP INDEX k;\n',
      });
      assert.deepEqual(allMigrations(readMigrationSets(dir)).map((m) => m.transaction), ['per-migration', 'per-migration', 'none']);
    });

    it('`-- migrate:upgrade` is not a marker', () => {
      const dir = workspace({ '1_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:upgrade transaction:false\nSELECT 2;\n-- migrate:down\nSELECT 3;\n' });
      const ms = allMigrations(readMigrationSets(dir));
      assert.equal(ms.length, 1);
      assert.equal(ms[0].transaction, 'per-migration');
      assert.match(ms[0].up.text, /SELECT 2/);
    });
  });

  describe('old-Mac line ends (lone \\r) and \\r\\n', () => {
    const cr = (s: string): string => s.replace(/\n/g, '\r');

    it('goose, dbmate and sql-migrate find the section after the marker line', () => {
      const dir = workspace({
        'goose/00001_a.sql': cr('-- +goose Up\nCREATE INDEX i ON users (x);\n-- +goose Down\nDROP INDEX i;\n'),
        'dbmate/20240101000000_a.sql': cr('-- migrate:up\nCREATE INDEX i ON users (x);\n-- migrate:down\nDROP INDEX i;\n'),
        'sqlm/1_a.sql': cr('-- +migrate Up\nCREATE INDEX i ON users (x);\n-- +migrate Down notransaction\nDROP INDEX i;\n'),
      });
      const sets = readMigrationSets(dir);
      assert.deepEqual(sets.map((s) => s.runner), ['dbmate', 'goose', 'sql-migrate']);
      for (const s of sets) {
        const [m] = s.migrations;
        assert.equal(m.up.text.trim(), 'CREATE INDEX i ON users (x);', s.runner);
        assert.equal(m.down?.text.trim(), 'DROP INDEX i;', s.runner);
        assert.equal(m.up.line, 1, `${s.runner}: up line`);
        assert.equal(m.up.character, 0, `${s.runner}: up character`);
        assert.equal(m.transaction, 'per-migration', s.runner);
      }
      assert.equal(sets[2].migrations[0].downTransaction, 'none');
    });

    it('Liquibase: changeset headers, attributes and rollbacks per line', () => {
      const ms = changesets('a.sql', cr('--liquibase formatted sql\n--changeset me:1 runInTransaction:false\nCREATE INDEX CONCURRENTLY i ON t (x);\n--rollback DROP INDEX i;\n--changeset me:2\nCREATE TABLE u (id int);\n'));
      assert.deepEqual(ms.map((m) => [m.id, m.transaction]), [['me:1', 'none'], ['me:2', 'per-migration']]);
      assert.equal(ms[0].up.text.trim(), 'CREATE INDEX CONCURRENTLY i ON t (x);');
      assert.equal(ms[0].down?.text.trim(), 'DROP INDEX i;');
      assert.equal(ms[0].up.line, 2);
      assert.equal(ms[1].up.text.trim(), 'CREATE TABLE u (id int);');
    });

    it('a sqitch.plan with \\r line ends', () => {
      const plan = parsePlan('', cr('%project=app\nusers 2024-01-01T00:00:00Z T <t@e.x>\norders 2024-01-02T00:00:00Z T <t@e.x>\n'));
      assert.equal(plan.project, 'app');
      assert.deepEqual(plan.changes.map((c) => c.file), ['users.sql', 'orders.sql']);
    });

    it('sliceOf counts \\r, \\n and \\r\\n as one line end each; blank keeps them', () => {
      const text = 'a\rb\r\nc\nd';
      assert.deepEqual([sliceOf('f', text, 2).line, sliceOf('f', text, 5).line, sliceOf('f', text, 7).line], [1, 2, 3]);
      assert.equal(sliceOf('f', text, 4).character, 2);
      assert.equal(blank(text, 0, text.length), ' \r \r\n \n ');
    });
  });

  describe('Liquibase XML', () => {
    it("include and includeAll take single-quoted attributes", () => {
      const dir = workspace({
        'changelog.xml': "<databaseChangeLog>\n  <include file='z.sql' relativeToChangelogFile='true'/>\n  <includeAll path='more/'/>\n</databaseChangeLog>\n",
        'z.sql': FORMATTED,
        'more/b.sql': FORMATTED.replace('me:1', 'me:2'),
        'other/c.sql': FORMATTED.replace('me:1', 'me:3'),
      });
      assert.deepEqual(allMigrations(readMigrationSets(dir)).map((m) => m.id), ['me:1', 'me:2']);
    });

    it('an include inside an XML comment is not an include', () => {
      const dir = workspace({
        'changelog.xml': '<databaseChangeLog>\n  <!-- <include file="a.sql"/> -->\n  <include file="b.sql"/>\n</databaseChangeLog>\n',
        'a.sql': FORMATTED,
        'b.sql': FORMATTED.replace('me:1', 'me:2'),
      });
      assert.deepEqual(allMigrations(readMigrationSets(dir)).map((m) => m.id), ['me:2']);
    });
  });

  describe('sqitch plans', () => {
    it('parse in linear time (20,000 changes)', () => {
      const lines = ['%project=big'];
      for (let i = 0; i < 20000; i++) {
        lines.push(`c${i} 2024-01-01T00:00:00Z T <t@e.x>`);
        if (i % 100 === 99) lines.push(`@t${i} 2024-01-01T00:00:00Z T <t@e.x>`);
      }
      lines.push('c5 [c5@t99] 2024-01-02T00:00:00Z T <t@e.x>');
      const started = Date.now();
      const plan = parsePlan('', lines.join('\n'));
      const took = Date.now() - started;
      assert.equal(plan.changes.length, 20001);
      assert.equal(plan.changes[5].file, 'c5@t99.sql');
      assert.equal(plan.changes[6].file, 'c6.sql');
      assert.ok(took < 1000, `took ${took} ms`);
    });

    it('a reworked change uses the first tag between it and its rework whose script exists', () => {
      const dir = workspace({
        'sqitch.plan': '%project=app\nusers 2024-01-01T00:00:00Z T <t@e.x>\n@v1 2024-01-02T00:00:00Z T <t@e.x>\n@v2 2024-01-03T00:00:00Z T <t@e.x>\nusers [users@v2] 2024-01-04T00:00:00Z T <t@e.x>\n',
        'deploy/users@v2.sql': 'CREATE TABLE users (id int);\n',
        'deploy/users.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
      });
      assert.deepEqual(allMigrations(readMigrationSets(dir)).map((m) => m.up.file), ['deploy/users@v2.sql', 'deploy/users.sql']);
    });
  });
});

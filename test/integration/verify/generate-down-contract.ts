import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/core/config';
import { runnerSetsUnder } from '../../../src/core/lint/migration-lint';
import { applyPart } from '../../../src/core/migrations/verify/apply';
import { diffSnapshots } from '../../../src/core/migrations/verify/diff';
import { snapshotCatalog } from '../../../src/core/migrations/verify/snapshot';
import { verifyMigrations, type VerifyTarget } from '../../../src/core/migrations/verify/verify';
import { runDown, type DownReport } from '../../../src/core/migrations/verify/verify-process';
import { applyEdits } from '../../../src/core/migrations/verify/write-down';

/**
 * One contract for generating downs (issue #15) on every target: for each runner layout a
 * migration without a down gets one, placed in the runner's format, that passes up → down → up
 * — checked again here from the files written to disk, as `pglens migrations verify` reads
 * them. Then the kinds of change a down has to reverse, each on the goose layout.
 */
export interface GenerateDownContractTarget {
  /** The server URL for runDown's `db`; undefined: the embedded PGlite. */
  db?: string;
  /** Fresh databases, to check the data a down keeps. */
  target(): Promise<VerifyTarget>;
}

const BASE_UP = "CREATE TYPE mood AS ENUM ('ok', 'sad');\nCREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, m mood);\n";
const BASE_DOWN = 'DROP TABLE users;\nDROP TYPE mood;\n';
/** The up every layout gets a down for: a column, an index, a function with a body goose must not split. */
const CHANGE =
  'ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email_idx ON users (email);\n' +
  "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.email := lower(NEW.email);\n  RETURN NEW;\nEND\n$$;\nCREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch();\n";

interface Layout {
  runner: string;
  files: Record<string, string>;
  /** The file of the migration without a down. */
  file: string;
  id?: string;
  /** Where its down lands. */
  placed: string;
}

const LAYOUTS: Layout[] = [
  {
    runner: 'goose',
    files: { 'db/00001_users.sql': `-- +goose Up\n${BASE_UP}-- +goose Down\n${BASE_DOWN}`, 'db/00002_change.sql': `-- +goose Up\n${CHANGE}` },
    file: 'db/00002_change.sql',
    placed: 'db/00002_change.sql',
  },
  {
    runner: 'golang-migrate',
    files: { 'db/1_users.up.sql': BASE_UP, 'db/1_users.down.sql': BASE_DOWN, 'db/2_change.up.sql': CHANGE },
    file: 'db/2_change.up.sql',
    placed: 'db/2_change.down.sql',
  },
  {
    runner: 'dbmate',
    files: { 'db/20240101000000_users.sql': `-- migrate:up\n${BASE_UP}\n-- migrate:down\n${BASE_DOWN}`, 'db/20240102000000_change.sql': `-- migrate:up\n${CHANGE}` },
    file: 'db/20240102000000_change.sql',
    placed: 'db/20240102000000_change.sql',
  },
  {
    runner: 'sql-migrate',
    files: { 'db/1_users.sql': `-- +migrate Up\n${BASE_UP}-- +migrate Down\n${BASE_DOWN}`, 'db/2_change.sql': `-- +migrate Up\n${CHANGE}` },
    file: 'db/2_change.sql',
    placed: 'db/2_change.sql',
  },
  {
    runner: 'diesel',
    files: { 'db/2024-01-01-000000_users/up.sql': BASE_UP, 'db/2024-01-01-000000_users/down.sql': BASE_DOWN, 'db/2024-01-02-000000_change/up.sql': CHANGE },
    file: 'db/2024-01-02-000000_change/up.sql',
    placed: 'db/2024-01-02-000000_change/down.sql',
  },
  {
    runner: 'flyway',
    files: { 'db/V1__users.sql': BASE_UP, 'db/V2__change.sql': CHANGE },
    file: 'db/V2__change.sql',
    placed: 'db/U2__change.sql',
  },
  {
    runner: 'sqitch',
    files: {
      'db/sqitch.plan': '%syntax-version=1.0.0\n%project=app\n\nusers 2024-01-01T00:00:00Z Dev <dev@example.com>\nchange [users] 2024-01-02T00:00:00Z Dev <dev@example.com>\n',
      'db/deploy/users.sql': `BEGIN;\n${BASE_UP}COMMIT;\n`,
      'db/revert/users.sql': `BEGIN;\n${BASE_DOWN}COMMIT;\n`,
      'db/deploy/change.sql': `BEGIN;\n${CHANGE}COMMIT;\n`,
    },
    file: 'db/deploy/change.sql',
    placed: 'db/revert/change.sql',
  },
  {
    runner: 'liquibase',
    files: {
      'db/changes.sql': `--liquibase formatted sql\n\n--changeset dev:1\n${BASE_UP.replace(/\n/g, ' ')}\n--rollback ${BASE_DOWN.replace(/\n/g, ' ')}\n\n--changeset dev:2\nALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email_idx ON users (email);\n`,
    },
    file: 'db/changes.sql',
    id: 'dev:2',
    placed: 'db/changes.sql',
  },
];

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-down-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export function describeGenerateDownContract(name: string, t: GenerateDownContractTarget): void {
  describe(`generated downs: ${name}`, function () {
    this.timeout(180_000);
    const dirs: string[] = [];
    after(() => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    async function generate(files: Record<string, string>, file: string, id?: string): Promise<{ dir: string; report: DownReport }> {
      const dir = folder(files);
      dirs.push(dir);
      const report = await runDown({ kind: 'down', dir, file: join(dir, file), ...(id && { id }), ...(t.db && { db: t.db }) });
      return { dir, report };
    }

    /** Writes the placement to disk and verifies the whole folder as `pglens migrations verify` does: the migration's verdict. */
    async function verifyOnDisk(dir: string, report: DownReport): Promise<string> {
      const root = report.root;
      const read = (rel: string): string | undefined => {
        try {
          return readFileSync(join(root, ...rel.split('/')), 'utf8');
        } catch {
          return undefined;
        }
      };
      for (const [rel, text] of applyEdits(report.placement!.edits, read)) writeFileSync(join(root, ...rel.split('/')), text);
      const sets = runnerSetsUnder(dir, { config: defaultConfig(dir) }).map((rs) => rs.set);
      const verdicts = (await verifyMigrations(sets, { target: await t.target(), snapshot: snapshotCatalog, diff: diffSnapshots })).verdicts;
      const v = verdicts.find((x) => x.id === report.id);
      assert.ok(v, `no verdict for ${report.id}: ${verdicts.map((x) => `${x.id} ${x.kind}`).join(', ')}`);
      return v.kind;
    }

    for (const layout of LAYOUTS) {
      it(`${layout.runner}: the migration without a down gets one in ${layout.placed}, and it verifies`, async () => {
        const { dir, report } = await generate(layout.files, layout.file, layout.id);
        assert.equal(report.runner, layout.runner);
        assert.ok(report.verification.ok, `${report.verification.verdict}: ${report.verification.failure?.message ?? ''} ${report.verification.unexpected.join('; ')}\n${report.sql}`);
        assert.equal(report.verification.verdict, 'verified');
        assert.deepEqual(report.irreversible, []);
        assert.deepEqual(report.placement?.edits.map((e) => `db/${e.file.replace(/^db\//, '')}`), [layout.placed]);
        assert.match(report.sql, /DROP INDEX public\.users_email_idx;[\s\S]*DROP COLUMN email;/);
        assert.equal(await verifyOnDisk(dir, report), 'verified');
        if (layout.runner === 'goose') {
          assert.match(readFileSync(join(dir, layout.placed), 'utf8'), /\n-- \+goose Down\n-- Down of 00002_change, generated by pglens/);
        }
      });
    }

    const goose = (up: string, base = BASE_UP): Record<string, string> => ({
      'db/00001_users.sql': `-- +goose Up\n${base}-- +goose Down\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n`,
      'db/00002_change.sql': `-- +goose Up\n${up}`,
    });
    const BASE_ORDERS = `${BASE_UP}CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric);\nCREATE INDEX orders_user_idx ON orders (user_id);\n`;

    it('a rename is reversed by renames, and the rows survive the rollback', async () => {
      const { dir, report } = await generate(goose('ALTER TABLE users RENAME COLUMN name TO full_name;\nALTER TABLE users RENAME TO accounts;\n'), 'db/00002_change.sql');
      assert.ok(report.verification.ok, report.sql);
      assert.equal(report.verification.verdict, 'verified');
      assert.doesNotMatch(report.sql, /DROP|ADD COLUMN/);
      assert.match(report.sql, /ALTER TABLE public\.accounts RENAME TO users;\nALTER TABLE public\.users RENAME COLUMN full_name TO name;/);
      // The data: a row written after the up is still there after the down, under the old names.
      const session = await (await t.target()).open();
      try {
        const sets = runnerSetsUnder(dir, { config: defaultConfig(dir) }).map((rs) => rs.set);
        for (const m of sets[0].migrations) assert.equal(await applyPart(session, m.up, m.transaction, 'goose'), undefined);
        await session.exec("INSERT INTO accounts (id, full_name) VALUES (1, 'Ada')");
        await session.exec(report.sql);
        assert.deepEqual(await session.query('SELECT id::int AS id, name FROM users'), [{ id: 1, name: 'Ada' }]);
      } finally {
        await session.close();
      }
    });

    it('an added enum value: irreversible, a commented recipe, and the down still passes (the value is the one difference left)', async () => {
      const { report } = await generate(goose("ALTER TYPE mood ADD VALUE 'meh';\n"), 'db/00002_change.sql');
      assert.ok(report.verification.ok, JSON.stringify(report.verification));
      assert.match(report.irreversible.join('\n'), /enum public\.mood: value 'meh' added by the up cannot be dropped/);
      assert.match(report.sql, /^-- {3}CREATE TYPE public\.mood AS ENUM \('ok', 'sad'\);$/m);
      assert.ok(report.sql.split('\n').every((l) => l === '' || l.startsWith('--')));
      assert.deepEqual(report.verification.differences.map((d) => [d.change, d.kind, d.name]), [['extra', 'enum-value', "public.mood 'meh'"]]);
    });

    it('a dropped column: re-added (schema restored), with a comment that its values are lost', async () => {
      const { report } = await generate(goose('ALTER TABLE orders DROP COLUMN total;\n', BASE_ORDERS), 'db/00002_change.sql');
      assert.equal(report.verification.verdict, 'verified');
      assert.match(report.sql, /-- The up dropped column public\.orders\.total: it is re-added empty, its values are lost\.\nALTER TABLE public\.orders ADD COLUMN total numeric;/);
      assert.deepEqual(report.irreversible, ['column public.orders.total: the up dropped it with its values; the down re-adds it empty']);
    });

    it('a function the up changed is restored as it was', async () => {
      const fn = (body: string) => `CREATE OR REPLACE FUNCTION greet(who text) RETURNS text LANGUAGE plpgsql AS $$\nBEGIN\n  ${body}\nEND\n$$;\n`;
      const { dir, report } = await generate(goose(fn("RETURN 'Hi ' || who;"), BASE_UP + fn("RETURN 'Hello ' || who;")), 'db/00002_change.sql');
      assert.equal(report.verification.verdict, 'verified');
      assert.match(report.sql, /CREATE OR REPLACE FUNCTION public\.greet\(who text\)[\s\S]*\n {2}RETURN 'Hello ' \|\| who;\n/);
      assert.equal(await verifyOnDisk(dir, report), 'verified');
    });

    it('an index, a foreign key and a check the up adds are dropped; those it drops are re-created', async () => {
      const added = await generate(
        goose('ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);\nCREATE UNIQUE INDEX users_name_key ON users (lower(name));\n', BASE_ORDERS),
        'db/00002_change.sql',
      );
      assert.equal(added.report.verification.verdict, 'verified');
      assert.match(added.report.sql, /ALTER TABLE public\.orders DROP CONSTRAINT orders_user_fk;\nALTER TABLE public\.orders DROP CONSTRAINT orders_total_positive;\nDROP INDEX public\.users_name_key;/);
      const dropped = await generate(
        goose('DROP INDEX orders_user_idx;\nALTER TABLE orders DROP CONSTRAINT orders_fk;\nALTER TABLE orders DROP CONSTRAINT orders_total_check;\n', `${BASE_ORDERS}ALTER TABLE orders ADD CONSTRAINT orders_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;\nALTER TABLE orders ADD CHECK (total > 0);\n`),
        'db/00002_change.sql',
      );
      assert.equal(dropped.report.verification.verdict, 'verified', dropped.report.sql);
      assert.match(dropped.report.sql, /ALTER TABLE public\.orders ADD CONSTRAINT orders_total_check CHECK \(\(total > \(0\)::numeric\)\);\nCREATE INDEX orders_user_idx ON public\.orders USING btree \(user_id\);\nALTER TABLE public\.orders ADD CONSTRAINT orders_fk FOREIGN KEY \(user_id\) REFERENCES public\.users\(id\) ON DELETE CASCADE;/);
    });

    it('views: one the up creates is dropped, one it changes is put back', async () => {
      const base = `${BASE_ORDERS}CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;\n`;
      const { dir, report } = await generate(
        goose('CREATE OR REPLACE VIEW big_orders AS SELECT id, total, user_id FROM orders WHERE total > 100;\nCREATE VIEW user_totals AS SELECT user_id, sum(total) AS total FROM big_orders GROUP BY user_id;\n', base),
        'db/00002_change.sql',
      );
      assert.equal(report.verification.verdict, 'verified', report.sql);
      assert.match(report.sql, /^DROP VIEW public\.user_totals;\nDROP VIEW public\.big_orders;\nCREATE VIEW public\.big_orders AS/);
      assert.equal(await verifyOnDisk(dir, report), 'verified');
    });

    it('a down that does not verify is reported, not offered: the up needs what the down cannot give back', async () => {
      // An aggregate the up drops cannot be re-created from the catalog.
      const { report } = await generate(
        goose('DROP AGGREGATE total_len(text);\n', `${BASE_UP}CREATE AGGREGATE total_len(text) (SFUNC = textcat, STYPE = text);\n`),
        'db/00002_change.sql',
      );
      assert.equal(report.verification.ok, false);
      assert.match(report.verification.unexpected.join('\n'), /total_len/);
      assert.match(report.irreversible.join('\n'), /cannot re-create an aggregate/);
    });
  });
}

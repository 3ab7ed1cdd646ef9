import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/core/config';
import { runnerSetsUnder } from '../../../src/core/lint/migration-lint';
import { describeDifference, diffSnapshots } from '../../../src/core/migrations/verify/diff';
import { verdictFindings } from '../../../src/core/migrations/verify/findings';
import { snapshotCatalog } from '../../../src/core/migrations/verify/snapshot';
import type { TargetOptions } from '../../../src/core/migrations/verify/targets';
import { verifyMigrations, type MigrationVerdict, type VerifyTarget } from '../../../src/core/migrations/verify/verify';

/**
 * One contract for rollback verification on every target (embedded PGlite, a server): each
 * kind of down is applied up → down → up and gets the verdict a DBA would give it.
 */
export interface VerifyContractTarget {
  /** A target; `setup` SQL runs on each new database. */
  create(setup?: string, options?: TargetOptions): Promise<VerifyTarget>;
  /** Roles are per server, not per database: the suite's own role is dropped after it. */
  dropRole?(name: string): Promise<void>;
}

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-verify-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const BASE = {
  'migrations/00001_users.sql':
    "-- +goose Up\nCREATE TYPE mood AS ENUM ('ok', 'sad');\nCREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, m mood);\n-- +goose Down\nDROP TABLE users;\nDROP TYPE mood;\n",
};

export function describeVerifyContract(name: string, target: VerifyContractTarget): void {
  describe(`rollback verification contract: ${name}`, function () {
    this.timeout(120_000);
    const dirs: string[] = [];
    const role = `pglens_verify_${Math.random().toString(36).slice(2, 10)}`;
    after(async () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      await target.dropRole?.(role);
    });

    async function verify(files: Record<string, string>, setup?: string, notes: string[] = []): Promise<MigrationVerdict[]> {
      const dir = folder(files);
      dirs.push(dir);
      const sets = runnerSetsUnder(dir, { config: defaultConfig(dir) }).map((rs) => rs.set);
      const onNote: TargetOptions['onNote'] = (m, at) => notes.push(at ? `${at.file}:${at.line}: ${m}` : m);
      const report = await verifyMigrations(sets, { target: await target.create(setup, { onNote }), snapshot: snapshotCatalog, diff: diffSnapshots });
      return report.verdicts;
    }
    const lineRange = ({ line }: { line: number }) => ({ start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 0 }, startOffset: 0, endOffset: 0 });

    const only = (verdicts: MigrationVerdict[], id: string): MigrationVerdict => {
      const v = verdicts.find((x) => x.id === id);
      assert.ok(v, `no verdict for ${id}: ${verdicts.map((x) => x.id).join(', ')}`);
      return v;
    };

    it('a correct down is verified', async () => {
      const verdicts = await verify({
        ...BASE,
        'migrations/00002_email.sql':
          '-- +goose Up\nALTER TABLE users ADD COLUMN email text;\nCREATE UNIQUE INDEX users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_name_len CHECK (length(name) < 100);\n' +
          '-- +goose Down\nALTER TABLE users DROP CONSTRAINT users_name_len;\nDROP INDEX users_email_key;\nALTER TABLE users DROP COLUMN email;\n',
      });
      assert.deepEqual(verdicts.map((v) => [v.id, v.kind]), [['00001_users', 'verified'], ['00002_email', 'verified']]);
    });

    it('a down that does not recreate the index its up dropped: the index is reported, at the down', async () => {
      const v = only(
        await verify({
          ...BASE,
          'migrations/00002_idx.sql': '-- +goose Up\nCREATE INDEX users_name_idx ON users (name);\n-- +goose Down\nDROP INDEX users_name_idx;\n',
          'migrations/00003_drop.sql': '-- +goose Up\nDROP INDEX IF EXISTS users_name_idx;\nALTER TABLE users ADD COLUMN x int;\n-- +goose Down\nALTER TABLE users DROP COLUMN x;\n',
        }),
        '00003_drop',
      );
      assert.equal(v.kind, 'incomplete');
      assert.equal(v.down?.line, 5);
      assert.deepEqual(v.differences?.map((d) => [d.change, d.kind]), [['missing', 'index']]);
      assert.match(describeDifference(v.differences![0]), /users_name_idx/);
    });

    it('a down that forgets to drop the index its up created: the up fails again, and the index is named', async () => {
      const v = only(
        await verify({
          ...BASE,
          'migrations/00002_idx.sql': '-- +goose Up\nCREATE INDEX users_name_idx ON users (name);\nALTER TABLE users ADD COLUMN x int;\n-- +goose Down\nALTER TABLE users DROP COLUMN x;\n',
        }),
        '00002_idx',
      );
      assert.equal(v.kind, 'reapply-fails');
      assert.match(v.failure!.message, /already exists/);
      assert.deepEqual(v.differences?.map((d) => [d.change, d.kind]), [['extra', 'index']]);
    });

    it('a down that forgets an enum value', async () => {
      const v = only(
        await verify({
          ...BASE,
          'migrations/00002_enum.sql':
            "-- +goose Up\nALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('ok', 'sad', 'meh');\nALTER TABLE users ALTER COLUMN m TYPE mood USING m::text::mood;\nDROP TYPE mood_old;\n" +
            "-- +goose Down\nALTER TYPE mood RENAME TO mood_new;\nCREATE TYPE mood AS ENUM ('ok');\nALTER TABLE users ALTER COLUMN m TYPE mood USING m::text::mood;\nDROP TYPE mood_new;\n",
        }),
        '00002_enum',
      );
      assert.equal(v.kind, 'incomplete');
      assert.ok(v.differences?.some((d) => d.kind === 'enum-value' && d.change === 'missing'), JSON.stringify(v.differences));
    });

    it('a down that fails: Postgres message at its line', async () => {
      const v = only(
        await verify({
          ...BASE,
          'migrations/00002_audit.sql': '-- +goose Up\nCREATE TABLE audit (id bigint PRIMARY KEY);\n-- +goose Down\nDROP TABLE audit_log;\n',
        }),
        '00002_audit',
      );
      assert.equal(v.kind, 'down-fails');
      assert.match(v.failure!.message, /audit_log/);
      assert.equal(v.failure!.line, 4);
    });

    it('a down that leaves a table behind: the up fails again', async () => {
      const v = only(
        await verify({
          ...BASE,
          'migrations/00002_tmp.sql': '-- +goose Up\nCREATE TABLE tmp (id int);\nCREATE INDEX tmp_id ON users (id);\n-- +goose Down\nDROP INDEX tmp_id;\n',
        }),
        '00002_tmp',
      );
      assert.equal(v.kind, 'reapply-fails');
      assert.match(v.failure!.message, /already exists/);
      assert.ok(v.differences?.some((d) => d.kind === 'table' && d.change === 'extra'));
    });

    it('a destructive down: it drops a column that existed before the up', async () => {
      const verdicts = await verify({
        ...BASE,
        'migrations/00002_rename.sql': '-- +goose Up\nALTER TABLE users RENAME COLUMN name TO full_name;\n-- +goose Down\nALTER TABLE users DROP COLUMN full_name;\nALTER TABLE users ADD COLUMN name text;\n',
      });
      const v = only(verdicts, '00002_rename');
      assert.equal(v.kind, 'incomplete');
      const findings = verdictFindings(verdicts, { describe: describeDifference, lineRange: ({ line }) => ({ start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 0 }, startOffset: 0, endOffset: 0 }) });
      assert.ok(findings.some((f) => f.ruleId === 'rollback-incomplete'), findings.map((f) => f.message).join('\n'));
    });

    it('a down that does not rename back loses no data (it is still there, under the new name); one that drops it does', async () => {
      const verdicts = await verify({
        ...BASE,
        'migrations/00002_rename.sql': '-- +goose Up\nALTER TABLE users RENAME COLUMN name TO full_name;\n-- +goose Down\nSELECT 1;\n',
      });
      const v = only(verdicts, '00002_rename');
      assert.ok(v.differences?.some((d) => d.kind === 'column' && d.change === 'missing'));
      assert.deepEqual(v.dataLoss, []);
      const dropped = only(
        await verify({ ...BASE, 'migrations/00002_drop.sql': '-- +goose Up\nALTER TABLE users ADD COLUMN x int;\n-- +goose Down\nALTER TABLE users DROP COLUMN x, DROP COLUMN name;\n' }),
        '00002_drop',
      );
      assert.deepEqual(dropped.dataLoss?.map((d) => d.name), ['public.users.name']);
    });

    it('an index that comes back under its name with another definition is one change, not a loss and a leak', async () => {
      const v = only(
        await verify({
          ...BASE,
          'migrations/00002_partial.sql':
            '-- +goose Up\nCREATE INDEX users_name_idx ON users (name);\nALTER TABLE users ADD COLUMN x int;\n-- +goose Down\nALTER TABLE users DROP COLUMN x;\nDROP INDEX users_name_idx;\nCREATE INDEX users_name_idx ON users (name) WHERE name IS NOT NULL;\n',
          'migrations/00003_more.sql': '-- +goose Up\nDROP INDEX users_name_idx;\n-- +goose Down\nCREATE INDEX users_name_idx ON users (lower(name));\n',
        }),
        '00003_more',
      );
      assert.deepEqual(v.differences?.map((d) => [d.change, d.kind]), [['changed', 'index']]);
    });

    it('an empty down is one finding, "it undoes nothing", not a failure and one difference per object the up made', async () => {
      const verdicts = await verify({
        ...BASE,
        'migrations/00002_orders.sql':
          '-- +goose Up\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);\nCREATE INDEX orders_user_idx ON orders (user_id);\nALTER TABLE users ADD COLUMN plan text;\n' +
          '-- +goose Down\n-- nothing yet\n',
        'migrations/00003_data.sql': "-- +goose Up\nUPDATE users SET name = 'x' WHERE false;\n-- +goose Down\n",
      });
      const v = only(verdicts, '00002_orders');
      assert.equal(v.emptyDown, true);
      const found = verdictFindings(verdicts, { describe: describeDifference, lineRange });
      assert.deepEqual(found.map((f) => [f.ruleId, f.migration]), [['rollback-fails', '00002_orders']], found.map((f) => f.message).join('\n'));
      assert.match(found[0].message, /^The down of 00002_orders is empty: it undoes nothing — what the up changed stays \(table public\.orders, column public\.users\.plan\), and the up fails when applied again \(relation "orders" already exists\)\.$/);
      // A data-only up with an empty down: nothing in the schema to undo.
      assert.equal(only(verdicts, '00003_data').kind, 'verified');
    });

    it('a down that puts a validated CHECK (col IS NOT NULL) where NOT NULL was is one difference of the column, naming both', async () => {
      const v = only(
        await verify({
          ...BASE,
          'migrations/00002_x.sql':
            '-- +goose Up\nALTER TABLE users ADD COLUMN x int;\n' +
            '-- +goose Down\nALTER TABLE users DROP COLUMN x;\nALTER TABLE users ADD CONSTRAINT users_name_nn CHECK (name IS NOT NULL);\nALTER TABLE users ALTER COLUMN name DROP NOT NULL;\n',
        }),
        '00002_x',
      );
      assert.equal(v.kind, 'incomplete');
      assert.deepEqual(v.differences?.map((d) => [d.change, d.kind, d.name]), [['changed', 'column', 'public.users.name']]);
      assert.match(describeDifference(v.differences![0]), /^column public\.users\.name: NOT NULL was replaced by the validated check constraint users_name_nn CHECK \(name IS NOT NULL\) — the same rows are accepted/);
    });

    it("a runner's bookkeeping table a down re-creates (a former runner's schema_migrations) is no difference", async () => {
      const v = only(
        await verify({
          ...BASE,
          'migrations/00002_drop_schema_migrations.sql':
            '-- +goose Up\nDROP TABLE IF EXISTS schema_migrations;\n' +
            '-- +goose Down\nCREATE TABLE IF NOT EXISTS schema_migrations (\n    id SERIAL PRIMARY KEY,\n    version INT8 NOT NULL UNIQUE\n);\n',
        }),
        '00002_drop_schema_migrations',
      );
      assert.equal(v.kind, 'verified', JSON.stringify(v.differences));
    });

    it('SET client_encoding in a migration is left out, said so, and the rest verified', async function () {
      this.timeout(60_000);
      const notes: string[] = [];
      const verdicts = await verify(
        {
          ...BASE,
          'migrations/00002_latin.sql':
            "-- +goose Up\nSET client_encoding = 'LATIN1';\nCREATE TABLE café (naïve text DEFAULT 'crème');\n-- +goose Down\nDROP TABLE café;\n",
          'migrations/00003_more.sql': '-- +goose Up\nALTER TABLE users ADD COLUMN x int;\n-- +goose Down\nALTER TABLE users DROP COLUMN x;\n',
        },
        undefined,
        notes,
      );
      assert.deepEqual(verdicts.map((v) => [v.id, v.kind]), [['00001_users', 'verified'], ['00002_latin', 'verified'], ['00003_more', 'verified']]);
      assert.equal(new Set(notes).size, 1);
      assert.match(notes[0], /^migrations\/00002_latin\.sql:2: `SET client_encoding = 'LATIN1'` is not run: pglens reads migration files as UTF-8/);
    });

    it('a migration without a down where the runner has them; and one that cannot apply on an empty database, until the setup SQL provides what it needs', async () => {
      const files = {
        'migrations/1_users.up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
        'migrations/1_users.down.sql': 'DROP TABLE users;\n',
        'migrations/2_grant.up.sql': `GRANT SELECT ON users TO ${role};\n`,
        'migrations/3_more.up.sql': 'ALTER TABLE users ADD COLUMN x int;\n',
        'migrations/3_more.down.sql': 'ALTER TABLE users DROP COLUMN x;\n',
      };
      const without = await verify(files);
      assert.deepEqual(without.map((v) => [v.id, v.kind]), [['1_users', 'verified'], ['2_grant', 'unverifiable'], ['3_more', 'skipped']]);
      const setup = `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role}; END IF; END $$;`;
      const withSetup = await verify(files, setup);
      assert.deepEqual(withSetup.map((v) => [v.id, v.kind]), [['1_users', 'verified'], ['2_grant', 'no-down'], ['3_more', 'verified']]);
    });
  });
}

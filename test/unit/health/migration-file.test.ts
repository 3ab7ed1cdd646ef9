import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HealthFinding } from '../../../src/core/health/health-finding';
import { migrationFileFor, migrationSlug, planMigrationFile, type MigrationEntry } from '../../../src/core/health/migration-file';
import { chooseMigrationFolder } from '../../../src/core/health/migration-folder';

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
const fk: HealthFinding = {
  ruleId: 'fk-without-index',
  severity: 'warning',
  message: 'foreign key orders_customer_id_fkey has no index',
  schema: 'public',
  table: 'orders',
  columns: ['customer_id'],
  fixSql: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON public.orders (customer_id);',
};
const now = new Date('2024-05-06T07:08:09.123Z');
const files = (...names: string[]): MigrationEntry[] => names.map((name) => ({ name, isDirectory: false }));
const dirs = (...names: string[]): MigrationEntry[] => names.map((name) => ({ name, isDirectory: true }));

describe('planMigrationFile: naming after the folder convention', () => {
  const cases: { name: string; entries: MigrationEntry[]; folder?: string; file: string; convention: string }[] = [
    { name: '14-digit timestamps', entries: files('20240101120000_init.sql', '20240301090000_users.sql'), file: '20240506070809_drop_unused_index_orders_status_idx.sql', convention: 'timestamp-14' },
    { name: 'zero-padded sequence', entries: files('0001_init.sql', '0041_users.sql'), file: '0042_drop_unused_index_orders_status_idx.sql', convention: 'sequence' },
    { name: 'unpadded sequence', entries: files('1_init.sql', '2_users.sql'), file: '3_drop_unused_index_orders_status_idx.sql', convention: 'sequence' },
    { name: 'dash separator', entries: files('001-init.sql', '002-users.sql'), file: '003-drop-unused-index-orders-status-idx.sql', convention: 'sequence' },
    { name: 'Flyway versions', entries: files('V1__init.sql', 'V7__users.sql', 'V3_1__patch.sql'), file: 'V8__drop_unused_index_orders_status_idx.sql', convention: 'flyway' },
    { name: 'unix seconds', entries: files('1600000000_init.sql'), file: `${Math.floor(now.getTime() / 1000)}_drop_unused_index_orders_status_idx.sql`, convention: 'unix-seconds' },
    { name: 'Prisma folders', entries: [...dirs('20240101120000_init'), ...files('migration_lock.toml')], file: '20240506070809_drop_unused_index_orders_status_idx/migration.sql', convention: 'prisma' },
    { name: 'empty Prisma folder by path', entries: [], folder: '/repo/prisma/migrations', file: '20240506070809_drop_unused_index_orders_status_idx/migration.sql', convention: 'prisma' },
    { name: 'empty folder', entries: [], file: '20240506070809_drop_unused_index_orders_status_idx.sql', convention: 'timestamp-14' },
    { name: 'timestamps newer than the clock', entries: files('20990101000000_future.sql'), file: '20990101000001_drop_unused_index_orders_status_idx.sql', convention: 'timestamp-14' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planMigrationFile(unused, c.entries, now, c.folder);
      assert.equal(plan.fileName, c.file);
      assert.equal(plan.convention, c.convention);
      assert.equal(plan.downFileName, undefined);
    });
  }

  it('pairs .up.sql with a .down.sql that reverts the fix', () => {
    const plan = planMigrationFile(unused, files('000001_init.up.sql', '000001_init.down.sql'), now);
    assert.equal(plan.fileName, '000002_drop_unused_index_orders_status_idx.up.sql');
    assert.equal(plan.downFileName, '000002_drop_unused_index_orders_status_idx.down.sql');
    assert.match(plan.downContent ?? '', /^CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON public\.orders USING btree \(status\);$/m);
  });

  it('writes the fix SQL with a header naming the rule and the transaction caveat', () => {
    const plan = planMigrationFile(fk, [], now);
    assert.equal(plan.fileName, '20240506070809_add_index_orders_customer_id.sql');
    const lines = plan.content.split('\n');
    assert.equal(lines[0], '-- pglens: fk-without-index on public.orders');
    assert.ok(lines.some((l) => /CONCURRENTLY cannot run inside a transaction block/.test(l)));
    assert.equal(lines.filter((l) => !l.startsWith('--') && l !== '').join('\n'), fk.fixSql);
  });

  it('refuses a finding without a fix, naming the next step', () => {
    const pk: HealthFinding = { ruleId: 'missing-primary-key', severity: 'warning', message: 'm', schema: 'public', table: 'events' };
    assert.throws(() => planMigrationFile(pk, [], now), /has no automatic fix — write the migration by hand/);
  });

  it('keeps slugs short and safe', () => {
    const long = { ...unused, index: 'X'.repeat(100) + '"; DROP' };
    const slug = migrationSlug(long);
    assert.ok(slug.length <= 60);
    assert.match(slug, /^[a-z0-9_]+$/);
  });
});

describe('migrationFileFor on disk', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-health-'));
    writeFileSync(path.join(dir, '0007_init.sql'), 'CREATE TABLE t (id int);');
    mkdirSync(path.join(dir, 'nested'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the folder and returns an absolute path', async () => {
    const file = await migrationFileFor(unused, dir, now);
    assert.equal(file.path, path.join(dir, '0008_drop_unused_index_orders_status_idx.sql'));
  });

  it('names the missing folder in the error', async () => {
    await assert.rejects(migrationFileFor(unused, path.join(dir, 'absent'), now), /cannot read the migration folder .*absent.* — choose an existing folder/);
  });
});

describe('chooseMigrationFolder', () => {
  it('picks the folder with the most migrations, Prisma folders counting for their parent', () => {
    assert.equal(
      chooseMigrationFolder([
        '/w/prisma/migrations/20240101000000_init/migration.sql',
        '/w/prisma/migrations/20240102000000_b/migration.sql',
        '/w/scripts/migrations/x.sql',
      ]),
      '/w/prisma/migrations',
    );
    assert.equal(chooseMigrationFolder(['/w/db/migrations/1.sql', '/w/db/migrations/2.sql', '/w/other/migrations/1.sql']), '/w/db/migrations');
    assert.equal(chooseMigrationFolder([]), undefined);
  });
});

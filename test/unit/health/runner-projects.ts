/**
 * Small migration folders, one per runner, each with a couple of migrations that create
 * `orders` (id, customer_id, status) and an index `orders_status_idx` on it, unqualified (the
 * server test runs them in a scratch schema through search_path). Shared by the unit test of
 * Create migration (test/unit/health/migration-file-runners.test.ts) and the server test that
 * runs what it writes (test/integration/health/migration-file-runners.test.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunnerId } from '../../../src/core/migrations/migration';
import type { PlacedMigrationFile } from '../../../src/core/health/migration-file';

const TABLE = 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text);';
const INDEX = 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);';

export interface RunnerProject {
  runner: RunnerId;
  files: Record<string, string>;
  /** The new migration's up file (relative to the folder), for the finding `drop_unused_index_orders_status_idx` at 2024-05-06T07:08:09Z. */
  expectedUp: string;
  /** The runner keeps downs (Prisma has none; Flyway's undo files are its paid edition's: pglens writes none). */
  down: boolean;
}

export const RUNNER_PROJECTS: Record<string, RunnerProject> = {
  goose: {
    runner: 'goose',
    files: {
      '00001_orders.sql': `-- +goose Up\n${TABLE}\n\n-- +goose Down\nDROP TABLE orders;\n`,
      '00002_status_index.sql': `-- +goose NO TRANSACTION\n-- +goose Up\n${INDEX}\n\n-- +goose Down\nDROP INDEX CONCURRENTLY orders_status_idx;\n`,
    },
    expectedUp: '00003_drop_unused_index_orders_status_idx.sql',
    down: true,
  },
  'goose (timestamps)': {
    runner: 'goose',
    files: {
      '20240101000000_orders.sql': `-- +goose Up\n${TABLE}\n-- +goose Down\nDROP TABLE orders;\n`,
      '20240102000000_status_index.sql': `-- +goose NO TRANSACTION\n-- +goose Up\n${INDEX}\n-- +goose Down\nDROP INDEX CONCURRENTLY orders_status_idx;\n`,
    },
    expectedUp: '20240506070809_drop_unused_index_orders_status_idx.sql',
    down: true,
  },
  dbmate: {
    runner: 'dbmate',
    files: {
      '20240101000000_orders.sql': `-- migrate:up\n${TABLE}\n\n-- migrate:down\nDROP TABLE orders;\n`,
      '20240102000000_status_index.sql': `-- migrate:up transaction:false\n${INDEX}\n\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY orders_status_idx;\n`,
    },
    expectedUp: '20240506070809_drop_unused_index_orders_status_idx.sql',
    down: true,
  },
  'sql-migrate': {
    runner: 'sql-migrate',
    files: {
      '1_orders.sql': `-- +migrate Up\n${TABLE}\n\n-- +migrate Down\nDROP TABLE orders;\n`,
      '2_status_index.sql': `-- +migrate Up notransaction\n${INDEX}\n\n-- +migrate Down notransaction\nDROP INDEX CONCURRENTLY orders_status_idx;\n`,
    },
    expectedUp: '3_drop_unused_index_orders_status_idx.sql',
    down: true,
  },
  diesel: {
    runner: 'diesel',
    files: {
      '00000000000000_diesel_initial_setup/up.sql': 'SELECT 1;\n',
      '00000000000000_diesel_initial_setup/down.sql': 'SELECT 1;\n',
      '2024-01-01-000000_orders/up.sql': `${TABLE}\n`,
      '2024-01-01-000000_orders/down.sql': 'DROP TABLE orders;\n',
      '2024-01-02-000000_status_index/up.sql': `${INDEX}\n`,
      '2024-01-02-000000_status_index/down.sql': 'DROP INDEX CONCURRENTLY orders_status_idx;\n',
      '2024-01-02-000000_status_index/metadata.toml': 'run_in_transaction = false\n',
    },
    expectedUp: '2024-05-06-070809_drop_unused_index_orders_status_idx/up.sql',
    down: true,
  },
  'golang-migrate': {
    runner: 'golang-migrate',
    files: {
      '000001_orders.up.sql': `${TABLE}\n`,
      '000001_orders.down.sql': 'DROP TABLE orders;\n',
      '000002_status_index.up.sql': `${INDEX}\n`,
      '000002_status_index.down.sql': 'DROP INDEX CONCURRENTLY orders_status_idx;\n',
    },
    expectedUp: '000003_drop_unused_index_orders_status_idx.up.sql',
    down: true,
  },
  popx: {
    runner: 'popx',
    files: {
      '20240101000000000000_orders.up.sql': `${TABLE}\n`,
      '20240101000000000000_orders.down.sql': 'DROP TABLE orders;\n',
      '20240102000000000000_status_index.autocommit.up.sql': `${INDEX}\n`,
      '20240102000000000000_status_index.autocommit.down.sql': 'DROP INDEX CONCURRENTLY orders_status_idx;\n',
    },
    expectedUp: '20240506070809000000_drop_unused_index_orders_status_idx.autocommit.up.sql',
    down: true,
  },
  'popx (several dialects)': {
    runner: 'popx',
    files: {
      '20240101000000000000_orders.postgres.up.sql': `${TABLE}\n`,
      '20240101000000000000_orders.mysql.up.sql': 'CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT, status VARCHAR(20));\n',
      '20240101000000000000_orders.down.sql': 'DROP TABLE orders;\n',
      '20240102000000000000_status_index.postgres.autocommit.up.sql': `${INDEX}\n`,
      '20240102000000000000_status_index.mysql.up.sql': 'CREATE INDEX orders_status_idx ON orders (status);\n',
    },
    expectedUp: '20240506070809000000_drop_unused_index_orders_status_idx.postgres.autocommit.up.sql',
    down: true,
  },
  liquibase: {
    runner: 'liquibase',
    files: {
      'changelog.yml': 'databaseChangeLog:\n  - includeAll:\n      path: changes/\n      relativeToChangelogFile: true\n',
      'changes/001_orders.sql': `--liquibase formatted sql\n\n--changeset shop:orders\n${TABLE}\n--rollback DROP TABLE orders;\n`,
      'changes/002_status_index.sql': `--liquibase formatted sql\n\n--changeset shop:status-index runInTransaction:false\n${INDEX}\n--rollback DROP INDEX CONCURRENTLY orders_status_idx;\n`,
    },
    expectedUp: 'changes/003_drop_unused_index_orders_status_idx.sql',
    down: true,
  },
  sqitch: {
    runner: 'sqitch',
    files: {
      'sqitch.conf': '[core]\n\tengine = pg\n',
      'sqitch.plan': '%syntax-version=1.0.0\n%project=shop\n\norders 2024-01-01T00:00:00Z Dev <dev@example.com> # orders\nstatus_index [orders] 2024-01-02T00:00:00Z Dev <dev@example.com> # status index\n',
      'deploy/orders.sql': `-- Deploy shop:orders to pg\nBEGIN;\n${TABLE}\nCOMMIT;\n`,
      'revert/orders.sql': '-- Revert shop:orders from pg\nBEGIN;\nDROP TABLE orders;\nCOMMIT;\n',
      'verify/orders.sql': '-- Verify shop:orders on pg\nBEGIN;\nSELECT id FROM orders WHERE false;\nROLLBACK;\n',
      'deploy/status_index.sql': `-- Deploy shop:status_index to pg\n${INDEX}\n`,
      'revert/status_index.sql': '-- Revert shop:status_index from pg\nDROP INDEX CONCURRENTLY orders_status_idx;\n',
    },
    expectedUp: 'deploy/drop_unused_index_orders_status_idx.sql',
    down: true,
  },
  prisma: {
    runner: 'prisma',
    files: {
      'migration_lock.toml': 'provider = "postgresql"\n',
      '20240101000000_init/migration.sql': `${TABLE}\n`,
      '20240102000000_status_index/migration.sql': `${INDEX}\n`,
    },
    expectedUp: '20240506070809_drop_unused_index_orders_status_idx/migration.sql',
    down: false,
  },
  flyway: {
    runner: 'flyway',
    files: {
      'V1__orders.sql': `${TABLE}\n`,
      'V2__status_index.sql': `${INDEX}\n`,
    },
    expectedUp: 'V3__drop_unused_index_orders_status_idx.sql',
    down: false,
  },
};

/** A temp folder holding `files`; `under` nests the migrations (`supabase/migrations`). */
export function makeProject(files: Record<string, string>, prefix = 'pglens-create-migration-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, ...name.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/** Writes a planned migration the way the editor does (health-commands.ts writeMigration): up, down, then the runner's other files. */
export function writePlanned(plan: PlacedMigrationFile): void {
  const writes = [{ path: plan.path, content: plan.content }];
  if (plan.downPath && plan.downContent) writes.push({ path: plan.downPath, content: plan.downContent });
  writes.push(...(plan.extraFiles ?? []));
  for (const w of writes) {
    mkdirSync(path.dirname(w.path), { recursive: true });
    writeFileSync(w.path, w.content);
  }
}

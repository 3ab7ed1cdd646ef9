import type { Table } from '../../../schema/model';
import { RUNNER_SCHEMAS, RUNNER_TABLES } from '../../../migrations/verify/diff';

/** Bookkeeping tables of migration tools and frameworks beyond the runners pglens reads (migrations/verify/diff.ts). */
const FRAMEWORK_TABLES = new Set([
  'knex_migrations', 'knex_migrations_lock', 'typeorm_migrations', 'ar_internal_metadata', 'migrations', 'migrations_lock',
  'sequelizemeta', 'SequelizeMeta', 'alembic_version', 'django_migrations', 'pgmigrations', 'kysely_migration',
  'kysely_migration_lock', 'mikro_orm_migrations', 'atlas_schema_revisions', 'schema_om',
]);

/** A table a migration runner keeps for itself (`schema_migrations`, `_prisma_migrations`, `storage.migrations`…): not the application's schema. */
export function isRunnerTable(table: Pick<Table, 'schema' | 'name'>): boolean {
  return RUNNER_TABLES.has(table.name) || RUNNER_SCHEMAS.has(table.schema) || FRAMEWORK_TABLES.has(table.name);
}

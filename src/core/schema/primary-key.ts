import type { SchemaModel, Table } from './model';

/**
 * Primary keys in a SchemaModel, for the missing-primary-key rule (SQL and Prisma) and the
 * live-catalog check: `hasPrimaryKey(table)` and `tablesWithoutPrimaryKey(schema)` (permanent,
 * logged tables without one, in the model's table order: temporary and unlogged tables cannot be
 * published for logical replication, see src/core/lint/rules/missing-primary-key.ts).
 */
export function hasPrimaryKey(table: Table): boolean {
  return table.primaryKey !== undefined || table.indexes.some((i) => i.primary);
}

export function tablesWithoutPrimaryKey(schema: SchemaModel): Table[] {
  return [...schema.tables.values()].filter((t) => !t.temporary && !t.unlogged && !hasPrimaryKey(t));
}

import type { Rule } from '../rule';
import { ruleOption, type RuleOptionSpecs } from '../option-specs';
import { rowSecurityNamedElsewhere, type Column, type SchemaModel, type Table } from '../../schema/model';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';

/**
 * tenant-table-without-rls (opt-in): a table with the configured tenant column and row-level
 * security not enabled after the whole set. Nothing in the database then keeps one tenant's
 * queries from another tenant's rows: one missing `WHERE tenant_id = …` leaks them.
 *
 * Exported for the Prisma and live-catalog checks:
 * - `DEFAULT_TENANT_COLUMNS`: the column names looked for when `tenantColumn` is not set.
 * - `tenantTablesWithoutRowSecurity(schema, columns)`: each such table with its tenant column
 *   (temporary tables, and tables whose RLS the model cannot see whole, left out).
 */
export const DEFAULT_TENANT_COLUMNS: readonly string[] = ['tenant_id', 'organization_id'];

export function tenantTablesWithoutRowSecurity(schema: SchemaModel, columns: readonly string[] = DEFAULT_TENANT_COLUMNS): { table: Table; column: Column }[] {
  const out: { table: Table; column: Column }[] = [];
  for (const table of schema.tables.values()) {
    if (table.temporary || table.rowSecurity?.enabled || table.rowSecurityOpaque || rowSecurityNamedElsewhere(schema, table)) continue;
    const column = table.columns.find((c) => columns.includes(c.name));
    if (column) out.push({ table, column });
  }
  return out;
}

const OPTIONS = {
  /** The tenant column: one name or a list of names. */
  tenantColumn: { type: 'names', default: DEFAULT_TENANT_COLUMNS },
} as const satisfies RuleOptionSpecs;

/** `tenantColumn`: one name or a list of names; the default for anything else. */
export function tenantColumnsOption(option: unknown): readonly string[] {
  return ruleOption({ tenantColumn: option }, 'tenantColumn', OPTIONS.tenantColumn);
}

export const rule: Rule = {
  id: 'tenant-table-without-rls',
  kind: 'schema',
  defaultSeverity: 'off',
  options: OPTIONS,
  docs: {
    description: 'A multi-tenant table (it has the tenant column) without row-level security: one query missing its tenant filter reads or changes other tenants\' rows.',
  },
  check(context) {
    for (const { table, column } of tenantTablesWithoutRowSecurity(context.schema, tenantColumnsOption(context.options.tenantColumn))) {
      if (!table.source) continue;
      const name = qualifiedName(table.schema, table.name);
      const col = quoteIdent(column.name);
      context.report({
        file: table.source.file,
        message:
          `${name} holds rows of several tenants (column ${col}) but row-level security is not enabled on it: ` +
          `nothing in the database keeps a query from other tenants' rows, so one query missing WHERE ${col} = … reads or changes them; ` +
          `enable row-level security with a policy comparing ${col} with the current tenant`,
        range: table.source.range,
      });
    }
  },
};

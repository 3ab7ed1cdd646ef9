import type { Rule } from '../rule';
import { rowSecurityNamedElsewhere, tablePolicies, type SchemaModel, type Table } from '../../schema/model';
import { qualifiedName } from '../../sql/quote-ident';

/**
 * rls-enabled-without-policy: row-level security is on and no policy exists on the table after
 * the whole set. Postgres then applies a default-deny policy to every role but the owner,
 * superusers and BYPASSRLS roles (and to the owner too under FORCE).
 *
 * Exported for the Prisma and live-catalog checks: `tablesLockedByRowSecurity(schema)`, the
 * tables with RLS enabled and no policy, leaving out those whose RLS the model cannot see whole
 * (code it cannot read, or policies on a table of that name the model does not know).
 */
export function tablesLockedByRowSecurity(schema: SchemaModel): Table[] {
  return [...schema.tables.values()].filter(
    (t) => t.rowSecurity?.enabled && !t.rowSecurityOpaque && tablePolicies(schema, t).length === 0 && !rowSecurityNamedElsewhere(schema, t),
  );
}

export const rule: Rule = {
  id: 'rls-enabled-without-policy',
  kind: 'schema',
  defaultSeverity: 'info',
  docs: {
    description:
      'Row-level security enabled on a table with no policy: every role but the owner and BYPASSRLS roles reads no rows and cannot insert.',
  },
  check(context) {
    for (const table of tablesLockedByRowSecurity(context.schema)) {
      const source = table.rowSecurity?.source;
      if (!source) continue;
      const name = qualifiedName(table.schema, table.name);
      const forced = table.rowSecurity?.forced === true;
      context.report({
        file: source.file,
        message:
          `row-level security is enabled on ${name} and no policy exists on it after the migrations: ` +
          `every role other than ${forced ? 'superusers and BYPASSRLS roles (FORCE ROW LEVEL SECURITY locks the owner out too)' : 'its owner, superusers and BYPASSRLS roles'} ` +
          'reads no rows from it, UPDATE and DELETE change nothing, and INSERT fails with "new row violates row-level security policy"; ' +
          'add the policies that say who sees which rows, or keep it if only ' +
          (forced ? 'BYPASSRLS roles' : 'the owner or a BYPASSRLS role (such as Supabase\'s service_role)') +
          ' is meant to reach it',
        range: source.range,
        // Even the owner is locked out: rarely what anyone meant.
        ...(forced && { severity: 'warning' as const }),
      });
    }
  },
};

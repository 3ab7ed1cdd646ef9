import type { Rule, SchemaContext } from '../rule';
import { rowSecurityNamedElsewhere, tablePolicies, type Policy, type SchemaModel, type Table } from '../../schema/model';
import type { SourceRange } from '../../types';
import { identifierWords } from '../../sql/ast';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';
import { addStatementsAfterIn } from '../rule-helpers';

/**
 * policy-without-rls: a table with policies whose row-level security is not enabled after the
 * whole set. Postgres ignores policies until `ENABLE ROW LEVEL SECURITY`: every role with the
 * table privilege sees and changes every row.
 *
 * Exported for the Prisma and live-catalog checks: `tablesWithIdlePolicies(schema)`, each table
 * with policies and RLS off, and its policies (leaving out tables whose RLS the model cannot see
 * whole: code it cannot read, or RLS switched on a table of that name the model does not know).
 */
export function tablesWithIdlePolicies(schema: SchemaModel): { table: Table; policies: Policy[] }[] {
  return [...schema.tables.values()]
    .filter((t) => !t.rowSecurity?.enabled && !t.rowSecurityOpaque && !rowSecurityNamedElsewhere(schema, t))
    .map((table) => ({ table, policies: tablePolicies(schema, table) }))
    .filter((x) => x.policies.length > 0);
}

export const rule: Rule = {
  id: 'policy-without-rls',
  kind: 'schema',
  defaultSeverity: 'warning',
  fixable: true,
  docs: {
    description: 'Policies on a table whose row-level security is not enabled do nothing: every role with access sees and changes every row.',
  },
  check(context) {
    for (const { table, policies } of tablesWithIdlePolicies(context.schema)) {
      // Turned off on purpose: the finding goes on the DISABLE, and turning it back on is a decision, not a mechanical fix.
      const disabledBy = table.rowSecurity?.enabled === false ? table.rowSecurity.source : undefined;
      // Otherwise on the last policy created, after whose statement the fix goes.
      const source = disabledBy ?? policies[policies.length - 1].source;
      if (!source) continue;
      const disabled = disabledBy !== undefined;
      const name = qualifiedName(table.schema, table.name);
      const listed = policies.map((p) => quoteIdent(p.name)).join(', ');
      const after = source.statementRange;
      const fixable = !disabled && after !== undefined && namesTable(context, source.file, after, table.name);
      const enable = `ALTER TABLE ${quoteIdent(table.schema)}.${quoteIdent(table.name)} ENABLE ROW LEVEL SECURITY`;
      context.report({
        file: source.file,
        message:
          `${policies.length === 1 ? `policy ${listed} is` : `${policies.length} policies (${listed}) are`} defined on ${name}, but row-level security is ` +
          `${disabled ? 'disabled on it (DISABLE ROW LEVEL SECURITY)' : 'never enabled on it'}: Postgres ignores policies until ` +
          `ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY, so every role with a privilege on the table reads and changes every row`,
        range: source.range,
        // A statement of its own right after the policy statement's ';' (or its last token).
        fix: fixable ? { title: `Enable row-level security on ${name}`, edits: [addStatementsAfterIn(context, source.file, after, enable)] } : undefined,
      });
    }
  },
};

/** Whether the policy statement still names the table as the final schema does (no later rename). */
function namesTable(context: SchemaContext, file: string, range: SourceRange, table: string): boolean {
  const text = context.textAt?.(file, range.startOffset, range.endOffset);
  return text !== undefined && identifierWords(text).has(table);
}

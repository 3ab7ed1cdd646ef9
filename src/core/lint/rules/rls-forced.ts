import type { Rule, SchemaContext } from '../rule';
import { rowSecurityNamedElsewhere, tablePolicies, type Policy, type SchemaModel, type Table } from '../../schema/model';
import type { SourceRange } from '../../types';
import { parseSql } from '../../sql/parse';
import { nodeOf } from '../../sql/nodes';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';
import { addStatementsAfterIn } from '../rule-helpers';

/**
 * rls-forced (opt-in): row-level security is enabled on a table with policies, and not forced,
 * after the whole set. The table's owner (often the role the migrations and the application
 * connect as) bypasses every policy: tests run as the owner pass while the policies do nothing.
 *
 * Tables with no policy are left to rls-enabled-without-policy (one finding per table), and so
 * are tables whose RLS the model cannot see whole (code it cannot read, a namesake elsewhere).
 * An explicit `NO FORCE ROW LEVEL SECURITY` is a decision and is not reported, and so are tables
 * whose policies show the application connects as other roles (each names its roles, or they read
 * Supabase's auth.uid()).
 *
 * `tablesWithUnforcedRowSecurity(schema)`: the tables it reports, for any schema model.
 */
export function tablesWithUnforcedRowSecurity(schema: SchemaModel): Table[] {
  return [...schema.tables.values()].filter(
    (t) =>
      t.rowSecurity?.enabled === true &&
      !t.rowSecurity.forced &&
      !t.rowSecurity.forceTurnedOff &&
      !t.rowSecurityOpaque &&
      !t.temporary &&
      tablePolicies(schema, t).length > 0 &&
      !appRoleIsNotOwner(tablePolicies(schema, t)) &&
      !rowSecurityNamedElsewhere(schema, t),
  );
}

/** Roles a policy may name that stand for whoever connects, the owner included. */
const ANY_ROLE = new Set(['public', 'current_user', 'current_role', 'session_user']);
/** Supabase's helpers: the policies are written for the Data API's roles (anon, authenticated), not the owner. */
const SUPABASE_AUTH = /\bauth\s*\.\s*(uid|jwt|role|email)\s*\(/i;

/**
 * The policies show the application connects as roles other than the owner: every one names its
 * roles (`TO app_user`), or they read Supabase's `auth.uid()`. The owner's bypass then serves
 * maintenance, not the application.
 */
function appRoleIsNotOwner(policies: Policy[]): boolean {
  if (policies.every((p) => p.roles.length > 0 && p.roles.every((r) => !ANY_ROLE.has(r)))) return true;
  return policies.some((p) => SUPABASE_AUTH.test(`${p.using ?? ''} ${p.withCheck ?? ''}`));
}

export const rule: Rule = {
  id: 'rls-forced',
  kind: 'schema',
  defaultSeverity: 'off',
  fixable: true,
  docs: {
    description:
      'Row-level security enabled but not forced: the table owner (often the role the application connects as) bypasses every policy.',
  },
  check(context) {
    for (const table of tablesWithUnforcedRowSecurity(context.schema)) {
      const source = table.rowSecurity?.source;
      if (!source) continue;
      const name = qualifiedName(table.schema, table.name);
      const after = source.statementRange;
      const written = after === undefined ? undefined : nameAsWritten(context, source.file, after, table.name);
      const force = `ALTER TABLE ${written} FORCE ROW LEVEL SECURITY`;
      const count = tablePolicies(context.schema, table).length;
      context.report({
        file: source.file,
        message:
          `row-level security is enabled on ${name} but not forced: its owner bypasses the ${count === 1 ? 'policy' : `${count} policies`} ` +
          '(as do superusers and BYPASSRLS roles), so when the application or the tests connect as the role that created the table, ' +
          `every query sees and changes every row and the policies only look tested; add ALTER TABLE ${name} FORCE ROW LEVEL SECURITY, ` +
          'or keep it if the application connects as another role',
        range: source.range,
        fix: written !== undefined && after !== undefined ? { title: `Force row-level security on ${name}`, edits: [addStatementsAfterIn(context, source.file, after, force)] } : undefined,
      });
    }
  },
};

/**
 * The table's name as the ENABLE statement writes it, for the FORCE right after it: the name the
 * final schema gives it may not exist yet there (a later SET SCHEMA). Undefined when the statement
 * names it otherwise (a later RENAME) or cannot be read.
 */
function nameAsWritten(context: SchemaContext, file: string, range: SourceRange, table: string): string | undefined {
  const text = context.textAt?.(file, range.startOffset, range.endOffset);
  if (text === undefined) return undefined;
  const rel = nodeOf(parseSql(text).statements[0]?.ast, 'AlterTableStmt')?.relation;
  if (!rel || rel.relname !== table) return undefined;
  return rel.schemaname ? `${quoteIdent(rel.schemaname)}.${quoteIdent(rel.relname)}` : quoteIdent(rel.relname);
}

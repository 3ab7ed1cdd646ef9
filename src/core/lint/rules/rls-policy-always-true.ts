import type { Rule } from '../rule';
import { ruleOption, type RuleOptionSpecs } from '../option-specs';
import type { Policy, SchemaModel } from '../../schema/model';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';

/**
 * rls-policy-always-true: a permissive policy whose USING or WITH CHECK is the constant `true`,
 * for roles other than the configured admin roles. USING (true) lets those roles reach every row
 * for its command (read, update, delete); WITH CHECK (true) lets the rows they write hold any
 * values (insert a row in another user's name, hand a row they may update to another owner) —
 * which rows an UPDATE may touch is still its USING's. As permissive policies are OR-ed, no other
 * one for the same roles and command narrows it. A restrictive `true` restricts nothing and is left alone.
 *
 * Exported for the Prisma and live-catalog checks:
 * - `DEFAULT_ADMIN_ROLES`: roles meant to see everything (Postgres's and Supabase's).
 * - `isConstantTrue(expression)`: `true`, `TRUE`, `(true)`, `true::boolean`, `'t'::bool`, `'yes'`.
 * - `alwaysTruePolicies(schema, adminRoles)`: each such policy with what it opens, clause by clause.
 */
export const DEFAULT_ADMIN_ROLES: readonly string[] = ['postgres', 'service_role', 'supabase_admin'];

const OPTIONS = {
  /** Roles meant to see everything: a policy for them alone is not flagged. An empty list: none. */
  adminRoles: { type: 'names', allowEmpty: true, default: DEFAULT_ADMIN_ROLES },
} as const satisfies RuleOptionSpecs;

export function isConstantTrue(expression: string | undefined): boolean {
  if (expression === undefined) return false;
  let e = expression.replace(/\s+/g, '').toLowerCase();
  while (/^\(.*\)$/.test(e) && balanced(e.slice(1, -1))) e = e.slice(1, -1);
  // A string literal in a boolean place is read as boolean input: 't', 'yes', 'on', '1'…
  return /^(true|'(t|true|y|yes|on|1)')(::bool(ean)?)?$/.test(e);
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

export interface AlwaysTruePolicy {
  policy: Policy;
  /** The roles it opens the table to (the policy's roles minus the admin roles). */
  roles: string[];
  /** USING (true): the commands for which those roles reach every row, other users' included. */
  anyRow: Array<'read' | 'update' | 'delete'>;
  /**
   * WITH CHECK (true), or an UPDATE/ALL policy's USING (true) with no WITH CHECK (it then checks
   * new rows too): the commands whose new rows may hold any values (a row in another user's name,
   * a row handed to another owner). Which rows an UPDATE may touch is still `anyRow`'s question.
   */
  anyValues: Array<'insert' | 'update'>;
  /** Both together: what it opens. */
  opens: Array<'read' | 'insert' | 'update' | 'delete'>;
}

export function alwaysTruePolicies(schema: SchemaModel, adminRoles: readonly string[] = DEFAULT_ADMIN_ROLES): AlwaysTruePolicy[] {
  const out: AlwaysTruePolicy[] = [];
  for (const list of schema.policies?.values() ?? []) {
    for (const policy of list) {
      if (!policy.permissive) continue;
      const roles = policy.roles.filter((r) => !adminRoles.includes(r));
      if (roles.length === 0) continue;
      const using = isConstantTrue(policy.using);
      // Without WITH CHECK, an ALL or UPDATE policy checks new rows with its USING expression.
      const check = policy.withCheck === undefined ? using : isConstantTrue(policy.withCheck);
      const c = policy.command;
      const anyRow: AlwaysTruePolicy['anyRow'] = [];
      if (using && (c === 'all' || c === 'select')) anyRow.push('read');
      if (using && (c === 'all' || c === 'update')) anyRow.push('update');
      if (using && (c === 'all' || c === 'delete')) anyRow.push('delete');
      const anyValues: AlwaysTruePolicy['anyValues'] = [];
      if (check && (c === 'all' || c === 'insert')) anyValues.push('insert');
      if (check && (c === 'all' || c === 'update')) anyValues.push('update');
      const opens = (['read', 'insert', 'update', 'delete'] as const).filter((o) => (anyRow as string[]).includes(o) || (anyValues as string[]).includes(o));
      if (opens.length > 0) out.push({ policy, roles, anyRow, anyValues, opens });
    }
  }
  return out;
}

export const rule: Rule = {
  id: 'rls-policy-always-true',
  kind: 'schema',
  defaultSeverity: 'warning',
  options: OPTIONS,
  docs: {
    description:
      'A policy with USING (true) for ordinary roles lets them read or change every row, one with WITH CHECK (true) lets them write rows with any values: row-level security that protects nothing.',
  },
  check(context) {
    const adminRoles = ruleOption(context.options, 'adminRoles', OPTIONS.adminRoles);
    for (const found of alwaysTruePolicies(context.schema, adminRoles)) {
      const { policy, roles, opens } = found;
      if (!policy.source) continue;
      const table = qualifiedName(policy.schema, policy.table);
      const who = roles.map((r) => (r === 'public' ? 'PUBLIC (every role, anon included)' : quoteIdent(r))).join(', ');
      const writes = opens.filter((o) => o !== 'read');
      context.report({
        file: policy.source.file,
        message:
          `policy ${quoteIdent(policy.name)} on ${table} is ${clauses(policy)} for ${who}: they may ${openings(found, table)}; ` +
          'permissive policies are OR-ed, so no other policy for them on that command narrows it; ' +
          (writes.length > 0
            ? 'compare the row with the user (e.g. user_id = auth.uid(), tenant_id = current_setting(\'app.tenant_id\')::uuid), or add the role to "adminRoles" if it is meant to see everything'
            : 'fine for public reference data; otherwise compare the row with the user, or add the role to "adminRoles" if it is meant to see everything'),
        range: policy.source.range,
        // Read-only or insert-only openings are often meant (public catalogues, contact forms); updates and deletes rarely are.
        ...(!opens.includes('update') && !opens.includes('delete') && { severity: 'info' as const }),
      });
    }
  },
};

/** The clauses that are the constant true, as written. */
function clauses(policy: Policy): string {
  const using = isConstantTrue(policy.using);
  const check = policy.withCheck !== undefined && isConstantTrue(policy.withCheck);
  return using && check ? 'USING (true) and WITH CHECK (true)' : check ? 'WITH CHECK (true)' : 'USING (true)';
}

/**
 * What the policy lets its roles do, clause by clause: USING (true) reaches every row (read,
 * update, delete); WITH CHECK (true) lets new rows hold any values — on an UPDATE whose USING
 * is real, only the rows they could update anyway, but those may be handed to another owner.
 */
function openings({ anyRow, anyValues }: AlwaysTruePolicy, table: string): string {
  const parts: string[] = [];
  if (anyRow.length > 0) parts.push(`${list(anyRow)} every row in ${table}, other users' rows included`);
  const insert = anyValues.includes('insert');
  const update = anyValues.includes('update');
  if (insert && update) {
    parts.push(`insert and update rows of ${table} with any values (a row in another user's name, or handed to another owner)`);
  } else if (insert) {
    parts.push(`insert rows with any values into ${table} (a row in another user's name)`);
  } else if (update) {
    parts.push(`give the rows they update in ${table} any values (hand a row to another owner)`);
  }
  return parts.join(', and ');
}

function list(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

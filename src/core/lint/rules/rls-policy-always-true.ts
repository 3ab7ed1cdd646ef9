import type { Rule } from '../rule';
import type { Policy, SchemaModel } from '../../schema/model';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';

/**
 * rls-policy-always-true: a permissive policy whose USING or WITH CHECK is the constant `true`,
 * for roles other than the configured admin roles. It lets those roles past row-level security
 * for its command on every row; as policies are OR-ed, it also makes every other permissive
 * policy for the same roles and command moot. A restrictive `true` restricts nothing and is left alone.
 *
 * Exported for the Prisma and live-catalog checks:
 * - `DEFAULT_ADMIN_ROLES`: roles meant to see everything (Postgres's and Supabase's).
 * - `isConstantTrue(expression)`: `true`, `TRUE`, `(true)`, `true::boolean`, `'t'::bool`, `'yes'`.
 * - `alwaysTruePolicies(schema, adminRoles)`: each such policy with what it opens.
 */
export const DEFAULT_ADMIN_ROLES: readonly string[] = ['postgres', 'service_role', 'supabase_admin'];

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
  /** What those roles may do to every row. */
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
      const opens: AlwaysTruePolicy['opens'] = [];
      const c = policy.command;
      if (using && (c === 'all' || c === 'select')) opens.push('read');
      if (check && (c === 'all' || c === 'insert')) opens.push('insert');
      if ((using || check) && (c === 'all' || c === 'update')) opens.push('update');
      if (using && (c === 'all' || c === 'delete')) opens.push('delete');
      if (opens.length > 0) out.push({ policy, roles, opens });
    }
  }
  return out;
}

export const rule: Rule = {
  id: 'rls-policy-always-true',
  kind: 'schema',
  defaultSeverity: 'warning',
  docs: {
    description: 'A policy with USING (true) or WITH CHECK (true) for ordinary roles lets them read or change every row: row-level security that protects nothing.',
  },
  check(context) {
    const option = context.options.adminRoles;
    const adminRoles = Array.isArray(option) && option.every((r) => typeof r === 'string') ? (option as string[]) : DEFAULT_ADMIN_ROLES;
    for (const { policy, roles, opens } of alwaysTruePolicies(context.schema, adminRoles)) {
      if (!policy.source) continue;
      const table = qualifiedName(policy.schema, policy.table);
      const who = roles.map((r) => (r === 'public' ? 'PUBLIC (every role, anon included)' : quoteIdent(r))).join(', ');
      const writes = opens.filter((o) => o !== 'read');
      const clause = policy.withCheck !== undefined && isConstantTrue(policy.withCheck) && !isConstantTrue(policy.using) ? 'WITH CHECK (true)' : 'USING (true)';
      context.report({
        file: policy.source.file,
        message:
          `policy ${quoteIdent(policy.name)} on ${table} is ${clause} for ${who}: ` +
          `they may ${openings(opens)} in ${table}, other users' rows included, ` +
          'and every other permissive policy for them on that command is moot; ' +
          (writes.length > 0
            ? 'compare the row with the user (e.g. user_id = auth.uid(), tenant_id = current_setting(\'app.tenant_id\')::uuid), or add the role to "adminRoles" if it is meant to see everything'
            : 'fine for public reference data; otherwise compare the row with the user, or add the role to "adminRoles" if it is meant to see everything'),
        range: policy.source.range,
        // Read-only or insert-only openings are often meant (public catalogues, contact forms); updates and deletes of every row rarely are.
        ...(!opens.includes('update') && !opens.includes('delete') && { severity: 'info' as const }),
      });
    }
  },
};

function openings(opens: AlwaysTruePolicy['opens']): string {
  const words = opens.map((o) => (o === 'insert' ? 'insert any row' : `${o} every row`));
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

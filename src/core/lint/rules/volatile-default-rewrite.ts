import { stringList, walk, type Node } from '../../sql/ast';
import { serialBaseType } from '../../schema/type-names';
import type { StatementRule } from '../rule';
import { alterTable, qualified, addedColumns } from '../rule-helpers';

/** Functions whose value differs per row: a DEFAULT calling one is evaluated for every existing row. */
const VOLATILE = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v7',
  'gen_random_bytes',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
]);

function volatileCall(expr: unknown): string | undefined {
  let found: string | undefined;
  // Wrapped so the expression's own node is visited too.
  walk({ expr }, (node) => {
    const call: Node | undefined = node.FuncCall;
    if (!call || found) return;
    const names = stringList(call.funcname);
    const name = names[names.length - 1]?.toLowerCase();
    if (name && VOLATILE.has(name)) found = `${name}()`;
  });
  return found;
}

/** ADD COLUMN with a volatile default (or serial/identity/stored generated column) rewrites the table. */
export const rule: StatementRule = {
  id: 'volatile-default-rewrite',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'ADD COLUMN with a volatile DEFAULT rewrites the whole table under an ACCESS EXCLUSIVE lock.' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    for (const def of addedColumns(target)) {
      const cause = rewriteCause(def, context.postgresVersion);
      if (!cause) continue;
      context.report({
        message:
          `Adding column ${def.colname} with ${cause} rewrites all of ${qualified(target.relation)} (and rebuilds its indexes) ` +
          'under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole rewrite. Add the column without the default, ' +
          'set the default in a separate statement, and backfill existing rows in batches.',
        range: context.statement.constructRange(def.location),
      });
    }
  },
};

function rewriteCause(def: Node, postgresVersion: number): string | undefined {
  const typeNames: Node[] = def.typeName?.names ?? [];
  if (typeNames.length === 1 && serialBaseType(typeNames[0].String?.sval ?? '')) return `a ${typeNames[0].String.sval} type (DEFAULT nextval())`;
  for (const c of def.constraints ?? []) {
    const con: Node | undefined = c.Constraint;
    if (!con) continue;
    if (con.contype === 'CONSTR_IDENTITY') return 'an identity (every row gets a sequence value)';
    if (con.contype === 'CONSTR_GENERATED' && con.generated_kind !== 'v') return 'a stored generated expression';
    if (con.contype !== 'CONSTR_DEFAULT') continue;
    const call = volatileCall(con.raw_expr);
    if (call) return `the volatile DEFAULT ${call}`;
    // Before Postgres 11 every non-null default rewrote the table.
    if (postgresVersion < 11 && !con.raw_expr?.A_Const?.isnull) return `a DEFAULT (Postgres ${postgresVersion} rewrites for any default)`;
  }
  return undefined;
}

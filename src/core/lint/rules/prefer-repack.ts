import { relationName, type Node } from '../../sql/ast';
import type { StatementRule } from '../rule';
import { headRange } from '../rule-helpers';

/** VACUUM FULL (not `VACUUM (FULL false)`) and CLUSTER rewrite the table while holding ACCESS EXCLUSIVE for the whole rewrite. */
export const rule: StatementRule = {
  id: 'prefer-repack',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock; pg_repack does it online.' },
  check(context) {
    const ast = context.statement.ast;
    let verb: string;
    let relations: Node[];
    let full: Node | undefined;
    if (ast?.VacuumStmt?.is_vacuumcmd && (full = fullOption(ast.VacuumStmt.options))) {
      verb = 'VACUUM FULL';
      relations = (ast.VacuumStmt.rels ?? []).map((r: Node) => r.VacuumRelation?.relation);
    } else if (ast?.ClusterStmt) {
      verb = 'CLUSTER';
      relations = ast.ClusterStmt.relation ? [ast.ClusterStmt.relation] : [];
    } else return;
    const names = relations.map(relationName).filter((r) => r !== undefined);
    if (names.length > 0 && names.every((r) => !context.isExistingTable(r.schema, r.name))) return;
    context.report({
      message:
        `${verb} rewrites ${names.length ? 'the table' : 'every table'} under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole rewrite. ` +
        'Use pg_repack (or pg_squeeze), which rebuilds the table online.',
      range:
        full?.location !== undefined && full.location >= 0
          ? context.statement.rangeOf(context.statement.range.startOffset, context.statement.locate(full.location).endOffset)
          : headRange(context.statement, verb === 'CLUSTER' ? ['CLUSTER'] : ['FULL']),
    });
  },
};

/**
 * The FULL option when it is on: `FULL`, `FULL true|on|1`. `FULL false|off|0` is a plain
 * VACUUM, and the last FULL option wins, as in Postgres (defGetBoolean).
 */
function fullOption(options: Node[] | undefined): Node | undefined {
  const last: Node | undefined = (options ?? []).map((o) => o.DefElem).filter((d) => d?.defname === 'full').pop();
  if (!last) return undefined;
  const arg: Node | undefined = last.arg;
  if (!arg) return last;
  // libpg-query leaves out a zero: `FULL 0` is { Integer: {} }.
  if (arg.Integer) return arg.Integer.ival === 1 ? last : undefined;
  const value = typeof arg.String?.sval === 'string' ? arg.String.sval.toLowerCase() : '';
  return value === 'true' || value === 'on' ? last : undefined;
}

import { relationName, type Node } from '../../sql/ast';
import { nodeOf, type DefElem, type RangeVar } from '../../sql/nodes';
import type { StatementRule } from '../rule';
import { headRange } from '../rule-helpers';

/** VACUUM FULL (not `VACUUM (FULL false)`) and CLUSTER rewrite the table while holding ACCESS EXCLUSIVE for the whole rewrite. */
export const rule: StatementRule = {
  id: 'prefer-repack',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock; pg_repack does it online.' },
  check(context) {
    const vacuum = nodeOf(context.statement.ast, 'VacuumStmt');
    const cluster = nodeOf(context.statement.ast, 'ClusterStmt');
    let verb: string;
    let relations: Array<RangeVar | undefined>;
    let full: DefElem | undefined;
    if (vacuum?.is_vacuumcmd && (full = fullOption(vacuum.options))) {
      verb = 'VACUUM FULL';
      relations = (vacuum.rels ?? []).map((r) => nodeOf(r, 'VacuumRelation')?.relation);
    } else if (cluster) {
      verb = 'CLUSTER';
      relations = cluster.relation ? [cluster.relation] : [];
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
function fullOption(options: Node[] | undefined): DefElem | undefined {
  const last = (options ?? []).map((o) => nodeOf(o, 'DefElem')).filter((d) => d?.defname === 'full').pop();
  if (!last) return undefined;
  const arg = last.arg;
  if (!arg) return last;
  // libpg-query leaves out a zero: `FULL 0` is { Integer: {} }.
  const integer = nodeOf(arg, 'Integer');
  if (integer) return integer.ival === 1 ? last : undefined;
  const sval = nodeOf(arg, 'String')?.sval;
  const value = typeof sval === 'string' ? sval.toLowerCase() : '';
  return value === 'true' || value === 'on' ? last : undefined;
}

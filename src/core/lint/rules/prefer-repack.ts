import { relationName, type Node } from '../../sql/ast';
import type { StatementRule } from '../rule';
import { headRange } from '../rule-helpers';

/** VACUUM FULL and CLUSTER rewrite the table while holding ACCESS EXCLUSIVE for the whole rewrite. */
export const rule: StatementRule = {
  id: 'prefer-repack',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock; pg_repack does it online.' },
  check(context) {
    const ast = context.statement.ast;
    let verb: string;
    let relations: Node[];
    if (ast?.VacuumStmt?.is_vacuumcmd && (ast.VacuumStmt.options ?? []).some((o: Node) => o.DefElem?.defname === 'full')) {
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
      range: headRange(context.statement, verb === 'CLUSTER' ? ['CLUSTER'] : ['FULL']),
    });
  },
};

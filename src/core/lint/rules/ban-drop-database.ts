import type { StatementRule } from '../rule';
import { nodeOf } from '../../sql/nodes';

/** A migration has no business dropping a database. */
export const rule: StatementRule = {
  id: 'ban-drop-database',
  kind: 'statement',
  defaultSeverity: 'error',
  docs: { description: 'DROP DATABASE in a migration deletes a whole database.' },
  check(context) {
    const node = nodeOf(context.statement.ast, 'DropdbStmt');
    if (!node) return;
    context.report({
      message: `DROP DATABASE ${node.dbname} deletes the whole database with all its data; a migration must never do this.`,
      range: context.statement.range,
    });
  },
};

import { dropObjectNames } from '../../sql/ast';
import type { StatementRule } from '../rule';
import { nameTokenRange, qualified } from '../rule-helpers';
import { nodeOf } from '../../sql/nodes';

/** Dropping a table breaks deployed code that still uses it, and deletes its data. */
export const rule: StatementRule = {
  id: 'ban-drop-table',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'DROP TABLE breaks every running query that still uses the table, and the data is gone.' },
  check(context) {
    const node = nodeOf(context.statement.ast, 'DropStmt');
    if (!node || node.removeType !== 'OBJECT_TABLE') return;
    for (const rel of dropObjectNames(node.objects)) {
      if (!context.isExistingTable(rel.schema, rel.name)) continue;
      context.report({
        message:
          `Dropping table ${qualified(rel)} deletes its data for good and breaks the application version still running. ` +
          'Stop using it in code first, deploy, then drop it in a later migration (and keep a backup).',
        range: nameTokenRange(context.statement, rel.name) ?? context.statement.range,
      });
    }
  },
};

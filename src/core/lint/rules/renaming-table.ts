import { relationName } from '../../sql/ast';
import type { StatementRule } from '../rule';
import { findWord, qualified } from '../rule-helpers';
import { nodeOf } from '../../sql/nodes';

/** Renaming a table breaks the application code already deployed, which still uses the old name. */
export const rule: StatementRule = {
  id: 'renaming-table',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'ALTER TABLE … RENAME TO breaks every running query that still uses the old name.' },
  check(context) {
    const node = nodeOf(context.statement.ast, 'RenameStmt');
    if (!node || node.renameType !== 'OBJECT_TABLE') return;
    const rel = relationName(node.relation);
    if (!rel || !context.isExistingTable(rel.schema, rel.name)) return;
    const statement = context.statement;
    const rename = findWord(statement, ['RENAME']);
    context.report({
      message:
        `Renaming table ${qualified(rel)} to ${node.newname} breaks the application version still running during the deploy: ` +
        'its queries fail with "relation does not exist". Create the new table (or a view under the old name) and migrate readers first.',
      range: statement.rangeOf(rename?.start ?? statement.range.startOffset, statement.range.endOffset),
    });
  },
};

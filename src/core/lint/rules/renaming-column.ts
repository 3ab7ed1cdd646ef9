import { relationName } from '../../sql/ast';
import type { StatementRule } from '../rule';
import { findWord, qualified } from '../rule-helpers';
import { nodeOf } from '../../sql/nodes';

/** Renaming a column breaks the application code already deployed, which still uses the old name. */
export const rule: StatementRule = {
  id: 'renaming-column',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'RENAME COLUMN breaks every running query that still uses the old name.' },
  check(context) {
    const node = nodeOf(context.statement.ast, 'RenameStmt');
    if (!node || node.renameType !== 'OBJECT_COLUMN' || node.relationType !== 'OBJECT_TABLE') return;
    const rel = relationName(node.relation);
    if (!rel || !context.isExistingTable(rel.schema, rel.name)) return;
    const statement = context.statement;
    const rename = findWord(statement, ['RENAME']);
    context.report({
      message:
        `Renaming ${qualified(rel)}.${node.subname} to ${node.newname} breaks the application version still running during the deploy: ` +
        'its queries fail with "column does not exist". Add the new column, write to both, backfill, move reads, then drop the old one.',
      range: statement.rangeOf(rename?.start ?? statement.range.startOffset, statement.range.endOffset),
    });
  },
};

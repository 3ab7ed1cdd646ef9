import { dropObjectNames } from '../../sql/ast';
import { tableOfIndex } from '../locks';
import type { StatementRule } from '../rule';
import { findWord, insertFix, outsideTransactionWayOut } from '../rule-helpers';
import { heldAccessExclusive, recordDroppedIndexTables } from './support/transaction-locks';
import { nodeOf } from '../../sql/nodes';

/**
 * DROP INDEX without CONCURRENTLY locks the whole table while it waits for running queries.
 * Silent when every index belongs to a table this file created, or whose ACCESS EXCLUSIVE lock
 * an earlier statement of the same transaction already holds: the table is locked until COMMIT
 * either way, and the drop itself is instant, so it adds no blocking.
 */
export const rule: StatementRule = {
  id: 'require-concurrent-index-deletion',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table: reads and writes wait.' },
  check(context) {
    recordDroppedIndexTables(context);
    const node = nodeOf(context.statement.ast, 'DropStmt');
    if (!node || node.removeType !== 'OBJECT_INDEX' || node.concurrent) return;
    const names = dropObjectNames(node.objects);
    const tables = names.map((n) => tableOfIndex(context.schema, n.schema ?? 'public', n.name));
    const addsNoBlocking = tables.every(
      (t) => t && (!context.isExistingTable(t.schema, t.name) || heldAccessExclusive(context, { schema: t.schema ?? 'public', name: t.name })),
    );
    if (tables.length > 0 && addsNoBlocking) return;
    const statement = context.statement;
    const indexWord = findWord(statement, ['INDEX']);
    // CONCURRENTLY drops exactly one index, without CASCADE, outside a transaction.
    const fixable = indexWord && names.length === 1 && node.behavior !== 'DROP_CASCADE' && !context.inTransaction;
    context.report({
      message:
        'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table: every read and write queues behind it ' +
        '(and behind any long query it waits for). Use DROP INDEX CONCURRENTLY' +
        (context.inTransaction ? `, which cannot run inside this migration's transaction. ${outsideTransactionWayOut(context, true)}` : '.'),
      range: statement.rangeOf(statement.range.startOffset, indexWord?.end ?? statement.range.endOffset),
      fix: fixable ? insertFix(statement, 'Drop the index CONCURRENTLY', indexWord.end, ' CONCURRENTLY') : undefined,
    });
  },
};

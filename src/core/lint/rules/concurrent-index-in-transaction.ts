import type { StatementContext, StatementRule } from '../rule';
import { findWord, outsideTransactionWayOut } from '../rule-helpers';
import { nodeOf } from '../../sql/nodes';

/** Postgres refuses CREATE/DROP INDEX CONCURRENTLY inside a transaction block: the migration fails. */
/** Which transaction, when the runner's: the user may not know the runner adds one. */
function runsIn(context: StatementContext): string {
  if (context.transactionMode === 'all-pending') return ` (${context.runner} runs every pending migration in one transaction)`;
  if (context.transactionMode === 'per-migration' && context.runner) return ` (${context.runner} runs this migration in a transaction)`;
  return '';
}

export const rule: StatementRule = {
  id: 'concurrent-index-in-transaction',
  kind: 'statement',
  defaultSeverity: 'error',
  docs: { description: 'CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block: the migration fails.' },
  check(context) {
    const ast = context.statement.ast;
    const create = nodeOf(ast, 'IndexStmt')?.concurrent === true;
    const dropStmt = nodeOf(ast, 'DropStmt');
    const drop = dropStmt?.removeType === 'OBJECT_INDEX' && dropStmt.concurrent === true;
    if (!(create || drop) || !context.inTransaction) return;
    const verb = create ? 'CREATE INDEX CONCURRENTLY' : 'DROP INDEX CONCURRENTLY';
    const word = findWord(context.statement, ['CONCURRENTLY']);
    context.report({
      message:
        `${verb} inside a transaction fails with "cannot run inside a transaction block", so this migration aborts${runsIn(context)}. ` +
        outsideTransactionWayOut(context, true),
      range: word ? context.statement.rangeOf(word.start, word.end) : context.statement.range,
    });
  },
};

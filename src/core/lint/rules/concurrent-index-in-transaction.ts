import type { StatementRule } from '../rule';
import { findWord } from '../rule-helpers';

/** Postgres refuses CREATE/DROP INDEX CONCURRENTLY inside a transaction block: the migration fails. */
export const rule: StatementRule = {
  id: 'concurrent-index-in-transaction',
  kind: 'statement',
  defaultSeverity: 'error',
  docs: { description: 'CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block: the migration fails.' },
  check(context) {
    const ast = context.statement.ast;
    const create = ast?.IndexStmt?.concurrent === true;
    const drop = ast?.DropStmt?.removeType === 'OBJECT_INDEX' && ast.DropStmt.concurrent === true;
    if (!(create || drop) || !context.inTransaction) return;
    const verb = create ? 'CREATE INDEX CONCURRENTLY' : 'DROP INDEX CONCURRENTLY';
    const word = findWord(context.statement, ['CONCURRENTLY']);
    context.report({
      message:
        `${verb} inside a transaction fails with "cannot run inside a transaction block", so this migration aborts. ` +
        'Move it to its own migration file that the runner does not wrap in a transaction (and no BEGIN … COMMIT around it).',
      range: word ? context.statement.rangeOf(word.start, word.end) : context.statement.range,
    });
  },
};

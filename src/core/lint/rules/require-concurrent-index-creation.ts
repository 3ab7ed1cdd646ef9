import { relationName } from '../../sql/ast';
import type { StatementRule } from '../rule';
import { findWord, insertFix, qualified } from '../rule-helpers';

/** CREATE INDEX without CONCURRENTLY blocks every write to the table until the index is built. */
export const rule: StatementRule = {
  id: 'require-concurrent-index-creation',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'CREATE INDEX without CONCURRENTLY takes a SHARE lock: writes to the table wait for the whole build.' },
  check(context) {
    const node = context.statement.ast?.IndexStmt;
    if (!node || node.concurrent) return;
    const rel = relationName(node.relation);
    if (!rel || !context.isExistingTable(rel.schema, rel.name)) return;
    const statement = context.statement;
    const indexWord = findWord(statement, ['INDEX']);
    const message =
      `CREATE INDEX on existing table ${qualified(rel)} without CONCURRENTLY takes a SHARE lock: ` +
      'every INSERT, UPDATE and DELETE waits until the index is built. Use CREATE INDEX CONCURRENTLY' +
      (context.inTransaction ? ' in a migration that does not run inside a transaction.' : '.');
    context.report({
      message,
      range: statement.rangeOf(statement.range.startOffset, indexWord?.end ?? statement.range.endOffset),
      fix:
        indexWord && !context.inTransaction
          ? insertFix(statement, 'Create the index CONCURRENTLY', indexWord.end, ' CONCURRENTLY')
          : undefined,
    });
  },
};

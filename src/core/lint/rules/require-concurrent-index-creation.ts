import { relationName } from '../../sql/ast';
import type { StatementRule } from '../rule';
import { findWord, insertFix, qualified, outsideTransactionWayOut } from '../rule-helpers';
import { heldAccessExclusive, lockingStatementName, recordDroppedIndexTables } from './support/transaction-locks';
import { currentDefaultSchema } from './support/earlier-in-file';
import { nodeOf } from '../../sql/nodes';

/**
 * CREATE INDEX without CONCURRENTLY blocks every write to the table until the index is built.
 * After an earlier statement of the same transaction took ACCESS EXCLUSIVE on the table, the
 * build blocks reads too: it runs while that lock is held, and the lock lasts until COMMIT.
 */
export const rule: StatementRule = {
  id: 'require-concurrent-index-creation',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'CREATE INDEX without CONCURRENTLY takes a SHARE lock: writes to the table wait for the whole build.' },
  check(context) {
    recordDroppedIndexTables(context);
    const node = nodeOf(context.statement.ast, 'IndexStmt');
    if (!node || node.concurrent) return;
    const rel = relationName(node.relation);
    if (!rel || !context.isExistingTable(rel.schema, rel.name)) return;
    const table = context.table(rel);
    // `ON ONLY` (inh false, left out of the AST) a partitioned parent builds nothing (the first step of indexing partitions one by one).
    if (node.relation && node.relation.inh !== true && (table === undefined || table.partitioned)) return;
    const statement = context.statement;
    const indexWord = findWord(statement, ['INDEX']);
    // Postgres refuses CONCURRENTLY on a partitioned parent: each partition is indexed on its own.
    const partitioned = table?.partitioned === true;
    const held = heldAccessExclusive(context, { schema: table?.schema ?? rel.schema ?? currentDefaultSchema(context), name: rel.name });
    const lock = held
      ? `CREATE INDEX on existing table ${qualified(rel)} extends the ACCESS EXCLUSIVE lock taken at line ${held.range.start.line + 1} ` +
        `by ${lockingStatementName(held)}: every read and write of the table, not only writes, waits until the index is built and the migration commits. `
      : `CREATE INDEX on existing table ${qualified(rel)} without CONCURRENTLY takes a SHARE lock: ` +
        'every INSERT, UPDATE and DELETE waits until the index is built. ';
    const message =
      lock +
      (partitioned
        ? 'It is partitioned, so CONCURRENTLY is refused: CREATE INDEX … ON ONLY the parent, CREATE INDEX CONCURRENTLY on each partition, ' +
          'then ALTER INDEX … ATTACH PARTITION each one.'
        : 'Use CREATE INDEX CONCURRENTLY' + (context.inTransaction ? `, which cannot run inside this migration's transaction. ${outsideTransactionWayOut(context, true)}` : '.'));
    context.report({
      message,
      range: statement.rangeOf(statement.range.startOffset, indexWord?.end ?? statement.range.endOffset),
      fix:
        indexWord && !context.inTransaction && !partitioned
          ? insertFix(statement, 'Create the index CONCURRENTLY', indexWord.end, ' CONCURRENTLY')
          : undefined,
    });
  },
};

import { dropObjectNames } from '../../../sql/ast';
import { nodeOf } from '../../../sql/nodes';
import type { Statement } from '../../../sql/statement';
import { strongLockTargets, tableOfIndex } from '../../locks';
import type { StatementContext } from '../../rule';
import { forEachEarlierStatement, qualify, sameName, type QualifiedName } from './earlier-in-file';

/**
 * An earlier statement of the transaction the current statement runs in that took an ACCESS
 * EXCLUSIVE lock on `table`: the lock is held until COMMIT, so every reader and writer of the
 * table is already queued until then (checked on Postgres 15 with two sessions and pg_locks).
 *
 * The transaction is the part's (context.inTransaction) or an explicit BEGIN's; a COMMIT or
 * ROLLBACK releases what came before it, and a BEGIN outside the runner's transaction starts
 * afresh (statements before it autocommitted). A ROLLBACK TO SAVEPOINT may release locks: what
 * came before it is not counted (the rules then report as if no lock were held).
 */
const DROPPED_INDEX_TABLES = 'support/transaction-locks';

/**
 * Records the tables of the indexes a DROP INDEX drops, while the schema still has them: once
 * the statement is applied, the schema no longer tells which table an earlier DROP INDEX locked.
 * The rules that call heldAccessExclusive call this first, on every statement.
 */
export function recordDroppedIndexTables(context: StatementContext): void {
  const drop = nodeOf(context.statement.ast, 'DropStmt');
  if (drop?.removeType !== 'OBJECT_INDEX' || drop.concurrent) return;
  let byStatement = context.memo.get(DROPPED_INDEX_TABLES) as Map<number, QualifiedName[]> | undefined;
  if (!byStatement) context.memo.set(DROPPED_INDEX_TABLES, (byStatement = new Map()));
  if (byStatement.has(context.statement.index)) return;
  const tables: QualifiedName[] = [];
  for (const n of dropObjectNames(drop.objects)) {
    const table = tableOfIndex(context.schema, n.schema ?? 'public', n.name);
    if (table) tables.push({ schema: table.schema ?? 'public', name: table.name });
  }
  byStatement.set(context.statement.index, tables);
}

export function heldAccessExclusive(context: StatementContext, table: QualifiedName): Statement | undefined {
  if (!context.inTransaction) return undefined;
  let found: Statement | undefined;
  // After a COMMIT or ROLLBACK and until the next BEGIN, each statement autocommits.
  let autocommit = false;
  forEachEarlierStatement(context, (statement, defaultSchema) => {
    const tx = nodeOf(statement.ast, 'TransactionStmt')?.kind;
    if (tx === 'TRANS_STMT_BEGIN' || tx === 'TRANS_STMT_START') {
      found = undefined;
      autocommit = false;
      return;
    }
    if (tx === 'TRANS_STMT_COMMIT' || tx === 'TRANS_STMT_ROLLBACK' || tx === 'TRANS_STMT_ROLLBACK_TO') {
      found = undefined;
      autocommit = tx !== 'TRANS_STMT_ROLLBACK_TO';
      return;
    }
    if (found || autocommit || !statement.ast) return;
    const dropped = (context.memo.get(DROPPED_INDEX_TABLES) as Map<number, QualifiedName[]> | undefined)?.get(statement.index);
    if (dropped) {
      if (dropped.some((t) => sameName(t, table))) found = statement;
      return;
    }
    for (const t of strongLockTargets(statement, context.schema, defaultSchema)) {
      if (t.lock === 'ACCESS EXCLUSIVE' && sameName(qualify(t.relation, defaultSchema), table)) found = statement;
    }
  });
  return autocommit ? undefined : found;
}

/** What an ACCESS EXCLUSIVE statement is, for a message: "ALTER TABLE", "DROP INDEX", "LOCK TABLE". */
export function lockingStatementName(statement: Statement): string {
  const ast = statement.ast;
  switch (statement.kind) {
    case 'AlterTableStmt':
      return 'ALTER TABLE';
    case 'RenameStmt':
      return 'ALTER TABLE … RENAME';
    case 'DropStmt':
      return nodeOf(ast, 'DropStmt')?.removeType === 'OBJECT_INDEX' ? 'DROP INDEX' : 'DROP TABLE';
    case 'TruncateStmt':
      return 'TRUNCATE';
    case 'LockStmt':
      return 'LOCK TABLE';
    case 'ClusterStmt':
      return 'CLUSTER';
    case 'VacuumStmt':
      return 'VACUUM FULL';
    default:
      return statement.kind;
  }
}

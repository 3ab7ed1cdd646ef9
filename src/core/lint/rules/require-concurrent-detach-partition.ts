import { dropObjectNames, nameRange, relationName } from '../../sql/ast';
import { nodeOf, type PartitionCmd } from '../../sql/nodes';
import type { StatementContext, StatementRule } from '../rule';
import { alterTable, findWord, insertFix, qualified, outsideTransactionWayOut } from '../rule-helpers';
import { currentDefaultSchema, forEachEarlierStatement, qualify, sameName, type QualifiedName } from './support/earlier-in-file';

/** A DEFAULT partition of `parent` that an earlier statement of this file created or attached (and nothing detached or dropped since). */
function defaultPartitionInFile(context: StatementContext, parent: QualifiedName): string | undefined {
  let partition: QualifiedName | undefined;
  forEachEarlierStatement(context, (statement, schema) => {
    const ast = statement.ast;
    const create = nodeOf(ast, 'CreateStmt');
    if (create?.partbound?.is_default && sameName(qualify(relationName(nodeOf(create.inhRelations?.[0], 'RangeVar')), schema), parent)) {
      partition = qualify(relationName(create.relation), schema);
    }
    const alter = nodeOf(ast, 'AlterTableStmt');
    if (alter && sameName(qualify(relationName(alter.relation), schema), parent)) {
      for (const c of alter.cmds ?? []) {
        const cmd = nodeOf(c, 'AlterTableCmd');
        const partitionCmd = nodeOf(cmd?.def, 'PartitionCmd');
        const target = qualify(relationName(partitionCmd?.name), schema);
        if (cmd?.subtype === 'AT_AttachPartition' && partitionCmd?.bound?.is_default) partition = target;
        if ((cmd?.subtype === 'AT_DetachPartition' || cmd?.subtype === 'AT_DetachPartitionFinalize') && sameName(target, partition)) partition = undefined;
      }
    }
    const drop = nodeOf(ast, 'DropStmt');
    if (drop?.removeType === 'OBJECT_TABLE' && dropObjectNames(drop.objects).some((n) => sameName(qualify(n, schema), partition))) partition = undefined;
  });
  return partition && `${partition.schema}.${partition.name}`;
}

/** ALTER TABLE … DETACH PARTITION without CONCURRENTLY holds ACCESS EXCLUSIVE on the partitioned table. */
export const rule: StatementRule = {
  id: 'require-concurrent-detach-partition',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the partitioned table: every query on it waits.' },
  check(context) {
    const target = alterTable(context);
    const detach = target?.commands.find((c) => c.cmd.subtype === 'AT_DetachPartition');
    if (!target || !detach) return;
    const partitionCmd: PartitionCmd = nodeOf(detach.cmd.def, 'PartitionCmd') ?? {};
    const partition = relationName(partitionCmd.name);
    const parent = qualified(target.relation);
    const statement = context.statement;
    const defaultPartition = defaultPartitionInFile(context, qualify(target.relation, currentDefaultSchema(context))!);
    const moveOut = outsideTransactionWayOut(context, true);

    if (partitionCmd.concurrent) {
      const word = findWord(statement, ['CONCURRENTLY']);
      const at = word ? statement.rangeOf(word.start, word.end) : detach.range;
      if (context.inTransaction) {
        context.report({
          message: `DETACH PARTITION … CONCURRENTLY inside a transaction fails with "cannot run inside a transaction block", so this migration aborts. ${moveOut}`,
          severity: 'error',
          range: at,
        });
      } else if (defaultPartition) {
        context.report({
          message:
            `DETACH PARTITION … CONCURRENTLY fails with "cannot detach partitions concurrently when a default partition exists" (${defaultPartition}), so this migration aborts. ` +
            'Detach without CONCURRENTLY (with a short lock_timeout), or detach the default partition first.',
          range: at,
        });
      }
      return;
    }
    // A partitioned table created earlier in this file has no readers yet.
    if (!target.existing) return;
    const canConcurrently = context.postgresVersion >= 14 && !defaultPartition;
    const wayOut =
      context.postgresVersion < 14
        ? 'Postgres before 14 cannot detach concurrently: set a short lock_timeout and retry at a quiet time.'
        : defaultPartition
          ? `CONCURRENTLY would fail here, because ${parent} has a default partition (${defaultPartition}): set a short lock_timeout and retry at a quiet time.`
          : 'Use DETACH PARTITION … CONCURRENTLY (Postgres 14+; not when the table has a DEFAULT partition)' +
            (context.inTransaction ? `, which cannot run inside this migration's transaction. ${moveOut}` : '.');
    const end = partition?.location !== undefined ? nameRange(statement, partition.location).endOffset : undefined;
    context.report({
      message:
        `DETACH PARTITION ${partition ? qualified(partition) : ''} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on ${parent}: ` +
        `every query on ${parent}, and every INSERT and UPDATE on its other partitions, waits until it is done (and behind any long query it waits for). ${wayOut}`,
      range: detach.range,
      fix: canConcurrently && !context.inTransaction && end !== undefined ? insertFix(statement, 'Detach the partition CONCURRENTLY', end, ' CONCURRENTLY') : undefined,
    });
  },
};

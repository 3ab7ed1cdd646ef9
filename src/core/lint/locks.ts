import { dropObjectNames, relationName, type Node, type RelationName } from '../sql/ast';
import { nodeOf, type AlterTableCmd } from '../sql/nodes';
import type { Statement } from '../sql/statement';
import type { SchemaModel } from '../schema/model';

export type StrongLock = 'ACCESS EXCLUSIVE' | 'SHARE ROW EXCLUSIVE';

export interface LockTarget {
  relation: RelationName;
  lock: StrongLock;
}

/** ALTER TABLE subcommands that take less than SHARE ROW EXCLUSIVE (Postgres docs, ALTER TABLE "Notes"). */
const WEAK_ALTER = new Set([
  'AT_ValidateConstraint',
  'AT_SetStatistics',
  'AT_SetOptions',
  'AT_ResetOptions',
  'AT_ClusterOn',
  'AT_DropCluster',
  'AT_SetRelOptions',
  'AT_ResetRelOptions',
  'AT_AttachPartition',
  'AT_DetachPartitionFinalize',
]);

/** LOCK TABLE modes from SHARE ROW EXCLUSIVE (6) up. */
const LOCK_MODES: Record<number, StrongLock> = { 6: 'SHARE ROW EXCLUSIVE', 7: 'SHARE ROW EXCLUSIVE', 8: 'ACCESS EXCLUSIVE' };

/** Tables a statement locks in ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE mode (what queues every reader or writer behind it). */
export function strongLockTargets(statement: Statement, schema: SchemaModel, defaultSchema = 'public'): LockTarget[] {
  const ast = statement.ast;
  if (!ast) return [];
  const targets: LockTarget[] = [];
  const push = (rel: RelationName | undefined, lock: StrongLock): void => {
    if (rel) targets.push({ relation: rel, lock });
  };
  switch (statement.kind) {
    case 'AlterTableStmt': {
      const node = nodeOf(ast, 'AlterTableStmt');
      if (!node || (node.objtype && node.objtype !== 'OBJECT_TABLE')) break;
      const cmds = (node.cmds ?? []).map((c) => nodeOf(c, 'AlterTableCmd')).filter((c): c is AlterTableCmd => c !== undefined);
      const strong = cmds.filter((c) => !WEAK_ALTER.has(c.subtype) && !(c.subtype === 'AT_DetachPartition' && nodeOf(c.def, 'PartitionCmd')?.concurrent));
      if (strong.length === 0) break;
      const foreignKey = (n: Node | undefined) => {
        const con = nodeOf(n, 'Constraint');
        return con?.contype === 'CONSTR_FOREIGN' ? con : undefined;
      };
      const onlyForeignKeys = strong.every((c) => c.subtype === 'AT_AddConstraint' && foreignKey(c.def) !== undefined);
      push(relationName(node.relation), onlyForeignKeys ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      for (const c of strong) {
        const added = foreignKey(c.def);
        if (added) push(relationName(added.pktable), 'SHARE ROW EXCLUSIVE');
        for (const con of nodeOf(c.def, 'ColumnDef')?.constraints ?? []) {
          const fk = foreignKey(con);
          if (fk) push(relationName(fk.pktable), 'SHARE ROW EXCLUSIVE');
        }
      }
      break;
    }
    case 'CreateStmt':
      // A new table's foreign keys lock the referenced tables.
      for (const elt of nodeOf(ast, 'CreateStmt')?.tableElts ?? []) {
        const cons = nodeOf(elt, 'Constraint') ? [elt] : (nodeOf(elt, 'ColumnDef')?.constraints ?? []);
        for (const c of cons) {
          const con = nodeOf(c, 'Constraint');
          if (con?.contype === 'CONSTR_FOREIGN') push(relationName(con.pktable), 'SHARE ROW EXCLUSIVE');
        }
      }
      break;
    case 'RenameStmt': {
      const node = nodeOf(ast, 'RenameStmt');
      if (node && ['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT'].includes(node.renameType ?? '')) push(relationName(node.relation), 'ACCESS EXCLUSIVE');
      break;
    }
    case 'DropStmt': {
      const node = nodeOf(ast, 'DropStmt');
      if (!node) break;
      if (node.removeType === 'OBJECT_TABLE') for (const rel of dropObjectNames(node.objects)) push(rel, 'ACCESS EXCLUSIVE');
      else if (node.removeType === 'OBJECT_INDEX' && !node.concurrent) {
        for (const rel of dropObjectNames(node.objects)) {
          const table = tableOfIndex(schema, rel.schema ?? defaultSchema, rel.name);
          push(table ?? rel, 'ACCESS EXCLUSIVE');
        }
      }
      break;
    }
    case 'TruncateStmt':
      for (const r of nodeOf(ast, 'TruncateStmt')?.relations ?? []) push(relationName(nodeOf(r, 'RangeVar')), 'ACCESS EXCLUSIVE');
      break;
    case 'CreateTrigStmt':
      push(relationName(nodeOf(ast, 'CreateTrigStmt')?.relation), 'SHARE ROW EXCLUSIVE');
      break;
    case 'VacuumStmt': {
      const node = nodeOf(ast, 'VacuumStmt');
      if (node?.is_vacuumcmd && (node.options ?? []).some((o) => nodeOf(o, 'DefElem')?.defname === 'full')) {
        for (const r of node.rels ?? []) push(relationName(nodeOf(r, 'VacuumRelation')?.relation), 'ACCESS EXCLUSIVE');
      }
      break;
    }
    case 'ClusterStmt':
      push(relationName(nodeOf(ast, 'ClusterStmt')?.relation), 'ACCESS EXCLUSIVE');
      break;
    case 'LockStmt': {
      const node = nodeOf(ast, 'LockStmt');
      const lock = node?.mode === undefined ? undefined : LOCK_MODES[node.mode];
      if (lock) for (const r of node?.relations ?? []) push(relationName(nodeOf(r, 'RangeVar')), lock);
      break;
    }
    default:
      break;
  }
  return targets;
}

export function tableOfIndex(schema: SchemaModel, schemaName: string, indexName: string): RelationName | undefined {
  for (const table of schema.tables.values()) {
    if (table.schema === schemaName && table.indexes.some((i) => i.name === indexName)) return { schema: table.schema, name: table.name };
  }
  return undefined;
}

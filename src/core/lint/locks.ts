import { dropObjectNames, relationName, type Node, type RelationName } from '../sql/ast';
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
      const node = ast.AlterTableStmt;
      if (node.objtype && node.objtype !== 'OBJECT_TABLE') break;
      const cmds: Node[] = (node.cmds ?? []).map((c: Node) => c.AlterTableCmd).filter(Boolean);
      const strong = cmds.filter((c) => !WEAK_ALTER.has(c.subtype) && !(c.subtype === 'AT_DetachPartition' && c.def?.PartitionCmd?.concurrent));
      if (strong.length === 0) break;
      const onlyForeignKeys = strong.every((c) => c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.contype === 'CONSTR_FOREIGN');
      push(relationName(node.relation), onlyForeignKeys ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      for (const c of strong) {
        if (c.def?.Constraint?.contype === 'CONSTR_FOREIGN') push(relationName(c.def.Constraint.pktable), 'SHARE ROW EXCLUSIVE');
        for (const con of c.def?.ColumnDef?.constraints ?? []) {
          if (con.Constraint?.contype === 'CONSTR_FOREIGN') push(relationName(con.Constraint.pktable), 'SHARE ROW EXCLUSIVE');
        }
      }
      break;
    }
    case 'CreateStmt':
      // A new table's foreign keys lock the referenced tables.
      for (const elt of ast.CreateStmt.tableElts ?? []) {
        const cons: Node[] = elt.Constraint ? [elt] : (elt.ColumnDef?.constraints ?? []);
        for (const c of cons) if (c.Constraint?.contype === 'CONSTR_FOREIGN') push(relationName(c.Constraint.pktable), 'SHARE ROW EXCLUSIVE');
      }
      break;
    case 'RenameStmt': {
      const node = ast.RenameStmt;
      if (['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT'].includes(node.renameType)) push(relationName(node.relation), 'ACCESS EXCLUSIVE');
      break;
    }
    case 'DropStmt': {
      const node = ast.DropStmt;
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
      for (const r of ast.TruncateStmt.relations ?? []) push(relationName(r.RangeVar), 'ACCESS EXCLUSIVE');
      break;
    case 'CreateTrigStmt':
      push(relationName(ast.CreateTrigStmt.relation), 'SHARE ROW EXCLUSIVE');
      break;
    case 'VacuumStmt': {
      const node = ast.VacuumStmt;
      if (node.is_vacuumcmd && (node.options ?? []).some((o: Node) => o.DefElem?.defname === 'full')) {
        for (const r of node.rels ?? []) push(relationName(r.VacuumRelation?.relation), 'ACCESS EXCLUSIVE');
      }
      break;
    }
    case 'ClusterStmt':
      push(relationName(ast.ClusterStmt.relation), 'ACCESS EXCLUSIVE');
      break;
    case 'LockStmt': {
      const lock = LOCK_MODES[ast.LockStmt.mode as number];
      if (lock) for (const r of ast.LockStmt.relations ?? []) push(relationName(r.RangeVar), lock);
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

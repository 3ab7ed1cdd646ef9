import { dropObjectNames, relationName, type Node } from '../sql/ast';
import type { Statement } from '../sql/statement';

/**
 * What an up part created or renamed, so its down can be told apart: a down that drops the
 * table, column, index or constraint its own up added (or renames back what it renamed) only
 * undoes the migration, and is not reported as if it dropped production data.
 */
export interface UpCreations {
  /** `kind:schema.name`, names lower-cased (unquoted identifiers fold; quoted ones rarely differ by case only). */
  objects: Set<string>;
  /** `table.column` added by ALTER TABLE … ADD COLUMN (or in a table the up created). */
  columns: Set<string>;
  /** `table.constraint` added by ALTER TABLE … ADD CONSTRAINT. */
  constraints: Set<string>;
  /** Renames done by the up, as `kind:scope:from→to`: the down's reverse rename is an undo. */
  renames: Set<string>;
}

export function emptyCreations(): UpCreations {
  return { objects: new Set(), columns: new Set(), constraints: new Set(), renames: new Set() };
}

const lower = (s: string | undefined): string => (s ?? '').toLowerCase();
/** Unqualified names match any schema: migrations rarely qualify one side and not the other. */
const key = (kind: string, name: string): string => `${kind}:${lower(name)}`;

const DROP_KINDS: Record<string, string> = {
  OBJECT_TABLE: 'table',
  OBJECT_INDEX: 'index',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'view',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'type',
  OBJECT_SCHEMA: 'schema',
  OBJECT_EXTENSION: 'extension',
  OBJECT_TRIGGER: 'trigger',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'function',
};

/** Records what one statement of an up part creates. */
export function recordCreations(statement: Statement, into: UpCreations): void {
  const ast = statement.ast;
  if (!ast) return;
  switch (statement.kind) {
    case 'CreateStmt': {
      const rel = relationName(ast.CreateStmt.relation);
      if (rel) into.objects.add(key('table', rel.name));
      break;
    }
    case 'CreateTableAsStmt': {
      const rel = relationName(ast.CreateTableAsStmt.into?.rel);
      if (rel) into.objects.add(key(ast.CreateTableAsStmt.objtype === 'OBJECT_MATVIEW' ? 'view' : 'table', rel.name));
      break;
    }
    case 'ViewStmt': {
      const rel = relationName(ast.ViewStmt.view);
      if (rel) into.objects.add(key('view', rel.name));
      break;
    }
    case 'IndexStmt':
      if (ast.IndexStmt.idxname) into.objects.add(key('index', ast.IndexStmt.idxname));
      break;
    case 'CreateSeqStmt': {
      const rel = relationName(ast.CreateSeqStmt.sequence);
      if (rel) into.objects.add(key('sequence', rel.name));
      break;
    }
    case 'CreateEnumStmt':
    case 'CompositeTypeStmt':
    case 'CreateDomainStmt':
    case 'CreateRangeStmt': {
      const node = ast[statement.kind];
      const names = (node.typeName ?? node.domainname ?? []) as Node[];
      const last = names[names.length - 1]?.String?.sval ?? relationName(node.typevar)?.name;
      if (last) into.objects.add(key('type', last));
      break;
    }
    case 'CreateSchemaStmt':
      if (ast.CreateSchemaStmt.schemaname) into.objects.add(key('schema', ast.CreateSchemaStmt.schemaname));
      break;
    case 'CreateExtensionStmt':
      if (ast.CreateExtensionStmt.extname) into.objects.add(key('extension', ast.CreateExtensionStmt.extname));
      break;
    case 'CreateTrigStmt':
      if (ast.CreateTrigStmt.trigname) into.objects.add(key('trigger', ast.CreateTrigStmt.trigname));
      break;
    case 'AlterTableStmt': {
      const node = ast.AlterTableStmt;
      const rel = relationName(node.relation);
      if (!rel) break;
      for (const c of (node.cmds ?? []) as Node[]) {
        const cmd = c.AlterTableCmd;
        if (!cmd) continue;
        if (cmd.subtype === 'AT_AddColumn') {
          const col = cmd.def?.ColumnDef?.colname;
          if (col) into.columns.add(`${lower(rel.name)}.${lower(col)}`);
        } else if (cmd.subtype === 'AT_AddConstraint') {
          const name = cmd.def?.Constraint?.conname;
          if (name) into.constraints.add(`${lower(rel.name)}.${lower(name)}`);
          // ADD CONSTRAINT … UNIQUE/PRIMARY KEY creates an index of the same name.
          if (name) into.objects.add(key('index', name));
        }
      }
      break;
    }
    case 'RenameStmt': {
      const r = ast.RenameStmt;
      const rel = relationName(r.relation);
      if (r.renameType === 'OBJECT_COLUMN' && rel) into.renames.add(`column:${lower(rel.name)}:${lower(r.subname)}→${lower(r.newname)}`);
      else if ((r.renameType === 'OBJECT_TABLE' || r.renameType === 'OBJECT_INDEX' || r.renameType === 'OBJECT_VIEW') && rel) {
        into.renames.add(`rel::${lower(rel.name)}→${lower(r.newname)}`);
      }
      break;
    }
    default:
      break;
  }
}

/**
 * Whether a statement of a down part only undoes what its up created: drops of objects the
 * up created, ALTER TABLE dropping only columns/constraints the up added (or acting on a
 * table the up created), or a rename back.
 */
export function isUndoOf(statement: Statement, up: UpCreations): boolean {
  const ast = statement.ast;
  if (!ast) return false;
  switch (statement.kind) {
    case 'DropStmt': {
      const kind = DROP_KINDS[ast.DropStmt.removeType as string];
      if (!kind) return false;
      if (kind === 'trigger' || kind === 'function') return false;
      if (kind === 'schema' || kind === 'extension') {
        const names = ((ast.DropStmt.objects ?? []) as Node[]).map((o) => o?.String?.sval as string | undefined);
        return names.length > 0 && names.every((n) => n !== undefined && up.objects.has(key(kind, n)));
      }
      if (kind === 'type') {
        const names = ((ast.DropStmt.objects ?? []) as Node[]).map((o) => {
          const list = (o?.TypeName?.names ?? o?.List?.items ?? []) as Node[];
          return list[list.length - 1]?.String?.sval as string | undefined;
        });
        return names.length > 0 && names.every((n) => n !== undefined && up.objects.has(key('type', n)));
      }
      const names = dropObjectNames(ast.DropStmt.objects);
      return names.length > 0 && names.every((n) => up.objects.has(key(kind, n.name)) || (kind === 'view' && up.objects.has(key('table', n.name))));
    }
    case 'AlterTableStmt': {
      const node = ast.AlterTableStmt;
      const rel = relationName(node.relation);
      if (!rel) return false;
      const table = lower(rel.name);
      if (up.objects.has(key('table', table))) return true;
      const cmds = ((node.cmds ?? []) as Node[]).map((c) => c.AlterTableCmd).filter(Boolean);
      return (
        cmds.length > 0 &&
        cmds.every(
          (cmd) =>
            (cmd.subtype === 'AT_DropColumn' && up.columns.has(`${table}.${lower(cmd.name)}`)) ||
            (cmd.subtype === 'AT_DropConstraint' && up.constraints.has(`${table}.${lower(cmd.name)}`)),
        )
      );
    }
    case 'RenameStmt': {
      const r = ast.RenameStmt;
      const rel = relationName(r.relation);
      if (!rel) return false;
      if (r.renameType === 'OBJECT_COLUMN') return up.renames.has(`column:${lower(rel.name)}:${lower(r.newname)}→${lower(r.subname)}`);
      if (r.renameType === 'OBJECT_TABLE' || r.renameType === 'OBJECT_INDEX' || r.renameType === 'OBJECT_VIEW') {
        return up.renames.has(`rel::${lower(r.newname)}→${lower(rel.name)}`);
      }
      return false;
    }
    default:
      return false;
  }
}

/**
 * Whether every column and table a down statement drops is one its up created (an ALTER TABLE
 * of a down often drops the up's column and restores an old constraint in one statement): the
 * drop destroys nothing that was there before the deploy.
 */
export function dropsOnlyWhatUpCreated(statement: Statement, up: UpCreations): boolean {
  const ast = statement.ast;
  if (!ast) return false;
  if (statement.kind === 'DropStmt') return isUndoOf(statement, up);
  if (statement.kind !== 'AlterTableStmt') return false;
  const rel = relationName(ast.AlterTableStmt.relation);
  if (!rel) return false;
  const table = lower(rel.name);
  if (up.objects.has(key('table', table))) return true;
  const drops = ((ast.AlterTableStmt.cmds ?? []) as Node[]).map((c) => c.AlterTableCmd).filter((c) => c?.subtype === 'AT_DropColumn');
  return drops.length > 0 && drops.every((c) => up.columns.has(`${table}.${lower(c.name)}`));
}

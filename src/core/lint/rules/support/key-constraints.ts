import { relationName, stringList, type Node, type RelationName } from '../../../sql/ast';
import { nodeOf, type ColumnDef, type Constraint } from '../../../sql/nodes';

/** A key a statement declares: a primary key or unique constraint/index, or a foreign key. */
export interface KeyConstraint {
  table: RelationName;
  kind: 'key' | 'foreign';
  columns: string[];
  /** Foreign keys: the referenced table and columns (empty: its primary key). */
  refTable?: RelationName;
  refColumns?: string[];
}

/**
 * Primary keys, unique constraints and indexes, and foreign keys a CREATE TABLE, ALTER TABLE
 * (ADD COLUMN, ALTER COLUMN TYPE, ADD CONSTRAINT) or CREATE UNIQUE INDEX declares, column and
 * table constraints alike.
 */
export function keyConstraints(ast: Node | undefined): KeyConstraint[] {
  const out: KeyConstraint[] = [];
  const add = (table: RelationName | undefined, c: Constraint | undefined, column?: string): void => {
    if (!table || !c) return;
    if (c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE') {
      out.push({ table, kind: 'key', columns: column ? [column] : stringList(c.keys) });
    } else if (c.contype === 'CONSTR_FOREIGN') {
      const refTable = relationName(c.pktable);
      if (refTable) out.push({ table, kind: 'foreign', columns: column ? [column] : stringList(c.fk_attrs), refTable, refColumns: stringList(c.pk_attrs) });
    }
  };
  const fromColumn = (table: RelationName | undefined, def: ColumnDef | undefined): void => {
    for (const c of def?.constraints ?? []) add(table, nodeOf(c, 'Constraint'), def?.colname);
  };
  const create = nodeOf(ast, 'CreateStmt');
  const alter = nodeOf(ast, 'AlterTableStmt');
  const index = nodeOf(ast, 'IndexStmt');
  if (create) {
    const table = relationName(create.relation);
    for (const elt of create.tableElts ?? []) {
      const def = nodeOf(elt, 'ColumnDef');
      if (def) fromColumn(table, def);
      else add(table, nodeOf(elt, 'Constraint'));
    }
  } else if (alter) {
    const table = relationName(alter.relation);
    for (const cmd of alter.cmds ?? []) {
      const c = nodeOf(cmd, 'AlterTableCmd');
      const def = nodeOf(c?.def, 'ColumnDef');
      if (c?.subtype === 'AT_AddColumn' || c?.subtype === 'AT_AlterColumnType') fromColumn(table, def && { ...def, colname: def.colname ?? c.name });
      else if (c?.subtype === 'AT_AddConstraint') add(table, nodeOf(c.def, 'Constraint'));
    }
  } else if (index?.unique) {
    const table = relationName(index.relation);
    const columns = (index.indexParams ?? []).map((p) => nodeOf(p, 'IndexElem')?.name).filter((n): n is string => typeof n === 'string');
    if (table) out.push({ table, kind: 'key', columns });
  }
  return out;
}

/** The foreign keys among them. */
export function foreignKeysOf(ast: Node | undefined): Array<Required<KeyConstraint>> {
  return keyConstraints(ast).filter((k): k is Required<KeyConstraint> => k.kind === 'foreign');
}

/** The same table, when one side leaves the schema unqualified. */
export function sameTable(a: RelationName, b: RelationName): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

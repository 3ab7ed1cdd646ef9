import type { Report, Rule, StatementContext } from '../rule';
import { relationName, stringList, type Node, type RelationName } from '../../sql/ast';
import type { Statement } from '../../sql/statement';
import { columnDefinitions, type ColumnDefinition } from './support/column-definitions';
import { rule as preferUuidType } from './prefer-uuid-type';

/**
 * ban-char-field: `char(n)` / `character(n)` (blank-padded). The single-byte internal type
 * `"char"` is not reported, and neither is a fixed-length identifier, whose values fill the
 * width so that char(n) pads nothing (a DBA review of real projects: 549 of 554 findings were
 * ULIDs, hex ids, UUIDs and digests):
 * - a key column (PRIMARY KEY or UNIQUE), a foreign key column or a column a foreign key
 *   references, declared by this statement, a later one of the file, or the schema before it;
 * - a column named as an identifier or digest (`id`, `user_id`, `orgId`, `api_key`,
 *   `tokenhash`, `sha1`, …);
 * - the widths of ULID (26), hex md5/uuid (32), UUID (36), sha1 (40) and sha256 (64) text;
 * - a column prefer-uuid-type reports (a UUID generator default or a UUID CHECK): one finding
 *   for the column, that one.
 */
const ID_WIDTHS = new Set([26, 32, 36, 40, 64]);
/** Words of a column name that say identifier or digest. */
const ID_WORDS = new Set(['id', 'uuid', 'guid', 'ulid', 'hash', 'sha', 'digest', 'token', 'code', 'key']);
/** The same words as the end of a longer word (`orguuid`, `tokenhash`, `apikey`); `id` is left out (`valid`, `paid`). */
const ID_SUFFIXES = [...ID_WORDS].filter((w) => w.length > 2);

export function namesIdentifier(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean)
    // Plurals: `line_ids`, `api_keys`, `hashes`.
    .map((w) => (ID_WORDS.has(w.replace(/e?s$/, '')) ? w.replace(/e?s$/, '') : ID_WORDS.has(w.replace(/s$/, '')) ? w.replace(/s$/, '') : w));
  return words.some((w) => ID_WORDS.has(w) || ID_SUFFIXES.some((s) => w.endsWith(s)));
}

interface KeyConstraint {
  table: RelationName;
  kind: 'key' | 'foreign';
  columns: string[];
  /** Foreign keys: the referenced table and columns (empty: its primary key). */
  refTable?: RelationName;
  refColumns?: string[];
}

/** Primary keys, unique constraints and indexes, and foreign keys a statement declares. */
function keyConstraints(ast: Node | undefined): KeyConstraint[] {
  const out: KeyConstraint[] = [];
  const add = (table: RelationName | undefined, c: Node | undefined, column?: string): void => {
    if (!table || !c) return;
    if (c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE') {
      out.push({ table, kind: 'key', columns: column ? [column] : stringList(c.keys) });
    } else if (c.contype === 'CONSTR_FOREIGN') {
      const refTable = relationName(c.pktable);
      if (refTable) out.push({ table, kind: 'foreign', columns: column ? [column] : stringList(c.fk_attrs), refTable, refColumns: stringList(c.pk_attrs) });
    }
  };
  const fromColumn = (table: RelationName | undefined, def: Node | undefined): void => {
    for (const c of def?.constraints ?? []) add(table, c.Constraint, def?.colname);
  };
  if (ast?.CreateStmt) {
    const table = relationName(ast.CreateStmt.relation);
    for (const elt of ast.CreateStmt.tableElts ?? []) {
      if (elt.ColumnDef) fromColumn(table, elt.ColumnDef);
      else add(table, elt.Constraint);
    }
  } else if (ast?.AlterTableStmt) {
    const table = relationName(ast.AlterTableStmt.relation);
    for (const cmd of ast.AlterTableStmt.cmds ?? []) {
      const c = cmd.AlterTableCmd;
      if (c?.subtype === 'AT_AddColumn' || c?.subtype === 'AT_AlterColumnType') fromColumn(table, c.def?.ColumnDef && { ...c.def.ColumnDef, colname: c.def.ColumnDef.colname ?? c.name });
      else if (c?.subtype === 'AT_AddConstraint') add(table, c.def?.Constraint);
    }
  } else if (ast?.IndexStmt?.unique) {
    const table = relationName(ast.IndexStmt.relation);
    const columns = (ast.IndexStmt.indexParams ?? []).map((p: Node) => p.IndexElem?.name).filter((n: unknown): n is string => typeof n === 'string');
    if (table) out.push({ table, kind: 'key', columns });
  }
  return out;
}

function sameTable(a: RelationName, b: RelationName): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

/** The column is a key, a foreign key column or a foreign key's target: in this or a later statement of the file, or in the schema. */
function isKeyColumn(context: StatementContext, col: ColumnDefinition, statements: readonly Statement[]): boolean {
  if (col.primaryKey) return true;
  for (const statement of statements) {
    for (const k of keyConstraints(statement.ast)) {
      if (sameTable(k.table, col.table) && k.columns.includes(col.column)) return true;
      if (k.refTable && sameTable(k.refTable, col.table) && k.refColumns?.includes(col.column)) return true;
    }
  }
  const table = context.table(col.table);
  if (table) {
    if (table.primaryKey?.columns.includes(col.column)) return true;
    if (table.indexes.some((i) => i.unique && i.columns.includes(col.column))) return true;
    if (table.foreignKeys.some((f) => f.columns.includes(col.column))) return true;
    for (const other of context.schema.tables.values()) {
      for (const f of other.foreignKeys) {
        if (f.refSchema !== table.schema || f.refTable !== table.name) continue;
        const refColumns = f.refColumns.length ? f.refColumns : (table.primaryKey?.columns ?? []);
        if (refColumns.includes(col.column)) return true;
      }
    }
  }
  return false;
}

/** The columns of this statement prefer-uuid-type reports (by the start of their definition). */
function uuidReported(context: StatementContext): Set<number> {
  const starts = new Set<number>();
  const capture: StatementContext = Object.create(context, {
    report: { value: (r: Report) => starts.add(r.range.startOffset) },
    options: { value: {} },
  });
  if (preferUuidType.kind === 'statement') preferUuidType.check(capture);
  return starts;
}

export const rule: Rule = {
  id: 'ban-char-field',
  kind: 'statement',
  defaultSeverity: 'info',
  fixable: true,
  docs: {
    description: 'char(n) pads values with blanks: = ignores the padding, LIKE and clients see it.',
  },
  check(context) {
    let later: readonly Statement[] | undefined;
    let uuid: Set<number> | undefined;
    for (const col of columnDefinitions(context.statement, context.schema)) {
      const internalChar = col.typeNames.length === 1 && col.typeNames[0] === 'char';
      if (col.type !== 'char' || internalChar) continue;
      const n = col.typeModifiers[0] ?? 1;
      if (ID_WIDTHS.has(n) || namesIdentifier(col.column)) continue;
      later ??= context.statements.slice(context.statement.index);
      if (isKeyColumn(context, col, later)) continue;
      uuid ??= uuidReported(context);
      if (uuid.has(col.range.startOffset)) continue;
      context.report({
        message:
          `"${col.column}" is char(${n}): every value is blank-padded to ${n} characters, so clients read the padding back, ` +
          "LIKE sees the padding while = ignores it ('ab' = 'ab' but not LIKE 'ab'), and it is no faster than text; use text or varchar",
        range: col.range,
        fix: { title: `Use varchar(${n})`, edits: [{ range: col.typeRange, newText: `varchar(${n})` }] },
      });
    }
  },
};

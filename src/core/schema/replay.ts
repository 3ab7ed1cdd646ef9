import {
  constInt,
  dropObjectNames,
  firstLocation,
  identifierWords,
  nameRange,
  parenItems,
  relationName,
  spanText,
  stringList,
  tokenIndexAt,
  walk,
  walkNodesOf,
  type Node,
  type RelationName,
} from '../sql/ast';
import { alterCommandRange } from '../sql/alter-table';
import { scanTokens } from '../sql/tokens';
import type { Statement } from '../sql/statement';
import type { SourceRange, SourceRef } from '../types';
import {
  tableKey,
  type Column,
  type ForeignKey,
  type Index,
  type IndexKeyOptions,
  type MaterializedView,
  type PartitionKey,
  type Policy,
  type PolicyCommand,
  type RowSecurity,
  type SchemaModel,
  type Table,
} from './model';
import { canonicalFromNames, serialBaseType } from './type-names';
import { endSearchPathPart, followSearchPath, type SearchPathOptions, type SearchPathTransaction } from './search-path';

/**
 * Applies parsed DDL to a SchemaModel, statement by statement, as Postgres would. No
 * database: this is how the linter knows the schema a migration runs against. Statements
 * it does not model (DML, grants) leave the schema unchanged; DO blocks and functions are not
 * run, only noted where they may manage row-level security (Table.rowSecurityOpaque).
 */
export interface ReplayState {
  schema: SchemaModel;
  /** First schema of search_path: where unqualified names live (followed as search-path.ts says). */
  defaultSchema: string;
  /** The transaction open around the statements, when one changed search_path or was begun: what its end restores. */
  transaction?: SearchPathTransaction;
  /** Functions created so far whose body turns row-level security on or manages policies (lower-cased, unqualified). */
  rowSecurityHelpers: Set<string>;
  /** An event trigger runs such a function on DDL: every table created from then on may get RLS the model cannot see. */
  rowSecurityOnCreate: boolean;
}

/** What a statement did to tables, so the linter can tell tables created in this file from existing ones. */
export interface ReplayEffect {
  created: string[];
  dropped: string[];
  renamed: Array<[from: string, to: string]>;
}

export function createReplayState(schema: SchemaModel = { tables: new Map() }): ReplayState {
  return { schema, defaultSchema: 'public', rowSecurityHelpers: new Set(), rowSecurityOnCreate: false };
}

/** Replays whole files (already parsed) into a fresh model; each file is a part (see endPart). */
export function replayStatements(statements: Iterable<{ statement: Statement; file: string }>, state = createReplayState()): ReplayState {
  let last: string | undefined;
  for (const { statement, file } of statements) {
    if (last !== undefined && file !== last) endPart(state);
    last = file;
    applyStatement(state, statement, file);
  }
  endPart(state);
  return state;
}

/**
 * A part (a file, a changeset) was replayed whole: the runner's transaction around it, if any,
 * commits — a SET LOCAL search_path in it ends. Not between parts that run in one transaction
 * (drizzle-kit's every pending migration).
 */
export function endPart(state: ReplayState): void {
  endSearchPathPart(state);
}

/** What the replay is told about where the statement runs. */
export type ReplayOptions = SearchPathOptions;

export function resolveTable(state: ReplayState, rel: { schema?: string; name: string }): Table | undefined {
  return state.schema.tables.get(tableKey(rel.schema ?? state.defaultSchema, rel.name));
}

export function resolveMaterializedView(state: ReplayState, rel: { schema?: string; name: string }): MaterializedView | undefined {
  return state.schema.materializedViews?.get(tableKey(rel.schema ?? state.defaultSchema, rel.name));
}

export function applyStatement(state: ReplayState, statement: Statement, file: string, options?: ReplayOptions): ReplayEffect | undefined {
  const ast = statement.ast;
  if (!ast) return undefined;
  if (SEARCH_PATH_KINDS.has(statement.kind)) followSearchPath(state, statement, options);
  const effect: ReplayEffect = { created: [], dropped: [], renamed: [] };
  const r = new Replayer(state, statement, file, effect);
  if (state.rowSecurityHelpers.size > 0 && CALLING_KINDS.has(statement.kind)) r.callsRowSecurityHelper();
  switch (statement.kind) {
    case 'CreateStmt':
      r.createTable(ast.CreateStmt);
      break;
    case 'CreateTableAsStmt':
      r.createTableAs(ast.CreateTableAsStmt);
      break;
    case 'AlterTableStmt':
      r.alterTable(ast.AlterTableStmt);
      break;
    case 'IndexStmt':
      r.createIndex(ast.IndexStmt);
      break;
    case 'DropStmt':
      r.drop(ast.DropStmt);
      break;
    case 'RenameStmt':
      r.rename(ast.RenameStmt);
      break;
    case 'AlterObjectSchemaStmt':
      r.alterObjectSchema(ast.AlterObjectSchemaStmt);
      break;
    case 'VariableSetStmt':
      // search_path: followed above.
      break;
    case 'CreatePolicyStmt':
      r.createPolicy(ast.CreatePolicyStmt);
      break;
    case 'AlterPolicyStmt':
      r.alterPolicy(ast.AlterPolicyStmt);
      break;
    case 'RefreshMatViewStmt':
      r.refreshMatView(ast.RefreshMatViewStmt);
      break;
    case 'DoStmt':
      r.opaqueCode(definitionBody(ast.DoStmt.args));
      break;
    case 'CreateFunctionStmt':
      r.createFunction(ast.CreateFunctionStmt);
      break;
    case 'CreateEventTrigStmt':
      r.createEventTrigger(ast.CreateEventTrigStmt);
      break;
    case 'CommentStmt':
      r.comment(ast.CommentStmt);
      break;
    default:
      return undefined;
  }
  return effect;
}

/**
 * Code that turns row-level security on or manages policies: what a DO block or a function
 * body must say for the replay to stop trusting what it knows of a table's RLS.
 */
const ROW_SECURITY_CODE = /\brow\s+level\s+security\b|\b(?:create|alter|drop)\s+policy\b/i;

const ROW_SECURITY_SUBCOMMANDS = new Set(['AT_EnableRowSecurity', 'AT_DisableRowSecurity', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity']);

/** Statements that may change search_path (SET, set_config) or end the transaction a SET LOCAL lasts for. */
const SEARCH_PATH_KINDS = new Set(['VariableSetStmt', 'TransactionStmt', 'SelectStmt']);

/** Statements that run a function (not DROP/GRANT/COMMENT ON FUNCTION, which only name it). */
const CALLING_KINDS = new Set(['SelectStmt', 'CallStmt', 'DoStmt']);

/** The body of a DO block or a function: the `as` item of its options. */
function definitionBody(options: Node[] | undefined): string {
  for (const o of options ?? []) {
    const def: Node | undefined = o.DefElem;
    if (def?.defname !== 'as') continue;
    if (typeof def.arg?.String?.sval === 'string') return def.arg.String.sval;
    return stringList(def.arg?.List?.items).join('\n');
  }
  return '';
}


const constructRangeAt = (statement: Statement, location: number | undefined): SourceRange => statement.constructRange(location);

class Replayer {
  constructor(
    private readonly state: ReplayState,
    private readonly statement: Statement,
    private readonly file: string,
    private readonly effect: ReplayEffect,
  ) {}

  private get tables(): Map<string, Table> {
    return this.state.schema.tables;
  }

  private ref(range = this.statement.range): SourceRef {
    return { file: this.file, range, statementRange: this.statement.range };
  }

  /** The statement as the schema keeps it (see lazyRef). */
  private kept: Statement | undefined;

  /**
   * A SourceRef whose range is computed on first read: ranges need the statement's tokens, and
   * most are never shown. It keeps the statement without its AST, and only an AST location
   * (not nodes or this replayer): the schema outlives the file's syntax trees.
   */
  private lazyRef(location: number | undefined, measure: (statement: Statement, location: number | undefined) => SourceRange): SourceRef {
    const statement = (this.kept ??= this.statement.withoutAst());
    let range: SourceRange | undefined;
    return {
      file: this.file,
      statementRange: statement.range,
      get range() {
        range ??= measure(statement, location);
        return range;
      },
    };
  }

  private schemaOf(rel: { schema?: string }): string {
    return rel.schema ?? this.state.defaultSchema;
  }

  private table(rel: RelationName | undefined): Table | undefined {
    return rel ? resolveTable(this.state, rel) : undefined;
  }

  private get views(): Map<string, MaterializedView> {
    return (this.state.schema.materializedViews ??= new Map());
  }

  private get policies(): Map<string, Policy[]> {
    return (this.state.schema.policies ??= new Map());
  }

  private view(rel: RelationName | undefined): MaterializedView | undefined {
    return rel ? resolveMaterializedView(this.state, rel) : undefined;
  }

  createTable(node: Node): void {
    const rel = relationName(node.relation);
    if (!rel) return;
    const schema = this.schemaOf(rel);
    const key = tableKey(schema, rel.name);
    if (this.tables.has(key) && node.if_not_exists) return;
    this.forgetPolicies(key);
    const table: Table = {
      schema,
      name: rel.name,
      columns: [],
      indexes: [],
      foreignKeys: [],
      source: this.lazyRef(rel.location, nameRange),
    };
    if (node.relation?.relpersistence === 't') table.temporary = true;
    if (node.relation?.relpersistence === 'u') table.unlogged = true;
    if (node.partspec) {
      table.partitioned = true;
      const key = this.partitionKey(node.partspec);
      if (key) table.partitionKey = key;
    }
    if (this.state.rowSecurityOnCreate) table.rowSecurityOpaque = true;
    this.tables.set(key, table);
    this.effect.created.push(key);
    if (node.partbound) this.inheritPartitionKeys(table, node.inhRelations);
    for (const p of node.inhRelations ?? []) {
      const parent = this.table(relationName(p?.RangeVar));
      if (!parent) continue;
      childTables.set(parent, [...(childTables.get(parent) ?? []), table]);
      parentTables.set(table, [...(parentTables.get(table) ?? []), parent]);
      // INHERITS: the parents' columns come first, in order; a name two parents share is one column. The
      // column objects are shared, so the parent's later ALTER COLUMN reaches the child as it does in Postgres.
      if (!node.partbound) for (const c of parent.columns) if (!table.columns.some((own) => own.name === c.name)) table.columns.push(c);
    }
    const inherited = table.columns.length > 0;
    for (const elt of node.tableElts ?? []) {
      if (elt.ColumnDef) {
        // A local definition of an inherited column merges with it, in the inherited column's place.
        const before = inherited ? table.columns.find((c) => c.name === elt.ColumnDef.colname) : undefined;
        const local = this.addColumn(table, elt.ColumnDef);
        if (before && local) mergeInheritedColumn(local, before);
      } else if (elt.Constraint) this.addConstraint(table, elt.Constraint);
      else if (elt.TableLikeClause) {
        const source = this.table(relationName(elt.TableLikeClause.relation));
        // Merged, like a local definition, with a column of the same name already there (inherited).
        for (const c of source?.columns ?? []) if (!table.columns.some((own) => own.name === c.name)) table.columns.push({ ...c, source: c.source });
      }
    }
    // A key to the table itself may come before the primary key it takes (Postgres reads the whole statement first).
    for (const fk of table.foreignKeys) if (fk.refColumns.length === 0) this.referencePrimaryKey(fk);
  }

  /** PARTITION BY's strategy and key columns or expressions (their text as written). */
  private partitionKey(spec: Node): PartitionKey | undefined {
    const strategy = ({ PARTITION_STRATEGY_RANGE: 'range', PARTITION_STRATEGY_LIST: 'list', PARTITION_STRATEGY_HASH: 'hash' } as const)[
      spec.strategy as 'PARTITION_STRATEGY_RANGE'
    ];
    if (!strategy) return undefined;
    const base = this.statement.range.startOffset;
    const parts: PartitionKey['parts'] = [];
    for (const item of spec.partParams ?? []) {
      const elem: Node | undefined = item.PartitionElem;
      if (elem?.name) parts.push({ column: elem.name });
      else if (elem?.expr) {
        const range = this.statement.constructRange(firstLocation(elem.expr));
        const columns = new Set<string>();
        walk(elem.expr, (n, key) => {
          if (key !== 'ColumnRef') return;
          const fields = stringList(n.fields);
          if (fields.length > 0) columns.add(fields[fields.length - 1]);
        });
        parts.push({ expression: this.statement.text.slice(range.startOffset - base, range.endOffset - base).trim(), columns: [...columns] });
      }
    }
    return parts.length > 0 ? { strategy, parts } : undefined;
  }

  /** A partition gets its parent's columns, primary key and indexes, as Postgres creates them. */
  private inheritPartitionKeys(table: Table, parents: Node[] | undefined): void {
    const parent = this.table(relationName(parents?.[0]?.RangeVar));
    if (!parent) return;
    table.partitionOf = tableKey(parent.schema, parent.name);
    table.columns.push(...parent.columns);
    if (parent.primaryKey) table.primaryKey = { ...parent.primaryKey };
    table.indexes.push(...parent.indexes.map((i) => ({ ...i, schema: table.schema, table: table.name, name: `${table.name}_${i.name}` })));
  }

  createTableAs(node: Node): void {
    const rel = relationName(node.into?.rel);
    if (!rel) return;
    if (node.objtype === 'OBJECT_MATVIEW') {
      this.createMatView(node, rel);
      return;
    }
    const schema = this.schemaOf(rel);
    const key = tableKey(schema, rel.name);
    if (this.tables.has(key) && node.if_not_exists) return;
    this.forgetPolicies(key);
    const columns: Column[] = stringList(node.into?.colNames).map((name) => ({
      name,
      type: 'unknown',
      typeModifiers: [],
      isArray: false,
      notNull: false,
    }));
    this.tables.set(key, {
      schema,
      name: rel.name,
      columns,
      indexes: [],
      foreignKeys: [],
      ...(node.into?.rel?.relpersistence === 't' ? { temporary: true } : node.into?.rel?.relpersistence === 'u' ? { unlogged: true } : {}),
      source: this.lazyRef(rel.location, nameRange),
    });
    this.effect.created.push(key);
  }

  private createMatView(node: Node, rel: RelationName): void {
    const schema = this.schemaOf(rel);
    const key = tableKey(schema, rel.name);
    if (this.views.has(key) && node.if_not_exists) return;
    this.views.set(key, {
      schema,
      name: rel.name,
      columns: stringList(node.into?.colNames),
      indexes: [],
      populated: node.into?.skipData !== true,
      ...(node.if_not_exists && { maybeOlder: true }),
      source: this.lazyRef(rel.location, nameRange),
    });
  }

  refreshMatView(node: Node): void {
    const view = this.view(relationName(node.relation));
    if (view) view.populated = node.skipData !== true;
  }

  private addColumn(table: Table, def: Node): Column | undefined {
    if (typeof def.colname !== 'string') return undefined;
    const typeName: Node = def.typeName ?? {};
    const names = stringList(typeName.names);
    const serialBase = names.length === 1 ? serialBaseType(names[0]) : undefined;
    const column: Column = {
      name: def.colname,
      type: serialBase ?? canonicalFromNames(names),
      typeModifiers: (typeName.typmods ?? []).map((m: Node) => constInt(m)).filter((n: number | undefined): n is number => n !== undefined),
      isArray: Array.isArray(typeName.arrayBounds) && typeName.arrayBounds.length > 0,
      notNull: Boolean(def.is_not_null),
      source: this.lazyRef(def.location, constructRangeAt),
    };
    if (serialBase) {
      column.serial = true;
      column.notNull = true;
      column.default = `nextval('${table.name}_${def.colname}_seq'::regclass)`;
    }
    const existing = table.columns.findIndex((c) => c.name === column.name);
    if (existing >= 0) table.columns[existing] = column;
    else table.columns.push(column);
    for (const c of def.constraints ?? []) {
      const con: Node | undefined = c.Constraint;
      if (!con) continue;
      switch (con.contype) {
        case 'CONSTR_NOTNULL':
          column.notNull = true;
          break;
        case 'CONSTR_NULL':
          column.notNull = false;
          break;
        case 'CONSTR_DEFAULT':
          lazyDefault(column, () => this.defaultText(con, def));
          break;
        case 'CONSTR_IDENTITY':
          column.identity = con.generated_when === 'a' ? 'always' : 'by default';
          column.notNull = true;
          break;
        default:
          this.addConstraint(table, con, column.name);
      }
    }
    return column;
  }

  /** SQL text of a column DEFAULT: from after the DEFAULT keyword to the next constraint or the end of the column. */
  private defaultText(con: Node, def: Node): string | undefined {
    const start = this.statement.offsetOf(con.location);
    const columnEnd = this.statement.constructRange(def.location).endOffset;
    let end = columnEnd;
    for (const other of def.constraints ?? []) {
      const loc = other.Constraint?.location;
      if (loc === undefined) continue;
      const off = this.statement.offsetOf(loc);
      if (off > start && off < end) end = off;
    }
    const base = this.statement.range.startOffset;
    const text = this.statement.text.slice(start - base, end - base).trim();
    return text.replace(/^default\s+/i, '').trim() || undefined;
  }

  private addConstraint(table: Table, con: Node, columnName?: string): void {
    const source = this.lazyRef(con.location, constructRangeAt);
    const columnsOr = (list: Node[] | undefined): string[] => {
      const cols = stringList(list);
      return cols.length ? cols : columnName ? [columnName] : [];
    };
    switch (con.contype) {
      case 'CONSTR_PRIMARY': {
        const indexName: string | undefined = con.indexname;
        if (indexName) {
          this.promoteIndex(table, indexName, con.conname, true);
          return;
        }
        const columns = columnsOr(con.keys);
        const name = con.conname ?? `${table.name}_pkey`;
        table.primaryKey = { name, columns, source };
        for (const col of table.columns) if (columns.includes(col.name)) col.notNull = true;
        table.indexes.push(this.constraintIndex(table, name, columns, stringList(con.including), true, source));
        return;
      }
      case 'CONSTR_UNIQUE': {
        if (con.indexname) {
          this.promoteIndex(table, con.indexname, con.conname, false);
          return;
        }
        const columns = columnsOr(con.keys);
        const name = con.conname ?? `${table.name}_${columns.join('_')}_key`;
        table.indexes.push(this.constraintIndex(table, name, columns, stringList(con.including), false, source));
        return;
      }
      case 'CONSTR_FOREIGN': {
        const ref = relationName(con.pktable);
        if (!ref) return;
        const columns = columnsOr(con.fk_attrs);
        const fk: ForeignKey = {
          name: con.conname ?? `${table.name}_${columns.join('_')}_fkey`,
          schema: table.schema,
          table: table.name,
          columns,
          refSchema: this.schemaOf(ref),
          refTable: ref.name,
          refColumns: stringList(con.pk_attrs),
          source,
        };
        // `REFERENCES t` without columns: Postgres takes t's primary key, as it is when the key is made.
        if (fk.refColumns.length === 0) this.referencePrimaryKey(fk);
        // 'n' SET NULL, 'd' SET DEFAULT (the default is usually NULL): the key is emptied by design.
        if (con.fk_del_action === 'n' || con.fk_del_action === 'd') fk.onDeleteSetNull = true;
        table.foreignKeys.push(fk);
        return;
      }
      case 'CONSTR_CHECK': {
        // Postgres names an unnamed CHECK after its column when it uses exactly one, else `<table>_check`.
        const used = referencedColumns(con.raw_expr);
        const name: string = con.conname ?? (used.length === 1 ? `${table.name}_${used[0]}_check` : `${table.name}_check`);
        const tested = nullTestedColumns(con.raw_expr);
        if (tested.length) (table.nullTests ??= []).push({ name, columns: tested });
        const columns = notNullColumns(con.raw_expr, table.name);
        if (columns.length === 0) return;
        for (const column of columns) (table.notNullChecks ??= []).push({ name, column, valid: !con.skip_validation });
        return;
      }
      default:
        return;
    }
  }

  /** Fills the referenced columns of a key written without them from its target's primary key (none while the target is unknown or has no key). */
  private referencePrimaryKey(fk: ForeignKey): void {
    const target = this.tables.get(tableKey(fk.refSchema, fk.refTable));
    if (target?.primaryKey) fk.refColumns = [...target.primaryKey.columns];
  }

  private constraintIndex(table: Table, name: string, columns: string[], include: string[], primary: boolean, source: SourceRef): Index {
    return {
      name,
      schema: table.schema,
      table: table.name,
      columns,
      include,
      unique: true,
      primary,
      constraint: true,
      method: 'btree',
      valid: true,
      source,
    };
  }

  /** `ADD CONSTRAINT … UNIQUE/PRIMARY KEY USING INDEX i`: the index becomes the constraint's. */
  private promoteIndex(table: Table, indexName: string, conname: string | undefined, primary: boolean): void {
    const index = table.indexes.find((i) => i.name === indexName);
    if (!index) return;
    index.constraint = true;
    index.unique = true;
    index.primary = primary;
    if (conname) index.name = conname;
    if (primary) {
      table.primaryKey = { name: index.name, columns: [...index.columns], source: index.source };
      for (const col of table.columns) if (index.columns.includes(col.name)) col.notNull = true;
    }
  }

  alterTable(node: Node): void {
    if (node.objtype && node.objtype !== 'OBJECT_TABLE') return;
    const rel = relationName(node.relation);
    const table = this.table(rel);
    if (!table) {
      if (rel) this.rowSecurityOutside(rel, node.cmds ?? []);
      return;
    }
    (node.cmds ?? []).forEach((item: Node, index: number) => {
      const cmd: Node | undefined = item.AlterTableCmd;
      if (!cmd) return;
      const found = typeof cmd.name === 'string' ? table.columns.find((c) => c.name === cmd.name) : undefined;
      const column = found && COLUMN_CHANGES.has(cmd.subtype) ? ownColumn(table, found, node.relation?.inh !== true) : found;
      switch (cmd.subtype) {
        case 'AT_AttachPartition':
        case 'AT_DetachPartition': {
          const part = this.table(relationName(cmd.def?.PartitionCmd?.name));
          if (!part || part === table) break;
          if (cmd.subtype === 'AT_AttachPartition') part.partitionOf = tableKey(table.schema, table.name);
          else if (part.partitionOf === tableKey(table.schema, table.name)) delete part.partitionOf;
          // Linked like a child: the parent's later ADD / DROP COLUMN reach it.
          const siblings = (childTables.get(table) ?? []).filter((c) => c !== part);
          childTables.set(table, cmd.subtype === 'AT_AttachPartition' ? [...siblings, part] : siblings);
          const parents = (parentTables.get(part) ?? []).filter((p) => p !== table);
          parentTables.set(part, cmd.subtype === 'AT_AttachPartition' ? [...parents, table] : parents);
          break;
        }
        case 'AT_AddColumn':
          if (cmd.def?.ColumnDef && !(cmd.missing_ok && table.columns.some((c) => c.name === cmd.def.ColumnDef.colname))) {
            const added = this.addColumn(table, cmd.def.ColumnDef);
            // Postgres adds it to every partition and inheritance child too (unless ONLY, which it refuses for a new column).
            if (added) addToChildren(table, added, new Set([table]));
          }
          break;
        case 'AT_DropColumn':
          if (column) {
            this.dropColumn(table, column.name);
            // Children drop it too where it is only inherited (the very column object), unless ONLY.
            if (node.relation?.inh === true) this.dropFromChildren(table, column, new Set([table]));
          }
          break;
        case 'AT_AddInherit':
        case 'AT_DropInherit': {
          // The child must already have the parent's columns (INHERIT) and keeps them (NO INHERIT): only the link changes.
          const parent = this.table(relationName(cmd.def?.RangeVar));
          if (!parent || parent === table) break;
          const children = (childTables.get(parent) ?? []).filter((c) => c !== table);
          childTables.set(parent, cmd.subtype === 'AT_AddInherit' ? [...children, table] : children);
          const parents = (parentTables.get(table) ?? []).filter((p) => p !== parent);
          parentTables.set(table, cmd.subtype === 'AT_AddInherit' ? [...parents, parent] : parents);
          // What it inherited is its own from now on: the old parent's later changes no longer reach it.
          if (cmd.subtype === 'AT_DropInherit') for (const c of table.columns) if (parent.columns.includes(c)) detachColumn(table, c);
          break;
        }
        case 'AT_AlterColumnType':
          if (column && cmd.def?.ColumnDef?.typeName) {
            const typeName: Node = cmd.def.ColumnDef.typeName;
            column.type = canonicalFromNames(stringList(typeName.names));
            column.typeModifiers = (typeName.typmods ?? []).map((m: Node) => constInt(m)).filter((n: number | undefined): n is number => n !== undefined);
            column.isArray = Array.isArray(typeName.arrayBounds) && typeName.arrayBounds.length > 0;
          }
          break;
        case 'AT_SetNotNull':
          if (column) column.notNull = true;
          break;
        case 'AT_DropNotNull':
          if (column) column.notNull = false;
          break;
        case 'AT_ColumnDefault':
          if (column) {
            if (cmd.def) {
              const range = this.statement.constructRange(firstLocation(cmd.def));
              const base = this.statement.range.startOffset;
              column.default = this.statement.text.slice(range.startOffset - base, range.endOffset - base).trim();
            } else delete column.default;
          }
          break;
        case 'AT_AddIdentity':
          if (column) {
            column.identity = cmd.def?.Constraint?.generated_when === 'a' ? 'always' : 'by default';
            column.notNull = true;
          }
          break;
        case 'AT_DropIdentity':
          if (column) delete column.identity;
          break;
        case 'AT_AddConstraint':
          if (cmd.def?.Constraint) this.addConstraint(table, cmd.def.Constraint);
          break;
        case 'AT_DropConstraint':
          this.dropConstraint(table, cmd.name);
          break;
        case 'AT_ValidateConstraint':
          for (const check of table.notNullChecks ?? []) if (check.name === cmd.name) check.valid = true;
          break;
        case 'AT_SetUnLogged':
          table.unlogged = true;
          break;
        case 'AT_SetLogged':
          delete table.unlogged;
          break;
        case 'AT_EnableRowSecurity':
        case 'AT_DisableRowSecurity':
        case 'AT_ForceRowSecurity':
        case 'AT_NoForceRowSecurity':
          table.rowSecurity = this.rowSecurityAfter(table.rowSecurity, cmd.subtype, index);
          break;
        default:
          break;
      }
    });
  }

  private rowSecurityAfter(before: RowSecurity | undefined, subtype: string, index: number): RowSecurity | undefined {
    if (subtype === 'AT_ForceRowSecurity' || subtype === 'AT_NoForceRowSecurity') {
      const after: RowSecurity = { enabled: false, ...before, forced: subtype === 'AT_ForceRowSecurity' };
      if (subtype === 'AT_NoForceRowSecurity') after.forceTurnedOff = true;
      else delete after.forceTurnedOff;
      return after;
    }
    const enabled = subtype === 'AT_EnableRowSecurity';
    // The statement that turned it on (or off) is where a finding about it belongs: one that changes nothing
    // (enabling twice, drizzle-kit's DISABLE on a table that never had RLS) is not.
    if ((before?.enabled ?? false) === enabled) return before;
    return { enabled, forced: before?.forced ?? false, ...(before?.forceTurnedOff && { forceTurnedOff: true }), source: this.ref(alterCommandRange(this.statement, index)) };
  }

  /** RLS switched on a table the model does not know: kept apart, like policies on such tables. */
  private rowSecurityOutside(rel: RelationName, cmds: Node[]): void {
    const key = tableKey(this.schemaOf(rel), rel.name);
    cmds.forEach((item: Node, index: number) => {
      const subtype: string | undefined = item.AlterTableCmd?.subtype;
      if (!subtype || !ROW_SECURITY_SUBCOMMANDS.has(subtype)) return;
      const outside = (this.state.schema.rowSecurityOutside ??= new Map());
      const after = this.rowSecurityAfter(outside.get(key), subtype, index);
      if (after) outside.set(key, after);
    });
  }

  /**
   * What goes with dropped tables when the DROP succeeds: their partitions and INHERITS children
   * (with CASCADE; without it Postgres refuses), and every foreign key that references them
   * (dropped with CASCADE; without it Postgres refuses).
   */
  private dropDependents(gone: Table[]): void {
    const dropped = new Set<Table>();
    const visit = (t: Table): void => {
      if (dropped.has(t)) return;
      dropped.add(t);
      for (const child of childTables.get(t) ?? []) {
        const key = tableKey(child.schema, child.name);
        if (this.tables.get(key) === child) {
          this.tables.delete(key);
          this.effect.dropped.push(key);
          this.state.schema.policies?.delete(key);
        }
        visit(child);
      }
    };
    gone.forEach(visit);
    const keys = new Set([...dropped].map((t) => tableKey(t.schema, t.name)));
    for (const table of this.tables.values()) {
      if (table.foreignKeys.some((f) => keys.has(tableKey(f.refSchema, f.refTable)))) table.foreignKeys = table.foreignKeys.filter((f) => !keys.has(tableKey(f.refSchema, f.refTable)));
      const parents = parentTables.get(table);
      if (parents?.some((p) => dropped.has(p))) parentTables.set(table, parents.filter((p) => !dropped.has(p)));
    }
  }

  private dropFromChildren(parent: Table, column: Column, seen: Set<Table>): void {
    for (const child of childTables.get(parent) ?? []) {
      // A column another parent also gives the child stays (Postgres merged the two).
      if ((parentTables.get(child) ?? []).some((p) => p !== parent && p.columns.some((c) => c.name === column.name))) continue;
      // A partition has no column of its own: it goes whatever object the partition holds.
      const partition = child.partitionOf === tableKey(parent.schema, parent.name);
      if (seen.has(child) || !(child.columns.includes(column) || (partition && child.columns.some((c) => c.name === column.name)))) continue;
      seen.add(child);
      this.dropColumn(child, column.name);
      this.dropFromChildren(child, column, seen);
    }
  }

  private dropColumn(table: Table, name: string): void {
    table.columns = table.columns.filter((c) => c.name !== name);
    // Postgres drops the indexes and constraints that use the column with it.
    table.indexes = table.indexes.filter((i) => !i.columns.includes(name) && !i.include.includes(name));
    table.foreignKeys = table.foreignKeys.filter((f) => !f.columns.includes(name));
    if (table.primaryKey?.columns.includes(name)) table.primaryKey = undefined;
    if (table.notNullChecks) {
      // A CHECK over several columns (`a IS NOT NULL AND b IS NOT NULL`) goes as a whole.
      const gone = new Set(table.notNullChecks.filter((c) => c.column === name).map((c) => c.name));
      table.notNullChecks = table.notNullChecks.filter((c) => !gone.has(c.name));
    }
    if (table.nullTests) table.nullTests = table.nullTests.filter((c) => !c.columns.includes(name));
  }

  private dropConstraint(table: Table, name: string | undefined): void {
    if (!name) return;
    table.foreignKeys = table.foreignKeys.filter((f) => f.name !== name);
    table.indexes = table.indexes.filter((i) => !(i.constraint && i.name === name));
    if (table.primaryKey?.name === name) table.primaryKey = undefined;
    if (table.notNullChecks) table.notNullChecks = table.notNullChecks.filter((c) => c.name !== name);
    if (table.nullTests) table.nullTests = table.nullTests.filter((c) => c.name !== name);
  }

  createIndex(node: Node): void {
    const rel = relationName(node.relation);
    const table: IndexOwner | undefined = this.table(rel) ?? this.view(rel);
    if (!table) return;
    const name: string = node.idxname ?? this.defaultIndexName(table, node);
    if (node.if_not_exists && this.findIndex(table.schema, name)) return;
    const { columns, where } = this.indexText(node);
    table.indexes.push({
      name,
      schema: table.schema,
      table: table.name,
      columns,
      include: (node.indexIncludingParams ?? []).map((p: Node) => p.IndexElem?.name).filter(Boolean),
      unique: Boolean(node.unique),
      primary: Boolean(node.primary),
      constraint: false,
      method: node.accessMethod ?? 'btree',
      where,
      valid: true,
      ...indexKeyOptions(node.indexParams ?? []),
      source: this.ref(),
    });
  }

  private defaultIndexName(table: IndexOwner, node: Node): string {
    const cols = (node.indexParams ?? []).map((p: Node) => p.IndexElem?.name ?? 'expr');
    return `${table.name}_${cols.join('_')}_idx`;
  }

  /** Key columns (expressions as their SQL in parentheses) and the partial-index predicate, read from the text. */
  private indexText(node: Node): { columns: string[]; where?: string } {
    const params: Node[] = node.indexParams ?? [];
    if (!node.whereClause && params.every((p) => typeof p.IndexElem?.name === 'string')) {
      return { columns: params.map((p) => p.IndexElem.name as string) };
    }
    const tokens = this.statement.tokens();
    let open = tokenIndexAt(tokens, this.statement.offsetOf(node.relation?.location));
    while (open < tokens.length && tokens[open].text !== '(') open++;
    const { items, close } = parenItems(tokens, open);
    const columns = params.map((p, i) => {
      const elem: Node = p.IndexElem ?? {};
      if (typeof elem.name === 'string') return elem.name;
      const item = items[i];
      if (!item) return '(expression)';
      const text = spanText(this.statement, item[0], expressionEnd(tokens, item[0], item[1]));
      return text.startsWith('(') ? text : `(${text})`;
    });
    let where: string | undefined;
    if (node.whereClause) {
      const w = tokens.findIndex((t, i) => i > close && t.word === 'WHERE');
      if (w >= 0 && w + 1 < tokens.length) where = spanText(this.statement, w + 1, lastCodeToken(tokens) + 1);
    }
    return { columns, where };
  }

  /** An index by name in a schema, on a table or a materialized view. */
  private findIndex(schema: string, name: string): { table: IndexOwner; index: Index } | undefined {
    for (const owners of [this.tables.values(), this.state.schema.materializedViews?.values() ?? []]) {
      for (const table of owners) {
        if (table.schema !== schema) continue;
        const index = table.indexes.find((i) => i.name === name);
        if (index) return { table, index };
      }
    }
    return undefined;
  }

  drop(node: Node): void {
    const names = dropObjectNames(node.objects);
    if (node.removeType === 'OBJECT_TABLE') {
      const gone: Table[] = [];
      for (const n of names) {
        const key = tableKey(this.schemaOf(n), n.name);
        const table = this.tables.get(key);
        if (table) gone.push(table);
        if (this.tables.delete(key)) this.effect.dropped.push(key);
        this.state.schema.policies?.delete(key);
      }
      if (gone.length > 0) this.dropDependents(gone);
    } else if (node.removeType === 'OBJECT_MATVIEW') {
      for (const n of names) this.state.schema.materializedViews?.delete(tableKey(this.schemaOf(n), n.name));
    } else if (node.removeType === 'OBJECT_POLICY') {
      for (const o of node.objects ?? []) {
        // [schema,] table, policy
        const parts = stringList(o?.List?.items);
        if (parts.length < 2) continue;
        const key = tableKey(parts.length >= 3 ? parts[parts.length - 3] : this.state.defaultSchema, parts[parts.length - 2]);
        const list = this.state.schema.policies?.get(key);
        if (list) this.setPolicies(key, list.filter((p) => p.name !== parts[parts.length - 1]));
      }
    } else if (node.removeType === 'OBJECT_INDEX') {
      for (const n of names) {
        const found = this.findIndex(this.schemaOf(n), n.name);
        if (found) found.table.indexes = found.table.indexes.filter((i) => i !== found.index);
      }
    }
  }

  rename(node: Node): void {
    const rel = relationName(node.relation);
    const newName: string | undefined = node.newname;
    if (!newName) return;
    switch (node.renameType) {
      case 'OBJECT_MATVIEW':
        this.renameView(rel, newName);
        return;
      case 'OBJECT_POLICY': {
        if (!rel) return;
        const key = tableKey(this.schemaOf(rel), rel.name);
        const policy = this.state.schema.policies?.get(key)?.find((p) => p.name === node.subname);
        if (policy) policy.name = newName;
        return;
      }
      case 'OBJECT_TABLE': {
        const table = this.table(rel);
        // ALTER TABLE … RENAME TO works on a materialized view too.
        if (!table) return this.renameView(rel, newName);
        this.moveTable(table, table.schema, newName);
        return;
      }
      case 'OBJECT_SCHEMA':
        if (typeof node.subname === 'string') this.renameSchema(node.subname, newName);
        return;
      case 'OBJECT_COLUMN': {
        const table = this.table(rel);
        const oldName: string | undefined = node.subname;
        const view = table ? undefined : this.view(rel);
        if (view && oldName) {
          const swap = (list: string[]): string[] => list.map((c) => (c === oldName ? newName : c));
          view.columns = swap(view.columns);
          for (const i of view.indexes) { i.columns = swap(i.columns); i.include = swap(i.include); }
          return;
        }
        const column = table?.columns.find((c) => c.name === oldName);
        if (!table || !column || !oldName) return;
        column.name = newName;
        const swap = (list: string[]): string[] => list.map((c) => (c === oldName ? newName : c));
        for (const i of table.indexes) { i.columns = swap(i.columns); i.include = swap(i.include); }
        for (const f of table.foreignKeys) f.columns = swap(f.columns);
        if (table.primaryKey) table.primaryKey.columns = swap(table.primaryKey.columns);
        for (const check of table.notNullChecks ?? []) if (check.column === oldName) check.column = newName;
        for (const test of table.nullTests ?? []) test.columns = swap(test.columns);
        this.renamePartitionKeyColumn(tableKey(table.schema, table.name), oldName, newName);
        for (const other of this.tables.values()) {
          for (const f of other.foreignKeys) {
            if (f.refSchema === table.schema && f.refTable === table.name) f.refColumns = swap(f.refColumns);
          }
        }
        return;
      }
      case 'OBJECT_INDEX': {
        if (!rel) return;
        const found = this.findIndex(this.schemaOf(rel), rel.name);
        if (found) found.index.name = newName;
        return;
      }
      case 'OBJECT_TABCONSTRAINT': {
        const table = this.table(rel);
        if (!table) return;
        const old: string | undefined = node.subname;
        for (const i of table.indexes) if (i.constraint && i.name === old) i.name = newName;
        for (const f of table.foreignKeys) if (f.name === old) f.name = newName;
        const pk = table.primaryKey;
        if (pk && pk.name === old) pk.name = newName;
        for (const check of table.notNullChecks ?? []) if (check.name === old) check.name = newName;
        return;
      }
      default:
        return;
    }
  }

  /**
   * RENAME COLUMN on a partitioned table renames it in every partition too: a key column follows
   * in the table's key and its sub-partitions' keys; a key expression reading it is written with
   * the old name, so that key is no longer known (the rules that need it leave the table alone).
   */
  private renamePartitionKeyColumn(key: string, oldName: string, newName: string): void {
    const seen = new Set<string>();
    const visit = (k: string): void => {
      if (seen.has(k)) return;
      seen.add(k);
      const table = this.tables.get(k);
      const partKey = table?.partitionKey;
      if (table && partKey) {
        if (partKey.parts.some((p) => 'expression' in p && p.columns.includes(oldName))) table.partitionKey = undefined;
        else partKey.parts = partKey.parts.map((p) => ('column' in p && p.column === oldName ? { column: newName } : p));
      }
      for (const [childKey, child] of this.tables) if (child.partitionOf === k) visit(childKey);
    };
    visit(key);
  }

  /**
   * A table gets another name or schema (RENAME TO, SET SCHEMA, its schema renamed): its indexes,
   * keys and policies go with it, and every key that references it follows.
   */
  private moveTable(table: Table, schema: string, name: string): void {
    const from = tableKey(table.schema, table.name);
    const to = tableKey(schema, name);
    // The name taken by another table or view: Postgres refuses the move ("already exists").
    if (from === to || this.tables.has(to) || this.views.has(to)) return;
    this.tables.delete(from);
    const policies = this.state.schema.policies?.get(from);
    if (policies) {
      this.policies.delete(from);
      for (const p of policies) { p.schema = schema; p.table = name; }
      this.policies.set(to, policies);
    }
    const [oldSchema, oldName] = [table.schema, table.name];
    table.schema = schema;
    table.name = name;
    for (const i of table.indexes) { i.schema = schema; i.table = name; }
    for (const f of table.foreignKeys) { f.schema = schema; f.table = name; }
    for (const other of [...this.tables.values(), table]) {
      for (const f of other.foreignKeys) if (f.refSchema === oldSchema && f.refTable === oldName) { f.refSchema = schema; f.refTable = name; }
      if (other.partitionOf === from) other.partitionOf = to;
    }
    this.tables.set(to, table);
    this.effect.renamed.push([from, to]);
  }

  /** ALTER TABLE / MATERIALIZED VIEW … SET SCHEMA (types, sequences and views are not modelled). */
  alterObjectSchema(node: Node): void {
    const rel = relationName(node.relation);
    const schema: string | undefined = node.newschema;
    if (!rel || !schema) return;
    if (node.objectType === 'OBJECT_TABLE') {
      const table = this.table(rel);
      if (table) return this.moveTable(table, schema, table.name);
      // ALTER TABLE … SET SCHEMA works on a materialized view too.
    } else if (node.objectType !== 'OBJECT_MATVIEW') return;
    const view = this.view(rel);
    if (view) this.moveView(view, schema, view.name);
  }

  /** ALTER SCHEMA a RENAME TO b: every object of a is in b, and keys that referenced them follow. */
  private renameSchema(from: string, to: string): void {
    for (const table of [...this.tables.values()]) if (table.schema === from) this.moveTable(table, to, table.name);
    for (const view of [...this.views.values()]) if (view.schema === from) this.moveView(view, to, view.name);
    // Keys to tables of the schema the model does not know, policies and RLS on such tables.
    for (const table of this.tables.values()) for (const f of table.foreignKeys) if (f.refSchema === from) f.refSchema = to;
    const rekey = <T>(map: Map<string, T> | undefined, each?: (value: T) => void): void => {
      if (!map) return;
      for (const [key, value] of [...map]) {
        if (!key.startsWith(`${from}.`)) continue;
        map.delete(key);
        map.set(`${to}.${key.slice(from.length + 1)}`, value);
        each?.(value);
      }
    };
    rekey(this.state.schema.policies, (list) => list.forEach((p) => (p.schema = to)));
    rekey(this.state.schema.rowSecurityOutside);
  }

  private moveView(view: MaterializedView, schema: string, name: string): void {
    const to = tableKey(schema, name);
    if (this.views.get(to) === view) return;
    if (this.views.has(to) || this.tables.has(to)) return;
    this.views.delete(tableKey(view.schema, view.name));
    view.schema = schema;
    view.name = name;
    for (const i of view.indexes) { i.schema = schema; i.table = name; }
    this.views.set(tableKey(schema, name), view);
  }

  private renameView(rel: RelationName | undefined, newName: string): void {
    const view = this.view(rel);
    if (view) this.moveView(view, view.schema, newName);
  }

  /**
   * A new table has no policies and no RLS: any the model still holds under its name belonged to
   * an older table that went in a way the replay does not follow (DROP … CASCADE of its parent, a
   * DO block, a table made outside the migrations).
   */
  private forgetPolicies(key: string): void {
    this.state.schema.policies?.delete(key);
    this.state.schema.rowSecurityOutside?.delete(key);
  }

  private setPolicies(key: string, list: Policy[]): void {
    if (list.length > 0) this.policies.set(key, list);
    else this.policies.delete(key);
  }

  /** The policy name right after `POLICY` (the AST gives it no location). */
  private policySource(): SourceRef {
    return this.lazyRef(undefined, (statement) => {
      const tokens = statement.tokens();
      const at = tokens.findIndex((t) => t.word === 'POLICY');
      const name = tokens.slice(at + 1).find((t) => t.kind !== 'comment');
      return at >= 0 && name ? statement.rangeOf(name.start, name.end) : statement.range;
    });
  }

  createPolicy(node: Node): void {
    const rel = relationName(node.table);
    if (!rel || typeof node.policy_name !== 'string') return;
    const schema = this.schemaOf(rel);
    const key = tableKey(schema, rel.name);
    const clauses = policyClauses(this.statement);
    const policy: Policy = {
      name: node.policy_name,
      schema,
      table: rel.name,
      command: (node.cmd_name ?? 'all') as PolicyCommand,
      roles: policyRoles(node.roles),
      permissive: node.permissive === true,
      ...(node.qual && clauses.using !== undefined && { using: clauses.using }),
      ...(node.with_check && clauses.withCheck !== undefined && { withCheck: clauses.withCheck }),
      source: this.policySource(),
    };
    const list = (this.state.schema.policies?.get(key) ?? []).filter((p) => p.name !== policy.name);
    this.setPolicies(key, [...list, policy]);
  }

  alterPolicy(node: Node): void {
    const rel = relationName(node.table);
    if (!rel) return;
    const policy = this.state.schema.policies?.get(tableKey(this.schemaOf(rel), rel.name))?.find((p) => p.name === node.policy_name);
    if (!policy) return;
    const clauses = policyClauses(this.statement);
    if (node.roles?.length) policy.roles = policyRoles(node.roles);
    if (node.qual && clauses.using !== undefined) policy.using = clauses.using;
    if (node.with_check && clauses.withCheck !== undefined) policy.withCheck = clauses.withCheck;
    policy.source = this.policySource();
  }

  /**
   * A DO block that manages row-level security: the tables it names may have RLS or policies the
   * model cannot see; when it names none but builds its RLS SQL in a string (EXECUTE), every
   * table known so far may.
   */
  opaqueCode(body: string): void {
    if (!ROW_SECURITY_CODE.test(body)) return;
    // RLS statements written out name their tables; only RLS SQL built in a string (EXECUTE) may name none.
    const dynamic = scanTokens(body).some((t) => t.kind === 'string' && ROW_SECURITY_CODE.test(t.text));
    this.markOpaque(identifierWords(body), dynamic);
  }

  private markOpaque(words: Set<string>, everyTableWhenNoneNamed: boolean): void {
    const named = [...this.tables.values()].filter((t) => words.has(t.name));
    for (const t of named.length > 0 || !everyTableWhenNoneNamed ? named : this.tables.values()) t.rowSecurityOpaque = true;
  }

  createFunction(node: Node): void {
    const name = stringList(node.funcname).pop();
    const body = definitionBody(node.options);
    if (name && ROW_SECURITY_CODE.test(body)) this.state.rowSecurityHelpers.add(name);
  }

  /** `SELECT enable_rls('orders')`, `CALL …`, `PERFORM …` in a DO block: a helper seen earlier runs. */
  callsRowSecurityHelper(): void {
    const words = identifierWords(this.statement.text);
    if (![...this.state.rowSecurityHelpers].some((h) => words.has(h))) return;
    this.markOpaque(words, true);
  }

  createEventTrigger(node: Node): void {
    const name = stringList(node.funcname).pop();
    if (name && this.state.rowSecurityHelpers.has(name)) this.state.rowSecurityOnCreate = true;
  }

  /** COMMENT ON TABLE / COLUMN: kept for the editor's hover; `IS NULL` removes it. */
  comment(node: Node): void {
    const parts = stringList(node.object?.List?.items);
    const target =
      node.objtype === 'OBJECT_TABLE'
        ? this.table(parts.length ? { schema: parts.length > 1 ? parts[parts.length - 2] : undefined, name: parts[parts.length - 1] } : undefined)
        : node.objtype === 'OBJECT_COLUMN' && parts.length >= 2
          ? this.table({ schema: parts.length > 2 ? parts[parts.length - 3] : undefined, name: parts[parts.length - 2] })?.columns.find((c) => c.name === parts[parts.length - 1])
          : undefined;
    if (!target) return;
    if (typeof node.comment === 'string' && node.comment !== '') target.comment = node.comment;
    else delete target.comment;
  }
}

/** Something that has indexes: a table or a materialized view. */
type IndexOwner = Pick<Table, 'schema' | 'name' | 'indexes'>;

function policyRoles(roles: Node[] | undefined): string[] {
  const out = (roles ?? []).map((r: Node) => {
    const spec: Node = r.RoleSpec ?? {};
    switch (spec.roletype) {
      case 'ROLESPEC_CSTRING':
        return String(spec.rolename);
      case 'ROLESPEC_CURRENT_USER':
        return 'current_user';
      case 'ROLESPEC_SESSION_USER':
        return 'session_user';
      case 'ROLESPEC_CURRENT_ROLE':
        return 'current_role';
      default:
        return 'public';
    }
  });
  return out.length > 0 ? out : ['public'];
}

/** The USING and WITH CHECK expressions of CREATE/ALTER POLICY as written, from the statement's tokens. */
function policyClauses(statement: Statement): { using?: string; withCheck?: string } {
  const tokens = statement.tokens();
  const out: { using?: string; withCheck?: string } = {};
  const code = tokens.map((t, i) => [t, i] as const).filter(([t]) => t.kind !== 'comment');
  for (let k = 0; k < code.length; k++) {
    const [t] = code[k];
    let clause: 'using' | 'withCheck' | undefined;
    let open = -1;
    if (t.word === 'USING' && code[k + 1]?.[0].text === '(') {
      clause = 'using';
      open = code[k + 1][1];
    } else if (t.word === 'WITH' && code[k + 1]?.[0].word === 'CHECK' && code[k + 2]?.[0].text === '(') {
      clause = 'withCheck';
      open = code[k + 2][1];
    }
    if (!clause || out[clause] !== undefined) continue;
    const { close } = parenItems(tokens, open);
    if (close > open + 1 && close < tokens.length) out[clause] = spanText(statement, open + 1, close);
    while (k < code.length && code[k][1] < close) k++;
  }
  return out;
}

/**
 * The columns a CHECK expression proves NOT NULL, as Postgres 12+ sees it when SET NOT NULL
 * looks for a constraint to skip its scan: `col IS NOT NULL` and `NOT (col IS NULL)`, alone
 * or in an AND (`table.col` too). A NULL passes a CHECK, so `col <> ''` alone proves nothing.
 */
function notNullColumns(expr: Node | undefined, tableName: string): string[] {
  if (!expr) return [];
  const column = (arg: Node | undefined): string | undefined => {
    const fields = stringList(arg?.ColumnRef?.fields);
    if (fields.length === 1) return fields[0];
    return fields.length >= 2 && fields[fields.length - 2] === tableName ? fields[fields.length - 1] : undefined;
  };
  const bool: Node | undefined = expr.BoolExpr;
  if (bool?.boolop === 'AND_EXPR') return (bool.args ?? []).flatMap((a: Node) => notNullColumns(a, tableName));
  const test: Node | undefined = bool?.boolop === 'NOT_EXPR' && bool.args?.length === 1 ? bool.args[0].NullTest : expr.NullTest;
  const wanted = bool ? 'IS_NULL' : 'IS_NOT_NULL';
  const name = test?.nulltesttype === wanted ? column(test.arg) : undefined;
  return name ? [name] : [];
}

/** Distinct column names an expression tests with IS NULL / IS NOT NULL. */
function nullTestedColumns(expr: Node | undefined): string[] {
  const names = new Set<string>();
  walk(expr, (n, key) => {
    if (key === 'NullTest') for (const c of referencedColumns(n.arg)) names.add(c);
  });
  return [...names];
}

/** Distinct column names an expression refers to. */
function referencedColumns(expr: Node | undefined): string[] {
  const names = new Set<string>();
  walkNodesOf(expr, 'ColumnRef', (ref) => {
    const fields = stringList(ref.fields);
    if (fields.length) names.add(fields[fields.length - 1]);
  });
  return [...names];
}

/**
 * The default's SQL text needs the statement's tokens; most are never read, so it is
 * computed on first read. Assigning or deleting it later (SET/DROP DEFAULT) works as usual.
 */
function lazyDefault(column: Column, compute: () => string | undefined): void {
  Object.defineProperty(column, 'default', {
    configurable: true,
    enumerable: true,
    get() {
      const value = compute();
      Object.defineProperty(column, 'default', { value, writable: true, configurable: true, enumerable: true });
      return value;
    },
    set(value: string | undefined) {
      Object.defineProperty(column, 'default', { value, writable: true, configurable: true, enumerable: true });
    },
  });
}

/** An index element's expression ends before its opclass or ordering: after the first closed parenthesis group. */
function expressionEnd(tokens: { text: string; kind: string }[], from: number, to: number): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return to;
}

function lastCodeToken(tokens: { kind: string; text: string }[]): number {
  let i = tokens.length - 1;
  while (i > 0 && (tokens[i].kind === 'comment' || tokens[i].text === ';')) i--;
  return i;
}

/** The opclass, collation and ordering of each key of CREATE INDEX, when any key has one. */
function indexKeyOptions(params: Node[]): { keyOptions?: IndexKeyOptions[] } {
  const lastName = (list: Node[] | undefined): string | undefined => {
    const last = list?.[list.length - 1];
    return typeof last?.String?.sval === 'string' ? last.String.sval : undefined;
  };
  const keys = params.map((p) => {
    const elem: Node = p.IndexElem ?? {};
    const key: IndexKeyOptions = {};
    const opclass = lastName(elem.opclass);
    const collation = lastName(elem.collation);
    if (opclass) key.opclass = opclass;
    if (collation) key.collation = collation;
    if (elem.ordering === 'SORTBY_DESC') key.descending = true;
    if (elem.nulls_ordering === 'SORTBY_NULLS_FIRST' && !key.descending) key.nullsFirst = true;
    if (elem.nulls_ordering === 'SORTBY_NULLS_LAST' && key.descending) key.nullsFirst = false;
    return key;
  });
  return keys.some((k) => Object.keys(k).length > 0) ? { keyOptions: keys } : {};
}

/** A child's own definition of a column it inherits: NOT NULL and the default carry over unless it says otherwise. */
function mergeInheritedColumn(local: Column, inherited: Column): void {
  if (inherited.notNull) local.notNull = true;
  if (local.default === undefined && inherited.default !== undefined) local.default = inherited.default;
}

/** Partitions and INHERITS children of each table created by a replay: ALTER TABLE parent ADD COLUMN reaches them. */
const childTables = new WeakMap<Table, Table[]>();
/** The other way round: the parents of a partition or INHERITS child. */
const parentTables = new WeakMap<Table, Table[]>();

/** ALTER TABLE subcommands that change a column in place (a child shares its inherited column objects with its parent). */
const COLUMN_CHANGES = new Set(['AT_AlterColumnType', 'AT_SetNotNull', 'AT_DropNotNull', 'AT_ColumnDefault', 'AT_AddIdentity', 'AT_DropIdentity']);

/**
 * The column object a change to `table` may modify: a parent's change reaches the children
 * that share the column, but not with ONLY, and a child's own change (a default, NOT NULL) does
 * not reach its parent: then the column is copied first.
 */
function ownColumn(table: Table, column: Column, only: boolean): Column {
  const holds = (t: Table): boolean => t.columns.includes(column);
  const fromParent = (parentTables.get(table) ?? []).some(holds);
  if (only && (fromParent || (childTables.get(table) ?? []).some(holds))) {
    const copy = { ...column };
    table.columns[table.columns.indexOf(column)] = copy;
    return copy;
  }
  return fromParent ? detachColumn(table, column) : column;
}

/** Replaces a shared column object by a copy in `table` and in the descendants that share it with `table`. */
function detachColumn(table: Table, column: Column): Column {
  const copy = { ...column };
  const visit = (t: Table, seen: Set<Table>): void => {
    const at = t.columns.indexOf(column);
    if (at < 0 || seen.has(t)) return;
    seen.add(t);
    t.columns[at] = copy;
    for (const child of childTables.get(t) ?? []) visit(child, seen);
  };
  visit(table, new Set());
  return copy;
}

function addToChildren(parent: Table, column: Column, seen: Set<Table>): void {
  for (const child of childTables.get(parent) ?? []) {
    if (seen.has(child)) continue;
    seen.add(child);
    if (!child.columns.some((c) => c.name === column.name)) child.columns.push(column);
    addToChildren(child, column, seen);
  }
}

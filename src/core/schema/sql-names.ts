import { stringList, tokenIndexAt, walk, type Node } from '../sql/ast';
import { alterCommandRange } from '../sql/alter-table';
import type { Statement } from '../sql/statement';
import type { SqlToken } from '../sql/tokens';
import type { SourceRange, SourceRef } from '../types';
import type { Column, Table } from './model';

/**
 * What the names of one parsed statement refer to in a schema: each table, column, view or
 * schema name with its range, and the table and column names the schema does not know. Scopes
 * follow Postgres's: a column resolves against the FROM items of its own SELECT, then those of
 * the queries around it; CTE names shadow tables; a subquery, a function in FROM or a table
 * whose columns the replay cannot know makes unqualified names of that scope unknowable, never
 * wrong. The editor's hover, definition, references and unknown-name diagnostics read it.
 */

/** `table`: one the document itself creates (a temporary table, CREATE TABLE AS), not one of the schema's. */
export type RelationKind = 'view' | 'materialized view' | 'sequence' | 'foreign table' | 'table';

/** A relation that is not a table of the model: what the replay tracks of views, sequences and foreign tables. */
export interface OtherRelation {
  kind: RelationKind;
  schema: string;
  name: string;
  /** Column names when the definition names them. */
  columns?: string[];
  source?: SourceRef;
}

export type NameTarget =
  | { kind: 'table'; table: Table }
  | { kind: 'column'; table: Table; column: Column }
  | { kind: 'relation'; relation: OtherRelation }
  | { kind: 'schema'; schema: string };

export interface NameOccurrence {
  /** The name as written (quotes included), in the statement's file. */
  range: SourceRange;
  target: NameTarget;
  /** An alias standing for the table (`o` in `o.total`): hover shows the table, references leave it out. */
  alias?: boolean;
}

export interface UnknownName {
  kind: 'table' | 'column';
  /** As stored: lower-cased unless quoted. */
  name: string;
  schema?: string;
  /** For a column: the table it was looked for in (`schema.table`), when a qualifier named one. */
  table?: string;
  /** The candidate tables, for an unqualified column. */
  tables?: string[];
  range: SourceRange;
}

/** A FROM item (or DML target) of the statement: what `alias.` and column completion offer. */
export interface StatementSource {
  /** The alias, else the relation's name. */
  refName: string;
  table?: Table;
  relation?: OtherRelation;
}

export interface StatementNames {
  occurrences: NameOccurrence[];
  unknown: UnknownName[];
  sources: StatementSource[];
}

export interface QualifiedName {
  schema?: string;
  name: string;
}

/** How names resolve: the replay's state while indexing migrations, the search path in a query. */
export interface NameLookup {
  table(name: QualifiedName): Table | undefined;
  relation(name: QualifiedName): OtherRelation | undefined;
  /** False for a table whose column list the replay cannot know (INHERITS, CREATE TABLE AS without column names). */
  columnsKnown(table: Table): boolean;
  /**
   * Whether a name the schema does not know is worth reporting (for a column: of a table in this
   * schema): never while indexing, and only in schemas the source creates tables in.
   */
  reportsUnknown(schema: string | undefined, table?: string): boolean;
}

/** Reads an identifier token as Postgres stores it. */
export function identifierName(text: string): string {
  return text.startsWith('"') ? text.slice(1, text.endsWith('"') && text.length > 1 ? -1 : undefined).replace(/""/g, '"') : text.toLowerCase();
}

export function statementNames(statement: Statement, lookup: NameLookup): StatementNames {
  const out: StatementNames = { occurrences: [], unknown: [], sources: [] };
  if (!statement.ast) return out;
  new Resolver(statement, lookup, out).statement(statement.ast);
  // Key lists are read from the text and may meet a name the AST walk already placed.
  const seen = new Set<number>();
  out.occurrences = out.occurrences.filter((o) => {
    if (seen.has(o.range.startOffset)) return false;
    seen.add(o.range.startOffset);
    return true;
  });
  return out;
}

interface Part {
  name: string;
  start: number;
  end: number;
}

interface Source extends StatementSource {
  /** Schema and name of the relation, when the item is not aliased (for `schema.table.column`). */
  schema?: string;
  name?: string;
  /** Column names when known; undefined when the item's columns cannot be known. */
  columns?: Map<string, Column | undefined>;
}

interface Scope {
  sources: Source[];
  parent?: Scope;
  ctes: Map<string, string[] | undefined>;
  /** Output names of the SELECT list: ORDER BY and GROUP BY may name them. */
  outputNames?: Set<string>;
}

class Resolver {
  private readonly tokens: SqlToken[];

  constructor(
    private readonly st: Statement,
    private readonly lookup: NameLookup,
    private readonly out: StatementNames,
  ) {
    this.tokens = st.tokens();
  }

  statement(ast: Node): void {
    const [kind] = Object.keys(ast);
    const node: Node = ast[kind] ?? {};
    switch (kind) {
      case 'SelectStmt':
        return this.select(node, undefined, new Map());
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
        return this.dml(kind, node, new Map());
      case 'ExplainStmt':
        return node.query ? this.statement(node.query) : undefined;
      case 'CreateStmt':
        return this.createTable(node);
      case 'AlterTableStmt':
        return this.alterTable(node);
      case 'IndexStmt':
        return this.createIndex(node);
      case 'RenameStmt':
        return this.rename(node);
      case 'CommentStmt':
        return this.comment(node);
      case 'DropStmt':
        return this.drop(node);
      case 'ViewStmt':
        this.relationDefinition(node.view);
        return node.query ? this.statement(node.query) : undefined;
      case 'CreateTableAsStmt':
        this.relationDefinition(node.into?.rel);
        return node.query ? this.statement(node.query) : undefined;
      default:
        return this.generic(node);
    }
  }

  // ---- queries ----

  private select(node: Node, parent: Scope | undefined, inherited: Map<string, string[] | undefined>): void {
    const ctes = this.withClause(node.withClause, parent, inherited);
    if (node.op && node.op !== 'SETOP_NONE') {
      if (node.larg) this.select(node.larg, parent, ctes);
      if (node.rarg) this.select(node.rarg, parent, ctes);
      return;
    }
    const scope: Scope = { sources: [], parent, ctes };
    for (const item of node.fromClause ?? []) this.fromItem(item, scope);
    const outputNames = new Set<string>();
    for (const t of node.targetList ?? []) if (typeof t.ResTarget?.name === 'string') outputNames.add(t.ResTarget.name);
    this.expr(node.targetList, scope);
    this.expr(node.whereClause, scope);
    this.expr(node.havingClause, scope);
    this.expr(node.windowClause, scope);
    this.expr(node.limitCount, scope);
    this.expr(node.limitOffset, scope);
    this.expr(node.valuesLists, scope);
    // DISTINCT ON follows ORDER BY's rules: it may name an output column.
    const sorting: Scope = { ...scope, outputNames };
    this.expr(node.distinctClause, sorting);
    this.expr(node.groupClause, sorting);
    this.expr(node.sortClause, sorting);
  }

  private withClause(withClause: Node | undefined, parent: Scope | undefined, inherited: Map<string, string[] | undefined>): Map<string, string[] | undefined> {
    const ctes = new Map(inherited);
    for (const c of withClause?.ctes ?? []) {
      const cte: Node | undefined = c.CommonTableExpr;
      if (!cte || typeof cte.ctename !== 'string') continue;
      const names = stringList(cte.aliascolnames);
      if (withClause?.recursive) ctes.set(cte.ctename, names.length ? names : undefined);
      const query: Node | undefined = cte.ctequery;
      const [queryKind] = Object.keys(query ?? {});
      if (query?.SelectStmt) this.select(query.SelectStmt, parent, ctes);
      // A data-modifying statement in WITH sees the CTEs before it (and the outer query's).
      else if (query && DML.has(queryKind)) this.dml(queryKind, query[queryKind] ?? {}, ctes);
      else if (query) this.statement(query);
      ctes.set(cte.ctename, names.length ? names : undefined);
    }
    return ctes;
  }

  private fromItem(item: Node | undefined, scope: Scope): void {
    if (!item) return;
    if (item.RangeVar) {
      scope.sources.push(this.rangeVar(item.RangeVar, scope));
    } else if (item.JoinExpr) {
      const join: Node = item.JoinExpr;
      this.fromItem(join.larg, scope);
      this.fromItem(join.rarg, scope);
      this.expr(join.quals, scope);
      if (join.alias?.aliasname) scope.sources.push({ refName: join.alias.aliasname });
    } else if (item.RangeSubselect) {
      const sub: Node = item.RangeSubselect;
      // A LATERAL subquery sees the items before it.
      if (sub.subquery?.SelectStmt) this.select(sub.subquery.SelectStmt, sub.lateral ? scope : scope.parent, scope.ctes);
      if (sub.alias?.aliasname) scope.sources.push({ refName: sub.alias.aliasname });
      else scope.sources.push({ refName: '' });
    } else if (item.RangeFunction) {
      this.expr(item.RangeFunction.functions, scope);
      const alias = item.RangeFunction.alias?.aliasname;
      scope.sources.push({ refName: alias ?? '' });
    } else {
      // TABLESAMPLE, XMLTABLE, JSON_TABLE…: their relations are read, their columns are not known.
      this.expr(item, scope);
      scope.sources.push({ refName: '' });
    }
  }

  /** A relation named in FROM (or as a DML target): its occurrence, and the FROM item it makes. */
  private rangeVar(rv: Node, scope: Scope | undefined, definition = false): Source {
    const parts = this.partsAt(rv.location, rv.schemaname ? 2 : 1);
    const namePart = parts[parts.length - 1];
    const alias: string | undefined = rv.alias?.aliasname;
    const refName = alias ?? rv.relname;
    if (!rv.schemaname && scope && this.cteColumns(scope, rv.relname) !== false) {
      const names = this.cteColumns(scope, rv.relname);
      return { refName, ...(names && { columns: new Map(names.map((n) => [n, undefined])) }) };
    }
    const name: QualifiedName = { schema: rv.schemaname, name: rv.relname };
    if (rv.schemaname && parts.length === 2) this.occur(parts[0], { kind: 'schema', schema: rv.schemaname });
    const table = this.lookup.table(name);
    const aliasColumns = (rv.alias?.colnames ?? []).length > 0;
    if (table) {
      if (namePart) this.occur(namePart, { kind: 'table', table });
      const source: Source = { refName, table, ...(!alias && { schema: table.schema, name: table.name }) };
      if (!aliasColumns && this.lookup.columnsKnown(table)) source.columns = new Map(table.columns.map((c) => [c.name, c]));
      this.out.sources.push(source);
      return source;
    }
    const relation = this.lookup.relation(name);
    if (relation) {
      if (namePart) this.occur(namePart, { kind: 'relation', relation });
      const source: Source = { refName, relation, ...(!alias && { schema: relation.schema, name: relation.name }) };
      this.out.sources.push(source);
      return source;
    }
    if (!definition && namePart && this.lookup.reportsUnknown(rv.schemaname, rv.relname)) {
      this.out.unknown.push({ kind: 'table', name: rv.relname, ...(rv.schemaname && { schema: rv.schemaname }), range: this.range(namePart) });
    }
    return { refName };
  }

  /** The columns of a CTE visible in the scope (undefined: not named); false when no CTE has that name. */
  private cteColumns(scope: Scope, name: string): string[] | undefined | false {
    return scope.ctes.has(name) ? scope.ctes.get(name) : false;
  }

  private dml(kind: string, node: Node, inherited: Map<string, string[] | undefined>): void {
    if (kind === 'InsertStmt') return this.insert(node, inherited);
    if (kind === 'UpdateStmt') return this.update(node, inherited);
    return this.delete(node, inherited);
  }

  private insert(node: Node, inherited: Map<string, string[] | undefined>): void {
    const ctes = this.withClause(node.withClause, undefined, inherited);
    const scope: Scope = { sources: [], ctes };
    const target = node.relation ? this.rangeVar(node.relation, scope) : undefined;
    for (const c of node.cols ?? []) {
      const col: Node | undefined = c.ResTarget;
      if (col && target) this.targetColumn(target, col.name, col.location);
    }
    if (node.selectStmt?.SelectStmt) this.select(node.selectStmt.SelectStmt, undefined, ctes);
    if (target) scope.sources.push(target);
    const conflict: Node | undefined = node.onConflictClause;
    if (conflict && target) {
      const withExcluded: Scope = { sources: [target, { ...target, refName: 'excluded', schema: undefined, name: undefined }], ctes };
      const at = this.tokens.findIndex((t) => t.word === 'CONFLICT');
      const close = this.tokens.findIndex((t, i) => i > at && t.text === ')');
      const inferred: string[] = [];
      for (const elem of conflict.infer?.indexElems ?? []) {
        if (typeof elem.IndexElem?.name === 'string') inferred.push(elem.IndexElem.name);
        else this.expr(elem.IndexElem?.expr, scope);
      }
      if (at >= 0 && close > at) this.namedColumnsIn(target, inferred, this.tokens[at].end, this.tokens[close].start);
      this.expr(conflict.infer?.whereClause, scope);
      for (const t of conflict.targetList ?? []) {
        const set: Node | undefined = t.ResTarget;
        if (!set) continue;
        this.targetColumn(target, set.name, set.location);
        this.expr(set.val, withExcluded);
      }
      this.expr(conflict.whereClause, withExcluded);
    }
    this.expr(node.returningClause?.exprs, scope);
  }

  private update(node: Node, inherited: Map<string, string[] | undefined>): void {
    const ctes = this.withClause(node.withClause, undefined, inherited);
    const scope: Scope = { sources: [], ctes };
    const target = node.relation ? this.rangeVar(node.relation, scope) : undefined;
    if (target) scope.sources.push(target);
    for (const item of node.fromClause ?? []) this.fromItem(item, scope);
    for (const t of node.targetList ?? []) {
      const set: Node | undefined = t.ResTarget;
      if (!set) continue;
      if (target) this.targetColumn(target, set.name, set.location);
      this.expr(set.val, scope);
    }
    this.expr(node.whereClause, scope);
    this.expr(node.returningClause?.exprs, scope);
  }

  private delete(node: Node, inherited: Map<string, string[] | undefined>): void {
    const ctes = this.withClause(node.withClause, undefined, inherited);
    const scope: Scope = { sources: [], ctes };
    const target = node.relation ? this.rangeVar(node.relation, scope) : undefined;
    if (target) scope.sources.push(target);
    for (const item of node.usingClause ?? []) this.fromItem(item, scope);
    this.expr(node.whereClause, scope);
    this.expr(node.returningClause?.exprs, scope);
  }

  /** `INSERT INTO t (col)`, `UPDATE t SET col = …`: a column of the target, at a ResTarget's location. */
  private targetColumn(target: Source, name: string | undefined, location: number | undefined): void {
    if (typeof name !== 'string') return;
    const part = this.partsAt(location, 1)[0];
    if (!part) return;
    this.columnOf(target, name, part);
  }

  /** A column of one FROM item, by name: its occurrence, or an unknown column when the item's columns are known. */
  private columnOf(source: Source, name: string, part: Part): void {
    if (!source.columns) return;
    if (source.columns.has(name)) {
      const column = source.columns.get(name);
      if (column && source.table) this.occur(part, { kind: 'column', table: source.table, column });
      return;
    }
    if (source.table && SYSTEM_COLUMNS.has(name)) return;
    if (source.table && this.lookup.reportsUnknown(source.table.schema)) {
      this.out.unknown.push({ kind: 'column', name, table: `${source.table.schema}.${source.table.name}`, range: this.range(part) });
    }
  }

  /** Every ColumnRef and subquery inside an expression tree. */
  private expr(node: unknown, scope: Scope): void {
    walk(node, (value, key) => {
      if (key === 'ColumnRef') this.columnRef(value, scope);
      else if (key === 'SelectStmt') this.select(value, scope, scope.ctes);
      else if (key === 'RangeVar' || typeof value.relname === 'string') this.rangeVar(value, scope);
      else return;
      return 'skip';
    });
  }

  private columnRef(ref: Node, scope: Scope): void {
    const fields: Node[] = ref.fields ?? [];
    const star = fields.length > 0 && fields[fields.length - 1].A_Star !== undefined;
    const names = stringList(fields);
    const parts = this.partsAt(ref.location, fields.length);
    if (parts.length !== fields.length) return;
    if (names.length === 1 && !star) return this.unqualifiedColumn(names[0], parts[0], scope);
    const qualifier = star ? names : names.slice(0, -1);
    if (qualifier.length === 0 || qualifier.length > 2) return;
    const source = this.sourceNamed(qualifier, scope);
    if (!source) return;
    if (qualifier.length === 2) this.occur(parts[0], { kind: 'schema', schema: qualifier[0] });
    const qualifierPart = parts[qualifier.length - 1];
    const alias = source.name === undefined;
    if (source.table) this.occur(qualifierPart, { kind: 'table', table: source.table }, alias);
    else if (source.relation) this.occur(qualifierPart, { kind: 'relation', relation: source.relation }, alias);
    if (!star) this.columnOf(source, names[names.length - 1], parts[parts.length - 1]);
  }

  /** The FROM item a qualifier names (`alias`, `table`, `schema.table`), innermost scope first. */
  private sourceNamed(qualifier: string[], scope: Scope): Source | undefined {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const found =
        qualifier.length === 1
          ? s.sources.find((x) => x.refName === qualifier[0])
          : s.sources.find((x) => x.schema === qualifier[0] && x.name === qualifier[1]);
      if (found) return found;
    }
    return undefined;
  }

  private unqualifiedColumn(name: string, part: Part, scope: Scope): void {
    const tables: string[] = [];
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      let opaque = false;
      for (const source of s.sources) {
        if (!source.columns) {
          opaque = true;
          continue;
        }
        if (source.columns.has(name)) {
          const column = source.columns.get(name);
          if (column && source.table) this.occur(part, { kind: 'column', table: source.table, column });
          return;
        }
        if (source.table && SYSTEM_COLUMNS.has(name)) return;
        if (source.table) tables.push(`${source.table.schema}.${source.table.name}`);
      }
      // A whole-row reference (`SELECT u FROM users u`, `row_to_json(u)`).
      const row = s.sources.find((x) => x.refName === name);
      if (row) {
        if (row.table) this.occur(part, { kind: 'table', table: row.table }, row.name === undefined);
        return;
      }
      // Anything may come from an item whose columns are not known; ORDER BY may name an output column.
      if (opaque || s.outputNames?.has(name)) return;
    }
    if (tables.length === 0) return;
    const schemas = new Set(tables.map((t) => t.slice(0, t.indexOf('.'))));
    if (![...schemas].every((schema) => this.lookup.reportsUnknown(schema))) return;
    this.out.unknown.push({ kind: 'column', name, tables, range: this.range(part) });
  }

  // ---- DDL ----

  /** The relation a CREATE defines: an occurrence when the schema has it, never an unknown name. */
  private relationDefinition(rv: Node | undefined): Source | undefined {
    return rv ? this.rangeVar(rv, undefined, true) : undefined;
  }

  private createTable(node: Node): void {
    const target = this.relationDefinition(node.relation);
    for (const parent of node.inhRelations ?? []) if (parent.RangeVar) this.rangeVar(parent.RangeVar, undefined);
    for (const elt of node.tableElts ?? []) {
      if (elt.ColumnDef) this.columnDefinition(target, elt.ColumnDef);
      else if (elt.Constraint) this.constraint(target, elt.Constraint);
      else if (elt.TableLikeClause?.relation) this.rangeVar(elt.TableLikeClause.relation, undefined);
    }
  }

  private columnDefinition(target: Source | undefined, def: Node): void {
    const part = this.partsAt(def.location, 1)[0];
    const column = target?.table?.columns.find((c) => c.name === def.colname);
    if (part && column && target?.table) this.occur(part, { kind: 'column', table: target.table, column });
    for (const c of def.constraints ?? []) if (c.Constraint) this.constraint(target, c.Constraint, true);
  }

  /** A table constraint: CHECK expressions, key columns, and the referenced table and columns of a foreign key. */
  private constraint(target: Source | undefined, con: Node, onColumn = false): void {
    const scope: Scope = { sources: target ? [target] : [], ctes: new Map() };
    this.expr(con.raw_expr, scope);
    this.expr(con.where_clause, scope);
    const range = this.st.constructRange(con.location);
    let referencesAt = range.endOffset;
    if (con.contype === 'CONSTR_FOREIGN' && con.pktable) {
      referencesAt = this.st.offsetOf(con.pktable.location);
      const ref = this.rangeVar(con.pktable, undefined);
      this.namedColumnsIn(ref, stringList(con.pk_attrs), referencesAt, range.endOffset);
    }
    if (target && !onColumn) {
      const keys = [...stringList(con.keys), ...stringList(con.fk_attrs), ...stringList(con.including)];
      this.namedColumnsIn(target, keys, range.startOffset, referencesAt);
    }
  }

  /** Column names written in a span of the statement (key lists have no AST locations): each word naming one. */
  private namedColumnsIn(source: Source | undefined, names: string[], from: number, to: number): void {
    const table = source?.table;
    if (!table || names.length === 0) return;
    const wanted = new Set(names);
    for (let i = tokenIndexAt(this.tokens, from); i < this.tokens.length && this.tokens[i].start < to; i++) {
      const t = this.tokens[i];
      if (t.kind !== 'ident' && t.kind !== 'keyword') continue;
      const name = identifierName(t.text);
      if (!wanted.has(name) || this.tokens[i - 1]?.text === '.' || this.tokens[i + 1]?.text === '.' || this.tokens[i + 1]?.text === '(') continue;
      const column = table.columns.find((c) => c.name === name);
      if (column) this.occur({ name, start: t.start, end: t.end }, { kind: 'column', table, column });
    }
  }

  private alterTable(node: Node): void {
    if (node.objtype && node.objtype !== 'OBJECT_TABLE') return this.generic(node);
    const target = node.relation ? this.rangeVar(node.relation, undefined) : undefined;
    (node.cmds ?? []).forEach((item: Node, index: number) => {
      const cmd: Node | undefined = item.AlterTableCmd;
      if (!cmd) return;
      if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) return this.columnDefinition(target, cmd.def.ColumnDef);
      if (cmd.def?.Constraint) this.constraint(target, cmd.def.Constraint);
      else if (cmd.def) this.expr(cmd.def, { sources: target ? [target] : [], ctes: new Map() });
      if (typeof cmd.name === 'string' && target?.table && COLUMN_SUBCOMMANDS.has(cmd.subtype)) {
        const range = alterCommandRange(this.st, index);
        this.namedColumnsIn(target, [cmd.name], range.startOffset, range.endOffset);
      }
    });
  }

  private createIndex(node: Node): void {
    const target = node.relation ? this.rangeVar(node.relation, undefined) : undefined;
    const scope: Scope = { sources: target ? [target] : [], ctes: new Map() };
    const names: string[] = [];
    for (const p of [...(node.indexParams ?? []), ...(node.indexIncludingParams ?? [])]) {
      const elem: Node | undefined = p.IndexElem;
      if (typeof elem?.name === 'string') names.push(elem.name);
      else this.expr(elem?.expr, scope);
    }
    const from = node.relation ? this.st.offsetOf(node.relation.location) : this.st.range.startOffset;
    this.namedColumnsIn(target, names, from, this.st.range.endOffset);
    this.expr(node.whereClause, scope);
  }

  /** RENAME: the old and the new name are the same object (the old name before the statement runs, the new one after). */
  private rename(node: Node): void {
    if (!node.relation) return;
    const target = this.rangeVar(node.relation, undefined, true);
    const to = this.tokens.findIndex((t, i) => t.word === 'TO' && this.tokens[i - 1]?.word !== 'OWNER');
    const newPart = to >= 0 ? this.dottedName(to + 1)[0] : undefined;
    if (node.renameType === 'OBJECT_TABLE' && typeof node.newname === 'string') {
      const table = target.table ?? this.lookup.table({ schema: node.relation.schemaname, name: node.newname });
      const parts = this.partsAt(node.relation.location, node.relation.schemaname ? 2 : 1);
      if (!table) return;
      if (!target.table && parts.length) this.occur(parts[parts.length - 1], { kind: 'table', table });
      if (newPart) this.occur(newPart, { kind: 'table', table });
    }
    if (node.renameType === 'OBJECT_COLUMN' && typeof node.subname === 'string' && target.table) {
      const table = target.table;
      const column = table.columns.find((c) => c.name === node.subname) ?? table.columns.find((c) => c.name === node.newname);
      const oldPart = this.firstName(node.subname, this.st.offsetOf(node.relation.location) + 1);
      if (!column) return;
      if (oldPart) this.occur(oldPart, { kind: 'column', table, column });
      if (newPart) this.occur(newPart, { kind: 'column', table, column });
    }
  }

  private comment(node: Node): void {
    if (node.objtype !== 'OBJECT_TABLE' && node.objtype !== 'OBJECT_COLUMN') return;
    const names = stringList(node.object?.List?.items);
    const tableNames = node.objtype === 'OBJECT_COLUMN' ? names.slice(0, -1) : names;
    if (tableNames.length === 0) return;
    const on = this.tokens.findIndex((t) => t.word === 'TABLE' || t.word === 'COLUMN');
    const parts = on >= 0 ? this.dottedName(on + 1) : [];
    if (parts.length !== names.length) return;
    const q: QualifiedName = tableNames.length > 1 ? { schema: tableNames[0], name: tableNames[1] } : { name: tableNames[0] };
    const table = this.lookup.table(q);
    if (!table) return;
    if (tableNames.length > 1) this.occur(parts[0], { kind: 'schema', schema: table.schema });
    this.occur(parts[tableNames.length - 1], { kind: 'table', table });
    const column = node.objtype === 'OBJECT_COLUMN' ? table.columns.find((c) => c.name === names[names.length - 1]) : undefined;
    if (column) this.occur(parts[parts.length - 1], { kind: 'column', table, column });
  }

  private drop(node: Node): void {
    if (node.removeType !== 'OBJECT_TABLE') return;
    for (const o of node.objects ?? []) {
      const names = stringList(o?.List?.items);
      if (names.length === 0) continue;
      const table = this.lookup.table(names.length > 1 ? { schema: names[names.length - 2], name: names[names.length - 1] } : { name: names[0] });
      const part = table && this.firstName(table.name, this.st.range.startOffset, true);
      if (table && part) this.occur(part, { kind: 'table', table });
    }
  }

  /** Statements the resolver does not model (GRANT, TRUNCATE, CREATE POLICY, CREATE TRIGGER…): their relations, and columns against them. */
  private generic(node: Node): void {
    const scope: Scope = { sources: [], ctes: new Map() };
    if (typeof node.relname === 'string') scope.sources.push(this.rangeVar(node, undefined, true));
    else {
      walk(node, (n, key) => {
        if (key === 'ColumnRef' || key === 'SelectStmt') return 'skip';
        if (typeof n.relname !== 'string') return;
        scope.sources.push(this.rangeVar(n, undefined, true));
        return 'skip';
      });
    }
    walk(node, (n, key) => {
      if (key === 'ColumnRef') this.lenientColumn(n, scope);
      else if (key === 'SelectStmt') this.select(n, undefined, new Map());
      else return;
      return 'skip';
    });
  }

  /** A column in a statement the resolver does not model: resolved when a relation it names has it, never reported. */
  private lenientColumn(ref: Node, scope: Scope): void {
    const names = stringList(ref.fields);
    const parts = this.partsAt(ref.location, (ref.fields ?? []).length);
    if (names.length === 0 || parts.length !== (ref.fields ?? []).length) return;
    const name = names[names.length - 1];
    const candidates = names.length > 1 ? scope.sources.filter((s) => s.refName === names[names.length - 2]) : scope.sources;
    for (const s of candidates) {
      const column = s.columns?.get(name);
      if (column && s.table) {
        if (names.length > 1) this.occur(parts[parts.length - 2], { kind: 'table', table: s.table });
        this.occur(parts[parts.length - 1], { kind: 'column', table: s.table, column });
        return;
      }
    }
  }

  // ---- tokens ----

  /** The parts of a dotted name at an AST location: `schema.table`, `alias.column`, `"Quoted"`. */
  private partsAt(location: number | undefined, count: number): Part[] {
    if (location === undefined || location < 0) return [];
    return this.dottedName(tokenIndexAt(this.tokens, this.st.offsetOf(location))).slice(0, count);
  }

  private dottedName(index: number): Part[] {
    const parts: Part[] = [];
    let i = index;
    while (i < this.tokens.length) {
      const t = this.tokens[i];
      if (t.kind !== 'ident' && t.kind !== 'keyword' && !(t.text === '*' && parts.length > 0)) break;
      parts.push({ name: t.text === '*' ? '*' : identifierName(t.text), start: t.start, end: t.end });
      if (this.tokens[i + 1]?.text !== '.') break;
      i += 2;
    }
    return parts;
  }

  /** The first word naming `name` at or after an offset (optionally the last part of a dotted name). */
  private firstName(name: string, from: number, lastPart = false): Part | undefined {
    for (let i = tokenIndexAt(this.tokens, from); i < this.tokens.length; i++) {
      const t = this.tokens[i];
      if ((t.kind !== 'ident' && t.kind !== 'keyword') || identifierName(t.text) !== name) continue;
      if (lastPart && this.tokens[i + 1]?.text === '.') continue;
      return { name, start: t.start, end: t.end };
    }
    return undefined;
  }

  private range(part: Part): SourceRange {
    return this.st.rangeOf(part.start, part.end);
  }

  private occur(part: Part, target: NameTarget, alias = false): void {
    this.out.occurrences.push({ range: this.range(part), target, ...(alias && { alias }) });
  }
}

/** Statements that may stand in WITH. */
const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt']);

/** Columns every table has (not views): `SELECT ctid, xmin FROM t`. */
export const SYSTEM_COLUMNS: ReadonlySet<string> = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid']);

/** ALTER TABLE subcommands whose `name` is a column of the table. */
const COLUMN_SUBCOMMANDS = new Set([
  'AT_AlterColumnType',
  'AT_SetNotNull',
  'AT_DropNotNull',
  'AT_ColumnDefault',
  'AT_DropColumn',
  'AT_AddIdentity',
  'AT_DropIdentity',
  'AT_SetIdentity',
  'AT_SetStatistics',
  'AT_SetStorage',
  'AT_SetCompression',
  'AT_SetOptions',
  'AT_ResetOptions',
  'AT_DropExpression',
]);

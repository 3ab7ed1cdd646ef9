import * as path from 'node:path';
import { dropObjectNames, nameRange, relationName, stringList, walk, type Node } from '../sql/ast';
import type { ParsedSqlFile } from '../sql/parse';
import type { Statement } from '../sql/statement';
import type { LintPart } from '../lint/engine';
import type { SourceRange, SourceRef } from '../types';
import { DYNAMIC_DDL } from './dynamic-ddl';
import { tableKey, type Column, type SchemaModel, type Table } from './model';
import { applyStatement, createReplayState, endPart, resolveMaterializedView, resolveTable, type ReplayState } from './replay';
import { statementNames, type NameLookup, type NameOccurrence, type OtherRelation, type QualifiedName } from './sql-names';
import type { PrismaSchema } from '../prisma/to-schema';

/**
 * The schema a workspace's migrations (or schema.prisma) define, indexed for the editor's
 * navigation: the replayed SchemaModel, the relations the model does not keep (views,
 * sequences, foreign tables), each table's and column's renames, and every place the set's own
 * files name a table or column — resolved while replaying, so a name used before a later
 * RENAME still leads to the object it was then.
 */
export interface RenameStep {
  from: string;
  to: string;
  source: SourceRef;
}

/** Where a table or column is declared in schema.prisma. */
export interface PrismaOrigin {
  /** `Model` or `Model.field`. */
  name: string;
  file: string;
  range: SourceRange;
}

export interface PrismaTableLink {
  model: PrismaOrigin;
  fields: Map<string, PrismaOrigin>;
}

export interface SchemaIndex {
  /** For messages: the set's folder (or schema file) relative to the workspace, e.g. `migrations/`. */
  label: string;
  /** Absolute folder the schema comes from: queries use the nearest one. */
  folder: string;
  kind: 'migrations' | 'prisma';
  /** Absolute paths of the files replayed. */
  files: string[];
  schema: SchemaModel;
  /** Views, sequences and foreign tables, keyed like tables (`schema.name`); materialized views come from the model. */
  relations: Map<string, OtherRelation>;
  /** Renames of a table or column, oldest first. */
  renames: WeakMap<Table | Column, RenameStep[]>;
  /** Tables whose column list the replay cannot know. */
  partialColumns: WeakSet<Table>;
  /** Why unknown tables and columns are not reported: the set did not replay fully. */
  incomplete?: string;
  /** schema.prisma's models and fields, keyed like tables. */
  prisma?: Map<string, PrismaTableLink>;
  /** Names of the set's own files, by file (absolute), in text order. */
  occurrences: Map<string, NameOccurrence[]>;
  /** The text each file was indexed from (an open document with other text is resolved afresh). */
  texts: Map<string, string>;
  /** Tables and relations by unqualified name, for names written without a schema. */
  byName: Map<string, Array<Table | OtherRelation>>;
  /** Schemas holding a table or relation of the set. */
  schemas: Set<string>;
  /** Extensions the set creates (some bring tables of their own: PostGIS's spatial_ref_sys). */
  extensions: Set<string>;
  /** How a file is named in messages and hovers (workspace-relative); absolute paths when absent. */
  display?: (file: string) => string;
  /** Statements whose names could not be read (a resolver failure): they are missing from `occurrences`. */
  unreadStatements?: number;
}

export interface BuildOptions {
  label: string;
  folder: string;
  /** Parses an up part (the workspace keeps parses of unchanged files). */
  parse: (part: LintPart) => ParsedSqlFile;
  /** Shown in incomplete-replay messages instead of absolute paths. */
  displayPath?: (file: string) => string;
}

/** Replays a migration set's ups (the lint engine's parts, in the runner's order) into an index. */
export function buildSchemaIndex(parts: readonly LintPart[], options: BuildOptions): SchemaIndex {
  const state = createReplayState();
  const index = emptyIndex(options.label, options.folder, 'migrations', state.schema);
  if (options.displayPath) index.display = options.displayPath;
  const observer = new ReplayObserver(state, index);
  const display = options.displayPath ?? ((f: string) => f);
  let firstError: string | undefined;
  let errorCount = 0;
  for (const part of parts) {
    if (part.direction !== 'up') continue;
    const parsed = options.parse(part);
    if (!index.texts.has(part.file)) {
      index.files.push(part.file);
      index.texts.set(part.file, part.text);
    }
    errorCount += parsed.errors.length;
    if (parsed.errors.length > 0 && !firstError) firstError = `${display(part.file)}:${parsed.errors[0].range.start.line + 1}`;
    const found = index.occurrences.get(part.file) ?? [];
    for (const statement of parsed.statements) {
      if (!statement.ast) continue;
      observer.before(statement, part.file, found);
      applyStatement(state, statement, part.file);
      observer.after(statement, part.file, found);
    }
    if (part.transaction !== 'all-pending') endPart(state);
    index.occurrences.set(part.file, found);
  }
  for (const list of index.occurrences.values()) list.sort((a, b) => a.range.startOffset - b.range.startOffset);
  if (errorCount > 0) {
    index.incomplete = `${errorCount === 1 ? 'a statement' : `${errorCount} statements`} of ${options.label} did not parse (${firstError})`;
  } else if (observer.opaque) {
    index.incomplete = `${observer.opaque} of ${options.label} may change tables in ways the replay cannot follow`;
  }
  if (observer.failures) index.unreadStatements = observer.failures;
  finishIndex(index);
  return index;
}

/** An index of a schema.prisma alone (no migrations): its models as the tables `prisma migrate` would create. */
export function prismaSchemaIndex(prisma: PrismaSchema, options: { label: string; folder: string; files: string[]; displayPath?: (file: string) => string }): SchemaIndex {
  const index = emptyIndex(options.label, options.folder, 'prisma', prisma.schema);
  if (options.displayPath) index.display = options.displayPath;
  index.files.push(...options.files);
  const errors = prisma.diagnostics.length;
  if (errors > 0) index.incomplete = `${options.label} has ${errors === 1 ? 'an error' : `${errors} errors`} (${prisma.diagnostics[0].message})`;
  attachPrisma(index, prisma);
  finishIndex(index);
  return index;
}

/** Links tables and columns of an index to the Prisma models and fields that declare them. */
export function attachPrisma(index: SchemaIndex, prisma: PrismaSchema): void {
  const links = new Map<string, PrismaTableLink>();
  for (const [model, table] of prisma.tableOf) {
    const link: PrismaTableLink = { model: { name: model.name, file: model.file, range: model.nameRange }, fields: new Map() };
    for (const column of table.columns) {
      const origin = prisma.columnOrigins.get(column);
      if (origin) link.fields.set(column.name, { name: `${model.name}.${origin.field.name}`, file: origin.model.file, range: origin.field.nameRange });
    }
    links.set(tableKey(table.schema, table.name), link);
  }
  index.prisma = links;
}

function emptyIndex(label: string, folder: string, kind: SchemaIndex['kind'], schema: SchemaModel): SchemaIndex {
  return {
    label,
    folder,
    kind,
    files: [],
    schema,
    relations: new Map(),
    renames: new WeakMap(),
    partialColumns: new WeakSet(),
    occurrences: new Map(),
    texts: new Map(),
    byName: new Map(),
    schemas: new Set(),
    extensions: new Set(),
  };
}

function finishIndex(index: SchemaIndex): void {
  const add = (name: string, item: Table | OtherRelation): void => {
    const list = index.byName.get(name);
    if (list) list.push(item);
    else index.byName.set(name, [item]);
  };
  for (const t of index.schema.tables.values()) {
    add(t.name, t);
    index.schemas.add(t.schema);
  }
  for (const r of allRelations(index)) {
    add(r.name, r);
    index.schemas.add(r.schema);
  }
}

/** Views, sequences and foreign tables of the index, with its materialized views. */
export function allRelations(index: SchemaIndex): OtherRelation[] {
  const out = [...index.relations.values()];
  for (const v of index.schema.materializedViews?.values() ?? []) out.push(matviewRelation(v));
  return out;
}

/** A materialized view as an OtherRelation, one object per view (identity matters for references). */
const matviews = new WeakMap<object, OtherRelation>();
function matviewRelation(v: { schema: string; name: string; columns: string[]; source?: SourceRef }): OtherRelation {
  let r = matviews.get(v);
  if (!r) {
    r = { kind: 'materialized view', schema: v.schema, name: v.name, columns: v.columns, source: v.source };
    matviews.set(v, r);
  } else {
    r.name = v.name;
    r.columns = v.columns;
  }
  return r;
}

/**
 * What the replay does not keep but navigation needs, recorded around each statement: renames
 * (before it runs, while the old names still resolve), views, sequences and foreign tables,
 * tables with columns the replay cannot know, DO blocks that change tables; and the names each
 * statement uses, resolved against the schema as it is at that point.
 */
class ReplayObserver {
  /** What makes the replay incomplete (the first DO block changing tables), for the message. */
  opaque: string | undefined;
  /** Statements whose names could not be read (a resolver bug must not cost the whole index). */
  failures = 0;
  /** Functions (by unqualified name) whose bodies create, alter or drop tables. */
  private readonly ddlFunctions = new Set<string>();
  private readonly lookup: NameLookup;

  constructor(
    private readonly state: ReplayState,
    private readonly index: SchemaIndex,
  ) {
    this.lookup = {
      table: (q) => resolveTable(state, q),
      relation: (q) => this.relation(q),
      columnsKnown: (t) => !index.partialColumns.has(t),
      reportsUnknown: () => false,
    };
  }

  private relation(q: QualifiedName): OtherRelation | undefined {
    const key = tableKey(q.schema ?? this.state.defaultSchema, q.name);
    const other = this.index.relations.get(key);
    if (other) return other;
    const view = resolveMaterializedView(this.state, q);
    return view ? matviewRelation(view) : undefined;
  }

  before(statement: Statement, file: string, found: NameOccurrence[]): void {
    const ast = statement.ast!;
    // CREATE TABLE names its table and columns once it exists: resolved after the statement.
    if (statement.kind !== 'CreateStmt' && statement.kind !== 'CreateTableAsStmt' && statement.kind !== 'ViewStmt') this.names(statement, found);
    switch (statement.kind) {
      case 'RenameStmt':
        return this.rename(ast.RenameStmt, statement, file);
      case 'DoStmt':
        if (!this.opaque && DYNAMIC_DDL.test(statement.text)) this.opaque = `a DO block at ${path.basename(file)}:${statement.range.start.line + 1}`;
        return;
      case 'CreateFunctionStmt': {
        // A function whose body changes tables: a migration that calls it is as opaque as a DO block.
        const names = stringList(ast.CreateFunctionStmt.funcname);
        if (names.length && DYNAMIC_DDL.test(statement.text)) this.ddlFunctions.add(names[names.length - 1]);
        return;
      }
      case 'SelectStmt':
      case 'CallStmt': {
        if (this.opaque || this.ddlFunctions.size === 0) return;
        const called = calledFunction(ast, this.ddlFunctions);
        if (called) this.opaque = `a call of ${called} (a function that changes tables) at ${path.basename(file)}:${statement.range.start.line + 1}`;
        return;
      }
      case 'DropStmt':
        return this.drop(ast.DropStmt);
      case 'CreateExtensionStmt':
        if (typeof ast.CreateExtensionStmt.extname === 'string') this.index.extensions.add(ast.CreateExtensionStmt.extname);
        return;
      default:
        return;
    }
  }

  after(statement: Statement, file: string, found: NameOccurrence[]): void {
    const ast = statement.ast!;
    switch (statement.kind) {
      case 'CreateStmt': {
        const node: Node = ast.CreateStmt;
        const table = resolveTable(this.state, relationName(node.relation) ?? { name: '' });
        // INHERITS (not a partition): the parents' columns are the table's too, and the replay does not copy them.
        if (table && (node.inhRelations ?? []).length > 0 && !node.partbound) this.index.partialColumns.add(table);
        // OF type: the columns are the type's, which the replay does not keep.
        if (table && node.ofTypename) this.index.partialColumns.add(table);
        this.names(statement, found);
        return;
      }
      case 'CreateTableAsStmt': {
        const node: Node = ast.CreateTableAsStmt;
        const table = resolveTable(this.state, relationName(node.into?.rel) ?? { name: '' });
        if (table && table.columns.length === 0) this.index.partialColumns.add(table);
        this.names(statement, found);
        return;
      }
      case 'ViewStmt': {
        const aliases = stringList(ast.ViewStmt.aliases);
        this.define('view', ast.ViewStmt.view, statement, file, aliases.length ? aliases : outputColumns(ast.ViewStmt.query?.SelectStmt));
        this.names(statement, found);
        return;
      }
      case 'AlterTableStmt': {
        // A column ADDed here exists only now: its name leads to it.
        const table = resolveTable(this.state, relationName(ast.AlterTableStmt.relation) ?? { name: '' });
        for (const item of ast.AlterTableStmt.cmds ?? []) {
          const def: Node | undefined = item.AlterTableCmd?.subtype === 'AT_AddColumn' ? item.AlterTableCmd.def?.ColumnDef : undefined;
          const column = def && table?.columns.find((c) => c.name === def.colname);
          if (table && column) found.push({ range: statement.locate(def!.location), target: { kind: 'column', table, column } });
        }
        return;
      }
      case 'CreateSeqStmt':
        return this.define('sequence', ast.CreateSeqStmt.sequence, statement, file);
      case 'CreateForeignTableStmt':
        return this.define('foreign table', ast.CreateForeignTableStmt.base?.relation, statement, file);
      default:
        return;
    }
  }

  private names(statement: Statement, found: NameOccurrence[]): void {
    try {
      found.push(...statementNames(statement, this.lookup).occurrences);
    } catch {
      this.failures++;
    }
  }

  private define(kind: OtherRelation['kind'], rv: Node | undefined, statement: Statement, file: string, columns: string[] = []): void {
    const rel = relationName(rv);
    if (!rel) return;
    const schema = rel.schema ?? this.state.defaultSchema;
    const source: SourceRef = { file, range: nameRange(statement, rel.location), statementRange: statement.range };
    this.index.relations.set(tableKey(schema, rel.name), { kind, schema, name: rel.name, ...(columns.length && { columns }), source });
  }

  private rename(node: Node, statement: Statement, file: string): void {
    const rel = relationName(node.relation);
    if (!rel || typeof node.newname !== 'string') return;
    const source: SourceRef = { file, range: statement.range, statementRange: statement.range };
    const record = (object: Table | Column, from: string): void => {
      const list = this.index.renames.get(object) ?? [];
      list.push({ from, to: node.newname, source });
      this.index.renames.set(object, list);
    };
    const table = resolveTable(this.state, rel);
    if (node.renameType === 'OBJECT_TABLE') {
      if (table) return record(table, table.name);
      const key = tableKey(rel.schema ?? this.state.defaultSchema, rel.name);
      const other = this.index.relations.get(key);
      if (other) {
        this.index.relations.delete(key);
        other.name = node.newname;
        this.index.relations.set(tableKey(other.schema, other.name), other);
      }
      return;
    }
    if (node.renameType === 'OBJECT_VIEW' || node.renameType === 'OBJECT_SEQUENCE' || node.renameType === 'OBJECT_FOREIGN_TABLE') {
      const key = tableKey(rel.schema ?? this.state.defaultSchema, rel.name);
      const other = this.index.relations.get(key);
      if (!other) return;
      this.index.relations.delete(key);
      other.name = node.newname;
      this.index.relations.set(tableKey(other.schema, other.name), other);
      return;
    }
    if (node.renameType === 'OBJECT_COLUMN' && table) {
      const column = table.columns.find((c) => c.name === node.subname);
      if (column) record(column, column.name);
    }
  }

  private drop(node: Node): void {
    const kinds: Record<string, OtherRelation['kind']> = { OBJECT_VIEW: 'view', OBJECT_SEQUENCE: 'sequence', OBJECT_FOREIGN_TABLE: 'foreign table' };
    if (!kinds[node.removeType]) return;
    for (const n of dropObjectNames(node.objects)) this.index.relations.delete(tableKey(n.schema ?? this.state.defaultSchema, n.name));
  }
}

/** The output column names of a view's query, as far as its SELECT list names them (`*` and unnamed expressions are left out). */
function outputColumns(select: Node | undefined): string[] {
  let body = select;
  while (body?.op && body.op !== 'SETOP_NONE') body = body.larg;
  const out: string[] = [];
  for (const t of body?.targetList ?? []) {
    const target: Node | undefined = t.ResTarget;
    const fields: Node[] = target?.val?.ColumnRef?.fields ?? [];
    const name = target?.name ?? fields[fields.length - 1]?.String?.sval;
    if (typeof name === 'string') out.push(name);
  }
  return out;
}

/** The first function call in a statement (`SELECT app.make_table('x')`, `CALL …`) whose name is in `names`, as written. */
function calledFunction(node: unknown, names: Set<string>): string | undefined {
  let hit: string | undefined;
  walk(node, (call, key) => {
    // `FuncCall` in expressions; CALL's `funccall` is the call itself.
    if (key !== 'FuncCall' && key !== 'funccall') return;
    const parts = stringList(call.funcname);
    if (!parts.length || !names.has(parts[parts.length - 1])) return;
    hit = parts.join('.');
    return 'stop';
  });
  return hit;
}

import { stringList, type Node } from '../sql/ast';
import { findEmbeddedSql } from '../sql/embedded';
import { createLineIndex, type LineIndex } from '../sql/line-index';
import { parseSql, statementAtOffset, type ParsedSqlFile } from '../sql/parse';
import { quoteIdent } from '../sql/quote-ident';
import type { Statement } from '../sql/statement';
import type { SourceRange } from '../types';
import { tableKey, type Table } from './model';
import { allRelations, type SchemaIndex } from './schema-index';
import { escapeMarkdown } from './markdown-safe';
import { RUNNER_SCHEMAS, RUNNER_TABLES } from '../migrations/verify/diff';
import { columnHover, columnTypeText, relationHover, tableHover, type HoverTextOptions } from './hover-text';
import { completionContext, nameAt, statementTokensAt, tokenRelations, wordBefore } from './sql-context';
import { identifierName, statementNames, type NameLookup, type NameTarget, type OtherRelation, type QualifiedName, type StatementSource } from './sql-names';

/**
 * Navigation in SQL from the schema a workspace's migrations (or schema.prisma) define, with no
 * database: hover, go to definition, find references, completion and unknown-name diagnostics
 * for a `.sql` document or the SQL in a TypeScript/JavaScript template literal. Every function
 * takes a SchemaIndex (schema-index.ts) and a NavigationDocument; offsets and ranges are the
 * document's.
 */

export type DocumentLanguage = 'sql' | 'script';

/** A stretch of SQL in a document: the whole of a .sql file, or the inside of one template literal. */
export interface SqlRegion {
  /** Offset of the SQL's first character in the document. */
  offset: number;
  sql: string;
  parsed: ParsedSqlFile;
}

export interface NavigationDocument {
  text: string;
  language: DocumentLanguage;
  /** Absolute path, when the document is a file on disk. */
  file?: string;
  regions: SqlRegion[];
  lines: LineIndex;
}

export interface Location {
  file: string;
  /** The name. */
  range: SourceRange;
  /** The whole definition (the CREATE TABLE statement, the column's definition), when known. */
  fullRange?: SourceRange;
}

/** Reads the SQL of a document: parses it once; the editor keeps it per document version. The parser must be loaded. */
export function navigationDocument(text: string, language: DocumentLanguage, file?: string): NavigationDocument {
  const lines = createLineIndex(text);
  if (language === 'sql') return { text, language, file, lines, regions: [{ offset: 0, sql: text, parsed: parseSql(text) }] };
  const regions = findEmbeddedSql(text).map((e) => ({ offset: e.contentStart, sql: e.sql, parsed: parseSql(e.sql) }));
  return { text, language, file, lines, regions };
}

function regionAt(doc: NavigationDocument, offset: number): SqlRegion | undefined {
  return doc.regions.find((r) => offset >= r.offset && offset <= r.offset + r.sql.length);
}

function toDocumentRange(doc: NavigationDocument, region: SqlRegion, range: SourceRange): SourceRange {
  return region.offset === 0 ? range : doc.lines.rangeOf(region.offset + range.startOffset, region.offset + range.endOffset);
}

/** Where a region's `SET search_path` statements change the path: one forward pass over its statements, kept per region. */
const searchPathChanges = new WeakMap<SqlRegion, Array<{ at: number; path: string[] | undefined }>>();

/** The search_path the region's own `SET search_path` statements before `local` leave; undefined when none. */
function searchPathAt(region: SqlRegion, local: number): string[] | undefined {
  let changes = searchPathChanges.get(region);
  if (!changes) {
    changes = [];
    for (const s of region.parsed.statements) {
      const set = s.ast?.VariableSetStmt;
      if (set?.name !== 'search_path') continue;
      const path =
        set.kind !== 'VAR_SET_VALUE'
          ? undefined
          : (set.args ?? []).map((a: { A_Const?: { sval?: { sval?: string } } }) => a.A_Const?.sval?.sval).filter((v: unknown): v is string => typeof v === 'string' && v !== '$user');
      changes.push({ at: s.range.startOffset, path });
    }
    searchPathChanges.set(region, changes);
  }
  // The last change that starts before `local`.
  let lo = 0;
  let hi = changes.length - 1;
  let found: string[] | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (changes[mid].at < local) {
      found = changes[mid].path;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Tables extensions create (in the schema the extension is created in, or their own): a query
 * may name them, qualified or not, though no migration creates them. Other extensions
 * (pgcrypto, http, vector…) create no tables a query would name.
 */
const EXTENSION_TABLES: Record<string, readonly string[]> = {
  postgis: ['spatial_ref_sys', 'geometry_columns', 'geography_columns'],
  postgis_raster: ['raster_columns', 'raster_overviews'],
  postgis_topology: ['topology', 'layer'],
  postgis_tiger_geocoder: ['geocode_settings', 'geocode_settings_default', 'loader_lookuptables', 'loader_platform', 'loader_variables', 'pagc_gaz', 'pagc_lex', 'pagc_rules'],
  pg_partman: ['part_config', 'part_config_sub', 'custom_time_partitions'],
  pg_cron: ['job', 'job_run_details'],
  pgmq: ['meta'],
  pgsodium: ['key'],
  supabase_vault: ['secrets'],
  pg_stat_statements: ['pg_stat_statements', 'pg_stat_statements_info'],
};

/** Tables the migration runners keep for themselves (`goose_db_version`, `_prisma_migrations`…): a query may read them. */
const isRunnerTable = (schema: string | undefined, table: string): boolean => RUNNER_TABLES.has(table) || (schema !== undefined && RUNNER_SCHEMAS.has(schema));

const isTable = (x: Table | OtherRelation): x is Table => !('kind' in x);

/**
 * How a query's names resolve: a qualified name exactly; an unqualified one in the search path
 * (the document's SET search_path, else `public`), else — queries run with a search_path the
 * workspace does not show — the only table of that name in any schema.
 */
export function schemaLookup(index: SchemaIndex, searchPath: string[] | undefined, report: boolean): NameLookup {
  // One lookup per index, search path and purpose: a document of thousands of statements asks for the same few.
  let cache = lookups.get(index);
  if (!cache) lookups.set(index, (cache = new Map()));
  const key = `${report}\0${searchPath === undefined ? '' : `[${searchPath.join('\0')}`}`;
  let lookup = cache.get(key);
  if (!lookup) cache.set(key, (lookup = createLookup(index, searchPath, report)));
  return lookup;
}

const lookups = new WeakMap<SchemaIndex, Map<string, NameLookup>>();

function createLookup(index: SchemaIndex, searchPath: string[] | undefined, report: boolean): NameLookup {
  const path = searchPath ?? ['public'];
  const otherRelations = new Map(allRelations(index).map((r) => [tableKey(r.schema, r.name), r]));
  const find = <T>(get: (key: string) => T | undefined, q: QualifiedName, only: (x: Table | OtherRelation) => x is Table | OtherRelation): T | undefined => {
    if (q.schema) return get(tableKey(q.schema, q.name));
    for (const schema of path) {
      const hit = get(tableKey(schema, q.name));
      if (hit) return hit;
    }
    const all = (index.byName.get(q.name) ?? []).filter(only);
    return all.length === 1 ? get(tableKey(all[0].schema, all[0].name)) : undefined;
  };
  const extensionTables = new Set([...index.extensions].flatMap((e) => EXTENSION_TABLES[e] ?? []));
  return {
    table: (q) => find((k) => index.schema.tables.get(k), q, isTable),
    relation: (q) => find((k) => otherRelations.get(k), q, (x): x is OtherRelation => !isTable(x)),
    columnsKnown: (t) => !index.partialColumns.has(t),
    reportsUnknown: (schema, table) => {
      if (!report || index.incomplete) return false;
      if (table === undefined) return true;
      if (table.startsWith('pg_') || extensionTables.has(table) || isRunnerTable(schema, table)) return false;
      return schema === undefined || index.schemas.has(schema);
    },
  };
}

export interface TargetAt {
  target: NameTarget;
  /** The name in the document. */
  range: SourceRange;
}

/** The table, column, relation or schema named at `offset` of the document. */
export function targetAt(index: SchemaIndex, doc: NavigationDocument, offset: number): TargetAt | undefined {
  // The set's own files: names as the replay resolved them, at that point of the migrations.
  if (doc.file && doc.language === 'sql' && index.texts.get(doc.file) === doc.text) {
    const hit = occurrenceAt(index.occurrences.get(doc.file) ?? [], offset);
    if (hit) return hit;
  }
  const region = regionAt(doc, offset);
  if (!region) return undefined;
  const local = offset - region.offset;
  const lookup = schemaLookup(index, searchPathAt(region, local), false);
  const statement = statementAtOffset(region.parsed, local);
  if (statement?.ast) {
    const hit = occurrenceAt(statementNames(statement, lookup).occurrences, local);
    return hit && { target: hit.target, range: toDocumentRange(doc, region, hit.range) };
  }
  const found = tokenTarget(lookup, region.sql, local);
  return found && { target: found.target, range: doc.lines.rangeOf(region.offset + found.start, region.offset + found.end) };
}

function occurrenceAt(list: readonly { range: SourceRange; target: NameTarget }[], offset: number): TargetAt | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid].range;
    if (r.endOffset < offset) lo = mid + 1;
    else if (r.startOffset > offset) hi = mid - 1;
    else return { target: list[mid].target, range: r };
  }
  // Occurrences found while indexing are sorted; a statement's own are in walk order.
  return list.find((o) => o.range.startOffset <= offset && offset <= o.range.endOffset);
}

/** A name in a statement that does not parse (being typed): read from its tokens. */
function tokenTarget(lookup: NameLookup, sql: string, local: number): { target: NameTarget; start: number; end: number } | undefined {
  const tokens = statementTokensAt(sql, local);
  const at = nameAt(tokens, local);
  if (!at) return undefined;
  const token = tokens[at.index];
  const name = identifierName(token.text);
  const qualifier = at.qualifier.map((t) => identifierName(t.text));
  const span = { start: token.start, end: token.end };
  const relations = tokenRelations(tokens);
  const named = (q: QualifiedName): NameTarget | undefined => {
    const table = lookup.table(q);
    if (table) return { kind: 'table', table };
    const relation = lookup.relation(q);
    return relation ? { kind: 'relation', relation } : undefined;
  };
  if (relations.some((r) => r.schemaStart === token.start)) return { target: { kind: 'schema', schema: name }, ...span };
  if (relations.some((r) => r.start === token.start)) {
    const target = named({ schema: qualifier[qualifier.length - 1], name });
    return target && { target, ...span };
  }
  const tables = (list: QualifiedName[]): Table[] => list.map((r) => lookup.table(r)).filter((t): t is Table => t !== undefined);
  let candidates: Table[];
  if (qualifier.length > 0) {
    const q = qualifier[qualifier.length - 1];
    const source = relations.find((r) => (r.alias ?? r.name) === q);
    candidates = tables([source ?? { schema: qualifier[qualifier.length - 2], name: q }]);
  } else {
    candidates = tables(relations);
  }
  for (const table of candidates) {
    const column = table.columns.find((c) => c.name === name);
    if (column) return { target: { kind: 'column', table, column }, ...span };
  }
  if (qualifier.length > 0) return undefined;
  const alias = relations.find((r) => r.alias === name);
  const target = named(alias ?? { name });
  return target && { target, ...span };
}

export interface HoverResult {
  markdown: string;
  range: SourceRange;
}

export function hoverAt(index: SchemaIndex, doc: NavigationDocument, offset: number, options: HoverTextOptions = {}): HoverResult | undefined {
  const found = targetAt(index, doc, offset);
  return found && { markdown: describeTarget(index, found.target, options), range: found.range };
}

/** The hover text of a table, column, relation or schema. */
export function describeTarget(index: SchemaIndex, target: NameTarget, options: HoverTextOptions = {}): string {
  switch (target.kind) {
    case 'table':
      return tableHover(index, target.table, options);
    case 'column':
      return columnHover(index, target.table, target.column, options);
    case 'relation':
      return relationHover(index, target.relation, options);
    case 'schema': {
      const tables = [...index.schema.tables.values()].filter((t) => t.schema === target.schema).length;
      return `**${escapeMarkdown(target.schema)}** — schema, ${tables} ${tables === 1 ? 'table' : 'tables'} in ${escapeMarkdown(index.label)}`;
    }
  }
}

/** Where a target is declared: the CREATE TABLE / ADD COLUMN (or the view's CREATE), and the Prisma model or field. */
export function definitionsOf(index: SchemaIndex, target: NameTarget): Location[] {
  const out: Location[] = [];
  const add = (l: Location | undefined): void => {
    if (l && !out.some((o) => o.file === l.file && o.range.startOffset === l.range.startOffset)) out.push(l);
  };
  const prisma = (t: Table) => index.prisma?.get(tableKey(t.schema, t.name));
  switch (target.kind) {
    case 'table': {
      const s = target.table.source;
      if (s) add({ file: s.file, range: s.range, ...(s.statementRange && { fullRange: s.statementRange }) });
      const model = prisma(target.table)?.model;
      if (model) add({ file: model.file, range: model.range });
      break;
    }
    case 'column': {
      // A column's source is its whole definition (`email text NOT NULL`): its name is where it starts.
      const s = target.column.source;
      if (s) add({ file: s.file, range: leadingName(index, s.file, s.range), fullRange: s.range });
      const field = prisma(target.table)?.fields.get(target.column.name);
      if (field) add({ file: field.file, range: field.range });
      break;
    }
    case 'relation': {
      const s = target.relation.source;
      if (s) add({ file: s.file, range: s.range, ...(s.statementRange && { fullRange: s.statementRange }) });
      break;
    }
    case 'schema':
      break;
  }
  return out;
}

/** The identifier a range starts with, in a file the index read (else the whole range). */
function leadingName(index: SchemaIndex, file: string, range: SourceRange): SourceRange {
  const text = index.texts.get(file);
  const m = text === undefined ? null : /^(?:"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)/.exec(text.slice(range.startOffset, range.endOffset));
  if (!m) return range;
  const end = range.startOffset + m[0].length;
  return { startOffset: range.startOffset, endOffset: end, start: range.start, end: { line: range.start.line, character: range.start.character + m[0].length } };
}

export function definitionAt(index: SchemaIndex, doc: NavigationDocument, offset: number): Location[] {
  const found = targetAt(index, doc, offset);
  return found ? definitionsOf(index, found.target) : [];
}

export function sameTarget(a: NameTarget, b: NameTarget): boolean {
  switch (a.kind) {
    case 'table':
      return b.kind === 'table' && a.table === b.table;
    case 'column':
      return b.kind === 'column' && a.column === b.column;
    case 'relation':
      return b.kind === 'relation' && a.relation === b.relation;
    case 'schema':
      return b.kind === 'schema' && a.schema === b.schema;
  }
}

function targetName(target: NameTarget): string {
  switch (target.kind) {
    case 'table':
      return target.table.name;
    case 'column':
      return target.column.name;
    case 'relation':
      return target.relation.name;
    case 'schema':
      return target.schema;
  }
}

/** A file find-references reads: a query file (.sql) or a code file with SQL in template literals. */
export interface ReferenceFile {
  file: string;
  text: string;
  language: DocumentLanguage;
}

/**
 * Where a target is named: its definitions, the set's migrations (as the replay resolved them,
 * so names before a rename count), and each other file's statements. Files whose text never
 * spells the name (or a name it had) are not parsed.
 */
export function referencesTo(index: SchemaIndex, target: NameTarget, files: Iterable<ReferenceFile>, options: { includeDefinition?: boolean } = {}): Location[] {
  const out: Location[] = options.includeDefinition === false ? [] : definitionsOf(index, target);
  for (const [file, list] of index.occurrences) {
    for (const o of list) if (!o.alias && sameTarget(o.target, target)) out.push({ file, range: o.range });
  }
  const object = target.kind === 'table' ? target.table : target.kind === 'column' ? target.column : undefined;
  const spellings = [targetName(target), ...(object ? (index.renames.get(object) ?? []).map((r) => r.from) : [])].map((n) => n.toLowerCase());
  for (const f of files) {
    if (index.texts.has(f.file)) continue;
    const lower = f.text.toLowerCase();
    if (!spellings.some((n) => lower.includes(n))) continue;
    const doc = navigationDocument(f.text, f.language, f.file);
    for (const region of doc.regions) {
      for (const statement of region.parsed.statements) {
        if (!statement.ast) continue;
        const lookup = schemaLookup(index, searchPathAt(region, statement.range.startOffset), false);
        for (const o of statementNames(statement, lookup).occurrences) {
          if (!o.alias && sameTarget(o.target, target)) out.push({ file: f.file, range: toDocumentRange(doc, region, o.range) });
        }
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((l) => {
    const key = `${l.file}\0${l.range.startOffset}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export type CompletionKind = 'table' | 'view' | 'column' | 'schema' | 'alias';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  insertText: string;
  /** What the editor matches the typed text against (the quoted name when the user typed a quote). */
  filterText: string;
  detail: string;
  sortText: string;
  /** For the documentation, computed when the editor asks (describeTarget). */
  target?: NameTarget;
}

export interface Completions {
  items: CompletionEntry[];
  /** The document offsets of the text the items replace (the name being typed). */
  start: number;
  end: number;
}

/** Table names after FROM/JOIN/UPDATE/INTO, columns after `alias.` and in expressions of a statement whose FROM names tables. */
export function completionsAt(index: SchemaIndex, doc: NavigationDocument, offset: number): Completions | undefined {
  const region = regionAt(doc, offset);
  if (!region) return undefined;
  const local = offset - region.offset;
  const word = wordBefore(region.sql, local);
  const tokens = statementTokensAt(region.sql, local).filter((t) => t.end <= word.start || t.start >= local);
  const context = completionContext(tokens, word.start);
  if (context.kind === 'none') return undefined;
  const lookup = schemaLookup(index, searchPathAt(region, local), false);
  const quoted = word.text.startsWith('"');
  const entry = (name: string, kind: CompletionKind, detail: string, rank: number, target?: NameTarget): CompletionEntry => {
    const insertText = quoted ? `"${name.replace(/"/g, '""')}"` : quoteIdent(name);
    return { label: name, kind, insertText, filterText: quoted ? insertText : name, detail, sortText: `${rank}${name}`, ...(target && { target }) };
  };
  const relationEntries = (schema?: string): CompletionEntry[] => {
    const out: CompletionEntry[] = [];
    const path = searchPathAt(region, local) ?? ['public'];
    // Tables outside the search path come qualified (`auth.users`); after `schema.`, that schema's alone.
    const add = (e: CompletionEntry, of: string): void => {
      if (schema && of !== schema) return;
      if (!schema && !path.includes(of)) Object.assign(e, { label: `${of}.${e.label}`, insertText: `${quoteIdent(of)}.${e.insertText}` });
      out.push(e);
    };
    for (const t of index.schema.tables.values()) {
      add(entry(t.name, 'table', `table · ${t.columns.length} ${t.columns.length === 1 ? 'column' : 'columns'} · ${index.label}`, 0, { kind: 'table', table: t }), t.schema);
    }
    for (const r of allRelations(index)) add(entry(r.name, 'view', `${r.kind} · ${index.label}`, 1, { kind: 'relation', relation: r }), r.schema);
    if (!schema) for (const s of index.schemas) if (!path.includes(s)) out.push(entry(s, 'schema', 'schema', 2, { kind: 'schema', schema: s }));
    return out;
  };
  const columnEntries = (tables: Array<{ table?: Table; relation?: OtherRelation }>): CompletionEntry[] => {
    const byName = new Map<string, CompletionEntry>();
    for (const { table, relation } of tables) {
      for (const c of table?.columns ?? []) {
        const existing = byName.get(c.name);
        if (existing) existing.detail += `, ${table!.name}`;
        else byName.set(c.name, entry(c.name, 'column', `${columnTypeText(c)}${c.notNull ? ' NOT NULL' : ''} · ${table!.name}`, 0, { kind: 'column', table: table!, column: c }));
      }
      for (const name of relation?.columns ?? []) if (!byName.has(name)) byName.set(name, entry(name, 'column', `${relation!.kind} ${relation!.name}`, 0));
    }
    return [...byName.values()];
  };
  let items: CompletionEntry[] = [];
  switch (context.kind) {
    case 'relation':
      items = relationEntries();
      break;
    case 'insert-columns':
      items = columnEntries([{ table: lookup.table(context.table) }]);
      break;
    case 'qualified': {
      const q = context.qualifier;
      const sources = statementSources(region, local, tokens, lookup);
      const source = q.length === 1 ? sources.find((s) => s.refName === q[0]) : undefined;
      if (source && (source.table || source.relation)) items = columnEntries([source]);
      else if (q.length === 1 && index.schemas.has(q[0])) items = relationEntries(q[0]);
      else {
        const named = q.length === 1 ? { name: q[0] } : { schema: q[q.length - 2], name: q[q.length - 1] };
        items = columnEntries([{ table: lookup.table(named), relation: lookup.relation(named) }]);
      }
      break;
    }
    case 'column': {
      const sources = statementSources(region, local, tokens, lookup).filter((s) => s.table || s.relation);
      items = columnEntries(sources);
      const aliases = new Set<string>();
      for (const s of sources) {
        if (aliases.has(s.refName)) continue;
        aliases.add(s.refName);
        const target: NameTarget | undefined = s.table ? { kind: 'table', table: s.table } : s.relation ? { kind: 'relation', relation: s.relation } : undefined;
        items.push(entry(s.refName, 'alias', s.table ? `${s.table.schema === 'public' ? '' : `${s.table.schema}.`}${s.table.name}` : (s.relation?.kind ?? ''), 1, target));
      }
      break;
    }
  }
  return { items, start: region.offset + word.start, end: offset };
}

/** The relations the statement at `local` names: from its parse when it parses, else from its tokens. */
function statementSources(region: SqlRegion, local: number, tokens: ReturnType<typeof statementTokensAt>, lookup: NameLookup): StatementSource[] {
  const statement: Statement | undefined = statementAtOffset(region.parsed, local);
  if (statement?.ast) return statementNames(statement, lookup).sources;
  return tokenRelations(tokens).map((r) => ({ refName: r.alias ?? r.name, table: lookup.table(r), relation: lookup.relation(r) }));
}

export interface NameDiagnostic {
  code: 'unknown-table' | 'unknown-column' | 'schema-incomplete' | 'document-too-large';
  severity: 'warning' | 'info';
  message: string;
  range: SourceRange;
}

const QUERY_KINDS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/**
 * Tables and columns a document's queries name that the schema does not have. When the set did
 * not replay fully, one note says so instead (on the first query), and nothing is checked.
 */
export function nameDiagnostics(index: SchemaIndex, doc: NavigationDocument, limits: DiagnosticsLimits = {}): NameDiagnostic[] {
  const statements = doc.regions.reduce((n, r) => n + r.parsed.statements.length, 0);
  const tooLarge = largeDocumentNote(doc.text, statements, limits);
  if (tooLarge) return [tooLarge];
  const out: NameDiagnostic[] = [];
  for (const region of doc.regions) {
    const created = new Map<string, OtherRelation>();
    for (const statement of region.parsed.statements) {
      const made = documentRelation(statement, searchPathAt(region, statement.range.startOffset));
      if (made) created.set(tableKey(made.schema, made.name), made);
      if (!statement.ast || !QUERY_KINDS.has(statement.kind)) continue;
      if (index.incomplete) {
        const first = statement.tokens()[0];
        const range = toDocumentRange(doc, region, statement.rangeOf(first?.start ?? statement.range.startOffset, first?.end ?? statement.range.startOffset));
        return [{ code: 'schema-incomplete', severity: 'info', message: `pglens does not check table and column names here: ${index.incomplete}.`, range }];
      }
      const base = schemaLookup(index, searchPathAt(region, statement.range.startOffset), true);
      const lookup = created.size > 0 ? withCreated(base, created) : base;
      for (const u of statementNames(statement, lookup).unknown) {
        out.push({ code: u.kind === 'table' ? 'unknown-table' : 'unknown-column', severity: 'warning', message: unknownMessage(index, u, lookup), range: toDocumentRange(doc, region, u.range) });
      }
    }
  }
  return out;
}

/**
 * A relation the document itself creates before a query (a temporary table, CREATE TABLE AS,
 * SELECT … INTO, a view): known by name from there on, its columns not checked.
 */
function documentRelation(statement: Statement, searchPath: string[] | undefined): OtherRelation | undefined {
  const ast = statement.ast;
  if (!ast) return undefined;
  let rv: Node | undefined;
  let kind: OtherRelation['kind'] = 'table';
  let columns: string[] = [];
  if (ast.CreateStmt) {
    rv = ast.CreateStmt.relation;
    const elts: Node[] = ast.CreateStmt.tableElts ?? [];
    if (!ast.CreateStmt.ofTypename && !(ast.CreateStmt.inhRelations ?? []).length && elts.every((e) => e.ColumnDef || e.Constraint)) {
      columns = elts.filter((e) => typeof e.ColumnDef?.colname === 'string').map((e) => e.ColumnDef.colname);
    }
  } else if (ast.CreateTableAsStmt) {
    rv = ast.CreateTableAsStmt.into?.rel;
    if (ast.CreateTableAsStmt.objtype === 'OBJECT_MATVIEW') kind = 'materialized view';
    columns = stringList(ast.CreateTableAsStmt.into?.colNames);
  } else if (ast.ViewStmt) {
    rv = ast.ViewStmt.view;
    kind = 'view';
    columns = stringList(ast.ViewStmt.aliases);
  } else if (ast.SelectStmt?.intoClause) {
    rv = ast.SelectStmt.intoClause.rel;
  }
  if (!rv || typeof rv.relname !== 'string') return undefined;
  const temporary = rv.relpersistence === 't';
  const schema: string = rv.schemaname ?? (temporary ? 'pg_temp' : (searchPath?.[0] ?? 'public'));
  return { kind, schema, name: rv.relname, ...(columns.length && { columns }) };
}

/** A lookup that also knows the relations the document created before the statement (unqualified: by name in any schema). */
function withCreated(base: NameLookup, created: Map<string, OtherRelation>): NameLookup {
  const find = (q: QualifiedName): OtherRelation | undefined => {
    if (q.schema) return created.get(tableKey(q.schema, q.name));
    for (const r of created.values()) if (r.name === q.name) return r;
    return undefined;
  };
  return {
    ...base,
    relation: (q) => base.relation(q) ?? (base.table(q) ? undefined : find(q)),
    reportsUnknown: (schema, table) => (table !== undefined && find({ schema, name: table }) ? false : base.reportsUnknown(schema, table)),
  };
}

export interface DiagnosticsLimits {
  /** Characters; default DIAGNOSTICS_MAX_LENGTH. */
  maxLength?: number;
  /** Statements; default DIAGNOSTICS_MAX_STATEMENTS. */
  maxStatements?: number;
}

/** Documents larger than this (characters or statements) are not checked for unknown names: one note says so. */
export const DIAGNOSTICS_MAX_LENGTH = 1_000_000;
export const DIAGNOSTICS_MAX_STATEMENTS = 5_000;

/**
 * The note on a document too large to check (a dump, generated SQL): checking it would hold the
 * editor for seconds on each edit. `statements` when known (the document is parsed).
 */
export function largeDocumentNote(text: string, statements?: number, limits: DiagnosticsLimits = {}): NameDiagnostic | undefined {
  const long = text.length > (limits.maxLength ?? DIAGNOSTICS_MAX_LENGTH);
  if (!long && (statements === undefined || statements <= (limits.maxStatements ?? DIAGNOSTICS_MAX_STATEMENTS))) return undefined;
  const size = long ? `${(text.length / 1_000_000).toFixed(1)} MB` : `${statements!.toLocaleString('en-US')} statements`;
  const newline = text.search(/[\r\n]/);
  const end = Math.min(newline === -1 ? text.length : newline, 200);
  const range: SourceRange = { startOffset: 0, endOffset: end, start: { line: 0, character: 0 }, end: { line: 0, character: end } };
  return {
    code: 'document-too-large',
    severity: 'info',
    message: `pglens does not check table and column names in this document: it is too large (${size}; the limit is 1 MB and 5,000 statements).`,
    range,
  };
}

function unknownMessage(index: SchemaIndex, u: { kind: 'table' | 'column'; name: string; schema?: string; table?: string; tables?: string[] }, lookup: NameLookup): string {
  const shown = (key: string): string => (key.startsWith('public.') ? key.slice(7) : key);
  if (u.kind === 'table') {
    const names = [...index.schema.tables.values()].filter((t) => !u.schema || t.schema === u.schema).map((t) => t.name);
    const name = u.schema ? `${u.schema}.${u.name}` : u.name;
    return `Unknown table "${name}": ${index.label} defines no such table${suggestion(u.name, names)}`;
  }
  const keys = u.table ? [u.table] : (u.tables ?? []);
  const columns = keys.flatMap((k) => lookup.table({ schema: k.slice(0, k.indexOf('.')), name: k.slice(k.indexOf('.') + 1) })?.columns.map((c) => c.name) ?? []);
  const where = keys.length === 1 ? `table ${shown(keys[0])} has` : `none of ${keys.map(shown).join(', ')} has`;
  return `Unknown column "${u.name}": ${where} no such column${suggestion(u.name, columns)}`;
}

/** ` (did you mean "x"?)` for the closest name within two edits. */
function suggestion(name: string, candidates: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of new Set(candidates)) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

import { parseStatements } from '../../sql/parse-statements';
import { literal } from './snapshot';
import type { CatalogSnapshot, ObjectKind, QueryRows, SchemaDifference, SnapshotObject } from './types';

/**
 * Generating the down of a migration that has none (issue #15): from the catalog before its up
 * and after it, the statements that take the database back. What the up created is dropped
 * (dependents first: triggers, policies, views, constraints, indexes, then columns, tables,
 * sequences, functions, types); what it renamed is renamed back (a rename's down must not
 * destroy data); what it changed is changed back; what it dropped is re-created — a table or a
 * column empty, which restores the schema but not the data, and says so.
 *
 * What cannot be reversed from the schema alone is written as a `--` commented block saying
 * why, never left out, and listed in `irreversible`: a dropped table's or column's contents, a
 * type narrowed back (possibly failing on data written since), an enum value the up added
 * (Postgres cannot drop one: the block gives the type-swap recipe), rows the up changed.
 *
 * Every identifier comes from the snapshot, which holds them as quote_ident renders them.
 */

/** One statement of the down (or a comment-only block), in order. */
export interface DownStatement {
  /** Comment lines, without their `-- `, written above the statement. */
  comment?: string[];
  /** The statement without its semicolon; absent for a block that is a comment only. */
  sql?: string;
}

/** A difference the down knowingly leaves (an enum value Postgres cannot drop): verification accepts these and only these. */
export interface ResidualDifference {
  change: SchemaDifference['change'];
  kind: ObjectKind;
  name: string;
}

export interface GeneratedDown {
  /** The down as SQL text: the statements, each with its comments, `;`-terminated. */
  sql: string;
  /** What the down cannot reverse, one line each (also written as comments in `sql`). */
  irreversible: string[];
  /** The statements `sql` is made of (runners that wrap statements, goose's StatementBegin, use them). */
  statements: DownStatement[];
  /** Differences from the schema before the up that the down leaves on purpose. */
  residual: ResidualDifference[];
  /** Renames the down reverses, `public.accounts → public.users`. */
  renames: string[];
  /** The up changes rows of tables it did not create: a second up may trip over them (a duplicate key). */
  dataChanges: boolean;
}

/** What the up's statements say, to tell a rename from a drop + create (read by `readUpHints`). */
export interface UpHints {
  renames: RenameHint[];
  /** Row changes to tables (raw names), e.g. `{ statement: 'UPDATE', schema: undefined, table: 'users' }`. */
  dataChanges: Array<{ statement: string; schema?: string; table: string }>;
  /** The up runs code pglens cannot read (DO blocks, CALL, SELECT of functions): renames are also guessed from the schema. */
  opaque: boolean;
}

/** Raw (unquoted) names, as written in the up. */
export type RenameHint =
  | { kind: 'relation' | 'type'; schema?: string; from: string; to: string }
  | { kind: 'relation-schema' | 'type-schema'; schema?: string; name: string; newSchema: string }
  | { kind: 'column'; schema?: string; table: string; from: string; to: string };

export interface GenerateDownOptions {
  /** From `readUpHints(up text)`: renames come from the up's statements; without, they are guessed from the schema. */
  hints?: UpHints;
  /**
   * From `readDefinitions` on the database before the up: functions and views re-created as
   * Postgres prints them (indentation and string literals as written), instead of from the
   * snapshot's whitespace-normalised text.
   */
  definitions?: Definitions;
}

/** `CREATE OR REPLACE FUNCTION …` by signature (`public.f(integer)`), view query by name (`public.v`). */
export interface Definitions {
  functions: Map<string, string>;
  views: Map<string, string>;
}

/**
 * The exact definitions of the database's functions (not aggregates) and views, named as the
 * snapshot names them (search_path set to pg_catalog while reading, then restored).
 */
export async function readDefinitions(query: QueryRows): Promise<Definitions> {
  const [settings] = await query(`SELECT current_setting('search_path') AS sp`);
  await query(`SELECT set_config('search_path', 'pg_catalog', false)`);
  const user = (n: string) => `${n}.nspname NOT IN ('pg_catalog', 'information_schema') AND ${n}.nspname NOT LIKE 'pg\\_toast%' AND ${n}.nspname NOT LIKE 'pg\\_temp%'`;
  const notMember = (catalog: string, oid: string) => `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;
  try {
    const functions = await query(`
SELECT p.oid::regprocedure::text AS name, pg_get_functiondef(p.oid) AS def
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prokind <> 'a' AND ${user('n')} AND ${notMember('pg_proc', 'p.oid')}`);
    const views = await query(`
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, pg_get_viewdef(c.oid) AS def
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND ${user('n')} AND ${notMember('pg_class', 'c.oid')}`);
    const map = (rows: Array<Record<string, unknown>>) => new Map(rows.map((r) => [String(r.name), String(r.def)]));
    return { functions: map(functions), views: map(views) };
  } finally {
    await query(`SELECT set_config('search_path', ${literal(String(settings?.sp ?? ''))}, false)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the up.

const RELATION_RENAMES = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE', 'OBJECT_SEQUENCE']);
const TYPE_RENAMES = new Set(['OBJECT_TYPE', 'OBJECT_DOMAIN']);

/** The renames and row changes of an up, from its statements (the parser must be loaded: `loadSqlParser`). Undefined when it does not parse. */
export function readUpHints(upText: string): UpHints | undefined {
  let statements;
  try {
    statements = parseStatements(upText);
  } catch {
    return undefined;
  }
  const hints: UpHints = { renames: [], dataChanges: [], opaque: false };
  const rangeVar = (r: unknown): { schema?: string; table: string } | undefined => {
    const v = r as { schemaname?: string; relname?: string } | undefined;
    return v?.relname ? { ...(v.schemaname && { schema: v.schemaname }), table: v.relname } : undefined;
  };
  const nameList = (items: unknown): string[] =>
    ((items as Array<{ String?: { sval?: string } }> | undefined) ?? []).map((i) => i.String?.sval ?? '').filter(Boolean);
  for (const s of statements) {
    const node = s.node[s.kind] as Record<string, unknown>;
    switch (s.kind) {
      case 'RenameStmt': {
        const type = String(node.renameType);
        const rel = rangeVar(node.relation);
        const to = String(node.newname ?? '');
        if (RELATION_RENAMES.has(type) && rel) hints.renames.push({ kind: 'relation', ...(rel.schema && { schema: rel.schema }), from: rel.table, to });
        else if (type === 'OBJECT_COLUMN' && rel && node.subname) hints.renames.push({ kind: 'column', ...(rel.schema && { schema: rel.schema }), table: rel.table, from: String(node.subname), to });
        else if (TYPE_RENAMES.has(type)) {
          const names = nameList((node.object as { List?: { items?: unknown } } | undefined)?.List?.items ?? (node.object as { TypeName?: { names?: unknown } } | undefined)?.TypeName?.names);
          if (names.length) hints.renames.push({ kind: 'type', ...(names.length > 1 && { schema: names[names.length - 2] }), from: names[names.length - 1], to });
        }
        break;
      }
      case 'AlterObjectSchemaStmt': {
        const type = String(node.objectType);
        const rel = rangeVar(node.relation);
        const newSchema = String(node.newschema ?? '');
        if (RELATION_RENAMES.has(type) && rel) hints.renames.push({ kind: 'relation-schema', ...(rel.schema && { schema: rel.schema }), name: rel.table, newSchema });
        else if (TYPE_RENAMES.has(type)) {
          const names = nameList((node.object as { List?: { items?: unknown } } | undefined)?.List?.items);
          if (names.length) hints.renames.push({ kind: 'type-schema', ...(names.length > 1 && { schema: names[names.length - 2] }), name: names[names.length - 1], newSchema });
        }
        break;
      }
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt': {
        const rel = rangeVar(node.relation);
        if (rel) hints.dataChanges.push({ statement: s.kind.replace(/Stmt$/, '').toUpperCase(), ...rel });
        break;
      }
      case 'TruncateStmt':
        for (const r of (node.relations as Array<{ RangeVar?: unknown }> | undefined) ?? []) {
          const rel = rangeVar(r.RangeVar);
          if (rel) hints.dataChanges.push({ statement: 'TRUNCATE', ...rel });
        }
        break;
      case 'DoStmt':
      case 'CallStmt':
      case 'ExecuteStmt':
      case 'SelectStmt':
        hints.opaque = true;
        break;
      default:
        break;
    }
  }
  return hints;
}

// ---------------------------------------------------------------------------------------------
// Names. Snapshot names are quote_ident'ed and dot-joined: `public.users`, `app."Weird"`.

/** The parts of a quoted, dot-joined name (each still quoted as given). */
function splitName(q: string): string[] {
  const parts: string[] = [];
  const re = /"(?:[^"]|"")*"|[^."]+/y;
  let i = 0;
  while (i < q.length) {
    re.lastIndex = i;
    const m = re.exec(q);
    if (!m) break;
    parts.push(m[0]);
    i = re.lastIndex;
    if (q[i] === '.') i++;
    else break;
  }
  return parts;
}

/** The raw value of one identifier as quote_ident renders it. */
function raw(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part;
}

/** How quote_ident renders a raw name (close enough: lower-case words stay bare unless reserved). */
function quote(rawName: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(rawName) && !RESERVED.has(rawName) ? rawName : `"${rawName.replace(/"/g, '""')}"`;
}

const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast char character check coalesce collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp current_user dec decimal default deferrable desc ' +
    'distinct do else end except exists extract false fetch float for foreign freeze from full grant greatest group grouping having ilike in initially inner inout int integer ' +
    'intersect interval into is isnull join lateral leading least left like limit localtime localtimestamp national natural nchar none normalize not notnull null nullif numeric ' +
    'offset on only or order out outer overlaps overlay placing position precision primary real references returning right row select session_user setof similar smallint some ' +
    'substring symmetric system_user table tablesample then time timestamp to trailing treat trim true union unique user using values varchar variadic verbose when where window with xmlattributes ' +
    'xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '),
);

/** The last part of a dot-joined name: a table's name without its schema. */
function lastPart(q: string): string {
  const parts = splitName(q);
  return parts[parts.length - 1] ?? q;
}

function schemaPart(q: string): string {
  const parts = splitName(q);
  return parts.length > 1 ? parts[0] : 'public';
}

/** A column's own (quoted) name: its object name without the table. */
function columnName(obj: SnapshotObject): string {
  return obj.table && obj.name.startsWith(`${obj.table}.`) ? obj.name.slice(obj.table.length + 1) : lastPart(obj.name);
}

/** The name part of a function signature `public.f(integer)`. */
function functionName(signature: string): string {
  const parts = splitName(signature.slice(0, signatureParen(signature)));
  return parts.join('.');
}

function signatureParen(signature: string): number {
  let inQuote = false;
  for (let i = 0; i < signature.length; i++) {
    const c = signature[i];
    if (c === '"') inQuote = !inQuote;
    else if (c === '(' && !inQuote) return i;
  }
  return signature.length;
}

// ---------------------------------------------------------------------------------------------
// Rewriting names inside keys, names and attributes: how the after-snapshot reads once the
// renames are undone, so that an index on a renamed column still matches its before self.

interface Token {
  text: string;
  /** The raw identifier, for identifiers. */
  id?: string;
}

const TOKEN = /"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*|'(?:[^']|'')*'|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$|\s+|[\s\S]/gy;

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < s.length && (m = TOKEN.exec(s))) {
    const t = m[0];
    const c = t.charCodeAt(0);
    if (c === 34) out.push({ text: t, id: raw(t) });
    else if (/^[A-Za-z_\u0080-\uffff]/.test(t)) out.push({ text: t, id: t });
    else out.push({ text: t });
  }
  return out;
}

interface RenameRules {
  /** Relations and types: `schema\0name` (raw, after) → quoted before schema and name. */
  relations: Map<string, { schema: string; name: string }>;
  /** Columns: `schema\0table\0column` (raw; the table as before the up) → quoted before name. */
  columns: Map<string, string>;
  /** Raw table names that have column rules, for `alias.column` references. */
  columnTables: Map<string, string>;
}

const rel = (schema: string, name: string): string => `${schema}\u0000${name}`;

function emptyRules(): RenameRules {
  return { relations: new Map(), columns: new Map(), columnTables: new Map() };
}

/**
 * `s` with renamed relations and columns written as before the up. `scope` (the raw schema and
 * table, before-named) lets a bare column name be rewritten: inside an index, constraint,
 * trigger or policy of that table.
 */
function rewrite(s: string, rules: RenameRules, scope?: { schema: string; table: string }): string {
  if (rules.relations.size === 0 && rules.columns.size === 0) return s;
  const toks = tokenize(s);
  const sig = (i: number, dir: 1 | -1): number => {
    for (let j = i + dir; j >= 0 && j < toks.length; j += dir) if (!/^\s+$/.test(toks[j].text)) return j;
    return -1;
  };
  const isDot = (i: number): boolean => i >= 0 && toks[i].text === '.';
  let refScope: { schema: string; table: string } | undefined;
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.text === '(' && refScope) depth++;
    if (t.text === ')' && refScope && --depth === 0) refScope = undefined;
    if (t.id === undefined) continue;
    const prev = sig(i, -1);
    if (isDot(prev)) continue; // handled with its qualifier
    const dot = sig(i, 1);
    // schema.name[.column]
    if (isDot(dot)) {
      const j = sig(dot, 1);
      if (j < 0 || toks[j].id === undefined) continue;
      const target = rules.relations.get(rel(t.id, toks[j].id!));
      let schema = t.id;
      let table = toks[j].id!;
      if (target) {
        t.text = target.schema;
        toks[j].text = target.name;
        schema = raw(target.schema);
        table = raw(target.name);
      }
      const dot2 = sig(j, 1);
      if (isDot(dot2)) {
        const k = sig(dot2, 1);
        const col = k >= 0 && toks[k].id !== undefined ? rules.columns.get(`${rel(schema, table)}\u0000${toks[k].id}`) : undefined;
        if (col) toks[k].text = col;
      } else {
        // alias.column (a view's `t.col`, a trigger's `new.col`), or REFERENCES schema.table (cols)
        const aliasTable = t.id === 'new' || t.id === 'old' ? scope : rules.columnTables.has(t.id) ? { schema: rules.columnTables.get(t.id)!, table: t.id } : undefined;
        if (aliasTable && !target) {
          const col = rules.columns.get(`${rel(aliasTable.schema, aliasTable.table)}\u0000${toks[j].id}`);
          if (col) toks[j].text = col;
        }
        const before = sig(i, -1);
        const open = sig(j, 1);
        if (before >= 0 && /^references$/i.test(toks[before].text) && open >= 0 && toks[open].text === '(') {
          refScope = { schema, table };
          depth = 0;
        }
      }
      i = j;
      continue;
    }
    // A bare column name: not a function call.
    if (dot >= 0 && toks[dot].text === '(') continue;
    const inScope = refScope ?? scope;
    if (!inScope) continue;
    const col = rules.columns.get(`${rel(inScope.schema, inScope.table)}\u0000${t.id}`);
    if (col) t.text = col;
  }
  return toks.map((t) => t.text).join('');
}

/** The kind word of a key (`column`, `index`, `enum-value`…) and the rest. */
function splitKey(key: string): [string, string] {
  const at = key.indexOf(' ');
  return at < 0 ? [key, ''] : [key.slice(0, at), key.slice(at + 1)];
}

/** Kinds whose key and attributes name columns of their own table bare (`(email)`, `CHECK (length(name) > 0)`). */
const SCOPED: ReadonlySet<ObjectKind> = new Set<ObjectKind>(['column', 'index', 'constraint', 'trigger', 'policy']);

function rewriteObject(key: string, obj: SnapshotObject, rules: RenameRules): { key: string; obj: SnapshotObject } {
  const table = obj.table === undefined ? undefined : rewrite(obj.table, rules);
  const scope = table && SCOPED.has(obj.kind) ? { schema: raw(schemaPart(table)), table: raw(lastPart(table)) } : undefined;
  const attributes: Record<string, string> = {};
  // A body is source text Postgres keeps as written; a name is one identifier of its own.
  for (const [k, v] of Object.entries(obj.attributes)) attributes[k] = k === 'body' ? v : rewrite(v, rules, k === 'name' ? undefined : scope);
  const out: SnapshotObject = { ...obj, name: rewrite(obj.name, rules), attributes };
  if (table !== undefined) out.table = table;
  if (obj.parent !== undefined) out.parent = rewriteKey(obj.parent, rules);
  const [word, rest] = splitKey(key);
  // Only an index's or a constraint's key holds its definition; a trigger's or policy's holds its name.
  const keyScope = obj.kind === 'index' || obj.kind === 'constraint' ? scope : undefined;
  return { key: rest ? `${word} ${rewrite(rest, rules, keyScope)}` : key, obj: out };
}

function rewriteKey(key: string, rules: RenameRules): string {
  const [word, rest] = splitKey(key);
  return rest ? `${word} ${rewrite(rest, rules)}` : key;
}

// ---------------------------------------------------------------------------------------------
// The generator.

/** Statement phases, in the order the down runs them. */
const Phase = {
  Notes: 0,
  DropTriggers: 10,
  DropPolicies: 11,
  DropViews: 20,
  DropForeignKeys: 30,
  DropConstraints: 31,
  DropIndexes: 32,
  DropRowTypeFunctions: 33,
  DropColumns: 34,
  DropTables: 35,
  RenameRelations: 40,
  RenameColumns: 41,
  RenameOther: 42,
  CreateSchemas: 50,
  CreateExtensions: 51,
  CreateTypes: 52,
  EnumValues: 53,
  CreateSequences: 54,
  ReplaceFunctions: 55,
  AlterTables: 60,
  AlterColumns: 61,
  AlterSequences: 62,
  DropSequences: 70,
  DropFunctions: 71,
  DropTypes: 72,
  DropExtensions: 73,
  DropSchemas: 74,
  CreateTables: 80,
  AddColumns: 81,
  CreateSqlFunctions: 82,
  CreateViews: 83,
  AddConstraints: 90,
  CreateIndexes: 91,
  AddForeignKeys: 92,
  OwnedBy: 93,
  CreateTriggers: 94,
  CreatePolicies: 95,
  TableSecurity: 96,
  Grants: 97,
} as const;
type Phase = (typeof Phase)[keyof typeof Phase];

interface Entry {
  key: string;
  /** The object as the after-snapshot has it, names as before the up (renames undone). */
  obj: SnapshotObject;
  /** The same object with its names as after the up (before any rename is undone). */
  orig: SnapshotObject;
}

export function generateDown(before: CatalogSnapshot, after: CatalogSnapshot, options: GenerateDownOptions = {}): GeneratedDown {
  return new DownBuilder(before, after, options.hints, options.definitions).build();
}

class DownBuilder {
  private readonly out: Array<{ phase: Phase; seq: number; stmt: DownStatement }> = [];
  private readonly irreversible: string[] = [];
  private readonly residual: ResidualDifference[] = [];
  private readonly renames: string[] = [];
  private readonly B: Map<string, SnapshotObject>;
  /** The after-snapshot with renames undone. */
  private A = new Map<string, Entry>();
  private rules = emptyRules();
  private dataChanges = false;

  constructor(
    before: CatalogSnapshot,
    private readonly after: CatalogSnapshot,
    private readonly hints: UpHints | undefined,
    private readonly definitions: Definitions | undefined,
  ) {
    this.B = before.objects;
  }

  private emit(phase: Phase, sql: string | undefined, comment?: string[]): void {
    this.out.push({ phase, seq: this.out.length, stmt: { ...(comment?.length && { comment }), ...(sql !== undefined && { sql }) } });
  }

  private lose(message: string): void {
    if (!this.irreversible.includes(message)) this.irreversible.push(message);
  }

  build(): GeneratedDown {
    this.detectRenames();
    const missing = [...this.B.keys()].filter((k) => !this.A.has(k));
    const extra = [...this.A.keys()].filter((k) => !this.B.has(k));
    const common = [...this.B.keys()].filter((k) => this.A.has(k));
    const extraSet = new Set(extra);
    const missingSet = new Set(missing);

    this.dropCreated(extra.filter((k) => !this.ancestorIn(this.A.get(k)!.obj, extraSet, (p) => this.A.get(p)?.obj)));
    this.recreateDropped(missing, missingSet);
    this.reverseChanges(common, missingSet);
    this.noteDataChanges(extraSet);

    this.out.sort((x, y) => x.phase - y.phase || x.seq - y.seq);
    const statements = this.out.map((o) => o.stmt);
    return {
      sql: renderDown(statements),
      irreversible: this.irreversible,
      statements,
      residual: this.residual,
      renames: this.renames,
      dataChanges: this.dataChanges,
    };
  }

  /** Whether an ancestor (not a schema: a schema's contents are dropped one by one) is in `set`. */
  private ancestorIn(obj: SnapshotObject, set: Set<string>, get: (key: string) => SnapshotObject | undefined): boolean {
    const seen = new Set<string>();
    for (let p = obj.parent; p !== undefined && !seen.has(p); p = get(p)?.parent) {
      if (set.has(p) && !p.startsWith('schema ')) return true;
      seen.add(p);
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Renames.

  private detectRenames(): void {
    const afterObjects = this.after.objects;
    const useHints = this.hints !== undefined && !this.hints.opaque;
    // 1. Relations and types.
    const relPairs: Array<{ kind: ObjectKind; from: SnapshotObject; to: SnapshotObject }> = []; // from = after, to = before
    if (this.hints) for (const p of this.relationHints()) relPairs.push(p);
    if (!useHints) {
      for (const kind of ['table', 'view', 'type', 'sequence'] as ObjectKind[]) {
        for (const [a, b] of this.guessPairs(kind, afterObjects, this.B, relPairs)) relPairs.push({ kind, from: a, to: b });
      }
    }
    for (const { from, to } of relPairs) {
      const [fs, fn] = [schemaPart(from.name), lastPart(from.name)];
      this.rules.relations.set(rel(raw(fs), raw(fn)), { schema: schemaPart(to.name), name: lastPart(to.name) });
    }
    this.A = this.mapAfter();
    // 2. Columns, on the relation-mapped snapshot.
    const colPairs: Array<{ from: SnapshotObject; to: SnapshotObject }> = [];
    if (this.hints) colPairs.push(...this.columnHints());
    if (!useHints) colPairs.push(...this.guessColumnPairs(colPairs));
    for (const { from, to } of colPairs) {
      const table = to.table!;
      const key = `${rel(raw(schemaPart(table)), raw(lastPart(table)))}\u0000${raw(columnName(from))}`;
      this.rules.columns.set(key, columnName(to));
      this.rules.columnTables.set(raw(lastPart(table)), raw(schemaPart(table)));
    }
    if (colPairs.length) this.A = this.mapAfter();

    // 3. The statements, in order: relations and types, columns.
    for (const { kind, from, to } of relPairs) {
      const verb = this.alterVerb(kind, to);
      const [fs, fn] = [schemaPart(from.name), lastPart(from.name)];
      const [ts, tn] = [schemaPart(to.name), lastPart(to.name)];
      if (fn !== tn) this.emit(Phase.RenameRelations, `${verb} ${from.name} RENAME TO ${tn}`);
      if (fs !== ts) this.emit(Phase.RenameRelations, `${verb} ${fs}.${tn} SET SCHEMA ${ts}`);
      this.renames.push(`${from.name} → ${to.name}`);
    }
    for (const { from, to } of colPairs) {
      this.emit(Phase.RenameColumns, `ALTER TABLE ${to.table} RENAME COLUMN ${columnName(from)} TO ${columnName(to)}`);
      this.renames.push(`${to.table}.${columnName(from)} → ${to.name}`);
    }
  }

  private alterVerb(kind: ObjectKind, obj: SnapshotObject): string {
    if (kind === 'view') return obj.attributes.kind === 'materialized view' ? 'ALTER MATERIALIZED VIEW' : 'ALTER VIEW';
    if (kind === 'type') return obj.attributes.kind === 'domain' ? 'ALTER DOMAIN' : 'ALTER TYPE';
    if (kind === 'sequence') return 'ALTER SEQUENCE';
    return obj.attributes.kind === 'foreign table' ? 'ALTER FOREIGN TABLE' : 'ALTER TABLE';
  }

  /**
   * The after-snapshot with renames undone. An object the up created under a name a renamed
   * one takes back (`RENAME a TO a_old; CREATE TABLE a …`) is displaced, with what belongs to
   * it: keyed apart, so that it is dropped.
   */
  private mapAfter(): Map<string, Entry> {
    const entries = [...this.after.objects].map(([origKey, orig]) => ({ origKey, orig, ...rewriteObject(origKey, orig, this.rules) }));
    const claimed = new Map<string, string>(); // mapped key → the orig key of a renamed object mapped there
    for (const e of entries) if (e.key !== e.origKey) claimed.set(e.key, e.origKey);
    const displaced = new Set<string>();
    for (const e of entries) if (e.key === e.origKey && claimed.has(e.key)) displaced.add(e.origKey);
    for (let grew = displaced.size > 0; grew; ) {
      grew = false;
      for (const e of entries) {
        if (!displaced.has(e.origKey) && e.orig.parent !== undefined && displaced.has(e.orig.parent)) {
          displaced.add(e.origKey);
          grew = true;
        }
      }
    }
    const mapped = new Map<string, Entry>();
    const apart = (k: string) => `${k} (created by the up)`;
    for (const e of entries) {
      if (!displaced.has(e.origKey)) {
        if (!mapped.has(e.key)) mapped.set(e.key, { key: e.key, obj: e.obj, orig: e.orig });
        continue;
      }
      let key = apart(e.key);
      for (let i = 2; mapped.has(key); i++) key = `${apart(e.key)} #${i}`;
      const parent = e.orig.parent !== undefined && displaced.has(e.orig.parent) ? apart(e.orig.parent) : undefined;
      mapped.set(key, { key, obj: { ...e.orig, parent }, orig: e.orig });
    }
    return mapped;
  }

  /** Objects of `kind` only in `from` (after) and only in `to` (before) with the same attributes and children: renamed. */
  private guessPairs(kind: ObjectKind, after: Map<string, SnapshotObject>, before: Map<string, SnapshotObject>, known: Array<{ from: SnapshotObject; to: SnapshotObject }>): Array<[SnapshotObject, SnapshotObject]> {
    const taken = new Set<SnapshotObject>(known.flatMap((p) => [p.from, p.to]));
    const signature = (objects: Map<string, SnapshotObject>, key: string, obj: SnapshotObject): string | undefined => {
      if (kind === 'sequence' && obj.table) return undefined; // owned: follows its column
      const children = [...objects.entries()]
        .filter(([, o]) => o.parent === key && (o.kind === 'column' || o.kind === 'enum-value'))
        .map(([, o]) => (o.kind === 'column' ? `${raw(columnName(o))}=${JSON.stringify(o.attributes)}` : `=${o.attributes.value}`))
        .sort();
      return JSON.stringify([obj.attributes, children]);
    };
    const groups = new Map<string, { a: SnapshotObject[]; b: SnapshotObject[] }>();
    for (const [key, obj] of after) {
      if (obj.kind !== kind || before.has(key) || taken.has(obj)) continue;
      const s = signature(after, key, obj);
      if (s === undefined) continue;
      const g = groups.get(s) ?? { a: [], b: [] };
      g.a.push(obj);
      groups.set(s, g);
    }
    for (const [key, obj] of before) {
      if (obj.kind !== kind || after.has(key) || taken.has(obj)) continue;
      const s = signature(before, key, obj);
      const g = s === undefined ? undefined : groups.get(s);
      if (g) g.b.push(obj);
    }
    const pairs: Array<[SnapshotObject, SnapshotObject]> = [];
    for (const g of groups.values()) if (g.a.length === 1 && g.b.length === 1) pairs.push([g.a[0], g.b[0]]);
    return pairs;
  }

  private guessColumnPairs(known: Array<{ from: SnapshotObject; to: SnapshotObject }>): Array<{ from: SnapshotObject; to: SnapshotObject }> {
    const taken = new Set<SnapshotObject>(known.flatMap((p) => [p.from, p.to]));
    const byTable = new Map<string, { a: SnapshotObject[]; b: SnapshotObject[] }>();
    for (const [key, e] of this.A) {
      if (e.obj.kind !== 'column' || this.B.has(key) || taken.has(e.orig) || !this.B.has(`table ${e.obj.table}`)) continue;
      const g = byTable.get(e.obj.table!) ?? { a: [], b: [] };
      g.a.push(e.obj);
      byTable.set(e.obj.table!, g);
    }
    for (const [key, o] of this.B) {
      if (o.kind !== 'column' || this.A.has(key) || taken.has(o)) continue;
      const g = byTable.get(o.table!);
      if (g) g.b.push(o);
    }
    const pairs: Array<{ from: SnapshotObject; to: SnapshotObject }> = [];
    for (const g of byTable.values()) {
      const sig = (o: SnapshotObject) => JSON.stringify(o.attributes);
      for (const a of g.a) {
        const same = g.b.filter((b) => sig(b) === sig(a));
        const rivals = g.a.filter((x) => sig(x) === sig(a));
        if (same.length === 1 && rivals.length === 1) pairs.push({ from: a, to: same[0] });
      }
    }
    return pairs;
  }

  /** Relation and type renames the up's statements make, followed through chains (a → b → c). */
  private relationHints(): Array<{ kind: ObjectKind; from: SnapshotObject; to: SnapshotObject }> {
    interface Rec { type: boolean; origSchema: string; origName: string; curSchema: string; curName: string }
    const recs: Rec[] = [];
    const find = (type: boolean, schema: string | undefined, name: string): Rec | undefined =>
      recs.find((r) => r.type === type && r.curName === name && (schema === undefined || r.curSchema === schema));
    for (const h of this.hints!.renames) {
      if (h.kind === 'column') continue;
      const type = h.kind === 'type' || h.kind === 'type-schema';
      const name = 'from' in h ? h.from : h.name;
      let r = find(type, h.schema, name);
      if (!r) {
        const schema = h.schema ?? this.resolveSchema(type, name);
        r = { type, origSchema: schema, origName: name, curSchema: schema, curName: name };
        recs.push(r);
      }
      if ('to' in h) r.curName = h.to;
      else r.curSchema = h.newSchema;
    }
    this.relationRecords = recs;
    const out: Array<{ kind: ObjectKind; from: SnapshotObject; to: SnapshotObject }> = [];
    for (const r of recs) {
      if (r.origSchema === r.curSchema && r.origName === r.curName) continue;
      const kinds: ObjectKind[] = r.type ? ['type'] : ['table', 'view', 'sequence'];
      for (const kind of kinds) {
        const to = this.B.get(`${kind} ${quote(r.origSchema)}.${quote(r.origName)}`) ?? findByRaw(this.B, kind, r.origSchema, r.origName);
        const from = this.after.objects.get(`${kind} ${quote(r.curSchema)}.${quote(r.curName)}`) ?? findByRaw(this.after.objects, kind, r.curSchema, r.curName);
        if (to && from) {
          out.push({ kind, from, to });
          break;
        }
      }
    }
    return out;
  }

  private relationRecords: Array<{ type: boolean; origSchema: string; origName: string; curSchema: string; curName: string }> = [];

  private resolveSchema(type: boolean, name: string): string {
    const kinds = type ? ['type'] : ['table', 'view', 'sequence'];
    const schemas = [...this.B.values()].filter((o) => kinds.includes(o.kind) && !o.table && raw(lastPart(o.name)) === name).map((o) => raw(schemaPart(o.name)));
    return schemas.includes('public') || schemas.length === 0 ? 'public' : schemas[0];
  }

  private columnHints(): Array<{ from: SnapshotObject; to: SnapshotObject }> {
    interface Rec { schema: string; table: string; orig: string; cur: string }
    const recs: Rec[] = [];
    for (const h of this.hints!.renames) {
      if (h.kind !== 'column') continue;
      // The table as named at that point of the up → as before the up.
      const r = this.relationRecords.find((x) => !x.type && x.curName === h.table && (h.schema === undefined || x.curSchema === h.schema));
      const schema = r ? r.origSchema : h.schema ?? this.resolveSchema(false, h.table);
      const table = r ? r.origName : h.table;
      const rec = recs.find((x) => x.schema === schema && x.table === table && x.cur === h.from);
      if (rec) rec.cur = h.to;
      else recs.push({ schema, table, orig: h.from, cur: h.to });
    }
    const out: Array<{ from: SnapshotObject; to: SnapshotObject }> = [];
    for (const r of recs) {
      if (r.orig === r.cur) continue;
      const to = [...this.B.values()].find((o) => o.kind === 'column' && o.table && raw(schemaPart(o.table)) === r.schema && raw(lastPart(o.table)) === r.table && raw(columnName(o)) === r.orig);
      const from = to && [...this.A.values()].find((e) => e.obj.kind === 'column' && e.obj.table === to.table && raw(columnName(e.obj)) === r.cur)?.obj;
      if (to && from && !this.A.has(`column ${to.name}`)) out.push({ from, to });
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // What the up created: dropped, dependents first.

  private dropCreated(keys: string[]): void {
    const entries = keys.map((k) => this.A.get(k)!);
    const of = (kind: ObjectKind) => entries.filter((e) => e.obj.kind === kind);
    for (const e of of('trigger')) this.emit(Phase.DropTriggers, `DROP TRIGGER ${e.orig.name} ON ${e.orig.table}`);
    for (const e of of('policy')) this.emit(Phase.DropPolicies, `DROP POLICY ${e.orig.name} ON ${e.orig.table}`);
    this.dropViews(of('view').map((e) => e.orig));
    for (const e of of('constraint')) {
      this.emit(e.obj.attributes.type === 'foreign key' ? Phase.DropForeignKeys : Phase.DropConstraints, `ALTER TABLE ${e.orig.table} DROP CONSTRAINT ${e.orig.name}`);
    }
    for (const e of of('index')) this.emit(Phase.DropIndexes, `DROP INDEX ${schemaPart(e.orig.table!)}.${e.orig.name}`);
    for (const e of of('column')) this.emit(Phase.DropColumns, `ALTER TABLE ${e.orig.table} DROP COLUMN ${columnName(e.orig)}`);
    this.dropTables(of('table'));
    for (const e of of('sequence')) {
      // An identity's sequence goes with the identity; a serial's with its column (or its default, reversed before).
      const column = e.obj.attributes['owned by'];
      if (column?.endsWith('(identity)')) continue;
      this.emit(Phase.DropSequences, `DROP SEQUENCE ${e.obj.name}`);
    }
    // A function taking or returning the row type of a table the up created goes before the table.
    const createdRelations = of('table').map((e) => e.orig.name);
    for (const e of of('function')) {
      const rowTyped = createdRelations.some((t) => mentions(`${e.orig.attributes.arguments ?? ''} ${e.orig.attributes.returns ?? ''}`, t));
      this.emit(rowTyped ? Phase.DropRowTypeFunctions : Phase.DropFunctions, `DROP ${routineWord(e.obj)} ${rowTyped ? e.orig.name : e.obj.name}`);
    }
    for (const e of orderByMentions(of('type').map((x) => ({ name: x.obj.name, text: Object.values(x.obj.attributes).join(' '), item: x }))).reverse()) {
      this.emit(Phase.DropTypes, `DROP ${e.item.obj.attributes.kind === 'domain' ? 'DOMAIN' : 'TYPE'} ${e.item.obj.name}`);
    }
    for (const e of of('enum-value')) this.addedEnumValue(e.obj);
    for (const e of of('extension')) this.emit(Phase.DropExtensions, `DROP EXTENSION ${e.obj.name}`);
    for (const e of of('schema')) this.emit(Phase.DropSchemas, `DROP SCHEMA ${e.obj.name}`);
    for (const e of of('grant')) this.restoreGrants(e.obj.name, e.obj, undefined, e.obj.parent);
  }

  private dropViews(views: SnapshotObject[]): void {
    const ordered = orderByMentions(views.map((v) => ({ name: v.name, text: v.attributes.definition ?? '', item: v }))).reverse();
    for (const { item: v } of ordered) this.emit(Phase.DropViews, `DROP ${v.attributes.kind === 'materialized view' ? 'MATERIALIZED VIEW' : 'VIEW'} ${v.name}`);
  }

  /** Tables the up created: partitions and inheritance children first, then those referencing others by a foreign key. */
  private dropTables(tables: Entry[]): void {
    const names = new Set(tables.map((t) => t.orig.name));
    const deps = new Map<string, Set<string>>(); // table → tables that must be dropped before it
    for (const t of tables) deps.set(t.orig.name, new Set());
    for (const t of tables) {
      for (const parent of [t.orig.attributes['partition of'], ...(t.orig.attributes.inherits ?? '').split(', ')]) {
        if (parent && names.has(parent)) deps.get(parent)!.add(t.orig.name);
      }
    }
    const fks: Array<{ table: string; name: string; references: string }> = [];
    for (const o of this.after.objects.values()) {
      if (o.kind !== 'constraint' || o.attributes.type !== 'foreign key' || !o.table || !names.has(o.table)) continue;
      const m = /REFERENCES ((?:"(?:[^"]|"")*"|[^."(\s]+)\.(?:"(?:[^"]|"")*"|[^."(\s]+))\(/.exec(o.attributes.definition ?? '');
      if (m && names.has(m[1]) && m[1] !== o.table) {
        deps.get(m[1])!.add(o.table);
        fks.push({ table: o.table, name: o.name, references: m[1] });
      }
    }
    const done = new Set<string>();
    const order: string[] = [];
    let pending = tables.map((t) => t.orig.name);
    while (pending.length) {
      const ready = pending.filter((n) => [...deps.get(n)!].every((d) => done.has(d) || d === n));
      if (ready.length === 0) {
        // A cycle of foreign keys: drop those first.
        for (const fk of fks.filter((f) => pending.includes(f.table) && pending.includes(f.references))) {
          this.emit(Phase.DropForeignKeys, `ALTER TABLE ${fk.table} DROP CONSTRAINT ${fk.name}`);
          deps.get(fk.references)!.delete(fk.table);
        }
        const still = pending.filter((n) => [...deps.get(n)!].every((d) => done.has(d) || d === n));
        ready.push(...(still.length ? still : [pending[0]]));
      }
      for (const n of ready) {
        done.add(n);
        order.push(n);
      }
      pending = pending.filter((n) => !done.has(n));
    }
    const byName = new Map(tables.map((t) => [t.orig.name, t]));
    for (const n of order) this.emit(Phase.DropTables, `DROP ${byName.get(n)!.orig.attributes.kind === 'foreign table' ? 'FOREIGN TABLE' : 'TABLE'} ${n}`);
  }

  /** An enum value the up added: Postgres cannot drop it. A commented recipe, and a difference the down leaves. */
  private addedEnumValue(v: SnapshotObject): void {
    const type = v.attributes.type;
    const value = v.attributes.value;
    const before = this.B.get(`type ${type}`);
    const columns = [...this.A.values()].filter((e) => e.obj.kind === 'column' && (e.obj.attributes.type === type || e.obj.attributes.type === `${type}[]`)).map((e) => e.obj);
    const old = `${lastPart(type).replace(/"$/, '')}_old${lastPart(type).endsWith('"') ? '"' : ''}`;
    const recipe = [
      `The up added value ${literal(value)} to enum ${type}: PostgreSQL cannot drop an enum value, so this down leaves it.`,
      'To remove it, move the rows that use it to another value, then swap the type:',
      `  ALTER TYPE ${type} RENAME TO ${old};`,
      `  CREATE TYPE ${type} AS ENUM (${before?.attributes.values ?? '…'});`,
      ...columns.flatMap((c) => {
        const col = columnName(c);
        const cast = c.attributes.type.endsWith('[]') ? `${col}::text[]::${type}[]` : `${col}::text::${type}`;
        const lines = [`  ALTER TABLE ${c.table} ALTER COLUMN ${col} TYPE ${c.attributes.type} USING ${cast};`];
        if (c.attributes.default) {
          lines.unshift(`  ALTER TABLE ${c.table} ALTER COLUMN ${col} DROP DEFAULT;`);
          lines.push(`  ALTER TABLE ${c.table} ALTER COLUMN ${col} SET DEFAULT ${c.attributes.default};`);
        }
        return lines;
      }),
      ...(columns.length ? [] : ['  (no column uses the type: only functions or views would)']),
      `  DROP TYPE ${schemaPart(type)}.${old};`,
    ];
    this.emit(Phase.Notes, undefined, recipe);
    this.residual.push({ change: 'extra', kind: 'enum-value', name: v.name });
    this.lose(`enum ${type}: value ${literal(value)} added by the up cannot be dropped (the down leaves it; the comment gives the type swap that removes it)`);
  }

  // -------------------------------------------------------------------------------------------
  // What the up dropped: re-created from the before-snapshot.

  private recreateDropped(missing: string[], missingSet: Set<string>): void {
    const objs = missing.map((k) => ({ key: k, obj: this.B.get(k)! }));
    const of = (kind: ObjectKind) => objs.filter((o) => o.obj.kind === kind);
    const parentMissing = (o: SnapshotObject) => o.parent !== undefined && missingSet.has(o.parent);
    for (const { obj } of of('schema')) this.emit(Phase.CreateSchemas, `CREATE SCHEMA ${obj.name}`);
    for (const { obj } of of('extension')) this.emit(Phase.CreateExtensions, `CREATE EXTENSION IF NOT EXISTS ${obj.name} WITH SCHEMA ${obj.attributes.schema}`);
    for (const { item } of orderByMentions(of('type').map((o) => ({ name: o.obj.name, text: Object.values(o.obj.attributes).join(' '), item: o.obj })))) {
      const sql = createTypeSql(item);
      if (sql) this.emit(Phase.CreateTypes, sql);
      else this.cannot(`${item.attributes.kind ?? 'type'} ${item.name}`, 'pglens cannot re-create it from the catalog');
    }
    // Enum values of a type that stays: put back in place by restoreEnumValues.
    // Sequences: standalone ones, and those of serial columns the up dropped (owned again once the column is back).
    for (const { obj } of of('sequence')) {
      const owner = obj.attributes['owned by'];
      // An identity's sequence comes back with the column's identity clause.
      if (owner?.endsWith('(identity)')) continue;
      this.emit(Phase.CreateSequences, `CREATE SEQUENCE ${obj.name}${sequenceOptions(obj.attributes)}`);
      if (owner) this.emit(Phase.OwnedBy, `ALTER SEQUENCE ${obj.name} OWNED BY ${owner}`);
    }
    for (const { obj } of of('function')) this.createFunction(obj, false);
    this.createTables(of('table').map((o) => o.obj));
    for (const { obj } of of('column')) {
      if (parentMissing(obj)) continue;
      this.addColumn(obj);
    }
    this.createViews(of('view').map((o) => o.obj));
    for (const { obj } of of('constraint')) this.addConstraint(obj);
    for (const { obj } of of('index')) this.createIndex(obj);
    for (const { obj } of of('trigger')) this.createTrigger(obj);
    for (const { obj } of of('policy')) this.emit(Phase.CreatePolicies, createPolicySql(obj));
    for (const { obj } of of('grant')) this.restoreGrants(obj.name, undefined, obj, obj.parent);
  }

  /** A statement pglens cannot write: a commented block, and a line in `irreversible`. */
  private cannot(what: string, why: string): void {
    this.emit(Phase.Notes, undefined, [`${what}: ${why}. Write this part of the down by hand.`]);
    this.lose(`${what}: ${why}`);
  }

  private createTables(tables: SnapshotObject[]): void {
    // Parents (partitioned, inherited) before their children.
    const names = new Set(tables.map((t) => t.name));
    const ordered: SnapshotObject[] = [];
    const placed = new Set<string>();
    const place = (t: SnapshotObject, path: Set<string>): void => {
      if (placed.has(t.name) || path.has(t.name)) return;
      path.add(t.name);
      for (const p of [t.attributes['partition of'], ...(t.attributes.inherits ?? '').split(', ')]) {
        const parent = p && names.has(p) ? tables.find((x) => x.name === p) : undefined;
        if (parent) place(parent, path);
      }
      placed.add(t.name);
      ordered.push(t);
    };
    for (const t of tables) place(t, new Set());
    for (const t of ordered) {
      const key = `table ${t.name}`;
      const a = t.attributes;
      if (a.kind === 'foreign table') {
        this.cannot(`foreign table ${t.name}`, 'the up dropped it; pglens cannot re-create a foreign table (its server and options are not in the catalog snapshot)');
        continue;
      }
      const columns = [...this.B.values()].filter((o) => o.kind === 'column' && o.parent === key);
      const defs = columns.map((c) => `  ${columnName(c)} ${this.columnDefinition(c)}`);
      let sql = `CREATE ${a.persistence === 'unlogged' ? 'UNLOGGED ' : ''}TABLE ${t.name}`;
      if (a['partition of']) {
        sql += ` PARTITION OF ${a['partition of']}${defs.length ? ` (\n${defs.join(',\n')}\n)` : ''} ${a['partition bound'] ?? 'DEFAULT'}`;
      } else {
        sql += ` (\n${defs.join(',\n')}\n)`;
        if (a.inherits) sql += ` INHERITS (${a.inherits})`;
      }
      if (a['partition key']) sql += ` PARTITION BY ${a['partition key']}`;
      if (a.options) sql += ` WITH (${a.options})`;
      const hadData = !a['partition key'];
      this.emit(Phase.CreateTables, sql, hadData ? [`The up dropped table ${t.name}: it is re-created empty, its rows are lost.`] : undefined);
      if (hadData) this.lose(`table ${t.name}: the up dropped it with its rows; the down re-creates it empty`);
      this.tableSecurity(t.name, undefined, a['row level security']);
    }
  }

  /** `type [COLLATE c] [GENERATED …] [DEFAULT …] [NOT NULL]` for a column of the before-snapshot. */
  private columnDefinition(c: SnapshotObject, withNotNull = true): string {
    const a = c.attributes;
    const parts = [a.type];
    if (a.collation) parts.push(`COLLATE ${a.collation}`);
    if (a.generated) {
      const m = /^(.*) (STORED|VIRTUAL)$/.exec(a.generated);
      parts.push(m ? `GENERATED ALWAYS AS (${m[1]}) ${m[2]}` : `GENERATED ALWAYS AS (${a.generated}) STORED`);
    }
    if (a.default) parts.push(`DEFAULT ${this.defaultExpression(c)}`);
    if (withNotNull && a.nullability === 'NOT NULL') parts.push('NOT NULL');
    if (a.identity) parts.push(this.identityClause(c));
    return parts.join(' ');
  }

  /** A default as written: the owned sequence of `nextval(<owned sequence>)` by its name. */
  private defaultExpression(c: SnapshotObject): string {
    const d = c.attributes.default ?? '';
    if (!d.includes('nextval(<owned sequence>)')) return d;
    const seq = this.B.get(`sequence owned by ${c.name}`);
    return d.split('nextval(<owned sequence>)').join(`nextval(${literal(seq?.name ?? `${c.table}_${columnName(c)}_seq`)}::regclass)`);
  }

  private identityClause(c: SnapshotObject): string {
    const seq = this.B.get(`sequence owned by ${c.name}`);
    const options = seq ? sequenceOptions(seq.attributes, false).trim() : '';
    const name = seq?.attributes.name ? `SEQUENCE NAME ${seq.attributes.name} ` : '';
    return `GENERATED ${c.attributes.identity} AS IDENTITY${name || options ? ` (${name}${options})` : ''}`;
  }

  private addColumn(c: SnapshotObject): void {
    const a = c.attributes;
    // NOT NULL without a default cannot be re-added to a table with rows: nullable, the rest by hand.
    const notNullWithoutDefault = a.nullability === 'NOT NULL' && !a.default && !a.identity && !a.generated;
    this.emit(Phase.AddColumns, `ALTER TABLE ${c.table} ADD COLUMN ${columnName(c)} ${this.columnDefinition(c, !notNullWithoutDefault)}`, [
      `The up dropped column ${c.name}: it is re-added ${a.default ? 'with its default' : 'empty'}, its values are lost.`,
    ]);
    if (notNullWithoutDefault) {
      this.emit(Phase.AddColumns, undefined, [
        `${c.name} was NOT NULL, without a default: a table with rows cannot take it back so. Fill it, then:`,
        `  ALTER TABLE ${c.table} ALTER COLUMN ${columnName(c)} SET NOT NULL;`,
      ]);
      this.residual.push({ change: 'changed', kind: 'column', name: c.name });
    }
    this.lose(`column ${c.name}: the up dropped it with its values; the down re-adds it ${a.default ? 'with its default' : notNullWithoutDefault ? 'empty and nullable (it was NOT NULL: fill it, then SET NOT NULL)' : 'empty'}`);
  }

  private createViews(views: SnapshotObject[]): void {
    for (const { item: v } of orderByMentions(views.map((x) => ({ name: x.name, text: x.attributes.definition ?? '', item: x })))) {
      this.emit(Phase.CreateViews, createViewSql(v, this.definitions?.views.get(v.name)));
    }
  }

  private addConstraint(c: SnapshotObject): void {
    const a = c.attributes;
    const deferrable = a.deferrable && a.deferrable !== 'NOT DEFERRABLE' ? ` ${a.deferrable}` : '';
    const notValid = a.validated === 'NOT VALID' ? ' NOT VALID' : '';
    this.emit(a.type === 'foreign key' ? Phase.AddForeignKeys : Phase.AddConstraints, `ALTER TABLE ${c.table} ADD CONSTRAINT ${c.name} ${a.definition}${deferrable}${notValid}`);
  }

  private createIndex(i: SnapshotObject): void {
    const def = i.attributes.definition ?? '';
    const m = /^CREATE (UNIQUE )?INDEX ON /.exec(def);
    this.emit(Phase.CreateIndexes, m ? `CREATE ${m[1] ?? ''}INDEX ${i.name} ON ${def.slice(m[0].length)}` : def);
  }

  private createTrigger(t: SnapshotObject): void {
    this.emit(Phase.CreateTriggers, t.attributes.definition);
    const state = TRIGGER_STATE[t.attributes.enabled ?? 'enabled'];
    if (state) this.emit(Phase.CreateTriggers, `ALTER TABLE ${t.table} ${state} TRIGGER ${t.name}`);
  }

  private createFunction(f: SnapshotObject, orReplace: boolean): void {
    const exact = this.definitions?.functions.get(f.name)?.trimEnd();
    const sql = exact ? (orReplace ? exact : exact.replace(/^CREATE OR REPLACE /, 'CREATE ')) : createFunctionSql(f, orReplace);
    if (!sql) {
      this.cannot(`${f.attributes.kind ?? 'function'} ${f.name}`, `pglens cannot re-create ${f.attributes.kind === 'aggregate' ? 'an aggregate' : `a ${f.attributes.language ?? ''} function`} from the catalog`);
      return;
    }
    // A SQL function's body is checked against the tables when it is created: after them.
    this.emit(f.attributes.language === 'sql' ? Phase.CreateSqlFunctions : Phase.ReplaceFunctions, sql);
  }

  // -------------------------------------------------------------------------------------------
  // What the up changed.

  private reverseChanges(common: string[], missingSet: Set<string>): void {
    const recreateViews = new Set<string>();
    const typeChangedTables = new Set<string>();
    /** `table\0column` (raw column) of the columns whose type goes back. */
    const typeChangedColumns = new Set<string>();
    /** Constraints already dropped and re-added. */
    const recreated = new Set<string>();
    for (const key of common) {
      const b = this.B.get(key)!;
      const e = this.A.get(key)!;
      // A `name` attribute that differs while the names are the same is a generated name read
      // differently (an index `a_pkey` on a table renamed b): nothing to reverse.
      const nameChanged = b.name !== e.obj.name;
      const changed = Object.keys({ ...b.attributes, ...e.obj.attributes }).filter((k) => b.attributes[k] !== e.obj.attributes[k] && (k !== 'name' || nameChanged));
      if (!changed.length) continue;
      switch (b.kind) {
        case 'table':
          this.alterTable(b, e.obj, changed);
          break;
        case 'column':
          if (changed.includes('type') || changed.includes('collation')) {
            typeChangedTables.add(b.table!);
            typeChangedColumns.add(`${b.table}\u0000${raw(columnName(b))}`);
          }
          this.alterColumn(b, e.obj, changed);
          break;
        case 'index':
          if (changed.some((c) => c !== 'name' && c !== 'state')) {
            this.emit(Phase.DropIndexes, `DROP INDEX ${schemaPart(e.orig.table!)}.${e.orig.name}`);
            this.createIndex(b);
          } else if (changed.includes('name')) this.emit(Phase.RenameOther, `ALTER INDEX ${schemaPart(b.table!)}.${e.obj.name} RENAME TO ${b.name}`);
          if (changed.includes('state') && b.attributes.state === 'INVALID') this.emit(Phase.Notes, undefined, [`index ${b.name} on ${b.table} was INVALID before the up (a failed CREATE INDEX CONCURRENTLY); the down leaves it valid.`]);
          break;
        case 'constraint':
          if (this.alterConstraint(b, e, changed)) recreated.add(key);
          break;
        case 'sequence':
          this.alterSequence(b, e.obj, changed);
          break;
        case 'view':
          recreateViews.add(key);
          break;
        case 'type':
          this.alterType(b, e.obj, changed);
          break;
        case 'function':
          if (changed.some((c) => ['kind', 'returns', 'arguments'].includes(c))) {
            this.emit(Phase.ReplaceFunctions, `DROP ${routineWord(e.obj)} ${e.obj.name}`);
            this.createFunction(b, false);
          } else this.createFunction(b, true);
          break;
        case 'trigger':
          if (changed.includes('definition')) {
            this.emit(Phase.DropTriggers, `DROP TRIGGER ${e.orig.name} ON ${e.orig.table}`);
            this.createTrigger(b);
          } else {
            this.emit(Phase.CreateTriggers, `ALTER TABLE ${b.table} ${TRIGGER_STATE[b.attributes.enabled ?? 'enabled'] ?? 'ENABLE'} TRIGGER ${b.name}`);
          }
          break;
        case 'policy':
          this.emit(Phase.DropPolicies, `DROP POLICY ${e.orig.name} ON ${e.orig.table}`);
          this.emit(Phase.CreatePolicies, createPolicySql(b));
          break;
        case 'grant':
          this.restoreGrants(b.name, e.obj, b, b.parent);
          break;
        case 'extension':
          this.emit(Phase.AlterTables, `ALTER EXTENSION ${b.name} SET SCHEMA ${b.attributes.schema}`);
          break;
        default:
          break;
      }
    }
    // A foreign key over a column whose type goes back (on either side) cannot stay while it does.
    if (typeChangedColumns.size) {
      for (const key of common) {
        const b = this.B.get(key)!;
        if (b.kind !== 'constraint' || b.attributes.type !== 'foreign key' || recreated.has(key)) continue;
        const fk = foreignKeyColumns(b.attributes.definition ?? '');
        const involved = fk && (fk.columns.some((c) => typeChangedColumns.has(`${b.table}\u0000${c}`)) || fk.refColumns.some((c) => typeChangedColumns.has(`${fk.refTable}\u0000${c}`)));
        if (!involved) continue;
        const e = this.A.get(key)!;
        this.emit(Phase.DropForeignKeys, `ALTER TABLE ${e.orig.table} DROP CONSTRAINT ${e.orig.name}`);
        this.addConstraint(b);
      }
    }
    // Enum values the up dropped from a type that stays (it rebuilt the type): added back in place.
    this.restoreEnumValues(missingSet);
    // Views over a column whose type changes back, and views over those, are dropped and re-created.
    for (const [key, e] of this.A) {
      if (e.obj.kind !== 'view' || !this.B.has(key)) continue;
      const def = e.obj.attributes.definition ?? '';
      if ([...typeChangedTables].some((t) => mentions(def, t))) recreateViews.add(key);
    }
    let grew = true;
    while (grew) {
      grew = false;
      for (const [key, e] of this.A) {
        if (e.obj.kind !== 'view' || recreateViews.has(key) || !this.B.has(key)) continue;
        if ([...recreateViews].some((v) => mentions(e.obj.attributes.definition ?? '', this.A.get(v)!.obj.name))) {
          recreateViews.add(key);
          grew = true;
        }
      }
    }
    this.dropViews([...recreateViews].map((k) => this.A.get(k)!.orig));
    this.createViews([...recreateViews].map((k) => this.B.get(k)!));
  }

  private alterTable(b: SnapshotObject, a: SnapshotObject, changed: string[]): void {
    for (const attr of changed) {
      const was = b.attributes[attr];
      const now = a.attributes[attr];
      switch (attr) {
        case 'persistence':
          this.emit(Phase.AlterTables, `ALTER TABLE ${b.name} SET ${was === 'unlogged' ? 'UNLOGGED' : 'LOGGED'}`);
          break;
        case 'row level security':
          this.tableSecurity(b.name, now, was);
          break;
        case 'options': {
          const before = optionMap(was);
          const after = optionMap(now);
          const reset = [...after.keys()].filter((k) => !before.has(k));
          if (reset.length) this.emit(Phase.AlterTables, `ALTER TABLE ${b.name} RESET (${reset.join(', ')})`);
          const set = [...before.entries()].filter(([k, v]) => after.get(k) !== v);
          if (set.length) this.emit(Phase.AlterTables, `ALTER TABLE ${b.name} SET (${set.map(([k, v]) => `${k}=${v}`).join(', ')})`);
          break;
        }
        case 'inherits': {
          const before = (was ?? '').split(', ').filter(Boolean);
          const after = (now ?? '').split(', ').filter(Boolean);
          for (const p of after.filter((x) => !before.includes(x))) this.emit(Phase.AlterTables, `ALTER TABLE ${b.name} NO INHERIT ${p}`);
          for (const p of before.filter((x) => !after.includes(x))) this.emit(Phase.AlterTables, `ALTER TABLE ${b.name} INHERIT ${p}`);
          break;
        }
        case 'partition of':
        case 'partition bound':
          if (attr === 'partition of' || !changed.includes('partition of')) {
            if (now) this.emit(Phase.AlterTables, `ALTER TABLE ${now} DETACH PARTITION ${b.name}`);
            if (was) this.emit(Phase.AlterTables, `ALTER TABLE ${was ?? a.attributes['partition of']} ATTACH PARTITION ${b.name} ${b.attributes['partition bound'] ?? 'DEFAULT'}`);
            else if (b.attributes['partition of']) {
              this.emit(Phase.AlterTables, `ALTER TABLE ${b.attributes['partition of']} DETACH PARTITION ${b.name}`);
              this.emit(Phase.AlterTables, `ALTER TABLE ${b.attributes['partition of']} ATTACH PARTITION ${b.name} ${b.attributes['partition bound'] ?? 'DEFAULT'}`);
            }
          }
          break;
        default:
          this.cannot(`table ${b.name}`, `its ${attr} was ${was ?? 'none'} before the up and is ${now ?? 'none'} after; pglens cannot change it back`);
      }
    }
  }

  /** ENABLE/DISABLE and FORCE/NO FORCE ROW LEVEL SECURITY from `now` to `was`. */
  private tableSecurity(table: string, now: string | undefined, was: string | undefined): void {
    const enabled = (s: string | undefined) => (s ?? 'disabled').startsWith('enabled');
    const forced = (s: string | undefined) => (s ?? '').endsWith('forced');
    const phase = now === undefined ? Phase.TableSecurity : Phase.AlterTables;
    if (enabled(was) !== enabled(now)) this.emit(phase, `ALTER TABLE ${table} ${enabled(was) ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY`);
    if (forced(was) !== forced(now)) this.emit(phase, `ALTER TABLE ${table} ${forced(was) ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY`);
  }

  private alterColumn(b: SnapshotObject, a: SnapshotObject, changed: string[]): void {
    const t = `ALTER TABLE ${b.table} ALTER COLUMN ${columnName(b)}`;
    const ba = b.attributes;
    const aa = a.attributes;
    const typeChange = changed.includes('type') || changed.includes('collation');
    const addIdentity = ba.identity !== undefined && aa.identity === undefined;
    const dropIdentity = aa.identity !== undefined && ba.identity === undefined;
    if (changed.includes('generated')) {
      if (aa.generated && !ba.generated) this.emit(Phase.AlterColumns, `${t} DROP EXPRESSION`);
      else {
        this.cannot(`column ${b.name}`, `its generation expression was ${ba.generated ?? 'none'} before the up; pglens cannot set it back (drop and re-add the column)`);
        return;
      }
    }
    // A default that would not cast to the old type, or that an identity would refuse, goes first.
    const dropDefault = aa.default !== undefined && (changed.includes('default') || typeChange || addIdentity);
    if (dropDefault) this.emit(Phase.AlterColumns, `${t} DROP DEFAULT`);
    if (dropIdentity) this.emit(Phase.AlterColumns, `${t} DROP IDENTITY`);
    if (typeChange) {
      const collate = ba.collation ? ` COLLATE ${ba.collation}` : '';
      // Within a family the assignment cast applies (and fails on a value too long, where an
      // explicit `::varchar(20)` would cut it); across families only an explicit cast may exist.
      // To JSON from anything else (an array, a composite) no cast exists: to_jsonb builds it.
      const toJson = (ba.type === 'jsonb' || ba.type === 'json') && !/^jsonb?$/.test(aa.type) && aa.type !== 'text';
      const using =
        ba.type === aa.type || sameFamily(ba.type, aa.type) ? '' : toJson ? ` USING to_${ba.type}(${columnName(b)})` : ` USING ${columnName(b)}::${ba.type}`;
      const safe = ba.type === aa.type || toJson || widens(aa.type, ba.type);
      this.emit(Phase.AlterColumns, `${t} TYPE ${ba.type}${collate}${using}`, safe ? undefined : [
        `The up changed the type of ${b.name} from ${ba.type} to ${aa.type}: changing it back fails on values written since that ${ba.type} cannot hold.`,
      ]);
      if (!safe) this.lose(`column ${b.name}: its type goes back from ${aa.type} to ${ba.type}, which fails on values written since that do not fit`);
    }
    if (ba.nullability !== aa.nullability) {
      if (ba.nullability === 'NOT NULL') this.emit(Phase.AlterColumns, `${t} SET NOT NULL`, [`The up made ${b.name} nullable: SET NOT NULL fails if NULLs were written since.`]);
      else this.emit(Phase.AlterColumns, `${t} DROP NOT NULL`);
    }
    if (ba.default !== undefined && (changed.includes('default') || dropDefault)) this.emit(Phase.AlterColumns, `${t} SET DEFAULT ${this.defaultExpression(b)}`);
    if (addIdentity) this.emit(Phase.AlterColumns, `${t} ADD ${this.identityClause(b)}`);
    else if (changed.includes('identity') && ba.identity && aa.identity) this.emit(Phase.AlterColumns, `${t} SET GENERATED ${ba.identity}`);
  }

  /** Returns whether the constraint is dropped and re-added. */
  private alterConstraint(b: SnapshotObject, e: Entry, changed: string[]): boolean {
    const other = changed.filter((c) => c !== 'name' && c !== 'validated' && c !== 'deferrable');
    const canAlterDeferrable = b.attributes.type === 'foreign key';
    const revalidate = changed.includes('validated') && b.attributes.validated === 'valid';
    const unvalidate = changed.includes('validated') && b.attributes.validated === 'NOT VALID';
    if (other.length || unvalidate || (changed.includes('deferrable') && !canAlterDeferrable)) {
      this.emit(b.attributes.type === 'foreign key' ? Phase.DropForeignKeys : Phase.DropConstraints, `ALTER TABLE ${e.orig.table} DROP CONSTRAINT ${e.orig.name}`);
      this.addConstraint(b);
      return true;
    }
    if (changed.includes('name')) this.emit(Phase.RenameOther, `ALTER TABLE ${b.table} RENAME CONSTRAINT ${e.obj.name} TO ${b.name}`);
    if (changed.includes('deferrable')) this.emit(Phase.AddConstraints, `ALTER TABLE ${b.table} ALTER CONSTRAINT ${b.name} ${b.attributes.deferrable}`);
    if (revalidate) this.emit(Phase.AddForeignKeys, `ALTER TABLE ${b.table} VALIDATE CONSTRAINT ${b.name}`);
    return false;
  }

  private alterSequence(b: SnapshotObject, a: SnapshotObject, changed: string[]): void {
    if (changed.includes('owned by')) {
      this.cannot(`sequence ${b.name}`, `it was owned by ${b.attributes['owned by'] ?? 'nothing'} before the up, by ${a.attributes['owned by'] ?? 'nothing'} after`);
      return;
    }
    if (changed.includes('name')) this.emit(Phase.RenameOther, `ALTER SEQUENCE ${a.name} RENAME TO ${lastPart(b.name)}`);
    const opts = changed.filter((c) => c !== 'name');
    if (opts.length) {
      const only: Record<string, string> = {};
      for (const k of opts) if (b.attributes[k] !== undefined) only[k] = b.attributes[k];
      this.emit(Phase.AlterSequences, `ALTER SEQUENCE ${b.name}${sequenceOptions(only)}`);
    }
  }

  private alterType(b: SnapshotObject, a: SnapshotObject, changed: string[]): void {
    const ba = b.attributes;
    const aa = a.attributes;
    if (ba.kind === 'enum' && aa.kind === 'enum') {
      // Values added or dropped are enum-value objects; only an order change is the type's.
      const bv = enumList(ba.values ?? '');
      const av = enumList(aa.values ?? '');
      const common = (x: string[], y: string[]) => x.filter((v) => y.includes(v)).join('\u0000');
      if (common(bv, av) !== common(av, bv)) this.cannot(`enum ${b.name}`, `the up changed the order of its values (${aa.values}, was ${ba.values}); PostgreSQL cannot reorder enum values in place`);
      return;
    }
    if (ba.kind === 'domain' && aa.kind === 'domain') {
      for (const attr of changed) {
        if (attr === 'default') this.emit(Phase.AlterTables, ba.default ? `ALTER DOMAIN ${b.name} SET DEFAULT ${ba.default}` : `ALTER DOMAIN ${b.name} DROP DEFAULT`);
        else if (attr === 'nullability') this.emit(Phase.AlterTables, `ALTER DOMAIN ${b.name} ${ba.nullability === 'NOT NULL' ? 'SET' : 'DROP'} NOT NULL`);
        else if (attr === 'constraints') this.alterDomainConstraints(b, ba.constraints, aa.constraints);
        else this.cannot(`domain ${b.name}`, `its ${attr} was ${ba[attr] ?? 'none'} before the up; pglens cannot change it back`);
      }
      return;
    }
    if (ba.kind === 'composite' && aa.kind === 'composite' && changed.every((c) => c === 'attributes')) {
      const was = compositeAttributes(ba.attributes ?? '');
      const now = compositeAttributes(aa.attributes ?? '');
      const alters: string[] = [];
      for (const name of now.keys()) if (!was.has(name)) alters.push(`DROP ATTRIBUTE ${name}`);
      for (const [name, type] of was) {
        if (!now.has(name)) alters.push(`ADD ATTRIBUTE ${name} ${type}`);
        else if (now.get(name) !== type) alters.push(`ALTER ATTRIBUTE ${name} TYPE ${type}`);
      }
      if (alters.length) this.emit(Phase.AlterTables, `ALTER TYPE ${b.name} ${alters.join(', ')}`);
      return;
    }
    this.cannot(`type ${b.name}`, `the up changed its ${changed.join(', ')}; pglens cannot change it back`);
  }

  private alterDomainConstraints(b: SnapshotObject, was: string | undefined, now: string | undefined): void {
    const list = (s: string | undefined) => (s ? s.split(/; (?=CONSTRAINT |CHECK )/) : []);
    const before = list(was);
    const after = list(now);
    for (const c of after.filter((x) => !before.includes(x))) {
      const m = /^CONSTRAINT ((?:"(?:[^"]|"")*"|\S+)) /.exec(c);
      if (!m) {
        this.cannot(`domain ${b.name}`, `the up added the unnamed constraint ${c}; drop it by its generated name`);
        return;
      }
      this.emit(Phase.AlterTables, `ALTER DOMAIN ${b.name} DROP CONSTRAINT ${m[1]}`);
    }
    for (const c of before.filter((x) => !after.includes(x))) this.emit(Phase.AlterTables, `ALTER DOMAIN ${b.name} ADD ${c}`);
  }

  /** Enum values the up dropped (it rebuilt the type without them), added back where they stood. */
  private restoreEnumValues(missingSet: Set<string>): void {
    const types = new Set<string>();
    for (const k of missingSet) {
      const o = this.B.get(k)!;
      if (o.kind === 'enum-value' && o.parent && !missingSet.has(o.parent)) types.add(o.attributes.type);
    }
    for (const type of types) {
      const bv = enumList(this.B.get(`type ${type}`)?.attributes.values ?? '').map(unliteral);
      const current = enumList(this.A.get(`type ${type}`)?.obj.attributes.values ?? '').map(unliteral);
      // A value the up renamed: same place, one missing and one new.
      const missingValues = bv.filter((v) => !current.includes(v));
      const newValues = current.filter((v) => !bv.includes(v));
      const renamed = new Map<string, string>();
      if (missingValues.length === newValues.length && bv.length === current.length) {
        const same = bv.every((v, i) => v === current[i] || (missingValues.includes(v) && newValues.includes(current[i])));
        if (same) bv.forEach((v, i) => v !== current[i] && renamed.set(current[i], v));
      }
      for (const [now, was] of renamed) {
        this.emit(Phase.RenameOther, `ALTER TYPE ${type} RENAME VALUE ${literal(now)} TO ${literal(was)}`);
        this.renames.push(`enum ${type} ${literal(now)} → ${literal(was)}`);
        // the added value is not left behind after all
        const i = this.residual.findIndex((r) => r.kind === 'enum-value' && r.name === `${type} ${literal(now)}`);
        if (i >= 0) this.residual.splice(i, 1);
        this.dropNote(type, now);
        current[current.indexOf(now)] = was;
      }
      for (let i = 0; i < bv.length; i++) {
        const v = bv[i];
        if (current.includes(v)) continue;
        const next = bv.slice(i + 1).find((x) => current.includes(x));
        const prev = bv.slice(0, i).reverse().find((x) => current.includes(x));
        const where = next !== undefined ? ` BEFORE ${literal(next)}` : prev !== undefined ? ` AFTER ${literal(prev)}` : '';
        this.emit(Phase.EnumValues, `ALTER TYPE ${type} ADD VALUE ${literal(v)}${where}`, [`The up dropped value ${literal(v)} from enum ${type}: it is added back; rows the up moved off it keep their new value.`]);
        this.lose(`enum ${type}: value ${literal(v)} dropped by the up is added back, but the rows that held it are not restored`);
        current.splice(next !== undefined ? current.indexOf(next) : prev !== undefined ? current.indexOf(prev) + 1 : current.length, 0, v);
      }
    }
  }

  /** Removes the "cannot drop" note of an enum value that turned out renamed. */
  private dropNote(type: string, value: string): void {
    const head = `The up added value ${literal(value)} to enum ${type}:`;
    const i = this.out.findIndex((o) => o.stmt.comment?.[0]?.startsWith(head));
    if (i >= 0) this.out.splice(i, 1);
    const j = this.irreversible.findIndex((l) => l.startsWith(`enum ${type}: value ${literal(value)} added`));
    if (j >= 0) this.irreversible.splice(j, 1);
  }

  // -------------------------------------------------------------------------------------------
  // Grants and row changes.

  /** Privileges as before the up, from `now` (after; undefined: the default) to `was` (before; undefined: the default). */
  private restoreGrants(name: string, now: SnapshotObject | undefined, was: SnapshotObject | undefined, owner: string | undefined): void {
    const sequence = owner?.startsWith('sequence ') ?? false;
    const target = `${sequence ? 'SEQUENCE ' : ''}${name}`;
    const grantees = new Set([...Object.keys(now?.attributes ?? {}), ...Object.keys(was?.attributes ?? {})]);
    const full = (p: string | undefined) => p !== undefined && (sequence ? ['USAGE', 'SELECT', 'UPDATE'] : ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']).every((x) => p.split(', ').includes(x));
    for (const g of [...grantees].sort()) {
      const before = was?.attributes[g];
      const after = now?.attributes[g];
      if (before === after) continue;
      // Without an ACL, only the owner has privileges (all of them): an owner's entry is left as is.
      if ((before === undefined && !was && full(after)) || (after === undefined && !now && full(before))) continue;
      const who = g === 'PUBLIC' ? 'PUBLIC' : g;
      if (after !== undefined && after !== 'none') this.emit(Phase.Grants, `REVOKE ALL ON ${target} FROM ${who}`);
      if (before !== undefined && before !== 'none') {
        const privs = before.split(', ');
        const plain = privs.filter((p) => !p.endsWith(' WITH GRANT OPTION'));
        const withOption = privs.filter((p) => p.endsWith(' WITH GRANT OPTION')).map((p) => p.replace(/ WITH GRANT OPTION$/, ''));
        if (plain.length) this.emit(Phase.Grants, `GRANT ${plain.join(', ')} ON ${target} TO ${who}`);
        if (withOption.length) this.emit(Phase.Grants, `GRANT ${withOption.join(', ')} ON ${target} TO ${who} WITH GRANT OPTION`);
      }
    }
  }

  /** Rows the up changed in tables it did not create: not undone, said so (one block). */
  private noteDataChanges(extraSet: Set<string>): void {
    const lines: string[] = [];
    for (const d of this.hints?.dataChanges ?? []) {
      const schema = d.schema ?? 'public';
      const table = `${quote(schema)}.${quote(d.table)}`;
      if (extraSet.has(`table ${table}`) || !this.B.has(`table ${table}`)) continue;
      this.dataChanges = true;
      const what = d.statement === 'INSERT' ? 'inserts rows into' : d.statement === 'UPDATE' ? 'updates rows of' : d.statement === 'DELETE' ? 'deletes rows from' : 'empties';
      const line = `the up ${what} ${table}; the down does not undo row changes`;
      if (this.irreversible.includes(line)) continue;
      this.lose(line);
      lines.push(`  ${d.statement} ${table}`);
    }
    if (lines.length) this.emit(Phase.Notes, undefined, ['The up changes rows of tables that existed before it; this down does not undo row changes:', ...lines]);
  }
}

// ---------------------------------------------------------------------------------------------
// DDL of one object.

const TRIGGER_STATE: Record<string, string | undefined> = {
  enabled: undefined,
  disabled: 'DISABLE',
  'enabled on replica': 'ENABLE REPLICA',
  'enabled always': 'ENABLE ALWAYS',
};

function routineWord(f: SnapshotObject): string {
  const kind = f.attributes.kind;
  return kind === 'procedure' ? 'PROCEDURE' : kind === 'aggregate' ? 'AGGREGATE' : 'FUNCTION';
}

/** ` AS integer INCREMENT BY 1 …` from a sequence's snapshot attributes (only those present). */
function sequenceOptions(a: Record<string, string>, withType = true): string {
  const parts: string[] = [];
  if (withType && a['data type']) parts.push(`AS ${a['data type']}`);
  if (a.increment) parts.push(`INCREMENT BY ${a.increment}`);
  if (a.minimum) parts.push(`MINVALUE ${a.minimum}`);
  if (a.maximum) parts.push(`MAXVALUE ${a.maximum}`);
  if (a.start) parts.push(`START WITH ${a.start}`);
  if (a.cache) parts.push(`CACHE ${a.cache}`);
  if (a.cycle) parts.push(a.cycle);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

function createTypeSql(t: SnapshotObject): string | undefined {
  const a = t.attributes;
  switch (a.kind) {
    case 'enum':
      return `CREATE TYPE ${t.name} AS ENUM (${a.values ?? ''})`;
    case 'domain': {
      const parts = [`CREATE DOMAIN ${t.name} AS ${a['base type']}`];
      if (a.default) parts.push(`DEFAULT ${a.default}`);
      if (a.nullability === 'NOT NULL') parts.push('NOT NULL');
      if (a.constraints) parts.push(...a.constraints.split(/; (?=CONSTRAINT |CHECK )/));
      return parts.join(' ');
    }
    case 'range':
      return a.subtype ? `CREATE TYPE ${t.name} AS RANGE (SUBTYPE = ${a.subtype})` : undefined;
    case 'composite':
      return `CREATE TYPE ${t.name} AS (${a.attributes ?? ''})`;
    default:
      return undefined;
  }
}

function createViewSql(v: SnapshotObject, exact?: string): string {
  const a = v.attributes;
  // The exact query only when it is the one the snapshot read (whitespace aside).
  const usable = exact !== undefined && exact.replace(/\s+/g, ' ').trim() === (a.definition ?? '') ? exact : undefined;
  const def = (usable ?? a.definition ?? '').trim().replace(/;\s*$/, '');
  const options = a.options ? ` WITH (${a.options})` : '';
  return `CREATE ${a.kind === 'materialized view' ? 'MATERIALIZED VIEW' : 'VIEW'} ${v.name}${options} AS ${def}`;
}

function createPolicySql(p: SnapshotObject): string {
  const a = p.attributes;
  const roles = a.roles || 'public';
  return [
    `CREATE POLICY ${p.name} ON ${p.table}`,
    `AS ${a.type ?? 'PERMISSIVE'}`,
    `FOR ${a.command ?? 'ALL'}`,
    `TO ${roles}`,
    ...(a.using ? [`USING (${a.using})`] : []),
    ...(a['with check'] ? [`WITH CHECK (${a['with check']})`] : []),
  ].join(' ');
}

/** Settings lists (`search_path=public, pg_temp`) whose values are written unquoted. */
const LIST_SETTINGS = new Set(['search_path', 'temp_tablespaces', 'session_preload_libraries', 'local_preload_libraries', 'shared_preload_libraries']);

function createFunctionSql(f: SnapshotObject, orReplace: boolean): string | undefined {
  const a = f.attributes;
  const kind = a.kind ?? 'function';
  if (kind === 'aggregate' || a.language === 'c' || a.body === undefined) return undefined;
  const procedure = kind === 'procedure';
  const lines = [`CREATE ${orReplace ? 'OR REPLACE ' : ''}${procedure ? 'PROCEDURE' : 'FUNCTION'} ${functionName(f.name)}(${a.arguments ?? ''})`];
  if (!procedure && a.returns) lines.push(`RETURNS ${a.returns}`);
  const traits = [`LANGUAGE ${a.language}`];
  if (kind === 'window function') traits.push('WINDOW');
  if (!procedure) {
    if (a.volatility) traits.push(a.volatility);
    if (a.strict === 'STRICT') traits.push('STRICT');
    if (a.parallel && a.parallel !== 'PARALLEL UNSAFE') traits.push(a.parallel);
  }
  if (a.security === 'SECURITY DEFINER') traits.push('SECURITY DEFINER');
  lines.push(traits.join(' '));
  for (const setting of (a.config ?? '').split(/, (?=[A-Za-z_][\w.]*=)/).filter(Boolean)) {
    const eq = setting.indexOf('=');
    const name = setting.slice(0, eq);
    const value = setting.slice(eq + 1);
    lines.push(`SET ${name} = ${LIST_SETTINGS.has(name) ? value : literal(value)}`);
  }
  const body = a.body;
  if (a.language === 'sql' && /^(BEGIN\s+ATOMIC\b|RETURN\b)/i.test(body)) lines.push(body);
  else lines.push(`AS ${dollarQuote(body)}`);
  return lines.join('\n');
}

/** `$$body$$`, or `$body$…` / `$body1$…` when the body holds `$$`. */
function dollarQuote(body: string): string {
  let tag = '$$';
  for (let i = 0; body.includes(tag); i++) tag = `$body${i || ''}$`;
  return `${tag}\n${body}\n${tag}`;
}

/** `'a', 'b'` → ["'a'", "'b'"]. */
function enumList(values: string): string[] {
  return values.match(/'(?:[^']|'')*'/g) ?? [];
}

function unliteral(l: string): string {
  return l.slice(1, -1).replace(/''/g, "'");
}

/** A composite's `a integer, b character varying(3) COLLATE "C"` → name → type (commas inside parentheses kept). */
function compositeAttributes(list: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let quoted = false;
  let start = 0;
  const take = (end: number): void => {
    const item = list.slice(start, end).trim();
    const m = /^("(?:[^"]|"")*"|\S+) (.*)$/.exec(item);
    if (m) out.set(m[1], m[2]);
  };
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      take(i);
      start = i + 1;
    }
  }
  take(list.length);
  return out;
}

/** `FOREIGN KEY (a, b) REFERENCES public.t(x, y) …` → its columns (raw), the referenced table and columns. */
function foreignKeyColumns(definition: string): { columns: string[]; refTable: string; refColumns: string[] } | undefined {
  const IDENT = '"(?:[^"]|"")*"|[^\\s,()."]+';
  const m = new RegExp(`^FOREIGN KEY \\(([^)]*)\\) REFERENCES ((?:${IDENT})\\.(?:${IDENT}))\\(([^)]*)\\)`).exec(definition);
  if (!m) return undefined;
  const list = (s: string) => s.split(',').map((x) => raw(x.trim()));
  return { columns: list(m[1]), refTable: m[2], refColumns: list(m[3]) };
}

/** `k=v, k2=v2` → Map. */
function optionMap(options: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const item of (options ?? '').split(', ').filter(Boolean)) {
    const eq = item.indexOf('=');
    m.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
  }
  return m;
}

/** A snapshot object of `kind` named schema.name (raw). */
function findByRaw(objects: Map<string, SnapshotObject>, kind: ObjectKind, schema: string, name: string): SnapshotObject | undefined {
  for (const o of objects.values()) if (o.kind === kind && !o.table && raw(schemaPart(o.name)) === schema && raw(lastPart(o.name)) === name) return o;
  return undefined;
}

/** Whether `text` names the qualified `name` (`public.users`) as a whole. */
function mentions(text: string, name: string): boolean {
  const parts = splitName(name).map(raw);
  const toks = tokenize(text).filter((t) => !/^\s+$/.test(t.text));
  for (let i = 0; i + 2 * (parts.length - 1) < toks.length; i++) {
    let ok = true;
    for (let p = 0; p < parts.length && ok; p++) {
      ok = toks[i + 2 * p].id === parts[p] && (p === parts.length - 1 || toks[i + 2 * p + 1].text === '.');
    }
    if (ok && (i === 0 || toks[i - 1].text !== '.')) return true;
  }
  return false;
}

/** Items in an order where each comes after those its text names (a view after the views it selects from); stable, cycles broken by input order. */
function orderByMentions<T>(items: Array<{ name: string; text: string; item: T }>): Array<{ name: string; text: string; item: T }> {
  const out: typeof items = [];
  const placed = new Set<number>();
  const visiting = new Set<number>();
  const visit = (i: number): void => {
    if (placed.has(i) || visiting.has(i)) return;
    visiting.add(i);
    const baseName = (n: string) => (n.includes('(') ? functionName(n) : n);
    items.forEach((other, j) => {
      if (j !== i && mentions(items[i].text, baseName(other.name))) visit(j);
    });
    placed.add(i);
    out.push(items[i]);
  };
  items.forEach((_, i) => visit(i));
  return out;
}

const FAMILIES = [
  /^(text|character varying|character|varchar|char|bpchar|name|citext)\b/,
  /^(smallint|integer|bigint|numeric|real|double precision)\b/,
  /^(timestamp|date|time)\b/,
];

function sameFamily(x: string, y: string): boolean {
  if (x.endsWith('[]') !== y.endsWith('[]')) return false;
  return FAMILIES.some((f) => f.test(x) && f.test(y));
}

/** Whether every value of type `from` fits in type `to` (changing `from` → `to` cannot fail). */
export function widens(from: string, to: string): boolean {
  if (from === to) return true;
  const base = (t: string) => t.replace(/\(.*\)$/, '');
  const mod = (t: string) => /\((\d+)(?:,\s*(\d+))?\)$/.exec(t);
  // Every value has a text form.
  if (to === 'text' || to === 'character varying') return true;
  if (base(from) === base(to)) {
    const f = mod(from);
    const t = mod(to);
    if (!t) return true; // varchar(n) → varchar, numeric(p,s) → numeric
    if (!f) return false;
    if (base(to) === 'numeric') return Number(t[1]) - Number(t[2] ?? 0) >= Number(f[1]) - Number(f[2] ?? 0) && Number(t[2] ?? 0) >= Number(f[2] ?? 0);
    return Number(t[1]) >= Number(f[1]);
  }
  const ladder = ['smallint', 'integer', 'bigint', 'numeric'];
  if (ladder.includes(from) && ladder.includes(base(to))) return ladder.indexOf(from) <= ladder.indexOf(base(to)) && (base(to) !== 'numeric' || !mod(to));
  if (from === 'real' && to === 'double precision') return true;
  if (from === 'timestamp without time zone' && to === 'timestamp with time zone') return true;
  if (from === 'date' && /^timestamp (with|without) time zone$/.test(to)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Rendering.

/**
 * The statements as SQL: each `;`-terminated, commented ones after a blank line. `wrap` writes
 * a statement its own way (goose's StatementBegin/End around a function body).
 */
export function renderDown(statements: DownStatement[], wrap?: (statement: string) => string): string {
  if (statements.length === 0) return '-- The up changes nothing in the schema: there is nothing to reverse.\n';
  const blocks: string[] = [];
  let apart = false;
  for (const s of statements) {
    const lines = (s.comment ?? []).map((c) => `-- ${c}`.trimEnd());
    if (s.sql !== undefined) lines.push(wrap ? wrap(`${s.sql};`) : `${s.sql};`);
    // A commented statement starts a paragraph; a comment alone is one.
    blocks.push(((s.comment?.length || apart) && blocks.length ? '\n' : '') + lines.join('\n'));
    apart = s.sql === undefined;
  }
  return `${blocks.join('\n')}\n`;
}

/**
 * Whether a verification verdict of a generated down is a pass: verified, or left with only
 * the differences the down declared (`residual`); an up that fails again after it only when
 * those differences (or the up's row changes) explain it.
 */
export function judgeGeneratedDown(
  down: Pick<GeneratedDown, 'residual' | 'dataChanges'>,
  verdict: { kind: string; differences?: SchemaDifference[]; failure?: { message: string; code?: string } },
): { ok: boolean; unexpected: SchemaDifference[]; note?: string } {
  const expected = (d: SchemaDifference) => down.residual.some((r) => r.change === d.change && r.kind === d.kind && r.name === d.name);
  const unexpected = (verdict.differences ?? []).filter((d) => !expected(d));
  switch (verdict.kind) {
    case 'verified':
      return { ok: true, unexpected };
    case 'incomplete':
      return { ok: unexpected.length === 0, unexpected, ...(unexpected.length === 0 && { note: 'the schema after the down differs only where it says it cannot reverse' }) };
    case 'reapply-fails': {
      const explained = unexpected.length === 0 && ((verdict.differences ?? []).length > 0 || (down.dataChanges && verdict.failure?.code === '23505'));
      return {
        ok: explained,
        unexpected,
        ...(explained && { note: `the up does not apply again after this down (${verdict.failure?.message ?? 'it fails'}): what the down cannot reverse is still there` }),
      };
    }
    default:
      return { ok: false, unexpected };
  }
}

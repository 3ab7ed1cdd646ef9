import { PglensError } from '../errors';
import { scannerInput } from '../sql/scanner-input';
import { forbiddenReason, trustedExtensionFunction, type FunctionFacts, type Volatility } from './function-policy';
import { walk, walkNodes } from '../sql/ast';
import { parsePlPgSqlSync } from '../sql/parse';
import { parseStatements } from '../sql/parse-statements';

/**
 * Knows, before anything runs, every function a statement can call on the server: the ones
 * it names (also in attribute notation, `(pid).pg_terminate_backend`, and in syntax an older
 * server reads as a call), the functions behind the operators it names, and what the types
 * and relations it touches bring along — for every type (of a column, a cast, a result): the
 * user functions of its casts, operators, operator classes and range support, which also run
 * implicitly (joins, sorts, selectivity estimates), and its domain CHECKs; for relations: view
 * definitions, row-level security policies, partitions, and for the tables it writes,
 * triggers (with their WHEN clauses), rules, defaults, CHECK constraints, index expressions
 * and ON DELETE/UPDATE actions reaching other tables. User functions are followed into their
 * bodies (SQL and PL/pgSQL) and default arguments; what cannot be read (dynamic SQL, other
 * languages, a handler of query_canceled) is reported as unverified. Call with the parser
 * loaded (`loadSqlParser`).
 */
export type CatalogQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export interface ReachedFunction {
  /** `schema.name(argument types)` */
  signature: string;
  schema: string;
  name: string;
  volatility: Volatility;
  why: string;
  /** How the statement reaches it, e.g. `trigger audit on app.orders → app.log_change()`. */
  via: string;
  /** The planner may evaluate it (an IMMUTABLE or STABLE function, or reached through one): plain EXPLAIN could run it. */
  planTime: boolean;
}

export interface CallAnalysis {
  /** Functions no analysis may run, whatever the user allows. */
  forbidden: ReachedFunction[];
  /** Functions pglens cannot prove free of effects that outlive a rollback; the user may allow them by name. */
  unverified: ReachedFunction[];
  /**
   * Foreign tables the statement reads or writes: the remote server runs its own code for them
   * (views, triggers, functions), in a session pglens neither inspects nor resets.
   */
  foreignTables: string[];
}

interface NameRef {
  schema?: string;
  name: string;
}

/** What one statement (or expression, or function body) refers to, before resolving anything. */
export interface StatementRefs {
  functions: NameRef[];
  /** `x.f` / `(x).f`: a call of f(x) when x has no column f (f may have more arguments with defaults). */
  attributes: NameRef[];
  operators: NameRef[];
  types: NameRef[];
  reads: NameRef[];
  writes: NameRef[];
}

const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/**
 * Syntax pglens's parser (PostgreSQL 18's grammar) reads as its own construct but an older
 * server reads as a call of a function of that name, which a user can define there
 * (`public.json_scalar` on PostgreSQL 15).
 */
const CALL_LIKE_SYNTAX: Record<string, string> = {
  JsonScalarExpr: 'json_scalar',
  JsonSerializeExpr: 'json_serialize',
  JsonParseExpr: 'json',
  JsonObjectConstructor: 'json_object',
  JsonArrayConstructor: 'json_array',
  JsonArrayQueryConstructor: 'json_array',
  JsonObjectAgg: 'json_objectagg',
  JsonArrayAgg: 'json_arrayagg',
  JsonTable: 'json_table',
  MergeSupportFunc: 'merge_action',
};
const JSON_FUNCTIONS: Record<string, string> = { JSON_EXISTS_OP: 'json_exists', JSON_QUERY_OP: 'json_query', JSON_VALUE_OP: 'json_value' };

function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const sval = (item as { String?: { sval?: string } }).String?.sval;
    return typeof sval === 'string' ? [sval] : [];
  });
}

function nameRef(parts: string[]): NameRef | undefined {
  if (parts.length === 0) return undefined;
  const name = parts[parts.length - 1];
  return parts.length >= 2 ? { schema: parts[parts.length - 2], name } : { name };
}

function rangeVarRef(body: Record<string, unknown>): NameRef | undefined {
  if (typeof body.relname !== 'string') return undefined;
  return typeof body.schemaname === 'string' ? { schema: body.schemaname, name: body.relname } : { name: body.relname };
}

export function collectRefs(tree: unknown): StatementRefs {
  const refs: StatementRefs = { functions: [], attributes: [], operators: [], types: [], reads: [], writes: [] };
  const push = (list: NameRef[], ref: NameRef | undefined) => {
    if (ref) list.push(ref);
  };
  walkNodes(tree, (type, body) => {
    if (DML.has(type) && body.relation && typeof body.relation === 'object') {
      push(refs.writes, rangeVarRef(body.relation as Record<string, unknown>));
    }
    if (CALL_LIKE_SYNTAX[type]) refs.functions.push({ name: CALL_LIKE_SYNTAX[type] });
    switch (type) {
      case 'JsonFuncExpr':
        if (typeof body.op === 'string' && JSON_FUNCTIONS[body.op]) refs.functions.push({ name: JSON_FUNCTIONS[body.op] });
        break;
      case 'RangeVar':
        push(refs.reads, rangeVarRef(body));
        break;
      case 'FuncCall':
        push(refs.functions, nameRef(strings(body.funcname)));
        break;
      case 'RangeTableSample':
        push(refs.functions, nameRef(strings(body.method)));
        break;
      case 'ColumnRef':
        for (const field of strings(body.fields).slice(1)) refs.attributes.push({ name: field });
        break;
      case 'A_Indirection':
        for (const field of strings(body.indirection)) refs.attributes.push({ name: field });
        break;
      case 'A_Expr':
        push(refs.operators, nameRef(strings(body.name)));
        break;
      case 'SortBy':
        push(refs.operators, nameRef(strings(body.useOp)));
        break;
      case 'SubLink':
        push(refs.operators, nameRef(strings(body.operName)));
        break;
    }
  });
  // Every type the statement writes: a cast, and as surely a column definition list
  // (`json_to_record(…) AS x(a positive)`), XMLTABLE and JSON_TABLE columns, RETURNING of the
  // SQL/JSON functions, XMLSERIALIZE — the values put into them are coerced to it (domain CHECKs).
  walk(tree, (value, key) => {
    if (key === 'typeName' && Array.isArray(value.names)) push(refs.types, nameRef(strings(value.names)));
  });
  return refs;
}

interface Context {
  /** Readable path from the statement, outermost last. */
  via: string;
  planTime: boolean;
  /** Unqualified names inside function bodies may resolve through the function's own search_path: match them in every schema. */
  anySchema: boolean;
  /** Every relation read here is written too (an updatable view's definition, for a write through the view). */
  writeAll?: boolean;
}

interface FunctionRow {
  oid: string;
  schema: string;
  name: string;
  vol: string;
  kind: string;
  lang: string;
  args: string;
  builtin: boolean;
  ext: boolean;
  def: string | null;
  support: string | null;
  /** `name(arg types DEFAULT expr, …)` of a user function with default arguments. */
  defaults: string | null;
  /** For a user LANGUAGE internal function: `name:volatility` of the built-in with the same C symbol. */
  internal_of: string | null;
  /** The result type's OID: its operators may run on the result. */
  rettype: string;
}

/** Beyond this many objects the answer is "unverified", not a long wait. */
const MAX_OBJECTS = 2000;
const VOLATILITY: Record<string, Volatility> = { i: 'immutable', s: 'stable', v: 'volatile' };

/** Allowed PL/pgSQL statements: none runs SQL pglens cannot see. */
const PLPGSQL_STATEMENTS = new Set(
  [
    'block', 'assign', 'if', 'case', 'loop', 'while', 'fori', 'fors', 'forc', 'foreach_a', 'exit', 'return',
    'return_next', 'return_query', 'raise', 'assert', 'execsql', 'perform', 'getdiag', 'open', 'fetch', 'close',
  ].map((s) => `PLpgSQL_stmt_${s}`),
);

export async function analyzeCalls(query: CatalogQuery, statement: unknown): Promise<CallAnalysis> {
  const analysis = new Analysis(query);
  analysis.addTree(statement, { via: 'the statement', planTime: false, anySchema: false });
  await analysis.run();
  return analysis.result;
}

/**
 * What reading a bound parameter value runs: a value sent for a parameter of a domain type
 * (or of an array, composite or range holding one) goes through the domain's input, which runs
 * its CHECK constraints as the value arrives — before planning, so at plain EXPLAIN too, and
 * whether or not the statement names the domain (`f($1)` with f taking one). `domains`: the
 * domains' OIDs, or 'all' when the parameters' types are not known (every domain's CHECKs).
 * Whatever the CHECKs reach counts as plan-time code. `via` says where the value goes (`$2`).
 */
export async function analyzeDomainChecks(query: CatalogQuery, domains: string[] | 'all', via: string): Promise<CallAnalysis> {
  const analysis = new Analysis(query);
  if (domains === 'all' || domains.length > 0) {
    for (const row of await query(DOMAIN_CHECKS, [domains === 'all' ? null : JSON.stringify(domains)])) {
      analysis.addCheck(String(row.sql), { via: `CHECK ${row.name} of domain ${row.domain} ← ${via}`, planTime: true, anySchema: false });
    }
  }
  await analysis.run();
  return analysis.result;
}

/** $1: the domains' OIDs as a JSON array, or NULL for every domain. Their CHECK constraints as SQL. */
const DOMAIN_CHECKS = `SELECT co.conname::text AS name, pg_catalog.format_type(co.contypid, NULL) AS domain, 'SELECT ' || pg_catalog.pg_get_expr(co.conbin, 0) AS sql
  FROM pg_catalog.pg_constraint co
 WHERE co.contypid <> 0 AND co.contype = 'c'
   AND ($1::jsonb IS NULL OR co.contypid::text IN (SELECT jsonb_array_elements_text($1::jsonb)))`;

interface FunctionRef {
  kind: 'function' | 'attribute' | 'operator' | 'oid';
  schema?: string;
  /** The name, or for `oid` the function's OID. */
  name: string;
  ctx: Context;
}

interface TypeRef {
  /** A type by name or OID, or an operator class by OID (of an index or a partition key). */
  kind: 'name' | 'oid' | 'opclass';
  schema?: string;
  name: string;
  ctx: Context;
}

interface RelationRef {
  kind: 'name' | 'oid';
  schema?: string;
  name: string;
  write: boolean;
  ctx: Context;
}

/**
 * Rounds until nothing new is reached, each one round trip per kind: relations (resolved, and
 * what they bring along), types (what user code hangs on them), functions (names, operators
 * and OIDs resolved and their facts read).
 */
class Analysis {
  readonly result: CallAnalysis = { forbidden: [], unverified: [], foreignTables: [] };
  private objects = 0;
  private readonly seen = new Set<string>();
  private functions: FunctionRef[] = [];
  private relations: RelationRef[] = [];
  private types: TypeRef[] = [];

  constructor(private readonly query: CatalogQuery) {}

  /** A domain CHECK expression (`SELECT <expr>`), followed like any SQL found on the server. */
  addCheck(sql: string, ctx: Context): void {
    this.addSql(sql, ctx);
  }

  addTree(tree: unknown, ctx: Context): void {
    const refs = collectRefs(tree);
    for (const ref of refs.functions) this.functions.push({ kind: 'function', ...ref, ctx });
    for (const ref of refs.attributes) this.functions.push({ kind: 'attribute', ...ref, ctx });
    // The planner calls operators' functions to estimate selectivity, whatever their volatility.
    for (const ref of refs.operators) this.functions.push({ kind: 'operator', ...ref, ctx: { ...ctx, planTime: true } });
    for (const ref of refs.types) this.types.push({ kind: 'name', ...ref, ctx });
    for (const ref of refs.reads) this.relations.push({ kind: 'name', ...ref, write: ctx.writeAll === true, ctx });
    for (const ref of refs.writes) this.relations.push({ kind: 'name', ...ref, write: true, ctx });
  }

  /**
   * Parses SQL text found on the server (a view, a policy, a body) and follows it. Text pglens
   * cannot read is never skipped: a function body makes `owner` unverified, any other
   * definition refuses the statement.
   */
  private addSql(sql: string, ctx: Context, owner?: ReachedFunction): void {
    try {
      for (const s of parseStatements(sql)) this.addTree(s.node, ctx);
    } catch {
      if (owner) this.result.unverified.push({ ...owner, why: 'its body could not be read' });
      else this.result.forbidden.push({ signature: 'SQL pglens could not read', schema: '', name: '', volatility: 'volatile', why: 'pglens does not run what it cannot check', via: ctx.via, planTime: true });
    }
  }

  private first(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  async run(): Promise<void> {
    while (this.functions.length + this.relations.length + this.types.length > 0) {
      if (this.objects > MAX_OBJECTS) {
        this.result.unverified.push({
          signature: '(more objects)',
          schema: '',
          name: '',
          volatility: 'volatile',
          why: `the statement reaches more than ${MAX_OBJECTS} functions and relations, more than pglens checks`,
          via: 'the statement',
          planTime: true,
        });
        return;
      }
      await this.resolveRelations();
      await this.resolveTypes();
      await this.resolveFunctions();
    }
  }

  /**
   * What a type brings along wherever a value of it is compared, sorted, hashed, cast or
   * checked — also implicitly (a JOIN … USING, a CASE, an ORDER BY): the user functions behind
   * its operators, operator classes, casts and range support, which the planner may call too,
   * and its domain CHECK constraints.
   */
  private async resolveTypes(): Promise<void> {
    const items = this.types.splice(0).filter((t) => this.first(`type:${t.kind}:${t.schema ?? ''}.${t.name}:${key(t.ctx)}`));
    if (items.length === 0) return;
    const wanted = items.map((t, i) => ({ i, kind: t.kind, schema: t.schema ?? null, name: t.name }));
    for (const row of await this.query(TYPES, [JSON.stringify(wanted)])) {
      const item = items[Number(row.i)];
      // Operator and support functions may run while planning (estimates); domain CHECKs only when
      // a value is coerced — in the statement (CoerceToDomain, never folded by the planner), or on
      // input of a value bound to a parameter, which the explain runner handles (analyzeDomainChecks).
      const ctx: Context = { ...item.ctx, via: `${row.what} ← ${item.ctx.via}`, planTime: row.kind === 'function' || item.ctx.planTime };
      if (row.kind === 'function') this.functions.push({ kind: 'oid', name: String(row.ref), ctx });
      else this.addSql(String(row.ref), ctx);
    }
  }

  private async resolveFunctions(): Promise<void> {
    const items = this.functions.splice(0).filter((f) => this.first(`fn:${f.kind}:${f.schema ?? ''}.${f.name}:${key(f.ctx)}`));
    if (items.length === 0) return;
    const wanted = items.map((f, i) => ({ i, kind: f.kind, schema: f.schema ?? null, name: f.name, anyschema: f.ctx.anySchema }));
    const rows = (await this.query(FUNCTIONS, [JSON.stringify(wanted)])) as unknown as (FunctionRow & { i: number })[];
    for (const row of rows) {
      const ctx = items[Number(row.i)].ctx;
      if (!this.first(`oid:${row.oid}:${key(ctx)}`)) continue;
      this.objects++;
      this.classify(row, ctx);
    }
  }

  private async resolveRelations(): Promise<void> {
    const items = this.relations.splice(0).filter((r) => this.first(`rel:${r.kind}:${r.schema ?? ''}.${r.name}:${r.write}:${key(r.ctx)}`));
    if (items.length === 0) return;
    const wanted = items.map((r, i) => ({ i, kind: r.kind, schema: r.schema ?? null, name: r.name, anyschema: r.ctx.anySchema, write: r.write }));
    const rows = await this.query(RELATIONS, [JSON.stringify(wanted)]);
    // The relations reached, each with how (written or not, through what), once per context.
    const reached: { oid: string; label: string; write: boolean; ctx: Context }[] = [];
    for (const row of rows.filter((r) => r.kind === 'relation')) {
      const item = items[Number(row.i)];
      if (!this.first(`reloid:${row.owner}:${item.write}:${key(item.ctx)}`)) continue;
      this.objects++;
      reached.push({ oid: String(row.owner), label: String(row.what), write: item.write, ctx: item.ctx });
      for (const type of String(row.coltypes ?? '').split(',').filter(Boolean)) this.types.push({ kind: 'oid', name: type, ctx: item.ctx });
      if (row.relkind === 'f' && !this.result.foreignTables.includes(String(row.what))) this.result.foreignTables.push(String(row.what));
    }
    for (const row of rows.filter((r) => r.kind !== 'relation')) {
      const kind = String(row.kind);
      for (const item of reached.filter((r) => r.oid === String(row.owner))) {
        // Triggers, rules, defaults, constraints and cascades act only on a write.
        if (!item.write && !READ_DEPENDENTS.has(kind)) continue;
        const what = row.what === null ? '' : ` ${row.what}`;
        const via = `${kind}${what} on ${item.label} ← ${item.ctx.via}`;
        if (kind === 'partition' || kind === 'cascade') {
          this.relations.push({ kind: 'oid', name: String(row.rel), write: kind === 'cascade' || item.write, ctx: item.ctx });
          continue;
        }
        if (kind === 'opclass') {
          this.types.push({ kind: 'opclass', name: String(row.func), ctx: { ...item.ctx, via: `an index or partition key on ${item.label} ← ${item.ctx.via}`, planTime: true } });
          continue;
        }
        const ctx: Context = { via, planTime: item.ctx.planTime, anySchema: item.ctx.anySchema, writeAll: kind === 'view' && item.write };
        if (typeof row.func === 'string') this.functions.push({ kind: 'oid', name: row.func, ctx });
        if (typeof row.sql === 'string') this.addSql(row.sql, ctx);
      }
    }
  }

  private classify(row: FunctionRow, ctx: Context): void {
    const volatility = VOLATILITY[row.vol] ?? 'volatile';
    const facts: FunctionFacts = { name: row.name, volatility, builtin: row.builtin === true, inExtension: row.ext === true, language: row.lang };
    const reached: ReachedFunction = {
      signature: `${row.schema}.${row.name}(${row.args})`,
      schema: row.schema,
      name: row.name,
      volatility,
      why: '',
      via: ctx.via,
      planTime: ctx.planTime || volatility !== 'volatile',
    };
    const forbidden = forbiddenReason(facts);
    if (forbidden) {
      this.result.forbidden.push({ ...reached, why: forbidden });
      return;
    }
    this.types.push({ kind: 'oid', name: String(row.rettype), ctx });
    if (row.lang === 'internal' && !facts.builtin) {
      // A user-made LANGUAGE internal function runs a built-in's C code under another name and
      // volatility: judge it as that built-in.
      const [name, vol] = (row.internal_of ?? '').split(':');
      const as: FunctionFacts = { name, volatility: VOLATILITY[vol] ?? 'volatile', builtin: true, inExtension: false, language: 'internal' };
      const why = row.internal_of ? forbiddenReason(as) : 'it is a LANGUAGE internal function pglens cannot match to a built-in';
      if (why) this.result.forbidden.push({ ...reached, why: row.internal_of ? `it runs the built-in ${name}: ${why}` : why });
      return;
    }
    if (row.defaults) this.followDefaults(row.defaults, { via: `default argument of ${reached.signature} ← ${ctx.via}`, planTime: true, anySchema: true }, reached);
    if (row.kind === 'a' && row.support) {
      for (const oid of JSON.parse(row.support) as string[]) this.functions.push({ kind: 'oid', name: oid, ctx: { ...ctx, via: `aggregate ${reached.signature} ← ${ctx.via}` } });
    }
    if (facts.builtin || trustedExtensionFunction(facts) || row.kind === 'a') return;
    const inner: Context = { via: `${reached.signature} ← ${ctx.via}`, planTime: reached.planTime, anySchema: true };
    // `def` is read for SQL and PL/pgSQL functions only.
    if (row.def && row.lang === 'sql') this.followSqlFunction(row.def, inner, reached);
    else if (row.def && row.lang === 'plpgsql') this.followPlpgsql(row.def, inner, reached);
    else this.result.unverified.push({ ...reached, why: `it is written in LANGUAGE ${row.lang}, which pglens cannot inspect` });
  }

  private followSqlFunction(def: string, ctx: Context, owner: ReachedFunction): void {
    let create: Record<string, unknown> | undefined;
    try {
      create = parseStatements(def)[0]?.node.CreateFunctionStmt as Record<string, unknown> | undefined;
    } catch {
      create = undefined;
    }
    if (!create) {
      this.result.unverified.push({ ...owner, why: 'its body could not be read' });
      return;
    }
    if (create.sql_body) {
      this.addTree(create.sql_body, ctx);
      return;
    }
    const as = (create.options as { DefElem?: { defname?: string; arg?: unknown } }[] | undefined)?.find((o) => o.DefElem?.defname === 'as');
    const body = strings((as?.DefElem?.arg as { List?: { items?: unknown } } | undefined)?.List?.items)[0];
    if (body === undefined) {
      this.result.unverified.push({ ...owner, why: 'its body could not be read' });
      return;
    }
    if (body.trim() !== '') this.addSql(body, ctx, owner);
  }

  /** Default argument expressions are inserted into each call that omits them (and folded when constant). */
  private followDefaults(args: string, ctx: Context, owner: ReachedFunction): void {
    try {
      const create = parseStatements(`CREATE FUNCTION pglens_defaults(${args}) RETURNS void LANGUAGE sql AS ''`)[0]?.node.CreateFunctionStmt as { parameters?: { FunctionParameter?: { defexpr?: unknown } }[] } | undefined;
      for (const p of create?.parameters ?? []) if (p.FunctionParameter?.defexpr) this.addTree(p.FunctionParameter.defexpr, ctx);
    } catch {
      this.result.unverified.push({ ...owner, why: 'its default arguments could not be read' });
    }
  }

  private followPlpgsql(def: string, ctx: Context, owner: ReachedFunction): void {
    let parsed: { plpgsql_funcs?: unknown[] };
    try {
      // Nested comments are blanked first: Postgres's scanner is quadratic on them (scanner-input.ts).
      parsed = parsePlPgSqlSync(scannerInput(def).text);
    } catch {
      this.result.unverified.push({ ...owner, why: 'its PL/pgSQL body could not be read' });
      return;
    }
    const problems: string[] = [];
    const expressions: { query: string; mode: number }[] = [];
    walk(parsed, (value, key) => {
      if (key.startsWith('PLpgSQL_stmt_') && !PLPGSQL_STATEMENTS.has(key)) problems.push(describePlpgsql(key));
      if (key === 'dynquery') problems.push('it runs dynamic SQL (EXECUTE), which pglens cannot inspect');
      if (key === 'PLpgSQL_expr' && typeof value.query === 'string') expressions.push({ query: value.query, mode: Number(value.parseMode ?? 0) });
      // WHEN OTHERS does not catch a cancel; naming it does, and then nothing stops the loop around it.
      if (key === 'PLpgSQL_condition' && (value.condname === 'query_canceled' || value.condname === '57014')) {
        problems.push('it catches query_canceled, so neither the statement timeout nor Cancel could stop it');
      }
    });
    if (problems.length > 0) {
      this.result.unverified.push({ ...owner, why: [...new Set(problems)].join('; ') });
      return;
    }
    for (const e of expressions) {
      // parseMode 0 is a whole statement; 2 an expression; 3–5 an assignment `target := expression`,
      // whose target may hold calls too (`a[f()] := 1`).
      const text = e.mode === 0 ? e.query : e.mode >= 3 ? `SELECT ${assignmentParts(e.query).join(', ')}` : `SELECT ${e.query}`;
      this.addSql(text, ctx, owner);
    }
  }
}

/** `a[i] := f(x)` → ['f(x)', 'a[i]']: split at the first `:=` (or `=`) outside brackets and quotes. */
export function assignmentParts(assignment: string): string[] {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < assignment.length; i++) {
    const c = assignment[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '(' || c === '[') {
      depth++;
    } else if (c === ')' || c === ']') {
      depth--;
    } else if (depth === 0 && (c === '=' || (c === ':' && assignment[i + 1] === '='))) {
      const target = assignment.slice(0, i).trim();
      const value = assignment.slice(c === ':' ? i + 2 : i + 1).trim();
      return [value, target];
    }
  }
  return [assignment];
}

function key(ctx: Context): string {
  return `${ctx.planTime ? 'p' : ''}${ctx.anySchema ? 'a' : ''}${ctx.writeAll ? 'w' : ''}`;
}

function describePlpgsql(stmt: string): string {
  switch (stmt) {
    case 'PLpgSQL_stmt_dynexecute':
    case 'PLpgSQL_stmt_dynfors':
      return 'it runs dynamic SQL (EXECUTE), which pglens cannot inspect';
    case 'PLpgSQL_stmt_call':
      return 'it CALLs a procedure';
    case 'PLpgSQL_stmt_commit':
    case 'PLpgSQL_stmt_rollback':
      return 'it ends transactions';
    default:
      return `it uses ${stmt.replace('PLpgSQL_stmt_', '').toUpperCase()}, which pglens does not inspect`;
  }
}

/** What a relation brings along even when it is only read. */
const READ_DEPENDENTS = new Set(['view', 'policy', 'partition', 'opclass']);

/** Unqualified names: the session's search path (and pg_catalog), or every schema inside function bodies. */
const SCHEMA_MATCH = `CASE WHEN w.schema IS NOT NULL THEN n.nspname = w.schema
  WHEN w.anyschema THEN true
  ELSE n.nspname = ANY (current_schemas(true)) END`;

/**
 * $1: the references, as JSON. Functions by name (for attribute notation, those callable
 * with one argument), the functions of user operators named (built-in operators call built-in
 * IMMUTABLE or STABLE functions), and functions by OID; then what pglens needs to judge each.
 */
const FUNCTIONS = `WITH w AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(i int, kind text, schema text, name text, anyschema bool)),
found AS (
  SELECT w.i, p.oid FROM w JOIN pg_proc p ON p.proname = w.name JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE w.kind IN ('function', 'attribute') AND (${SCHEMA_MATCH})
     AND (w.kind = 'function' OR (p.pronargs >= 1 AND p.pronargs - p.pronargdefaults <= 1))
  UNION
  SELECT w.i, o.oprcode::oid FROM w JOIN pg_operator o ON o.oprname = w.name JOIN pg_namespace n ON n.oid = o.oprnamespace
   WHERE w.kind = 'operator' AND o.oprcode::oid >= 16384 AND (${SCHEMA_MATCH})
  UNION
  SELECT w.i, w.name::oid FROM w WHERE w.kind = 'oid'
)
SELECT found.i, p.oid::text AS oid, n.nspname AS schema, p.proname AS name, p.provolatile::text AS vol,
       p.prokind::text AS kind, l.lanname AS lang, pg_get_function_identity_arguments(p.oid) AS args,
       p.oid < 16384 AS builtin,
       p.oid >= 16384 AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') AS ext,
       CASE WHEN p.prokind IN ('f', 'p', 'w') AND p.oid >= 16384 AND l.lanname IN ('sql', 'plpgsql') THEN pg_get_functiondef(p.oid) END AS def,
       CASE WHEN p.prokind = 'a' AND p.oid >= 16384 THEN (
         SELECT jsonb_agg(f::oid::text)::text FROM pg_aggregate a,
                LATERAL unnest(ARRAY[a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
                                     a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn]) AS f
          WHERE a.aggfnoid = p.oid AND f::oid <> 0) END AS support,
       CASE WHEN p.pronargdefaults > 0 AND p.oid >= 16384 THEN pg_get_function_arguments(p.oid) END AS defaults,
       CASE WHEN l.lanname = 'internal' AND p.oid >= 16384 THEN (
         SELECT b.proname || ':' || b.provolatile::text FROM pg_proc b WHERE b.prosrc = p.prosrc AND b.oid < 16384 ORDER BY b.oid LIMIT 1) END AS internal_of,
       p.prorettype::text AS rettype
  FROM found
  JOIN pg_proc p ON p.oid = found.oid
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang`;

/**
 * $1: the type references, as JSON (by name: a cast in the statement; by OID: the type of a
 * column or a result). For each type, its array element type and the base types of a domain:
 * the user functions the server may call on its values without the statement naming them —
 * comparison operators (`=`, `<`…, chosen by name for JOIN … USING, CASE, IN), the operators
 * and support functions of its default operator classes (sorts, grouping, hash joins, index
 * scans), casts (implicit ones only, unless the statement casts to the type), a range's
 * subtype_diff and canonical — and its domain CHECK expressions as SQL.
 */
const TYPES = `WITH RECURSIVE w AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(i int, kind text, schema text, name text)),
named AS (
  SELECT w.i, t.oid, true AS explicit FROM w JOIN pg_type t ON t.typname = w.name JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE w.kind = 'name' AND (w.schema IS NULL OR n.nspname = w.schema)
  UNION
  SELECT w.i, w.name::oid, false FROM w WHERE w.kind = 'oid'
),
types(i, oid, explicit) AS (
  SELECT i, oid, explicit FROM named
  UNION
  -- What a value of the type holds, compared through it: a domain's base, an array's element,
  -- a range's subtype, a composite's attributes.
  SELECT types.i, x.o, types.explicit FROM types JOIN pg_type t ON t.oid = types.oid,
         LATERAL (VALUES (t.typbasetype), (t.typelem), ((SELECT rg.rngsubtype FROM pg_range rg WHERE rg.rngtypid = t.oid))
                  UNION ALL
                  SELECT a.atttypid FROM pg_attribute a
                   WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS x(o)
   WHERE x.o IS NOT NULL AND x.o <> 0
),
-- What user code hangs on types, wherever it is (a few rows in most databases): then only the types asked.
addons(typ, kind, ref, explicit_only) AS (
  SELECT c.casttarget, 'function', c.castfunc::text, c.castcontext = 'e' FROM pg_cast c WHERE c.castfunc >= 16384
  UNION ALL
  SELECT c.castsource, 'function', c.castfunc::text, c.castcontext = 'e' FROM pg_cast c WHERE c.castfunc >= 16384
  UNION ALL
  SELECT x.t, 'function', o.oprcode::oid::text, false FROM pg_operator o, LATERAL (VALUES (o.oprleft), (o.oprright)) AS x(t)
   WHERE o.oprcode::oid >= 16384 AND o.oprname IN ('=', '<>', '<', '>', '<=', '>=')
  UNION ALL
  SELECT oc.opcintype, 'function', o.oprcode::oid::text, false
    FROM pg_opclass oc JOIN pg_amop am ON am.amopfamily = oc.opcfamily JOIN pg_operator o ON o.oid = am.amopopr
   WHERE oc.opcdefault AND o.oprcode::oid >= 16384
  UNION ALL
  SELECT oc.opcintype, 'function', ap.amproc::oid::text, false
    FROM pg_opclass oc JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily WHERE oc.opcdefault AND ap.amproc::oid >= 16384
  UNION ALL
  SELECT rg.rngtypid, 'function', f::oid::text, false FROM pg_range rg, LATERAL unnest(ARRAY[rg.rngsubdiff, rg.rngcanonical]) AS f WHERE f::oid >= 16384
  UNION ALL
  SELECT co.contypid, 'sql', 'SELECT ' || pg_get_expr(co.conbin, 0), false FROM pg_constraint co WHERE co.contypid <> 0 AND co.contype = 'c'
),
-- Operator classes used whatever the type's default: a range's subtype_opclass, and those of
-- the indexes and partition keys of the relations reached (partition pruning runs them while planning).
families(i, fam) AS (
  SELECT types.i, oc.opcfamily FROM types JOIN pg_range rg ON rg.rngtypid = types.oid JOIN pg_opclass oc ON oc.oid = rg.rngsubopc
  UNION
  SELECT w.i, oc.opcfamily FROM w JOIN pg_opclass oc ON oc.oid = CASE WHEN w.kind = 'opclass' THEN w.name::oid END
)
SELECT DISTINCT types.i, a.kind, a.ref, 'type ' || format_type(types.oid, NULL) AS what
  FROM types JOIN addons a ON a.typ = types.oid
 WHERE types.explicit OR NOT a.explicit_only
UNION
SELECT families.i, 'function', o.oprcode::oid::text, 'operator family ' || f.opfname
  FROM families JOIN pg_opfamily f ON f.oid = families.fam JOIN pg_amop am ON am.amopfamily = families.fam JOIN pg_operator o ON o.oid = am.amopopr
 WHERE o.oprcode::oid >= 16384
UNION
SELECT families.i, 'function', ap.amproc::oid::text, 'operator family ' || f.opfname
  FROM families JOIN pg_opfamily f ON f.oid = families.fam JOIN pg_amproc ap ON ap.amprocfamily = families.fam
 WHERE ap.amproc::oid >= 16384`;

/**
 * $1: the relation references, as JSON (by name, resolved through the search path or, inside
 * function bodies, in every schema; or by OID). One 'relation' row per reference resolved
 * (`owner` its OID), then what those relations bring along: `owner` the relation, `rel` for
 * partitions and ON DELETE/UPDATE actions the relation reached through it. Which of them act
 * (a trigger only on a write) is the caller's to decide.
 */
const RELATIONS = `WITH w AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(i int, kind text, schema text, name text, anyschema bool, write bool)),
found AS (
  SELECT w.i, c.oid FROM w
    JOIN pg_class c ON c.oid = to_regclass(CASE WHEN w.schema IS NULL THEN quote_ident(w.name) ELSE quote_ident(w.schema) || '.' || quote_ident(w.name) END)
   WHERE w.kind = 'name' AND NOT (w.anyschema AND w.schema IS NULL)
  UNION
  SELECT w.i, c.oid FROM w JOIN pg_class c ON c.relname = w.name
   WHERE w.kind = 'name' AND w.anyschema AND w.schema IS NULL
  UNION
  SELECT w.i, w.name::oid FROM w WHERE w.kind = 'oid'
),
-- PostgreSQL's own relations (catalogs, system views) are trusted as its functions are.
r AS (SELECT DISTINCT oid FROM found WHERE oid >= 16384)
SELECT 'relation' AS kind, found.i, c.oid::text AS owner, NULL::text AS rel, c.relkind::text AS relkind, NULL::text AS sql, NULL::text AS func,
       n.nspname || '.' || c.relname AS what,
       -- The row type too: a whole-row reference is compared, sorted and hashed as one value.
       concat_ws(',', c.reltype::text, (SELECT string_agg(DISTINCT a.atttypid::text, ',') FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)) AS coltypes
  FROM found JOIN pg_class c ON c.oid = found.oid JOIN pg_namespace n ON n.oid = c.relnamespace
UNION ALL
SELECT 'view', NULL, c.oid::text, NULL, NULL, pg_get_viewdef(c.oid), NULL, NULL, NULL
  FROM pg_class c WHERE c.oid IN (SELECT oid FROM r) AND c.relkind = 'v'
UNION ALL
SELECT 'policy', NULL, p.polrelid::text, NULL, NULL,
       'SELECT ' || coalesce(pg_get_expr(p.polqual, p.polrelid), 'true') || ', ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), 'true'),
       NULL, p.polname::text, NULL
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
 WHERE p.polrelid IN (SELECT oid FROM r) AND c.relrowsecurity
UNION ALL
SELECT 'opclass', NULL, i.indrelid::text, NULL, NULL, NULL, x.opc::text, NULL, NULL
  FROM pg_index i, LATERAL unnest(i.indclass::oid[]) AS x(opc) WHERE i.indrelid IN (SELECT oid FROM r)
UNION ALL
SELECT 'opclass', NULL, p.partrelid::text, NULL, NULL, NULL, x.opc::text, NULL, NULL
  FROM pg_partitioned_table p, LATERAL unnest(p.partclass::oid[]) AS x(opc) WHERE p.partrelid IN (SELECT oid FROM r)
UNION ALL
SELECT 'partition', NULL, i.inhparent::text, i.inhrelid::text, NULL, NULL, NULL, NULL, NULL
  FROM pg_inherits i WHERE i.inhparent IN (SELECT oid FROM r)
UNION ALL
SELECT 'trigger', NULL, t.tgrelid::text, NULL, NULL, pg_get_triggerdef(t.oid), t.tgfoid::text, t.tgname::text, NULL
  FROM pg_trigger t WHERE t.tgrelid IN (SELECT oid FROM r) AND NOT t.tgisinternal AND t.tgenabled <> 'D'
UNION ALL
SELECT 'rule', NULL, ru.ev_class::text, NULL, NULL, pg_get_ruledef(ru.oid), NULL, ru.rulename::text, NULL
  FROM pg_rewrite ru WHERE ru.ev_class IN (SELECT oid FROM r) AND ru.rulename <> '_RETURN'
UNION ALL
SELECT 'default', NULL, d.adrelid::text, NULL, NULL, 'SELECT ' || pg_get_expr(d.adbin, d.adrelid), NULL, NULL, NULL
  FROM pg_attrdef d WHERE d.adrelid IN (SELECT oid FROM r)
UNION ALL
SELECT 'check', NULL, co.conrelid::text, NULL, NULL, 'SELECT ' || pg_get_expr(co.conbin, co.conrelid), NULL, co.conname::text, NULL
  FROM pg_constraint co WHERE co.conrelid IN (SELECT oid FROM r) AND co.contype = 'c'
UNION ALL
SELECT 'index', NULL, i.indrelid::text, NULL, NULL, pg_get_indexdef(i.indexrelid), NULL, NULL, NULL
  FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM r) AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)
UNION ALL
SELECT 'cascade', NULL, co.confrelid::text, co.conrelid::text, NULL, NULL, NULL, NULL, NULL
  FROM pg_constraint co
 WHERE co.confrelid IN (SELECT oid FROM r) AND co.contype = 'f'
   AND (co.confdeltype IN ('c', 'n', 'd') OR co.confupdtype IN ('c', 'n', 'd'))`;

export interface CallPolicyOptions {
  analyze: boolean;
  /** `schema.name` or `name` of unverified functions the user allows to run. */
  allowFunctions?: string[];
}

/**
 * The refusal the reached functions call for, or undefined. ANALYZE runs the statement: any
 * forbidden function refuses it, unverified ones unless allowed. Plain EXPLAIN runs nothing
 * but what the planner evaluates early (IMMUTABLE and STABLE functions), so only those count.
 */
export function callRefusal(calls: CallAnalysis, options: CallPolicyOptions): PglensError | undefined {
  const allowed = new Set((options.allowFunctions ?? []).map((f) => f.trim().toLowerCase()).filter(Boolean));
  const isAllowed = (f: ReachedFunction) => allowed.has(f.name.toLowerCase()) || allowed.has(`${f.schema}.${f.name}`.toLowerCase());
  const relevant = (f: ReachedFunction) => options.analyze || f.planTime;
  const what = options.analyze ? 'EXPLAIN ANALYZE would run' : 'planning (plain EXPLAIN) would run';
  const forbidden = calls.forbidden.filter(relevant);
  if (forbidden.length > 0) {
    return new PglensError(
      'refused',
      `pglens will not explain this statement: ${what} ${describe(forbidden)}`,
      options.analyze && forbidden.every((f) => !f.planTime) ? 'use plain Explain, which does not execute the statement' : 'explain a statement that does not call it',
    );
  }
  if (options.analyze && calls.foreignTables.length > 0) {
    return new PglensError(
      'refused',
      `pglens will not run EXPLAIN ANALYZE on this statement: it reaches the foreign table ${calls.foreignTables.join(', ')}, for which the remote server runs its own code (views, triggers, functions) in a session pglens can neither inspect nor roll back`,
      'use plain Explain',
    );
  }
  const unverified = calls.unverified.filter((f) => relevant(f) && !isAllowed(f));
  if (unverified.length > 0) {
    const names = [...new Set(unverified.map((f) => `${f.schema}.${f.name}`))];
    return new PglensError(
      'refused',
      `pglens will not explain this statement unasked: ${what} ${describe(unverified)}`,
      `if you know ${names.length === 1 ? 'it has' : 'they have'} no effect a rollback cannot undo, allow ${names.length === 1 ? 'it' : 'them'} (CLI: --allow-functions ${names.join(',')})${options.analyze ? ', or use plain Explain' : ''}`,
      undefined,
      names,
    );
  }
  return undefined;
}

function describe(all: ReachedFunction[]): string {
  // Overloads of one function read as one.
  const functions = [...new Map(all.map((f) => [`${f.schema}.${f.name}|${f.via}`, f])).values()];
  const shown = functions.slice(0, 3).map((f) => `${f.signature}${f.volatility === 'volatile' ? '' : ` (declared ${f.volatility.toUpperCase()})`}, reached through ${f.via}: ${f.why}`);
  const more = functions.length > 3 ? `; and ${functions.length - 3} more` : '';
  return shown.join('; ') + more;
}

import { performance } from 'node:perf_hooks';
import { PglensError } from '../errors';
import type { ExplainOptions, ExplainResult } from './connection';
import { toPglensError, type DbErrorContext } from './db-error';
import { analyzeCalls, analyzeDomainChecks, callRefusal, type CatalogQuery } from './call-analysis';
import { classifyForExplain } from './explain-safety';

/**
 * The explain runner both connections share: EXPLAIN (FORMAT JSON, …) of one statement,
 * always inside BEGIN … ROLLBACK, so nothing an Explain does can change data.
 */
export interface SqlSession {
  /** Runs one statement; with `params`, through the extended protocol. */
  run(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /**
   * Runs `sql` through the extended protocol even without parameters: the server then refuses
   * a text holding more than one statement ("cannot insert multiple commands into a prepared
   * statement"), whatever pglens's own parser concluded.
   */
  runSingle(sql: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** server_version_num, e.g. 150019. */
  versionNum(): Promise<number>;
  /** Notices received since the last call. */
  takeNotices(): string[];
}

export interface RunnerEnvironment {
  /** Server: SET LOCAL statement_timeout and lock_timeout. The sandbox enforces timeouts by ending its process instead. */
  setStatementTimeout: boolean;
  /**
   * The session could not be brought back to a clean state (ROLLBACK or the reset failed,
   * e.g. the connection broke): drop it, so the next call starts a fresh one.
   */
  abandonSession?(): void;
  /** Error context (target, cancellation flag) for mapping driver errors. */
  errorContext(): DbErrorContext;
}

export const SEQUENCE_NOTICE =
  'EXPLAIN ANALYZE ran the statement inside BEGIN … ROLLBACK: no data changed, but sequences it used (nextval, serial/identity columns) still advanced.';

export async function runExplain(
  session: SqlSession,
  sql: string,
  options: ExplainOptions,
  env: RunnerEnvironment,
): Promise<ExplainResult> {
  const safety = await classifyForExplain(sql);
  if (safety.syntaxError) {
    throw new PglensError('syntax-error', safety.syntaxError.message, 'fix the statement at the marked position', safety.syntaxError.position);
  }
  if (!safety.explainAllowed || safety.statement === undefined) {
    throw new PglensError('refused', `pglens will not explain this statement: ${safety.reason}`, 'explain a single SELECT, INSERT, UPDATE, DELETE or MERGE');
  }
  if (options.analyze && !safety.analyzeAllowed) {
    throw new PglensError('refused', `pglens will not run EXPLAIN ANALYZE on this statement: ${safety.reason}`, 'use plain Explain');
  }
  if (!(options.timeoutMs > 0)) {
    throw new PglensError('bad-input', `the statement timeout must be a positive number of milliseconds, got ${options.timeoutMs}`, 'set pglens.explain.statementTimeout or --timeout to a positive number of seconds');
  }
  const params = options.params ?? [];
  const paramCount = safety.paramCount ?? 0;
  const generic = options.genericPlan === true && paramCount > 0 && params.length === 0;
  const version = await session.versionNum();
  if (generic) {
    if (options.analyze) {
      throw new PglensError('bad-input', 'a generic plan cannot be combined with ANALYZE: the statement needs values for $1…$' + paramCount, 'supply values for the parameters, or use plain Explain');
    }
    if (version < 120000) {
      throw new PglensError('bad-input', `a generic plan needs PostgreSQL 12 or later (plan_cache_mode); this server is ${formatVersion(version)}`, `supply values for $1…$${paramCount}`);
    }
    if (!PREPARABLE_KINDS.has(safety.kind ?? '')) {
      throw new PglensError('bad-input', `a generic plan prepares the statement, and PREPARE takes only SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES, not ${describeStatement(safety.kind)}`, `supply ${paramCount === 1 ? 'a value for $1' : `values for $1…$${paramCount}`}, or explain the query inside the statement`);
    }
  } else if (params.length < paramCount) {
    throw new PglensError('bad-input', `the statement uses $1…$${paramCount} but ${params.length} value(s) were given`, `supply a value for each parameter${version >= 120000 ? ', or use a generic plan' : ''}`);
  }

  const flags = ['FORMAT JSON'];
  if (options.analyze) flags.push('ANALYZE');
  if (options.buffers !== false && (options.analyze || version >= 130000)) flags.push('BUFFERS');
  if (options.settings !== false && version >= 120000) flags.push('SETTINGS');
  if (options.verbose) flags.push('VERBOSE');
  const explain = `EXPLAIN (${flags.join(', ')}) `;
  // A generic plan, on every server from PostgreSQL 12: the statement is prepared (one statement,
  // extended protocol, nothing bound) and its EXECUTE explained with plan_cache_mode =
  // force_generic_plan, so the NULLs passed for $n are never planned with. EXPLAIN (GENERIC_PLAN)
  // would need PG 16 and the simple protocol, which runs whatever statements a text holds.
  // Parameter types are Postgres's own inference; one it cannot infer is declared text.
  const parameterTypes: string[] = new Array(paramCount).fill('unknown');
  let prefix = generic ? prepareFor(parameterTypes) : explain;
  const ctx = (): DbErrorContext => ({
    ...env.errorContext(),
    prefixLength: prefix.length,
    statementOffset: safety.statementOffset,
    timeoutMs: options.timeoutMs,
  });

  session.takeNotices();
  const started = performance.now();
  let rows: Record<string, unknown>[];
  let genericNotice: string | undefined;
  let boundNotice: string | undefined;
  // Plain EXPLAIN runs nothing but what the planner evaluates, and READ ONLY turns any write
  // there (setval in a function that claims to be IMMUTABLE) into an error; ANALYZE of a
  // statement that does not write runs READ ONLY too, which blocks writes from any function.
  const readOnly = !options.analyze || safety.writes !== true;
  // pglens's own statements, one round trip: the last one's result comes back.
  const opening = [readOnly ? 'BEGIN TRANSACTION READ ONLY' : 'BEGIN'];
  if (env.setStatementTimeout) {
    opening.push(`SET LOCAL statement_timeout = ${Math.ceil(options.timeoutMs)}`, `SET LOCAL lock_timeout = ${Math.ceil(Math.min(options.timeoutMs, LOCK_TIMEOUT_MS))}`);
  }
  opening.push(STANDARD_STRINGS);
  try {
    refuseNonStandardStrings((await session.run(opening.join('; '))).rows);
    const catalog: CatalogQuery = async (text, values) => (await session.runSingle(text, values)).rows;
    const refusal = callRefusal(await analyzeCalls(catalog, safety.ast), { analyze: options.analyze, allowFunctions: options.allowFunctions });
    if (refusal) throw refusal;
    if (generic) {
      const untyped = await prepareGeneric(session, safety.statement, parameterTypes, (p) => (prefix = p));
      const inferred = (await session.runSingle(PARAMETER_TYPES, [GENERIC_STATEMENT])).rows[0] as { types?: unknown; domains?: unknown } | undefined;
      if (Array.isArray(inferred?.types) && inferred.types.length === paramCount) inferred.types.forEach((t, i) => (parameterTypes[i] = String(t)));
      if (inferred?.domains === true) {
        // EXECUTE coerces each value to its parameter's type, and a domain's CHECK runs on NULL
        // too — user code, at plain EXPLAIN. Declared as the domains' base types, nothing runs.
        await session.run(`DEALLOCATE ${GENERIC_STATEMENT}`);
        await prepareGeneric(session, safety.statement, parameterTypes, (p) => (prefix = p));
      }
      await session.run('SET LOCAL plan_cache_mode = force_generic_plan');
      const nulls = parameterTypes.map((t) => (t === 'unknown' ? 'NULL' : `NULL::${t}`));
      rows = (await session.runSingle(`${explain}EXECUTE ${GENERIC_STATEMENT}(${nulls.join(', ')})`, [])).rows;
      genericNotice = genericPlanNotice(parameterTypes, untyped);
    } else if (paramCount > 0) {
      const values = params.slice(0, paramCount);
      const bound = await bindSafely(catalog, safety, values, options, version, (p) => (prefix = p));
      if (bound.kind === 'execute') {
        // The values go in as their domains' base types, through set_config: never into the SQL text.
        prefix = explain;
        boundNotice = bound.notice;
        rows = (await session.runSingle(`${explain}EXECUTE ${BOUND_STATEMENT}(${bound.args.join(', ')})`, [])).rows;
      } else {
        prefix = explain;
        rows = (await session.runSingle(prefix + safety.statement, values)).rows;
      }
    } else {
      rows = (await session.runSingle(prefix + safety.statement, [])).rows;
    }
  } catch (e) {
    await endSession(session, env).catch(() => undefined);
    throw readOnlyRefusal(e) ?? toPglensError(e, ctx());
  }
  await endSession(session, env).catch((e) => {
    throw toPglensError(e, env.errorContext());
  });
  const durationMs = performance.now() - started;

  // What the server (the statement's functions: RAISE NOTICE) said is marked as such: it must
  // not pass for pglens's own notes ("sandbox data: …", "Generic plan: …").
  const notices = session.takeNotices().map(serverNotice);
  if (options.analyze) notices.push(SEQUENCE_NOTICE);
  if (genericNotice) notices.unshift(genericNotice);
  if (boundNotice) notices.unshift(boundNotice);
  return {
    plan: planOf(rows),
    analyzed: options.analyze,
    rolledBack: options.analyze,
    notices,
    durationMs,
    ...(generic ? { generic: { parameterTypes } } : {}),
  };
}

/**
 * How values bound to $1…$n reach the server without running code pglens has not cleared.
 *
 * A value sent for a parameter of a domain type — or of an array, composite or range holding
 * one — is read through the domain's input, which runs its CHECK constraints as the value
 * arrives: before planning, so at plain EXPLAIN too, and whether or not the statement names the
 * domain (an INSERT into a domain column, `f($1)` with f taking one, `$1::positive`). So the
 * statement is first PREPAREd with the types Postgres infers, and those are read back:
 *
 * - no domain anywhere in them: the statement is explained as always, the values bound to it;
 * - plain EXPLAIN, every domain at the top of a type or as an array's element: the statement is
 *   prepared again with each such type replaced by its base type (`integer` for `positive`,
 *   `integer[]` for `positive[]`), the values passed by set_config (bound parameters, never
 *   spliced into SQL) and read by `EXECUTE pglens_bound(current_setting(…)::integer, …)` with
 *   plan_cache_mode = force_custom_plan — the custom plan for these values, built with them as
 *   constants, while the coercion to the domain stays in the plan, unevaluated;
 * - otherwise (EXPLAIN ANALYZE, which runs the CHECKs anyway; a domain inside a composite or a
 *   range; a user cast from text): the domains' CHECKs are checked like any plan-time code, and
 *   the values are bound as always once they are cleared.
 *
 * A statement PREPARE does not take (CREATE TABLE AS, SELECT INTO, DECLARE, EXECUTE) has no
 * parameter types to read: every domain's CHECKs are checked instead.
 */
async function bindSafely(
  single: CatalogQuery,
  safety: BoundStatement,
  values: unknown[],
  options: BoundOptions,
  version: number,
  onPrefix: (prefix: string) => void,
): Promise<{ kind: 'direct' } | { kind: 'execute'; args: string[]; notice: string }> {
  const statement = safety.statement ?? '';
  const refuseDomains = async (domains: string[] | 'all', via: string): Promise<{ kind: 'direct' }> => {
    const refusal = callRefusal(await analyzeDomainChecks(single, domains, via), { analyze: options.analyze, allowFunctions: options.allowFunctions });
    if (refusal) throw refusal;
    return { kind: 'direct' };
  };
  if (!PREPARABLE_KINDS.has(safety.kind ?? '') || selectInto(safety.ast)) return refuseDomains('all', 'a value bound to a parameter');

  const declared: string[] = new Array(values.length).fill('unknown');
  const probe = prepareFor(declared, PROBE_STATEMENT);
  onPrefix(probe);
  await single(probe + statement, []);
  const types = (await withoutJit(single, () => single(BOUND_TYPES, [PROBE_STATEMENT]))) as unknown as BoundType[];
  const domains = [...new Set(types.flatMap((t) => (Array.isArray(t.domains) ? t.domains.map(String) : [])))];
  if (domains.length === 0) return { kind: 'direct' };

  const via = types
    .filter((t) => Array.isArray(t.domains) && t.domains.length > 0)
    .map((t) => `the value bound to $${t.ord} (${t.declared})`)
    .join(', ');
  const asBase = !options.analyze && !options.bindAsIs && types.length === values.length && types.every((t) => t.bound !== null && t.bound_domains !== true && t.text_cast !== true);
  const texts = values.map(settingValue);
  if (!asBase || texts.some((t) => t === undefined)) return refuseDomains(domains, via);

  const baseTypes = types.map((t) => String(t.bound));
  const prepare = prepareFor(baseTypes, BOUND_STATEMENT);
  onPrefix(prepare);
  await single(prepare + statement, []);
  const settings: string[] = [];
  const settingValues: string[] = [];
  const args = baseTypes.map((type, i) => {
    const text = texts[i];
    if (text === null) return `NULL::${type}`;
    settingValues.push(text as string);
    settings.push(`pg_catalog.set_config('${BOUND_SETTING}${i + 1}', $${settingValues.length}, true)`);
    return `CAST(pg_catalog.current_setting('${BOUND_SETTING}${i + 1}') AS ${type})`;
  });
  // A fresh prepared statement's first EXECUTE is planned for its values on any server; from
  // PostgreSQL 12 plan_cache_mode says so outright.
  if (version >= 120000) settings.push("pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true)");
  if (settings.length > 0) await single(`SELECT ${settings.join(', ')}`, settingValues);
  const retyped = types.filter((t) => t.bound !== t.declared).map((t) => `$${t.ord} ${t.declared} as ${t.bound}`);
  return {
    kind: 'execute',
    args,
    notice:
      `Parameters of a domain type were bound as the domain's base type (${retyped.join(', ')}), so no domain CHECK constraint ran on the values: plain EXPLAIN checks none. ` +
      'The plan is the custom plan for these values (PREPARE … EXPLAIN EXECUTE with plan_cache_mode = force_custom_plan); the coercion to the domain stays in it, as it runs when the statement executes.',
  };
}

/** What bindSafely needs of classifyForExplain's answer. */
interface BoundStatement {
  statement?: string;
  kind?: string;
  ast?: unknown;
}

interface BoundOptions {
  analyze: boolean;
  allowFunctions?: string[];
  /** The caller binds the values to the statement itself: only check what their domains' CHECKs reach. */
  bindAsIs?: boolean;
}

/**
 * For code that binds values to a statement itself, with plain EXPLAIN or ANALYZE (the index
 * advisor, statistics verification): throws the refusal when reading the values would run
 * domain CHECKs that reach code pglens has not cleared (see bindSafely). Call inside the
 * analysis transaction, after analyzeCalls; `single` must use the extended protocol. The probe
 * statement it prepares is deallocated again.
 */
export async function refuseUnclearedBoundValues(
  single: CatalogQuery,
  safety: BoundStatement & { paramCount?: number },
  values: unknown[],
  options: { analyze: boolean; allowFunctions?: string[] },
): Promise<void> {
  const bound = values.slice(0, safety.paramCount ?? 0);
  if (bound.length === 0) return;
  const prepared = PREPARABLE_KINDS.has(safety.kind ?? '') && !selectInto(safety.ast);
  try {
    await bindSafely(single, safety, bound, { ...options, bindAsIs: true }, 0, () => undefined);
  } finally {
    // Not undone by ROLLBACK; when the transaction failed, the caller's SESSION_RESET deallocates it.
    if (prepared) await single(`DEALLOCATE ${PROBE_STATEMENT}`, []).catch(() => undefined);
  }
}

interface BoundType {
  ord: number;
  /** The type Postgres inferred for the parameter. */
  declared: string;
  /** Without its domains (at the top, or as an array's element); null when that is not a plain type. */
  bound: string | null;
  /** OIDs of every domain a value of the declared type is read through. */
  domains: unknown;
  /** The bound type still holds a domain (in a composite's attribute, a range's subtype). */
  bound_domains: boolean;
  /** A user function casts text to the bound type: current_setting(…)::type would run it. */
  text_cast: boolean;
}

/** SELECT … INTO a new table parses as a SelectStmt; PREPARE refuses it. */
function selectInto(ast: unknown): boolean {
  return Boolean((ast as { SelectStmt?: { intoClause?: unknown } } | undefined)?.SelectStmt?.intoClause);
}

/** A value as set_config takes it (what the drivers send for a string, number or boolean), null for NULL, undefined for anything else. */
function settingValue(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The prepared statements behind bound values with domain types; the session reset deallocates them. */
const PROBE_STATEMENT = 'pglens_probe';
const BOUND_STATEMENT = 'pglens_bound';
/** Transaction-local custom settings holding the values, `pglens.param_1`…, rolled back with everything else. */
const BOUND_SETTING = 'pglens.param_';

/**
 * $1: a prepared statement. Per parameter: its type; that type without its domains — through
 * domains over domains, and for an array its element's (NULL when the element is itself an
 * array); the domains a value of it is read through (a domain's base, an array's element, a
 * composite's attributes, a range's subtype, a multirange's range); whether the type without
 * domains still holds one; and whether a user function casts text to it.
 */
/**
 * Runs a catalog query of pglens's own with JIT off, and puts the session's setting back after:
 * the recursive CTEs' estimates pass jit_above_cost, and compiling them costs ~70 ms per
 * Explain (measured by bench/explain-overhead.mjs) for a query that reads a few catalog rows.
 * The user's statement keeps whatever JIT setting the session has.
 */
async function withoutJit<T>(single: CatalogQuery, run: () => Promise<T>): Promise<T> {
  // NULL before PostgreSQL 11, which has no JIT: nothing to turn off.
  const before = (await single(`SELECT pg_catalog.current_setting('jit', true) AS jit`, []))[0]?.jit;
  if (typeof before !== 'string') return run();
  await single(`SELECT pg_catalog.set_config('jit', 'off', true)`, []);
  try {
    return await run();
  } finally {
    await single(`SELECT pg_catalog.set_config('jit', $1, true)`, [before]).catch(() => undefined);
  }
}

const BOUND_TYPES = `WITH RECURSIVE p AS (
    SELECT u.ord::int AS ord, u.typ::oid AS typ
      FROM pg_catalog.pg_prepared_statements s, unnest(s.parameter_types) WITH ORDINALITY AS u(typ, ord)
     WHERE s.name = $1
  ), top(ord, oid, depth) AS (
    SELECT ord, typ, 0 FROM p
    UNION ALL
    SELECT top.ord, t.typbasetype, top.depth + 1 FROM top JOIN pg_catalog.pg_type t ON t.oid = top.oid WHERE t.typtype = 'd'
  ), stripped AS (SELECT DISTINCT ON (ord) ord, oid FROM top ORDER BY ord, depth DESC),
  elem(ord, oid, depth) AS (
    SELECT s.ord, t.typelem, 0 FROM stripped s JOIN pg_catalog.pg_type t ON t.oid = s.oid WHERE t.typelem <> 0 AND t.typlen = -1
    UNION ALL
    SELECT e.ord, t.typbasetype, e.depth + 1 FROM elem e JOIN pg_catalog.pg_type t ON t.oid = e.oid WHERE t.typtype = 'd'
  ), elem_base AS (SELECT DISTINCT ON (ord) ord, oid, depth FROM elem ORDER BY ord, depth DESC),
  bound AS (
    SELECT s.ord, CASE WHEN e.ord IS NULL OR e.depth = 0 THEN s.oid WHEN et.typelem = 0 OR et.typlen <> -1 THEN nullif(et.typarray, 0) END AS oid
      FROM stripped s LEFT JOIN elem_base e ON e.ord = s.ord LEFT JOIN pg_catalog.pg_type et ON et.oid = e.oid
  ), parts(ord, which, oid) AS (
    SELECT ord, 'declared', typ FROM p
    UNION
    SELECT ord, 'bound', oid FROM bound WHERE oid IS NOT NULL
    UNION
    SELECT parts.ord, parts.which, x.o FROM parts JOIN pg_catalog.pg_type t ON t.oid = parts.oid,
           LATERAL (VALUES (t.typbasetype), (t.typelem),
                           ((SELECT r.rngsubtype FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)),
                           ((SELECT r.rngtypid FROM pg_catalog.pg_range r WHERE t.typtype = 'm' AND (to_jsonb(r) ->> 'rngmultitypid')::oid = t.oid))
                    UNION ALL
                    SELECT a.atttypid FROM pg_catalog.pg_attribute a
                     WHERE t.typtype = 'c' AND a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS x(o)
     WHERE x.o IS NOT NULL AND x.o <> 0
  )
  SELECT p.ord, pg_catalog.format_type(p.typ, NULL) AS declared, pg_catalog.format_type(b.oid, -1) AS bound,
         (SELECT coalesce(jsonb_agg(DISTINCT x.oid::text), '[]') FROM parts x JOIN pg_catalog.pg_type t ON t.oid = x.oid
           WHERE x.ord = p.ord AND x.which = 'declared' AND t.typtype = 'd') AS domains,
         EXISTS (SELECT 1 FROM parts x JOIN pg_catalog.pg_type t ON t.oid = x.oid WHERE x.ord = p.ord AND x.which = 'bound' AND t.typtype = 'd') AS bound_domains,
         EXISTS (SELECT 1 FROM pg_catalog.pg_cast c WHERE c.castsource = 'pg_catalog.text'::pg_catalog.regtype AND c.casttarget = b.oid AND c.castfunc >= 16384) AS text_cast
    FROM p JOIN bound b ON b.ord = p.ord
   ORDER BY p.ord`;

/** The statements PREPARE accepts (VALUES parses as a SelectStmt). */
const PREPARABLE_KINDS: ReadonlySet<string> = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

function describeStatement(kind: string | undefined): string {
  if (kind === 'CreateTableAsStmt') return 'CREATE TABLE AS';
  if (kind === 'DeclareCursorStmt') return 'DECLARE';
  if (kind === 'ExecuteStmt') return 'EXECUTE';
  return kind ?? 'this statement';
}

function prepareFor(types: string[], name = GENERIC_STATEMENT): string {
  return `PREPARE ${name} (${types.join(', ')}) AS `;
}

/** The prepared parameters' types, a domain replaced by its base type (through domains over domains), and whether there was one. */
const PARAMETER_TYPES = `WITH RECURSIVE declared AS (
    SELECT u.ord, u.typ::oid AS oid, 0 AS depth
      FROM pg_catalog.pg_prepared_statements s, unnest(s.parameter_types) WITH ORDINALITY AS u(typ, ord)
     WHERE s.name = $1
    UNION ALL
    SELECT d.ord, t.typbasetype, d.depth + 1 FROM declared d JOIN pg_catalog.pg_type t ON t.oid = d.oid WHERE t.typtype = 'd'
  ), base AS (SELECT DISTINCT ON (ord) ord, oid, depth FROM declared ORDER BY ord, depth DESC)
  SELECT array_agg(pg_catalog.format_type(oid, -1) ORDER BY ord) AS types, bool_or(depth > 0) AS domains FROM base`;

/**
 * PREPARE with the types Postgres infers ("unknown" = infer). A parameter it cannot infer
 * (`SELECT $1 IS NULL`, a $2 used where $1 is not) stops PREPARE with 42P18 naming it: that one
 * is declared text and PREPARE tried again, inside a savepoint so the transaction goes on.
 * Returns the parameters declared text that way (1-based); `onPrefix` follows the text sent,
 * so a server error position still maps onto the user's statement.
 */
async function prepareGeneric(session: SqlSession, statement: string, types: string[], onPrefix: (prefix: string) => void): Promise<number[]> {
  const untyped: number[] = [];
  for (;;) {
    const prefix = prepareFor(types);
    onPrefix(prefix);
    await session.run('SAVEPOINT pglens_prepare');
    try {
      await session.runSingle(prefix + statement, []);
      await session.run('RELEASE SAVEPOINT pglens_prepare');
      return untyped;
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown };
      let n = err?.code === '42P18' ? Number(/\$(\d+)/.exec(String(err.message))?.[1]) : NaN;
      // A message in another language (lc_messages) may not name it: the first one still untyped.
      if (err?.code === '42P18' && !(n >= 1 && n <= types.length && types[n - 1] === 'unknown')) n = types.indexOf('unknown') + 1;
      if (!(n >= 1 && n <= types.length) || types[n - 1] !== 'unknown') throw e;
      await session.run('ROLLBACK TO SAVEPOINT pglens_prepare');
      types[n - 1] = 'text';
      untyped.push(n);
    }
  }
}

function genericPlanNotice(types: string[], untyped: number[]): string {
  const typed = types.map((t, i) => `$${i + 1} ${t}`).join(', ');
  const guessed = untyped.length
    ? ` Postgres could not infer the type of ${untyped.map((n) => `$${n}`).join(', ')} from the statement, so pglens declared ${untyped.length === 1 ? 'it' : 'them'} text; cast ${untyped.length === 1 ? 'it' : 'them'} in the statement ($${untyped[0]}::int, …) to plan with the real type.`
    : '';
  return (
    `Generic plan: the statement was explained without values for its parameters (${typed}), as PREPARE … EXECUTE with plan_cache_mode = force_generic_plan — ` +
    `the plan Postgres uses for any values, with estimates that ignore them. Explain Analyze with values (the viewer's "Explain Analyze with values…", or pglens explain --param) shows the plan and the rows for real ones.${guessed}`
  );
}

/**
 * Postgres stopped a write because pglens ran the statement READ ONLY: a SELECT whose function
 * inserts, or that calls nextval(). Say why instead of showing a bare SQLSTATE 25006.
 */
export function readOnlyRefusal(e: unknown): PglensError | undefined {
  const err = e as { code?: unknown; message?: unknown } | null;
  if (err?.code !== '25006') return undefined;
  return new PglensError(
    'refused',
    `pglens stopped a write: ${String(err.message)}. pglens runs plain EXPLAIN, and ANALYZE of a statement that is not INSERT, UPDATE, DELETE or MERGE, READ ONLY, and something the statement calls writes`,
    'use plain Explain, or explain the writing statement itself',
  );
}

/** An Explain waits this long at most for a lock another session holds, so it never queues production's writers behind it for long. */
export const LOCK_TIMEOUT_MS = 2000;

/** The prepared statement behind a generic plan; the session reset deallocates it. */
const GENERIC_STATEMENT = 'pglens_generic';

/**
 * What a statement can leave in a session that ROLLBACK does not undo: session advisory locks
 * and prepared statements (pglens's own for a generic plan, or one a function prepared).
 * Settings, roles, LISTEN, temporary tables and cursors are transactional and rolled back; the
 * session's own settings (a SET ROLE, a search_path) stay as the user left them.
 */
export const SESSION_RESET = 'SELECT pg_advisory_unlock_all(); DEALLOCATE ALL';

/** ROLLBACK, then SESSION_RESET, so a long-lived connection (the editor's) starts every Explain clean. */
async function endSession(session: SqlSession, env: RunnerEnvironment): Promise<void> {
  try {
    await session.run(`ROLLBACK; ${SESSION_RESET}`);
  } catch (e) {
    env.abandonSession?.();
    throw e;
  }
}

/**
 * pglens's parser reads backslashes in '…' literally (standard_conforming_strings = on). With
 * the setting off the server reads `'a\', '` as one string and what follows as code, so the
 * statement pglens classified (one SELECT, no dangerous function) is not the one the server
 * would run: `SELECT 'a\', ' ; COMMIT; -- '` would commit.
 */
export async function requireStandardStrings(run: (sql: string) => Promise<{ rows: Record<string, unknown>[] }>): Promise<void> {
  refuseNonStandardStrings((await run(STANDARD_STRINGS)).rows);
}

const STANDARD_STRINGS = 'SHOW standard_conforming_strings';

function refuseNonStandardStrings(rows: Record<string, unknown>[]): void {
  if (String(rows[0]?.standard_conforming_strings).toLowerCase() === 'off') {
    throw new PglensError(
      'refused',
      'pglens will not explain on a session with standard_conforming_strings = off: backslashes in string literals would make the server read the statement differently from pglens\'s safety check',
      'connect with standard_conforming_strings = on (the default since PostgreSQL 9.1), e.g. options=-c standard_conforming_strings=on',
    );
  }
}

function planOf(rows: Record<string, unknown>[]): unknown[] {
  const cell = rows[0]?.['QUERY PLAN'];
  const value = typeof cell === 'string' ? (JSON.parse(cell) as unknown) : cell;
  if (!Array.isArray(value)) {
    throw new PglensError('sql-error', 'the server returned no JSON plan for EXPLAIN', 'check that the statement is explainable on this server');
  }
  return value;
}

export function formatVersion(versionNum: number): string {
  if (versionNum < 100000) return `${Math.floor(versionNum / 10000)}.${Math.floor(versionNum / 100) % 100}.${versionNum % 100}`;
  return `${Math.floor(versionNum / 10000)}.${versionNum % 10000}`;
}

/** A server notice as the notes show it: `NOTICE: …` (psql's word), never mistaken for pglens's own. */
export function serverNotice(message: string): string {
  return `NOTICE: ${message}`;
}

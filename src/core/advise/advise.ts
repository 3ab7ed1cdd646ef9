import { analyzeCalls, callRefusal, type CatalogQuery } from '../db/call-analysis';
import type { Connection } from '../db/connection';
import { classifyForExplain, type ExplainSafety } from '../db/explain-safety';
import { LOCK_TIMEOUT_MS, readOnlyRefusal, refuseUnclearedBoundValues, requireStandardStrings, SESSION_RESET } from '../db/explain-runner';
import { PglensError, errorMessage } from '../errors';
import { loadSqlParser, parseSql } from '../sql/parse';
import { quoteIdent } from '../sql/quote-ident';
import { collectScopes } from './predicates';
import { candidateDdl, candidatesFor, type IndexCandidate } from './candidates';
import { hypopgUnsupportedMethod, WRITE_OVERHEAD, type IndexMethod } from './index-types';
import { loadTableInfo } from './table-info';

export type VerifyMethod = 'hypopg' | 'sandbox';

/** What a plan cost, and on the sandbox what it took: time and the shared buffers it touched. */
export interface Measurement {
  totalCost: number;
  executionTimeMs?: number;
  /** Shared buffers hit + read (EXPLAIN ANALYZE, BUFFERS), on the sandbox. */
  buffers?: number;
}

/** An extension a candidate needs, and whether the database that verified it has it. */
export interface ExtensionNeed {
  name: string;
  /** CREATE EXTENSION has run there already: the migration need not create it. */
  installed: boolean;
  /** The server (or the sandbox's PGlite) ships it (pg_available_extensions). */
  available: boolean;
}

export interface Suggestion {
  ddl: string;
  schema: string;
  table: string;
  /** Key columns, or expressions' SQL where `expressions[i]` is set. */
  columns: string[];
  include: string[];
  /** Per key column, when some sort descending (an ORDER BY with mixed directions). */
  descending?: boolean[];
  where?: string;
  method: VerifyMethod;
  reason: string;
  after: Measurement;
  /** before.totalCost / after.totalCost */
  improvement: number;
  /** Access method (absent: btree). */
  using?: IndexMethod;
  /** Per key, an operator class other than the default. */
  opclasses?: (string | undefined)[];
  /** Per key, whether it is an expression. */
  expressions?: boolean[];
  /** The extension the index needs, and whether the database it was verified on has it installed. */
  extension?: ExtensionNeed;
  /** The index's size: HypoPG's estimate, or the real index built on the sandbox. */
  sizeBytes?: number;
  /** What the index costs every write. */
  writeOverhead?: string;
  /**
   * The plan without the index on the database that verified this one, when that is not the
   * advice's (the sandbox, for an index HypoPG cannot simulate on the server).
   */
  before?: Measurement;
}

/** A candidate that could not be verified on any database at hand, and why. */
export interface Unverified {
  ddl: string;
  reason: string;
  extension?: ExtensionNeed;
}

export interface AdviceResult {
  query: string;
  method: VerifyMethod;
  /**
   * With HypoPG: 'installed' when the server had the extension, 'rolled-back' when pglens
   * created it inside the transaction it rolls back, so nothing stays on the server.
   */
  hypopg?: 'installed' | 'rolled-back';
  before: Measurement;
  suggestions: Suggestion[];
  /** Candidates tried that did not help enough, with their cost: the evidence for "none helps". */
  rejected: { ddl: string; totalCost: number; reason: string }[];
  /** Candidates neither HypoPG nor a sandbox could try (an access method HypoPG cannot simulate, a missing extension). */
  unverified?: Unverified[];
  /**
   * When the query reads several tables: the best index of each table, verified together. A
   * join often needs one index on each side (the outer filter and the inner lookup); each
   * alone barely helps, so the single-index suggestions understate them.
   */
  together?: { ddls: string[]; after: Measurement; improvement: number };
  /** Plain words on the outcome ("no index helps: …"). */
  summary: string;
}

export interface AdviseOptions {
  /** Values for $1…$n, bound as parameters (the planner sees them as constants). */
  params?: (string | null)[];
  /** User functions the statement may run although pglens could not prove them harmless (see ExplainOptions.allowFunctions). */
  allowFunctions?: string[];
  /** A candidate must cut the plan's total cost at least this much (default 0.2 = 20 %). */
  minImprovement?: number;
  /** Force a method; by default HypoPG on a server that has it, the sandbox (real indexes, rolled back) on the embedded database. */
  method?: VerifyMethod;
  /**
   * The embedded sandbox, for the candidates HypoPG cannot simulate on a server (GIN, GiST,
   * SP-GiST, HNSW) or whose extension the server lacks: built there for real and rolled back.
   */
  sandbox?: Connection;
}

interface Measured extends Measurement {
  indexNames: string[];
}

function planOf(rows: Record<string, unknown>[]): Record<string, any> {
  const value = Object.values(rows[0] ?? {})[0];
  const doc = typeof value === 'string' ? JSON.parse(value) : value;
  return (doc as Record<string, any>[])[0];
}

function indexNamesIn(node: Record<string, any>, out: string[] = []): string[] {
  if (typeof node['Index Name'] === 'string') out.push(node['Index Name']);
  for (const child of (node.Plans as Record<string, any>[] | undefined) ?? []) indexNamesIn(child, out);
  return out;
}

/** The user's statement and its parameter values, always sent as one statement through the extended protocol. */
interface Planned {
  sql: string;
  params: (string | null)[];
}

/** EXPLAIN inside the open transaction; an ANALYZE run is undone at once so every candidate sees the same data. */
async function measure(conn: Connection, planned: Planned, analyze: boolean): Promise<Measured> {
  if (analyze) await conn.query('SAVEPOINT pglens_measure');
  try {
    const result = await conn.queryOne(`EXPLAIN (${analyze ? 'ANALYZE, BUFFERS, ' : ''}FORMAT JSON) ${planned.sql}`, planned.params);
    const doc = planOf(result.rows);
    const plan = doc.Plan as Record<string, any>;
    const buffers = analyze && typeof plan['Shared Hit Blocks'] === 'number' ? plan['Shared Hit Blocks'] + (plan['Shared Read Blocks'] ?? 0) : undefined;
    return { totalCost: plan['Total Cost'], executionTimeMs: doc['Execution Time'], ...(buffers !== undefined ? { buffers } : {}), indexNames: indexNamesIn(plan) };
  } finally {
    if (analyze) await conn.query('ROLLBACK TO SAVEPOINT pglens_measure');
  }
}

function measurement(m: Measurement): Measurement {
  return { totalCost: m.totalCost, executionTimeMs: m.executionTimeMs, ...(m.buffers !== undefined ? { buffers: m.buffers } : {}) };
}

/**
 * All the candidates at once (one per table), inside a savepoint that is rolled back; the
 * cost counts only when the plan uses every one of them (else a subset is the real answer).
 */
async function measureTogether(
  conn: Connection,
  planned: Planned,
  analyze: boolean,
  method: VerifyMethod,
  candidates: IndexCandidate[],
): Promise<(Measured & { candidates: IndexCandidate[] }) | undefined> {
  await conn.query('SAVEPOINT pglens_together');
  try {
    const names: string[] = [];
    for (const c of candidates) names.push((await createCandidate(conn, method, c)).name);
    const after = await measure(conn, planned, analyze);
    return names.every((name, i) => planUses(after, name, candidates[i])) ? { ...after, candidates } : undefined;
  } catch {
    return undefined;
  } finally {
    await conn.query('ROLLBACK TO SAVEPOINT pglens_together');
    if (method === 'hypopg') await conn.query('SELECT hypopg_reset()');
  }
}

/**
 * Creates the candidate (hypothetical with HypoPG, real on the sandbox) and returns the name
 * the plan will show for it and its size. No ANALYZE on the sandbox: CREATE INDEX records the
 * index's size, and resampling would let each candidate be costed on different statistics than
 * the plan before it (an expression index is then costed with the default selectivity, and
 * the EXPLAIN ANALYZE timing tells the real effect).
 */
async function createCandidate(conn: Connection, method: VerifyMethod, c: IndexCandidate): Promise<{ name: string; sizeBytes?: number }> {
  if (method === 'hypopg') {
    const row = (await conn.query<{ indexrelid: number; indexname: string }>('SELECT indexrelid, indexname FROM hypopg_create_index($1)', [candidateDdl(c, false)])).rows[0];
    const size = await conn.query<{ size: string }>('SELECT hypopg_relation_size($1::oid)::text AS size', [row.indexrelid]).catch(() => undefined);
    return { name: row.indexname, ...(size?.rows[0] ? { sizeBytes: Number(size.rows[0].size) } : {}) };
  }
  await conn.query(candidateDdl(c, false));
  const size = await conn.query<{ size: string }>('SELECT pg_relation_size($1::regclass)::text AS size', [`${quoteIdent(c.schema)}.${quoteIdent(c.name)}`]);
  return { name: c.name, sizeBytes: Number(size.rows[0]?.size) };
}

/** Whether the plan used the candidate (HypoPG names it `<oid>btree_<table>_<columns>`). */
function planUses(after: Measured, name: string, c: IndexCandidate): boolean {
  return after.indexNames.some((n) => n === name || n.endsWith(name) || n.includes(c.name));
}

async function hypopgState(conn: Connection): Promise<{ installed: boolean; available: boolean }> {
  const r = await conn.query<{ installed: boolean; available: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS installed,
            EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS available`,
  );
  return { installed: r.rows[0]?.installed === true, available: r.rows[0]?.available === true };
}

/** Whether each extension is installed, or at least available, on this database. */
async function extensionStates(conn: Connection, names: string[]): Promise<Map<string, ExtensionNeed>> {
  const out = new Map<string, ExtensionNeed>();
  if (names.length === 0) return out;
  const r = await conn.query<{ name: string; installed: boolean }>(
    'SELECT name, installed_version IS NOT NULL AS installed FROM pg_available_extensions WHERE name = ANY($1::text[])',
    [names],
  );
  for (const name of names) {
    const row = r.rows.find((x) => x.name === name);
    out.set(name, { name, installed: row?.installed === true, available: row !== undefined });
  }
  return out;
}

/** What one candidate came to in one session. */
type Outcome =
  | { kind: 'measured'; candidate: IndexCandidate; name: string; after: Measured; used: boolean; sizeBytes?: number }
  /** HypoPG cannot simulate the access method (it says so). */
  | { kind: 'unsupported'; candidate: IndexCandidate; accessMethod: string }
  /** The index needs an extension this database does not have installed (and pglens may not, or cannot, create). */
  | { kind: 'missing-extension'; candidate: IndexCandidate; extension: ExtensionNeed }
  | { kind: 'error'; candidate: IndexCandidate; message: string };

interface SessionResult {
  before: Measured;
  outcomes: Outcome[];
  together?: Measured & { candidates: IndexCandidate[] };
  hypopg?: 'installed' | 'rolled-back';
}

interface SessionInput {
  conn: Connection;
  method: VerifyMethod;
  planned: Planned;
  safety: ExplainSafety;
  options: AdviseOptions;
  candidates: IndexCandidate[];
  extensions: Map<string, ExtensionNeed>;
  /** Picks, from the outcomes, the indexes to verify together (one per table); none for a fallback session. */
  together?: (outcomes: Outcome[], before: Measured) => IndexCandidate[];
}

/**
 * One verification session on one database, inside a transaction that is always rolled back:
 * the statement's checks, the plan without a new index, then each candidate in a savepoint.
 */
async function runSession(input: SessionInput): Promise<SessionResult> {
  const { conn, method, planned, safety, options, candidates, extensions } = input;
  const analyze = method === 'sandbox';
  const hypopg = method === 'hypopg' ? await hypopgState(conn) : undefined;
  if (hypopg && !hypopg.installed && !hypopg.available) {
    throw new PglensError(
      'refused',
      'HypoPG is not available on this server, and pglens never builds a real index on a server to test it',
      'install it (Debian: apt-get install postgresql-15-hypopg) or run with --embedded to verify on the sandbox',
    );
  }
  // HypoPG only plans, so its whole run is READ ONLY (hypothetical indexes live in the backend's
  // memory); only when pglens creates the extension itself does the transaction start writable,
  // and it turns READ ONLY right after. The sandbox method builds real indexes and runs ANALYZE.
  await conn.query(hypopg?.installed ? 'BEGIN TRANSACTION READ ONLY' : 'BEGIN');
  try {
    if (hypopg && !hypopg.installed) {
      await conn.query('CREATE EXTENSION hypopg').catch((e: unknown) => {
        throw new PglensError('refused', `HypoPG could not be enabled: ${errorMessage(e).split('\n')[0]}`, 'ask an administrator to run CREATE EXTENSION hypopg, or run with --embedded');
      });
      await conn.query('SET TRANSACTION READ ONLY');
    }
    if (conn.kind === 'server') await conn.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
    await requireStandardStrings((text) => conn.query(text));
    const catalog: CatalogQuery = async (text, params) => (await conn.queryOne(text, params)).rows;
    const refusal = callRefusal(await analyzeCalls(catalog, safety.ast), { analyze, allowFunctions: options.allowFunctions });
    if (refusal) throw refusal;
    // The values are bound to the statement below: a domain CHECK they pass through runs while planning.
    await refuseUnclearedBoundValues(catalog, safety, planned.params, { analyze, allowFunctions: options.allowFunctions });
    if (analyze) {
      // The sandbox is pglens's own database: its extensions are created for this run and rolled back with it.
      for (const need of extensions.values()) if (!need.installed && need.available) await conn.query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(need.name)}`);
      // Builds of GIN and GiST indexes on large tables are much faster with room to sort.
      await conn.query("SET LOCAL maintenance_work_mem = '256MB'");
    }
    let before = await measure(conn, planned, analyze).catch((e: unknown) => {
      throw readOnlyRefusal(e) ?? e;
    });
    // The first run reads the table into the cache; the second is what the candidates compete with.
    if (analyze) before = await measure(conn, planned, analyze);
    const outcomes: Outcome[] = [];
    const unsupported = new Set<string>();
    for (const c of candidates) {
      const need = c.extension ? extensions.get(c.extension) : undefined;
      if (need && !need.installed && !(analyze && need.available)) {
        outcomes.push({ kind: 'missing-extension', candidate: c, extension: need });
        continue;
      }
      if (method === 'hypopg' && unsupported.has(c.using ?? 'btree')) {
        outcomes.push({ kind: 'unsupported', candidate: c, accessMethod: c.using ?? 'btree' });
        continue;
      }
      await conn.query('SAVEPOINT pglens_candidate');
      try {
        const created = await createCandidate(conn, method, c);
        const after = await measure(conn, planned, analyze);
        outcomes.push({ kind: 'measured', candidate: c, name: created.name, after, used: planUses(after, created.name, c), sizeBytes: created.sizeBytes });
      } catch (e) {
        const message = errorMessage(e).split('\n')[0];
        const am = method === 'hypopg' ? hypopgUnsupportedMethod(message) : undefined;
        if (am) {
          unsupported.add(am);
          outcomes.push({ kind: 'unsupported', candidate: c, accessMethod: am });
        } else {
          outcomes.push({ kind: 'error', candidate: c, message });
        }
      }
      await conn.query('ROLLBACK TO SAVEPOINT pglens_candidate');
      // Hypothetical indexes live in the backend's memory, not in the transaction.
      if (method === 'hypopg') await conn.query('SELECT hypopg_reset()');
    }
    const members = input.together?.(outcomes, before) ?? [];
    const together = members.length >= 2 ? await measureTogether(conn, planned, analyze, method, members) : undefined;
    return { before, outcomes, ...(together ? { together } : {}), ...(hypopg ? { hypopg: hypopg.installed ? ('installed' as const) : ('rolled-back' as const) } : {}) };
  } finally {
    await conn.query('ROLLBACK').catch(() => undefined);
    // What outlives a rollback in the session (advisory locks, prepared statements) ends here.
    await conn.query(SESSION_RESET).catch(() => undefined);
  }
}

const SPECIALISED_MARGIN = 0.9;
const TIE = 1.05;

function specialised(s: Suggestion): boolean {
  return s.where !== undefined || s.include.length > 0;
}

/** Cost after as a share of the cost before, on the database that verified it: comparable across databases. */
function relativeCost(s: Suggestion): number {
  return 1 / Math.max(s.improvement, 0.001);
}

/**
 * Best first. A partial or INCLUDE index serves fewer queries than a plain one, so it is
 * kept only when it is clearly cheaper than the best plain index; costs within 5% are a
 * tie, won by the more general index (plain before specialised, fewer columns first).
 * Costs compare as shares of the plan before, so an index verified on the sandbox ranks
 * fairly with one HypoPG costed on the server.
 */
export function rankSuggestions(suggestions: Suggestion[]): Suggestion[] {
  const bestGeneral = Math.min(...suggestions.filter((s) => !specialised(s)).map(relativeCost));
  const kept = suggestions.filter((s) => !specialised(s) || relativeCost(s) <= bestGeneral * SPECIALISED_MARGIN);
  const generality = (s: Suggestion) => (specialised(s) ? 1000 : 0) + s.columns.length * 10 + s.include.length;
  return kept.sort((a, b) => {
    const [lo, hi] = relativeCost(a) <= relativeCost(b) ? [a, b] : [b, a];
    if (relativeCost(hi) <= relativeCost(lo) * TIE) return generality(a) - generality(b) || relativeCost(a) - relativeCost(b);
    return relativeCost(a) - relativeCost(b);
  });
}

/** The reason a candidate was not kept, with the rewrite the query needs when that is why. */
function withRewrite(reason: string, c: IndexCandidate): string {
  return c.rewrite ? `${reason} — ${c.rewrite}` : reason;
}

/** A CREATE INDEX error in words that say what to do. */
function buildError(message: string, c: IndexCandidate): string {
  if (/must be marked IMMUTABLE/i.test(message)) {
    return `cannot be built: the expression depends on a setting (functions in an index must be IMMUTABLE)${c.rewrite ? '' : ' — compare the column itself, or make the expression immutable'}`;
  }
  return `could not be tested: ${message}`;
}

function unverifiedReason(o: Outcome, fallback: string | undefined): string {
  if (o.kind === 'unsupported') return `HypoPG cannot simulate ${o.accessMethod} indexes${fallback ? `, and ${fallback}` : ': verify it on the embedded sandbox (pglens advise --sandbox, or Verify on the embedded sandbox in the editor)'}`;
  if (o.kind === 'missing-extension') {
    const e = o.extension;
    const where = e.available ? `${e.name} is available but not installed, and pglens installs no extension on a server to test` : `${e.name} is not available here`;
    return `needs the ${e.name} extension: ${where}${fallback ? `; ${fallback}` : ''}`;
  }
  return fallback ?? 'could not be verified';
}

/**
 * Proposes indexes for one statement and proves each: HypoPG's hypothetical indexes on a
 * server, or real indexes on the embedded sandbox — always inside a transaction that is
 * rolled back, so nothing is left behind. The candidates HypoPG cannot simulate (GIN, GiST…)
 * are built on `options.sandbox` when one is given, else reported unverified with the reason.
 * The statement passes the same checks as Explain (one explainable statement, standard
 * strings, every function it can reach) and is sent with its parameter values bound, never
 * spliced into its text. Keeps the candidates that cut the plan's cost by a clear margin and
 * that the plan actually uses, best first.
 */
export async function adviseIndexes(conn: Connection, sql: string, options: AdviseOptions = {}): Promise<AdviceResult> {
  await loadSqlParser();
  const safety = await classifyForExplain(sql);
  if (safety.syntaxError) throw new PglensError('syntax-error', `syntax error: ${safety.syntaxError.message}`, 'fix the statement and try again', safety.syntaxError.position);
  if (!safety.explainAllowed || safety.statement === undefined) {
    throw new PglensError('refused', `pglens will not advise on this statement: ${safety.reason}`, 'pass one SELECT, UPDATE or DELETE');
  }
  const parsed = parseSql(safety.statement);
  if (parsed.errors.length > 0 || parsed.statements.length !== 1) throw new PglensError('bad-input', 'expected one statement', 'pass exactly one statement');
  const statement = parsed.statements[0];
  const scopes = collectScopes(statement.ast);
  if (scopes.length === 0) throw new PglensError('bad-input', `${statement.kind} reads no table that an index could serve`, 'advise works on SELECT, UPDATE and DELETE');
  const paramCount = safety.paramCount ?? 0;
  const values = options.params ?? [];
  if (values.length < paramCount) {
    throw new PglensError('bad-input', `the statement uses $1…$${paramCount} but ${values.length} value(s) were given`, 'pass a value for every parameter (--param, in order)');
  }
  const planned: Planned = { sql: safety.statement, params: values.slice(0, paramCount) };

  const method: VerifyMethod = options.method ?? (conn.kind === 'embedded' ? 'sandbox' : 'hypopg');
  // Building a real index on a server holds a SHARE lock on the table for the whole build (writes
  // wait), and ANALYZE would run the statement there: a server is only ever tested with HypoPG.
  if (method === 'sandbox' && conn.kind !== 'embedded') {
    throw new PglensError(
      'refused',
      'the sandbox method builds real indexes, and pglens never builds a real index on a server to test it',
      'drop --method sandbox to verify with HypoPG, or add --embedded to verify on the sandbox',
    );
  }
  const sandbox = options.sandbox && options.sandbox.kind === 'embedded' && options.sandbox !== conn ? options.sandbox : undefined;

  const tables = await loadTableInfo(conn, scopes.flatMap((s) => s.relations));
  const candidates: IndexCandidate[] = [];
  for (const scope of scopes) {
    for (const rel of scope.relations) {
      const table = tables.find((t) => t.name === rel.name && (!rel.schema || t.schema === rel.schema));
      if (table) candidates.push(...candidatesFor(scope, rel, table));
    }
  }
  const extensionNames = [...new Set(candidates.map((c) => c.extension).filter((e): e is string => e !== undefined))];
  const extensions = await extensionStates(conn, extensionNames);

  const minImprovement = options.minImprovement ?? 0.2;
  const suggestions: Suggestion[] = [];
  const rejected: AdviceResult['rejected'] = [];
  const unverified: Unverified[] = [];
  const candidateOf = new Map<Suggestion, IndexCandidate>();
  // Per table, the candidate the planner used at the lowest cost alone: the members of `together`.
  const bestUsed = new Map<string, { candidate: IndexCandidate; totalCost: number }>();

  /** Turns one session's outcomes into suggestions, rejections and what is left to verify elsewhere. */
  const judge = (outcomes: Outcome[], before: Measured, how: VerifyMethod, foreign: boolean, exts: Map<string, ExtensionNeed>): Outcome[] => {
    const left: Outcome[] = [];
    for (const o of outcomes) {
      const c = o.candidate;
      const ddl = `${candidateDdl(c, true)};`;
      if (o.kind === 'error') {
        rejected.push({ ddl, totalCost: Number.NaN, reason: withRewrite(buildError(o.message, c), c) });
        continue;
      }
      if (o.kind !== 'measured') {
        left.push(o);
        continue;
      }
      const { after, used } = o;
      const improvement = before.totalCost / Math.max(after.totalCost, 0.001);
      const tableKey = `${c.schema}.${c.table}`;
      if (!foreign && used && after.totalCost < (bestUsed.get(tableKey)?.totalCost ?? Infinity)) bestUsed.set(tableKey, { candidate: c, totalCost: after.totalCost });
      if (used && after.totalCost <= before.totalCost * (1 - minImprovement)) {
        const extension = c.extension ? (extensions.get(c.extension) ?? exts.get(c.extension)) : undefined;
        const suggestion: Suggestion = {
          ddl,
          schema: c.schema,
          table: c.table,
          columns: c.columns,
          include: c.include,
          ...(c.descending.some(Boolean) ? { descending: c.descending } : {}),
          where: c.where,
          method: how,
          reason: c.reason,
          after: measurement(after),
          improvement,
          ...(c.using ? { using: c.using } : {}),
          ...(c.opclasses ? { opclasses: c.opclasses } : {}),
          ...(c.expressions ? { expressions: c.expressions } : {}),
          ...(extension ? { extension } : {}),
          ...(o.sizeBytes !== undefined && Number.isFinite(o.sizeBytes) ? { sizeBytes: o.sizeBytes } : {}),
          writeOverhead: WRITE_OVERHEAD[c.using ?? 'btree'],
          ...(foreign ? { before: measurement(before) } : {}),
        };
        suggestions.push(suggestion);
        candidateOf.set(suggestion, c);
      } else {
        rejected.push({
          ddl,
          totalCost: after.totalCost,
          reason: withRewrite(used ? `cost ${before.totalCost.toFixed(1)} → ${after.totalCost.toFixed(1)} is less than a ${Math.round(minImprovement * 100)}% gain` : 'the planner does not use it', c),
        });
      }
    }
    return left;
  };

  // Candidates the main session could not try: HypoPG cannot simulate them, or their extension is missing.
  let pending: Outcome[] = [];
  const main = await runSession({
    conn,
    method,
    planned,
    safety,
    options,
    candidates,
    extensions,
    together: (outcomes, before) => {
      pending = judge(outcomes, before, method, false, extensions);
      const kept = rankSuggestions([...suggestions]);
      // Per table the first ranked suggestion (the choice the list already recommends), else the index it used at the lowest cost alone.
      return [...bestUsed.entries()].map(([key, best]) => {
        const top = kept.find((s) => `${s.schema}.${s.table}` === key);
        return (top && candidateOf.get(top)) ?? best.candidate;
      });
    },
  });

  if (pending.length > 0 && sandbox) {
    // The sandbox replays the migrations: the same tables, maybe in another schema than the server's search_path found.
    const sandboxTables = await loadTableInfo(sandbox, scopes.flatMap((sc) => sc.relations)).catch(() => []);
    const original = new Map<IndexCandidate, IndexCandidate>();
    for (const o of pending) {
      const c = o.candidate;
      const t = sandboxTables.find((x) => x.name === c.table && x.schema === c.schema) ?? sandboxTables.find((x) => x.name === c.table);
      if (t) original.set({ ...c, schema: t.schema }, c);
      else unverified.push({ ddl: `${candidateDdl(c, true)};`, reason: unverifiedReason(o, `the sandbox has no table ${c.table} (its migrations do not create it)`) });
    }
    const onSandbox = [...original.keys()];
    const back = (o: Outcome): Outcome => ({ ...o, candidate: original.get(o.candidate) ?? o.candidate });
    const sandboxExtensions = await extensionStates(sandbox, [...new Set(onSandbox.map((c) => c.extension).filter((e): e is string => e !== undefined))]);
    try {
      const second = onSandbox.length > 0 ? await runSession({ conn: sandbox, method: 'sandbox', planned, safety, options, candidates: onSandbox, extensions: sandboxExtensions }) : undefined;
      const left = second ? judge(second.outcomes.map(back), second.before, 'sandbox', true, sandboxExtensions) : [];
      for (const o of left) {
        const why = o.kind === 'missing-extension' ? `the sandbox lacks ${o.extension.name} too (PGlite loads only the extensions your migrations create: add CREATE EXTENSION ${o.extension.name} to one)` : undefined;
        const first = pending.find((p) => p.candidate === o.candidate);
        unverified.push({ ddl: `${candidateDdl(o.candidate, true)};`, reason: unverifiedReason(first ?? o, why), ...(o.kind === 'missing-extension' ? { extension: o.extension } : {}) });
      }
    } catch (e) {
      const why = `the sandbox could not run the statement: ${errorMessage(e).split('\n')[0]}`;
      for (const c of onSandbox) {
        const o = pending.find((p) => p.candidate === original.get(c));
        if (o) unverified.push({ ddl: `${candidateDdl(o.candidate, true)};`, reason: unverifiedReason(o, why) });
      }
    }
  } else {
    for (const o of pending) {
      const ddl = `${candidateDdl(o.candidate, true)};`;
      if (o.kind === 'missing-extension' && method === 'sandbox') {
        const name = o.extension.name;
        const why = o.extension.available ? `${name} could not be created in the sandbox` : `${name} is not loaded in the sandbox (PGlite loads only the extensions your migrations create: add CREATE EXTENSION ${name} to one)`;
        unverified.push({ ddl, reason: `needs the ${name} extension: ${why}`, extension: o.extension });
      } else {
        unverified.push({ ddl, reason: unverifiedReason(o, undefined), ...(o.kind === 'missing-extension' ? { extension: o.extension } : {}) });
      }
    }
  }

  const before = main.before;
  const together = main.together;
  const kept = rankSuggestions(suggestions);
  const bestAlone = Math.min(before.totalCost, ...[...bestUsed.values()].map((b) => b.totalCost));
  const togetherKept =
    together && together.totalCost <= bestAlone * (1 - minImprovement)
      ? {
          ddls: together.candidates.map((c) => `${candidateDdl(c, true)};`),
          after: measurement(together),
          improvement: before.totalCost / Math.max(together.totalCost, 0.001),
        }
      : undefined;
  for (const s of suggestions) {
    if (!kept.includes(s)) rejected.push({ ddl: s.ddl, totalCost: s.after.totalCost, reason: 'a simpler index does as well (partial and INCLUDE variants must be 10% cheaper to be worth their narrower use)' });
  }
  suggestions.splice(0, suggestions.length, ...kept);
  const tried = candidates.length - unverified.length;
  const unverifiedNote = unverified.length > 0 ? `; ${unverified.length} candidate(s) could not be verified: ${unverified.map((u) => `${u.ddl} (${u.reason})`).join('; ')}` : '';
  const summary =
    (togetherKept
      ? `${togetherKept.ddls.length} indexes together cut the plan's cost ${before.totalCost.toFixed(1)} → ${togetherKept.after.totalCost.toFixed(1)}, ` +
        `more than any one alone (best alone: ${bestAlone.toFixed(1)}): ${togetherKept.ddls.join(' ')}`
      : suggestions.length > 0
        ? `${suggestions.length} index(es) cut the plan's cost; best: ${suggestions[0].ddl} (cost ${(suggestions[0].before ?? before).totalCost.toFixed(1)} → ${suggestions[0].after.totalCost.toFixed(1)}${suggestions[0].before ? ', on the sandbox' : ''})`
        : candidates.length === 0
          ? 'no index helps: the query has no filter, join or sort on a table column that an index could serve, or the right index exists already'
          : tried === 0
            ? 'no index could be verified'
            : `no index helps: ${tried} candidate(s) tried, none cut the cost by ${Math.round(minImprovement * 100)}% or more`) + unverifiedNote;
  return {
    query: statement.text,
    method,
    ...(main.hypopg ? { hypopg: main.hypopg } : {}),
    before: measurement(before),
    suggestions,
    rejected,
    ...(unverified.length > 0 ? { unverified } : {}),
    ...(togetherKept ? { together: togetherKept } : {}),
    summary,
  };
}

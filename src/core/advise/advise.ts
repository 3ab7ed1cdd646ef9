import { analyzeCalls, callRefusal, type CatalogQuery } from '../db/call-analysis';
import type { Connection } from '../db/connection';
import { classifyForExplain } from '../db/explain-safety';
import { LOCK_TIMEOUT_MS, readOnlyRefusal, refuseUnclearedBoundValues, requireStandardStrings, SESSION_RESET } from '../db/explain-runner';
import { PglensError, errorMessage } from '../errors';
import { loadSqlParser, parseSql } from '../sql/parse';
import { collectScopes } from './predicates';
import { candidateDdl, candidatesFor, type IndexCandidate } from './candidates';
import { loadTableInfo } from './table-info';

export type VerifyMethod = 'hypopg' | 'sandbox';

export interface Suggestion {
  ddl: string;
  schema: string;
  table: string;
  columns: string[];
  include: string[];
  /** Per key column, when some sort descending (an ORDER BY with mixed directions). */
  descending?: boolean[];
  where?: string;
  method: VerifyMethod;
  reason: string;
  after: { totalCost: number; executionTimeMs?: number };
  /** before.totalCost / after.totalCost */
  improvement: number;
}

export interface AdviceResult {
  query: string;
  method: VerifyMethod;
  /**
   * With HypoPG: 'installed' when the server had the extension, 'rolled-back' when pglens
   * created it inside the transaction it rolls back, so nothing stays on the server.
   */
  hypopg?: 'installed' | 'rolled-back';
  before: { totalCost: number; executionTimeMs?: number };
  suggestions: Suggestion[];
  /** Candidates tried that did not help enough, with their cost: the evidence for "none helps". */
  rejected: { ddl: string; totalCost: number; reason: string }[];
  /**
   * When the query reads several tables: the best index of each table, verified together. A
   * join often needs one index on each side (the outer filter and the inner lookup); each
   * alone barely helps, so the single-index suggestions understate them.
   */
  together?: { ddls: string[]; after: { totalCost: number; executionTimeMs?: number }; improvement: number };
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
}

interface Measured {
  totalCost: number;
  executionTimeMs?: number;
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
    const result = await conn.queryOne(`EXPLAIN (${analyze ? 'ANALYZE, ' : ''}FORMAT JSON) ${planned.sql}`, planned.params);
    const doc = planOf(result.rows);
    return { totalCost: doc.Plan['Total Cost'], executionTimeMs: doc['Execution Time'], indexNames: indexNamesIn(doc.Plan) };
  } finally {
    if (analyze) await conn.query('ROLLBACK TO SAVEPOINT pglens_measure');
  }
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
    for (const c of candidates) names.push(await createCandidate(conn, method, c));
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
 * the plan will show for it. No ANALYZE on the sandbox: CREATE INDEX records the index's size,
 * and candidates are plain columns, whose statistics the table has already. Resampling would
 * let each candidate be costed on different statistics than the plan before it.
 */
async function createCandidate(conn: Connection, method: VerifyMethod, c: IndexCandidate): Promise<string> {
  if (method === 'hypopg') {
    return (await conn.query<{ indexname: string }>('SELECT indexname FROM hypopg_create_index($1)', [candidateDdl(c, false)])).rows[0].indexname;
  }
  await conn.query(candidateDdl(c, false));
  return c.name;
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

const SPECIALISED_MARGIN = 0.9;
const TIE = 1.05;

function specialised(s: Suggestion): boolean {
  return s.where !== undefined || s.include.length > 0;
}

/**
 * Best first. A partial or INCLUDE index serves fewer queries than a plain one, so it is
 * kept only when it is clearly cheaper than the best plain index; costs within 5% are a
 * tie, won by the more general index (plain before specialised, fewer columns first).
 */
export function rankSuggestions(suggestions: Suggestion[]): Suggestion[] {
  const bestGeneral = Math.min(...suggestions.filter((s) => !specialised(s)).map((s) => s.after.totalCost));
  const kept = suggestions.filter((s) => !specialised(s) || s.after.totalCost <= bestGeneral * SPECIALISED_MARGIN);
  const generality = (s: Suggestion) => (specialised(s) ? 1000 : 0) + s.columns.length * 10 + s.include.length;
  return kept.sort((a, b) => {
    const [lo, hi] = a.after.totalCost <= b.after.totalCost ? [a, b] : [b, a];
    if (hi.after.totalCost <= lo.after.totalCost * TIE) return generality(a) - generality(b) || a.after.totalCost - b.after.totalCost;
    return a.after.totalCost - b.after.totalCost;
  });
}

/**
 * Proposes indexes for one statement and proves each: HypoPG's hypothetical indexes on a
 * server, or real indexes on the embedded sandbox — always inside a transaction that is
 * rolled back, so nothing is left behind. The statement passes the same checks as Explain
 * (one explainable statement, standard strings, every function it can reach) and is sent
 * with its parameter values bound, never spliced into its text. Keeps the candidates that cut the plan's cost by a
 * clear margin and that the plan actually uses, best first.
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

  const tables = await loadTableInfo(conn, scopes.flatMap((s) => s.relations));
  const candidates: IndexCandidate[] = [];
  for (const scope of scopes) {
    for (const rel of scope.relations) {
      const table = tables.find((t) => t.name === rel.name && (!rel.schema || t.schema === rel.schema));
      if (table) candidates.push(...candidatesFor(scope, rel, table));
    }
  }

  const hypopg = method === 'hypopg' ? await hypopgState(conn) : undefined;
  if (hypopg && !hypopg.installed && !hypopg.available) {
    throw new PglensError(
      'refused',
      'HypoPG is not available on this server, and pglens never builds a real index on a server to test it',
      'install it (Debian: apt-get install postgresql-15-hypopg) or run with --embedded to verify on the sandbox',
    );
  }
  const analyze = method === 'sandbox';
  const minImprovement = options.minImprovement ?? 0.2;
  const suggestions: Suggestion[] = [];
  const rejected: AdviceResult['rejected'] = [];
  // Per table, the candidate the planner used at the lowest cost alone: the members of `together`.
  const bestUsed = new Map<string, { candidate: IndexCandidate; totalCost: number }>();
  const candidateOf = new Map<Suggestion, IndexCandidate>();

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
    const before = await measure(conn, planned, analyze).catch((e: unknown) => {
      throw readOnlyRefusal(e) ?? e;
    });
    for (const c of candidates) {
      await conn.query('SAVEPOINT pglens_candidate');
      try {
        const name = await createCandidate(conn, method, c);
        const after = await measure(conn, planned, analyze);
        const used = planUses(after, name, c);
        const improvement = before.totalCost / Math.max(after.totalCost, 0.001);
        const tableKey = `${c.schema}.${c.table}`;
        if (used && after.totalCost < (bestUsed.get(tableKey)?.totalCost ?? Infinity)) bestUsed.set(tableKey, { candidate: c, totalCost: after.totalCost });
        if (used && after.totalCost <= before.totalCost * (1 - minImprovement)) {
          const suggestion: Suggestion = {
            ddl: `${candidateDdl(c, true)};`,
            schema: c.schema,
            table: c.table,
            columns: c.columns,
            include: c.include,
            ...(c.descending.some(Boolean) ? { descending: c.descending } : {}),
            where: c.where,
            method,
            reason: c.reason,
            after: { totalCost: after.totalCost, executionTimeMs: after.executionTimeMs },
            improvement,
          };
          suggestions.push(suggestion);
          candidateOf.set(suggestion, c);
        } else {
          rejected.push({
            ddl: `${candidateDdl(c, true)};`,
            totalCost: after.totalCost,
            reason: used ? `cost ${before.totalCost.toFixed(1)} → ${after.totalCost.toFixed(1)} is less than a ${Math.round(minImprovement * 100)}% gain` : 'the planner does not use it',
          });
        }
      } catch (e) {
        rejected.push({ ddl: `${candidateDdl(c, true)};`, totalCost: Number.NaN, reason: `could not be tested: ${errorMessage(e).split('\n')[0]}` });
      }
      await conn.query('ROLLBACK TO SAVEPOINT pglens_candidate');
      // Hypothetical indexes live in the backend's memory, not in the transaction.
      if (method === 'hypopg') await conn.query('SELECT hypopg_reset()');
    }
    const kept = rankSuggestions(suggestions);
    // Per table the first ranked suggestion (the choice the list already recommends), else the index it used at the lowest cost.
    const members = [...bestUsed.entries()].map(([key, best]) => {
      const top = kept.find((s) => `${s.schema}.${s.table}` === key);
      return (top && candidateOf.get(top)) ?? best.candidate;
    });
    const together = members.length >= 2 ? await measureTogether(conn, planned, analyze, method, members) : undefined;
    const bestAlone = Math.min(before.totalCost, ...[...bestUsed.values()].map((b) => b.totalCost));
    const togetherKept =
      together && together.totalCost <= bestAlone * (1 - minImprovement)
        ? {
            ddls: together.candidates.map((c) => `${candidateDdl(c, true)};`),
            after: { totalCost: together.totalCost, executionTimeMs: together.executionTimeMs },
            improvement: before.totalCost / Math.max(together.totalCost, 0.001),
          }
        : undefined;
    for (const s of suggestions) {
      if (!kept.includes(s)) rejected.push({ ddl: s.ddl, totalCost: s.after.totalCost, reason: 'a simpler index does as well (partial and INCLUDE variants must be 10% cheaper to be worth their narrower use)' });
    }
    suggestions.splice(0, suggestions.length, ...kept);
    const summary =
      togetherKept
        ? `${togetherKept.ddls.length} indexes together cut the plan's cost ${before.totalCost.toFixed(1)} → ${togetherKept.after.totalCost.toFixed(1)}, ` +
          `more than any one alone (best alone: ${bestAlone.toFixed(1)}): ${togetherKept.ddls.join(' ')}`
        : suggestions.length > 0
        ? `${suggestions.length} index(es) cut the plan's cost; best: ${suggestions[0].ddl} (cost ${before.totalCost.toFixed(1)} → ${suggestions[0].after.totalCost.toFixed(1)})`
        : candidates.length === 0
          ? 'no index helps: the query has no filter, join or sort on a table column that an index could serve, or the right index exists already'
          : `no index helps: ${candidates.length} candidate(s) tried, none cut the cost by ${Math.round(minImprovement * 100)}% or more`;
    return {
      query: statement.text,
      method,
      ...(hypopg ? { hypopg: hypopg.installed ? ('installed' as const) : ('rolled-back' as const) } : {}),
      before: { totalCost: before.totalCost, executionTimeMs: before.executionTimeMs },
      suggestions,
      rejected,
      ...(togetherKept ? { together: togetherKept } : {}),
      summary,
    };
  } finally {
    await conn.query('ROLLBACK').catch(() => undefined);
    // What outlives a rollback in the session (advisory locks, prepared statements) ends here.
    await conn.query(SESSION_RESET).catch(() => undefined);
  }
}

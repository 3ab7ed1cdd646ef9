/**
 * One verification session on one database, always rolled back: the plan without a new index,
 * each candidate alone (hypothetical with HypoPG, real on the sandbox), then the best of each
 * table together; what each candidate came to (`Outcome`) is judged in verdicts.ts.
 */
import { analyzeCalls, callRefusal, type CatalogQuery } from '../db/call-analysis';
import type { Connection } from '../db/connection';
import type { ExplainSafety } from '../db/explain-safety';
import { LOCK_TIMEOUT_MS, readOnlyRefusal, refuseUnclearedBoundValues, requireStandardStrings, SESSION_RESET } from '../db/explain-runner';
import { PglensError, errorMessage, isPglensError } from '../errors';
import { quoteIdent } from '../sql/quote-ident';
import { candidateDdl, type IndexCandidate, type TableInfo } from './candidates';
import { hypopgSchema, hypopgState, opclassSchemas, qualified } from './catalog';
import type { Planned } from './check';
import { hypopgUnsupportedMethod } from './index-types';
import { planFacts, type ExplainJsonNode, type PlanFacts } from './plan-nodes';
import { estimateSelectivity, type Selectivity } from './selectivity';
import type { AdviseOptions, ExtensionNeed, Measurement, VerifyMethod } from './types';

export interface Measured extends Measurement {
  indexNames: string[];
  facts: PlanFacts;
}

function planOf(rows: Record<string, unknown>[]): ExplainJsonNode {
  const value = Object.values(rows[0] ?? {})[0];
  const doc = typeof value === 'string' ? JSON.parse(value) : value;
  return (doc as ExplainJsonNode[])[0];
}

function indexNamesIn(node: ExplainJsonNode, out: string[] = []): string[] {
  if (typeof node['Index Name'] === 'string') out.push(node['Index Name']);
  for (const child of (node.Plans as ExplainJsonNode[] | undefined) ?? []) indexNamesIn(child, out);
  return out;
}

/** EXPLAIN inside the open transaction; an ANALYZE run is undone at once so every candidate sees the same data. */
async function measure(conn: Connection, planned: Planned, analyze: boolean): Promise<Measured> {
  if (analyze) await conn.query('SAVEPOINT pglens_measure');
  let timedOut = false;
  try {
    const result = await conn.queryOne(`EXPLAIN (${analyze ? 'ANALYZE, BUFFERS, ' : ''}FORMAT JSON) ${planned.sql}`, planned.params);
    const doc = planOf(result.rows);
    const plan = doc.Plan as ExplainJsonNode;
    const buffers = analyze && typeof plan['Shared Hit Blocks'] === 'number' ? plan['Shared Hit Blocks'] + (plan['Shared Read Blocks'] ?? 0) : undefined;
    return { totalCost: plan['Total Cost'], executionTimeMs: doc['Execution Time'], ...(buffers !== undefined ? { buffers } : {}), indexNames: indexNamesIn(plan), facts: planFacts(plan) };
  } catch (e) {
    timedOut = isTimeout(e);
    throw e;
  } finally {
    // A timeout restarted the sandbox: its transaction, savepoint included, is gone.
    if (analyze && !timedOut) await conn.query('ROLLBACK TO SAVEPOINT pglens_measure');
  }
}

export function measurement(m: Measurement): Measurement {
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
  hypopg: string,
): Promise<(Measured & { candidates: IndexCandidate[] }) | undefined> {
  await conn.query('SAVEPOINT pglens_together');
  let timedOut = false;
  try {
    const names: string[][] = [];
    for (const c of candidates) names.push((await createCandidate(conn, method, c, hypopg)).names);
    const after = await measure(conn, planned, analyze);
    return names.every((n, i) => planUses(after, n, candidates[i])) ? { ...after, candidates } : undefined;
  } catch (e) {
    timedOut = isTimeout(e);
    if (timedOut) throw e;
    return undefined;
  } finally {
    // After a timeout the sandbox was restarted: there is no savepoint left to roll back to.
    if (!timedOut) {
      await conn.query('ROLLBACK TO SAVEPOINT pglens_together');
      if (method === 'hypopg') await conn.query(`SELECT ${hypopg}.hypopg_reset()`);
    }
  }
}

/**
 * Creates the candidate (hypothetical with HypoPG, real on the sandbox) and returns the names
 * the plan will show for it and its size. No ANALYZE on the sandbox: CREATE INDEX records the
 * index's size, and resampling would let each candidate be costed on different statistics than
 * the plan before it (an expression index is then costed with the default selectivity, and
 * the EXPLAIN ANALYZE timing and buffers tell the real effect). On a partitioned table the plan
 * names the partitions' indexes, which CREATE INDEX on the parent made.
 */
async function createCandidate(conn: Connection, method: VerifyMethod, c: IndexCandidate, hypopg: string): Promise<{ names: string[]; sizeBytes?: number }> {
  if (method === 'hypopg') {
    const row = (await conn.query<{ indexrelid: number; indexname: string }>(`SELECT indexrelid, indexname FROM ${hypopg}.hypopg_create_index($1)`, [candidateDdl(c, false)])).rows[0];
    const size = await conn.query<{ size: string }>(`SELECT ${hypopg}.hypopg_relation_size($1::oid)::text AS size`, [row.indexrelid]).catch(() => undefined);
    return { names: [row.indexname], ...(size?.rows[0] ? { sizeBytes: Number(size.rows[0].size) } : {}) };
  }
  await conn.query(candidateDdl(c, false));
  const index = `${quoteIdent(c.schema)}.${quoteIdent(c.name)}`;
  if (c.partitions) {
    const tree = await conn.query<{ name: string; size: string }>(
      `WITH RECURSIVE tree(oid) AS (SELECT $1::regclass::oid UNION ALL SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid)
       SELECT c.relname AS name, pg_relation_size(c.oid)::text AS size FROM tree t JOIN pg_class c ON c.oid = t.oid`,
      [index],
    );
    return { names: tree.rows.map((r) => r.name), sizeBytes: tree.rows.reduce((n, r) => n + Number(r.size), 0) };
  }
  const size = await conn.query<{ size: string }>('SELECT pg_relation_size($1::regclass)::text AS size', [index]);
  return { names: [c.name], sizeBytes: Number(size.rows[0]?.size) };
}

/** Whether an index name of the plan is the candidate's (HypoPG names it `<oid>btree_<table>_<columns>`). */
export function isCandidateIndex(planName: string, names: string[], c: IndexCandidate): boolean {
  return names.some((name) => planName === name || planName.endsWith(name)) || planName.includes(c.name);
}

/** Whether the plan used the candidate. */
function planUses(after: Measured, names: string[], c: IndexCandidate): boolean {
  return after.indexNames.some((n) => isCandidateIndex(n, names, c));
}

/** What one candidate came to in one session. */
export type Outcome =
  | { kind: 'measured'; candidate: IndexCandidate; names: string[]; after: Measured; used: boolean; sizeBytes?: number; selectivity?: Selectivity }
  /** HypoPG cannot simulate the access method (it says so). */
  | { kind: 'unsupported'; candidate: IndexCandidate; accessMethod: string }
  /** The index needs an extension this database does not have installed (and pglens may not, or cannot, create). */
  | { kind: 'missing-extension'; candidate: IndexCandidate; extension: ExtensionNeed }
  | { kind: 'error'; candidate: IndexCandidate; message: string };

export interface SessionResult {
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
  /** The tables as this database's catalog has them (for the selectivity test). */
  tables: TableInfo[];
  /** Picks, from the outcomes, the indexes to verify together (one per table); none for a fallback session. */
  together?: (outcomes: Outcome[], before: Measured) => IndexCandidate[];
}

/**
 * One verification session on one database, inside a transaction that is always rolled back:
 * the statement's checks, the plan without a new index, then each candidate in a savepoint.
 */
export async function runSession(input: SessionInput): Promise<SessionResult> {
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
    // Where HypoPG's functions live (created just now: the first schema of the search_path).
    const hypopgAt = hypopg ? await hypopgSchema(conn) : '';
    if (conn.kind === 'server') await conn.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
    await requireStandardStrings((text) => conn.query(text));
    const catalog: CatalogQuery = async (text, params) => (await conn.queryOne(text, params)).rows;
    const calls = await analyzeCalls(catalog, safety.ast);
    const refusal = callRefusal(calls, { analyze, allowFunctions: options.allowFunctions });
    if (refusal) throw refusal;
    // Testing an expression's predicate on pg_stats values runs its functions: only when EXPLAIN ANALYZE could run them all.
    const executable = callRefusal(calls, { analyze: true, allowFunctions: options.allowFunctions }) === undefined;
    // The values are bound to the statement below: a domain CHECK they pass through runs while planning.
    await refuseUnclearedBoundValues(catalog, safety, planned.params, { analyze, allowFunctions: options.allowFunctions });
    if (analyze) {
      // The sandbox is pglens's own database: its extensions are created for this run and rolled back with it.
      for (const need of extensions.values()) if (!need.installed && need.available) await conn.query(`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(need.name)}`);
      // Builds of GIN and GiST indexes on large tables are much faster with room to sort.
      await conn.query("SET LOCAL maintenance_work_mem = '256MB'");
    }
    // Where this database keeps each operator class (after the sandbox created its extensions).
    const schemas = await opclassSchemas(conn, candidates);
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
      const built = qualified(c, schemas);
      await conn.query('SAVEPOINT pglens_candidate');
      try {
        const created = await createCandidate(conn, method, built, hypopgAt);
        const after = await measure(conn, planned, analyze);
        const used = planUses(after, created.names, built);
        // HypoPG costs an expression on a guess (no statistics): test the guess when it matters.
        const selectivity =
          method === 'hypopg' && used && c.tests && c.tests.length > 0
            ? executable
              ? await estimateSelectivity(conn, c, input.tables.find((t) => t.schema === c.schema && t.name === c.table), planned.params)
              : { note: 'its predicate was not tested on pg_stats values: the statement reaches functions pglens may not run' }
            : undefined;
        outcomes.push({ kind: 'measured', candidate: c, names: created.names, after, used, sizeBytes: created.sizeBytes, ...(selectivity ? { selectivity } : {}) });
      } catch (e) {
        // The sandbox was ended: the transaction is gone, and so is every other candidate's chance.
        if (isTimeout(e)) throw e;
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
      if (method === 'hypopg') await conn.query(`SELECT ${hypopgAt}.hypopg_reset()`);
    }
    const members = (input.together?.(outcomes, before) ?? []).map((c) => qualified(c, schemas));
    const together = members.length >= 2 ? await measureTogether(conn, planned, analyze, method, members, hypopgAt) : undefined;
    return { before, outcomes, ...(together ? { together } : {}), ...(hypopg ? { hypopg: hypopg.installed ? ('installed' as const) : ('rolled-back' as const) } : {}) };
  } finally {
    await conn.query('ROLLBACK').catch(() => undefined);
    // What outlives a rollback in the session (advisory locks, prepared statements) ends here.
    await conn.query(SESSION_RESET).catch(() => undefined);
  }
}

function isTimeout(e: unknown): boolean {
  return isPglensError(e) && e.code === 'timeout';
}

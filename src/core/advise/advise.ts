import { analyzeCalls, callRefusal, type CatalogQuery } from '../db/call-analysis';
import type { Connection } from '../db/connection';
import { classifyForExplain, type ExplainSafety } from '../db/explain-safety';
import { TIMEOUT_HINT } from '../db/db-error';
import { LOCK_TIMEOUT_MS, readOnlyRefusal, refuseUnclearedBoundValues, requireStandardStrings, SESSION_RESET } from '../db/explain-runner';
import { PglensError, errorMessage, isPglensError } from '../errors';
import { loadSqlParser, parseSql } from '../sql/parse';
import type { Statement } from '../sql/statement';
import { quoteIdent } from '../sql/quote-ident';
import { collectScopes, type QueryScope } from './predicates';
import { candidateDdl, candidatesFor, ddlStatements, emittedDdl, partitionNote, type IndexCandidate, type TableInfo } from './candidates';
import { predicateSql } from './expression-sql';
import { hypopgUnsupportedMethod, WRITE_OVERHEAD, type IndexMethod } from './index-types';
import { planFacts, type ExplainJsonNode, type PlanFacts } from './plan-nodes';
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
  /** Per key, the schema its operator class lives in when not pg_catalog (the DDL qualifies it: that schema may not be on the search_path). */
  opclassSchemas?: (string | undefined)[];
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
  /** What the query must look like for the index to serve it, when it does not already. */
  rewrite?: string;
  /**
   * On a partitioned table, `ddl` is PostgreSQL's recipe (ON ONLY, CONCURRENTLY per partition,
   * ATTACH PARTITION) or a plain CREATE INDEX; this is the one statement a migration that runs in
   * a transaction uses instead (CREATE INDEX IF NOT EXISTS on the parent: writes wait for the build).
   */
  transactionalDdl?: string;
}

/** A candidate that could not be verified on any database at hand, and why. */
export interface Unverified {
  ddl: string;
  /** Why, ending with the rewrite the query needs when there is one. */
  reason: string;
  extension?: ExtensionNeed;
  /** What the query must look like for the index to serve it (also in `reason`). */
  rewrite?: string;
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
  /** …and by at least this many cost units (default MIN_COST_REDUCTION): a 30% gain on a plan of cost 12 is no reason for an index. */
  minCostReduction?: number;
  /**
   * On the embedded sandbox (PGlite enforces no statement_timeout): the longest one advisor
   * statement (an index build, an EXPLAIN ANALYZE) may run before the sandbox is ended and the
   * run fails with a timeout. On a server, the session's statement_timeout does this.
   */
  timeoutMs?: number;
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
  facts: PlanFacts;
}

/** A candidate must save at least this many cost units (about as many page reads) to be worth an index. */
export const MIN_COST_REDUCTION = 50;
/**
 * An expression predicate that pg_stats says matches at least this share of the rows is not
 * worth an index, whatever the planner — with no statistics on the expression — assumed.
 */
export const UNSELECTIVE_SHARE = 0.2;
/** Below this share, the planner's guess for an expression is close enough to trust its cost. */
const TRUSTED_SHARE = 0.01;

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

/** The user's statement and its parameter values, always sent as one statement through the extended protocol. */
interface Planned {
  sql: string;
  params: (string | null)[];
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
function isCandidateIndex(planName: string, names: string[], c: IndexCandidate): boolean {
  return names.some((name) => planName === name || planName.endsWith(name)) || planName.includes(c.name);
}

/** Whether the plan used the candidate. */
function planUses(after: Measured, names: string[], c: IndexCandidate): boolean {
  return after.indexNames.some((n) => isCandidateIndex(n, names, c));
}

async function hypopgState(conn: Connection): Promise<{ installed: boolean; available: boolean }> {
  const r = await conn.query<{ installed: boolean; available: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'hypopg') AS installed,
            EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'hypopg') AS available`,
  );
  return { installed: r.rows[0]?.installed === true, available: r.rows[0]?.available === true };
}

/**
 * The schema HypoPG's functions live in (pg_extension.extnamespace), quoted, to qualify every
 * call: it may be installed in a schema off the search_path (CREATE EXTENSION hypopg SCHEMA x).
 */
async function hypopgSchema(conn: Connection): Promise<string> {
  const r = await conn.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'hypopg'`,
  );
  const schema = r.rows[0]?.schema;
  if (schema === undefined) throw new PglensError('refused', 'HypoPG is not installed in this database', 'ask an administrator to run CREATE EXTENSION hypopg, or run with --embedded');
  return quoteIdent(schema);
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

/**
 * The schema of each operator class the candidates name, from this database's catalog: an
 * extension's (gin_trgm_ops lives where pg_trgm was installed, maybe a schema off the
 * search_path), none for pg_catalog's. Per candidate, keyed by its object.
 */
async function opclassSchemas(conn: Connection, candidates: IndexCandidate[]): Promise<Map<IndexCandidate, (string | undefined)[]>> {
  const out = new Map<IndexCandidate, (string | undefined)[]>();
  const names = [...new Set(candidates.flatMap((c) => (c.opclasses ?? []).filter((o): o is string => o !== undefined)))];
  if (names.length === 0) return out;
  const r = await conn.query<{ name: string; method: string; schema: string; extension: string | null }>(
    `SELECT oc.opcname AS name, am.amname AS method, n.nspname AS schema, e.extname AS extension
       FROM pg_catalog.pg_opclass oc
       JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod
       JOIN pg_catalog.pg_namespace n ON n.oid = oc.opcnamespace
       LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_opclass'::regclass AND d.objid = oc.oid AND d.deptype = 'e'
       LEFT JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
      WHERE oc.opcname = ANY($1::text[])`,
    [names],
  );
  for (const c of candidates) {
    if (!c.opclasses) continue;
    const method = c.using ?? 'btree';
    const schemas = c.opclasses.map((name) => {
      if (name === undefined) return undefined;
      const rows = r.rows.filter((x) => x.name === name && x.method === method);
      // The candidate's extension's, else pg_catalog's, else the only one there is.
      const row = rows.find((x) => c.extension !== undefined && x.extension === c.extension) ?? rows.find((x) => x.schema === 'pg_catalog') ?? rows[0];
      return row && row.schema !== 'pg_catalog' ? row.schema : undefined;
    });
    if (schemas.some((x) => x !== undefined)) out.set(c, schemas);
  }
  return out;
}

/** The candidate with its operator classes qualified as `schemas` says (none: as written). */
function qualified(c: IndexCandidate, schemas: Map<IndexCandidate, (string | undefined)[]>): IndexCandidate {
  const { opclassSchemas: _, ...bare } = c;
  const found = schemas.get(c);
  return found ? { ...bare, opclassSchemas: found } : bare;
}

/** How many of the table's rows the candidate's expression predicates match, from pg_stats; `share` undefined when that cannot be told. */
interface Selectivity {
  share?: number;
  /** In words: `pg_stats of email: about 90% of the rows match lower(email) = 'x'`, or why it is unknown. */
  note: string;
}

function percent(share: number): string {
  return share >= 0.095 ? `${Math.round(share * 100)}%` : share >= 0.0001 ? `${(share * 100).toFixed(share >= 0.01 ? 1 : 2)}%` : 'under 0.01%';
}

/**
 * The planner has no statistics on an expression until an index on it is analyzed, so HypoPG
 * costs an expression index on a guessed selectivity (0.5% for `=`): a predicate most rows
 * match looks cheap to serve. This estimates the real share from the column's own statistics:
 * the predicate is evaluated on pg_stats' most common values (weighted by their frequencies)
 * and histogram bounds (each bucket an equal share of the rest). Only the predicate's
 * functions run, on constants from the catalog, in the session's READ ONLY transaction — and
 * only when the statement's functions may all run (the EXPLAIN ANALYZE check).
 */
async function estimateSelectivity(conn: Connection, c: IndexCandidate, table: TableInfo | undefined, params: (string | null)[]): Promise<Selectivity> {
  let share = 1;
  const notes: string[] = [];
  for (const test of c.tests ?? []) {
    if (test.columns) {
      return {
        note: `pg_stats cannot judge ${test.shown}: it reads several columns (${test.columns.join(', ')}), and the statistics are per column, so how many rows match is unknown`,
      };
    }
    const type = table?.types?.[test.column]?.name;
    if (!type) return { note: `the type of ${test.column} is unknown` };
    const values: unknown[] = [c.schema, c.table, test.column, table?.partitions !== undefined];
    const predicate = predicateSql(test.node, (n) => {
      values.push(params[n - 1] ?? null);
      return `$${values.length}`;
    });
    if (predicate === undefined) return { note: `pglens cannot test the predicate on ${test.shown} on sample values` };
    const col = quoteIdent(test.column);
    const sql = `WITH s AS (
        SELECT most_common_vals::text::${type}[] AS mcv, most_common_freqs AS freqs, histogram_bounds::text::${type}[] AS hist, null_frac
          FROM pg_catalog.pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = $3 AND inherited = $4)
      SELECT (SELECT count(*) FROM s)::int AS found,
             (SELECT coalesce(sum(m.f), 0) FROM s, unnest(s.mcv, s.freqs) AS m(${col}, f) WHERE ${predicate})::float8 AS mcv_match,
             (SELECT coalesce(sum(u.f), 0) FROM s, unnest(s.freqs) AS u(f))::float8 AS mcv_total,
             (SELECT count(*) FROM s, unnest(s.hist) AS h(${col}) WHERE ${predicate})::int AS hist_match,
             (SELECT count(*) FROM s, unnest(s.hist) AS h(${col}))::int AS hist_total,
             (SELECT null_frac FROM s)::float8 AS null_frac`;
    await conn.query('SAVEPOINT pglens_selectivity');
    let row: { found: number; mcv_match: number; mcv_total: number; hist_match: number; hist_total: number; null_frac: number | null } | undefined;
    try {
      row = (await conn.queryOne<NonNullable<typeof row>>(sql, values)).rows[0];
    } catch (e) {
      await conn.query('ROLLBACK TO SAVEPOINT pglens_selectivity');
      return { note: `its predicate could not be tested on the statistics of ${test.column} (${errorMessage(e).split('\n')[0]})` };
    }
    await conn.query('RELEASE SAVEPOINT pglens_selectivity');
    if (!row || row.found === 0) return { note: `pg_stats has no statistics on ${c.table}.${test.column} (ANALYZE has not run)` };
    const rest = Math.max(0, 1 - Number(row.mcv_total) - Number(row.null_frac ?? 0));
    if (row.hist_total === 0 && rest > 0.05) return { note: `pg_stats of ${test.column} covers only ${percent(1 - rest)} of the rows with its common values and has no histogram` };
    const one = Number(row.mcv_match) + (row.hist_total > 0 ? (rest * row.hist_match) / row.hist_total : 0);
    share *= Math.min(1, one);
    notes.push(test.shown);
  }
  return { share, note: `pg_stats of ${c.table}: about ${percent(share)} of the rows match the predicate on ${notes.join(', ')}` };
}

/**
 * The advisor's catalog reads before its session, on a server inside a READ ONLY transaction
 * with the same lock_timeout as the session (LOCK_TIMEOUT_MS): deparsing an index or a
 * predicate opens the table, which waits behind an ALTER TABLE's lock — the read fails after
 * that much waiting instead of hanging until the statement timeout. Always rolled back.
 */
async function catalogReads<T>(conn: Connection, read: () => Promise<T>): Promise<T> {
  if (conn.kind !== 'server') return read();
  await conn.query('BEGIN TRANSACTION READ ONLY');
  try {
    await conn.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
    return await read();
  } catch (e) {
    throw lockTimeoutError(e) ?? e;
  } finally {
    await conn.query('ROLLBACK').catch(() => undefined);
  }
}

/** A lock_timeout (55P03) in words: another session holds a lock on a table the statement reads. */
function lockTimeoutError(e: unknown): PglensError | undefined {
  if (!/lock timeout/i.test(errorMessage(e))) return undefined;
  return new PglensError(
    'sql-error',
    `the advisor waited over ${LOCK_TIMEOUT_MS / 1000} s for a lock on a table the statement reads (another session holds one that conflicts: ALTER TABLE, VACUUM FULL, a long DDL transaction…) and gave up`,
    'run advise again once that session is done (pg_locks shows who holds it)',
  );
}

/** What one candidate came to in one session. */
type Outcome =
  | { kind: 'measured'; candidate: IndexCandidate; names: string[]; after: Measured; used: boolean; sizeBytes?: number; selectivity?: Selectivity }
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
  /** The tables as this database's catalog has them (for the selectivity test). */
  tables: TableInfo[];
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

/** Why the sandbox cannot try an index whose extension it lacks. */
function sandboxLacks(name: string, available: boolean): string {
  if (available) return `${name} could not be created in the sandbox`;
  return `the sandbox (PGlite) does not ship ${name}, so it cannot build this index; verify it on a server that has ${name} (pglens never installs an extension there to test)`;
}

function isTimeout(e: unknown): boolean {
  return isPglensError(e) && e.code === 'timeout';
}

/**
 * On the embedded sandbox, which enforces no statement_timeout: each advisor statement may run
 * `timeoutMs` at most; then the sandbox process is ended (restarted from its cache) and the
 * statement fails with a timeout. A server's session has its statement_timeout instead.
 */
function withTimeout(conn: Connection, timeoutMs: number | undefined): Connection {
  if (conn.kind !== 'embedded' || timeoutMs === undefined || !(timeoutMs > 0)) return conn;
  const seconds = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
  const timed = <T>(work: () => Promise<T>, sql: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const what = sql.replace(/\s+/g, ' ').trim();
        reject(
          new PglensError(
            'timeout',
            `an advisor statement ran longer than the timeout (${seconds}) on the embedded sandbox, which was ended and restarted: ${what.length > 80 ? `${what.slice(0, 80)}…` : what}`,
            'raise --timeout, advise on less sandbox data (--scale), or on a server with HypoPG',
          ),
        );
        void conn.cancel().catch(() => undefined);
      }, timeoutMs);
      work().then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  return {
    kind: conn.kind,
    label: conn.label,
    query: (sql, params) => timed(() => conn.query(sql, params), sql),
    queryOne: (sql, params) => timed(() => conn.queryOne(sql, params), sql),
    explain: (sql, options) => conn.explain(sql, options),
    cancel: () => conn.cancel(),
    close: () => conn.close(),
    serverVersion: () => conn.serverVersion(),
  };
}

/** What the checks of one measured candidate decided. */
type Verdict = { kind: 'keep'; note?: string } | { kind: 'reject'; reason: string } | { kind: 'unverified'; reason: string };

interface Thresholds {
  minImprovement: number;
  minCostReduction: number;
}

function ms(n: number | undefined): string {
  return n === undefined ? '?' : `${n.toFixed(n < 10 ? 2 : 1)} ms`;
}

/**
 * Whether a measured candidate is a real improvement, not a cost that dropped on paper: the
 * plan uses it; the cost falls by the relative and the absolute margin; it is used where the
 * time went (the slow node of the plan before reads its table); on the sandbox, the run reads
 * fewer buffers or takes clearly less time; with HypoPG, an expression's predicate is as
 * selective as the planner assumed (it has no statistics on the expression).
 */
function verdictOf(o: Extract<Outcome, { kind: 'measured' }>, before: Measured, how: VerifyMethod, t: Thresholds, table: TableInfo | undefined): Verdict {
  const { after, candidate: c } = o;
  const costs = `cost ${before.totalCost.toFixed(1)} → ${after.totalCost.toFixed(1)}`;
  if (!o.used) return { kind: 'reject', reason: 'the planner does not use it' };
  if (after.totalCost > before.totalCost * (1 - t.minImprovement)) return { kind: 'reject', reason: `${costs} is less than a ${Math.round(t.minImprovement * 100)}% gain` };
  const saved = before.totalCost - after.totalCost;
  if (saved < t.minCostReduction) {
    return {
      kind: 'reject',
      reason: `${costs} saves ${saved.toFixed(1)} cost units, less than the ${t.minCostReduction} an index must save to be worth its upkeep on every write (the scan it replaces is already cheap)`,
    };
  }
  const uses = after.facts.indexUses.filter((u) => isCandidateIndex(u.index, o.names, c));
  const slow = before.facts.slowNode;
  const usedOn = uses.map((u) => u.relation).filter((r): r is string => r !== undefined);
  if (slow && slow.relations.length > 0 && usedOn.length > 0 && !usedOn.some((r) => slow.relations.includes(r))) {
    return {
      kind: 'reject',
      reason: `${costs}, but the plan uses it on ${[...new Set(usedOn)].join(', ')} while its slow node (${slow.label}, ${Math.round(slow.share * 100)}% of the cost) reads ${slow.relations.join(', ')}: it does not serve the part of the plan that was slow`,
    };
  }
  if (how === 'sandbox' && before.buffers !== undefined && after.buffers !== undefined) {
    const measured = `${before.buffers} → ${after.buffers} shared buffers, ${ms(before.executionTimeMs)} → ${ms(after.executionTimeMs)}`;
    if (after.buffers > before.buffers) {
      return {
        kind: 'reject',
        reason: `${costs} on paper, but measured on the sandbox it touches more pages than the plan without it (${measured}, in memory): the rows it finds are spread over about every page of the table, so it saves no reads`,
      };
    }
    const fewer = after.buffers <= before.buffers * (1 - t.minImprovement);
    const faster = before.executionTimeMs !== undefined && after.executionTimeMs !== undefined && after.executionTimeMs <= before.executionTimeMs * (1 - t.minImprovement);
    if (!fewer && !faster) return { kind: 'reject', reason: `${costs} on paper, but measured on the sandbox (${measured}) the run gains less than ${Math.round(t.minImprovement * 100)}%` };
  }
  const sel = o.selectivity;
  if (sel) {
    const rows = Math.max(table?.estimatedRows ?? 0, 1);
    const assumed = Math.max(0, ...uses.map((u) => (u.planRows ?? 0) / rows));
    const guess = `the planner, with no statistics on an expression until an index on it is analyzed, assumed ${percent(Math.min(assumed, 1))}`;
    if (sel.share === undefined) {
      return {
        kind: 'unverified',
        reason: `${costs} with HypoPG, but that cost rests on a guess (${guess}), and ${sel.note}: create it where you can test it and check the plan after ANALYZE, or verify it on the sandbox with representative data`,
      };
    }
    if (sel.share >= UNSELECTIVE_SHARE) {
      return { kind: 'reject', reason: `${sel.note}: an index does not pay for a predicate that unselective — ${costs} with HypoPG only because ${guess}` };
    }
    if (sel.share > Math.max(2 * assumed, TRUSTED_SHARE)) {
      return {
        kind: 'unverified',
        reason: `${costs} with HypoPG, but ${sel.note} where ${guess}: the cost understates the scan; check the plan after creating it and running ANALYZE, or verify it on the sandbox with representative data`,
      };
    }
    return { kind: 'keep', note: sel.note };
  }
  return { kind: 'keep' };
}

/**
 * Proposes indexes for one statement and proves each: HypoPG's hypothetical indexes on a
 * server, or real indexes on the embedded sandbox — always inside a transaction that is
 * rolled back, so nothing is left behind. The candidates HypoPG cannot simulate (GIN, GiST…)
 * are built on `options.sandbox` when one is given, else reported unverified with the reason.
 * The statement passes the same checks as Explain (one explainable statement, standard
 * strings, every function it can reach) and is sent with its parameter values bound, never
 * spliced into its text. Keeps the candidates that cut the plan's cost by a clear margin, that
 * the plan uses where it was slow and, on the sandbox, that the run confirms — best first.
 */
export async function adviseIndexes(conn: Connection, sql: string, options: AdviseOptions = {}): Promise<AdviceResult> {
  try {
    return await advise(conn, sql, options);
  } catch (e) {
    throw adviseError(e);
  }
}

/** What to do about a timeout of the advisor: the shared hint speaks of Explain and ANALYZE, which advise does not run on a server. */
export const ADVISE_TIMEOUT_HINT =
  'raise --timeout SECONDS (CLI) or pglens.explain.statementTimeout (editor); advise plans the statement once per candidate, so a statement that is slow to plan, or the catalog of a busy server, can take that long';

/** The advisor's errors in its own words: a statement timeout with advise's hint, a lock timeout said plainly. */
function adviseError(e: unknown): unknown {
  const lock = isPglensError(e) && e.code === 'timeout' ? undefined : lockTimeoutError(e);
  if (lock) return lock;
  if (isPglensError(e) && e.code === 'timeout' && e.hint === TIMEOUT_HINT) {
    const message = e.message.endsWith(` — ${e.hint}`) ? e.message.slice(0, -` — ${e.hint}`.length) : e.message;
    return new PglensError('timeout', message, ADVISE_TIMEOUT_HINT);
  }
  return e;
}

/**
 * The advisor's stages: check the statement, find candidates, verify them (on the database,
 * then what it could not try on the sandbox), rank what helped, report.
 */
async function advise(conn: Connection, sql: string, options: AdviseOptions): Promise<AdviceResult> {
  const checked = await checkStatement(conn, sql, options);
  const found = await findCandidates(checked.conn, checked.scopes);
  const thresholds: Thresholds = { minImprovement: options.minImprovement ?? 0.2, minCostReduction: options.minCostReduction ?? MIN_COST_REDUCTION };
  const verdicts = new Verdicts(found, thresholds);
  const main = await verifyCandidates(checked, found, verdicts, options);
  const ranked = rankVerdicts(verdicts, main, thresholds);
  return report(checked, found, verdicts, main, ranked, thresholds);
}

/** A statement the advisor may work on, with how and where it is verified. */
interface CheckedStatement {
  safety: ExplainSafety;
  statement: Statement;
  scopes: QueryScope[];
  planned: Planned;
  method: VerifyMethod;
  /** The database advised on, with the advisor's timeout on the sandbox. */
  conn: Connection;
  /** The embedded sandbox for what the database cannot try, when one is given. */
  sandbox: Connection | undefined;
}

/** Stage 1: the same checks as Explain, the parameter values, and the verification method. */
async function checkStatement(conn: Connection, sql: string, options: AdviseOptions): Promise<CheckedStatement> {
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
  const given = options.sandbox && options.sandbox.kind === 'embedded' && options.sandbox !== conn ? options.sandbox : undefined;
  const sandbox = given ? withTimeout(given, options.timeoutMs) : undefined;
  return { safety, statement, scopes, planned, method, conn: withTimeout(conn, options.timeoutMs), sandbox };
}

/** The tables the statement reads and the indexes that could serve it. */
interface FoundCandidates {
  tables: TableInfo[];
  /** Every candidate, those not tried (`notTried`) included. */
  considered: IndexCandidate[];
  /** The candidates to verify, their operator classes qualified as this database has them. */
  candidates: IndexCandidate[];
  extensions: Map<string, ExtensionNeed>;
}

/** Stage 2: candidates per table the query's scopes read, from the catalog. */
async function findCandidates(conn: Connection, scopes: QueryScope[]): Promise<FoundCandidates> {
  return catalogReads(conn, async () => {
    const tables = await loadTableInfo(conn, scopes.flatMap((s) => s.relations));
    const considered: IndexCandidate[] = [];
    for (const scope of scopes) {
      for (const rel of scope.relations) {
        const table = tables.find((t) => t.name === rel.name && (!rel.schema || t.schema === rel.schema));
        if (table) considered.push(...candidatesFor(scope, rel, table));
      }
    }
    // The operator classes as this database spells them: the DDL the user runs is written for it.
    const schemas = await opclassSchemas(conn, considered);
    const candidates = considered.filter((c) => c.notTried === undefined).map((c) => qualified(c, schemas));
    const extensionNames = [...new Set(candidates.map((c) => c.extension).filter((e): e is string => e !== undefined))];
    const extensions = await extensionStates(conn, extensionNames);
    return { tables, considered, candidates, extensions };
  });
}

/** What verification concluded, candidate by candidate, over one or two sessions (in the order found). */
class Verdicts {
  readonly suggestions: Suggestion[] = [];
  readonly rejected: AdviceResult['rejected'];
  readonly unverified: Unverified[] = [];
  /** The candidate behind each suggestion. */
  readonly candidateOf = new Map<Suggestion, IndexCandidate>();
  /** Per table, the candidate the planner used at the lowest cost alone: the members of `together`. */
  readonly bestUsed = new Map<string, { candidate: IndexCandidate; totalCost: number }>();

  constructor(
    private readonly found: FoundCandidates,
    private readonly thresholds: Thresholds,
  ) {
    this.rejected = found.considered.filter((c) => c.notTried !== undefined).map((c) => ({ ddl: emittedDdl(c), totalCost: Number.NaN, reason: c.notTried! }));
  }

  addUnverified(c: IndexCandidate, reason: string, extension?: ExtensionNeed): void {
    this.unverified.push({ ddl: emittedDdl(c), reason: withRewrite(reason, c), ...(extension ? { extension } : {}), ...(c.rewrite ? { rewrite: c.rewrite } : {}) });
  }

  /** Turns one session's outcomes into suggestions and rejections; returns what is left to verify elsewhere. */
  judge(outcomes: Outcome[], before: Measured, how: VerifyMethod, foreign: boolean, exts: Map<string, ExtensionNeed>): Outcome[] {
    const left: Outcome[] = [];
    for (const o of outcomes) {
      const c = o.candidate;
      const ddl = emittedDdl(c);
      if (o.kind === 'error') {
        this.rejected.push({ ddl, totalCost: Number.NaN, reason: withRewrite(buildError(o.message, c), c) });
        continue;
      }
      if (o.kind !== 'measured') {
        left.push(o);
        continue;
      }
      const { after, used } = o;
      const improvement = before.totalCost / Math.max(after.totalCost, 0.001);
      const tableKey = `${c.schema}.${c.table}`;
      if (!foreign && used && after.totalCost < (this.bestUsed.get(tableKey)?.totalCost ?? Infinity)) this.bestUsed.set(tableKey, { candidate: c, totalCost: after.totalCost });
      const table = this.found.tables.find((t) => t.schema === c.schema && t.name === c.table);
      const verdict = verdictOf(o, before, how, this.thresholds, table);
      if (verdict.kind === 'reject') {
        this.rejected.push({ ddl, totalCost: after.totalCost, reason: withRewrite(verdict.reason, c) });
        continue;
      }
      if (verdict.kind === 'unverified') {
        this.addUnverified(c, verdict.reason);
        continue;
      }
      const extension = c.extension ? (this.found.extensions.get(c.extension) ?? exts.get(c.extension)) : undefined;
      const partitioned = partitionNote(c);
      const suggestion: Suggestion = {
        ddl,
        schema: c.schema,
        table: c.table,
        columns: c.columns,
        include: c.include,
        ...(c.descending.some(Boolean) ? { descending: c.descending } : {}),
        where: c.where,
        method: how,
        reason: [c.reason, verdict.note, partitioned].filter(Boolean).join('; '),
        after: measurement(after),
        improvement,
        ...(c.using ? { using: c.using } : {}),
        ...(c.opclasses ? { opclasses: c.opclasses } : {}),
        ...(c.opclassSchemas ? { opclassSchemas: c.opclassSchemas } : {}),
        ...(c.expressions ? { expressions: c.expressions } : {}),
        ...(extension ? { extension } : {}),
        ...(o.sizeBytes !== undefined && Number.isFinite(o.sizeBytes) ? { sizeBytes: o.sizeBytes } : {}),
        writeOverhead: WRITE_OVERHEAD[c.using ?? 'btree'],
        ...(foreign ? { before: measurement(before) } : {}),
        ...(c.rewrite ? { rewrite: c.rewrite } : {}),
        ...(c.partitions ? { transactionalDdl: `${candidateDdl(c, true)};` } : {}),
      };
      this.suggestions.push(suggestion);
      this.candidateOf.set(suggestion, c);
    }
    return left;
  }

  /** The indexes to verify together: per table the first ranked suggestion (the choice the list already recommends), else the index it used at the lowest cost alone. */
  jointMembers(): IndexCandidate[] {
    const kept = rankSuggestions([...this.suggestions]);
    return [...this.bestUsed.entries()].map(([key, best]) => {
      const top = kept.find((s) => `${s.schema}.${s.table}` === key);
      return (top && this.candidateOf.get(top)) ?? best.candidate;
    });
  }
}

/**
 * Stage 3: one session on the database (each candidate alone, then the best of each table
 * together), then the candidates it could not try — HypoPG cannot simulate them, or their
 * extension is missing — on the sandbox when there is one. Returns the main session.
 */
async function verifyCandidates(checked: CheckedStatement, found: FoundCandidates, verdicts: Verdicts, options: AdviseOptions): Promise<SessionResult> {
  const { conn, method, planned, safety, sandbox } = checked;
  let pending: Outcome[] = [];
  const main = await runSession({
    conn,
    method,
    planned,
    safety,
    options,
    candidates: found.candidates,
    extensions: found.extensions,
    tables: found.tables,
    together: (outcomes, before) => {
      pending = verdicts.judge(outcomes, before, method, false, found.extensions);
      return verdicts.jointMembers();
    },
  });
  if (pending.length > 0 && sandbox) await verifyOnSandbox(sandbox, pending, checked, verdicts, options);
  else {
    for (const o of pending) {
      if (o.kind === 'missing-extension' && method === 'sandbox') {
        verdicts.addUnverified(o.candidate, `needs the ${o.extension.name} extension: ${sandboxLacks(o.extension.name, o.extension.available)}`, o.extension);
      } else {
        verdicts.addUnverified(o.candidate, unverifiedReason(o, undefined), o.kind === 'missing-extension' ? o.extension : undefined);
      }
    }
  }
  return main;
}

/** The candidates the database could not try, built for real on the sandbox (in its own schema and session). */
async function verifyOnSandbox(sandbox: Connection, pending: Outcome[], checked: CheckedStatement, verdicts: Verdicts, options: AdviseOptions): Promise<void> {
  const { planned, safety, scopes } = checked;
  // The sandbox replays the migrations: the same tables, maybe in another schema than the server's search_path found.
  const sandboxTables = await loadTableInfo(sandbox, scopes.flatMap((sc) => sc.relations)).catch(() => [] as TableInfo[]);
  const original = new Map<IndexCandidate, IndexCandidate>();
  for (const o of pending) {
    const c = o.candidate;
    const t = sandboxTables.find((x) => x.name === c.table && x.schema === c.schema) ?? sandboxTables.find((x) => x.name === c.table);
    // Its own schema, partitions and operator classes' schemas: the sandbox's (resolved in its session).
    if (t) original.set({ ...c, schema: t.schema, ...(t.partitions ? { partitions: t.partitions } : { partitions: undefined }) }, c);
    else verdicts.addUnverified(c, unverifiedReason(o, `the sandbox has no table ${c.table} (its migrations do not create it)`));
  }
  const onSandbox = [...original.keys()];
  const back = (o: Outcome): Outcome => ({ ...o, candidate: original.get(o.candidate) ?? o.candidate });
  const sandboxExtensions = await extensionStates(sandbox, [...new Set(onSandbox.map((c) => c.extension).filter((e): e is string => e !== undefined))]).catch(() => new Map<string, ExtensionNeed>());
  try {
    const second = onSandbox.length > 0 ? await runSession({ conn: sandbox, method: 'sandbox', planned, safety, options, candidates: onSandbox, extensions: sandboxExtensions, tables: sandboxTables }) : undefined;
    const left = second ? verdicts.judge(second.outcomes.map(back), second.before, 'sandbox', true, sandboxExtensions) : [];
    for (const o of left) {
      const why = o.kind === 'missing-extension' ? `and ${sandboxLacks(o.extension.name, o.extension.available)}` : undefined;
      const first = pending.find((p) => p.candidate === o.candidate);
      verdicts.addUnverified(o.candidate, unverifiedReason(first ?? o, why), o.kind === 'missing-extension' ? o.extension : undefined);
    }
  } catch (e) {
    const why = `the sandbox could not run the statement: ${errorMessage(e).split('\n')[0]}`;
    for (const c of onSandbox) {
      const o = pending.find((p) => p.candidate === original.get(c));
      if (o) verdicts.addUnverified(o.candidate, unverifiedReason(o, why));
    }
  }
}

interface Ranked {
  /** The indexes verified together, when together they beat the best one alone by the thresholds. */
  together: AdviceResult['together'];
  /** The lowest cost one index reached alone (the plan's own cost when none was used). */
  bestAlone: number;
}

/** Stage 4: the suggestions best first (the simpler index wins a tie; the others are rejected), and whether the joint set is worth keeping. */
function rankVerdicts(verdicts: Verdicts, main: SessionResult, thresholds: Thresholds): Ranked {
  const { before, together } = main;
  const kept = rankSuggestions(verdicts.suggestions);
  const bestAlone = Math.min(before.totalCost, ...[...verdicts.bestUsed.values()].map((b) => b.totalCost));
  const togetherKept =
    together && together.totalCost <= bestAlone * (1 - thresholds.minImprovement) && before.totalCost - together.totalCost >= thresholds.minCostReduction
      ? {
          ddls: together.candidates.map((c) => emittedDdl(c)),
          after: measurement(together),
          improvement: before.totalCost / Math.max(together.totalCost, 0.001),
        }
      : undefined;
  for (const s of verdicts.suggestions) {
    if (!kept.includes(s)) verdicts.rejected.push({ ddl: s.ddl, totalCost: s.after.totalCost, reason: 'a simpler index does as well (partial and INCLUDE variants must be 10% cheaper to be worth their narrower use)' });
  }
  verdicts.suggestions.splice(0, verdicts.suggestions.length, ...kept);
  return { together: togetherKept, bestAlone };
}

/** Stage 5: the result, with its summary in plain words. */
function report(checked: CheckedStatement, found: FoundCandidates, verdicts: Verdicts, main: SessionResult, ranked: Ranked, thresholds: Thresholds): AdviceResult {
  const { suggestions, rejected, unverified } = verdicts;
  return {
    query: checked.statement.text,
    method: checked.method,
    ...(main.hypopg ? { hypopg: main.hypopg } : {}),
    before: measurement(main.before),
    suggestions,
    rejected,
    ...(unverified.length > 0 ? { unverified } : {}),
    ...(ranked.together ? { together: ranked.together } : {}),
    summary: summaryText(verdicts, main.before, ranked, found.candidates.length, thresholds.minImprovement),
  };
}

function summaryText(verdicts: Verdicts, before: Measured, ranked: Ranked, candidateCount: number, minImprovement: number): string {
  const { suggestions, unverified } = verdicts;
  const { together, bestAlone } = ranked;
  const tried = candidateCount - unverified.length;
  // A partitioned table's recipe runs to many statements: the summary names its first.
  const short = (ddl: string) => {
    const statements = ddlStatements(ddl);
    return statements.length > 1 ? `${statements[0]} … (${statements.length - 1} more statements, per partition)` : ddl;
  };
  const unverifiedNote = unverified.length > 0 ? `; ${unverified.length} candidate(s) could not be verified: ${unverified.map((u) => `${short(u.ddl)} (${u.reason})`).join('; ')}` : '';
  return (
    (together
      ? `${together.ddls.length} indexes together cut the plan's cost ${before.totalCost.toFixed(1)} → ${together.after.totalCost.toFixed(1)}, ` +
        `more than any one alone (best alone: ${bestAlone.toFixed(1)}): ${together.ddls.map(short).join(' ')}`
      : suggestions.length > 0
        ? `${suggestions.length} index(es) cut the plan's cost; best: ${short(suggestions[0].ddl)} (cost ${(suggestions[0].before ?? before).totalCost.toFixed(1)} → ${suggestions[0].after.totalCost.toFixed(1)}${suggestions[0].before ? ', on the sandbox' : ''})`
        : candidateCount === 0
          ? 'no index helps: the query has no filter, join or sort on a table column that an index could serve, or the right index exists already'
          : tried === 0
            ? 'no index could be verified'
            : `no index helps: ${tried} candidate(s) tried, none cut the cost by ${Math.round(minImprovement * 100)}% or more where the plan was slow`) + unverifiedNote
  );
}

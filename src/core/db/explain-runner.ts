import { performance } from 'node:perf_hooks';
import { PglensError } from '../errors';
import type { ExplainOptions, ExplainResult } from './connection';
import { toPglensError, type DbErrorContext } from './db-error';
import { analyzeCalls, callRefusal, type CatalogQuery } from './call-analysis';
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
  } else if (params.length < paramCount) {
    throw new PglensError('bad-input', `the statement uses $1…$${paramCount} but ${params.length} value(s) were given`, `supply a value for each parameter${version >= 120000 ? ', or use a generic plan' : ''}`);
  }

  const flags = ['FORMAT JSON'];
  if (options.analyze) flags.push('ANALYZE');
  if (options.buffers !== false && (options.analyze || version >= 130000)) flags.push('BUFFERS');
  if (options.settings !== false && version >= 120000) flags.push('SETTINGS');
  if (options.verbose) flags.push('VERBOSE');
  const explain = `EXPLAIN (${flags.join(', ')}) `;
  // A generic plan: the statement is prepared (one statement, extended protocol, nothing bound)
  // and its EXECUTE explained with plan_cache_mode = force_generic_plan, so the NULLs passed
  // for $n are never planned with. EXPLAIN (GENERIC_PLAN) would need PG 16 and the simple
  // protocol, which runs whatever statements a text holds.
  const prefix = generic ? `PREPARE ${GENERIC_STATEMENT} AS ` : explain;
  const text = prefix + safety.statement;
  const ctx = (): DbErrorContext => ({
    ...env.errorContext(),
    prefixLength: prefix.length,
    statementOffset: safety.statementOffset,
    timeoutMs: options.timeoutMs,
  });

  session.takeNotices();
  const started = performance.now();
  let rows: Record<string, unknown>[];
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
      await session.runSingle(text, []);
      await session.run('SET LOCAL plan_cache_mode = force_generic_plan');
      rows = (await session.runSingle(`${explain}EXECUTE ${GENERIC_STATEMENT}(${new Array(paramCount).fill('NULL').join(', ')})`, [])).rows;
    } else {
      rows = (await session.runSingle(text, params.slice(0, paramCount))).rows;
    }
  } catch (e) {
    await endSession(session, env).catch(() => undefined);
    throw readOnlyRefusal(e) ?? toPglensError(e, ctx());
  }
  await endSession(session, env).catch((e) => {
    throw toPglensError(e, env.errorContext());
  });
  const durationMs = performance.now() - started;

  const notices = session.takeNotices();
  if (options.analyze) notices.push(SEQUENCE_NOTICE);
  return { plan: planOf(rows), analyzed: options.analyze, rolledBack: options.analyze, notices, durationMs };
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

import type { Connection } from '../db/connection';
import { errorMessage } from '../errors';
import { quoteIdent } from '../sql/quote-ident';

export interface SlowQuery {
  queryId: string | null;
  /** Normalised query text as pg_stat_statements stores it ($1… for constants). */
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
}

export type SlowQueriesResult =
  | { available: true; schema: string; queries: SlowQuery[] }
  /** Why there is no list, as a sentence with the next step; `installed` when the extension exists but cannot be read. */
  | StatementsUnavailable;

export interface SlowQueryOptions {
  /** How many queries, slowest total time first (default 20). */
  limit?: number;
}

/** Where pg_stat_statements lives in the connected database, and the names of its time columns. */
export interface StatementsView {
  /** The extension's schema. */
  schema: string;
  /** `"schema".pg_stat_statements`, ready for a FROM clause. */
  view: string;
  /** `total_exec_time`/`mean_exec_time` (PostgreSQL 13+) or `total_time`/`mean_time`. */
  totalColumn: string;
  meanColumn: string;
}

/** Why pg_stat_statements cannot be read, as a sentence with the next step; `installed` when the extension exists. */
export interface StatementsUnavailable {
  available: false;
  installed: boolean;
  reason: string;
}

export const PG_STAT_STATEMENTS_NOT_INSTALLED =
  'pg_stat_statements is not installed in this database: add it to shared_preload_libraries, restart the server, then run CREATE EXTENSION pg_stat_statements;';

/** The server preloads the library (no restart needed): only the extension is missing in this database. */
export const PG_STAT_STATEMENTS_NOT_CREATED =
  'pg_stat_statements is loaded by the server (shared_preload_libraries) but not created in this database: run CREATE EXTENSION pg_stat_statements; in it (no restart needed)';

/**
 * Does the server preload pg_stat_statements? Read from pg_settings, not current_setting(): the
 * setting is hidden from roles without pg_read_all_settings, and current_setting() would raise an
 * error that ends the caller's transaction, where pg_settings just has no row (then: not known, false).
 */
async function libraryPreloaded(conn: Connection): Promise<boolean> {
  try {
    const r = await conn.query<{ v: string | null }>(`SELECT setting AS v FROM pg_settings WHERE name = 'shared_preload_libraries'`);
    return (r.rows[0]?.v ?? '').split(',').some((lib) => lib.trim().replace(/^"|"$/g, '').replace(/^\$libdir\//, '') === 'pg_stat_statements');
  } catch {
    return false;
  }
}

/**
 * Finds pg_stat_statements in the connected database. Whether the library is loaded shows only
 * when the view is read: readers pass that error to `statementsReadFailure`.
 */
export async function findStatementsView(conn: Connection): Promise<({ available: true } & StatementsView) | StatementsUnavailable> {
  let schema: string;
  try {
    const ext = await conn.query<{ schema: string }>(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`,
    );
    if (ext.rows.length === 0) return { available: false, installed: false, reason: (await libraryPreloaded(conn)) ? PG_STAT_STATEMENTS_NOT_CREATED : PG_STAT_STATEMENTS_NOT_INSTALLED };
    schema = ext.rows[0].schema;
  } catch (e) {
    return { available: false, installed: false, reason: `could not check for pg_stat_statements: ${errorMessage(e)}` };
  }
  const view = `${quoteIdent(schema)}.pg_stat_statements`;
  try {
    // PG 13 renamed total_time/mean_time to total_exec_time/mean_exec_time.
    const cols = await conn.query<{ name: string }>(
      `SELECT attname::text AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
      [view],
    );
    const names = new Set(cols.rows.map((r) => r.name));
    return {
      available: true,
      schema,
      view,
      totalColumn: names.has('total_exec_time') ? 'total_exec_time' : 'total_time',
      meanColumn: names.has('mean_exec_time') ? 'mean_exec_time' : 'mean_time',
    };
  } catch (e) {
    return statementsReadFailure(e);
  }
}

/** A failed read of the view as the answer it is: not preloaded, not allowed, or the server's own words. */
export function statementsReadFailure(e: unknown): StatementsUnavailable {
  const message = errorMessage(e);
  if (/shared_preload_libraries/i.test(message)) {
    return {
      available: false,
      installed: true,
      reason:
        'pg_stat_statements is installed but not loaded: add it to shared_preload_libraries in postgresql.conf and restart the server',
    };
  }
  if (/permission denied/i.test(message)) {
    return {
      available: false,
      installed: true,
      reason: `reading pg_stat_statements was refused (${message}): grant the role pg_read_all_stats to see query texts and times`,
    };
  }
  return { available: false, installed: true, reason: `reading pg_stat_statements failed: ${message}` };
}

/**
 * Top statements of the current database by total execution time, from pg_stat_statements.
 * Absent extension, missing preload or missing privileges are answers, not errors.
 */
export async function slowQueries(conn: Connection, options: SlowQueryOptions = {}): Promise<SlowQueriesResult> {
  const limit = Math.max(1, Math.floor(options.limit ?? 20));
  const found = await findStatementsView(conn);
  if (!found.available) return found;
  const { schema, view, totalColumn: total, meanColumn: mean } = found;
  try {
    const result = await conn.query<Record<string, unknown>>(
      `SELECT s.queryid::text AS query_id, s.query, s.calls::float8 AS calls, s.${total}::float8 AS total_ms,
              s.${mean}::float8 AS mean_ms, s.rows::float8 AS rows
       FROM ${view} s
       WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND s.query IS NOT NULL
       ORDER BY s.${total} DESC
       LIMIT $1`,
      [limit],
    );
    return {
      available: true,
      schema,
      queries: result.rows.map((r) => ({
        queryId: r.query_id == null ? null : String(r.query_id),
        query: String(r.query ?? ''),
        calls: Number(r.calls ?? 0),
        totalMs: Number(r.total_ms ?? 0),
        meanMs: Number(r.mean_ms ?? 0),
        rows: Number(r.rows ?? 0),
      })),
    };
  } catch (e) {
    return statementsReadFailure(e);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The statements (of `queries`, slowest total first) that read or write `schema.table`: the
 * table named after FROM, JOIN, UPDATE or INTO, bare or schema-qualified, quoted or not. What
 * links a seq-scan-heavy-table finding to the query to Explain.
 */
export function statementsReading(schema: string, table: string, queries: readonly SlowQuery[], max = 3): SlowQuery[] {
  const ident = (name: string) => `(?:"${escapeRegExp(name.replace(/"/g, '""'))}"${/^[a-z_][a-z0-9_$]*$/.test(name) ? `|${escapeRegExp(name)}(?![\\w$])` : ''})`;
  const pattern = new RegExp(`\\b(?:FROM|JOIN|UPDATE|INTO)\\s+(?:(?:ONLY\\s+)?${ident(schema)}\\s*\\.\\s*)?${ident(table)}`, 'i');
  return queries.filter((q) => pattern.test(q.query)).slice(0, max);
}

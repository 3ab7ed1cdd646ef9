/**
 * The one contract every database behind pglens honours: the user's server (`pg`) and the
 * embedded sandbox (PGlite in its own process). One contract test suite runs against both.
 */
export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  fields: { name: string }[];
  rowCount: number;
}

export interface ExplainOptions {
  /** EXPLAIN ANALYZE: runs the statement, always inside BEGIN … ROLLBACK. */
  analyze: boolean;
  /** Statement timeout; server: SET LOCAL statement_timeout, sandbox: process kill. */
  timeoutMs: number;
  /** Values for $1…$n. */
  params?: unknown[];
  /** A generic plan for parameterised statements without values (PG 12+, plain EXPLAIN only; plan_cache_mode = force_generic_plan). */
  genericPlan?: boolean;
  buffers?: boolean;
  verbose?: boolean;
  settings?: boolean;
  /**
   * User functions (`schema.name` or `name`) pglens could not prove free of effects a rollback
   * leaves behind, which the user allows to run. Built-ins pglens refuses stay refused.
   */
  allowFunctions?: string[];
}

export interface ExplainResult {
  /** The raw EXPLAIN (FORMAT JSON) output, unchanged: an array with one object. */
  plan: unknown[];
  analyzed: boolean;
  /** True whenever the statement ran inside a transaction that was rolled back. */
  rolledBack: boolean;
  /** Server notices and pglens safety notes (e.g. sequences still advance). */
  notices: string[];
  /** Wall time of the EXPLAIN round trip, ms, as measured by the client. */
  durationMs: number;
  /**
   * Set when the plan is a generic plan (`genericPlan` and no values): the parameter types
   * PREPARE used, as Postgres names them ("integer", "text").
   */
  generic?: { parameterTypes: string[] };
}

export type ConnectionKind = 'server' | 'embedded';

/**
 * `query` calls run in order on ONE session, so callers may bracket them with BEGIN …
 * ROLLBACK / SAVEPOINT (the index advisor does). `explain` manages its own transaction.
 */
export interface Connection {
  readonly kind: ConnectionKind;
  /** Human label: `name (host:port/db)` or `embedded sandbox`. Never contains a password. */
  readonly label: string;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs `sql` through the extended protocol even without parameters: the server refuses a
   * text holding more than one statement, whatever pglens's own parser concluded. Every text
   * that came from a user goes this way.
   */
  queryOne<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  explain(sql: string, options: ExplainOptions): Promise<ExplainResult>;
  /** Cancels what is running now (server: pg_cancel_backend; sandbox: kill + restart from cache). */
  cancel(): Promise<void>;
  close(): Promise<void>;
  /** e.g. "15.19" */
  serverVersion(): Promise<string>;
}

/**
 * What index advice takes and gives back: the options of `adviseIndexes`, its result, each
 * suggestion with what it was measured at. Every stage of the advisor (advise.ts) speaks these.
 */
import type { Connection } from '../db/connection';
import type { IndexMethod } from './index-types';

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

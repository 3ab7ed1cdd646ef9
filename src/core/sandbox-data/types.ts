/**
 * Public types of the sandbox data generator: what `fillDatabase` takes and what it reports.
 */

/** Runs one statement and returns its rows (PGlite `db.query(sql).then(r => r.rows)`, pg `client.query`). */
export type QueryFn = (sql: string) => Promise<Array<Record<string, unknown>>>;
/** Runs SQL text, possibly several statements, for its effect (PGlite `db.exec`, pg `client.query`). */
export type ExecFn = (sql: string) => Promise<void>;

/**
 * Distribution of one column, in `pg_stats` terms (values as Postgres prints them). Honoured
 * where cheap: `nullFrac`, `nDistinct`, `mcv`, `histogram`; `correlation` near ±1 makes the
 * values follow the row order.
 */
export interface ColumnStats {
  /** Fraction of NULLs, 0..1. */
  nullFrac?: number;
  /** Distinct non-null values: > 0 a count, < 0 minus a fraction of the rows (as pg_stats.n_distinct). */
  nDistinct?: number;
  /** Most common values and their frequencies (fractions of all rows, as pg_stats). */
  mcv?: { values: string[]; freqs: number[] };
  /**
   * Frequencies of most common values whose values were left out of the file (a stats export
   * with --no-values): the generator invents that many values with these frequencies.
   */
  mcvFreqs?: number[];
  /** Equi-depth histogram bounds of the values outside the MCV list, ascending. */
  histogram?: string[];
  /** Physical order correlation, -1..1. */
  correlation?: number;
}

export interface TableStats {
  /** Row count of the real table (before `scale`). */
  rows: number;
  /** By column name. */
  columns?: Record<string, ColumnStats>;
}

/** Shape of a stats file (to come from a stats export of the real database). */
export interface FillStats {
  /** By 'schema.table' (unquoted names). */
  tables: Record<string, TableStats>;
}

export interface FillOptions {
  /** Rows for an ordinary table (default 20,000). */
  rowsPerTable?: number;
  /** Rows for a lookup table (referenced, few columns; default: rowsPerTable / 20, within 100–1,000). */
  lookupRows?: number;
  /** Multiplies every target, stats counts included (default 1). */
  scale?: number;
  /** Upper bound on any table's rows (default 5,000,000). */
  maxRowsPerTable?: number;
  /**
   * Upper bound on all tables' rows together: tables sized by default (not by `tableRows` or
   * stats) shrink in proportion to stay within it, each keeping at least 10 rows. Default: none.
   */
  maxTotalRows?: number;
  /** Explicit targets by 'schema.table', before `scale`; wins over stats and tiers. */
  tableRows?: Record<string, number>;
  /** Per-table counts and per-column distributions (a stats file). */
  stats?: FillStats;
  /** Changes every generated value (default 0). Same seed, same schema: same data. */
  seed?: number;
  /** Schemas to fill (default: every user schema). */
  schemas?: string[];
  /** Tables to leave alone, by 'schema.table' or 'table'. Migration-history tables are always left alone. */
  excludeTables?: string[];
  /**
   * Tables that already hold rows (seeded by a migration, or filled before): 'skip' keeps them
   * as they are (the default; filling twice is a no-op), 'append' adds the target count,
   * 'top-up' keeps a table holding at least a tenth of its target or five rows (reference data)
   * and fills the others up to it (the sandbox's choice: a migration's two seed users must not
   * carry every order).
   */
  existingRows?: 'skip' | 'append' | 'top-up';
  /**
   * Fill with `session_replication_role = replica` (no trigger fires, FK checks included; the
   * generator keeps FKs valid itself). Needs a superuser; silently off otherwise. Default true.
   */
  disableTriggers?: boolean;
  /**
   * Drop a table's plain secondary indexes (not unique, not behind a constraint) for its bulk
   * INSERT and build them again after, all in one transaction (a failure rolls back to the
   * indexes as they were). Building once is several times faster than maintaining them row by
   * row. Default true; tables under 1,000 rows and partitioned tables keep their indexes.
   */
  rebuildIndexes?: boolean;
  /** VACUUM ANALYZE (true, default: sets the visibility map, as on a live database) or only ANALYZE. */
  vacuum?: boolean;
  /** Default fraction of NULLs in a nullable column without stats (default 0.1; some names differ). */
  nullFrac?: number;
  /** Exponent of the skew of drawn values and FK fan-out, 1 = uniform (default 2). */
  skew?: number;
  /** Progress lines. */
  onProgress?: (message: string) => void;
}

export type TableStatus = 'filled' | 'partial' | 'kept' | 'skipped' | 'failed';

export interface FillAttempt {
  /** Rows asked for. */
  rows: number;
  /** What the attempt gave up to get rows in ('' for the full plan). */
  mode: 'full' | 'on-conflict' | 'simple' | 'minimal';
  error?: string;
  code?: string;
  constraint?: string;
}

export interface TableFillReport {
  /** 'schema.table'. */
  table: string;
  status: TableStatus;
  /** How the target was chosen. */
  tier: 'lookup' | 'regular' | 'fact' | 'stats' | 'explicit';
  target: number;
  /** Rows inserted by the fill. */
  rows: number;
  /** Rows the table held before the fill (status 'kept': seeded by a migration). */
  existing?: number;
  ms: number;
  /** Every statement tried, the failed ones with Postgres's error. */
  attempts: FillAttempt[];
  /** Why the table is skipped, failed or partial. */
  cause?: string;
  /** The constraint named by the last error, if any. */
  constraint?: string;
  /** What the generator could not do as asked (columns left to their default or NULL, FK cycles, …). */
  notes: string[];
}

export interface UnsupportedColumn {
  table: string;
  column: string;
  type: string;
  /** What was done instead. */
  handling: 'default' | 'null' | 'table-skipped';
}

export interface FillReport {
  tables: TableFillReport[];
  /** Rows inserted, all tables. */
  rows: number;
  ms: number;
  /** Whether triggers (and FK checks) were off during the fill. */
  triggersDisabled: boolean;
  unsupported: UnsupportedColumn[];
  /** FK edges filled after the fact (cycles, self-references), as 'schema.table(cols) → schema.ref'. */
  deferredForeignKeys: string[];
  notes: string[];
}

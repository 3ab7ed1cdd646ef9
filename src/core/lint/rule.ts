import type { Fix, Severity, SeveritySetting, SourceRange } from '../types';
import type { Statement } from '../sql/statement';
import type { MaterializedView, SchemaModel, Table } from '../schema/model';
import type { RunnerId, TransactionMode } from '../migrations/migration';
import type { RuleOptionSpecs } from './option-specs';

/**
 * A lint rule: one file in `rules/`, named after its id, with a table of valid/invalid
 * tests in `test/unit/lint/rules/<id>.test.ts` and a docs page `docs/rules/<id>.md`.
 * Statement rules see each statement with the schema as it was just before it; schema rules
 * see the schema after the whole file or migration set.
 */
export interface RuleDocs {
  /** One line: what happens to production. */
  description: string;
}

export interface Report {
  message: string;
  /**
   * This finding's severity when it differs from the rule's default (a statement that makes
   * the migration fail is an error). A severity the user configured for the rule wins.
   */
  severity?: Severity;
  range: SourceRange;
  fix?: Fix;
}

export interface StatementContext {
  file: string;
  /** Whole file text. */
  text: string;
  statement: Statement;
  /** Every statement of the file, in order (`statement.index` is its position here). */
  statements: readonly Statement[];
  /** Schema before this statement ran (all earlier files in the set and earlier statements in this file). */
  schema: SchemaModel;
  /**
   * For a loose query file (a .sql file no migration set replays, SQL in code): the schema of the
   * workspace's migrations it runs against, where query rules look up a table `schema` lacks.
   * Absent for migrations and when no migration set was found.
   */
  workspaceSchema?: SchemaModel;
  /** True when the table existed before this file started (created in an earlier file or the live database), so locks hurt readers. */
  isExistingTable(schema: string | undefined, name: string): boolean;
  /** The table as the schema holds it before this statement; an unqualified name resolves in the current search_path schema. */
  table(rel: { schema?: string; name: string }): Table | undefined;
  /** The materialized view as the schema holds it before this statement, resolved like `table`. */
  materializedView(rel: { schema?: string; name: string }): MaterializedView | undefined;
  /** Inside an explicit BEGIN … COMMIT, or the file runs wrapped in a transaction per config. */
  inTransaction: boolean;
  /**
   * The statement is part of a migration (a file of a migration set, run by a runner at
   * deploy), not a loose query file: a statement that touches every row is a data migration.
   */
  migration: boolean;
  /** The runner of the migration set, when known (a folder read by src/core/migrations). */
  runner?: RunnerId;
  /**
   * How the runner executes the part this statement is in, when known: 'per-migration' (one
   * transaction), 'none' (each statement autocommits) or 'all-pending' (every pending
   * migration in one transaction). `inTransaction` already accounts for it.
   */
  transactionMode?: TransactionMode;
  /**
   * The part runs outside a transaction only because it is one statement the runner sends as
   * one string (a one-statement Prisma or golang-migrate file, dbmate `transaction:false`,
   * diesel `run_in_transaction = false`): a fix that adds a statement would wrap it in an
   * implicit transaction, where CONCURRENTLY fails and NOT VALID + VALIDATE gains nothing.
   */
  singleStatement: boolean;
  /** 'down' when the statement is in a down (rollback) part, linted after its own up. */
  direction: 'up' | 'down';
  /** Scratch space shared by the statements of one part, for rules that report once per part (keyed by rule id) and helpers that read a statement once for several rules (keyed by the helper's path). */
  memo: Map<string, unknown>;
  /** A `SET lock_timeout` came earlier in this file. */
  lockTimeoutSet: boolean;
  /**
   * The TimeZone a SET earlier in this file gives the session at this statement (SET LOCAL until
   * its transaction ends): undefined when none did (the server's or role's setting applies, which
   * pglens cannot see) or it was RESET.
   */
  timeZone: string | undefined;
  /** Configured Postgres major version (default 15). */
  postgresVersion: number;
  /** Rule options from config (thresholds); empty when none. */
  options: Record<string, unknown>;
  report(report: Report): void;
}

export interface SchemaContext {
  schema: SchemaModel;
  options: Record<string, unknown>;
  /**
   * Whether the statement at this file offset runs inside a transaction (explicit BEGIN … COMMIT,
   * or the runner wraps the file per config), so a fix must not add CONCURRENTLY there. Absent
   * when unknown (a schema not replayed from files).
   */
  inTransactionAt?(file: string, offset: number): boolean;
  /** Text of a linted file between two offsets; undefined when the file was not linted (a base schema). */
  textAt?(file: string, startOffset: number, endOffset: number): string | undefined;
  /** Every file the set holds (their text through `textAt`); absent when the schema was not replayed from files. */
  files?(): Iterable<string>;
  /** Report on an object; the range must be the object's SourceRef range in `file`. */
  report(report: Report & { file: string }): void;
}

interface RuleBase {
  id: string;
  defaultSeverity: SeveritySetting;
  docs: RuleDocs;
  fixable?: boolean;
  /**
   * The options `.pglens.json` may give it (`[severity, { … }]`), checked when the file is read;
   * the rule reads them with `ruleOption`. Rules whose options need more than a type and a bound
   * (naming-convention) check them in src/core/lint/rule-options.ts instead.
   */
  options?: RuleOptionSpecs;
}

export interface StatementRule extends RuleBase {
  kind: 'statement';
  check(context: StatementContext): void;
}

export interface SchemaRule extends RuleBase {
  kind: 'schema';
  check(context: SchemaContext): void;
}

export type Rule = StatementRule | SchemaRule;

import type { Connection, ConnectionKind } from '../../db/connection';
import type { DATABASE_RULE_IDS } from '../../lint/rule-ids';
import type { Severity } from '../../types';

/** Ids of the database health checks (RULES/docs: docs/rules/<id>.md). */
export type DatabaseRuleId = (typeof DATABASE_RULE_IDS)[number];

/**
 * One finding of a database health check. Unlike an index/schema finding it may be about the
 * whole database, a session or a sequence, so the object it names is in optional fields.
 */
export interface DatabaseFinding {
  ruleId: DatabaseRuleId;
  severity: Severity;
  /** One sentence with the figures and why it matters; names from the server are not escaped here (the CLI and webviews escape). */
  message: string;
  /** What the finding is about, for grouping and "reveal in tree". */
  schema?: string;
  table?: string;
  column?: string;
  /** Schema-qualified by `schema` when set. */
  sequence?: string;
  /** A session (pg_stat_activity.pid). */
  pid?: number;
  /** The session's query text, as pg_stat_activity shows it (may be cut at track_activity_query_size). */
  query?: string;
  /** The figures behind the message (seconds, ratios, counts), for JSON and the view. */
  metrics?: Record<string, number | string | boolean | null>;
  /** SQL that fixes or relieves it (maintenance command or migration text). Never run by pglens. */
  fixSql?: string;
  /** What to do when there is no SQL to run, or before running it. */
  nextStep?: string;
}

/**
 * The WHERE fragment for the user schemas on `pg_namespace n`: no system schema, no pg_temp/pg_toast,
 * no pglens scratch schema; `$1` is the schema filter (text[] or null for all).
 */
export const USER_SCHEMAS = `n.nspname <> 'information_schema' AND n.nspname !~ '^(pg_|pglens_)' AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))`;

/**
 * Relations another session holds, or queues for, in a mode that conflicts with the ROW
 * EXCLUSIVE lock reading a sequence's value takes (ALTER SEQUENCE, TRUNCATE … RESTART IDENTITY,
 * a migration's ALTER TABLE in progress): reading them would wait behind that session, so checks
 * leave them out with a note instead. Materialize it: pg_locks is a function scan.
 */
export const LOCKED_BY_OTHERS = `SELECT DISTINCT relation FROM pg_locks
  WHERE locktype = 'relation' AND pid <> pg_backend_pid()
    AND mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** What a check may use while reading. */
export interface CheckReadContext {
  conn: Connection;
  /** `server_version_num`, e.g. 150004. */
  serverVersionNum: number;
  /** Only these user schemas (empty: all but system and pglens scratch schemas). */
  schemas: string[];
  /** `current_user`: notes name the role that could not see something. */
  role: string;
}

export interface CheckJudgement {
  findings: DatabaseFinding[];
  /** A one-line state of what the check looked at, shown even without findings (e.g. "12 of 100 connections in use"). */
  summary?: string;
  /** What the check could not see and why (e.g. other users' queries hidden without pg_read_all_stats). */
  notes?: string[];
  /**
   * Set when the check could judge none of what it should have: every object it reads was
   * unreadable to the role (privileges) or held locked by another session. "ok" would claim a
   * judgement never made, so the runner reports the check as `failed` with this reason (a clause,
   * e.g. "none of its 2 sequences could be read: app lacks SELECT or USAGE on them"), followed by
   * the check's `privilege` when `privilege` is true.
   */
  unjudged?: { reason: string; privilege: boolean };
  /** It judged some of what it reads but could not read the rest (privileges, locks; the notes say which): it stays `ran`, marked partial. */
  partial?: boolean;
}

/** Numeric thresholds of a check, configurable as `"rules": { "<id>": ["warning", { … }] }` in `.pglens.json`. */
export type Thresholds = Record<string, number>;

/**
 * One database health check: a read (a few set-based read-only queries) and a pure judgement, so
 * the judgement is unit-tested on plain rows and the read on the real server.
 */
export interface DatabaseCheck<T = unknown> {
  id: DatabaseRuleId;
  /**
   * Where the report lists it: 'storage' (what tables, sequences and the database keep: bloat,
   * cache, keys, wraparound, statistics) first, then 'activity' (what sessions are doing now:
   * pg_stat_activity, pg_locks, connection slots); by id within each (checks/index.ts is generated).
   */
  group: 'storage' | 'activity';
  /** Sidebar title, e.g. "Table bloat and dead tuples". */
  title: string;
  /** Severity of a finding at the default thresholds (a check may raise it, e.g. error near wraparound). */
  defaultSeverity: Severity;
  /** Default thresholds; their keys are the option names users set. */
  defaults: Thresholds;
  /**
   * `true` when the check means something on the embedded sandbox; otherwise the reason it
   * needs a server (shown as the check's state).
   */
  sandbox: true | string;
  /** The privilege that lets the check see everything, named when a read is refused; absent when every role may read what it reads. */
  privilege?: string;
  read(ctx: CheckReadContext): Promise<T>;
  judge(data: T, thresholds: Thresholds, kind: ConnectionKind): CheckJudgement;
}

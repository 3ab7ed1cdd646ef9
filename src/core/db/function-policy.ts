/**
 * Which functions pglens lets a statement run for analysis. Built-ins are judged by an
 * allow-list: Postgres's own IMMUTABLE and STABLE functions compute a value and change
 * nothing (their volatility is Postgres's, not a user's claim), and the VOLATILE ones below
 * only read a clock, a random source, a sequence (reported in a notice) or server state, or
 * take a lock that ROLLBACK releases. Any other volatile built-in — terminating backends,
 * session advisory locks, large objects, settings, statistics resets, replication, backup —
 * is refused, including the ones a future Postgres adds.
 */
const VOLATILE_BUILTINS_ALLOWED = new Set([
  'clock_timestamp',
  'timeofday',
  'random',
  'random_normal',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'nextval',
  'currval',
  'lastval',
  'pg_sleep',
  'pg_sleep_for',
  'pg_sleep_until',
  // Transaction-level locks end with the ROLLBACK that ends every analysis.
  'pg_advisory_xact_lock',
  'pg_advisory_xact_lock_shared',
  'pg_try_advisory_xact_lock',
  'pg_try_advisory_xact_lock_shared',
  'pg_relation_size',
  'pg_table_size',
  'pg_indexes_size',
  'pg_total_relation_size',
  'pg_database_size',
  'pg_tablespace_size',
  'pg_current_wal_lsn',
  'pg_current_wal_insert_lsn',
  'pg_current_wal_flush_lsn',
  'pg_last_wal_receive_lsn',
  'pg_last_wal_replay_lsn',
  'pg_last_xact_replay_timestamp',
  'pg_is_in_recovery',
  'pg_is_wal_replay_paused',
  'pg_get_wal_replay_pause_state',
  'pg_blocking_pids',
  'pg_safe_snapshot_blocking_pids',
  'pg_lock_status',
  'pg_partition_tree',
  'pg_partition_ancestors',
  'pg_jit_available',
  'pg_xact_commit_timestamp',
  'pg_xact_commit_timestamp_origin',
  'pg_last_committed_xact',
  'pg_sequence_last_value',
  'txid_status',
  'pg_xact_status',
  'pg_notification_queue_usage',
  'current_query',
  'pg_collation_actual_version',
  'pg_database_collation_actual_version',
  // TABLESAMPLE methods.
  'system',
  'bernoulli',
  // Built-in trigger functions a user's trigger may name; they change only the row being written.
  'tsvector_update_trigger',
  'tsvector_update_trigger_column',
  'suppress_redundant_updates_trigger',
  'unique_key_recheck',
]);

/** Per-transaction statistics readers (pg_stat_get_xact_*) only read. */
const VOLATILE_BUILTIN_PREFIXES_ALLOWED = ['pg_stat_get_xact_', 'RI_FKey_'];

/**
 * Refused wherever they come from, built-in or extension, whatever the user allows: each runs
 * SQL text pglens never sees (the *_to_xml family, ts_stat, ts_rewrite), reaches another
 * server or session (dblink), or has effects no rollback undoes.
 */
const FORBIDDEN_PATTERNS: { pattern: RegExp; why: string }[] = [
  { pattern: /_to_xml(schema|_and_xmlschema)?$/, why: 'it runs a query given as text, which pglens cannot inspect' },
  { pattern: /^ts_(stat|rewrite)$/, why: 'it runs a query given as text, which pglens cannot inspect' },
  { pattern: /^dblink/, why: 'it runs SQL over its own connection, outside the transaction pglens rolls back' },
  { pattern: /^pg_stat_statements_reset$|^pg_stat_reset/, why: 'a statistics reset takes effect at once, whatever happens to the transaction' },
  { pattern: /^pg_file_|^pg_logdir_ls$/, why: 'it writes files on the server' },
  { pattern: /^lo_|^lowrite$/, why: 'large-object functions can write files on the server (lo_export)' },
  { pattern: /^hypopg/, why: 'hypothetical indexes live in the session, not in the transaction' },
  { pattern: /^set_config$/, why: 'it changes a setting of the session' },
  { pattern: /^pg_(terminate|cancel)_backend$/, why: 'it ends or interrupts another session' },
  { pattern: /^pg_(try_)?advisory_(un)?lock/, why: 'a session advisory lock outlives the rollback' },
];

export type Volatility = 'immutable' | 'stable' | 'volatile';

export interface FunctionFacts {
  name: string;
  volatility: Volatility;
  /** Shipped with Postgres (OID below FirstNormalObjectId). */
  builtin: boolean;
  /** A member of an installed extension. */
  inExtension: boolean;
  language: string;
}

/** Why a function must never run for analysis, or undefined. */
export function forbiddenReason(f: FunctionFacts): string | undefined {
  for (const { pattern, why } of FORBIDDEN_PATTERNS) if (pattern.test(f.name)) return why;
  if (f.builtin && f.volatility === 'volatile' && !volatileBuiltinAllowed(f.name)) {
    return 'it is a volatile built-in whose effect may outlive the rollback (pglens runs only built-ins known to be free of such effects)';
  }
  return undefined;
}

function volatileBuiltinAllowed(name: string): boolean {
  return VOLATILE_BUILTINS_ALLOWED.has(name) || VOLATILE_BUILTIN_PREFIXES_ALLOWED.some((p) => name.startsWith(p));
}

/** Volatile C functions of common extensions that only produce random values. */
const VOLATILE_EXTENSION_ALLOWED = new Set(['gen_random_bytes', 'gen_salt', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4']);

/**
 * Extension C functions declared IMMUTABLE or STABLE are taken at their word, as Postgres's
 * own are (they are installed by an administrator, not written in the workspace); volatile
 * ones only when known to be random sources.
 */
export function trustedExtensionFunction(f: FunctionFacts): boolean {
  if (!f.inExtension || (f.language !== 'c' && f.language !== 'internal')) return false;
  return f.volatility !== 'volatile' || VOLATILE_EXTENSION_ALLOWED.has(f.name);
}

import { EXPLAINABLE_KINDS } from '../sql/explain-targets';
import { ensureParser, parseStatements, SqlSyntaxError, visitNodes } from './pg-parser';

/**
 * Decides, with Postgres's own grammar, whether a statement may be explained and whether it
 * may be executed for EXPLAIN ANALYZE (always inside BEGIN … ROLLBACK). Refusals say why.
 */
export interface ExplainSafety {
  analyzeAllowed: boolean;
  explainAllowed: boolean;
  /** Why EXPLAIN or ANALYZE is refused. */
  reason?: string;
  /** The single statement to explain, without its trailing semicolon. */
  statement?: string;
  /** Character offset of `statement` in the input. */
  statementOffset?: number;
  /** Node type, e.g. 'SelectStmt'. */
  kind?: string;
  /** Highest `$n` the statement uses (0 when none). */
  paramCount?: number;
  /** Set when the input does not parse. */
  syntaxError?: { message: string; position?: number };
}


/** Functions whose effect no ROLLBACK undoes; ANALYZE would really perform them. */
const NON_TRANSACTIONAL_FUNCTIONS = new Set([
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_switch_wal',
  'pg_promote',
  'pg_advisory_lock',
  'pg_advisory_lock_shared',
  'pg_try_advisory_lock',
  'pg_try_advisory_lock_shared',
  'dblink',
  'dblink_exec',
  'dblink_send_query',
  'pg_file_write',
  'lo_export',
  'pg_create_logical_replication_slot',
  'pg_create_physical_replication_slot',
  'pg_drop_replication_slot',
  'pg_copy_logical_replication_slot',
  'pg_copy_physical_replication_slot',
  'pg_replication_slot_advance',
  // Consuming a slot's changes moves it forward for good.
  'pg_logical_slot_get_changes',
  'pg_logical_slot_get_binary_changes',
  'pg_logical_emit_message',
  'pg_replication_origin_create',
  'pg_replication_origin_drop',
  'pg_replication_origin_advance',
  'pg_replication_origin_session_setup',
  'pg_create_restore_point',
  'pg_backup_start',
  'pg_backup_stop',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_wal_replay_pause',
  'pg_wal_replay_resume',
  // Statistics resets take effect at once, whatever happens to the transaction.
  'pg_stat_reset',
  'pg_stat_reset_shared',
  'pg_stat_reset_single_table_counters',
  'pg_stat_reset_single_function_counters',
  'pg_stat_reset_slru',
  'pg_stat_reset_replication_slot',
  'pg_stat_reset_subscription_stats',
  'pg_stat_statements_reset',
  // Unlike nextval (reported in a notice), setval sets the value a later insert will get.
  'setval',
  'dblink_connect',
  'dblink_connect_u',
  'dblink_open',
  'pg_file_unlink',
  'pg_file_rename',
]);

export async function classifyForExplain(sql: string): Promise<ExplainSafety> {
  await ensureParser();
  let statements;
  try {
    statements = parseStatements(sql);
  } catch (e) {
    if (!(e instanceof SqlSyntaxError)) throw e;
    return refuse(`syntax error: ${e.message}`, { syntaxError: { message: e.message, position: e.position } });
  }
  if (statements.length === 0) return refuse('there is no statement to explain (only whitespace or comments)');
  if (statements.length > 1) {
    return refuse(`${statements.length} statements were given: EXPLAIN takes one statement at a time — select one`);
  }
  const [stmt] = statements;
  const body = stmt.node[stmt.kind] as Record<string, unknown>;
  const base = { statement: stmt.text, statementOffset: stmt.offset, kind: stmt.kind };
  const notExplainable = notExplainableReason(stmt.kind, body);
  if (notExplainable) return refuse(notExplainable, base);

  const paramCount = maxParam(stmt.node);
  const dangerous = nonTransactionalCall(stmt.node);
  if (dangerous) {
    return {
      ...base,
      paramCount,
      explainAllowed: true,
      analyzeAllowed: false,
      reason: `ANALYZE would execute ${dangerous}(), whose effect a rollback cannot undo`,
    };
  }
  return { ...base, paramCount, explainAllowed: true, analyzeAllowed: true };
}

function refuse(reason: string, extra: Partial<ExplainSafety> = {}): ExplainSafety {
  return { explainAllowed: false, analyzeAllowed: false, reason, ...extra };
}

function notExplainableReason(kind: string, body: Record<string, unknown>): string | undefined {
  switch (kind) {
    case 'IndexStmt':
      return body.concurrent
        ? 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block and has no plan — run it as a migration'
        : 'CREATE INDEX has no plan to explain — explain the queries that should use the index';
    case 'VacuumStmt':
      // libpg-query omits false booleans: a missing is_vacuumcmd is the ANALYZE command.
      return body.is_vacuumcmd
        ? 'VACUUM cannot run inside a transaction block and has no plan — run it from psql'
        : 'ANALYZE (statistics collection) has no plan — run it from psql';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM changes the server configuration outside any transaction — it is never executed for analysis';
    case 'CreatedbStmt':
    case 'DropdbStmt':
      return `${kind === 'DropdbStmt' ? 'DROP' : 'CREATE'} DATABASE cannot run inside a transaction block and is never executed for analysis`;
    case 'TransactionStmt':
      return 'transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) has no plan; pglens wraps EXPLAIN ANALYZE in its own BEGIN … ROLLBACK';
    case 'CopyStmt':
      return body.is_program
        ? 'COPY … PROGRAM runs a shell command on the server that no rollback undoes — it is never executed for analysis'
        : 'COPY has no plan — explain its query (the SELECT inside COPY (…) TO) instead';
    case 'ExplainStmt':
      return 'the statement is already an EXPLAIN — remove the EXPLAIN prefix and let pglens add its options';
    case 'RefreshMatViewStmt':
      return 'REFRESH MATERIALIZED VIEW has no plan — explain the view\'s defining query instead';
    case 'CallStmt':
      return 'CALL has no plan — explain the statements inside the procedure instead';
  }
  if (EXPLAINABLE_KINDS.has(kind)) return undefined;
  return `${describeKind(kind)} has no plan: Postgres explains only SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, EXECUTE, DECLARE and CREATE TABLE AS`;
}

/** 'AlterTableStmt' → 'ALTER TABLE', a readable name for refusals. */
function describeKind(kind: string): string {
  return kind
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

function maxParam(node: unknown): number {
  let max = 0;
  visitNodes(node, (type, body) => {
    if (type === 'ParamRef' && typeof body.number === 'number') max = Math.max(max, body.number);
  });
  return max;
}

function nonTransactionalCall(node: unknown): string | undefined {
  let found: string | undefined;
  visitNodes(node, (type, body) => {
    if (found || type !== 'FuncCall' || !Array.isArray(body.funcname)) return;
    const parts = body.funcname as { String?: { sval?: string } }[];
    const name = parts[parts.length - 1]?.String?.sval?.toLowerCase();
    if (name && NON_TRANSACTIONAL_FUNCTIONS.has(name)) found = name;
  });
  return found;
}

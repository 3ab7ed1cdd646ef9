import { EXPLAINABLE_KINDS } from '../sql/explain-targets';
import { walkNodes, walkNodesOf } from '../sql/ast';
import { loadSqlParser } from '../sql/parse';
import { parseStatements } from '../sql/parse-statements';
import { SqlSyntaxError } from '../sql/syntax-error';

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
  /**
   * The statement writes (INSERT/UPDATE/DELETE/MERGE anywhere, also in a CTE), locks rows
   * (FOR UPDATE/SHARE) or creates a table: ANALYZE of anything else runs READ ONLY.
   */
  writes?: boolean;
  /** The statement's parse tree, for resolving what it calls (`analyzeCalls`). */
  ast?: unknown;
}


export async function classifyForExplain(sql: string): Promise<ExplainSafety> {
  await loadSqlParser();
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
  const analyzed = { ...base, paramCount, explainAllowed: true, writes: writes(stmt.node), ast: stmt.node };
  if (stmt.kind === 'ExecuteStmt') {
    return { ...analyzed, analyzeAllowed: false, reason: 'EXECUTE runs a prepared statement whose text pglens cannot inspect' };
  }
  return { ...analyzed, analyzeAllowed: true };
}

const WRITING_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'CreateTableAsStmt', 'LockingClause']);

function writes(node: unknown): boolean {
  let found = false;
  walkNodes(node, (type, body) => {
    // SELECT … INTO creates a table.
    if (WRITING_NODES.has(type) || (type === 'SelectStmt' && body.intoClause)) found = true;
  });
  return found;
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
  walkNodesOf(node, 'ParamRef', (param) => {
    if (typeof param.number === 'number') max = Math.max(max, param.number);
  });
  return max;
}

/**
 * The advisor's first stage: the statement passes Explain's checks, its parameter values are
 * counted, and the verification method and the databases it runs on are chosen.
 */
import type { Connection } from '../db/connection';
import { classifyForExplain, type ExplainSafety } from '../db/explain-safety';
import { PglensError } from '../errors';
import { loadSqlParser, parseSql } from '../sql/parse';
import type { Statement } from '../sql/statement';
import { collectScopes, type QueryScope } from './predicates';
import type { AdviseOptions, VerifyMethod } from './types';

/** The user's statement and its parameter values, always sent as one statement through the extended protocol. */
export interface Planned {
  sql: string;
  params: (string | null)[];
}

/** A statement the advisor may work on, with how and where it is verified. */
export interface CheckedStatement {
  safety: ExplainSafety;
  statement: Statement;
  scopes: QueryScope[];
  planned: Planned;
  method: VerifyMethod;
  /** The database advised on, with the advisor's timeout on the sandbox. */
  conn: Connection;
  /** The embedded sandbox for what the database cannot try, when one is given. */
  sandbox: Connection | undefined;
}

/** Stage 1: the same checks as Explain, the parameter values, and the verification method. */
export async function checkStatement(conn: Connection, sql: string, options: AdviseOptions): Promise<CheckedStatement> {
  await loadSqlParser();
  const safety = await classifyForExplain(sql);
  if (safety.syntaxError) throw new PglensError('syntax-error', `syntax error: ${safety.syntaxError.message}`, 'fix the statement and try again', safety.syntaxError.position);
  if (!safety.explainAllowed || safety.statement === undefined) {
    throw new PglensError('refused', `pglens will not advise on this statement: ${safety.reason}`, 'pass one SELECT, UPDATE or DELETE');
  }
  const parsed = parseSql(safety.statement);
  if (parsed.errors.length > 0 || parsed.statements.length !== 1) throw new PglensError('bad-input', 'expected one statement', 'pass exactly one statement');
  const statement = parsed.statements[0];
  const scopes = collectScopes(statement.ast);
  if (scopes.length === 0) throw new PglensError('bad-input', `${statement.kind} reads no table that an index could serve`, 'advise works on SELECT, UPDATE and DELETE');
  const paramCount = safety.paramCount ?? 0;
  const values = options.params ?? [];
  if (values.length < paramCount) {
    throw new PglensError('bad-input', `the statement uses $1…$${paramCount} but ${values.length} value(s) were given`, 'pass a value for every parameter (--param, in order)');
  }
  const planned: Planned = { sql: safety.statement, params: values.slice(0, paramCount) };

  const method: VerifyMethod = options.method ?? (conn.kind === 'embedded' ? 'sandbox' : 'hypopg');
  // Building a real index on a server holds a SHARE lock on the table for the whole build (writes
  // wait), and ANALYZE would run the statement there: a server is only ever tested with HypoPG.
  if (method === 'sandbox' && conn.kind !== 'embedded') {
    throw new PglensError(
      'refused',
      'the sandbox method builds real indexes, and pglens never builds a real index on a server to test it',
      'drop --method sandbox to verify with HypoPG, or add --embedded to verify on the sandbox',
    );
  }
  const given = options.sandbox && options.sandbox.kind === 'embedded' && options.sandbox !== conn ? options.sandbox : undefined;
  const sandbox = given ? withTimeout(given, options.timeoutMs) : undefined;
  return { safety, statement, scopes, planned, method, conn: withTimeout(conn, options.timeoutMs), sandbox };
}

/**
 * On the embedded sandbox, which enforces no statement_timeout: each advisor statement may run
 * `timeoutMs` at most; then the sandbox process is ended (restarted from its cache) and the
 * statement fails with a timeout. A server's session has its statement_timeout instead.
 */
function withTimeout(conn: Connection, timeoutMs: number | undefined): Connection {
  if (conn.kind !== 'embedded' || timeoutMs === undefined || !(timeoutMs > 0)) return conn;
  const seconds = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
  const timed = <T>(work: () => Promise<T>, sql: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const what = sql.replace(/\s+/g, ' ').trim();
        reject(
          new PglensError(
            'timeout',
            `an advisor statement ran longer than the timeout (${seconds}) on the embedded sandbox, which was ended and restarted: ${what.length > 80 ? `${what.slice(0, 80)}…` : what}`,
            'raise --timeout, advise on less sandbox data (--scale), or on a server with HypoPG',
          ),
        );
        void conn.cancel().catch(() => undefined);
      }, timeoutMs);
      work().then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  return {
    kind: conn.kind,
    label: conn.label,
    query: (sql, params) => timed(() => conn.query(sql, params), sql),
    queryOne: (sql, params) => timed(() => conn.queryOne(sql, params), sql),
    explain: (sql, options) => conn.explain(sql, options),
    cancel: () => conn.cancel(),
    close: () => conn.close(),
    serverVersion: () => conn.serverVersion(),
  };
}

import { PglensError } from '../errors';
import { redactSecrets } from './redact';

/**
 * Turns what `pg` or PGlite throw into a PglensError naming the cause and the next step.
 * Shared by PgConnection, the explain runner and the sandbox process.
 */
export interface DbErrorContext {
  /** `host:port/database` of the server, for connection errors. Never contains a password. */
  target?: string;
  user?: string;
  database?: string;
  /** Characters of pglens's own text (e.g. `EXPLAIN (…) `) before the user's statement in what was sent. */
  prefixLength?: number;
  /** Character offset of the statement in the user's text, added to positions. */
  statementOffset?: number;
  /** Set when the user asked to cancel, so a 57014 reads as a cancellation, not a timeout. */
  cancelRequested?: boolean;
  timeoutMs?: number;
}

interface DriverError {
  code?: string;
  message?: string;
  hint?: string;
  position?: string | number;
  detail?: string;
}

export const TIMEOUT_HINT =
  'raise pglens.explain.statementTimeout (editor) or --timeout SECONDS (CLI), or explain without ANALYZE';

export function toPglensError(e: unknown, ctx: DbErrorContext = {}): PglensError {
  if (e instanceof PglensError) return e;
  const err = (e ?? {}) as DriverError;
  const code = err.code;
  // A driver or network error may quote the connection string; a server's SQL error is about the user's SQL.
  const message = isSqlState(code) ? (err.message ?? String(e)) : redactSecrets(err.message ?? String(e));
  const target = ctx.target ?? 'the server';
  switch (code) {
    case 'ECONNREFUSED':
      return new PglensError('connection-refused', `could not connect to ${target}: connection refused`, 'is the server running? check host/port');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new PglensError('connection-failed', `could not connect to ${target}: host not found`, 'check the host name in the connection or URL');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new PglensError('connection-failed', `could not connect to ${target}: ${code === 'ETIMEDOUT' ? 'timed out' : 'host unreachable'}`, 'check host/port, VPN and firewall');
    case 'ECONNRESET':
    case 'EPIPE':
      return new PglensError('connection-failed', `the connection to ${target} was lost`, 'check the server and run the command again');
    case '28P01':
    case '28000':
      return new PglensError(
        'auth-failed',
        `authentication failed for user "${ctx.user ?? '?'}" on ${target}`,
        code === '28P01' ? 'check the user and password' : 'check the user and the server\'s pg_hba.conf rules',
      );
    case '3D000':
      return new PglensError('unknown-database', `database "${ctx.database ?? '?'}" does not exist on ${target}`, 'check the database name, or create it with createdb');
    case '57014':
      return ctx.cancelRequested
        ? new PglensError('cancelled', 'the statement was cancelled', 'run it again when ready')
        : new PglensError('timeout', `the statement ran longer than the statement timeout${ctx.timeoutMs ? ` (${formatSeconds(ctx.timeoutMs)})` : ''} and was cancelled`, TIMEOUT_HINT);
  }
  // `pg` throws this itself, with no code, when a SCRAM server asks for a password and none was given:
  // it is an authentication failure (the editor answers it by asking for the password).
  if (/^SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a (non-empty )?string/.test(message)) {
    return new PglensError(
      'auth-failed',
      `the server ${target} asks a password for user "${ctx.user ?? '?'}" and none was given`,
      'give it in the URL, PGPASSWORD or ~/.pgpass (the editor asks for it and keeps it in SecretStorage)',
    );
  }
  if (/timeout expired|connection timeout|timed out/i.test(message) && !isSqlState(code)) {
    return new PglensError('connection-failed', `could not connect to ${target}: timed out`, 'check host/port, VPN and firewall');
  }
  if (isSqlState(code)) {
    const position = mapPosition(err.position, ctx);
    if (code === '42601') {
      return new PglensError('syntax-error', message, 'fix the statement at the marked position', position);
    }
    const hint = err.hint ?? (code.startsWith('08') ? 'check the server and run the command again' : 'fix the statement and try again');
    return new PglensError('sql-error', `${message} (SQLSTATE ${code})`, hint, position);
  }
  if (/terminated|not queryable|closed/i.test(message)) {
    return new PglensError('connection-failed', `the connection to ${target} was lost: ${message}`, 'check the server and run the command again');
  }
  return new PglensError('connection-failed', `${target}: ${message}`, 'check the connection settings and the server');
}

function isSqlState(code: string | undefined): code is string {
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code);
}

/** Postgres positions are 1-based characters in what was sent; ours are 0-based in the user's text. */
function mapPosition(position: string | number | undefined, ctx: DbErrorContext): number | undefined {
  if (position === undefined || position === '') return undefined;
  const p = Number(position) - 1 - (ctx.prefixLength ?? 0);
  if (!Number.isFinite(p) || p < 0) return undefined;
  return p + (ctx.statementOffset ?? 0);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

import { ensureParser, parseStatements } from '../../db/pg-parser';
import { ONE_STRING_RUNNERS, type MigrationPart, type RunnerId, type TransactionMode } from '../migration';
import type { QueryRows } from './types';

/**
 * A database session verification runs migrations on: the embedded PGlite or a disposable
 * server database. `exec` sends a text as ONE simple-protocol string (several statements are
 * one implicit transaction, as when a runner sends a file whole).
 */
export interface SqlSession {
  exec(sql: string): Promise<void>;
  query: QueryRows;
  /** Whether a transaction block is open (after an error inside BEGIN, before ROLLBACK). */
  inTransaction(): Promise<boolean>;
  close(): Promise<void>;
}

/** Where and why a part failed: Postgres's message, at a line of the part's file. */
export interface PartFailure {
  message: string;
  /** SQLSTATE, when Postgres gave one. */
  code?: string;
  file: string;
  /** 1-based line in the file. */
  line: number;
}

interface PgError {
  message: string;
  code?: string;
  position?: string;
}

/**
 * Applies one part (an up or a down) as its runner does: in one transaction, statement by
 * statement (autocommit), or, for a runner that sends the file whole, as one string. drizzle's
 * all-pending transaction is one transaction per migration here: verification applies them
 * one at a time. Returns the failure, the session left outside any transaction.
 */
export async function applyPart(session: SqlSession, part: MigrationPart, mode: TransactionMode, runner: RunnerId): Promise<PartFailure | undefined> {
  const text = part.text;
  if (!text.trim()) return undefined;
  if (mode === 'none' && !ONE_STRING_RUNNERS.has(runner)) return statementByStatement(session, part);
  if (mode === 'none' || hasTransactionControl(text)) return asOneString(session, part);
  try {
    await session.exec('BEGIN');
    await session.exec(text);
    await session.exec('COMMIT');
    return undefined;
  } catch (e) {
    await rollback(session);
    return failureAt(part, e as PgError, 0);
  }
}

/**
 * Whether a part can run inside a transaction the verifier opens (as a savepoint): it does not
 * open or end one of its own, and it runs in one transaction anyway or holds nothing that
 * cannot. Then up,
 * down and the second up run between savepoints, and a failure rolls back to the state after
 * the first up instead of rebuilding the database.
 */
export function nestable(text: string, mode: TransactionMode): boolean {
  return !hasTransactionControl(text) && (mode !== 'none' || !needsAutocommit(text));
}

/**
 * Statements Postgres refuses inside a transaction block: a part holding one must run as its
 * runner runs it. An autocommit part without any runs the same inside a savepoint (but for how
 * much of it a failure leaves behind, which verification reports either way).
 */
function needsAutocommit(text: string): boolean {
  return /\b(CONCURRENTLY|VACUUM|CREATE\s+DATABASE|DROP\s+DATABASE|ALTER\s+SYSTEM|REINDEX\s+(SCHEMA|DATABASE|SYSTEM)|CREATE\s+TABLESPACE|DROP\s+TABLESPACE|ADD\s+VALUE)\b/i.test(text);
}

/** Applies a nestable part inside the open transaction, as one savepoint: all of it, or nothing. */
export async function applyNested(session: SqlSession, part: MigrationPart, savepoint: string): Promise<PartFailure | undefined> {
  if (!part.text.trim()) return undefined;
  await session.exec(`SAVEPOINT ${savepoint}`);
  try {
    await session.exec(part.text);
    await session.exec(`RELEASE SAVEPOINT ${savepoint}`);
    return undefined;
  } catch (e) {
    await session.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    await session.exec(`RELEASE SAVEPOINT ${savepoint}`);
    return failureAt(part, e as PgError, 0);
  }
}

/** The part as one string: an implicit transaction when it holds several statements (its own BEGIN/COMMIT work as written). */
async function asOneString(session: SqlSession, part: MigrationPart): Promise<PartFailure | undefined> {
  try {
    await session.exec(part.text);
    return undefined;
  } catch (e) {
    await rollback(session);
    return failureAt(part, e as PgError, 0);
  }
}

async function statementByStatement(session: SqlSession, part: MigrationPart): Promise<PartFailure | undefined> {
  await ensureParser();
  let statements;
  try {
    statements = parseStatements(part.text);
  } catch (e) {
    return { message: `the migration does not parse: ${(e as Error).message}`, file: part.file, line: part.line + 1 };
  }
  for (const s of statements) {
    try {
      await session.exec(s.text);
    } catch (e) {
      await rollback(session);
      return failureAt(part, e as PgError, s.offset);
    }
  }
  return undefined;
}

/** sqitch scripts and some hand-written migrations open their own transaction. */
function hasTransactionControl(text: string): boolean {
  // At the start of a line or after a ';' (a plpgsql body's BEGIN … END; counts too: conservative).
  return /(^|;)\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ABORT|ROLLBACK|PREPARE\s+TRANSACTION)\b[^;]*;/im.test(text);
}

async function rollback(session: SqlSession): Promise<void> {
  if (await session.inTransaction().catch(() => false)) await session.exec('ROLLBACK').catch(() => undefined);
}

function failureAt(part: MigrationPart, e: PgError, statementOffset: number): PartFailure {
  const p = Number(e.position);
  const at = e.position && Number.isFinite(p) && p >= 1 ? statementOffset + p - 1 : statementOffset;
  let line = part.line + 1;
  for (let i = 0; i < at && i < part.text.length; i++) if (part.text.charCodeAt(i) === 10) line++;
  return { message: e.message, ...(e.code && { code: e.code }), file: part.file, line };
}

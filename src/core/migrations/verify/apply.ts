import { loadSqlParser } from '../../sql/parse';
import { parseStatements } from '../../sql/parse-statements';
import { lexTokens, splitTokens } from '../../sql/tokens';
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
  /**
   * Cancels the statement running in this session (a server: pg_cancel_backend from another
   * connection); it then fails with SQLSTATE 57014. Absent where nothing can interrupt a
   * statement (PGlite runs it in this process's thread: its parent ends the process instead).
   */
  cancel?(): Promise<void>;
  /** Where a statement pglens did not run is said (see `withoutClientEncoding`), at a file (as the migration names it) and 1-based line. */
  note?(message: string, at?: { file: string; line: number }): void;
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
  const text = runnable(session, part);
  if (!text.trim()) return undefined;
  if (mode === 'none' && !ONE_STRING_RUNNERS.has(runner)) return statementByStatement(session, part, text);
  if (mode === 'none' || hasTransactionControl(text)) return asOneString(session, part, text);
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
  const text = runnable(session, part);
  await session.exec(`SAVEPOINT ${savepoint}`);
  try {
    await session.exec(text);
    await session.exec(`RELEASE SAVEPOINT ${savepoint}`);
    return undefined;
  } catch (e) {
    await session.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    await session.exec(`RELEASE SAVEPOINT ${savepoint}`);
    return failureAt(part, e as PgError, 0);
  }
}

/** The part as one string: an implicit transaction when it holds several statements (its own BEGIN/COMMIT work as written). */
async function asOneString(session: SqlSession, part: MigrationPart, text: string): Promise<PartFailure | undefined> {
  try {
    await session.exec(text);
    return undefined;
  } catch (e) {
    await rollback(session);
    return failureAt(part, e as PgError, 0);
  }
}

async function statementByStatement(session: SqlSession, part: MigrationPart, text: string): Promise<PartFailure | undefined> {
  await loadSqlParser();
  let statements;
  try {
    statements = parseStatements(text);
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

/**
 * The part's text as verification sends it: `SET client_encoding` / `SET NAMES` to anything but
 * UTF-8 blanked out (see `withoutClientEncoding`), each such statement said once through the
 * session's `note`.
 */
function runnable(session: SqlSession, part: MigrationPart): string {
  const { text, removed } = withoutClientEncoding(part.text);
  for (const r of removed) {
    let line = part.line + 1;
    for (let i = 0; i < r.offset; i++) if (part.text.charCodeAt(i) === 10) line++;
    session.note?.(
      `\`${r.statement}\` is not run: pglens reads migration files as UTF-8 and sends them to the database as UTF-8, ` +
        'and another client encoding would garble what it reads back (the embedded PGlite stops answering altogether)',
      { file: part.file, line },
    );
  }
  return text;
}

/**
 * `SET [SESSION | LOCAL] client_encoding {TO | =} x` and `SET NAMES x` with x not UTF-8 (nor
 * DEFAULT), replaced by `SELECT 1` padded with blanks: the same length and the same line
 * breaks, so positions in Postgres's errors and the statement count stay as in the file. The
 * setting only tells the server how the client encodes its text; pglens always reads the file
 * as UTF-8 and sends UTF-8, so the statement has nothing to do here — and PGlite, which speaks
 * only UTF-8 to its host, answers wrongly and then hangs after one.
 */
export function withoutClientEncoding(text: string): { text: string; removed: Array<{ offset: number; statement: string }> } {
  if (!/client_encoding|\bnames\b/i.test(text)) return { text, removed: [] };
  const tokens = lexTokens(text).filter((t) => t.kind !== 'comment');
  const removed: Array<{ offset: number; statement: string }> = [];
  let out = text;
  for (const [from, to] of splitTokens(tokens)) {
    const s = tokens.slice(from, to).filter((t) => !(t.kind === 'punct' && t.text === ';'));
    if (s[0]?.word !== 'SET') continue;
    let k = 1;
    if (s[k]?.word === 'SESSION' || s[k]?.word === 'LOCAL') k++;
    let value;
    if (s[k]?.word === 'NAMES') value = s.slice(k + 1);
    else if (s[k]?.word === 'CLIENT_ENCODING' && (s[k + 1]?.word === 'TO' || s[k + 1]?.text === '=')) value = s.slice(k + 2);
    else continue;
    const v = value.map((t) => (t.kind === 'string' ? t.text.replace(/^[Ee]?'|'$/g, '') : t.text)).join('').toLowerCase();
    if (v === '' || /^(utf-?8|unicode|default)$/.test(v)) continue;
    const start = s[0].start;
    const end = s[s.length - 1].end;
    const span = text.slice(start, end);
    const breaks = (span.match(/\r\n|\r|\n/g) ?? []).join('');
    out = out.slice(0, start) + 'SELECT 1' + ' '.repeat(span.length - 8 - breaks.length) + breaks + out.slice(end);
    removed.push({ offset: start, statement: text.slice(start, end).replace(/\s+/g, ' ') });
  }
  return { text: out, removed };
}

import { parseSync } from './pg-query';
import { createLineIndex } from './line-index';
import { scannerInput, UNTERMINATED_COMMENT } from './scanner-input';
import { SqlSyntaxError } from './syntax-error';

/**
 * Statement splitting for code that runs SQL rather than lints it (the sandbox, EXPLAIN's
 * safety check, rollback verification): the input must parse as a whole, and the parser's
 * UTF-8 byte offsets become character offsets. Load the parser first (`loadSqlParser`).
 */
export interface ParsedStatement {
  /** The statement text, without the trailing semicolon. */
  text: string;
  /** Character offset of `text` in the input. */
  offset: number;
  /** libpg-query node, e.g. `{ SelectStmt: {...} }`. */
  node: Record<string, unknown>;
  /** Node type, e.g. 'SelectStmt'. */
  kind: string;
}

function syntaxError(sql: string, message: string, position: number | undefined): SqlSyntaxError {
  const at = position ?? 0;
  return new SqlSyntaxError(message, createLineIndex(sql).rangeOf(at, at), position);
}

/** Parses `sql` (the parser loaded: `loadSqlParser`). Throws SqlSyntaxError on a syntax error. */
export function parseStatements(sql: string): ParsedStatement[] {
  const bytes = Buffer.from(sql, 'utf8');
  const input = scannerInput(sql);
  if (input.openCommentAt !== undefined) throw syntaxError(sql, UNTERMINATED_COMMENT, input.openCommentAt);
  let result: { stmts?: { stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[] };
  try {
    result = parseSync(input.text) as unknown as typeof result;
  } catch (e) {
    const details = (e as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const cursor = details?.cursorPosition;
    // libpg-query's cursorPosition is already a 0-based character offset.
    throw syntaxError(sql, (e as Error).message, cursor === undefined || cursor < 0 ? undefined : Math.min(cursor, sql.length));
  }
  return (result.stmts ?? []).map((s) => {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : bytes.length;
    const raw = bytes.subarray(start, end).toString('utf8');
    const leading = raw.length - raw.trimStart().length;
    return {
      text: raw.trim(),
      offset: charOffset(bytes, start) + leading,
      node: s.stmt,
      kind: Object.keys(s.stmt)[0] ?? 'Unknown',
    };
  });
}

function charOffset(bytes: Buffer, byteOffset: number): number {
  return bytes.subarray(0, byteOffset).toString('utf8').length;
}

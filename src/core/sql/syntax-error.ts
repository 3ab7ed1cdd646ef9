import type { SourceRange } from '../types';

/**
 * SQL that Postgres's grammar rejects: its message and where it pointed. `parseSql` returns
 * these in `ParsedSql.errors` (one per statement that fails, the rest still parsed);
 * `parseStatements` throws one for input that does not parse as a whole.
 */
export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    /** The token Postgres pointed at (or the failing statement's start). */
    readonly range: SourceRange,
    /** 0-based character offset Postgres pointed at; undefined when it gave none. */
    readonly position: number | undefined = range.startOffset,
  ) {
    super(message);
    this.name = 'SqlSyntaxError';
  }
}

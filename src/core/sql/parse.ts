import { loadModule, parseSync } from './pg-query';
import { PglensError } from '../errors';
import type { SourceRange } from '../types';
import { advanceCodePoints, createByteOffsets, type ByteOffsets } from './byte-offsets';
import { createLineIndex, type LineIndex } from './line-index';
import type { AstNode, ParsedSql, Statement } from './statement';
import { SqlSyntaxError } from './syntax-error';
import { lexTokens, scanTokens, splitTokens, type SqlToken } from './tokens';
import { scannerInput, UNTERMINATED_COMMENT } from './scanner-input';

/** A parsed file: the shared ParsedSql plus what was needed to compute its ranges. */
export interface ParsedSqlFile extends ParsedSql {
  text: string;
  lineIndex: LineIndex;
  statements: SqlStatement[];
}

let loaded: Promise<void> | undefined;
let ready = false;

/** Loads the WASM parser once; every later call returns the same promise. */
export function loadSqlParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

export function isSqlParserLoaded(): boolean {
  return ready;
}

/** PL/pgSQL's own parse of a `CREATE FUNCTION … LANGUAGE plpgsql` (the parser loaded first). */
export { parsePlPgSqlSync } from './pg-query';

interface PgStmt {
  stmt?: AstNode;
  stmt_location?: number;
  stmt_len?: number;
}

interface PgErrorDetails {
  message: string;
  cursorPosition: number;
}

/** File-level data every statement of one parse shares. */
interface FileContext {
  /** The text parsed: the whole file, or one part of it (a span parse) starting at `textOffset`. */
  text: string;
  /** File offset of `text`'s first character (0 but for a span parse). */
  textOffset?: number;
  /** What libpg-query is given instead of `text` (scanner-input.ts): same offsets. */
  scanText: string;
  /** Start of an unterminated block comment, which runs to the end of the file. */
  openCommentAt: number | undefined;
  bytes: ByteOffsets;
  lines: LineIndex;
}

export class SqlStatement implements Statement {
  private tokenCache: SqlToken[] | undefined;

  constructor(
    private readonly file: FileContext,
    readonly text: string,
    readonly range: SourceRange,
    readonly ast: AstNode | undefined,
    readonly kind: string,
    readonly index: number,
    /** Byte offset in the file that the AST's `location`s count from. */
    private readonly astByteBase: number,
  ) {}

  /** Lexical tokens of this statement (file offsets), lexed on first use. */
  tokens(): SqlToken[] {
    this.tokenCache ??= lexTokens(this.text, this.range.startOffset);
    return this.tokenCache;
  }

  withoutAst(): SqlStatement {
    if (!this.ast) return this;
    const copy = new SqlStatement(this.file, this.text, this.range, undefined, this.kind, this.index, this.astByteBase);
    copy.tokenCache = this.tokenCache;
    return copy;
  }

  /** File character offset of an AST byte location (-1, meaning "unknown", maps to the statement start). */
  offsetOf(byteLocation: number | undefined): number {
    if (byteLocation !== undefined && byteLocation < 0) return this.range.startOffset;
    const offset = this.file.bytes.toChar(this.astByteBase + (byteLocation ?? 0));
    return Math.max(this.range.startOffset, Math.min(offset, this.range.endOffset));
  }

  locate(byteLocation: number | undefined, byteLength?: number): SourceRange {
    const start = this.offsetOf(byteLocation);
    if (byteLength !== undefined && byteLocation !== undefined && byteLocation >= 0) {
      const end = this.file.bytes.toChar(this.astByteBase + byteLocation + byteLength);
      return this.file.lines.rangeOf(start, Math.min(end, this.range.endOffset));
    }
    const token = this.tokenAt(start);
    return this.file.lines.rangeOf(start, token ? token.end : this.range.endOffset);
  }

  constructRange(byteLocation: number | undefined): SourceRange {
    const start = this.offsetOf(byteLocation);
    return this.file.lines.rangeOf(start, this.constructEnd(start));
  }

  /** End offset of the construct starting at `start`: before a top-level ',' or an unmatched ')'. */
  constructEnd(start: number): number {
    const tokens = this.tokens();
    let depth = 0;
    let end = start;
    for (const t of tokens) {
      if (t.start < start || t.kind === 'comment') continue;
      if (t.kind === 'punct') {
        if (t.text === '(' || t.text === '[') depth++;
        else if (t.text === ')' || t.text === ']') {
          if (depth === 0) break;
          depth--;
        } else if ((t.text === ',' || t.text === ';') && depth === 0) break;
      }
      end = t.end;
    }
    return Math.max(end, start);
  }

  /** The token starting at or containing a file offset. */
  tokenAt(offset: number): SqlToken | undefined {
    const tokens = this.tokens();
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = tokens[mid];
      if (t.end <= offset) lo = mid + 1;
      else if (t.start > offset) hi = mid - 1;
      else return t;
    }
    return tokens[lo];
  }

  /** Range between two file offsets. */
  rangeOf(startOffset: number, endOffset: number): SourceRange {
    return this.file.lines.rangeOf(startOffset, endOffset);
  }
}

function requireLoaded(): void {
  if (!ready) {
    throw new PglensError(
      'bad-input',
      'The SQL parser is not loaded yet',
      'await loadSqlParser() once before calling parseSql()',
    );
  }
}

function errorDetails(e: unknown): PgErrorDetails {
  const details = (e as { sqlDetails?: PgErrorDetails }).sqlDetails;
  if (details) return details;
  return { message: e instanceof Error ? e.message : String(e), cursorPosition: 0 };
}

/** Files at least this long are re-parsed statement by statement when most statements are unchanged (the editor re-lints on each keystroke). */
const INCREMENTAL_MIN_LENGTH = 16 * 1024;
const STATEMENT_CACHE_LIMIT = 20_000;

/** A parsed statement by its exact text; `locDelta` turns its AST locations into offsets from its own start. */
interface CachedStatement {
  ast: AstNode;
  kind: string;
  locDelta: number;
}

const statementCache = new Map<string, CachedStatement>();

function remember(text: string, entry: CachedStatement): void {
  statementCache.set(text, entry);
  if (statementCache.size > STATEMENT_CACHE_LIMIT) statementCache.delete(statementCache.keys().next().value as string);
}

export interface ParseOptions {
  /**
   * Parse only `text.slice(offset, offset + length)` (one migration part of a file: a Liquibase
   * changeset, a goose section), with the whole file's offsets, lines and columns. Each part
   * costs its own length, not the file's: a file of thousands of changesets stays linear.
   */
  span?: { offset: number; text: string };
  /**
   * Remember a large file's statements, so that parsing it again after an edit re-parses only
   * the statements that changed (the editor). Default true; a one-shot run (the CLI) passes
   * false: it parses each file once, and what it kept would only cost garbage collection time.
   */
  cache?: boolean;
}

/**
 * Parses a whole SQL file with Postgres's grammar. Never throws on bad SQL: each statement
 * that fails to parse yields one syntax error at Postgres's cursor position (and an
 * 'Invalid' statement), and the statements around it are still parsed.
 */
export function parseSql(text: string, options: ParseOptions = {}): ParsedSqlFile {
  requireLoaded();
  if (options.span && (options.span.offset > 0 || options.span.text.length < text.length)) {
    const { offset, text: part } = options.span;
    const parsed = parseSpan(text, offset, part);
    if (parsed) return parsed;
    // Errors in the part: parse the file with everything outside the part blanked (offsets kept), as the error path needs.
    const blank = (t: string): string => t.replace(/[^\n\r]+/g, (run) => ' '.repeat(run.length));
    return parseSql(blank(text.slice(0, offset)) + part + blank(text.slice(offset + part.length)), { cache: options.cache });
  }
  const input = scannerInput(text);
  const file: FileContext = { text, scanText: input.text, openCommentAt: input.openCommentAt, bytes: createByteOffsets(text), lines: createLineIndex(text) };
  const large = options.cache !== false && text.length >= INCREMENTAL_MIN_LENGTH;
  // Nothing cached, nothing to reuse (a CLI run's first sight of each file): skip lexing the whole file.
  if (large && statementCache.size > 0 && file.openCommentAt === undefined) {
    const incremental = parseByStatement(file, lexTokens(text), true);
    if (incremental) return incremental;
  }
  let stmts: PgStmt[] | undefined;
  // A file with an unterminated comment cannot parse whole: straight to statement by statement.
  if (file.openCommentAt === undefined) {
    try {
      stmts = (parseSync(file.scanText) as { stmts?: PgStmt[] }).stmts ?? [];
    } catch {
      stmts = undefined;
    }
  }
  if (stmts) {
    const statements: SqlStatement[] = [];
    for (const s of stmts) {
      const statement = addStatement(file, statements, s, 0, file.bytes.byteLength);
      if (large) remember(statement.text, { ast: statement.ast!, kind: statement.kind, locDelta: -file.bytes.toByte(statement.range.startOffset) });
    }
    return { text, lineIndex: file.lines, statements, errors: [] };
  }
  // Only for files with errors: split with Postgres's scanner and parse each statement alone.
  return parseByStatement(file, scanTokens(file.scanText), false)!;
}

/** Line indexes of the last few files parsed by span: every part of a file shares its file's. */
const spanLines = new Map<string, LineIndex>();

/**
 * Parses `part` (the text at `offset` of the file `text`, with the same line breaks there; some
 * of it may be blanked) when it parses cleanly; undefined when it has errors (the caller takes
 * the slow path). Bytes count within the part, offsets and lines are the file's.
 */
function parseSpan(text: string, offset: number, part: string): ParsedSqlFile | undefined {
  let lines = spanLines.get(text);
  if (!lines) {
    spanLines.set(text, (lines = createLineIndex(text)));
    if (spanLines.size > 4) spanLines.delete(spanLines.keys().next().value as string);
  }
  const input = scannerInput(part);
  if (input.openCommentAt !== undefined) return undefined;
  let stmts: PgStmt[];
  try {
    stmts = (parseSync(input.text) as { stmts?: PgStmt[] }).stmts ?? [];
  } catch {
    return undefined;
  }
  const own = createByteOffsets(part);
  const bytes: ByteOffsets = {
    byteLength: own.byteLength,
    toChar: (b) => offset + own.toChar(b),
    toByte: (c) => own.toByte(Math.max(0, c - offset)),
  };
  const file: FileContext = { text: part, textOffset: offset, scanText: part, openCommentAt: undefined, bytes, lines };
  const statements: SqlStatement[] = [];
  for (const s of stmts) addStatement(file, statements, s, 0, own.byteLength);
  return { text, lineIndex: lines, statements, errors: [] };
}

/**
 * Parses statement by statement, reusing the cached parse of unchanged statements. With
 * `optimistic`, gives up (undefined) when few statements are cached or one fails to parse:
 * the whole-file parse is then both faster and the authority on errors.
 */
function parseByStatement(file: FileContext, tokens: SqlToken[], optimistic: boolean): ParsedSqlFile | undefined {
  const { text, openCommentAt } = file;
  const chunks: Array<{ start: number; end: number; openCommentAt?: number }> = [];
  // Whether the last statement runs to the end of the tokens, no ';' after it.
  let lastUnended = false;
  for (const [from, to] of splitTokens(tokens)) {
    let first = from;
    while (first < to && tokens[first].kind === 'comment') first++;
    let last = to - 1;
    while (last > first && tokens[last].kind === 'comment') last--;
    if (first >= to) continue;
    chunks.push({ start: tokens[first].start, end: tokens[last].end });
    lastUnended = to === tokens.length;
  }
  if (openCommentAt !== undefined) {
    // The comment runs to the end of the file: a statement of its own, or the end of the one it interrupts.
    const end = text.trimEnd().length;
    if (lastUnended) Object.assign(chunks[chunks.length - 1], { end, openCommentAt });
    else chunks.push({ start: openCommentAt, end, openCommentAt });
  }
  if (optimistic) {
    let hits = 0;
    for (const c of chunks) if (statementCache.has(text.slice(c.start, c.end))) hits++;
    if (hits * 2 < chunks.length) return undefined;
  }
  const statements: SqlStatement[] = [];
  const errors: SqlSyntaxError[] = [];
  for (const { start, end, openCommentAt: commentAt } of chunks) {
    const chunk = text.slice(start, end);
    const chunkByteStart = file.bytes.toByte(start);
    if (commentAt !== undefined) {
      statements.push(new SqlStatement(file, chunk, file.lines.rangeOf(start, end), undefined, 'Invalid', statements.length, chunkByteStart));
      errors.push(new SqlSyntaxError(UNTERMINATED_COMMENT, file.lines.rangeOf(commentAt, commentAt + 2)));
      continue;
    }
    const cached = statementCache.get(chunk);
    if (cached) {
      // Re-inserted so the LRU keeps what the editor is looking at.
      statementCache.delete(chunk);
      statementCache.set(chunk, cached);
      statements.push(new SqlStatement(file, chunk, file.lines.rangeOf(start, end), cached.ast, cached.kind, statements.length, chunkByteStart + cached.locDelta));
      continue;
    }
    try {
      const parsed = (parseSync(file.scanText.slice(start, end)) as { stmts?: PgStmt[] }).stmts ?? [];
      if (optimistic && parsed.length !== 1) return undefined;
      for (const s of parsed) {
        const statement = addStatement(file, statements, s, chunkByteStart, file.bytes.toByte(end) - chunkByteStart);
        if (parsed.length === 1 && statement.text === chunk) {
          remember(chunk, { ast: statement.ast!, kind: statement.kind, locDelta: chunkByteStart - file.bytes.toByte(statement.range.startOffset) });
        }
      }
    } catch (e) {
      if (optimistic) return undefined;
      const details = errorDetails(e);
      const at = advanceCodePoints(text, start, details.cursorPosition);
      const statement = new SqlStatement(file, chunk, file.lines.rangeOf(start, end), undefined, 'Invalid', statements.length, chunkByteStart);
      statements.push(statement);
      errors.push(new SqlSyntaxError(details.message, errorRange(statement, at)));
    }
  }
  return { text, lineIndex: file.lines, statements, errors };
}

/** The token Postgres pointed at; at the end of input, the last token. */
function errorRange(statement: SqlStatement, at: number): SourceRange {
  const tokens = statement.tokens().filter((t) => t.kind !== 'comment');
  const token = tokens.find((t) => t.end > at) ?? tokens[tokens.length - 1];
  if (!token) return statement.range;
  return statement.rangeOf(token.start, token.end);
}

function addStatement(file: FileContext, out: SqlStatement[], s: PgStmt, byteBase: number, byteLength: number): SqlStatement {
  const node = s.stmt ?? {};
  const kind = Object.keys(node)[0] ?? 'Invalid';
  const byteStart = byteBase + (s.stmt_location ?? 0);
  // stmt_len 0 (omitted) means "to the end of the input".
  const byteEnd = s.stmt_len ? byteStart + s.stmt_len : byteBase + byteLength;
  let start = file.bytes.toChar(byteStart);
  let end = file.bytes.toChar(byteEnd);
  const at = file.textOffset ?? 0;
  const raw = file.text.slice(start - at, end - at);
  const lead = raw.length - raw.trimStart().length;
  start += lead;
  end = start + raw.trim().length;
  let text = file.text.slice(start - at, end - at);
  if (!s.stmt_len && mayEndWithComment(text)) {
    // The last statement runs to the end of the input, trailing comments included: trim them.
    const tokens = lexTokens(text, start);
    const last = [...tokens].reverse().find((t) => t.kind !== 'comment');
    if (last) {
      end = last.text === ';' ? last.start : last.end;
      text = file.text.slice(start - at, end - at).trimEnd();
      end = start + text.length;
    }
  }
  const statement = new SqlStatement(file, text, file.lines.rangeOf(start, end), node, kind, out.length, byteBase);
  out.push(statement);
  return statement;
}

/** A trailing comment sits on the last line (a line comment) or closes the text (a block comment); anything else needs no scan. */
function mayEndWithComment(text: string): boolean {
  if (text.endsWith('*/')) return true;
  return text.slice(text.lastIndexOf('\n') + 1).includes('--');
}

/** The statement whose range contains `offset` (or ends right before it, for a cursor after the last character). */
export function statementAtOffset(parsed: ParsedSql, offset: number): Statement | undefined {
  const list = parsed.statements;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid].range;
    if (r.endOffset < offset) lo = mid + 1;
    else if (r.startOffset > offset) hi = mid - 1;
    else return list[mid];
  }
  return undefined;
}

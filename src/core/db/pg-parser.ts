import { loadModule, parseSync } from '../sql/pg-query';
import { scannerInput, UNTERMINATED_COMMENT } from '../sql/scanner-input';

/**
 * libpg-query access for the db layer: one lazy wasm load, and statement splitting with the
 * parser's UTF-8 byte offsets turned into character offsets.
 */
let loading: Promise<void> | undefined;

export function ensureParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

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

/** Raised by `parseStatements` for input Postgres's grammar rejects. */
export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based character offset of the error in the input. */
    readonly position: number | undefined,
  ) {
    super(message);
    this.name = 'SqlSyntaxError';
  }
}

/** Parses `sql` (call `ensureParser` first). Throws SqlSyntaxError on a syntax error. */
export function parseStatements(sql: string): ParsedStatement[] {
  const bytes = Buffer.from(sql, 'utf8');
  const input = scannerInput(sql);
  if (input.openCommentAt !== undefined) throw new SqlSyntaxError(UNTERMINATED_COMMENT, input.openCommentAt);
  let result: { stmts?: { stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[] };
  try {
    result = parseSync(input.text) as unknown as typeof result;
  } catch (e) {
    const details = (e as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const cursor = details?.cursorPosition;
    // libpg-query's cursorPosition is already a 0-based character offset.
    throw new SqlSyntaxError((e as Error).message, cursor === undefined || cursor < 0 ? undefined : Math.min(cursor, sql.length));
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

/** Depth-first visit of every object in a libpg-query tree, with its node type key when it has one. */
export function visitNodes(tree: unknown, visit: (type: string, body: Record<string, unknown>) => void): void {
  if (Array.isArray(tree)) {
    for (const item of tree) visitNodes(item, visit);
    return;
  }
  if (tree === null || typeof tree !== 'object') return;
  for (const [key, value] of Object.entries(tree as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && /^[A-Z]/.test(key)) {
      visit(key, value as Record<string, unknown>);
    }
    visitNodes(value, visit);
  }
}

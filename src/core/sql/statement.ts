import type { SourceRange } from '../types';
import type { SqlSyntaxError } from './syntax-error';
import type { SqlToken } from './tokens';

/**
 * One SQL statement of a file, as split and parsed by Postgres's own grammar (libpg-query).
 * `ast` is the libpg-query node of the statement (e.g. `{ IndexStmt: {...} }`); AST
 * `location`s are UTF-8 byte offsets into `text`'s parse input and are turned into
 * character ranges with `locate` / `constructRange`, never by hand.
 */
/**
 * A libpg-query AST node as JSON (`{ SelectStmt: {...} }` and what it holds). Its shape is
 * PostgreSQL's parse tree, read by key with checks where a key may be absent; this is the one
 * place the AST's untyped access is declared (docs/architecture.md, "Lint").
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- libpg-query's JSON parse tree; the node kinds read most have types in nodes.ts
export type AstNode = Record<string, any>;

export interface Statement {
  /** The statement text as written, without the trailing semicolon. */
  text: string;
  /** Range of the statement in the file (character offsets and line/character). */
  range: SourceRange;
  /** The raw libpg-query node, e.g. `{ SelectStmt: {...} }`; undefined when it failed to parse. */
  ast: AstNode | undefined;
  /** The AST node's type name, e.g. 'SelectStmt', 'IndexStmt', 'AlterTableStmt'; 'Invalid' when it failed to parse. */
  kind: string;
  /** 0-based position of the statement in its file. */
  index: number;
  /** Converts an AST byte `location` (and an optional byte length) to a file range. Without a length, the range covers one token. */
  locate(byteLocation: number | undefined, byteLength?: number): SourceRange;
  /**
   * Range from an AST byte `location` to the end of the construct that starts there: stops
   * before a top-level ',' or an unmatched ')' or the statement's end. Use it for column
   * definitions, constraints and clauses, so a finding underlines the whole construct.
   */
  constructRange(byteLocation: number | undefined): SourceRange;
  /** File character offset of an AST byte `location` (-1, "unknown", maps to the statement start). */
  offsetOf(byteLocation: number | undefined): number;
  /** Range between two file character offsets (e.g. from `tokens()`). */
  rangeOf(startOffset: number, endOffset: number): SourceRange;
  /** Lexical tokens of the statement (Postgres's quoting rules), with file character offsets; computed on first use. */
  tokens(): SqlToken[];
  /**
   * The same statement without its AST, for what is kept after the statement is linted (a
   * schema's source ranges): ranges and tokens still work, and the AST can be collected.
   */
  withoutAst(): Statement;
}

export interface ParsedSql {
  statements: Statement[];
  /** One per statement that failed to parse; the other statements are still returned. */
  errors: SqlSyntaxError[];
}

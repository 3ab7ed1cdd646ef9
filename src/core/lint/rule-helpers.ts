import { quoteIdent } from '../sql/quote-ident';
import { alterCommandRange } from '../sql/alter-table';
import { relationName, tokenIndexAt, type RelationName } from '../sql/ast';
import { nodeOf, type AlterTableCmd, type ColumnDef, type Constraint } from '../sql/nodes';
import type { Statement } from '../sql/statement';
import { lexTokens, type SqlToken } from '../sql/tokens';
import type { Fix, Position, SourceRange, TextEdit } from '../types';
import type { SchemaContext, StatementContext } from './rule';

/** Shared pieces of the migration-safety rules. */
export interface AlterCommand {
  cmd: AlterTableCmd;
  index: number;
  /** The subcommand's text (`ADD COLUMN …`, `ALTER COLUMN … SET NOT NULL`). */
  range: SourceRange;
}

export interface AlterTableTarget {
  relation: RelationName;
  existing: boolean;
  commands: AlterCommand[];
}

/** Key of the last ALTER TABLE read in the part's memo (`context.memo`, owned by the engine's run of the part). */
const ALTER_TABLE_MEMO = 'rule-helpers/alter-table';

/**
 * The ALTER TABLE statement's table and subcommands, or undefined for other statements. Several
 * rules read the same statement: read once, kept in the part's memo for the statement being checked.
 */
export function alterTable(context: StatementContext): AlterTableTarget | undefined {
  const last = context.memo.get(ALTER_TABLE_MEMO) as { statement: Statement; target: AlterTableTarget | undefined } | undefined;
  if (last?.statement === context.statement) return last.target;
  const target = readAlterTable(context);
  context.memo.set(ALTER_TABLE_MEMO, { statement: context.statement, target });
  return target;
}

/** The column definitions an ALTER TABLE adds (`ADD COLUMN …`). */
export function addedColumns(target: AlterTableTarget): ColumnDef[] {
  return target.commands.flatMap(({ cmd }) => {
    const def = cmd.subtype === 'AT_AddColumn' ? nodeOf(cmd.def, 'ColumnDef') : undefined;
    return def ? [def] : [];
  });
}

/** The constraints an ALTER TABLE adds (`ADD CONSTRAINT …`). */
export function addedConstraints(target: AlterTableTarget): Constraint[] {
  return target.commands.flatMap(({ cmd }) => {
    const con = cmd.subtype === 'AT_AddConstraint' ? nodeOf(cmd.def, 'Constraint') : undefined;
    return con ? [con] : [];
  });
}

function readAlterTable(context: StatementContext): AlterTableTarget | undefined {
  const ast = nodeOf(context.statement.ast, 'AlterTableStmt');
  if (!ast || (ast.objtype && ast.objtype !== 'OBJECT_TABLE')) return undefined;
  const relation = relationName(ast.relation);
  if (!relation) return undefined;
  const statement = context.statement;
  const commands: AlterCommand[] = [];
  (ast.cmds ?? []).forEach((c, index) => {
    const cmd = nodeOf(c, 'AlterTableCmd');
    if (!cmd) return;
    // The range needs the statement's tokens: computed only when a rule reports.
    commands.push({
      cmd,
      index,
      get range() {
        return alterCommandRange(statement, index);
      },
    });
  });
  return { relation, existing: context.isExistingTable(relation.schema, relation.name), commands };
}

export function qualified(rel: RelationName): string {
  return rel.schema ? `${rel.schema}.${rel.name}` : rel.name;
}

/** Identifier as SQL: quoted when it needs to be (reserved words too). */
export const ident = quoteIdent;

export function qualifiedIdent(rel: RelationName): string {
  return rel.schema ? `${ident(rel.schema)}.${ident(rel.name)}` : ident(rel.name);
}

/** The first code token with one of these words, at or after `from` (a file offset). */
export function findWord(statement: Statement, words: readonly string[], from = statement.range.startOffset): SqlToken | undefined {
  const tokens = statement.tokens();
  for (let i = tokenIndexAt(tokens, from); i < tokens.length; i++) {
    const w = tokens[i].word;
    if (w && words.includes(w)) return tokens[i];
  }
  return undefined;
}

/** A fix inserting text at a file offset. */
export function insertFix(statement: Statement, title: string, offset: number, newText: string): Fix {
  return { title, edits: [{ range: statement.rangeOf(offset, offset), newText }] };
}

/** Text between two file offsets. */
export function sliceText(context: StatementContext, start: number, end: number): string {
  return context.text.slice(start, end);
}

/** The text after the statement up to and including its ';' (or its end), past comments before the ';'. */
export function statementEndWithSemicolon(context: StatementContext): number {
  const end = context.statement.range.endOffset;
  return terminatorEnd(context.text, end) ?? end;
}

/**
 * The file offset just after the ';' that ends the statement ending at `end` of `text`, past
 * whitespace and comments (`select 1 -- why⏎;`); undefined when none follows (the last statement
 * of a file or part, unterminated).
 */
export function terminatorEnd(text: string, end: number): number | undefined {
  const at = skipSpaceAndComments(text, end);
  return text.charCodeAt(at) === 59 ? at + 1 : undefined;
}

function skipSpaceAndComments(text: string, at: number): number {
  const n = text.length;
  while (at < n) {
    const c = text.charCodeAt(at);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) at++;
    else if (c === 45 && text.charCodeAt(at + 1) === 45) {
      while (at < n && text.charCodeAt(at) !== 10 && text.charCodeAt(at) !== 13) at++;
    } else if (c === 47 && text.charCodeAt(at + 1) === 42) {
      // Block comments nest in Postgres.
      let depth = 0;
      while (at < n) {
        if (text.startsWith('/*', at)) {
          depth++;
          at += 2;
        } else if (text.startsWith('*/', at)) {
          at += 2;
          if (--depth === 0) break;
        } else at++;
      }
    } else break;
  }
  return at;
}

/** The line break the file uses near `offset` (the first from there on, else the file's first): CRLF in a CRLF file. */
export function lineBreakOf(text: string, offset = 0): string {
  const re = /\r\n|\n|\r/g;
  re.lastIndex = offset;
  let m = re.exec(text);
  if (!m && offset > 0) {
    re.lastIndex = 0;
    m = re.exec(text);
  }
  return m ? m[0] : '\n';
}

/** `sql` written with '\n' line breaks, with the file's line breaks instead. */
export function withLineBreaks(sql: string, lineBreak: string): string {
  return lineBreak === '\n' ? sql : sql.replace(/\r?\n/g, lineBreak);
}

/**
 * An edit adding `sql` (statements written with '\n' line breaks, the last one without its ';')
 * as statements of their own right after the statement at `range` of the file `text`: after the
 * statement's terminating ';' (past any comment before it: `using (…) -- why⏎;`), or, when no ';'
 * follows (an unterminated last statement), right after its last token (before a trailing
 * comment), with a ';' ending it first. Line breaks are the file's (CRLF in a CRLF file).
 * `rangeOf` gives a file range (a statement's); without it positions are counted from `range.start`.
 */
export function addStatementsAfter(
  text: string,
  range: SourceRange,
  sql: string,
  rangeOf?: (startOffset: number, endOffset: number) => SourceRange,
): TextEdit {
  const lineBreak = lineBreakOf(text, range.startOffset);
  const body = withLineBreaks(sql, lineBreak);
  const semicolon = terminatorEnd(text, range.endOffset);
  let offset: number;
  let newText: string;
  if (semicolon !== undefined) {
    offset = semicolon;
    newText = `${lineBreak}${body};`;
  } else {
    offset = lastCodeEnd(text, range);
    newText = `;${lineBreak}${body}`;
  }
  return { range: rangeOf ? rangeOf(offset, offset) : collapsedRange(text, range, offset), newText };
}

/** addStatementsAfter for a schema rule: the statement at `range` of a linted `file`. */
export function addStatementsAfterIn(context: SchemaContext, file: string, range: SourceRange, sql: string): TextEdit {
  const text = context.textAt?.(file, 0, Number.MAX_SAFE_INTEGER);
  if (text !== undefined) return addStatementsAfter(text, range, sql);
  // Not a linted file (no text to look at): before the statement's own ';', if any.
  return { range: { startOffset: range.endOffset, endOffset: range.endOffset, start: range.end, end: range.end }, newText: `;\n${sql}` };
}

/** End offset of the last token of the statement at `range` that is not a comment (nor its ';'). */
function lastCodeEnd(text: string, range: SourceRange): number {
  const tokens = lexTokens(text.slice(range.startOffset, range.endOffset), range.startOffset);
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i];
    if (t.kind === 'comment') continue;
    return t.text === ';' ? t.start : t.end;
  }
  return range.endOffset;
}

/** An empty range at `offset` (at or after `range.startOffset`), its position counted from `range.start`. */
function collapsedRange(text: string, range: SourceRange, offset: number): SourceRange {
  let { line, character } = range.start;
  for (let i = range.startOffset; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) continue;
    if (c === 10 || c === 13) {
      line++;
      character = 0;
    } else character++;
  }
  const at: Position = { line, character };
  return { startOffset: offset, endOffset: offset, start: at, end: { ...at } };
}

/** Leading whitespace of the statement's first line, for inserted statements. */
export function indentOf(context: StatementContext): string {
  const { start } = context.statement.range;
  const lineStart = context.statement.range.startOffset - start.character;
  return /^[ \t]*/.exec(context.text.slice(lineStart, context.statement.range.startOffset))![0];
}

/** Range of the first token naming `name` (plain or quoted), e.g. a table in `DROP TABLE`, which has no AST location. */
export function nameTokenRange(statement: Statement, name: string, from = statement.range.startOffset): SourceRange | undefined {
  const tokens = statement.tokens();
  const quoted = `"${name.replace(/"/g, '""')}"`;
  for (let i = tokenIndexAt(tokens, from); i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'comment' || t.kind === 'string') continue;
    if (t.text === quoted || t.text.toLowerCase() === name) {
      // Take a qualifier in front of it along: `app.orders`.
      const start = i >= 2 && tokens[i - 1].text === '.' ? tokens[i - 2].start : t.start;
      return statement.rangeOf(start, t.end);
    }
  }
  return undefined;
}

/** From the statement start to the end of the first token with one of these words (`DROP INDEX`, `VACUUM FULL`). */
export function headRange(statement: Statement, words: readonly string[]): SourceRange {
  const t = findWord(statement, words);
  return statement.rangeOf(statement.range.startOffset, t ? t.end : statement.range.endOffset);
}

/**
 * How to run a statement outside a transaction with the part's runner (CONCURRENTLY, VACUUM…),
 * as a sentence; the generic advice when the runner is unknown. `explicit` is true when an
 * explicit BEGIN … COMMIT of the file itself is what wraps it.
 */
export function outsideTransactionWayOut(context: Pick<StatementContext, 'runner' | 'transactionMode' | 'singleStatement'>, explicit = false): string {
  if (explicit && context.transactionMode === 'none' && !context.singleStatement) return 'Move it out of the BEGIN … COMMIT block.';
  switch (context.runner) {
    case 'goose':
      return 'Put it in a migration of its own with `-- +goose NO TRANSACTION` at the top of the file (goose then runs the whole file outside a transaction).';
    case 'dbmate':
      return 'Put it alone in a migration of its own whose marker says `-- migrate:up transaction:false` (dbmate sends a section as one string: several statements run as one transaction).';
    case 'sql-migrate':
      return 'Put it in a migration of its own whose marker says `-- +migrate Up notransaction`.';
    case 'diesel':
      return 'Put it alone in a migration of its own with `run_in_transaction = false` in that migration folder\'s metadata.toml (diesel sends up.sql as one string: several statements run as one transaction).';
    case 'prisma':
      return 'Put it alone in a migration of its own: Prisma runs a file holding one statement outside a transaction.';
    case 'golang-migrate':
      return 'Put it alone in a migration file of its own: golang-migrate sends the file as one string, which runs outside a transaction only when it holds one statement.';
    case 'drizzle-kit':
      return 'drizzle-kit runs every pending migration in one transaction, so no drizzle migration can run it: run it outside drizzle (a deploy step with psql), then record nothing in the journal.';
    case 'flyway':
      return 'Put it in a migration of its own with `executeInTransaction=false` in its `<file>.sql.conf`.';
    case 'liquibase':
      return 'Put it in a changeset of its own with `runInTransaction:false`.';
    case 'popx':
      return 'Put it in a migration of its own named `….autocommit.up.sql`.';
    case 'sqitch':
      return 'Move it out of the script\'s BEGIN … COMMIT (sqitch adds no transaction of its own).';
    default:
      return 'Move it to its own migration file that the runner does not wrap in a transaction (and no BEGIN … COMMIT around it).';
  }
}

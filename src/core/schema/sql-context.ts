import { lexTokens, type SqlToken } from '../sql/tokens';
import { identifierName, type QualifiedName } from './sql-names';

/**
 * Reading a statement from its tokens alone: what a half-typed statement (which the parser
 * rejects) names in FROM, JOIN, UPDATE and INTO, and what the cursor is in the middle of. The
 * completion and the hover of a statement that does not parse use it.
 */

export interface TokenRelation extends QualifiedName {
  alias?: string;
  /** Offsets of the relation's name (its last part). */
  start: number;
  end: number;
  schemaStart?: number;
  schemaEnd?: number;
}

/** The statement around `offset` of a SQL text: its code tokens (comments left out), up to the `;` that ends it. */
export function statementTokensAt(sql: string, offset: number): SqlToken[] {
  const tokens = codeTokens(sql);
  let start = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].text !== ';') continue;
    if (tokens[i].end <= offset) start = i + 1;
    else return tokens.slice(start, i);
  }
  return tokens.slice(start);
}

/** The last texts lexed (hover and completion ask about the same document again and again). */
const lexed: Array<{ sql: string; tokens: SqlToken[] }> = [];

function codeTokens(sql: string): SqlToken[] {
  const hit = lexed.find((l) => l.sql === sql);
  if (hit) return hit.tokens;
  const tokens = lexTokens(sql).filter((t) => t.kind !== 'comment');
  // A huge document's tokens would hold hundreds of MB: lexed again instead.
  if (sql.length > 1_000_000) return tokens;
  lexed.unshift({ sql, tokens });
  if (lexed.length > 2) lexed.pop();
  return tokens;
}

const isName = (t: SqlToken | undefined): t is SqlToken => t !== undefined && (t.kind === 'ident' || t.kind === 'keyword');

/** Words after which a relation is named. */
const RELATION_BEFORE = new Set(['FROM', 'JOIN', 'UPDATE', 'INTO', 'REFERENCES']);

/** Words that end a FROM item: never an alias. */
const NOT_ALIAS = new Set([
  'WHERE', 'ON', 'USING', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER', 'LATERAL', 'GROUP', 'ORDER',
  'LIMIT', 'OFFSET', 'HAVING', 'WINDOW', 'UNION', 'EXCEPT', 'INTERSECT', 'SET', 'VALUES', 'RETURNING', 'FOR', 'SELECT', 'FETCH',
  'DEFAULT', 'AS', 'WITH', 'TABLESAMPLE', 'ONLY', 'OVERRIDING', 'DO', 'INSERT', 'UPDATE', 'DELETE',
]);

/** Relations a statement names after FROM (and its comma list), JOIN, UPDATE, INTO, REFERENCES and ALTER/TRUNCATE TABLE, with their aliases. */
export function tokenRelations(tokens: SqlToken[]): TokenRelation[] {
  const out: TokenRelation[] = [];
  const cte = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    // `name AS (`: a CTE, not a table.
    if (isName(t) && tokens[i + 1]?.word === 'AS' && tokens[i + 2]?.text === '(') cte.add(identifierName(t.text));
    const table = t.word === 'TABLE' && ['ALTER', 'TRUNCATE', 'LOCK'].includes(tokens[i - 1]?.word ?? '');
    const indexOn = t.word === 'ON' && tokens[0]?.word === 'CREATE' && tokens.slice(0, i).some((x) => x.word === 'INDEX');
    if (!RELATION_BEFORE.has(t.word ?? '') && !table && !indexOn) continue;
    let j = i + 1;
    for (;;) {
      while (tokens[j]?.word === 'ONLY' || tokens[j]?.word === 'LATERAL') j++;
      const read = readRelation(tokens, j);
      if (!read) break;
      if (!(read.relation.schema === undefined && cte.has(read.relation.name))) out.push(read.relation);
      j = read.next;
      // The comma list of FROM (not of a column list).
      if (t.word !== 'FROM' || tokens[j]?.text !== ',') break;
      j++;
    }
  }
  return out;
}

function readRelation(tokens: SqlToken[], at: number): { relation: TokenRelation; next: number } | undefined {
  const first = tokens[at];
  if (!isName(first) || NOT_ALIAS.has(first.word ?? '')) return undefined;
  let j = at + 1;
  let relation: TokenRelation = { name: identifierName(first.text), start: first.start, end: first.end };
  if (tokens[j]?.text === '.' && isName(tokens[j + 1])) {
    const second = tokens[j + 1];
    relation = { schema: relation.name, name: identifierName(second.text), start: second.start, end: second.end, schemaStart: first.start, schemaEnd: first.end };
    j += 2;
  }
  if (tokens[j]?.word === 'AS' && isName(tokens[j + 1])) {
    relation.alias = identifierName(tokens[j + 1].text);
    j += 2;
  } else if (isName(tokens[j]) && !NOT_ALIAS.has(tokens[j].word ?? '') && tokens[j + 1]?.text !== '(') {
    relation.alias = identifierName(tokens[j].text);
    j++;
  }
  return { relation, next: j };
}

/** The identifier being typed at `offset` (a leading `"` included): its start and text. */
export function wordBefore(sql: string, offset: number): { start: number; text: string } {
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[start - 1])) start--;
  if (start > 0 && sql[start - 1] === '"') {
    start--;
  } else {
    // Inside a quoted name with spaces (`"Order It`): back to its opening quote on this line.
    const line = sql.slice(sql.lastIndexOf('\n', offset - 1) + 1, offset);
    const quotes = (line.match(/"/g) ?? []).length;
    if (quotes % 2 === 1) start = offset - (line.length - line.lastIndexOf('"'));
  }
  // A number is not a name.
  if (/^[0-9]/.test(sql.slice(start, offset))) return { start: offset, text: '' };
  return { start, text: sql.slice(start, offset) };
}

/** The name under (or just before) `offset`: a word or a quoted name, with the dotted parts before it. */
export function nameAt(tokens: SqlToken[], offset: number): { index: number; qualifier: SqlToken[] } | undefined {
  let index = tokens.findIndex((t) => t.start <= offset && offset <= t.end && isName(t));
  if (index < 0) return undefined;
  // A cursor between `a` and `.b`: the name is the one it touches on its left.
  if (tokens[index].end === offset && isName(tokens[index + 1]) && tokens[index + 1].start === offset) index++;
  const qualifier: SqlToken[] = [];
  for (let i = index - 1; i >= 1 && tokens[i].text === '.' && isName(tokens[i - 1]); i -= 2) qualifier.unshift(tokens[i - 1]);
  return { index, qualifier };
}

export type CompletionContext =
  | { kind: 'relation' }
  | { kind: 'qualified'; qualifier: string[] }
  | { kind: 'insert-columns'; table: QualifiedName }
  | { kind: 'column' }
  | { kind: 'none' };

/** What the position just before the word being typed asks for, from the tokens before it. */
export function completionContext(tokens: SqlToken[], wordStart: number): CompletionContext {
  const before = tokens.filter((t) => t.end <= wordStart);
  const prev = before[before.length - 1];
  if (!prev) return { kind: 'none' };
  if (prev.text === '.') {
    const qualifier: string[] = [];
    for (let i = before.length - 2; i >= 0 && isName(before[i]); i -= 2) {
      qualifier.unshift(identifierName(before[i].text));
      if (before[i - 1]?.text !== '.') break;
    }
    return qualifier.length ? { kind: 'qualified', qualifier } : { kind: 'none' };
  }
  const w = prev.word ?? '';
  if (RELATION_BEFORE.has(w)) return { kind: 'relation' };
  if (w === 'TABLE' && ['ALTER', 'TRUNCATE', 'LOCK'].includes(before[before.length - 2]?.word ?? '')) return { kind: 'relation' };
  if (w === 'ONLY' || w === 'LATERAL') return { kind: 'relation' };
  if (w === 'ON' && before[0]?.word === 'CREATE' && before.some((t) => t.word === 'INDEX')) return { kind: 'relation' };
  // The clause the position is in: the nearest clause word at its parenthesis depth or outside it.
  let depth = 0;
  let clause: string | undefined;
  for (let i = before.length - 1; i >= 0 && !clause; i--) {
    const t = before[i];
    if (t.text === ')') depth++;
    else if (t.text === '(' && depth > 0) depth--;
    else if (t.text === '(') {
      // `INSERT INTO t (` or `INSERT INTO s.t (`: the target's columns.
      const name = before[i - 1];
      const dot = before[i - 2]?.text === '.';
      const into = before[dot ? i - 4 : i - 2];
      if (isName(name) && into?.word === 'INTO' && (!dot || isName(before[i - 3]))) {
        if (prev.text !== '(' && prev.text !== ',') return { kind: 'none' };
        const table = identifierName(name.text);
        return { kind: 'insert-columns', table: dot ? { schema: identifierName(before[i - 3].text), name: table } : { name: table } };
      }
    } else if (depth === 0 && t.word && CLAUSES.has(t.word)) clause = t.word;
  }
  if (clause === 'FROM' && prev.text === ',') return { kind: 'relation' };
  if (clause === 'FROM' || clause === 'JOIN' || clause === 'UPDATE' || clause === 'INTO') return { kind: 'none' };
  if (clause === 'CREATE' || clause === 'ALTER' || clause === 'DROP') return { kind: 'none' };
  // Right after a name (`SELECT id |`) an alias or a keyword comes next, not a column; a quoted name is never a keyword.
  if (isName(prev) && (!prev.word || !EXPRESSION_BEFORE.has(prev.word))) return { kind: 'none' };
  if (prev.kind === 'number' || prev.kind === 'string' || prev.kind === 'param' || prev.text === ')') return { kind: 'none' };
  return { kind: 'column' };
}

/** Words that open a clause: the scan for the position's clause stops at them. */
const CLAUSES = new Set(['SELECT', 'FROM', 'JOIN', 'WHERE', 'ON', 'GROUP', 'ORDER', 'HAVING', 'SET', 'RETURNING', 'VALUES', 'UPDATE', 'INTO', 'USING', 'CREATE', 'ALTER', 'DROP', 'WINDOW', 'LIMIT', 'OFFSET']);

/** Words after which an expression (so a column) may come. */
const EXPRESSION_BEFORE = new Set([
  'SELECT', 'WHERE', 'ON', 'AND', 'OR', 'NOT', 'BY', 'HAVING', 'SET', 'RETURNING', 'WHEN', 'THEN', 'ELSE', 'CASE', 'DISTINCT', 'IS',
  'IN', 'LIKE', 'ILIKE', 'BETWEEN', 'USING', 'ALL', 'ANY', 'SOME', 'EXISTS', 'VALUES', 'COALESCE',
]);

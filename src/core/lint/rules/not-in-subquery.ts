import type { Rule, StatementContext } from '../rule';
import type { Statement } from '../../sql/statement';
import { firstLocation, nameRange, stringList, tokenIndexAt } from '../../sql/ast';
import { nodeOf, type SelectStmt, type SubLink } from '../../sql/nodes';
import type { SourceRange } from '../../types';
import { closingParen } from './support/column-definitions';
import { findTable, forEachNode } from './support/query-walk';

/**
 * not-in-subquery: `x NOT IN (SELECT …)` (and `x <> ALL (SELECT …)`): when the subquery yields a
 * NULL, the condition is never true and the query silently returns nothing. Silent when the
 * subquery is a plain `SELECT col FROM table` of a NOT NULL or primary key column. The fix rewrites
 * to NOT EXISTS only for the shape where that is mechanical and cannot change name resolution:
 * a column against one selected column of a single table, with no grouping, DISTINCT,
 * ordering or LIMIT in the subquery, and an outer column that cannot be captured by it.
 */
/**
 * The subquery is a plain `SELECT col FROM table [WHERE …]` of a column that cannot be NULL (NOT
 * NULL, or in the primary key, in the schema before the statement): it never yields a NULL, so
 * the condition means what it says. Anything else (a join, a set operation, grouping, an
 * aggregate or expression, a table the model does not know or a CTE may hide, a column of the
 * outer query) may yield one.
 */
const NOT_PLAIN: Array<keyof SelectStmt> = ['withClause', 'groupClause', 'havingClause', 'windowClause', 'valuesLists', 'intoClause'];

function selectsNonNull(context: StatementContext, select: SelectStmt | undefined, cteNames: Set<string>): boolean {
  if (!select || (select.op && select.op !== 'SETOP_NONE')) return false;
  if (NOT_PLAIN.some((k) => select[k] !== undefined)) return false;
  const targets = select.targetList ?? [];
  const ref = targets.length === 1 ? nodeOf(nodeOf(targets[0], 'ResTarget')?.val, 'ColumnRef') : undefined;
  const from = select.fromClause ?? [];
  const rangeVar = from.length === 1 ? nodeOf(from[0], 'RangeVar') : undefined;
  if (!ref || !rangeVar || typeof rangeVar.relname !== 'string') return false;
  const fields = stringList(ref.fields);
  if (fields.length !== ref.fields.length) return false;
  if (!rangeVar.schemaname && cteNames.has(rangeVar.relname)) return false;
  const table = context.table({ schema: rangeVar.schemaname, name: rangeVar.relname });
  if (!table) return false;
  const column = fields[fields.length - 1];
  const qualifier = fields.slice(0, -1);
  // A qualifier that does not name the subquery's table names an outer one.
  const alias = rangeVar.alias?.aliasname;
  if (qualifier.length === 1 && qualifier[0] !== (alias ?? rangeVar.relname)) return false;
  if (qualifier.length === 2 && (alias !== undefined || qualifier[0] !== table.schema || qualifier[1] !== rangeVar.relname)) return false;
  if (qualifier.length > 2) return false;
  // An unqualified name the table lacks is the outer query's column.
  const col = table.columns.find((c) => c.name === column);
  if (!col) return false;
  return col.notNull || (table.primaryKey?.columns.includes(column) ?? false) || table.indexes.some((i) => i.primary && i.columns.includes(column));
}

const MESSAGE =
  'if the subquery returns a single NULL, this condition is never true and the query silently returns no rows ' +
  "(and Postgres cannot plan it as an anti-join, so it may hash or rescan the subquery for every row); use NOT EXISTS";

export const rule: Rule = {
  id: 'not-in-subquery',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: {
    description: 'NOT IN (SELECT …) returns no rows at all as soon as the subquery yields a NULL: a silent wrong answer.',
  },
  check(context) {
    const { statement } = context;
    let cteNames: Set<string> | undefined;
    const neverNull = (sub: SubLink): boolean => {
      if (!cteNames) {
        const names = new Set<string>();
        forEachNode(statement.ast, 'CommonTableExpr', (cte) => {
          if (typeof cte.ctename === 'string') names.add(cte.ctename);
        });
        cteNames = names;
      }
      return selectsNonNull(context, nodeOf(sub.subselect, 'SelectStmt'), cteNames);
    };
    forEachNode(statement.ast, 'BoolExpr', (expr) => {
      const sub = expr.boolop === 'NOT_EXPR' ? nodeOf(expr.args?.[0], 'SubLink') : undefined;
      if (!sub || sub.subLinkType !== 'ANY_SUBLINK') return;
      const op = stringList(sub.operName);
      if (op.length > 0 && op[op.length - 1] !== '=') return;
      if (neverNull(sub)) return;
      const span = sublinkSpan(statement, sub, expr.location);
      if (!span) return;
      const rewrite = notExistsRewrite(context, sub, span);
      context.report({
        message: `NOT IN (SELECT …): ${MESSAGE}`,
        range: span.range,
        fix: rewrite ? { title: 'Rewrite as NOT EXISTS', edits: [{ range: span.range, newText: rewrite }] } : undefined,
      });
    });
    forEachNode(statement.ast, 'SubLink', (sub) => {
      if (sub.subLinkType !== 'ALL_SUBLINK' || stringList(sub.operName).pop() !== '<>' || neverNull(sub)) return;
      const span = sublinkSpan(statement, sub, sub.location);
      if (span) context.report({ message: `<> ALL (SELECT …) is NOT IN: ${MESSAGE}`, range: span.range });
    });
  },
};

const QUERY_START = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', '(']);

interface SublinkSpan {
  range: SourceRange;
  /** Token indexes of the subquery's parentheses. */
  open: number;
  close: number;
}

/** From the tested expression (or the NOT before it) to the subquery's closing parenthesis. */
function sublinkSpan(statement: Statement, sub: SubLink, notLocation: number | undefined): SublinkSpan | undefined {
  const tokens = statement.tokens();
  const starts = [notLocation, firstLocation(sub.testexpr)].filter((l): l is number => typeof l === 'number' && l >= 0);
  const startToken = tokenIndexAt(tokens, statement.offsetOf(Math.min(...starts)));
  const inner = tokenIndexAt(tokens, statement.offsetOf(firstLocation(sub.subselect)));
  const unclosed: number[] = [];
  for (let i = startToken; i < inner && i < tokens.length; i++) {
    if (tokens[i].kind !== 'punct') continue;
    if (tokens[i].text === '(') unclosed.push(i);
    else if (tokens[i].text === ')') unclosed.pop();
  }
  // The innermost unclosed '(' that starts a query (not, say, DISTINCT ON's).
  const open = unclosed.reverse().find((i) => QUERY_START.has(tokens[i + 1]?.word ?? tokens[i + 1]?.text ?? ''));
  if (open === undefined) return undefined;
  const close = closingParen(tokens, open);
  if (close < 0) return undefined;
  let end = close;
  // `NOT (x IN (SELECT …))`: the span ends with the parenthesis the NOT applies to.
  if (tokens[startToken]?.word === 'NOT' && tokens[startToken + 1]?.text === '(') {
    const outer = closingParen(tokens, startToken + 1);
    if (outer > end) end = outer;
  }
  return { range: statement.rangeOf(tokens[startToken].start, tokens[end].end), open, close };
}

const NOT_SIMPLE: Array<keyof SelectStmt> = [
  'withClause', 'distinctClause', 'groupClause', 'havingClause', 'windowClause', 'sortClause', 'limitCount',
  'limitOffset', 'valuesLists', 'lockingClause', 'intoClause', 'groupDistinct',
];

function notExistsRewrite(context: StatementContext, sub: SubLink, span: SublinkSpan): string | undefined {
  const { statement } = context;
  const outerRef = nodeOf(sub.testexpr, 'ColumnRef');
  const select = nodeOf(sub.subselect, 'SelectStmt');
  if (!outerRef || !select || (select.op && select.op !== 'SETOP_NONE')) return undefined;
  if (NOT_SIMPLE.some((k) => select[k] !== undefined && select[k] !== false)) return undefined;
  const targets = select.targetList ?? [];
  const innerRef = targets.length === 1 ? nodeOf(nodeOf(targets[0], 'ResTarget')?.val, 'ColumnRef') : undefined;
  const from = select.fromClause ?? [];
  const rangeVar = from.length === 1 ? nodeOf(from[0], 'RangeVar') : undefined;
  if (!innerRef || !rangeVar || stringList(innerRef.fields).length !== innerRef.fields.length) return undefined;
  const outer = stringList(outerRef.fields);
  if (outer.length !== outerRef.fields.length || outer.length === 0) return undefined;
  const innerName = rangeVar.alias?.aliasname ?? rangeVar.relname;
  if (outer.length === 1) {
    // An unqualified outer column would bind to the inner table's column of the same name.
    const innerTable = findTable(context.schema, { schema: rangeVar.schemaname, name: rangeVar.relname });
    if (!innerTable || innerTable.columns.some((c) => c.name === outer[0])) return undefined;
  } else if (outer[outer.length - 2] === innerName) return undefined;

  const tokens = statement.tokens();
  let fromToken = -1;
  let whereToken = -1;
  let depth = 0;
  for (let i = span.open + 1; i < span.close; i++) {
    const t = tokens[i];
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.word === 'FROM' && fromToken < 0) fromToken = i;
    else if (depth === 0 && t.word === 'WHERE' && whereToken < 0) whereToken = i;
  }
  if (fromToken < 0) return undefined;
  const slice = (a: number, b: number): string => {
    // A trailing `--` comment would swallow the closing parenthesis of the rewrite.
    while (b > a && tokens[b].kind === 'comment') b--;
    const base = statement.range.startOffset;
    return statement.text.slice(tokens[a].start - base, tokens[b].end - base).trim();
  };
  const rangeText = (r: SourceRange): string =>
    statement.text.slice(r.startOffset - statement.range.startOffset, r.endOffset - statement.range.startOffset);
  const fromText = slice(fromToken + 1, (whereToken >= 0 ? whereToken : span.close) - 1);
  const inner = rangeText(nameRange(statement, innerRef.location));
  const outerText = rangeText(nameRange(statement, outerRef.location));
  let condition = `${inner} = ${outerText}`;
  if (whereToken >= 0) {
    const where = slice(whereToken + 1, span.close - 1);
    condition += nodeOf(select.whereClause, 'BoolExpr')?.boolop === 'OR_EXPR' ? ` AND (${where})` : ` AND ${where}`;
  }
  return `NOT EXISTS (SELECT 1 FROM ${fromText} WHERE ${condition})`;
}

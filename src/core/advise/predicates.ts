import { walk, type Node } from '../sql/ast';
import { nodeOf } from '../sql/nodes';
import { quoteIdent } from '../sql/quote-ident';
import { columnRefs, expressionHead, expressionSql, type ColumnRefName } from './expression-sql';
/**
 * What a query asks of each table it reads, taken from Postgres's own parse tree: which
 * columns it compares with constants or parameters (equality, range), which it joins on,
 * and which it sorts by under a LIMIT. Index candidates are built from these.
 */
export interface RelationRef {
  schema?: string;
  name: string;
  /** The name the query uses for it (alias, else the table name). */
  alias: string;
}

export type PredicateKind = 'eq' | 'in' | 'range' | 'null' | 'join';

export interface ColumnPredicate {
  /** Alias or table name as written; undefined for an unqualified column. */
  qualifier?: string;
  column: string;
  kind: PredicateKind;
  /** SQL text of the predicate when it compares with a literal constant (for a partial index). */
  constantSql?: string;
  /** `~~` when the range is a LIKE 'prefix%': a plain B-tree serves it only under the C collation. */
  operator?: string;
  /** Set when the column was cast (`created_at::date`): the B-tree on the column serves it only when the cast relabels (varchar → text). */
  castTo?: string;
}

/** The indexed side of a predicate: a column, or an expression of one table's columns (`lower(email)`). */
export interface IndexedOperand {
  /** Columns it reads (one for a plain column). */
  refs: ColumnRefName[];
  /** SQL of the expression, exactly as an index key must repeat it; undefined for a plain column. */
  expression?: string;
  /** Outer function (`lower`), cast (`::date`) or operator (`->>`) of the expression. */
  head?: string;
  /** The expression's first string-literal argument: to_tsvector's text search configuration. */
  firstLiteral?: string;
}

/**
 * A predicate a B-tree on the plain column cannot serve: LIKE/ILIKE, regular expressions,
 * containment and overlap, jsonb key tests, full-text and similarity matches, PostGIS
 * functions. Which index serves it depends on the operand's type, known only from the catalog.
 */
export interface OperatorPredicate {
  operand: IndexedOperand;
  /**
   * As Postgres names it, with the operand on the left (`'x' <@ col` is recorded as `col @> 'x'`):
   * `~~` LIKE, `~~*` ILIKE, `~`, `~*`, `%`, `@>`, `<@`, `&&`, `?`, `@?`, `@@`…; `= ANY` for
   * `value = ANY(col)`; a function with `()` for `similarity()` and the `st_…()` predicates.
   */
  operator: string;
  /** The other side when it is a string literal (a LIKE pattern, a regular expression). */
  literal?: string;
  /** The whole predicate as parsed: tested on sample values of the column to tell how many rows match. */
  node?: Node;
}

/** An expression of a table's columns compared with a value: `lower(email) = $1`, `(doc ->> 'k') > 5`. */
export interface ExpressionPredicate {
  operand: IndexedOperand;
  kind: 'eq' | 'in' | 'range';
  /** The whole predicate as parsed: tested on sample values of the column to tell how many rows match. */
  node?: Node;
}

/** `ORDER BY col <-> value LIMIT n`: a nearest-neighbour search a GiST (or vector) index returns in order. */
export interface DistanceSort {
  operand: IndexedOperand;
  operator: string;
}

export interface SortKey {
  qualifier?: string;
  column: string;
  descending: boolean;
}

export interface QueryScope {
  relations: RelationRef[];
  predicates: ColumnPredicate[];
  /** ORDER BY keys when the scope also has a LIMIT (a sorted index can stop early). */
  limitedSort: SortKey[];
  /** Columns the scope reads, by qualifier ('' when unqualified); undefined when it reads `*`. */
  referenced: Map<string, Set<string>> | undefined;
  operators: OperatorPredicate[];
  expressions: ExpressionPredicate[];
  /** The first ORDER BY key under a LIMIT when it is a distance (`<->`, `<=>`, `<#>`). */
  distanceSort?: DistanceSort;
}

/** What the predicates of one scope collect into. */
interface Sink {
  predicates: ColumnPredicate[];
  operators: OperatorPredicate[];
  expressions: ExpressionPredicate[];
}

const RANGE_OPS = new Set(['<', '<=', '>', '>=']);

function columnOf(node: Node | undefined): { qualifier?: string; column: string } | undefined {
  if (!node) return undefined;
  if (node.TypeCast) return columnOf(node.TypeCast.arg);
  const ref = nodeOf(node, 'ColumnRef');
  if (!ref) return undefined;
  const names = ref.fields.map((f) => f.String?.sval).filter((s): s is string => typeof s === 'string');
  if (names.length !== ref.fields.length || names.length === 0) return undefined;
  return names.length === 1 ? { column: names[0] } : { qualifier: names[names.length - 2], column: names[names.length - 1] };
}

function constantSqlOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.TypeCast) return constantSqlOf(node.TypeCast.arg);
  const c = node.A_Const;
  if (!c) return undefined;
  if (c.sval) return `'${String(c.sval.sval ?? '').replace(/'/g, "''")}'`;
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return String(c.fval.fval);
  if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  return undefined;
}

/** A value fixed for one execution: a literal, a parameter, or an expression without columns. */
function isValue(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.A_Const || node.ParamRef) return true;
  if (node.TypeCast) return isValue(node.TypeCast.arg);
  if (node.ColumnRef || node.SubLink) return false;
  if (node.FuncCall) return ((node.FuncCall.args as Node[] | undefined) ?? []).every(isValue);
  if (node.A_Expr) return isValue(node.A_Expr.lexpr) && isValue(node.A_Expr.rexpr);
  if (node.A_ArrayExpr) return ((node.A_ArrayExpr.elements as Node[] | undefined) ?? []).every(isValue);
  if (node.SQLValueFunction) return true;
  return false;
}

function literalOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.TypeCast) return literalOf(node.TypeCast.arg);
  const v = node.A_Const?.sval?.sval;
  return typeof v === 'string' ? v : undefined;
}

/** The indexed side: a column (a cast one counts as its column here), or an expression of columns only. */
function operandOf(node: Node | undefined): IndexedOperand | undefined {
  if (!node) return undefined;
  const col = node.ColumnRef ? columnOf(node) : undefined;
  if (col) return { refs: [col] };
  const refs = columnRefs(node);
  const expression = expressionSql(node);
  if (!refs || expression === undefined) return undefined;
  const literal = ((node.FuncCall?.args as Node[] | undefined) ?? []).map(literalOf).find((l) => l !== undefined);
  return { refs, expression, head: expressionHead(node), ...(literal !== undefined ? { firstLiteral: literal } : {}) };
}

/** Operators whose operands may swap sides: `'x' <@ col` is `col @> 'x'`. */
const COMMUTED: Record<string, string> = { '@>': '<@', '<@': '@>', '&&': '&&', '%': '%', '-|-': '-|-', '~=': '~=', '@@': '@@', '?#': '?#', '<<': '>>', '>>': '<<' };
const BTREE_OPS = new Set(['=', '<', '<=', '>', '>=', '<>', '!=']);
/** pg_trgm's similarity functions: not indexable themselves, their operators are. */
const SIMILARITY_FUNCTIONS = new Set(['similarity', 'word_similarity', 'strict_word_similarity']);
/** PostGIS predicates a GiST index on a geometry serves (through the bounding-box operators they inline). */
const SPATIAL_FUNCTIONS = new Set(['st_intersects', 'st_contains', 'st_within', 'st_dwithin', 'st_covers', 'st_coveredby', 'st_overlaps', 'st_touches', 'st_crosses', 'st_containsproperly', 'st_dfullywithin']);

function funcName(node: Node | undefined): string | undefined {
  const parts = (node?.FuncCall?.funcname as Node[] | undefined)?.map((n) => n.String?.sval);
  const last = parts?.at(-1);
  return typeof last === 'string' ? last.toLowerCase() : undefined;
}

/** A function predicate (`st_intersects(geom, $1)`, `similarity(title, 'x') > 0.3`) on one column argument. */
function functionPredicate(call: Node, names: Set<string>, out: Sink): boolean {
  const name = funcName(call);
  if (!name || !names.has(name)) return false;
  const args = (call.FuncCall.args as Node[] | undefined) ?? [];
  const colArg = args.find((a) => a.ColumnRef);
  const operand = operandOf(colArg);
  if (!operand || !args.every((a) => a === colArg || isValue(a))) return false;
  const literal = args.filter((a) => a !== colArg).map(literalOf).find((l) => l !== undefined);
  out.operators.push({ operand, operator: `${name}()`, ...(literal !== undefined ? { literal } : {}) });
  return true;
}

function collectPredicates(expr: Node | undefined, out: Sink): void {
  if (!expr) return;
  const bool = nodeOf(expr, 'BoolExpr');
  if (bool) {
    // Only AND-ed conjuncts narrow the rows an index must find; OR branches are left out.
    if (bool.boolop === 'AND_EXPR') for (const a of bool.args) collectPredicates(a, out);
    return;
  }
  if (expr.NullTest) {
    const col = columnOf(expr.NullTest.arg);
    if (col && expr.NullTest.nulltesttype === 'IS_NULL') out.predicates.push({ ...col, kind: 'null', constantSql: `${quoteIdent(col.column)} IS NULL` });
    return;
  }
  if (expr.FuncCall) {
    functionPredicate(expr, SPATIAL_FUNCTIONS, out);
    return;
  }
  const e = nodeOf(expr, 'A_Expr');
  if (!e) return;
  const op: string | undefined = e.name?.[0]?.String?.sval;
  if (e.kind === 'AEXPR_OP' && op) {
    const left = columnOf(e.lexpr);
    const right = columnOf(e.rexpr);
    if (op === '=' && left && right) {
      out.predicates.push({ ...left, kind: 'join' }, { ...right, kind: 'join' });
      return;
    }
    if (e.lexpr?.FuncCall && isValue(e.rexpr) && functionPredicate(e.lexpr, SIMILARITY_FUNCTIONS, out)) return;
    const [col, value] = left && isValue(e.rexpr) ? [left, e.rexpr] : right && isValue(e.lexpr) ? [right, e.lexpr] : [undefined, undefined];
    const castTo = col ? (col === left ? castOf(e.lexpr) : castOf(e.rexpr)) : undefined;
    if (col && BTREE_OPS.has(op)) {
      if (op === '=') {
        const c = constantSqlOf(value);
        out.predicates.push({ ...col, kind: 'eq', constantSql: c ? `${quoteIdent(col.column)} = ${c}` : undefined, ...(castTo ? { castTo } : {}) });
      } else if (RANGE_OPS.has(op)) {
        out.predicates.push({ ...col, kind: 'range', ...(castTo ? { castTo } : {}) });
      }
    }
    // The indexed side as written, expression or column: `lower(email) = $1`, `col @> '{…}'`, `created_at::date = …`.
    const [side, other, swapped] = isValue(e.rexpr) ? [e.lexpr, e.rexpr, false] : isValue(e.lexpr) ? [e.rexpr, e.lexpr, true] : [undefined, undefined, false];
    const operand = operandOf(side);
    if (!operand) return;
    if (BTREE_OPS.has(op)) {
      if (operand.expression !== undefined && op !== '<>' && op !== '!=') out.expressions.push({ operand, kind: op === '=' ? 'eq' : 'range', node: expr });
      return;
    }
    const operator = swapped ? COMMUTED[op] : op;
    if (!operator) return;
    const literal = literalOf(other);
    out.operators.push({ operand, operator, ...(literal !== undefined ? { literal } : {}), node: expr });
    return;
  }
  if (e.kind === 'AEXPR_IN' && op === '=') {
    const col = columnOf(e.lexpr);
    if (col) out.predicates.push({ ...col, kind: 'in' });
    const operand = operandOf(e.lexpr);
    if (operand?.expression !== undefined) out.expressions.push({ operand, kind: 'in', node: expr });
    return;
  }
  if (e.kind === 'AEXPR_OP_ANY' && op === '=') {
    const col = columnOf(e.lexpr);
    if (col) out.predicates.push({ ...col, kind: 'in' });
    // `value = ANY(array_col)`: no index serves it as written; a GIN serves `array_col @> ARRAY[value]`.
    const arrayCol = isValue(e.lexpr) ? operandOf(e.rexpr) : undefined;
    if (arrayCol && arrayCol.expression === undefined) out.operators.push({ operand: arrayCol, operator: '= ANY' });
    return;
  }
  if (e.kind === 'AEXPR_BETWEEN') {
    const col = columnOf(e.lexpr);
    if (col) out.predicates.push({ ...col, kind: 'range' });
    const operand = operandOf(e.lexpr);
    if (operand?.expression !== undefined) out.expressions.push({ operand, kind: 'range', node: expr });
    return;
  }
  if ((e.kind === 'AEXPR_LIKE' || e.kind === 'AEXPR_ILIKE' || e.kind === 'AEXPR_SIMILAR') && (op === '~~' || op === '~~*' || op === '~')) {
    const operand = operandOf(e.lexpr);
    if (!operand || !isValue(e.rexpr)) return;
    const pattern = e.kind === 'AEXPR_SIMILAR' ? undefined : literalOf(e.rexpr);
    const col = columnOf(e.lexpr);
    // LIKE 'abc%' can use a b-tree range (under the C collation); a leading wildcard cannot.
    if (col && op === '~~' && pattern !== undefined && isPrefixPattern(pattern)) out.predicates.push({ ...col, kind: 'range', operator: '~~' });
    out.operators.push({ operand, operator: op, ...(pattern !== undefined ? { literal: pattern } : {}), node: expr });
  }
}

/** The type a cast column is cast to (`created_at::date` → `date`). */
function castOf(node: Node | undefined): string | undefined {
  if (!node?.TypeCast) return undefined;
  const parts = (node.TypeCast.typeName?.names as Node[] | undefined)?.map((n) => n.String?.sval);
  return typeof parts?.at(-1) === 'string' ? (parts.at(-1) as string).toLowerCase() : undefined;
}

/** `abc%`: a fixed start a B-tree can range over. */
export function isPrefixPattern(pattern: string): boolean {
  return pattern.length > 0 && pattern[0] !== '%' && pattern[0] !== '_';
}

function collectFrom(items: Node[] | undefined, relations: RelationRef[], sink: Sink, scopes: QueryScope[]): void {
  for (const item of items ?? []) {
    const rv = nodeOf(item, 'RangeVar');
    if (rv) {
      relations.push({ schema: rv.schemaname, name: rv.relname, alias: rv.alias?.aliasname ?? rv.relname });
    } else if (item.JoinExpr) {
      collectFrom([item.JoinExpr.larg, item.JoinExpr.rarg], relations, sink, scopes);
      collectPredicates(item.JoinExpr.quals, sink);
    } else if (item.RangeSubselect) {
      collectScopes(item.RangeSubselect.subquery, scopes);
    }
  }
}

function collectReferenced(node: unknown, into: Map<string, Set<string>>): boolean {
  let star = false;
  walk(node, (n, kind) => {
    if (kind === 'ColumnRef') {
      const fields = n.fields as Node[];
      if (fields.some((f) => f.A_Star)) star = true;
      const col = columnOf({ ColumnRef: n });
      if (col) {
        const key = col.qualifier ?? '';
        if (!into.has(key)) into.set(key, new Set());
        into.get(key)!.add(col.column);
      }
      return 'skip';
    }
    // A subquery's columns are its own scope's (collectScopes reads them there).
    if (kind === 'SubLink' || kind === 'SelectStmt') return 'skip';
    return undefined;
  });
  return star;
}

/** Every SELECT/UPDATE/DELETE scope in the statement, outermost first, including CTEs and subqueries in FROM and WHERE. */
export function collectScopes(stmt: Node | undefined, scopes: QueryScope[] = []): QueryScope[] {
  if (!stmt) return scopes;
  const select = stmt.SelectStmt;
  const update = stmt.UpdateStmt;
  const del = stmt.DeleteStmt;
  if (select) {
    if (select.op && select.op !== 'SETOP_NONE') {
      collectScopes({ SelectStmt: select.larg }, scopes);
      collectScopes({ SelectStmt: select.rarg }, scopes);
      return scopes;
    }
    for (const cte of (select.withClause?.ctes as Node[] | undefined) ?? []) collectScopes(cte.CommonTableExpr?.ctequery, scopes);
    const scope: QueryScope = { relations: [], predicates: [], limitedSort: [], referenced: new Map(), operators: [], expressions: [] };
    scopes.push(scope);
    collectFrom(select.fromClause, scope.relations, scope, scopes);
    collectPredicates(select.whereClause, scope);
    if (select.limitCount) {
      scope.distanceSort = distanceSortOf((select.sortClause as Node[] | undefined)?.[0]);
      for (const s of (select.sortClause as Node[] | undefined) ?? []) {
        const col = columnOf(s.SortBy?.node);
        if (!col) {
          scope.limitedSort = [];
          break;
        }
        scope.limitedSort.push({ ...col, descending: s.SortBy.sortby_dir === 'SORTBY_DESC' });
      }
    }
    const star = collectReferenced([select.targetList, select.whereClause, select.sortClause, select.groupClause, select.fromClause], scope.referenced!);
    if (star) scope.referenced = undefined;
    collectSubLinks(select.whereClause, scopes);
    return scopes;
  }
  if (update || del) {
    const s = update ?? del;
    const scope: QueryScope = { relations: [], predicates: [], limitedSort: [], referenced: undefined, operators: [], expressions: [] };
    scopes.push(scope);
    const rv = s.relation;
    scope.relations.push({ schema: rv.schemaname, name: rv.relname, alias: rv.alias?.aliasname ?? rv.relname });
    collectFrom(update ? update.fromClause : del.usingClause, scope.relations, scope, scopes);
    collectPredicates(s.whereClause, scope);
    collectSubLinks(s.whereClause, scopes);
    return scopes;
  }
  return scopes;
}

/** `ORDER BY col <-> value` (also pgvector's `<=>`, `<#>`, `<+>`): the operand and the distance operator. */
function distanceSortOf(sort: Node | undefined): DistanceSort | undefined {
  const e = sort?.SortBy?.node?.A_Expr;
  const op: string | undefined = (e?.name as Node[] | undefined)?.[0]?.String?.sval;
  if (!e || e.kind !== 'AEXPR_OP' || !op || !['<->', '<=>', '<#>', '<+>', '<<->>'].includes(op)) return undefined;
  if (sort?.SortBy?.sortby_dir === 'SORTBY_DESC') return undefined;
  const [side, other] = isValue(e.rexpr) ? [e.lexpr, e.rexpr] : [e.rexpr, e.lexpr];
  const operand = isValue(other) ? operandOf(side) : undefined;
  return operand ? { operand, operator: op } : undefined;
}

function collectSubLinks(node: unknown, scopes: QueryScope[]): void {
  walk(node, (n, kind) => {
    if (kind !== 'SubLink') return undefined;
    collectScopes(n.subselect, scopes);
    // Not below it: collectScopes finds the subquery's own SubLinks.
    return 'skip';
  });
}

import { quoteIdent } from '../sql/quote-ident';
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
}

type Node = Record<string, any>;

const RANGE_OPS = new Set(['<', '<=', '>', '>=']);

function columnOf(node: Node | undefined): { qualifier?: string; column: string } | undefined {
  if (!node) return undefined;
  if (node.TypeCast) return columnOf(node.TypeCast.arg);
  const ref = node.ColumnRef;
  if (!ref) return undefined;
  const names = (ref.fields as Node[]).map((f) => f.String?.sval).filter((s): s is string => typeof s === 'string');
  if (names.length !== (ref.fields as Node[]).length || names.length === 0) return undefined;
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
  if (node.SQLValueFunction) return true;
  return false;
}


function collectPredicates(expr: Node | undefined, out: ColumnPredicate[]): void {
  if (!expr) return;
  if (expr.BoolExpr) {
    // Only AND-ed conjuncts narrow the rows an index must find; OR branches are left out.
    if (expr.BoolExpr.boolop === 'AND_EXPR') for (const a of expr.BoolExpr.args as Node[]) collectPredicates(a, out);
    return;
  }
  if (expr.NullTest) {
    const col = columnOf(expr.NullTest.arg);
    if (col && expr.NullTest.nulltesttype === 'IS_NULL') out.push({ ...col, kind: 'null', constantSql: `${quoteIdent(col.column)} IS NULL` });
    return;
  }
  const e = expr.A_Expr;
  if (!e) return;
  const op: string | undefined = (e.name as Node[] | undefined)?.[0]?.String?.sval;
  if (e.kind === 'AEXPR_OP' && op) {
    const left = columnOf(e.lexpr);
    const right = columnOf(e.rexpr);
    if (op === '=' && left && right) {
      out.push({ ...left, kind: 'join' }, { ...right, kind: 'join' });
      return;
    }
    const [col, value] = left && isValue(e.rexpr) ? [left, e.rexpr] : right && isValue(e.lexpr) ? [right, e.lexpr] : [undefined, undefined];
    if (!col) return;
    if (op === '=') {
      const c = constantSqlOf(value);
      out.push({ ...col, kind: 'eq', constantSql: c ? `${quoteIdent(col.column)} = ${c}` : undefined });
    } else if (RANGE_OPS.has(op)) {
      out.push({ ...col, kind: 'range' });
    }
    return;
  }
  if (e.kind === 'AEXPR_IN' && op === '=') {
    const col = columnOf(e.lexpr);
    if (col) out.push({ ...col, kind: 'in' });
    return;
  }
  if (e.kind === 'AEXPR_OP_ANY' && op === '=') {
    const col = columnOf(e.lexpr);
    if (col) out.push({ ...col, kind: 'in' });
    return;
  }
  if (e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_LIKE') {
    const col = columnOf(e.lexpr);
    const pattern = constantSqlOf(e.rexpr);
    // LIKE 'abc%' can use a b-tree range; a leading wildcard cannot.
    if (col && (e.kind === 'AEXPR_BETWEEN' || (pattern && !pattern.startsWith("'%") && !pattern.startsWith("'_")))) out.push({ ...col, kind: 'range' });
  }
}

function collectFrom(items: Node[] | undefined, relations: RelationRef[], predicates: ColumnPredicate[], scopes: QueryScope[]): void {
  for (const item of items ?? []) {
    if (item.RangeVar) {
      const rv = item.RangeVar;
      relations.push({ schema: rv.schemaname, name: rv.relname, alias: rv.alias?.aliasname ?? rv.relname });
    } else if (item.JoinExpr) {
      collectFrom([item.JoinExpr.larg, item.JoinExpr.rarg], relations, predicates, scopes);
      collectPredicates(item.JoinExpr.quals, predicates);
    } else if (item.RangeSubselect) {
      collectScopes(item.RangeSubselect.subquery, scopes);
    }
  }
}

function collectReferenced(node: unknown, into: Map<string, Set<string>>): boolean {
  let star = false;
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const obj = n as Node;
    if (obj.ColumnRef) {
      const fields = obj.ColumnRef.fields as Node[];
      if (fields.some((f) => f.A_Star)) star = true;
      const col = columnOf(obj);
      if (col) {
        const key = col.qualifier ?? '';
        if (!into.has(key)) into.set(key, new Set());
        into.get(key)!.add(col.column);
      }
      return;
    }
    if (obj.SubLink || obj.SelectStmt) return;
    for (const v of Object.values(obj)) walk(v);
  };
  walk(node);
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
    const scope: QueryScope = { relations: [], predicates: [], limitedSort: [], referenced: new Map() };
    scopes.push(scope);
    collectFrom(select.fromClause, scope.relations, scope.predicates, scopes);
    collectPredicates(select.whereClause, scope.predicates);
    if (select.limitCount) {
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
    const scope: QueryScope = { relations: [], predicates: [], limitedSort: [], referenced: undefined };
    scopes.push(scope);
    const rv = s.relation;
    scope.relations.push({ schema: rv.schemaname, name: rv.relname, alias: rv.alias?.aliasname ?? rv.relname });
    collectFrom(update ? update.fromClause : del.usingClause, scope.relations, scope.predicates, scopes);
    collectPredicates(s.whereClause, scope.predicates);
    collectSubLinks(s.whereClause, scopes);
    return scopes;
  }
  return scopes;
}

function collectSubLinks(node: unknown, scopes: QueryScope[]): void {
  if (Array.isArray(node)) return node.forEach((n) => collectSubLinks(n, scopes));
  if (!node || typeof node !== 'object') return;
  const obj = node as Node;
  if (obj.SubLink) {
    collectScopes(obj.SubLink.subselect, scopes);
    return;
  }
  for (const v of Object.values(obj)) collectSubLinks(v, scopes);
}

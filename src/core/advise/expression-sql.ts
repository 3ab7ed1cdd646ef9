import { walk, type Node } from '../sql/ast';
import { quoteIdent } from '../sql/quote-ident';

/**
 * SQL text of an expression from Postgres's parse tree, for the key of an expression index.
 * libpg-query 18 has no deparser, and an expression index serves a query only when its key is
 * the query's expression exactly, so this covers the forms an index key can hold — columns,
 * constants, function calls, casts, binary operators, COALESCE, GREATEST/LEAST — and gives up
 * (undefined) on anything else rather than guess.
 */

export interface ColumnRefName {
  qualifier?: string;
  column: string;
}

function names(list: Node[] | undefined): string[] | undefined {
  const out = (list ?? []).map((n) => n.String?.sval);
  return out.every((s): s is string => typeof s === 'string') ? out : undefined;
}

function constantSql(c: Node): string | undefined {
  if (c.isnull) return 'NULL';
  if (c.sval) return `'${String(c.sval.sval ?? '').replace(/'/g, "''")}'`;
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return String(c.fval.fval);
  if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  if (c.bsval) return `B'${String(c.bsval.bsval).replace(/^b/, '')}'`;
  return undefined;
}

function typeSql(t: Node | undefined): string | undefined {
  const parts = names(t?.names);
  if (!parts || parts.length === 0) return undefined;
  // `pg_catalog.int4` and `int4` are the same type; the short name reads like the user's query.
  const shown = parts[0] === 'pg_catalog' ? parts.slice(1) : parts;
  const quoted = shown.map((p) => (parts[0] === 'pg_catalog' ? p : quoteIdent(p))).join('.');
  const mods = ((t?.typmods as Node[] | undefined) ?? []).map((m) => (m.A_Const ? constantSql(m.A_Const) : undefined));
  if (mods.some((m) => m === undefined)) return undefined;
  const bounds = ((t?.arrayBounds as Node[] | undefined) ?? []).map(() => '[]').join('');
  return `${quoted}${mods.length > 0 ? `(${mods.join(', ')})` : ''}${bounds}`;
}

/**
 * SQL of `node`, or undefined when it holds something an index key cannot (a parameter, a subquery, an aggregate…).
 * With `param`, a parameter `$n` is written as `param(n)` (a value side, not an index key).
 */
export function expressionSql(node: Node | undefined, param?: (n: number) => string): string | undefined {
  if (!node) return undefined;
  if (node.ParamRef) return param && typeof node.ParamRef.number === 'number' ? param(node.ParamRef.number) : undefined;
  if (node.ColumnRef) {
    const parts = names(node.ColumnRef.fields);
    return parts && parts.length > 0 ? quoteIdent(parts[parts.length - 1]) : undefined;
  }
  if (node.A_Const) return constantSql(node.A_Const);
  if (node.TypeCast) {
    const arg = expressionSql(node.TypeCast.arg, param);
    const type = typeSql(node.TypeCast.typeName);
    return arg !== undefined && type !== undefined ? `(${arg})::${type}` : undefined;
  }
  if (node.FuncCall) {
    const f = node.FuncCall;
    if (f.agg_star || f.agg_distinct || f.over || f.agg_order || f.agg_filter || f.func_variadic) return undefined;
    const fname = names(f.funcname);
    if (!fname || fname.length === 0) return undefined;
    const args = ((f.args as Node[] | undefined) ?? []).map((a) => expressionSql(a, param));
    if (args.some((a) => a === undefined)) return undefined;
    const shown = fname[0] === 'pg_catalog' ? `pg_catalog.${fname.slice(1).join('.')}` : fname.map(quoteIdent).join('.');
    return `${shown}(${args.join(', ')})`;
  }
  if (node.A_Expr) {
    const e = node.A_Expr;
    const op = names(e.name);
    if (e.kind !== 'AEXPR_OP' || !op || op.length !== 1) return undefined;
    const left = e.lexpr ? expressionSql(e.lexpr, param) : '';
    const right = expressionSql(e.rexpr, param);
    if (left === undefined || right === undefined) return undefined;
    return left === '' ? `(${op[0]} ${right})` : `(${left} ${op[0]} ${right})`;
  }
  if (node.CoalesceExpr) {
    const args = ((node.CoalesceExpr.args as Node[] | undefined) ?? []).map((a) => expressionSql(a, param));
    return args.every((a) => a !== undefined) ? `COALESCE(${args.join(', ')})` : undefined;
  }
  if (node.MinMaxExpr) {
    const args = ((node.MinMaxExpr.args as Node[] | undefined) ?? []).map((a) => expressionSql(a, param));
    const fn = node.MinMaxExpr.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST';
    return args.every((a) => a !== undefined) ? `${fn}(${args.join(', ')})` : undefined;
  }
  return undefined;
}

/**
 * SQL of a whole predicate (`lower(email) = $1`, `f(x) IN (…)`, `… BETWEEN a AND b`, `… LIKE …`),
 * its parameters written by `param`: to test it on sample values of its column (the advisor's
 * selectivity check). Undefined for a form it does not cover.
 */
export function predicateSql(node: Node | undefined, param: (n: number) => string): string | undefined {
  const e = node?.A_Expr;
  if (!e) return expressionSql(node, param);
  const op = names(e.name);
  const items = (n: Node | undefined) => {
    const list = ((n?.List?.items as Node[] | undefined) ?? []).map((i) => expressionSql(i, param));
    return list.length > 0 && list.every((i): i is string => i !== undefined) ? list : undefined;
  };
  const left = expressionSql(e.lexpr, param);
  if (left === undefined || !op || op.length !== 1) return undefined;
  if (e.kind === 'AEXPR_OP' || e.kind === 'AEXPR_LIKE' || e.kind === 'AEXPR_ILIKE') {
    const right = expressionSql(e.rexpr, param);
    return right === undefined ? undefined : `(${left} ${op[0]} ${right})`;
  }
  if (e.kind === 'AEXPR_IN') {
    const list = items(e.rexpr);
    return list && (op[0] === '=' || op[0] === '<>') ? `(${left} ${op[0] === '=' ? 'IN' : 'NOT IN'} (${list.join(', ')}))` : undefined;
  }
  if (e.kind === 'AEXPR_BETWEEN' || e.kind === 'AEXPR_NOT_BETWEEN' || e.kind === 'AEXPR_BETWEEN_SYM' || e.kind === 'AEXPR_NOT_BETWEEN_SYM') {
    const list = items(e.rexpr);
    const word = { AEXPR_BETWEEN: 'BETWEEN', AEXPR_NOT_BETWEEN: 'NOT BETWEEN', AEXPR_BETWEEN_SYM: 'BETWEEN SYMMETRIC', AEXPR_NOT_BETWEEN_SYM: 'NOT BETWEEN SYMMETRIC' }[e.kind as string];
    return list && list.length === 2 ? `(${left} ${word} ${list[0]} AND ${list[1]})` : undefined;
  }
  return undefined;
}

/** Every column `node` reads; undefined when it reads none or holds something other than an expression of columns. */
export function columnRefs(node: Node | undefined): ColumnRefName[] | undefined {
  const out: ColumnRefName[] = [];
  let ok = true;
  walk(node, (n, kind) => {
    if (kind === 'ParamRef' || kind === 'SubLink' || kind === 'SelectStmt') {
      ok = false;
      return 'stop';
    }
    if (kind !== 'ColumnRef') return undefined;
    const parts = names(n.fields);
    if (!parts || parts.length === 0) {
      ok = false;
      return 'stop';
    }
    out.push(parts.length === 1 ? { column: parts[0] } : { qualifier: parts[parts.length - 2], column: parts[parts.length - 1] });
    return 'skip';
  });
  return ok && out.length > 0 ? out : undefined;
}

/** Outer function of an expression (lower-case, without schema), or the operator / cast it applies. */
export function expressionHead(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.FuncCall) return names(node.FuncCall.funcname)?.at(-1)?.toLowerCase();
  if (node.TypeCast) return `::${typeSql(node.TypeCast.typeName) ?? ''}`;
  if (node.A_Expr) return names(node.A_Expr.name)?.[0];
  if (node.CoalesceExpr) return 'coalesce';
  if (node.MinMaxExpr) return node.MinMaxExpr.op === 'IS_GREATEST' ? 'greatest' : 'least';
  return undefined;
}

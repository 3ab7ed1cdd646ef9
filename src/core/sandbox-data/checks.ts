import { loadSqlParser } from '../sql/parse';
import { parseStatements } from '../sql/parse-statements';

/**
 * The common shapes of CHECK constraints, read into per-column restrictions the generator
 * can honour up front. Whatever is not understood is still enforced: the INSERT keeps only
 * the rows that pass every CHECK (see build.ts), so a restriction only raises the yield.
 */

export interface Bound {
  /** The value as SQL text: a number, or a quoted literal. */
  sql: string;
  /** The number, when the literal is numeric. */
  num?: number;
  inclusive: boolean;
}

export interface Restriction {
  /** `col IN (…)` / `col = ANY (ARRAY[…])`: the allowed values, as text. */
  values?: string[];
  min?: Bound;
  max?: Bound;
  minLength?: number;
  maxLength?: number;
  /** `col <> ''` and friends (generated text is never empty anyway). */
  nonEmpty?: boolean;
  /** `col IS NOT NULL` inside a CHECK. */
  notNull?: boolean;
}

/** `low < high` (or <=) between two columns of the same row. */
export interface ColumnOrder {
  low: string;
  high: string;
  strict: boolean;
}

/** `num_nonnulls(a, b, …) = 1` and the like: of these columns, how many may be non-null. */
export interface NonNullCount {
  columns: string[];
  min: number;
  max: number;
}

export interface CheckShapes {
  columns: Map<string, Restriction>;
  orders: ColumnOrder[];
  nonNulls: NonNullCount[];
}

export function emptyShapes(): CheckShapes {
  return { columns: new Map(), orders: [], nonNulls: [] };
}

export function ensureCheckParser(): Promise<void> {
  return loadSqlParser();
}

type Node = Record<string, unknown>;

/** Reads CHECK expressions (pg_get_expr text) into `into`; `valueName` stands for the column in a domain CHECK (VALUE). Call ensureCheckParser first. */
export function readCheck(expr: string, into: CheckShapes, valueName?: string): void {
  let root: Node | undefined;
  try {
    const stmt = parseStatements(`SELECT ${expr}`)[0]?.node as { SelectStmt: { targetList: Array<{ ResTarget: { val: Node } }> } } | undefined;
    root = stmt?.SelectStmt.targetList[0]?.ResTarget.val;
  } catch {
    return;
  }
  if (root) conjunct(root, into, valueName);
}

function restriction(into: CheckShapes, column: string): Restriction {
  let r = into.columns.get(column);
  if (!r) into.columns.set(column, (r = {}));
  return r;
}

function conjunct(node: Node, into: CheckShapes, valueName: string | undefined): void {
  const bool = node.BoolExpr as { boolop: string; args: Node[] } | undefined;
  if (bool?.boolop === 'AND_EXPR') {
    for (const a of bool.args) conjunct(a, into, valueName);
    return;
  }
  if (bool?.boolop === 'OR_EXPR') {
    // `col IS NULL OR <shape of col>`: the shape holds whenever the value is there.
    const rest = bool.args.filter((a) => !isNullTest(a));
    if (rest.length === 1) {
      conjunct(rest[0], into, valueName);
      return;
    }
    // `(kind = 'a' AND …) OR (kind = 'b' AND …)`: kind is one of a, b whichever branch holds.
    const branches = bool.args.map((a) => {
      const b = emptyShapes();
      conjunct(a, b, valueName);
      return b;
    });
    const first = branches[0];
    for (const [col, r] of first.columns) {
      if (!r.values || !branches.every((b) => b.columns.get(col)?.values)) continue;
      const union = [...new Set(branches.flatMap((b) => b.columns.get(col)!.values!))];
      const target = restriction(into, col);
      target.values = target.values ? target.values.filter((v) => union.includes(v)) : union;
    }
    return;
  }
  const nullTest = node.NullTest as { arg: Node; nulltesttype: string } | undefined;
  if (nullTest?.nulltesttype === 'IS_NOT_NULL') {
    const col = columnOf(nullTest.arg, valueName);
    if (col) restriction(into, col).notNull = true;
    return;
  }
  const e = node.A_Expr as { kind: string; name: Array<{ String: { sval: string } }>; lexpr?: Node; rexpr?: Node } | undefined;
  if (!e) return;
  const op = e.name?.[0]?.String?.sval;
  if ((e.kind === 'AEXPR_OP_ANY' && op === '=') || (e.kind === 'AEXPR_IN' && op === '=')) {
    const col = e.lexpr && columnOf(e.lexpr, valueName);
    const values = e.rexpr && listOf(e.rexpr);
    if (col && values?.length) {
      const r = restriction(into, col);
      r.values = r.values ? r.values.filter((v) => values.includes(v)) : values;
    }
    return;
  }
  const between = ((e.rexpr as Node | undefined)?.List as { items?: Node[] } | undefined)?.items;
  if (e.kind === 'AEXPR_BETWEEN' && e.lexpr && between?.length === 2) {
    const col = columnOf(e.lexpr, valueName);
    const [lo, hi] = between.map(constantOf);
    if (col && lo) tighten(restriction(into, col), 'min', { ...lo, inclusive: true });
    if (col && hi) tighten(restriction(into, col), 'max', { ...hi, inclusive: true });
    return;
  }
  if (e.kind !== 'AEXPR_OP' || !op || !e.lexpr || !e.rexpr) return;
  comparison(op, e.lexpr, e.rexpr, into, valueName);
}

function comparison(op: string, left: Node, right: Node, into: CheckShapes, valueName: string | undefined): void {
  const flip: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '<>': '<>', '!=': '<>' };
  // Column against column: an order the generator can build (high = low + a positive step).
  const lc = columnOf(left, valueName);
  const rc = columnOf(right, valueName);
  if (lc && rc) {
    if (op === '<' || op === '<=') into.orders.push({ low: lc, high: rc, strict: op === '<' });
    else if (op === '>' || op === '>=') into.orders.push({ low: rc, high: lc, strict: op === '>' });
    return;
  }
  // length(col) op n
  const lenL = lengthOf(left, valueName);
  const lenR = lengthOf(right, valueName);
  if (lenL || lenR) {
    const col = (lenL ?? lenR)!;
    const c = constantOf(lenL ? right : left);
    if (c?.num === undefined) return;
    const o = lenL ? op : flip[op];
    const r = restriction(into, col);
    if (o === '<=') r.maxLength = Math.min(r.maxLength ?? Infinity, c.num);
    else if (o === '<') r.maxLength = Math.min(r.maxLength ?? Infinity, c.num - 1);
    else if (o === '>=') r.minLength = Math.max(r.minLength ?? 0, c.num);
    else if (o === '>') r.minLength = Math.max(r.minLength ?? 0, c.num + 1);
    else if (o === '=') {
      r.minLength = c.num;
      r.maxLength = c.num;
    }
    return;
  }
  // num_nonnulls(a, b) = 1, num_nulls(a, b) = 1
  const nn = nonNullsOf(left) ?? nonNullsOf(right);
  if (nn) {
    const c = constantOf(nonNullsOf(left) ? right : left);
    if (c?.num === undefined) return;
    const o = nonNullsOf(left) ? op : flip[op];
    const k = nn.columns.length;
    let [min, max] = [0, k];
    if (o === '=') [min, max] = [c.num, c.num];
    else if (o === '<=') max = c.num;
    else if (o === '<') max = c.num - 1;
    else if (o === '>=') min = c.num;
    else if (o === '>') min = c.num + 1;
    else return;
    // num_nulls counts the other way round.
    if (nn.nulls) [min, max] = [k - max, k - min];
    into.nonNulls.push({ columns: nn.columns, min: Math.max(0, min), max: Math.min(k, max) });
    return;
  }
  const col = lc ?? rc;
  if (!col) {
    // btrim(col) <> '' and the like.
    const inner = trimmedColumn(left, valueName) ?? trimmedColumn(right, valueName);
    if (inner && (op === '<>' || op === '!=')) restriction(into, inner).nonEmpty = true;
    return;
  }
  const c = constantOf(lc ? right : left);
  const o = lc ? op : flip[op];
  if (!c || !['>=', '>', '<=', '<', '=', '<>', '!='].includes(o)) return;
  const r = restriction(into, col);
  if (o === '>=' || o === '>') tighten(r, 'min', { ...c, inclusive: o === '>=' });
  else if (o === '<=' || o === '<') tighten(r, 'max', { ...c, inclusive: o === '<=' });
  else if (o === '=') r.values = [c.text];
  else if ((o === '<>' || o === '!=') && c.text === '') r.nonEmpty = true;
}

function tighten(r: Restriction, side: 'min' | 'max', b: Bound): void {
  const cur = r[side];
  if (!cur || cur.num === undefined || b.num === undefined) {
    r[side] = b;
    return;
  }
  const tighter = side === 'min' ? b.num > cur.num || (b.num === cur.num && !b.inclusive) : b.num < cur.num || (b.num === cur.num && !b.inclusive);
  if (tighter) r[side] = b;
}

function isNullTest(n: Node): boolean {
  return (n.NullTest as { nulltesttype?: string } | undefined)?.nulltesttype === 'IS_NULL';
}

function unwrapCasts(n: Node): Node {
  while (n.TypeCast) n = (n.TypeCast as { arg: Node }).arg;
  return n;
}

/** The column a node names (through casts), or `valueName` for a domain's VALUE. */
function columnOf(n: Node, valueName: string | undefined): string | undefined {
  const inner = unwrapCasts(n);
  const ref = inner.ColumnRef as { fields: Array<{ String?: { sval: string } }> } | undefined;
  if (!ref || ref.fields.length !== 1 || !ref.fields[0].String) return undefined;
  const name = ref.fields[0].String.sval;
  if (valueName !== undefined) return name === 'value' ? valueName : undefined;
  return name;
}

function funcName(n: Node): { name: string; args: Node[] } | undefined {
  const f = unwrapCasts(n).FuncCall as { funcname: Array<{ String: { sval: string } }>; args?: Node[] } | undefined;
  if (!f) return undefined;
  return { name: f.funcname[f.funcname.length - 1].String.sval.toLowerCase(), args: f.args ?? [] };
}

function lengthOf(n: Node, valueName: string | undefined): string | undefined {
  const f = funcName(n);
  if (!f || !['length', 'char_length', 'character_length', 'octet_length'].includes(f.name) || f.args.length !== 1) return undefined;
  return columnOf(f.args[0], valueName) ?? trimmedColumn(f.args[0], valueName);
}

function trimmedColumn(n: Node, valueName: string | undefined): string | undefined {
  const f = funcName(n);
  if (!f || !['btrim', 'trim', 'ltrim', 'rtrim', 'lower', 'upper'].includes(f.name) || f.args.length < 1) return undefined;
  return columnOf(f.args[0], valueName);
}

function nonNullsOf(n: Node): { columns: string[]; nulls: boolean } | undefined {
  const f = funcName(n);
  if (!f || (f.name !== 'num_nonnulls' && f.name !== 'num_nulls')) return undefined;
  const cols = f.args.map((a) => columnOf(a, undefined));
  if (cols.some((c) => c === undefined)) return undefined;
  return { columns: cols as string[], nulls: f.name === 'num_nulls' };
}

/** A constant (through casts and a unary minus): its text and, when numeric, its number. */
export function constantOf(n: Node): { sql: string; text: string; num?: number } | undefined {
  const inner = unwrapCasts(n);
  const minus = inner.A_Expr as { kind: string; name: Array<{ String: { sval: string } }>; lexpr?: Node; rexpr?: Node } | undefined;
  if (minus && minus.kind === 'AEXPR_OP' && minus.name[0]?.String.sval === '-' && !minus.lexpr && minus.rexpr) {
    const c = constantOf(minus.rexpr);
    if (c?.num === undefined) return undefined;
    return { sql: String(-c.num), text: String(-c.num), num: -c.num };
  }
  const k = inner.A_Const as
    | { ival?: { ival?: number }; fval?: { fval: string }; sval?: { sval: string }; boolval?: { boolval?: boolean }; isnull?: boolean }
    | undefined;
  if (!k || k.isnull) return undefined;
  if (k.ival) {
    const v = k.ival.ival ?? 0;
    return { sql: String(v), text: String(v), num: v };
  }
  if (k.fval) return { sql: k.fval.fval, text: k.fval.fval, num: Number(k.fval.fval) };
  if (k.boolval) return { sql: String(!!k.boolval.boolval), text: String(!!k.boolval.boolval) };
  if (k.sval) {
    const text = k.sval.sval;
    const num = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : undefined;
    return { sql: `'${text.replace(/'/g, "''")}'`, text, num };
  }
  return undefined;
}

/** The texts of an ARRAY[…] / (…) list of constants. */
function listOf(n: Node): string[] | undefined {
  const inner = unwrapCasts(n);
  const items =
    ((inner.A_ArrayExpr as { elements?: Node[] } | undefined)?.elements ?? (inner.List as { items?: Node[] } | undefined)?.items) ??
    (Array.isArray(n) ? (n as unknown as Node[]) : undefined);
  if (!items) {
    // '{a,b}'::text[]
    const c = constantOf(inner);
    if (c && /^\{.*\}$/.test(c.text)) return parseArrayLiteral(c.text);
    return undefined;
  }
  const out: string[] = [];
  for (const i of items) {
    const c = constantOf(i);
    if (!c) return undefined;
    out.push(c.text);
  }
  return out;
}

/** A one-dimensional array literal's elements ({a,"b c"}); undefined when it holds NULL or nesting. */
export function parseArrayLiteral(text: string): string[] | undefined {
  const body = text.slice(1, -1);
  if (body === '') return [];
  const out: string[] = [];
  let i = 0;
  while (i <= body.length) {
    if (body[i] === '"') {
      let v = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        v += body[i++];
      }
      i++;
      out.push(v);
    } else {
      let j = body.indexOf(',', i);
      if (j < 0) j = body.length;
      const v = body.slice(i, j).trim();
      if (v === 'NULL' || v.startsWith('{')) return undefined;
      out.push(v);
      i = j;
    }
    if (body[i] !== ',') break;
    i++;
  }
  return out;
}

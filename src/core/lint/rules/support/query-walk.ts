import { stringList, type Node } from '../../../sql/ast';
import { nodeOf, type FuncCall, type RangeVar, type SelectStmt, type TypedNodeKind, type TypedNodes } from '../../../sql/nodes';
import { tableKey, type SchemaModel, type Table } from '../../../schema/model';

/**
 * Walking libpg-query query trees. A SELECT body appears as `{ SelectStmt: body }`, and the
 * arms of UNION/INTERSECT/EXCEPT as bare bodies under `larg`/`rarg`.
 */

/**
 * The index of the statement being checked. Rules check one statement at a time, so the query
 * rules share it by keeping just the last one: a WeakMap keyed by ASTs kept every index alive
 * until a full collection (each minor one copied them all), which cost more than the walk.
 */
let indexedAst: object | undefined;
let indexed = new Map<string, Node[]>();

/** Nodes under `ast` grouped by the key they sit under; built in one walk and shared by the query rules. */
function nodesByKey(ast: object): Map<string, Node[]> {
  if (ast !== indexedAst) {
    indexed = new Map<string, Node[]>();
    indexNodes(ast, indexed);
    indexedAst = ast;
  }
  return indexed;
}

/** Not `walk`: every statement is indexed, so this hot loop does without a visitor call and a key array per node (same order, same nodes). */
function indexNodes(node: unknown, map: Map<string, Node[]>): void {
  if (Array.isArray(node)) {
    for (const item of node) indexNodes(item, map);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const key in node) {
    const value = (node as Node)[key];
    if (!value || typeof value !== 'object') continue;
    if (!Array.isArray(value)) {
      const list = map.get(key);
      if (list) list.push(value);
      else map.set(key, [value]);
    }
    indexNodes(value, map);
  }
}

/** Every node of one type (e.g. 'A_Expr') anywhere under `ast`: subqueries, CTEs and set-operation arms included. */
export function forEachNode<K extends TypedNodeKind>(ast: object | undefined, type: K, visit: (node: TypedNodes[K]) => void): void {
  if (!ast) return;
  for (const node of nodesByKey(ast).get(type) ?? []) visit(node as TypedNodes[K]);
}

/** Every SELECT body anywhere under `ast`. */
export function forEachSelect(ast: object | undefined, visit: (select: SelectStmt) => void): void {
  if (!ast) return;
  const byKey = nodesByKey(ast);
  for (const node of byKey.get('SelectStmt') ?? []) visit(node as SelectStmt);
  for (const key of ['larg', 'rarg']) for (const node of byKey.get(key) ?? []) if ('op' in node) visit(node as SelectStmt);
}

/**
 * The SELECT bodies whose output list is the statement's result: the statement's own
 * select, or each arm of a set operation. CTE bodies and subqueries are not among them.
 */
export function outputSelects(ast: Node | undefined): SelectStmt[] {
  const root = nodeOf(ast, 'SelectStmt');
  if (!root) return [];
  const out: SelectStmt[] = [];
  const visit = (select: SelectStmt): void => {
    if (select.op && select.op !== 'SETOP_NONE') {
      if (select.larg) visit(select.larg);
      if (select.rarg) visit(select.rarg);
    } else out.push(select);
  };
  visit(root);
  return out;
}

/** Lower-cased unqualified name of a FuncCall. */
export function functionName(call: FuncCall): string {
  const names = stringList(call.funcname);
  return (names[names.length - 1] ?? '').toLowerCase();
}

/** A string constant, possibly cast (`'%a'::text`). */
export function stringConstant(node: Node | undefined): { value: string; location?: number } | undefined {
  const target = node?.TypeCast ? node.TypeCast.arg : node;
  const c = target?.A_Const;
  if (!c?.sval) return undefined;
  return { value: c.sval.sval ?? '', location: c.location };
}

/** A literal constant (number, string, boolean), possibly cast. NULL counts too. */
export function isLiteral(node: Node | undefined): boolean {
  const target = node?.TypeCast ? node.TypeCast.arg : node;
  return target?.A_Const !== undefined;
}

/** Integer value of a literal, possibly cast or written as a string (`'5000'::int`). */
export function integerLiteral(node: Node | undefined): number | undefined {
  const target = node?.TypeCast ? node.TypeCast.arg : node;
  const c = target?.A_Const;
  if (!c) return undefined;
  if (c.ival) return typeof c.ival.ival === 'number' ? c.ival.ival : 0;
  const text = c.fval?.fval ?? c.sval?.sval;
  if (typeof text === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(text)) return Number(text);
  return undefined;
}

export interface FromTable {
  /** The RangeVar node. */
  node: RangeVar;
  schema?: string;
  name: string;
  /** Alias if any, else the table name: what qualifies its columns. */
  refName: string;
}

/** Plain tables in a FROM list (joins unfolded), excluding names the query's WITH defines. */
export function fromTables(select: SelectStmt): FromTable[] {
  const cteNames = new Set<string>((select.withClause?.ctes ?? []).map((c: Node) => c.CommonTableExpr?.ctename));
  const out: FromTable[] = [];
  const visit = (item: Node | undefined): void => {
    if (!item) return;
    if (item.RangeVar) {
      const rv: RangeVar = item.RangeVar;
      if (!rv.schemaname && cteNames.has(rv.relname)) return;
      out.push({ node: rv, schema: rv.schemaname, name: rv.relname, refName: rv.alias?.aliasname ?? rv.relname });
    } else if (item.JoinExpr) {
      visit(item.JoinExpr.larg);
      visit(item.JoinExpr.rarg);
    }
  };
  for (const item of select.fromClause ?? []) visit(item);
  return out;
}

/** The model's table for a name as written: exact schema (public when unqualified), else the only table of that name. */
export function findTable(schema: SchemaModel, name: { schema?: string; name: string }): Table | undefined {
  const exact = schema.tables.get(tableKey(name.schema ?? 'public', name.name));
  if (exact || name.schema) return exact;
  let found: Table | undefined;
  for (const t of schema.tables.values()) {
    if (t.name !== name.name) continue;
    if (found) return undefined;
    found = t;
  }
  return found;
}

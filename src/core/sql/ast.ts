import type { SourceRange } from '../types';
import { isNodeKey, type RangeVar, type TypedNodeKind, type TypedNodes } from './nodes';
import type { AstNode, Statement } from './statement';
import type { SqlToken } from './tokens';

/** Small readers for libpg-query AST nodes, shared by replay and rules. */
export type Node = AstNode;

/** `[{String: {sval: 'a'}}, …]` → ['a', …]. */
export function stringList(list: Node[] | undefined): string[] {
  if (!list) return [];
  const out: string[] = [];
  for (const item of list) {
    const s = item?.String?.sval;
    if (typeof s === 'string') out.push(s);
  }
  return out;
}

export interface RelationName {
  schema?: string;
  name: string;
  location?: number;
}

export function relationName(rangeVar: RangeVar | Node | undefined): RelationName | undefined {
  if (!rangeVar || typeof rangeVar.relname !== 'string') return undefined;
  return { schema: rangeVar.schemaname, name: rangeVar.relname, location: rangeVar.location };
}

/** `DROP … a, b.c`'s object lists → names. */
export function dropObjectNames(objects: Node[] | undefined): RelationName[] {
  const out: RelationName[] = [];
  for (const o of objects ?? []) {
    const parts = stringList(o?.List?.items);
    if (parts.length === 0) continue;
    out.push(parts.length >= 2 ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] } : { name: parts[0] });
  }
  return out;
}

/** Integer value of an A_Const (a 0 is an empty `ival` object). */
export function constInt(node: Node | undefined): number | undefined {
  const c = node?.A_Const;
  if (!c) return undefined;
  if (c.ival) return typeof c.ival.ival === 'number' ? c.ival.ival : 0;
  if (c.fval?.fval) return Number(c.fval.fval);
  return undefined;
}

export function constString(node: Node | undefined): string | undefined {
  const c = node?.A_Const;
  if (!c) return undefined;
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval;
  if (c.boolval) return String(c.boolval.boolval ?? false);
  return undefined;
}

/**
 * The identifiers a piece of SQL or PL/pgSQL text mentions, as Postgres stores them (lower-cased
 * unless quoted), words inside string literals included: a rough reading, for code the replay
 * does not parse (a DO block, an EXECUTE string) or to check a statement still names something.
 */
export function identifierWords(text: string): Set<string> {
  return new Set((text.match(/"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*/g) ?? []).map((w) => (w.startsWith('"') ? w.slice(1, -1).replace(/""/g, '"') : w.toLowerCase())));
}

/**
 * The parse-tree walker: visits every object below `node` (depth first, a parent before its
 * children) with the key it sits under — a node body under its type (`{ FuncCall: X }` yields X
 * with key 'FuncCall'), a field's object under the field's name. Array items are not visited
 * themselves, only what they hold. Works on any libpg-query JSON, PL/pgSQL's parse included.
 * The visitor may return 'skip' to not descend into a node (a subquery another pass reads), or
 * 'stop' once it has found what it looks for; any other answer goes on.
 */
export function walk(node: unknown, visit: (node: Node, key: string) => unknown, key = ''): void {
  walkFrom(node, visit, key);
}

/** `walk`'s recursion: true when a visitor said 'stop'. */
function walkFrom(node: unknown, visit: (node: Node, key: string) => unknown, key: string): boolean {
  if (Array.isArray(node)) {
    for (const item of node) if (walkFrom(item, visit, key)) return true;
    return false;
  }
  if (!node || typeof node !== 'object') return false;
  for (const k of Object.keys(node)) {
    const v = (node as Node)[k];
    if (v && typeof v === 'object') {
      if (!Array.isArray(v)) {
        const step = visit(v, k);
        if (step === 'stop') return true;
        if (step === 'skip') continue;
      }
      if (walkFrom(v, visit, k)) return true;
    }
  }
  return false;
}

/** Smallest `location` in a subtree, the node itself included: where its text starts, in practice. */
export function firstLocation(node: unknown): number | undefined {
  let best: number | undefined;
  const consider = (n: Node): void => {
    const loc = n.location;
    if (typeof loc === 'number' && loc >= 0 && (best === undefined || loc < best)) best = loc;
  };
  if (node && typeof node === 'object' && !Array.isArray(node)) consider(node as Node);
  walk(node, consider);
  return best;
}

/** `walk` over node bodies only, each with its type (`RangeVar`, `SelectStmt`); fields' objects are skipped. */
export function walkNodes(tree: unknown, visit: (type: string, node: Node) => void): void {
  walk(tree, (node, key) => {
    if (isNodeKey(key)) visit(key, node);
  });
}

/** Every node of one typed kind below `tree`, depth first: `walkNodesOf(ast, 'ColumnRef', (ref) => …)`. */
export function walkNodesOf<K extends TypedNodeKind>(tree: unknown, kind: K, visit: (node: TypedNodes[K]) => void): void {
  walk(tree, (node, key) => {
    if (key === kind) visit(node as TypedNodes[K]);
  });
}

const NAME_KINDS = new Set(['ident', 'keyword']);

/** Range of a possibly qualified name (`s.t`, `"T"`) starting at an AST location. */
export function nameRange(statement: Statement, byteLocation: number | undefined): SourceRange {
  const tokens = statement.tokens();
  const start = statement.offsetOf(byteLocation);
  let i = tokenIndexAt(tokens, start);
  if (i >= tokens.length) return statement.locate(byteLocation);
  let end = tokens[i].end;
  while (i + 2 < tokens.length && tokens[i + 1].text === '.' && NAME_KINDS.has(tokens[i + 2].kind)) {
    end = tokens[i + 2].end;
    i += 2;
  }
  return statement.rangeOf(start, end);
}

/** Index of the first token starting at or after a file offset. */
export function tokenIndexAt(tokens: SqlToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Text of a token span with whitespace collapsed, for names of expressions. */
export function spanText(statement: Statement, from: number, to: number): string {
  const tokens = statement.tokens();
  const base = statement.range.startOffset;
  return statement.text
    .slice(tokens[from].start - base, tokens[to - 1].end - base)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The comma-separated items of the parenthesised list whose '(' is token `open`: each as
 * [firstToken, endToken) index pairs. Returns the items and the index of the closing ')'.
 */
export function parenItems(tokens: SqlToken[], open: number): { items: Array<[number, number]>; close: number } {
  const items: Array<[number, number]> = [];
  let depth = 0;
  let itemStart = open + 1;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'comment') continue;
    if (t.kind !== 'punct') continue;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') {
      depth--;
      if (depth === 0) {
        if (i > itemStart) items.push([itemStart, i]);
        return { items, close: i };
      }
    } else if (t.text === ',' && depth === 1) {
      items.push([itemStart, i]);
      itemStart = i + 1;
    }
  }
  return { items, close: tokens.length };
}

import type { Node } from '@babel/types';

/** Keys that never hold code a query can hide in: positions, comments, types. */
const SKIPPED_KEYS = new Set([
  'type', 'start', 'end', 'loc', 'range', 'extra', 'leadingComments', 'trailingComments', 'innerComments', 'comments', 'tokens',
  'typeAnnotation', 'typeParameters', 'typeArguments', 'returnType', 'superTypeParameters', 'implements', 'decorators', 'predicate',
]);

/**
 * Keys that may hold child nodes, per node type, learnt from the nodes seen (the union over the
 * first instances of each type: Babel sets a type's fields on every instance, null when empty).
 * Generic over the keys rather than @babel/types' VISITOR_KEYS table, which would add ~270 KB
 * to the bundle; reading every key of every node instead costs ~15% of a scan.
 */
const childKeys = new Map<string, { keys: string[]; seen: number }>();
const LEARN_FROM = 50;

function keysOf(node: Node): string[] {
  let entry = childKeys.get(node.type);
  if (!entry) childKeys.set(node.type, (entry = { keys: [], seen: 0 }));
  if (entry.seen < LEARN_FROM) {
    entry.seen++;
    const record = node as unknown as Record<string, unknown>;
    for (const key in record) {
      if (SKIPPED_KEYS.has(key) || entry.keys.includes(key)) continue;
      const value = record[key];
      if (Array.isArray(value) || isNode(value) || value === null) entry.keys.push(key);
    }
  }
  return entry.keys;
}

/** The child nodes of a Babel node, in source order. */
export function forEachChild(node: Node, visit: (child: Node) => void): void {
  const record = node as unknown as Record<string, unknown>;
  for (const key of keysOf(node)) {
    const value = record[key];
    if (Array.isArray(value)) {
      for (const v of value) if (isNode(v)) visit(v);
    } else if (isNode(value)) visit(value);
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

/** Every identifier read in an expression (not property names, not object keys). */
export function referencedNames(node: Node, out: Set<string> = new Set()): Set<string> {
  const visit = (n: Node): void => {
    switch (n.type) {
      case 'Identifier':
        out.add(n.name);
        return;
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        visit(n.object);
        if (n.computed) visit(n.property);
        return;
      case 'ObjectProperty':
        if (n.computed) visit(n.key);
        visit(n.value);
        return;
      default:
        forEachChild(n, visit);
    }
  };
  visit(node);
  return out;
}

/** Names a declaration pattern binds: `x`, `{ a, b: c }`, `[d, ...e]`. */
export function patternNames(node: Node | null | undefined, out: string[] = []): string[] {
  if (!node) return out;
  switch (node.type) {
    case 'Identifier':
      out.push(node.name);
      break;
    case 'ObjectPattern':
      for (const p of node.properties) patternNames(p.type === 'RestElement' ? p.argument : (p.value as Node), out);
      break;
    case 'ArrayPattern':
      for (const e of node.elements) patternNames(e, out);
      break;
    case 'RestElement':
      patternNames(node.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(node.left, out);
      break;
    case 'TSParameterProperty':
      patternNames(node.parameter, out);
      break;
    case 'VariableDeclaration':
      for (const d of node.declarations) patternNames(d.id, out);
      break;
    default:
      break;
  }
  return out;
}

/** Removes TS-only wrappers (`x as T`, `x!`, `<T>x`, `x satisfies T`) and parentheses. */
export function unwrap(node: Node): Node {
  let n = node;
  for (;;) {
    if (n.type === 'TSAsExpression' || n.type === 'TSNonNullExpression' || n.type === 'TSTypeAssertion' || n.type === 'TSSatisfiesExpression' || n.type === 'ParenthesizedExpression') n = n.expression;
    else return n;
  }
}

/** The name of a non-computed property (`a.b` → 'b', `a['b']` → 'b'), else undefined. */
export function propertyName(node: Node): string | undefined {
  if (node.type !== 'MemberExpression' && node.type !== 'OptionalMemberExpression') return undefined;
  const p = node.property;
  if (!node.computed && p.type === 'Identifier') return p.name;
  if (p.type === 'StringLiteral') return p.value;
  if (p.type === 'PrivateName') return p.id.name;
  return undefined;
}

import type { File, Node } from '@babel/types';
import { collectBindings } from './bindings';
import { classifyDbCall, type Bindings, type DbCall } from './db-calls';
import { forEachChild, patternNames, propertyName, referencedNames, unwrap } from './walk';

/** A loop whose body runs once per element (or per turn). */
export interface Loop {
  /** How the finding names it: `for…of loop`, `.map callback`, `while loop`. */
  kind: string;
  /** Offset of the loop statement or the iterating call. */
  start: number;
  /** The iterated collection, when there is one. */
  collection?: Node;
  /** Its source text, shortened for messages. */
  collectionText?: string;
  /** The loop variable (`user` in `for (const user of users)`, a callback's element parameter). */
  item?: string;
  /** The loop statement, or the iterating call (`users.map(…)`). */
  node: Node;
  /** For a `.map`/`.forEach` callback: the callback function. */
  callback?: Node;
  /** The collection is known to be an array (a literal, an array method's result, an `X[]` binding): `.map` works on it. */
  collectionIsArray?: boolean;
}

/** A database call that runs once per turn of a loop: the finding's raw material. */
export interface LoopQuery {
  loop: Loop;
  /** The call; for one made by a helper, the helper's first database call. */
  call: DbCall;
  /** A same-file function called in the loop that makes `call` (the finding goes on this call). */
  via?: { name: string; start: number; end: number };
  inTransaction: boolean;
  /** The query that produced the loop's collection (`const users = await prisma.user.findMany()`). */
  source?: DbCall;
}

export interface AppCodeAnalysis {
  /** Every database call of the file. */
  calls: DbCall[];
  queries: LoopQuery[];
  bindings: Bindings;
}

/** Callbacks run once per element. */
const ITERATORS = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'reduce', 'reduceRight']);
/** `pMap(xs, fn)`, `Bluebird.map(xs, fn)`, `_.forEach(xs, fn)`, `async.eachSeries(xs, fn)`: collection first, callback second. */
const COLLECTION_FIRST = new Set(['map', 'forEach', 'each', 'flatMap', 'pMap', 'pMapSeries', 'mapSeries', 'eachSeries', 'mapLimit', 'eachLimit', 'mapConcurrent']);
/** Calls whose callback runs now, inside a transaction. */
const TRANSACTIONS = new Set(['$transaction', 'transaction', 'begin']);
/** A loop over at most this many literal constants is not N+1. */
const SMALL_CONSTANT = 10;
/** Calls whose result is an array (so `.map` works on it, for the createMany fix). */
const ARRAY_RESULTS = new Set(['map', 'filter', 'slice', 'flatMap', 'flat', 'concat', 'sort', 'toSorted', 'toReversed', 'toSpliced', 'split']);
/** `chunk(ids, 500)`, `_.chunk(…)`, `batches(…)`: a loop over batches already sends one query per batch. */
const CHUNKERS = /^(chunk|chunks|chunked|chunkArray|inChunks|batch|batches|batched|splitEvery|toChunks|toBatches)$/i;
/** Operations whose first argument is the SQL text itself. */
const TEXT_FIRST = new Set(['query', 'unsafe', '$executeRawUnsafe', '$queryRawUnsafe', 'execute', 'raw']);

/** `X[]`, `readonly X[]`, `Array<X>`, `ReadonlyArray<X>`. */
function isArrayType(t: Node | null | undefined): boolean {
  const u = t && t.type === 'TSTypeAnnotation' ? t.typeAnnotation : t;
  if (!u) return false;
  if (u.type === 'TSArrayType' || u.type === 'TSTupleType') return true;
  if (u.type === 'TSTypeOperator') return isArrayType(u.typeAnnotation);
  return u.type === 'TSTypeReference' && u.typeName.type === 'Identifier' && (u.typeName.name === 'Array' || u.typeName.name === 'ReadonlyArray');
}

/** The type annotation of a declared identifier or parameter. */
function annotationOf(id: Node | undefined): Node | null | undefined {
  if (!id) return undefined;
  if (id.type === 'TSParameterProperty') return annotationOf(id.parameter as Node);
  if (id.type === 'AssignmentPattern') return annotationOf(id.left as Node);
  if (id.type === 'Identifier' || id.type === 'ArrayPattern' || id.type === 'ObjectPattern' || id.type === 'RestElement') return id.typeAnnotation as Node | null | undefined;
  return undefined;
}

/** Whether any call of one of `names` (as a method or a function) is inside `node`. */
function hasCallOf(node: Node | null | undefined, names: Set<string>): boolean {
  if (!node) return false;
  let found = false;
  const look = (n: Node): void => {
    if (found) return;
    if ((n.type === 'CallExpression' || n.type === 'OptionalCallExpression') && names.has(propertyName(unwrap(n.callee as Node)) ?? '')) found = true;
    else forEachChild(n, look);
  };
  look(node);
  return found;
}

interface Frame extends Loop {
  /** A small constant collection or bound: its queries belong to the enclosing loop, if any. */
  constant: boolean;
  /** A while loop that does not consume a collection (polling, paging, retrying): not claimed. */
  claims: boolean;
  inTransaction: boolean;
  /** A `.map` whose calls are handed to `$transaction([...])`: writes already batched by the author. */
  batchedWrites: boolean;
  declared: Set<string>;
  assigned: Set<string>;
  /** Names declared in the body from an expression that queries. */
  dbBound: Set<string>;
  pending: Pending[];
  /** The query that produced the collection, through the binding the loop's scope resolves it to. */
  source?: DbCall;
  /** A `.map` callback whose array goes to `Promise.all`: Prisma batches the findUnique calls made in one tick. */
  promiseAll?: boolean;
}

/** One name a scope declares: what a loop's collection or bound really refers to. */
interface ScopeBinding {
  kind: 'var' | 'let' | 'const' | 'param' | 'other';
  /** The initialiser, `await` and TS wrappers removed. */
  init?: Node;
  /** The declared identifier or parameter (its type annotation). */
  id?: Node;
  /** Assigned after its declaration: its initialiser may no longer be its value. */
  reassigned: boolean;
}

/** A lexical scope: a function's or a block's names. */
interface Scope {
  names: Map<string, ScopeBinding>;
  parent?: Scope;
  fn: boolean;
}

interface Pending {
  call?: DbCall;
  helper?: { name: string; start: number; end: number };
  refs: Set<string>;
  inTransaction: boolean;
  /** Pushed onto an array that is handed to `$transaction([...])`: batched by the author. */
  handedToTransaction?: boolean;
}

interface FunctionInfo {
  calls: DbCall[];
  callees: Set<string>;
}

interface State {
  frames: Frame[];
  fn: FunctionInfo | undefined;
  tx: boolean;
  scope: Scope;
  /** The call being visited is an argument of `arr.push(…)` where `arr` goes to `$transaction`. */
  handedToTransaction?: boolean;
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassMethod', 'ClassPrivateMethod', 'ObjectMethod']);

function isFunction(n: Node | undefined | null): boolean {
  return Boolean(n && FUNCTION_TYPES.has(n.type));
}

export function analyzeAppCode(ast: File, text: string): AppCodeAnalysis {
  const bindings = collectBindings(ast, text);
  const calls: DbCall[] = [];
  const byNode = new Map<Node, DbCall>();
  const functions = new Map<string, FunctionInfo[]>();
  const queries: LoopQuery[] = [];
  const helperSites: Array<{ frame: Frame; helper: NonNullable<Pending['helper']>; inTransaction: boolean }> = [];
  let dbCount = 0;

  const shorten = (s: string): string => {
    const one = s.replace(/\s+/g, ' ');
    return one.length > 48 ? `${one.slice(0, 45)}…` : one;
  };
  const src = (n: Node): string => text.slice(n.start ?? 0, n.end ?? 0);

  const lookup = (name: string, scope: Scope | undefined): ScopeBinding | undefined => {
    for (let s = scope; s; s = s.parent) {
      const b = s.names.get(name);
      if (b) return b;
    }
    return undefined;
  };
  const stripAwait = (n: Node): Node => {
    const u = unwrap(n);
    return u.type === 'AwaitExpression' ? unwrap(u.argument) : u;
  };

  // Arrays handed to `$transaction(…)`: by name (`$transaction(ops)`, `[...ops]`), or the `.map`
  // call itself. Gathered before the walk: the array is built (and its loop closed) before the call.
  const txArrays = new Set<string>();
  const txMaps = new Set<Node>();
  if (text.includes('$transaction')) {
    const handed = (arg: Node): void => {
      const a = unwrap(arg);
      if (a.type === 'Identifier') txArrays.add(a.name);
      else if (a.type === 'CallExpression') txMaps.add(a);
      else if (a.type === 'ArrayExpression') for (const e of a.elements) if (e?.type === 'SpreadElement') handed(e.argument);
    };
    const scanCalls = (n: Node): void => {
      if (n.type === 'CallExpression' && propertyName(unwrap(n.callee as Node)) === '$transaction' && n.arguments[0]) handed(n.arguments[0] as Node);
      forEachChild(n, scanCalls);
    };
    scanCalls(ast.program);
    if (txArrays.size > 0) {
      const scanDecls = (n: Node): void => {
        if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier' && txArrays.has(n.id.name) && n.init) handed(n.init);
        forEachChild(n, scanDecls);
      };
      scanDecls(ast.program);
    }
  }

  /** Whether the loop's collection is an array for sure: the createMany fix calls `.map` on it. */
  const isKnownArray = (n: Node, scope: Scope, depth = 0): boolean => {
    const u = stripAwait(n);
    if (u.type === 'ArrayExpression') return true;
    if (u.type === 'CallExpression') {
      const callee = unwrap(u.callee as Node);
      const m = propertyName(callee);
      if (m && ARRAY_RESULTS.has(m)) return true;
      const owner = callee.type === 'MemberExpression' && callee.object.type === 'Identifier' ? callee.object.name : undefined;
      if ((owner === 'Array' && m === 'from') || (owner === 'Object' && (m === 'keys' || m === 'values' || m === 'entries'))) return true;
      const call = byNode.get(u);
      return call?.client === 'prisma' && call.operation === 'findMany';
    }
    if (u.type === 'Identifier' && depth < 4) {
      const b = lookup(u.name, scope);
      if (!b) return false;
      if (isArrayType(annotationOf(b.id))) return true;
      return !b.reassigned && b.init !== undefined && isKnownArray(b.init, scope, depth + 1);
    }
    return false;
  };

  const isConstantValue = (n: Node, depth = 0): boolean => {
    const u = unwrap(n);
    switch (u.type) {
      case 'StringLiteral':
      case 'NumericLiteral':
      case 'BooleanLiteral':
      case 'NullLiteral':
      case 'BigIntLiteral':
        return true;
      case 'TemplateLiteral':
        return u.expressions.length === 0;
      case 'UnaryExpression':
        return isConstantValue(u.argument, depth);
      case 'Identifier':
        return /^[A-Z][A-Z0-9_]*$/.test(u.name) || u.name === 'undefined';
      case 'MemberExpression':
        return !u.computed && (u.object.type === 'Identifier' || u.object.type === 'MemberExpression') && isConstantValue(u.object, depth);
      case 'ObjectExpression':
        return depth < 2 && u.properties.every((p) => p.type === 'ObjectProperty' && isConstantValue(p.value as Node, depth + 1));
      case 'ArrayExpression':
        return depth < 2 && u.elements.every((e) => e !== null && isConstantValue(e, depth + 1));
      default:
        return false;
    }
  };
  /** An identifier's latest initialiser, when it is a literal. */
  const literalOf = (n: Node): Node => {
    const u = unwrap(n);
    if (u.type !== 'Identifier') return u;
    const inits = bindings.inits.get(u.name);
    return inits ? unwrap(inits[inits.length - 1]) : u;
  };
  const isSmallConstantCollection = (n: Node): boolean => {
    const u = literalOf(n);
    if (u.type === 'ArrayExpression') return u.elements.length <= SMALL_CONSTANT && u.elements.every((e) => e !== null && e.type !== 'SpreadElement' && isConstantValue(e));
    if (u.type === 'TSEnumDeclaration') return u.members.length <= SMALL_CONSTANT;
    // Object.keys/values/entries of a small literal object or enum.
    if (u.type === 'CallExpression' && u.arguments.length === 1 && ['keys', 'values', 'entries'].includes(propertyName(u.callee) ?? '')) {
      const target = literalOf(u.arguments[0] as Node);
      if (target.type === 'ObjectExpression') return target.properties.length <= SMALL_CONSTANT && isConstantValue(target);
      if (target.type === 'TSEnumDeclaration') return target.members.length <= SMALL_CONSTANT;
    }
    return false;
  };

  const newFrame = (kind: string, node: Node, st: State, extra: Partial<Frame>): Frame => ({
    kind,
    node,
    start: node.start ?? 0,
    constant: false,
    claims: true,
    inTransaction: st.tx,
    batchedWrites: false,
    declared: new Set(),
    assigned: new Set(),
    dbBound: new Set(),
    pending: [],
    ...extra,
  });

  /** `X.length`/`X.size` in a loop test, or `X.shift()`/`X.pop()`: the collection the loop consumes. */
  const consumedCollection = (test: Node | null | undefined): Node | undefined => {
    let found: Node | undefined;
    const look = (n: Node): void => {
      if (found) return;
      if ((n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') && ['length', 'size'].includes(propertyName(n) ?? '')) found = n.object;
      else if ((n.type === 'CallExpression' || n.type === 'OptionalCallExpression') && ['shift', 'pop'].includes(propertyName(n.callee) ?? '') && n.arguments.length === 0) {
        const callee = n.callee;
        if (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') found = callee.object;
      } else forEachChild(n, look);
    };
    if (test) look(test);
    return found;
  };
  /** `i < 3`, `i <= 5`, `attempt < MAX` with a small literal: a bounded retry, not a collection. */
  const smallBound = (test: Node | null | undefined, scope: Scope): boolean => {
    const t = test ? unwrap(test) : undefined;
    if (!t || t.type !== 'BinaryExpression' || !['<', '<=', '>', '>='].includes(t.operator)) return false;
    let limit = unwrap(['<', '<='].includes(t.operator) ? t.right : (t.left as Node));
    // `attempt < MAX_RETRIES` with `const MAX_RETRIES = 5` in scope: the same bounded retry.
    if (limit.type === 'Identifier') {
      const b = lookup(limit.name, scope);
      if (b?.kind === 'const' && b.init) limit = b.init;
    }
    return limit.type === 'NumericLiteral' && limit.value <= SMALL_CONSTANT;
  };
  /** `for (let i = 0; i < ids.length; i += 500)` slicing `ids`: one query per batch, already batched. */
  const chunkedFor = (n: Node & { type: 'ForStatement' }): boolean => {
    const u = n.update ? unwrap(n.update) : undefined;
    if (!u || u.type !== 'AssignmentExpression' || u.operator !== '+=') return false;
    const step = unwrap(u.right);
    if (step.type === 'NumericLiteral' && step.value <= 1) return false;
    return hasCallOf(n.body, new Set(['slice', 'splice', 'subarray']));
  };
  /** `for (const batch of chunk(ids, 500))`. */
  const chunkedCollection = (collection: Node): boolean => {
    const c = stripAwait(collection);
    if (c.type !== 'CallExpression') return false;
    const callee = unwrap(c.callee as Node);
    const name = callee.type === 'Identifier' ? callee.name : propertyName(callee);
    return name !== undefined && CHUNKERS.test(name);
  };
  /** `pool.query(s)` with `s` the element (or `m.sql`): each turn runs a different statement, no lookup per element. */
  const runsElementAsStatement = (call: DbCall, item: string | undefined): boolean => {
    if (!item || call.sql !== undefined || !TEXT_FIRST.has(call.operation) || !call.args[0]) return false;
    const a = unwrap(call.args[0]);
    if (a.type === 'Identifier') return a.name === item;
    return a.type === 'MemberExpression' && !a.computed && a.object.type === 'Identifier' && a.object.name === item;
  };
  /** The call is made as the callback starts, before any await: in the same tick as its siblings. */
  const sameTick = (frame: Frame, call: DbCall): boolean => {
    const fn = frame.callback as (Node & { body?: Node }) | undefined;
    if (!fn?.body) return false;
    const before = text.slice(fn.body.start ?? 0, call.start).replace(/await\s*$/, '');
    return !/\bawait\b/.test(before);
  };

  const closeFrame = (frame: Frame, st: State): void => {
    const parent = st.frames[st.frames.length - 1];
    if (frame.constant) {
      if (parent) parent.pending.push(...frame.pending);
      return;
    }
    if (!frame.claims) return;
    const carried = new Set([...frame.assigned].filter((n) => !frame.declared.has(n)));
    const intersects = (a: Set<string>, b: Set<string>): boolean => [...a].some((x) => b.has(x));
    // Writes in a transaction where one uses what an earlier query returned: a sequence, not a batch.
    const dependentWrites = frame.inTransaction && frame.pending.some((p) => p.call?.write && intersects(p.refs, frame.dbBound));
    for (const p of frame.pending) {
      // A query fed by a value the previous turn computed (a cursor, a parent pointer) cannot be batched.
      if (intersects(p.refs, carried)) continue;
      if (p.call) {
        if (p.call.write && (dependentWrites || frame.batchedWrites || p.handedToTransaction || (p.inTransaction && intersects(p.refs, frame.dbBound)))) continue;
        if (!frame.collection && p.call.paginated) continue;
        if (runsElementAsStatement(p.call, frame.item)) continue;
        // Prisma's dataloader sends the findUnique calls of one tick as one query.
        if (frame.promiseAll && p.call.client === 'prisma' && p.call.operation === 'findUnique' && sameTick(frame, p.call)) continue;
        queries.push({ loop: frame, call: p.call, inTransaction: p.inTransaction, source: frame.source });
      } else if (p.helper) {
        helperSites.push({ frame, helper: p.helper, inTransaction: p.inTransaction });
      }
    }
  };

  /**
   * The query that produced the collection: the initialiser of the declaration the loop's name
   * resolves to in its own scope chain (not another function's variable of the same name), unless
   * the name was assigned again since.
   */
  const sourceQuery = (collection: Node | undefined, start: number, scope: Scope): DbCall | undefined => {
    if (!collection) return undefined;
    const c = stripAwait(collection);
    if (c.type === 'Identifier') {
      const b = lookup(c.name, scope);
      if (!b || b.reassigned || !b.init) return undefined;
      const hit = byNode.get(b.init);
      return hit && hit.start < start ? hit : undefined;
    }
    return byNode.get(c);
  };
  /** Resolves what a new frame's collection refers to, now, in the scope it is written in. */
  const withCollection = (frame: Frame, st: State): Frame => {
    frame.source = sourceQuery(frame.collection, frame.start, st.scope);
    frame.collectionIsArray = frame.collection !== undefined && isKnownArray(frame.collection, st.scope);
    return frame;
  };

  const fnFor = (name: string | undefined, st: State): FunctionInfo | undefined => {
    if (!name) return st.fn;
    const info: FunctionInfo = { calls: [], callees: new Set() };
    const list = functions.get(name);
    if (list) list.push(info);
    else functions.set(name, [info]);
    return info;
  };

  const declare = (names: string[], st: State): void => {
    for (const f of st.frames) for (const n of names) f.declared.add(n);
  };

  /** Visits a function; `frames` are the loops its body still runs in (an iteration callback, an IIFE), else none. */
  const visitFunction = (fn: Node, name: string | undefined, st: State, frames: Frame[], tx: boolean): void => {
    const scope: Scope = { names: new Map(), parent: st.scope, fn: true };
    const inner: State = { frames, fn: fnFor(name, st), tx, scope };
    const f = fn as Node & { params?: Node[]; body?: Node };
    if (f.params) {
      for (const p of f.params) {
        for (const n of patternNames(p)) scope.names.set(n, { kind: 'param', id: p, reassigned: false });
        visit(p, fn, inner);
      }
    }
    if (f.body) visit(f.body, fn, inner);
  };

  const functionName = (fn: Node, parent: Node | undefined): string | undefined => {
    if ((fn.type === 'FunctionDeclaration' || fn.type === 'FunctionExpression') && fn.id) return fn.id.name;
    if ((fn.type === 'ClassMethod' || fn.type === 'ObjectMethod') && fn.key.type === 'Identifier') return fn.key.name;
    if (fn.type === 'ClassPrivateMethod') return fn.key.id.name;
    if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
    if ((parent?.type === 'ClassProperty' || parent?.type === 'ObjectProperty') && parent.key.type === 'Identifier') return parent.key.name;
    return undefined;
  };

  /** A same-file function named by a callee: `helper(…)`, `this.helper(…)`. */
  const helperName = (callee: Node): string | undefined => {
    const c = unwrap(callee);
    if (c.type === 'Identifier') return c.name;
    if ((c.type === 'MemberExpression' || c.type === 'OptionalMemberExpression') && c.object.type === 'ThisExpression') return propertyName(c);
    return undefined;
  };

  const recordCall = (call: DbCall, st: State): void => {
    calls.push(call);
    byNode.set(call.node, call);
    dbCount++;
    st.fn?.calls.push(call);
    const frame = st.frames[st.frames.length - 1];
    if (frame) frame.pending.push({ call, refs: referencedNames({ type: 'ArrayExpression', elements: call.args } as unknown as Node), inTransaction: st.tx, handedToTransaction: st.handedToTransaction });
  };

  const visitLoop = (frame: Frame, st: State, parts: Array<Node | null | undefined>, declaredNames: string[]): void => {
    frame.declared = new Set(declaredNames);
    const scope: Scope = { names: new Map(), parent: st.scope, fn: false };
    for (const n of declaredNames) scope.names.set(n, { kind: 'other', reassigned: false });
    const inner: State = { ...st, frames: [...st.frames, frame], scope };
    for (const p of parts) if (p) visit(p, frame.node, inner);
    closeFrame(frame, st);
  };

  const visitCall = (n: Node & { callee: Node; arguments: Node[] }, parent: Node | undefined, st: State): void => {
    const callee = unwrap(n.callee);
    const method = propertyName(callee);
    const args = n.arguments;
    // An iteration: `xs.map(fn)`, or `pMap(xs, fn)` / `_.forEach(xs, fn)`.
    const calleeIdent = callee.type === 'Identifier' ? callee.name : undefined;
    let iterated: { collection: Node; fnIndex: number; kind: string } | undefined;
    if (method && ITERATORS.has(method) && args[0] && (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression') && (isFunction(unwrap(args[0])) || helperName(args[0]) !== undefined)) {
      iterated = { collection: callee.object, fnIndex: 0, kind: `.${method} callback` };
    } else if ((method ?? calleeIdent) && COLLECTION_FIRST.has((method ?? calleeIdent)!) && args.length >= 2 && isFunction(unwrap(args[1])) && !isFunction(unwrap(args[0]))) {
      iterated = { collection: args[0], fnIndex: 1, kind: `${src(callee)} callback` };
    }
    const txCall = method !== undefined && TRANSACTIONS.has(method) && (method !== 'begin' || args.some((a) => isFunction(unwrap(a))));
    visit(callee, n, st);
    args.forEach((arg, i) => {
      const a = unwrap(arg);
      if (iterated && i === iterated.fnIndex) {
        const collection = iterated.collection;
        const fn = isFunction(a) ? (a as Node & { params: Node[] }) : undefined;
        const itemParam = fn?.params[method === 'reduce' || method === 'reduceRight' ? 1 : 0];
        const parentCallee = parent?.type === 'CallExpression' ? unwrap(parent.callee as Node) : undefined;
        const frame = withCollection(newFrame(iterated.kind, n, st, {
          collection,
          collectionText: shorten(src(collection)),
          item: itemParam?.type === 'Identifier' ? itemParam.name : undefined,
          callback: fn,
          constant: isSmallConstantCollection(collection) || chunkedCollection(collection),
          batchedWrites: (parentCallee !== undefined && propertyName(parentCallee) === '$transaction') || txMaps.has(n),
          promiseAll: method === 'map' && parentCallee !== undefined && parentCallee.type === 'MemberExpression' && parentCallee.object.type === 'Identifier' && parentCallee.object.name === 'Promise' && ['all', 'allSettled'].includes(propertyName(parentCallee) ?? ''),
        }), st);
        if (fn) {
          frame.declared = new Set(fn.params.flatMap((p) => patternNames(p)));
          visitFunction(fn, undefined, st, [...st.frames, frame], st.tx);
        } else {
          // `users.map(loadPosts)`: the helper runs once per element.
          const name = helperName(a)!;
          frame.pending.push({ helper: { name, start: a.start ?? 0, end: a.end ?? 0 }, refs: new Set(), inTransaction: st.tx });
          st.fn?.callees.add(name);
        }
        closeFrame(frame, st);
        return;
      }
      if (isFunction(a)) {
        // A transaction's callback and a Promise executor run now; any other callback runs later, outside the loop.
        const now = txCall || (n.type === 'NewExpression' && calleeIdent === 'Promise');
        visitFunction(a, undefined, st, now ? st.frames : [], now ? true && (txCall || st.tx) : false);
        return;
      }
      // `ops.push(prisma.x.update(…))` with `ops` handed to `$transaction` later: batched by the author.
      const pushToTx = method === 'push' && callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && txArrays.has(callee.object.name);
      visit(arg, n, txCall || pushToTx ? { ...st, tx: st.tx || txCall, handedToTransaction: st.handedToTransaction || pushToTx } : st);
    });
  };

  const visit = (n: Node, parent: Node | undefined, st: State): void => {
    switch (n.type) {
      case 'ForStatement': {
        const names = n.init?.type === 'VariableDeclaration' ? patternNames(n.init) : [];
        if (n.init) visit(n.init, n, st);
        const collection = consumedCollection(n.test);
        const frame = withCollection(newFrame('for loop', n, st, {
          collection,
          collectionText: collection && shorten(src(collection)),
          constant: smallBound(n.test, st.scope) || chunkedFor(n) || (collection !== undefined && isSmallConstantCollection(collection)),
        }), st);
        visitLoop(frame, st, [n.test, n.update, n.body], names);
        return;
      }
      case 'ForOfStatement':
      case 'ForInStatement': {
        visit(n.right, n, st);
        const names = patternNames(n.left);
        const kind = n.type === 'ForInStatement' ? 'for…in loop' : n.await ? 'for await…of loop' : 'for…of loop';
        const left = n.left.type === 'VariableDeclaration' ? n.left.declarations[0]?.id : n.left;
        const frame = withCollection(newFrame(kind, n, st, {
          collection: n.right,
          collectionText: shorten(src(n.right)),
          item: left?.type === 'Identifier' ? left.name : undefined,
          constant: isSmallConstantCollection(n.right) || chunkedCollection(n.right) || (n.type === 'ForInStatement' && literalOf(n.right).type === 'ObjectExpression' && isConstantValue(literalOf(n.right))),
        }), st);
        visitLoop(frame, st, [n.left, n.body], names);
        return;
      }
      case 'WhileStatement':
      case 'DoWhileStatement': {
        const collection = consumedCollection(n.test);
        const frame = withCollection(newFrame(n.type === 'WhileStatement' ? 'while loop' : 'do…while loop', n, st, {
          collection,
          collectionText: collection && shorten(src(collection)),
          claims: collection !== undefined,
          constant: smallBound(n.test, st.scope),
        }), st);
        visitLoop(frame, st, n.type === 'WhileStatement' ? [n.test, n.body] : [n.body, n.test], []);
        return;
      }
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'ClassMethod':
      case 'ClassPrivateMethod':
      case 'ObjectMethod':
        visitFunction(n, functionName(n, parent), st, [], false);
        return;
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
      case 'TaggedTemplateExpression': {
        const topOfChain = !(parent && (parent.type === 'MemberExpression' || parent.type === 'OptionalMemberExpression') && parent.object === n);
        // A builder in a template's substitution (`` sql`… ${db.select()…}` ``) is a subquery, like one passed as an argument.
        const inTemplate = parent?.type === 'TemplateLiteral';
        const usedAsArgument = inTemplate || Boolean(parent && (parent.type === 'CallExpression' || parent.type === 'NewExpression') && (parent.arguments as Node[]).includes(n));
        const call = n.type !== 'NewExpression' && topOfChain ? classifyDbCall(n, bindings, usedAsArgument, inTemplate) : undefined;
        if (call) recordCall(call, st);
        if (n.type !== 'TaggedTemplateExpression') {
          // An immediately invoked function runs in the loop it is called from.
          const callee = unwrap(n.callee as Node);
          if (isFunction(callee) && n.type !== 'NewExpression') {
            visitFunction(callee, undefined, st, st.frames, st.tx);
            for (const a of n.arguments) visit(a as Node, n, st);
            return;
          }
          if (!call && n.type !== 'NewExpression') {
            const name = helperName(callee);
            if (name) {
              st.fn?.callees.add(name);
              const frame = st.frames[st.frames.length - 1];
              if (frame) frame.pending.push({ helper: { name, start: n.start ?? 0, end: callee.end ?? 0 }, refs: referencedNames({ type: 'ArrayExpression', elements: n.arguments } as unknown as Node), inTransaction: st.tx });
            }
          }
          visitCall(n as Node & { callee: Node; arguments: Node[] }, parent, st);
          return;
        }
        forEachChild(n, (c) => visit(c, n, st));
        return;
      }
      case 'BlockStatement': {
        // A block's let/const are its own: a loop after it does not see them.
        const inner: State = { ...st, scope: { names: new Map(), parent: st.scope, fn: false } };
        forEachChild(n, (c) => visit(c, n, inner));
        return;
      }
      case 'VariableDeclarator': {
        const before = dbCount;
        if (n.init) visit(n.init, n, st);
        const names = patternNames(n.id);
        declare(names, st);
        const kind = parent?.type === 'VariableDeclaration' && (parent.kind === 'var' || parent.kind === 'let' || parent.kind === 'const') ? parent.kind : 'other';
        let target = st.scope;
        if (kind === 'var') while (!target.fn && target.parent) target = target.parent;
        const single = n.id.type === 'Identifier';
        for (const name of names) target.names.set(name, { kind, init: single && n.init ? stripAwait(n.init) : undefined, id: single ? n.id : undefined, reassigned: false });
        if (dbCount > before) for (const f of st.frames) for (const name of names) f.dbBound.add(name);
        return;
      }
      case 'AssignmentExpression': {
        const before = dbCount;
        visit(n.right, n, st);
        if (n.left.type !== 'MemberExpression') {
          const names = patternNames(n.left as Node);
          for (const name of names) {
            const b = lookup(name, st.scope);
            if (b) b.reassigned = true;
          }
          for (const f of st.frames) for (const name of names) f.assigned.add(name);
          if (dbCount > before) for (const f of st.frames) for (const name of names) f.dbBound.add(name);
        }
        visit(n.left as Node, n, st);
        return;
      }
      case 'UpdateExpression':
        if (n.argument.type === 'Identifier') {
          for (const f of st.frames) f.assigned.add(n.argument.name);
          const b = lookup(n.argument.name, st.scope);
          if (b) b.reassigned = true;
        }
        return;
      default:
        forEachChild(n, (c) => visit(c, n, st));
    }
  };

  visit(ast.program, undefined, { frames: [], fn: undefined, tx: false, scope: { names: new Map(), fn: true } });

  // Same-file helpers called in a loop: the first database call each one makes, directly or through others.
  const memo = new Map<string, DbCall | null>();
  const firstCall = (name: string, seen: Set<string>): DbCall | undefined => {
    if (memo.has(name)) return memo.get(name) ?? undefined;
    if (seen.has(name)) return undefined;
    seen.add(name);
    let found: DbCall | undefined;
    for (const info of functions.get(name) ?? []) {
      found = info.calls[0];
      if (found) break;
      for (const callee of info.callees) {
        found = firstCall(callee, seen);
        if (found) break;
      }
      if (found) break;
    }
    memo.set(name, found ?? null);
    return found;
  };
  for (const site of helperSites) {
    const call = firstCall(site.helper.name, new Set());
    if (!call) continue;
    if (!site.frame.collection && call.paginated) continue;
    queries.push({ loop: site.frame, call, via: site.helper, inTransaction: site.inTransaction, source: site.frame.source });
  }
  queries.sort((a, b) => (a.via?.start ?? a.call.start) - (b.via?.start ?? b.call.start));
  return { calls, queries, bindings };
}

/**
 * Two plans of one query side by side (before/after an index, a setting, a rewrite): nodes are
 * paired by {@link matchPlanNodes}, then each pair gets its time and cost delta (the viewer's
 * Compare tab). `pglens plan A B` builds its richer diff (plan-diff.ts) on the same pairing.
 */
import { nodeTitle } from './format';
import type { PlanComparison, PlanNode, PlanNodeDelta, PlanReport, PlanTotals } from './types';

/** Which pass of {@link matchPlanNodes} paired a node (the numbers in its description). */
export type PlanMatchReason = 'path' | 'relation' | 'children' | 'position';

/** Node pairs: `toAfter[beforeId - 1]` is the after-node's id (0: none); `toBefore` the reverse. */
export interface PlanNodeMatching {
  toAfter: Int32Array;
  toBefore: Int32Array;
  /** By after-node (index = after id - 1): the pass that paired it, undefined when unpaired. */
  reason: (PlanMatchReason | undefined)[];
}

/** What a node is, apart from where it sits: heading, relation (or CTE, function), index, alias, sub-plan name. */
function ownKey(n: PlanNode): string {
  return `${n.label}|${n.relation ?? n.cteName ?? n.functionName ?? ''}|${n.indexName ?? ''}|${n.alias ?? ''}|${n.subplanName ?? ''}`;
}

/**
 * The table a node reads, under its alias; a Bitmap Index Scan (no relation) by its index.
 * No schema: text EXPLAIN without VERBOSE leaves it out, and two plans of one query read one table.
 */
function relationKey(n: PlanNode): string | undefined {
  if (n.relation) return `r|${n.relation}|${n.alias ?? n.relation}`;
  if (n.indexName) return `i|${n.indexName}`;
  return undefined;
}

function push<K, V>(m: Map<K, V[]>, key: K, value: V): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

/**
 * Pairs the k-th after-node of each key with the k-th before-node of the same key (keys
 * undefined are skipped): the order of the tree decides among equals.
 */
function pairByKey(
  before: PlanNode[],
  after: PlanNode[],
  pair: (b: PlanNode, a: PlanNode) => void,
  keyBefore: (n: PlanNode) => string | undefined,
  keyAfter = keyBefore,
): void {
  const open = new Map<string, PlanNode[]>();
  for (const n of before) {
    const k = keyBefore(n);
    if (k !== undefined) push(open, k, n);
  }
  if (open.size === 0) return;
  // A cursor per key: shifting from the head of a long list would be quadratic.
  const next = new Map<string, number>();
  for (const n of after) {
    const k = keyAfter(n);
    const list = k === undefined ? undefined : open.get(k);
    if (k === undefined || !list) continue;
    const i = next.get(k) ?? 0;
    if (i < list.length) {
      next.set(k, i + 1);
      pair(list[i], n);
    }
  }
}

/**
 * Pairs the nodes of two plans of one query. Each pass looks only at nodes no earlier pass
 * paired and, among equal candidates, pairs them in tree (preorder) order; all are O(n) but
 * the bottom-up one, O(n·depth) at worst:
 * 1. path: top-down from the roots, the children of a pair that have the same heading,
 *    relation, index, alias and sub-plan name (an unchanged part of the plan);
 * 2. relation: the same table read under the same alias (a Bitmap Index Scan: the same index)
 *    — first with the same node type and index (a scan that moved under a new join), then with
 *    any (a Seq Scan that became an Index Scan); each first under the same paired ancestor,
 *    then anywhere in the plan;
 * 3. children: bottom-up, a node whose paired children's counterparts meet in one unpaired
 *    node (a Hash Join that became a Nested Loop, its Hash gone);
 * 4. position: the two roots when both are still unpaired; then top-down under each pair, the
 *    unpaired children with the same heading (as in 1), else the only one of a node type on
 *    both sides, else — when both sides have the same number left — the rest in order (a Sort
 *    that became an Incremental Sort); never a node reading one table with one reading another.
 * What stays unpaired was removed (before only) or added (after only).
 */
export function matchPlanNodes(b: PlanNode[], a: PlanNode[]): PlanNodeMatching {
  const m = newMatching(b, a);
  if (a.length === 0 || b.length === 0) return resultOf(m);
  pairByPath(m);
  pairByRelation(m);
  pairByChildren(m);
  pairByPosition(m);
  return resultOf(m);
}

/** The pairing the passes of {@link matchPlanNodes} build in turn. */
interface Matching extends PlanNodeMatching {
  b: PlanNode[];
  a: PlanNode[];
  /** A pairing function that records `why` for each pair it makes. */
  pairAs(why: PlanMatchReason): (bn: PlanNode, an: PlanNode) => void;
}

function newMatching(b: PlanNode[], a: PlanNode[]): Matching {
  const toAfter = new Int32Array(b.length);
  const toBefore = new Int32Array(a.length);
  const reason: (PlanMatchReason | undefined)[] = new Array(a.length).fill(undefined);
  const pairAs = (why: PlanMatchReason) => (bn: PlanNode, an: PlanNode) => {
    toAfter[bn.id - 1] = an.id;
    toBefore[an.id - 1] = bn.id;
    reason[an.id - 1] = why;
  };
  return { b, a, toAfter, toBefore, reason, pairAs };
}

function resultOf(m: Matching): PlanNodeMatching {
  return { toAfter: m.toAfter, toBefore: m.toBefore, reason: m.reason };
}

/** Pass 1, path. Preorder: a pair made here is visited later as a parent, so the pairing goes down the tree. */
function pairByPath(m: Matching): void {
  const { b, a, toBefore } = m;
  const byPath = m.pairAs('path');
  if (ownKey(a[0]) === ownKey(b[0])) byPath(b[0], a[0]);
  for (const n of a) {
    const bid = toBefore[n.id - 1];
    if (bid !== 0 && n.children.length > 0) pairByKey(b[bid - 1].children, n.children, byPath, ownKey);
  }
}

/** Pass 2, relation: the same table and alias, with the same node type first, under the same paired ancestor first. */
function pairByRelation(m: Matching): void {
  const { b, a, toAfter, toBefore } = m;
  // The nearest paired ancestor, as a before-id on both sides (0: none): "under the same pair".
  const anchorB = new Int32Array(b.length);
  for (const n of b) anchorB[n.id - 1] = n.parentId === null ? 0 : toAfter[n.parentId - 1] !== 0 ? n.parentId : anchorB[n.parentId - 1];
  const anchorA = new Int32Array(a.length);
  for (const n of a) anchorA[n.id - 1] = n.parentId === null ? 0 : toBefore[n.parentId - 1] || anchorA[n.parentId - 1];
  const byRelation = m.pairAs('relation');
  for (const sameType of [true, false]) {
    for (const scoped of [true, false]) {
      const key = (n: PlanNode, anchor: number) => {
        const r = relationKey(n);
        if (r === undefined) return undefined;
        const typed = sameType ? `${r}|${n.nodeType}|${n.indexName ?? ''}` : r;
        return scoped ? `${anchor}|${typed}` : typed;
      };
      pairByKey(
        b.filter((n) => toAfter[n.id - 1] === 0),
        a.filter((n) => toBefore[n.id - 1] === 0),
        byRelation,
        (n) => key(n, anchorB[n.id - 1]),
        (n) => key(n, anchorA[n.id - 1]),
      );
    }
  }
}

/** Pass 3, children. Bottom-up: the after-node whose children are paired with nodes under one before-node. */
function pairByChildren(m: Matching): void {
  const { b, a, toAfter, toBefore } = m;
  const lowestCommonAncestor = (x: number, y: number): number => {
    while (b[x - 1].depth > b[y - 1].depth) x = b[x - 1].parentId as number;
    while (b[y - 1].depth > b[x - 1].depth) y = b[y - 1].parentId as number;
    while (x !== y) {
      x = b[x - 1].parentId as number;
      y = b[y - 1].parentId as number;
    }
    return x;
  };
  const byChildren = m.pairAs('children');
  for (let i = a.length - 1; i >= 0; i--) {
    const n = a[i];
    if (toBefore[i] !== 0) continue;
    const counterparts = n.children.map((c) => toBefore[c.id - 1]).filter((id) => id !== 0);
    if (counterparts.length === 0) continue;
    const lca = counterparts.reduce(lowestCommonAncestor);
    const candidate = counterparts.includes(lca) ? b[lca - 1].parentId : lca;
    if (candidate !== null && toAfter[candidate - 1] === 0) byChildren(b[candidate - 1], n);
  }
}

/**
 * Pass 4, position. Top-down again, now that more parents are paired. A node reading a table
 * pairs only with one reading the same table (pass 2 had the chance): position never swaps one
 * table for another.
 */
function pairByPosition(m: Matching): void {
  const { b, a, toAfter, toBefore } = m;
  const openBefore = (children: PlanNode[]) => children.filter((c) => toAfter[c.id - 1] === 0);
  const openAfter = (children: PlanNode[]) => children.filter((c) => toBefore[c.id - 1] === 0);
  const byPosition = m.pairAs('position');
  const compatible = (x: PlanNode, y: PlanNode) => relationKey(x) === relationKey(y);
  if (toBefore[0] === 0 && toAfter[0] === 0 && compatible(b[0], a[0])) byPosition(b[0], a[0]);
  const countTypes = (nodes: PlanNode[]) => {
    const counts = new Map<string, number>();
    for (const x of nodes) counts.set(x.nodeType, (counts.get(x.nodeType) ?? 0) + 1);
    return counts;
  };
  for (const n of a) {
    const bid = toBefore[n.id - 1];
    if (bid === 0 || n.children.length === 0) continue;
    const parentB = b[bid - 1];
    if (openAfter(n.children).length === 0 || openBefore(parentB.children).length === 0) continue;
    pairByKey(openBefore(parentB.children), openAfter(n.children), byPosition, ownKey);
    const ob = openBefore(parentB.children);
    const oa = openAfter(n.children);
    const cb = countTypes(ob);
    const ca = countTypes(oa);
    const onlyOfType = (x: PlanNode) => (cb.get(x.nodeType) === 1 && ca.get(x.nodeType) === 1 ? `${x.nodeType}|${relationKey(x) ?? ''}` : undefined);
    pairByKey(ob, oa, byPosition, onlyOfType);
    const restB = openBefore(parentB.children);
    const restA = openAfter(n.children);
    if (restA.length === restB.length) {
      for (let i = 0; i < restA.length; i++) if (compatible(restB[i], restA[i])) byPosition(restB[i], restA[i]);
    }
  }
}

/**
 * Every node of both plans once, as [beforeId, afterId] (0 for the side it is missing from): the
 * after-plan in preorder, each removed before-node right after the counterpart of its nearest
 * paired ancestor, removed nodes without one at the end.
 */
export function pairedOrder(b: PlanNode[], a: PlanNode[], m: Pick<PlanNodeMatching, 'toAfter' | 'toBefore'>): [number, number][] {
  const { toAfter, toBefore } = m;
  // Preorder: a parent's anchor is known before its children's, so this stays O(n) on deep plans.
  const anchor = new Int32Array(b.length);
  const removedUnder = new Map<number, number[]>();
  const orphans: [number, number][] = [];
  for (const n of b) {
    const parent = n.parentId;
    anchor[n.id - 1] = parent === null ? 0 : toAfter[parent - 1] || anchor[parent - 1];
    if (toAfter[n.id - 1] !== 0) continue;
    const at = anchor[n.id - 1];
    if (at === 0) orphans.push([n.id, 0]);
    else push(removedUnder, at, n.id);
  }
  const out: [number, number][] = [];
  for (const n of a) {
    out.push([toBefore[n.id - 1], n.id]);
    const removed = removedUnder.get(n.id);
    if (removed) for (const id of removed) out.push([id, 0]);
  }
  for (const o of orphans) out.push(o);
  return out;
}

function totals(r: PlanReport): PlanTotals {
  const t: PlanTotals = { timeMs: r.summary.totalTimeMs, cost: r.summary.totalCost, nodeCount: r.nodes.length, findingCount: r.findings.length };
  if (r.summary.planningTimeMs !== undefined) t.planningTimeMs = r.summary.planningTimeMs;
  if (r.summary.executionTimeMs !== undefined) t.executionTimeMs = r.summary.executionTimeMs;
  return t;
}

function pct(before: number, after: number): number | undefined {
  return before > 0 ? ((after - before) / before) * 100 : undefined;
}

function findingKeys(r: PlanReport): string[] {
  return r.findings.map((f) => `${f.ruleId}@${nodeTitle(r.nodes[f.nodeId - 1])}`);
}

/** The viewer's Compare tab: the node pairs with their deltas, the totals, and the findings resolved or new. */
export function comparePlans(before: PlanReport, after: PlanReport): PlanComparison {
  const b = before.nodes;
  const a = after.nodes;
  const matching = matchPlanNodes(b, a);
  const nodes = pairedOrder(b, a, matching).map(([bid, aid]) =>
    aid === 0 ? nodeDelta('removed', b[bid - 1]) : bid === 0 ? nodeDelta('added', undefined, a[aid - 1]) : nodeDelta('matched', b[bid - 1], a[aid - 1]),
  );
  const totalsBefore = totals(before);
  const totalsAfter = totals(after);
  const result: PlanComparison = {
    before: totalsBefore,
    after: totalsAfter,
    timeDeltaMs: totalsAfter.timeMs - totalsBefore.timeMs,
    costDelta: totalsAfter.cost - totalsBefore.cost,
    nodes,
    ...findingChanges(before, after),
  };
  const tp = pct(totalsBefore.timeMs, totalsAfter.timeMs);
  if (tp !== undefined) result.timeDeltaPct = tp;
  const cp = pct(totalsBefore.cost, totalsAfter.cost);
  if (cp !== undefined) result.costDeltaPct = cp;
  return result;
}

/** Findings (rule at node title) the after-plan no longer has, and those it has anew. */
function findingChanges(before: PlanReport, after: PlanReport): Pick<PlanComparison, 'resolvedFindings' | 'newFindings'> {
  const beforeFindings = findingKeys(before);
  const afterFindings = findingKeys(after);
  return {
    resolvedFindings: beforeFindings.filter((k) => !afterFindings.includes(k)),
    newFindings: afterFindings.filter((k) => !beforeFindings.includes(k)),
  };
}

/** One row of the comparison: a node on either side or both, with its time and cost on each. */
function nodeDelta(status: PlanNodeDelta['status'], bn?: PlanNode, an?: PlanNode): PlanNodeDelta {
  const n = (an ?? bn) as PlanNode;
  const d: PlanNodeDelta = { status, nodeType: n.nodeType, label: n.label };
  if (n.relation) d.relation = n.relation;
  if (n.indexName) d.indexName = n.indexName;
  if (bn) {
    d.beforeId = bn.id;
    d.beforeTimeMs = bn.exclusiveTimeMs;
    d.beforeCost = bn.totalCost;
    if (bn.totalRows !== undefined) d.beforeRows = bn.totalRows;
  }
  if (an) {
    d.afterId = an.id;
    d.afterTimeMs = an.exclusiveTimeMs;
    d.afterCost = an.totalCost;
    if (an.totalRows !== undefined) d.afterRows = an.totalRows;
  }
  if (bn && an) {
    d.timeDeltaMs = an.exclusiveTimeMs - bn.exclusiveTimeMs;
    d.costDelta = an.totalCost - bn.totalCost;
  }
  return d;
}

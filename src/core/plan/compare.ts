/**
 * Two plans of one query side by side (before/after an index, a setting, a rewrite): nodes are
 * matched, then each pair gets its time and cost delta. Matching, each pass O(n):
 * 1. the same path from the root (heading, relation, index, alias of every node on the way);
 * 2. the same table read under the same alias (a Seq Scan that became an Index Scan);
 * 3. bottom-up: a node whose matched children's counterparts meet in one unmatched node
 *    (a Hash Join that became a Nested Loop, its Hash gone);
 * 4. top-down: the only unmatched child of the same type under a matched pair.
 * What stays unmatched is reported as removed (before only) or added (after only).
 */
import { nodeTitle } from './format';
import type { PlanComparison, PlanNode, PlanNodeDelta, PlanReport, PlanTotals } from './types';

function pathKeys(nodes: PlanNode[]): string[] {
  const keys: string[] = new Array(nodes.length);
  for (const n of nodes) {
    const own = `${n.label}|${n.relation ?? n.cteName ?? n.functionName ?? ''}|${n.indexName ?? ''}|${n.alias ?? ''}|${n.subplanName ?? ''}`;
    keys[n.id - 1] = n.parentId === null ? own : `${keys[n.parentId - 1]}/${own}`;
  }
  return keys;
}

function tableKey(n: PlanNode): string | undefined {
  return n.relation ? `${n.schema ?? ''}.${n.relation}|${n.alias ?? ''}` : undefined;
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

export function comparePlans(before: PlanReport, after: PlanReport): PlanComparison {
  const b = before.nodes;
  const a = after.nodes;
  const toAfter = new Int32Array(b.length);
  const toBefore = new Int32Array(a.length);
  const pair = (bn: PlanNode, an: PlanNode) => {
    toAfter[bn.id - 1] = an.id;
    toBefore[an.id - 1] = bn.id;
  };

  const bKeys = pathKeys(b);
  const aKeys = pathKeys(a);
  const byPath = new Map<string, PlanNode[]>();
  for (const n of b) {
    const list = byPath.get(bKeys[n.id - 1]);
    if (list) list.push(n);
    else byPath.set(bKeys[n.id - 1], [n]);
  }
  for (const n of a) {
    const list = byPath.get(aKeys[n.id - 1]);
    const match = list?.shift();
    if (match) pair(match, n);
  }

  const byTable = new Map<string, PlanNode[]>();
  for (const n of b) {
    const key = toAfter[n.id - 1] === 0 ? tableKey(n) : undefined;
    if (!key) continue;
    const list = byTable.get(key);
    if (list) list.push(n);
    else byTable.set(key, [n]);
  }
  for (const n of a) {
    const key = toBefore[n.id - 1] === 0 ? tableKey(n) : undefined;
    const match = key ? byTable.get(key)?.shift() : undefined;
    if (match) pair(match, n);
  }

  const lowestCommonAncestor = (x: number, y: number): number => {
    while (b[x - 1].depth > b[y - 1].depth) x = b[x - 1].parentId as number;
    while (b[y - 1].depth > b[x - 1].depth) y = b[y - 1].parentId as number;
    while (x !== y) {
      x = b[x - 1].parentId as number;
      y = b[y - 1].parentId as number;
    }
    return x;
  };
  for (let i = a.length - 1; i >= 0; i--) {
    const n = a[i];
    if (toBefore[i] !== 0) continue;
    const counterparts = n.children.map((c) => toBefore[c.id - 1]).filter((id) => id !== 0);
    if (counterparts.length === 0) continue;
    const lca = counterparts.reduce(lowestCommonAncestor);
    const candidate = counterparts.includes(lca) ? b[lca - 1].parentId : lca;
    if (candidate !== null && toAfter[candidate - 1] === 0) pair(b[candidate - 1], n);
  }

  const unmatchedByType = (children: PlanNode[], matched: Int32Array) => {
    const m = new Map<string, PlanNode[]>();
    for (const c of children) {
      if (matched[c.id - 1] !== 0) continue;
      const list = m.get(c.nodeType);
      if (list) list.push(c);
      else m.set(c.nodeType, [c]);
    }
    return m;
  };
  for (const n of a) {
    const bid = toBefore[n.id - 1];
    if (bid === 0 || n.children.length === 0) continue;
    const openBefore = unmatchedByType(b[bid - 1].children, toAfter);
    for (const [type, list] of unmatchedByType(n.children, toBefore)) {
      const other = openBefore.get(type);
      if (list.length === 1 && other?.length === 1) pair(other[0], list[0]);
    }
  }

  const delta = (status: PlanNodeDelta['status'], bn?: PlanNode, an?: PlanNode): PlanNodeDelta => {
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
  };

  const removedUnder = new Map<number, PlanNodeDelta[]>();
  const orphans: PlanNodeDelta[] = [];
  for (const n of b) {
    if (toAfter[n.id - 1] !== 0) continue;
    let anchor = 0;
    for (let p = n.parentId; p !== null && anchor === 0; p = b[p - 1].parentId) anchor = toAfter[p - 1];
    const d = delta('removed', n);
    if (anchor === 0) orphans.push(d);
    else {
      const list = removedUnder.get(anchor);
      if (list) list.push(d);
      else removedUnder.set(anchor, [d]);
    }
  }
  const nodes: PlanNodeDelta[] = [];
  for (const n of a) {
    const bid = toBefore[n.id - 1];
    nodes.push(bid === 0 ? delta('added', undefined, n) : delta('matched', b[bid - 1], n));
    const removed = removedUnder.get(n.id);
    if (removed) nodes.push(...removed);
  }
  nodes.push(...orphans);

  const before_ = totals(before);
  const after_ = totals(after);
  const beforeFindings = findingKeys(before);
  const afterFindings = findingKeys(after);
  const result: PlanComparison = {
    before: before_,
    after: after_,
    timeDeltaMs: after_.timeMs - before_.timeMs,
    costDelta: after_.cost - before_.cost,
    nodes,
    resolvedFindings: beforeFindings.filter((k) => !afterFindings.includes(k)),
    newFindings: afterFindings.filter((k) => !beforeFindings.includes(k)),
  };
  const tp = pct(before_.timeMs, after_.timeMs);
  if (tp !== undefined) result.timeDeltaPct = tp;
  const cp = pct(before_.cost, after_.cost);
  if (cp !== undefined) result.costDeltaPct = cp;
  return result;
}

/**
 * Derived metrics of a plan, in O(n) over the preorder node array (parents before children).
 *
 * Choices, since Postgres reports per-loop averages and nests sub-plans inside expressions:
 * - Inclusive time = actual total time × loops. Below a Gather/Gather Merge, loops counts the
 *   worker processes too, and the times are per-process averages, so the product is divided by
 *   the processes that ran the node (workers launched + leader, at most loops): wall time, not CPU time.
 * - Exclusive time = inclusive − children's inclusive, clamped at 0. A SubPlan hangs under the
 *   node whose expressions run it, so it is subtracted there. An InitPlan hangs under the top
 *   node of its query level but runs when its result ($n, or "(InitPlan n)" on PG 16+) is first
 *   needed: its time is subtracted from the first node below that references it in a condition
 *   (its time is inside that node's), else from its parent.
 * - A CTE's plan (InitPlan "CTE x") runs on demand inside the CTE Scans that read it, so it is
 *   not subtracted from its parent; each CTE Scan instead gives up a share of the CTE's time
 *   proportional to its own inclusive time. Exclusive buffers follow the same rules.
 * - Without ANALYZE (or with TIMING OFF), shares and the slowest node come from exclusive cost.
 * - Without estimates (COSTS OFF) there is no estimate ratio: a misestimate needs both numbers.
 */
import { emptyBuffers } from './build-tree';
import type { PlanBuffers, PlanNode } from './types';

const BUFFER_KEYS = Object.keys(emptyBuffers()) as (keyof PlanBuffers)[];

/** Fields per node in the children's buffer sums (the PlanBuffers fields, in BUFFER_KEYS order). */
const NB = 10;

/** Adds b into sums[at…at+NB). */
function addBuffers(sums: Float64Array, at: number, b: PlanBuffers): void {
  sums[at] += b.sharedHit;
  sums[at + 1] += b.sharedRead;
  sums[at + 2] += b.sharedDirtied;
  sums[at + 3] += b.sharedWritten;
  sums[at + 4] += b.localHit;
  sums[at + 5] += b.localRead;
  sums[at + 6] += b.localDirtied;
  sums[at + 7] += b.localWritten;
  sums[at + 8] += b.tempRead;
  sums[at + 9] += b.tempWritten;
}

/** The exclusive buffers of every node whose own figures are all zero (PlanBuffers are read-only, see types.ts). */
const NO_BUFFERS: PlanBuffers = Object.freeze(emptyBuffers());

/**
 * a − the children's sums at sums[at…at+NB), per field, clamped at 0 (children may report more
 * than the parent after rounding). Shares `a` when the children read nothing and NO_BUFFERS when
 * nothing is left: on large plans most nodes are one or the other, and a report holds fewer objects.
 */
function subtractBuffers(a: PlanBuffers, sums: Float64Array, at: number): PlanBuffers {
  const sharedHit = Math.max(0, a.sharedHit - sums[at]);
  const sharedRead = Math.max(0, a.sharedRead - sums[at + 1]);
  const sharedDirtied = Math.max(0, a.sharedDirtied - sums[at + 2]);
  const sharedWritten = Math.max(0, a.sharedWritten - sums[at + 3]);
  const localHit = Math.max(0, a.localHit - sums[at + 4]);
  const localRead = Math.max(0, a.localRead - sums[at + 5]);
  const localDirtied = Math.max(0, a.localDirtied - sums[at + 6]);
  const localWritten = Math.max(0, a.localWritten - sums[at + 7]);
  const tempRead = Math.max(0, a.tempRead - sums[at + 8]);
  const tempWritten = Math.max(0, a.tempWritten - sums[at + 9]);
  if (
    sharedHit === a.sharedHit && sharedRead === a.sharedRead && sharedDirtied === a.sharedDirtied && sharedWritten === a.sharedWritten &&
    localHit === a.localHit && localRead === a.localRead && localDirtied === a.localDirtied && localWritten === a.localWritten &&
    tempRead === a.tempRead && tempWritten === a.tempWritten
  ) {
    return a;
  }
  if (sharedHit + sharedRead + sharedDirtied + sharedWritten + localHit + localRead + localDirtied + localWritten + tempRead + tempWritten === 0) return NO_BUFFERS;
  return { sharedHit, sharedRead, sharedDirtied, sharedWritten, localHit, localRead, localDirtied, localWritten, tempRead, tempWritten };
}

const HOT_SHARE = 0.8;
const HOT_MAX_NODES = 10;

function isCteDefinition(n: PlanNode): boolean {
  return n.parentRelationship === 'InitPlan' && n.subplanName !== undefined && n.subplanName.startsWith('CTE ');
}

export interface PlanMetrics {
  /** Root inclusive time (0 without ANALYZE). */
  rootTimeMs: number;
  /** Shares and the slowest node come from times (else from costs). */
  timed: boolean;
  slowestNodeId: number;
  hotPath: number[];
}

const CONDITION_FIELDS = ['filter', 'indexCond', 'recheckCond', 'joinFilter', 'hashCond', 'mergeCond', 'oneTimeFilter', 'tidCond'] as const;

function mentions(text: string, ref: string): boolean {
  for (let at = text.indexOf(ref); at >= 0; at = text.indexOf(ref, at + 1)) {
    const next = text.charCodeAt(at + ref.length);
    if (!(next >= 48 && next <= 57)) return true;
  }
  return false;
}

/** For each non-CTE InitPlan (by index), the index of the node its time should be subtracted from. */
function initPlanTargets(nodes: PlanNode[], subtreeEnd: Int32Array): Map<number, number> {
  const targets = new Map<number, number>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (node.parentRelationship !== 'InitPlan' || node.parentId === null || isCteDefinition(node)) continue;
    const name = node.subplanName ?? '';
    const refs = (/returns (.*)\)$/.exec(name)?.[1] ?? '').split(',').map((r) => r.trim()).filter((r) => r.startsWith('$'));
    const head = /^InitPlan \d+/.exec(name)?.[0];
    if (head) refs.push(`(${head})`);
    const parent = node.parentId - 1;
    for (let j = parent + 1; j < subtreeEnd[parent] && refs.length > 0; j++) {
      if (j === i) {
        j = subtreeEnd[i] - 1;
        continue;
      }
      const candidate = nodes[j];
      if (candidate.parentRelationship === 'InitPlan' && candidate.parentId === node.parentId) {
        j = subtreeEnd[j] - 1;
        continue;
      }
      if (CONDITION_FIELDS.some((f) => candidate[f] !== undefined && refs.some((r) => mentions(candidate[f] as string, r)))) {
        targets.set(i, j);
        break;
      }
    }
  }
  return targets;
}

/** Inclusive times (wall time, see above) and estimate ratios; parents come before children. */
function inclusiveTimes(nodes: PlanNode[]): void {
  const n = nodes.length;
  const processes = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    if (node.parentId === null) processes[i] = 1;
    else {
      const parent = nodes[node.parentId - 1];
      processes[i] = parent.nodeType === 'Gather' || parent.nodeType === 'Gather Merge' ? (parent.workersLaunched ?? 0) + 1 : processes[parent.id - 1];
      const stops =
        parent.nodeType === 'Limit' ||
        parent.nodeType === 'Merge Join' ||
        (node.parentRelationship === 'Inner' && (parent.joinType === 'Semi' || parent.joinType === 'Anti'));
      if (stops || parent.mayStopEarly) node.mayStopEarly = true;
    }
    if (node.analyzed && node.loops && node.actualTotalTimeMs !== undefined) {
      const divisor = Math.max(1, Math.min(processes[i], node.loops));
      node.inclusiveTimeMs = (node.actualTotalTimeMs * node.loops) / divisor;
    } else node.inclusiveTimeMs = 0;
    // COSTS OFF prints no estimate: there is nothing to be off against.
    if (node.analyzed && !node.neverExecuted && node.actualRows !== undefined && node.raw['Plan Rows'] !== undefined) {
      const ratio = Math.max(node.actualRows, 1) / Math.max(node.planRows, 1);
      node.estimateRatio = ratio;
      node.estimateFactor = ratio >= 1 ? ratio : 1 / ratio;
      if (ratio > 1) node.estimateDirection = 'under';
      else if (ratio < 1) node.estimateDirection = 'over';
    }
  }
}

/** subtreeEnd[i]: the index after node i's last descendant in preorder. */
function subtreeEnds(nodes: PlanNode[]): Int32Array {
  const subtreeEnd = new Int32Array(nodes.length);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    subtreeEnd[i] = node.children.length > 0 ? subtreeEnd[node.children[node.children.length - 1].id - 1] : i + 1;
  }
  return subtreeEnd;
}

/** Exclusive time, cost and buffers: each node minus its children (and the InitPlans it runs), children first. */
function exclusiveFigures(nodes: PlanNode[], initPlanTarget: Map<number, number>): void {
  const n = nodes.length;
  const childTime = new Float64Array(n);
  const childCost = new Float64Array(n);
  // One flat typed array instead of an accumulator object per parent: it lives outside the JS heap,
  // so the garbage collector neither scans nor copies it while the report is being built.
  const childBuffers = new Float64Array(nodes.some((x) => x.buffers !== undefined) ? n * NB : 0);
  // An InitPlan's time (and buffers) are inside the node that references it, which comes later in preorder.
  for (const [i, target] of initPlanTarget) {
    const node = nodes[i];
    childTime[target] += node.inclusiveTimeMs;
    if (node.buffers) addBuffers(childBuffers, target * NB, node.buffers);
  }
  for (let i = n - 1; i >= 0; i--) {
    const node = nodes[i];
    node.exclusiveTimeMs = Math.max(0, node.inclusiveTimeMs - childTime[i]);
    node.exclusiveCost = Math.max(0, node.totalCost - childCost[i]);
    if (node.buffers) node.exclusiveBuffers = subtractBuffers(node.buffers, childBuffers, i * NB);
    if (node.parentId !== null && !isCteDefinition(node)) {
      const p = node.parentId - 1;
      childCost[p] += node.totalCost;
      if (!initPlanTarget.has(i)) {
        childTime[p] += node.inclusiveTimeMs;
        if (node.buffers) addBuffers(childBuffers, p * NB, node.buffers);
      }
    }
  }
}

/** Each CTE Scan gives up its share of the CTE's time, cost and buffers (see above). */
function cteShares(nodes: PlanNode[]): void {
  const cteDefinitions = new Map<string, PlanNode>();
  const cteScans = new Map<string, PlanNode[]>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (isCteDefinition(node)) cteDefinitions.set((node.subplanName as string).slice(4), node);
    if (node.nodeType === 'CTE Scan' && node.cteName !== undefined) {
      const list = cteScans.get(node.cteName);
      if (list) list.push(node);
      else cteScans.set(node.cteName, [node]);
    }
  }
  for (const [name, scans] of cteScans) {
    const cte = cteDefinitions.get(name);
    if (!cte) continue;
    const scanTime = scans.reduce((s, x) => s + x.inclusiveTimeMs, 0);
    for (const scan of scans) {
      const share = scanTime > 0 ? scan.inclusiveTimeMs / scanTime : 1 / scans.length;
      scan.exclusiveTimeMs = Math.max(0, scan.exclusiveTimeMs - cte.inclusiveTimeMs * share);
      scan.exclusiveCost = Math.max(0, scan.exclusiveCost - cte.totalCost * share);
      if (scan.exclusiveBuffers && cte.buffers) {
        // A new object: the current one may be shared (see subtractBuffers).
        const own = { ...scan.exclusiveBuffers };
        for (const k of BUFFER_KEYS) own[k] = Math.max(0, own[k] - Math.round(cte.buffers[k] * share));
        scan.exclusiveBuffers = own;
      }
    }
  }
}

/** One function per pass, so the engine compiles and optimizes each loop on its own. */
export function computeMetrics(nodes: PlanNode[]): PlanMetrics {
  inclusiveTimes(nodes);
  const initPlanTarget = initPlanTargets(nodes, subtreeEnds(nodes));
  exclusiveFigures(nodes, initPlanTarget);
  cteShares(nodes);

  const root = nodes[0];
  const rootTimeMs = root.inclusiveTimeMs;
  // Without per-node times (no ANALYZE, or TIMING OFF) the cost is the only measure of weight.
  const byTime = rootTimeMs > 0;
  const base = byTime ? rootTimeMs : root.totalCost;
  const weight = (node: PlanNode) => (byTime ? node.exclusiveTimeMs : node.exclusiveCost);
  let total = 0;
  let slowest = root;
  const top: PlanNode[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const w = weight(node);
    node.sharePct = base > 0 ? (w / base) * 100 : 0;
    total += w;
    if (w > weight(slowest)) slowest = node;
    if (top.length < HOT_MAX_NODES || w > weight(top[top.length - 1])) {
      let k = Math.min(top.length, HOT_MAX_NODES - 1);
      top[k] = node;
      while (k > 0 && weight(top[k - 1]) < w) {
        top[k] = top[k - 1];
        top[--k] = node;
      }
    }
  }
  const hot = new Set<number>();
  let covered = 0;
  for (const node of top) {
    if (covered >= total * HOT_SHARE || weight(node) <= 0) break;
    covered += weight(node);
    for (let id: number | null = node.id; id !== null && !hot.has(id); id = nodes[id - 1].parentId) hot.add(id);
  }
  const hotPath = [...hot].sort((a, b) => a - b);
  return { rootTimeMs, timed: byTime, slowestNodeId: slowest.id, hotPath };
}

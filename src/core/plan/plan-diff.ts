/**
 * What changed between two plans of one query (`pglens plan before after`): totals, every node
 * paired or not (by {@link matchPlanNodes}: same path, then same relation and type, then the
 * children, then the position in the tree), what changed on each pair, and the findings of
 * analyzePlan resolved and new. Plain JSON-serialisable data: `--format json` prints it as is,
 * so the field names below are the CLI's contract (version 1; fields are only ever added).
 */
import { matchPlanNodes, pairedOrder, type PlanMatchReason } from './compare';
import { nodeTitle } from './format';
import type { PlanFinding, PlanNode, PlanReport } from './types';
import type { Severity } from '../types';

/** A figure on both sides; null where a side lacks it (no ANALYZE, no BUFFERS, no planning time). */
export interface PlanDiffFigure {
  before: number | null;
  after: number | null;
  /** after − before; null unless both are known. */
  delta: number | null;
  /** delta / before × 100; null unless both are known and before is not 0. */
  pct: number | null;
}

export interface PlanDiffSide {
  /** What the plan was called: the file name, "stdin", a viewer title. */
  label: string;
  /** EXPLAIN ANALYZE figures are present. */
  analyzed: boolean;
  /** Per-node times are present (ANALYZE with TIMING on). */
  timed: boolean;
  nodes: number;
  findings: number;
}

/** One node's figures as the diff shows them (per loop, as EXPLAIN prints them, unless named total). */
export interface PlanDiffNodeSide {
  id: number;
  nodeType: string;
  /** The heading as EXPLAIN prints it: "Seq Scan", "HashAggregate", "Hash Left Join". */
  label: string;
  /** The full heading: "Index Scan using orders_customer_id_idx on orders o". */
  title: string;
  relation?: string;
  indexName?: string;
  depth: number;
  /** Exclusive (self) time, all loops; null when the plan has no per-node times. */
  selfTimeMs: number | null;
  /** Inclusive time, all loops; null when the plan has no per-node times. */
  totalTimeMs: number | null;
  totalCost: number;
  /** totalCost minus the children's: what this node itself adds. */
  selfCost: number;
  /** Estimated rows per loop. */
  planRows: number;
  /** Actual rows per loop; null without ANALYZE or when never executed. */
  rows: number | null;
  loops: number | null;
  /** The node's own shared buffers (children subtracted); null without BUFFERS. */
  sharedHit: number | null;
  sharedRead: number | null;
}

/**
 * What differs on a paired node. `type`: another node type or heading (Seq Scan → Index Scan,
 * Hash Join → Nested Loop); `index`: another index; `rows`: actual rows of all loops ≥ 10% apart;
 * `estimate`: estimated rows per loop ≥ 10% apart; `loops`: another loop count; `time`, `cost`:
 * self time / self cost ≥ 10% apart and by at least 1% of the larger plan's total; `buffers`:
 * own shared hit or read ≥ 10% apart and by at least 10 blocks and 1% of the larger plan's total.
 */
export type PlanDiffChange = 'type' | 'index' | 'rows' | 'estimate' | 'loops' | 'time' | 'cost' | 'buffers';

export interface PlanDiffNode {
  status: 'matched' | 'added' | 'removed';
  /** For a matched pair: the matching pass that paired it. */
  matchedBy?: PlanMatchReason;
  before?: PlanDiffNodeSide;
  after?: PlanDiffNodeSide;
  /** Empty for an unchanged pair and for added or removed nodes. */
  changes: PlanDiffChange[];
}

export interface PlanDiffFinding {
  rule: string;
  severity: Severity;
  message: string;
  /** The node in its own plan (the before-plan for resolved findings, the after-plan for new ones). */
  node: { id: number; title: string };
  fix: string;
}

export interface PlanDiff {
  version: 1;
  before: PlanDiffSide;
  after: PlanDiffSide;
  totals: {
    executionTimeMs: PlanDiffFigure;
    planningTimeMs: PlanDiffFigure;
    /** Execution time, else the root's time; null for a plan without ANALYZE. */
    totalTimeMs: PlanDiffFigure;
    totalCost: PlanDiffFigure;
    nodes: PlanDiffFigure;
    /** Actual rows the root returned (all loops). */
    rows: PlanDiffFigure;
    /** The whole plan's shared buffers (the root's, children included). */
    sharedHit: PlanDiffFigure;
    sharedRead: PlanDiffFigure;
  };
  /**
   * The figure a regression is judged on (`--fail-on-regression`): the total time when both
   * plans were analyzed, else the total cost.
   */
  measure: { name: 'totalTimeMs' | 'totalCost'; figure: PlanDiffFigure };
  /** Every node paired and of the same type and index. */
  sameShape: boolean;
  /** Same shape, no node or total changed, same findings: "no change". */
  unchanged: boolean;
  counts: { matched: number; added: number; removed: number; changed: number; typeChanged: number };
  /** Every node of both plans once: the after-plan in preorder, each removed node after its nearest paired ancestor. */
  nodes: PlanDiffNode[];
  findings: {
    /** In the before-plan, not on the counterpart node (or the same heading) in the after-plan. */
    resolved: PlanDiffFinding[];
    /** In the after-plan only. */
    new: PlanDiffFinding[];
    /** In both (listed as they are in the after-plan). */
    kept: PlanDiffFinding[];
  };
}

export interface PlanDiffOptions {
  beforeLabel?: string;
  afterLabel?: string;
}

/** Relative difference that counts as a change (10%). */
const REL = 0.1;
/** …and the share of the larger plan's total a time, cost or buffer change must reach (1%). */
const OF_TOTAL = 0.01;
const MIN_BLOCKS = 10;

function figure(before: number | null | undefined, after: number | null | undefined): PlanDiffFigure {
  const b = before ?? null;
  const a = after ?? null;
  const delta = a !== null && b !== null ? a - b : null;
  return { before: b, after: a, delta, pct: delta !== null && b !== null && b !== 0 ? (delta / b) * 100 : null };
}

function apart(b: number, a: number, floor: number): boolean {
  const d = Math.abs(a - b);
  return d > 0 && d >= REL * Math.max(Math.abs(a), Math.abs(b)) && d >= floor;
}

function timed(r: PlanReport): boolean {
  return r.summary.timed ?? r.summary.analyzed;
}

function side(n: PlanNode, isTimed: boolean): PlanDiffNodeSide {
  const s: PlanDiffNodeSide = {
    id: n.id,
    nodeType: n.nodeType,
    label: n.label,
    title: nodeTitle(n),
    depth: n.depth,
    selfTimeMs: isTimed ? n.exclusiveTimeMs : null,
    totalTimeMs: isTimed ? n.inclusiveTimeMs : null,
    totalCost: n.totalCost,
    selfCost: n.exclusiveCost,
    planRows: n.planRows,
    rows: n.analyzed && !n.neverExecuted ? (n.actualRows ?? null) : null,
    loops: n.analyzed ? (n.loops ?? null) : null,
    sharedHit: n.exclusiveBuffers?.sharedHit ?? null,
    sharedRead: n.exclusiveBuffers?.sharedRead ?? null,
  };
  if (n.relation !== undefined) s.relation = n.relation;
  if (n.indexName !== undefined) s.indexName = n.indexName;
  return s;
}

interface Scale {
  timeMs: number;
  cost: number;
  blocks: number;
}

function changesOf(b: PlanNode, a: PlanNode, bs: PlanDiffNodeSide, as: PlanDiffNodeSide, scale: Scale): PlanDiffChange[] {
  const out: PlanDiffChange[] = [];
  if (b.nodeType !== a.nodeType || b.label !== a.label) out.push('type');
  if ((b.indexName ?? '') !== (a.indexName ?? '')) out.push('index');
  if (b.analyzed && a.analyzed && b.totalRows !== undefined && a.totalRows !== undefined && apart(b.totalRows, a.totalRows, 1)) out.push('rows');
  if (apart(b.planRows, a.planRows, 1)) out.push('estimate');
  if (bs.loops !== null && as.loops !== null && bs.loops !== as.loops) out.push('loops');
  if (bs.selfTimeMs !== null && as.selfTimeMs !== null && apart(bs.selfTimeMs, as.selfTimeMs, scale.timeMs)) out.push('time');
  if (apart(b.exclusiveCost, a.exclusiveCost, scale.cost)) out.push('cost');
  const blocks = Math.max(MIN_BLOCKS, scale.blocks);
  if (
    bs.sharedHit !== null &&
    as.sharedHit !== null &&
    (apart(bs.sharedHit, as.sharedHit, blocks) || apart(bs.sharedRead ?? 0, as.sharedRead ?? 0, blocks))
  ) {
    out.push('buffers');
  }
  return out;
}

function findingOf(f: PlanFinding, r: PlanReport): PlanDiffFinding {
  return { rule: f.ruleId, severity: f.severity, message: f.message, node: { id: f.nodeId, title: nodeTitle(r.nodes[f.nodeId - 1]) }, fix: f.fix };
}

/**
 * A finding is the same in both plans when the same rule fires on paired nodes, or on nodes
 * with the same heading (a plan-wide finding such as jit-overhead sits on the root).
 */
function splitFindings(before: PlanReport, after: PlanReport, toAfter: Int32Array): PlanDiff['findings'] {
  const key = (rule: string, r: PlanReport, id: number) => `${rule}@${nodeTitle(r.nodes[id - 1])}`;
  const afterOn = new Set(after.findings.map((f) => `${f.ruleId}#${f.nodeId}`));
  const afterByTitle = new Set(after.findings.map((f) => key(f.ruleId, after, f.nodeId)));
  const keptAfter = new Set<string>();
  const resolved: PlanDiffFinding[] = [];
  for (const f of before.findings) {
    const counterpart = toAfter[f.nodeId - 1];
    const onPair = counterpart !== 0 && afterOn.has(`${f.ruleId}#${counterpart}`);
    const byTitle = key(f.ruleId, before, f.nodeId);
    if (onPair) keptAfter.add(`${f.ruleId}#${counterpart}`);
    else if (afterByTitle.has(byTitle)) keptAfter.add(byTitle);
    else resolved.push(findingOf(f, before));
  }
  const kept: PlanDiffFinding[] = [];
  const added: PlanDiffFinding[] = [];
  for (const f of after.findings) {
    const same = keptAfter.has(`${f.ruleId}#${f.nodeId}`) || keptAfter.has(key(f.ruleId, after, f.nodeId));
    (same ? kept : added).push(findingOf(f, after));
  }
  return { resolved, new: added, kept };
}

function rootBuffers(r: PlanReport, field: 'sharedHit' | 'sharedRead'): number | null {
  return r.root.buffers ? r.root.buffers[field] : null;
}

export function diffPlans(before: PlanReport, after: PlanReport, options: PlanDiffOptions = {}): PlanDiff {
  const b = before.nodes;
  const a = after.nodes;
  const matching = matchPlanNodes(b, a);
  const bTimed = timed(before);
  const aTimed = timed(after);
  const scale: Scale = {
    timeMs: OF_TOTAL * Math.max(before.summary.totalTimeMs, after.summary.totalTimeMs),
    cost: OF_TOTAL * Math.max(before.summary.totalCost, after.summary.totalCost),
    blocks:
      OF_TOTAL *
      Math.max(
        (rootBuffers(before, 'sharedHit') ?? 0) + (rootBuffers(before, 'sharedRead') ?? 0),
        (rootBuffers(after, 'sharedHit') ?? 0) + (rootBuffers(after, 'sharedRead') ?? 0),
      ),
  };

  const counts = { matched: 0, added: 0, removed: 0, changed: 0, typeChanged: 0 };
  const nodes: PlanDiffNode[] = pairedOrder(b, a, matching).map(([bid, aid]) => {
    if (aid === 0) {
      counts.removed++;
      return { status: 'removed', before: side(b[bid - 1], bTimed), changes: [] };
    }
    if (bid === 0) {
      counts.added++;
      return { status: 'added', after: side(a[aid - 1], aTimed), changes: [] };
    }
    const bn = b[bid - 1];
    const an = a[aid - 1];
    const bs = side(bn, bTimed);
    const as = side(an, aTimed);
    const changes = changesOf(bn, an, bs, as, scale);
    counts.matched++;
    if (changes.length > 0) counts.changed++;
    if (changes.includes('type') || changes.includes('index')) counts.typeChanged++;
    const d: PlanDiffNode = { status: 'matched', before: bs, after: as, changes };
    const why = matching.reason[aid - 1];
    if (why) d.matchedBy = why;
    return d;
  });

  const analyzedBoth = before.summary.analyzed && after.summary.analyzed;
  const totalTime = (r: PlanReport) => (r.summary.analyzed ? r.summary.totalTimeMs : null);
  const rootRows = (r: PlanReport) => (r.root.analyzed ? (r.root.totalRows ?? null) : null);
  const totals: PlanDiff['totals'] = {
    executionTimeMs: figure(before.summary.executionTimeMs, after.summary.executionTimeMs),
    planningTimeMs: figure(before.summary.planningTimeMs, after.summary.planningTimeMs),
    totalTimeMs: figure(totalTime(before), totalTime(after)),
    totalCost: figure(before.summary.totalCost, after.summary.totalCost),
    nodes: figure(b.length, a.length),
    rows: figure(rootRows(before), rootRows(after)),
    sharedHit: figure(rootBuffers(before, 'sharedHit'), rootBuffers(after, 'sharedHit')),
    sharedRead: figure(rootBuffers(before, 'sharedRead'), rootBuffers(after, 'sharedRead')),
  };
  const findings = splitFindings(before, after, matching.toAfter);
  const sameShape = counts.added === 0 && counts.removed === 0 && counts.typeChanged === 0;
  const totalsEqual = Object.values(totals).every((f) => f.delta === null ? f.before === f.after : f.delta === 0);
  return {
    version: 1,
    before: { label: options.beforeLabel ?? 'before', analyzed: before.summary.analyzed, timed: bTimed, nodes: b.length, findings: before.findings.length },
    after: { label: options.afterLabel ?? 'after', analyzed: after.summary.analyzed, timed: aTimed, nodes: a.length, findings: after.findings.length },
    totals,
    measure: analyzedBoth ? { name: 'totalTimeMs', figure: totals.totalTimeMs } : { name: 'totalCost', figure: totals.totalCost },
    sameShape,
    unchanged: sameShape && counts.changed === 0 && totalsEqual && findings.resolved.length === 0 && findings.new.length === 0,
    counts,
    nodes,
    findings,
  };
}


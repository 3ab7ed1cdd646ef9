/**
 * Which nodes the tree shows. Pure data (no DOM) so it is unit-tested and stays O(visible rows):
 * a 10,000-node plan must open in well under a second, so only expanded subtrees are walked.
 */
import type { PlanNode, PlanReport } from '../../src/core/plan/types';

/** Plans up to this size open fully expanded; bigger ones open along the hot path. */
export const EXPAND_ALL_LIMIT = 300;
/** Rows shown by default on a big plan before the breadth-first expansion stops. */
export const DEFAULT_ROW_BUDGET = 200;
/** Same rule as the analyser's hot path: the fewest nodes covering this share of the time. */
const OWNER_SHARE_PCT = 80;

export class TreeModel {
  readonly byId = new Map<number, PlanNode>();
  /** The hot path: the nodes owning most of the time and their ancestors. */
  readonly hot: Set<number>;
  /** The hot path's owners: its fewest nodes whose shares add up to 80% (the ones to look at). */
  readonly owners = new Set<number>();
  readonly expanded = new Set<number>();
  readonly maxDepth: number;

  constructor(readonly report: PlanReport) {
    let maxDepth = 0;
    for (const n of report.nodes) {
      if (!n) continue;
      this.byId.set(n.id, n);
      if (n.depth > maxDepth) maxDepth = n.depth;
    }
    this.maxDepth = maxDepth;
    this.hot = new Set(report.summary.hotPath);
    const byShare = [...this.hot]
      .map((id) => this.byId.get(id))
      .filter((n): n is PlanNode => n !== undefined)
      .sort((a, b) => b.sharePct - a.sharePct);
    let sum = 0;
    for (const n of byShare) {
      if (sum >= OWNER_SHARE_PCT || n.sharePct <= 0) break;
      this.owners.add(n.id);
      sum += n.sharePct;
    }
  }

  node(id: number): PlanNode | undefined {
    return this.byId.get(id);
  }

  /** All nodes on small plans; else the hot path, the slowest node's ancestors and the top levels within a row budget. */
  expandDefault(): void {
    this.expanded.clear();
    const nodes = this.report.nodes.filter(Boolean);
    if (nodes.length <= EXPAND_ALL_LIMIT) {
      for (const n of nodes) if (n.children.length > 0) this.expanded.add(n.id);
      return;
    }
    for (const id of this.hot) this.expandAncestorsAndSelf(id);
    this.revealPath(this.report.summary.slowestNodeId);
    // Breadth first, so the shape of the plan shows before any single branch is opened deep.
    let rows = this.visibleRows().length;
    let level: PlanNode[] = [this.report.root];
    while (level.length > 0 && rows < DEFAULT_ROW_BUDGET) {
      const next: PlanNode[] = [];
      for (const n of level) {
        if (n.children.length === 0) continue;
        if (!this.expanded.has(n.id)) {
          if (rows + n.children.length > DEFAULT_ROW_BUDGET) continue;
          this.expanded.add(n.id);
          rows += n.children.length;
        }
        next.push(...n.children);
      }
      level = next;
    }
  }

  private expandAncestorsAndSelf(id: number): void {
    const n = this.byId.get(id);
    if (!n) return;
    if (n.children.length > 0) this.expanded.add(n.id);
    this.revealPath(id);
  }

  /** Expands every ancestor of `id` so it is visible. */
  revealPath(id: number): void {
    let p = this.byId.get(id)?.parentId ?? null;
    while (p !== null) {
      this.expanded.add(p);
      p = this.byId.get(p)?.parentId ?? null;
    }
  }

  isExpanded(id: number): boolean {
    return this.expanded.has(id);
  }

  toggle(id: number, open?: boolean): boolean {
    const n = this.byId.get(id);
    if (!n || n.children.length === 0) return false;
    const want = open ?? !this.expanded.has(id);
    if (want === this.expanded.has(id)) return false;
    if (want) this.expanded.add(id);
    else this.expanded.delete(id);
    return true;
  }

  expandAll(): void {
    for (const n of this.byId.values()) if (n.children.length > 0) this.expanded.add(n.id);
  }

  /** Node ids in display order (preorder, skipping collapsed subtrees). */
  visibleRows(): number[] {
    const out: number[] = [];
    const stack: PlanNode[] = [this.report.root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      out.push(n.id);
      if (n.children.length > 0 && this.expanded.has(n.id)) {
        for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
      }
    }
    return out;
  }

  /** Indentation per level in px so the deepest row keeps most of the width. */
  indentStep(widthPx: number): number {
    if (this.maxDepth === 0) return 14;
    const step = Math.floor((widthPx * 0.35) / this.maxDepth);
    return Math.max(4, Math.min(14, step));
  }
}

/** The text of the node heading's second part: "on orders o", "using orders_pkey on orders". */
export function nodeTarget(n: PlanNode): string {
  const parts: string[] = [];
  if (n.indexName) parts.push(`using ${n.indexName}`);
  const rel = n.relation ? (n.schema && n.schema !== 'public' ? `${n.schema}.${n.relation}` : n.relation) : undefined;
  const target = rel ?? n.functionName ?? n.cteName;
  if (target) parts.push(`on ${target}`);
  if (n.alias && n.alias !== n.relation && n.alias !== target) parts.push(n.alias);
  return parts.join(' ');
}

/** The conditions a row shows on its third line, most telling first. */
export function nodeConditions(n: PlanNode): string[] {
  const out: string[] = [];
  const add = (name: string, v: string | string[] | undefined) => {
    if (v === undefined || v.length === 0) return;
    out.push(`${name}: ${Array.isArray(v) ? v.join(', ') : v}`);
  };
  add('Index Cond', n.indexCond);
  add('Filter', n.filter);
  add('Recheck Cond', n.recheckCond);
  add('Hash Cond', n.hashCond);
  add('Merge Cond', n.mergeCond);
  add('Join Filter', n.joinFilter);
  add('One-Time Filter', n.oneTimeFilter);
  add('TID Cond', n.tidCond);
  add('Sort Key', n.sortKey);
  add('Group Key', n.groupKey);
  return out;
}

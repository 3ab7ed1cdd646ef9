/** Small hand-made PlanReports for the viewer tests (the analyser has its own tests). */
import type { PlanFinding, PlanNode, PlanReport } from '../../../src/core/plan/types';

export type NodeSpec = Partial<Omit<PlanNode, 'children'>> & { nodeType: string; children?: NodeSpec[] };

/** Builds a report: ids in preorder from 1, depth and parent filled in, share from exclusive time. */
export function makeReport(rootSpec: NodeSpec, findings: PlanFinding[] = [], hotPath?: number[]): PlanReport {
  const nodes: PlanNode[] = [];
  const build = (spec: NodeSpec, parentId: number | null, depth: number): PlanNode => {
    const { children = [], ...rest } = spec;
    const n: PlanNode = {
      id: nodes.length + 1,
      parentId,
      depth,
      children: [],
      label: spec.nodeType,
      parallelAware: false,
      startupCost: 0,
      totalCost: 10,
      exclusiveCost: 1,
      planRows: 10,
      planWidth: 8,
      analyzed: true,
      neverExecuted: false,
      actualRows: 10,
      loops: 1,
      inclusiveTimeMs: 1,
      exclusiveTimeMs: 1,
      sharePct: 0,
      raw: { 'Node Type': spec.nodeType },
      ...rest,
    };
    nodes.push(n);
    for (const c of children) n.children.push(build(c, n.id, depth + 1));
    return n;
  };
  const root = build(rootSpec, null, 0);
  const total = nodes.reduce((s, n) => s + n.exclusiveTimeMs, 0);
  for (const n of nodes) if (!('sharePct' in rootSpec) || n.sharePct === 0) n.sharePct = total > 0 ? (n.exclusiveTimeMs / total) * 100 : 0;
  const slowest = nodes.reduce((a, b) => (b.exclusiveTimeMs > a.exclusiveTimeMs ? b : a));
  return {
    root,
    nodes,
    findings,
    summary: {
      totalTimeMs: total,
      executionTimeMs: total,
      totalCost: root.totalCost,
      nodeCount: nodes.length,
      slowestNodeId: slowest.id,
      hotPath: hotPath ?? [],
      analyzed: true,
      triggers: [],
    },
    sourceFormat: 'json',
  };
}

/** A chain/fan-out plan of `count` nodes: `fanout` children per node, breadth first. */
export function makeWideReport(count: number, fanout: number): PlanReport {
  const specs: NodeSpec[] = [];
  for (let i = 0; i < count; i++) specs.push({ nodeType: i === 0 ? 'Append' : 'Seq Scan', exclusiveTimeMs: (i % 17) + 0.5, children: [] });
  for (let i = 1; i < count; i++) specs[Math.floor((i - 1) / fanout)].children!.push(specs[i]);
  return makeReport(specs[0]);
}

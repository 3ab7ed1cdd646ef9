/** The JSON shapes docs/cli.md fixes for plan findings and the `pglens plan` summary (its `pglens explain` and `pglens plan` sections). */
import { SEVERITY_RANK, type Severity, type SeveritySetting } from '../types';
import { nodeTitle } from './format';
import type { PlanFinding, PlanNode, PlanReport } from './types';

export interface PlanNodeRefJson {
  id: number;
  nodeType: string;
  relation?: string;
  label: string;
  title: string;
}

export interface PlanFindingJson {
  rule: string;
  severity: Severity;
  message: string;
  node: PlanNodeRefJson;
  evidence: Record<string, number | string>;
  fix: string;
}

export interface PlanReportJson {
  findings: PlanFindingJson[];
  summary: {
    totalTimeMs: number;
    planningTimeMs: number | null;
    executionTimeMs: number | null;
    totalCost: number;
    analyzed: boolean;
    nodes: number;
    slowestNode: PlanNodeRefJson & { exclusiveTimeMs: number; inclusiveTimeMs: number; sharePct: number };
    hotPath: number[];
  };
}

function nodeRef(node: PlanNode): PlanNodeRefJson {
  const ref: PlanNodeRefJson = { id: node.id, nodeType: node.nodeType, label: node.label, title: nodeTitle(node) };
  if (node.relation !== undefined) ref.relation = node.relation;
  return ref;
}

export function planFindingJson(f: PlanFinding, report: PlanReport): PlanFindingJson {
  return { rule: f.ruleId, severity: f.severity, message: f.message, node: nodeRef(report.nodes[f.nodeId - 1]), evidence: f.evidence, fix: f.fix };
}

export function planReportJson(report: PlanReport): PlanReportJson {
  const s = report.summary;
  const slow = report.nodes[s.slowestNodeId - 1];
  return {
    findings: report.findings.map((f) => planFindingJson(f, report)),
    summary: {
      totalTimeMs: s.totalTimeMs,
      planningTimeMs: s.planningTimeMs ?? null,
      executionTimeMs: s.executionTimeMs ?? null,
      totalCost: s.totalCost,
      analyzed: s.analyzed,
      nodes: s.nodeCount,
      slowestNode: { ...nodeRef(slow), exclusiveTimeMs: slow.exclusiveTimeMs, inclusiveTimeMs: slow.inclusiveTimeMs, sharePct: slow.sharePct },
      hotPath: s.hotPath,
    },
  };
}

/** Whether any finding is at or above `failOn` (the CLI's exit 1); 'off' never fails. */
export function findingsAtOrAbove(findings: { severity: Severity }[], failOn: SeveritySetting): boolean {
  if (failOn === 'off') return false;
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}

/**
 * Plan findings (docs/rules/README.md "plan", one page each in docs/rules/): each names the node, the numbers behind it
 * (evidence) and the fix — SQL where the plan tells enough to write it. Each rule is a file of
 * rules/ (plan-rule.ts); this is the engine that runs them over a plan.
 */
import { SEVERITY_RANK, type Severity } from '../types';
import type { PlanFindingDraft, PlanRule, PlanRuleContext } from './plan-rule';
import { planRules } from './rules';
import type { PlanFinding, PlanNode, PlanRuleId, PlanSummary, PlanThresholds } from './types';

export { createStatisticsSql, statisticsProposal, type StatisticsKind, type StatisticsProposal } from './rules/misestimate';

/** Each plan rule's default severity, by id (from the rules of rules/). */
export const PLAN_RULE_DEFAULT_SEVERITY = Object.fromEntries(planRules.map((r) => [r.id, r.defaultSeverity])) as Readonly<Record<PlanRuleId, Severity>>;

export interface PlanFindingOptions {
  thresholds: PlanThresholds;
  severities?: Partial<Record<PlanRuleId, Severity | 'off'>>;
}

/** The context the node rules share during one run; the engine moves `parent` from node to node. */
interface RunContext extends PlanRuleContext {
  parent: PlanNode | undefined;
}

export function planFindings(nodes: PlanNode[], summary: PlanSummary, options: PlanFindingOptions): PlanFinding[] {
  const severityOf = (r: PlanRule): Severity | 'off' => options.severities?.[r.id] ?? r.defaultSeverity;
  const on = planRules.filter((r) => severityOf(r) !== 'off');
  const nodeRules = on.filter((r) => r.detect !== undefined);
  const planLevel = on.filter((r) => r.detectPlan !== undefined);
  let aliasSet: Set<string> | undefined;
  const ctx: RunContext = {
    parent: undefined,
    summary,
    thresholds: options.thresholds,
    nodes,
    aliases: () => (aliasSet ??= new Set(nodes.filter((n) => n.alias !== undefined && n.nodeType !== 'ModifyTable').map((n) => n.alias!))),
  };
  const drafts: PlanFindingDraft[] = [];
  // Children before their parents (misestimate reports where an error starts). One call and test
  // per rule, without an array per node: on a large clean plan nothing fires.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!node.analyzed || node.neverExecuted) continue;
    ctx.parent = node.parentId === null ? undefined : nodes[node.parentId - 1];
    for (let r = 0; r < nodeRules.length; r++) {
      const d = nodeRules[r].detect!(node, ctx);
      if (d) drafts.push(d);
    }
  }
  if (nodes.length > 0) {
    for (const rule of planLevel) {
      const d = rule.detectPlan!(summary, nodes[0], options.thresholds);
      if (d) drafts.push(d);
    }
  }

  const findings: PlanFinding[] = [];
  for (const d of drafts) {
    const severity = options.severities?.[d.ruleId] ?? PLAN_RULE_DEFAULT_SEVERITY[d.ruleId];
    if (severity === 'off') continue;
    findings.push({ ruleId: d.ruleId, severity, message: d.message, nodeId: d.nodeId, evidence: d.evidence, fix: d.fix });
  }
  // By severity, the node's share of the time, the node; at one node, by rule id.
  findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      nodes[b.nodeId - 1].sharePct - nodes[a.nodeId - 1].sharePct ||
      a.nodeId - b.nodeId ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
  return findings;
}

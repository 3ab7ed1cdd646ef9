import type { Severity } from '../types';
import type { PlanFinding, PlanNode, PlanRuleId, PlanSummary, PlanThresholds } from './types';

/**
 * A plan finding's rule: one file in `rules/`, named after its id (docs/rules/<id>.md is its
 * page, test/unit/plan/findings.test.ts its cases). `rules/index.ts`, which lists them by id, is
 * generated (`npm run rules:generate`). A rule looks at one node at a time (`detect`) or at the
 * plan as a whole (`detectPlan`); the engine (`planFindings` in findings.ts) calls it and gives
 * the finding its severity.
 */
export interface PlanRule {
  id: PlanRuleId;
  defaultSeverity: Severity;
  /**
   * Called for every executed node of an analyzed plan, children before their parents (the
   * nodes in reverse order of id). At most one finding per node.
   */
  detect?(node: PlanNode, ctx: PlanRuleContext): PlanFindingDraft | undefined;
  /** Called once per plan, with its root node (findings about the plan as a whole, put on the root). */
  detectPlan?(summary: PlanSummary, root: PlanNode, thresholds: PlanThresholds): PlanFindingDraft | undefined;
}

/** A finding as a rule raises it: the engine adds the severity (the configured one, or the rule's default). */
export type PlanFindingDraft = Omit<PlanFinding, 'severity'>;

/**
 * What a node rule sees besides its node. One object per `planFindings` run (so a rule may key
 * state of its own for the run on it, see misestimate.ts); `parent` changes from node to node.
 */
export interface PlanRuleContext {
  /** The node's parent, undefined for the root. */
  readonly parent: PlanNode | undefined;
  readonly summary: PlanSummary;
  readonly thresholds: PlanThresholds;
  /** Every node of the plan; node `id` is at index `id - 1`. */
  readonly nodes: readonly PlanNode[];
  /** The aliases of the plan's nodes (ModifyTable aside), built on first use. */
  readonly aliases: () => ReadonlySet<string>;
}

import { formatCount, formatMs, formatPct, round1, roundPct } from '../format';
import type { PlanRule } from '../plan-rule';

/** JIT compilation that took a large share of the execution time: compiling costs more than it saves (on the root node). */
export const rule: PlanRule = {
  id: 'jit-overhead',
  defaultSeverity: 'warning',
  detectPlan(summary, root, t) {
    const jitMs = summary.jit?.totalMs;
    const exec = summary.executionTimeMs;
    if (jitMs === undefined || !exec) return undefined;
    const pct = (jitMs / exec) * 100;
    if (pct < t.jitOverheadMinPct) return undefined;
    return {
      ruleId: 'jit-overhead',
      message: `JIT compilation took ${formatMs(jitMs)} of the ${formatMs(exec)} execution (${formatPct(pct)}): compiling costs more than it saves for this query`,
      nodeId: root.id,
      evidence: { jitMs: round1(jitMs), executionTimeMs: round1(exec), jitPct: roundPct(pct), functions: summary.jit?.functions ?? 0, planCost: round1(root.totalCost) },
      fix: `SET jit = off; or raise jit_above_cost above this plan's cost (${formatCount(root.totalCost)}), e.g. SET jit_above_cost = ${formatCount(Math.max(100000, root.totalCost * 10)).replace(/,/g, '')};`,
    };
  },
};

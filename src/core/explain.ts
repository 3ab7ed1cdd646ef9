import { verifyStatistics } from './advise/statistics';
import type { Connection, ExplainResult } from './db/connection';
import { errorMessage } from './errors';
import { analyzePlan } from './plan/analyze';
import { statisticsProposal } from './plan/findings';
import type { AnalyzePlanOptions, PlanReport } from './plan/types';

export interface ExplainRequestOptions {
  analyze: boolean;
  timeoutMs: number;
  /** Values for $1…$n; omit for a generic plan (plain EXPLAIN on PG 12+). */
  params?: unknown[];
  paramCount?: number;
  /** User functions the user allows to run although pglens could not prove them harmless. */
  allowFunctions?: string[];
  /** Plan thresholds and rule severities (from `.pglens.json`). */
  analysis?: Omit<AnalyzePlanOptions, 'query'>;
  /**
   * Try the CREATE STATISTICS of a correlated-columns misestimate on the sandbox (default: on,
   * after Explain Analyze on the embedded sandbox; never on a server).
   */
  verifyStatistics?: boolean;
}

export interface ExplainOutcome {
  result: ExplainResult;
  report: PlanReport;
  serverVersion: string;
}

/** Generic plans (no values for $n) need plan_cache_mode, PostgreSQL 12+. */
export const GENERIC_PLAN_MIN_MAJOR = 12;

export function majorVersion(serverVersion: string): number {
  return Number.parseInt(serverVersion, 10) || 0;
}

/**
 * The one Explain path the editor and the CLI share: a generic plan when a plain Explain has
 * parameters and no values (PREPARE … EXECUTE with plan_cache_mode = force_generic_plan, PG 12+;
 * `result.generic` and a notice say so), the safe runner of the connection (refusals, BEGIN …
 * ROLLBACK, timeout), then the plan analysis — and on the sandbox, the statistics a misestimate
 * on correlated columns asks for, tried and rolled back.
 */
export async function explainStatement(conn: Connection, sql: string, options: ExplainRequestOptions): Promise<ExplainOutcome> {
  const serverVersion = await conn.serverVersion();
  const paramCount = options.paramCount ?? 0;
  const result = await conn.explain(sql, {
    analyze: options.analyze,
    timeoutMs: options.timeoutMs,
    params: options.params,
    genericPlan: paramCount > 0 && !options.params && !options.analyze,
    buffers: true,
    settings: true,
    allowFunctions: options.allowFunctions,
  });
  const report = analyzePlan(result.plan, { ...options.analysis, query: sql });
  if (options.analyze && conn.kind === 'embedded' && options.verifyStatistics !== false) {
    await verifyStatisticsFindings(conn, sql, options, report);
  }
  return { result, report, serverVersion };
}

/** At most this many statistics objects are tried per Explain (each one ANALYZEs its table). */
const MAX_STATISTICS_CHECKS = 2;

/** Amends each correlated-columns misestimate with what its statistics did on the sandbox. */
async function verifyStatisticsFindings(conn: Connection, sql: string, options: ExplainRequestOptions, report: PlanReport): Promise<void> {
  const findings = report.findings.filter((f) => f.ruleId === 'misestimate' && f.evidence.cause === 'correlated columns').slice(0, MAX_STATISTICS_CHECKS);
  for (const finding of findings) {
    const node = report.nodes[finding.nodeId - 1];
    const proposal = statisticsProposal(node);
    if (!proposal || !node.relation) continue;
    try {
      const check = await verifyStatistics(
        conn,
        sql,
        options.params,
        proposal,
        { relation: node.relation, alias: node.alias, planRows: node.planRows, actualRows: node.actualRows ?? 0 },
        { allowFunctions: options.allowFunctions },
      );
      finding.evidence.statisticsVerified = check.improved ? 'improved' : 'no better';
      if (check.estimateAfter !== undefined) finding.evidence.estimateWithStatistics = check.estimateAfter;
      finding.fix = check.improved
        ? `${check.createStatistics ?? proposal.createStatistics} ${proposal.analyze} ${check.summary}`
        : `${proposal.analyze} ${check.summary} Write the condition so the planner can estimate it, or leave the estimate if the plan above it is right anyway.`;
    } catch (e) {
      finding.evidence.statisticsVerified = 'not tried';
      finding.fix += ` (pglens could not try it on the sandbox: ${errorMessage(e).split('\n')[0]})`;
    }
  }
}

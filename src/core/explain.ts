import type { Connection, ExplainResult } from './db/connection';
import { analyzePlan } from './plan/analyze';
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
 * parameters and no values, the safe runner of the connection (refusals, BEGIN … ROLLBACK,
 * timeout), then the plan analysis.
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
  return { result, report, serverVersion };
}

import type { Connection, ExplainResult } from './db/connection';
import { classifyForExplain } from './db/explain-safety';
import { PglensError } from './errors';
import { analyzePlan } from './plan/analyze';
import type { AnalyzePlanOptions, PlanReport } from './plan/types';

export interface ExplainRequestOptions {
  analyze: boolean;
  timeoutMs: number;
  /** Values for $1…$n; omit to use GENERIC_PLAN (plain EXPLAIN on PG 16+). */
  params?: unknown[];
  paramCount?: number;
  /** Plan thresholds and rule severities (from `.pglens.json`). */
  analysis?: Omit<AnalyzePlanOptions, 'query'>;
}

export interface ExplainOutcome {
  result: ExplainResult;
  report: PlanReport;
  serverVersion: string;
}

export function majorVersion(serverVersion: string): number {
  return Number.parseInt(serverVersion, 10) || 0;
}

/**
 * The one Explain path the editor and the CLI share: refuse what must not run, choose
 * GENERIC_PLAN when a plain Explain has parameters and no values, run, analyse the plan.
 */
export async function explainStatement(conn: Connection, sql: string, options: ExplainRequestOptions): Promise<ExplainOutcome> {
  const safety = await classifyForExplain(sql);
  if (!safety.explainAllowed) {
    throw new PglensError('refused', `pglens will not explain this statement: ${safety.reason ?? 'EXPLAIN does not accept it'}`);
  }
  if (options.analyze && !safety.analyzeAllowed) {
    throw new PglensError(
      'refused',
      `EXPLAIN ANALYZE refused: ${safety.reason ?? 'this statement cannot run inside a rolled-back transaction'}`,
      'use plain Explain, which shows the plan without running the statement',
    );
  }
  const serverVersion = await conn.serverVersion();
  const paramCount = options.paramCount ?? 0;
  const genericPlan = paramCount > 0 && !options.params && !options.analyze;
  if (genericPlan && majorVersion(serverVersion) < 16) {
    throw new PglensError(
      'bad-input',
      `the statement has ${paramCount} parameter(s) and PostgreSQL ${serverVersion} has no GENERIC_PLAN (16+)`,
      'give values for $1…$n',
    );
  }
  const result = await conn.explain(sql, {
    analyze: options.analyze,
    timeoutMs: options.timeoutMs,
    params: options.params,
    genericPlan,
    buffers: true,
    settings: true,
  });
  const report = analyzePlan(result.plan, { ...options.analysis, query: sql });
  return { result, report, serverVersion };
}

import type { Severity } from '../types';

/** Rule ids of docs/rules/ that the live database can raise (docs/rules/README.md "index health", and "schema"'s index and key rules). */
export type HealthRuleId =
  | 'fk-without-index'
  | 'missing-primary-key'
  | 'duplicate-index'
  | 'unused-index'
  | 'invalid-index'
  | 'seq-scan-heavy-table';

/**
 * The ids only the live database raises (docs/rules/README.md "index health"): their metadata for
 * the rule registry (src/core/rules/registry.ts), and their options with the defaults — the
 * `[severity, { … }]` keys of `.pglens.json`, numbers ≥ 0 checked when the file is read
 * (health-options.ts). unused-index: judge nothing while the usage statistics cover fewer days
 * than `minStatsDays` (0 judges always). seq-scan-heavy-table: tables of more than `minRows`
 * estimated rows whose sequential scans read more than `ratio` times the rows index scans fetched.
 */
export const INDEX_HEALTH_RULES = {
  'unused-index': { defaultSeverity: 'warning', fixable: true, options: { minStatsDays: 7 } },
  'invalid-index': { defaultSeverity: 'error', fixable: true, options: {} },
  'seq-scan-heavy-table': { defaultSeverity: 'info', fixable: false, options: { minRows: 10_000, ratio: 10 } },
} as const satisfies Record<string, { defaultSeverity: Severity; fixable: boolean; options: Record<string, number> }>;

/**
 * One health finding: the shape of `pglens indexes`'s findings (docs/cli.md "`pglens indexes`",
 * where `ruleId` is written `rule`) plus the migration that fixes it.
 */
export interface HealthFinding {
  ruleId: HealthRuleId;
  severity: Severity;
  message: string;
  schema: string;
  table: string;
  index?: string;
  columns?: string[];
  /** Migration text that fixes it (CONCURRENTLY, idempotent); absent when only a person can decide (e.g. which primary key). */
  fixSql?: string;
  /** Migration text that undoes `fixSql`, for runners with up/down files. */
  revertSql?: string;
}

import type { Severity } from '../types';

/** Rule ids of docs/rules/ that the live database can raise (docs/rules/README.md "index health", and "schema"'s index and key rules). */
export type HealthRuleId =
  | 'fk-without-index'
  | 'missing-primary-key'
  | 'duplicate-index'
  | 'unused-index'
  | 'invalid-index'
  | 'seq-scan-heavy-table';

/** The ids only the live database raises (docs/rules/README.md "index health"): their metadata for the rule registry (src/core/rules/registry.ts). */
export const INDEX_HEALTH_RULES = {
  'unused-index': { defaultSeverity: 'warning', fixable: true },
  'invalid-index': { defaultSeverity: 'error', fixable: true },
  'seq-scan-heavy-table': { defaultSeverity: 'info', fixable: false },
} as const satisfies Record<string, { defaultSeverity: Severity; fixable: boolean }>;

/** One health finding: the JSON shape of `pglens indexes` (docs/cli.md "`pglens indexes`") plus the migration that fixes it. */
export interface HealthFinding {
  rule: HealthRuleId;
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

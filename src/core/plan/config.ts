/** Plan thresholds and severities from `.pglens.json` ("plan" object, "rules" for plan rule ids). */
import type { PglensConfig } from '../config';
import type { Severity } from '../types';
import type { AnalyzePlanOptions, PlanRuleId } from './types';
import { PLAN_RULE_DEFAULT_SEVERITY } from './findings';

/**
 * `"plan": { "seqScanFilterMinRows": 5000, … }` and `"rules": { "misestimate": "off" }` as
 * analyser options. The `plan` section was checked when the config was read
 * (src/core/config/plan-section.ts: unknown keys and bad values name the file and the key).
 */
export function planOptionsFromConfig(config: PglensConfig): AnalyzePlanOptions {
  const thresholds = { ...config.plan };
  const severities: Partial<Record<PlanRuleId, Severity | 'off'>> = {};
  for (const id of Object.keys(PLAN_RULE_DEFAULT_SEVERITY) as PlanRuleId[]) {
    const setting = config.rules[id];
    if (setting) severities[id] = setting.severity;
  }
  return { thresholds, severities };
}

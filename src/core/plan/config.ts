/** Plan thresholds and severities from `.pglens.json` ("plan" object, "rules" for plan rule ids). */
import { PglensError } from '../errors';
import type { LintConfig } from '../lint/config';
import type { Severity } from '../types';
import { DEFAULT_PLAN_THRESHOLDS, type AnalyzePlanOptions, type PlanRuleId, type PlanThresholds } from './types';
import { PLAN_RULE_DEFAULT_SEVERITY } from './findings';

/**
 * `"plan": { "seqScanFilterMinRows": 5000, … }` (keys of PlanThresholds, numbers ≥ 0) and
 * `"rules": { "misestimate": "off" }`. Unknown keys are errors naming the file and the key.
 */
export function planOptionsFromConfig(config: LintConfig): AnalyzePlanOptions {
  const file = config.file ?? '.pglens.json';
  const thresholds: Partial<PlanThresholds> = {};
  for (const [key, value] of Object.entries(config.plan)) {
    if (!(key in DEFAULT_PLAN_THRESHOLDS)) {
      throw new PglensError('bad-input', `${file}: "plan.${key}" is not a plan threshold (known: ${Object.keys(DEFAULT_PLAN_THRESHOLDS).join(', ')})`, `fix "plan.${key}" in ${file}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new PglensError('bad-input', `${file}: "plan.${key}" must be a number ≥ 0, got ${JSON.stringify(value)}`, `fix "plan.${key}" in ${file}`);
    }
    thresholds[key as keyof PlanThresholds] = value;
  }
  const severities: Partial<Record<PlanRuleId, Severity | 'off'>> = {};
  for (const id of Object.keys(PLAN_RULE_DEFAULT_SEVERITY) as PlanRuleId[]) {
    const setting = config.rules[id];
    if (setting) severities[id] = setting.severity;
  }
  return { thresholds, severities };
}

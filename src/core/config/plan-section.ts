import { DEFAULT_PLAN_THRESHOLDS, type PlanThresholds } from '../plan/types';
import { closestKey, configProblem, isObject } from './problems';

/** The keys `plan` accepts: the plan findings' thresholds (numbers ≥ 0), the same list as the schema's `plan`. */
export const PLAN_SETTING_KEYS = Object.keys(DEFAULT_PLAN_THRESHOLDS) as (keyof PlanThresholds)[];

/** `"plan": { "seqScanFilterMinRows": 5000, … }`: every key a known threshold, every value a number ≥ 0. */
export function parsePlanSection(value: unknown, file: string): Partial<PlanThresholds> {
  if (!isObject(value)) throw configProblem(file, 'plan', 'must be an object');
  const out: Partial<PlanThresholds> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!(PLAN_SETTING_KEYS as string[]).includes(key)) {
      const near = closestKey(key, PLAN_SETTING_KEYS);
      throw configProblem(file, `plan.${key}`, `is not a plan threshold (${near ? `did you mean "${near}"?` : `known: ${PLAN_SETTING_KEYS.join(', ')}`})`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw configProblem(file, `plan.${key}`, `must be a number ≥ 0, got ${JSON.stringify(v)}`);
    out[key as keyof PlanThresholds] = v;
  }
  return out;
}

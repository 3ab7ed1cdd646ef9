import type { DatabaseRuleId, Thresholds } from './database/check';
import { DATABASE_CHECK_DEFAULTS } from '../lint/rule-option-specs';
import { INDEX_HEALTH_RULES } from './health-finding';
import { shownValue } from '../config/problems';
import { N_PLUS_ONE_CANDIDATE, N_PLUS_ONE_CANDIDATE_DEFAULTS } from './n-plus-one-rule';

/**
 * The options of the health rules — `"rules": { "<id>": ["warning", { … }] }` in `.pglens.json` —
 * read from where each rule states its defaults (a database check's `defaults`, through the light
 * generated copy DATABASE_CHECK_DEFAULTS (rule-option-specs.ts, so reading a config loads no check),
 * `INDEX_HEALTH_RULES`, n-plus-one-rule.ts), so the config reader (src/core/lint/rule-options.ts,
 * when the file is read) and the runs (`mergeThresholds`) check them with the same list.
 */

/** A rule's numeric options: each one's default (its key is the option's name) and those that are fractions (0 to 1). */
export interface NumericOptions {
  defaults: Readonly<Thresholds>;
  fractions: readonly string[];
}

/** A database check's options: its `defaults`; a share or a ratio is a fraction (2 would never fire). */
export function databaseCheckOptions(defaults: Readonly<Thresholds>): NumericOptions {
  return { defaults, fractions: Object.keys(defaults).filter((key) => /share|ratio/i.test(key)) };
}

export type HealthOptionsRuleId = DatabaseRuleId | keyof typeof INDEX_HEALTH_RULES | typeof N_PLUS_ONE_CANDIDATE;

/** Every health rule's options: the database checks, the index health rules and n-plus-one-candidate. */
export const HEALTH_RULE_OPTIONS: Readonly<Record<HealthOptionsRuleId, NumericOptions>> = {
  ...(Object.fromEntries(Object.entries(DATABASE_CHECK_DEFAULTS).map(([id, defaults]) => [id, databaseCheckOptions(defaults)])) as Record<DatabaseRuleId, NumericOptions>),
  ...(Object.fromEntries(Object.entries(INDEX_HEALTH_RULES).map(([id, rule]): [string, NumericOptions] => [id, { defaults: rule.options, fractions: [] }])) as Record<
    keyof typeof INDEX_HEALTH_RULES,
    NumericOptions
  >),
  [N_PLUS_ONE_CANDIDATE]: { defaults: N_PLUS_ONE_CANDIDATE_DEFAULTS, fractions: [] },
};

/** What is wrong with a rule's numeric options: the first option at fault and the problem; undefined when they are fine. */
export function numericOptionsProblem(id: string, spec: NumericOptions, options: Record<string, unknown>): { path: string; problem: string } | undefined {
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(spec.defaults, key)) return { path: key, problem: `is not an option of ${id} (${Object.keys(spec.defaults).join(', ') || 'it has none'})` };
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return { path: key, problem: `must be a number ≥ 0, got ${shownValue(value)}` };
    if (spec.fractions.includes(key) && value > 1) return { path: key, problem: `is a fraction between 0 and 1, got ${value}` };
  }
  return undefined;
}

/**
 * The options a lint rule declares (`Rule.options`): each option's JSON type, bounds and default,
 * stated once in the rule's file. The config reader checks `.pglens.json`'s `[severity, { … }]`
 * against them when the file is read (through the light generated list rule-option-specs.ts, so
 * reading the config loads no rule), and the rule reads its values through `ruleOption`, which
 * falls back to the default for a config built in code.
 */

import { shownValue } from '../config/problems';

/** One option of a rule. */
export type RuleOptionSpec =
  | {
      type: 'number';
      /** The smallest value allowed. */
      minimum: number;
      /** Whole numbers only. */
      integer?: boolean;
      default: number;
    }
  | {
      /** A list of names; a single string is taken as a list of one. */
      type: 'names';
      /** An empty list is a setting of its own (no names), not a mistake. */
      allowEmpty?: boolean;
      default: readonly string[];
    };

export type RuleOptionSpecs = Readonly<Record<string, RuleOptionSpec>>;

/** What is wrong with a value for an option, undefined when it is fine. */
function valueProblem(spec: RuleOptionSpec, value: unknown): string | undefined {
  if (spec.type === 'number') {
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= spec.minimum && (!spec.integer || Number.isInteger(value));
    return ok ? undefined : `must be a ${spec.integer ? 'whole number' : 'number'} ≥ ${spec.minimum}, got ${shownValue(value)}`;
  }
  if (typeof value === 'string') return value === '' ? 'must be a non-empty name or a list of names, got ""' : undefined;
  if (!Array.isArray(value) || (value.length === 0 && !spec.allowEmpty)) return `must be a name or a ${spec.allowEmpty ? '' : 'non-empty '}list of names, got ${shownValue(value)}`;
  const bad = value.findIndex((v) => typeof v !== 'string' || v === '');
  return bad < 0 ? undefined : `must be a list of non-empty names; item ${bad} is ${shownValue(value[bad])}`;
}

/** What is wrong with a rule's options (the option's name as the path), undefined when they are fine. */
export function optionSpecsProblem(id: string, specs: RuleOptionSpecs, options: Record<string, unknown>): { path: string; problem: string } | undefined {
  for (const [key, value] of Object.entries(options)) {
    const spec = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (!spec) return { path: key, problem: `is not an option of ${id} (${Object.keys(specs).join(', ') || 'it has none'})` };
    const problem = valueProblem(spec, value);
    if (problem) return { path: key, problem };
  }
  return undefined;
}

/** An option's value as the rule uses it: the configured one when valid, else the default. */
export function ruleOption<S extends RuleOptionSpec>(options: Record<string, unknown>, name: string, spec: S): S['default'] {
  const value = options[name];
  if (value === undefined || valueProblem(spec, value) !== undefined) return spec.default;
  if (spec.type === 'names' && typeof value === 'string') return [value];
  return value as S['default'];
}

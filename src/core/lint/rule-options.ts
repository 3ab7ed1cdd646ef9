import { HEALTH_RULE_OPTIONS, numericOptionsProblem } from '../health/health-options';
import { optionSpecsProblem } from './option-specs';
import { LINT_RULE_OPTION_SPECS } from './rule-option-specs';
import { NamingOptionError, namingConventionOptions } from './rules/support/naming';

/** What is wrong with a rule's options: the option's path inside them and the problem; undefined when they are fine. */
type OptionsCheck = (options: Record<string, unknown>) => { path: string; problem: string } | undefined;

/**
 * Rule options the config reader checks when it reads `.pglens.json`, so a mistyped option is
 * reported with its path instead of being ignored: rule id → its check. Each check reads the list
 * the rule itself runs with (naming-convention's reader; the options lint rules declare, through
 * the generated rule-option-specs.ts; the health rules' defaults, src/core/health/health-options.ts),
 * so the two cannot drift apart.
 */
const CHECKS: Record<string, OptionsCheck> = {
  'naming-convention': (options) => readProblem(namingConventionOptions, options),
  ...Object.fromEntries(Object.entries(LINT_RULE_OPTION_SPECS).map(([id, specs]): [string, OptionsCheck] => [id, (options) => optionSpecsProblem(id, specs, options)])),
  ...Object.fromEntries(Object.entries(HEALTH_RULE_OPTIONS).map(([id, spec]): [string, OptionsCheck] => [id, (options) => numericOptionsProblem(id, spec, options)])),
};

/** What is wrong with a rule's options: the option's path inside them and the problem; undefined when they are fine. */
export function ruleOptionsProblem(id: string, options: Record<string, unknown>): { path: string; problem: string } | undefined {
  if (Object.hasOwn(CHECKS, id)) return CHECKS[id](options);
  // A rule that declares no options reads none: an option given to it would be ignored without a word.
  const [first] = Object.keys(options);
  return first === undefined ? undefined : { path: first, problem: `is not an option of ${id} (it has none)` };
}

/** The options check of a rule (the registry's `options`), undefined when the rule has none. */
export function ruleOptionsValidator(id: string): OptionsCheck | undefined {
  return Object.hasOwn(CHECKS, id) ? CHECKS[id] : undefined;
}

function readProblem(read: (options: Record<string, unknown>) => unknown, options: Record<string, unknown>): { path: string; problem: string } | undefined {
  try {
    read(options);
    return undefined;
  } catch (e) {
    if (e instanceof NamingOptionError) return { path: e.path, problem: e.problem };
    throw e;
  }
}

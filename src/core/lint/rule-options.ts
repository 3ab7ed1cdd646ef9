import { NamingOptionError, namingConventionOptions } from './rules/support/naming';

/**
 * Rule options the config reader checks when it reads `.pglens.json`, so a mistyped option is
 * reported with its path instead of being ignored: rule id → a reader that throws on bad options.
 */
const READERS: Record<string, (options: Record<string, unknown>) => unknown> = {
  'naming-convention': namingConventionOptions,
};

/** What is wrong with a rule's options: the option's path inside them and the problem; undefined when they are fine. */
export function ruleOptionsProblem(id: string, options: Record<string, unknown>): { path: string; problem: string } | undefined {
  const read = READERS[id];
  if (!read) return undefined;
  return readProblem(read, options);
}

/** The options check of a rule (the registry's `options`), undefined when the rule has none. */
export function ruleOptionsValidator(id: string): ((options: Record<string, unknown>) => { path: string; problem: string } | undefined) | undefined {
  const read = READERS[id];
  return read && ((options) => readProblem(read, options));
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

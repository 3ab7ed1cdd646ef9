import type { SeveritySetting } from '../types';

/**
 * The families of rule ids (docs/rules/README.md's sections), in the order the index lists them.
 * 'prisma' holds the Prisma faces of statement and schema rules: same id, same page.
 */
export type RuleFamily =
  | 'statement'
  | 'schema'
  | 'prisma'
  | 'plan'
  | 'index-health'
  | 'database'
  | 'query-stats'
  | 'verify'
  | 'app-code'
  | 'parse';

/** What is wrong with a rule's options: the option's path inside them and the problem; undefined when they are fine. */
export type RuleOptionsValidator = (options: Record<string, unknown>) => { path: string; problem: string } | undefined;

/**
 * One rule of any family, as the registry (registry.ts) describes it. Built from the rule
 * objects where a family has them (lint, Prisma and application code rules) and from the small
 * metadata records next to the code of the others (plan findings, health, verification).
 */
export interface RuleMeta {
  id: string;
  family: RuleFamily;
  defaultSeverity: SeveritySetting;
  /** The rule's page, relative to the repository root. */
  docs: `docs/rules/${string}.md`;
  /** One line from the code (`docs.description`); undefined where the family states none (the page's first sentence stands for it). */
  description: string | undefined;
  /** The finding can carry a fix (an edit or migration text). */
  fixable: boolean;
  /** Checks `[severity, {options}]` options from `.pglens.json`; absent when the rule has none to check. */
  options?: RuleOptionsValidator;
}

import { appCodeRules } from '../app-code/rules';
import { DATABASE_CHECKS } from '../health/database/checks';
import { INDEX_HEALTH_RULES } from '../health/health-finding';
import { N_PLUS_ONE_CANDIDATE, N_PLUS_ONE_CANDIDATE_SEVERITY } from '../health/n-plus-one-candidates';
import { ruleOptionsValidator } from '../lint/rule-options';
import { SYNTAX_ERROR_DEFAULT_SEVERITY, SYNTAX_ERROR_RULE_ID } from '../lint/rule-ids';
import { rules as lintRules } from '../lint/rules';
import { VERIFY_DEFAULT_SEVERITY } from '../migrations/verify/findings';
import { planRules } from '../plan/rules';
import { prismaRules } from '../prisma/rules';
import type { SeveritySetting } from '../types';
import type { RuleFamily, RuleMeta } from './types';

/**
 * Every rule of every family in one shape (types.ts): the public contract of docs/rules/. Read
 * by the generator (scripts/rules-generate.mjs, which writes the rule indexes, the id lists of
 * src/core/lint/rule-ids.ts, the docs index, README's tables and the config schema's ids) and by
 * test/unit/rules/registry.test.ts (pages, test tables, one shape). Built from the rule objects and the metadata
 * records next to each family's code, so nothing is stated twice. Not imported by the
 * extension's activation path: it loads every rule.
 */
function meta(
  id: string,
  family: RuleFamily,
  defaultSeverity: SeveritySetting,
  fixable: boolean,
  description: string | undefined = undefined,
): RuleMeta {
  const options = ruleOptionsValidator(id);
  return { id, family, defaultSeverity, docs: `docs/rules/${id}.md`, description, fixable, ...(options && { options }) };
}

/** The rules of a generated index, all defined: an undefined one is a file there that no longer exports `rule`. */
function present<T>(list: readonly (T | undefined)[], index: string): T[] {
  if (list.some((r) => r === undefined)) {
    throw new Error(`${index} imports a rule file that exports no \`rule\`: export it (named after the file's rule id), or delete the file, then run \`npm run rules:generate\``);
  }
  return list as T[];
}

const lintDescription = new Map(present(lintRules, 'src/core/lint/rules/index.ts').map((r) => [r.id, r.docs.description]));

export const RULE_REGISTRY: readonly RuleMeta[] = [
  ...lintRules.map((r) => meta(r.id, r.kind, r.defaultSeverity, r.fixable === true, r.docs.description)),
  ...present(prismaRules, 'src/core/prisma/rules/index.ts').map((r) => meta(r.id, 'prisma', r.defaultSeverity, r.fixable === true, lintDescription.get(r.id))),
  ...planRules.map((r) => meta(r.id, 'plan', r.defaultSeverity, false)),
  ...Object.entries(INDEX_HEALTH_RULES).map(([id, r]) => meta(id, 'index-health', r.defaultSeverity, r.fixable)),
  ...DATABASE_CHECKS.map((c) => meta(c.id, 'database', c.defaultSeverity, false)),
  meta(N_PLUS_ONE_CANDIDATE, 'query-stats', N_PLUS_ONE_CANDIDATE_SEVERITY, false),
  ...Object.entries(VERIFY_DEFAULT_SEVERITY).map(([id, severity]) => meta(id, 'verify', severity, false)),
  ...present(appCodeRules, 'src/core/app-code/rules/index.ts').map((r) => meta(r.id, 'app-code', r.defaultSeverity, r.fixable === true, r.docs.description)),
  meta(SYNTAX_ERROR_RULE_ID, 'parse', SYNTAX_ERROR_DEFAULT_SEVERITY, false),
];

/** The registry's entries of one family, in registry order. */
export function rulesOfFamily(family: RuleFamily): RuleMeta[] {
  return RULE_REGISTRY.filter((r) => r.family === family);
}

/** Every rule id of the registry (a Prisma rule shares its id with the SQL rule it is the face of). */
export function registryRuleIds(): Set<string> {
  return new Set(RULE_REGISTRY.map((r) => r.id));
}

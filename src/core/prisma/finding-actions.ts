import { findingActions, type FindingAction } from '../lint/actions';
import type { LineIndex } from '../sql/line-index';
import type { Finding } from '../types';

/**
 * The editor's actions for a finding in a schema.prisma: findingActions' fix and suppressions,
 * the suppression comments in Prisma's syntax — `// pglens-ignore <rule>` and
 * `// pglens-ignore-file <rule>`, which the Prisma linter reads — instead of SQL's `--`.
 */
export function prismaFindingActions(text: string | LineIndex, finding: Finding): FindingAction[] {
  return findingActions(text, finding, { line: '//', file: '//' });
}

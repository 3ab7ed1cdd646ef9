import { createLineIndex, type LineIndex } from '../sql/line-index';
import type { Finding, TextEdit } from '../types';
import { suppressFileEdit, suppressLineEdit, type SuppressionOpener } from './suppressions';

/** One thing the editor's quick fixes can do about a finding (the CLI applies none: it prints a rule's fix with the finding). */
export interface FindingAction {
  kind: 'fix' | 'suppress-line' | 'suppress-file';
  title: string;
  edits: TextEdit[];
  /** The rule's own fix is the preferred quick fix. */
  isPreferred: boolean;
}

/**
 * The fix (when the rule has one) and the two suppressions, as edits on `text`: the editor's quick
 * fixes for SQL, Prisma (prisma/finding-actions.ts) and code files (app-code/actions.ts). `opener`
 * is the comment syntax where a suppression lands: at the finding's line, and at the file's top.
 */
export function findingActions(
  text: string | LineIndex,
  finding: Finding,
  opener: { line: SuppressionOpener; file: SuppressionOpener } = { line: '--', file: '--' },
): FindingAction[] {
  const lines = typeof text === 'string' ? createLineIndex(text) : text;
  const actions: FindingAction[] = [];
  if (finding.fix) actions.push({ kind: 'fix', title: finding.fix.title, edits: finding.fix.edits, isPreferred: true });
  actions.push({
    kind: 'suppress-line',
    title: `Disable ${finding.ruleId} for this line`,
    edits: [suppressLineEdit(lines, finding, opener.line)],
    isPreferred: false,
  });
  actions.push({
    kind: 'suppress-file',
    title: `Disable ${finding.ruleId} for this file`,
    edits: [suppressFileEdit(lines, finding.ruleId, opener.file)],
    isPreferred: false,
  });
  return actions;
}

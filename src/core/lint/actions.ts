import { createLineIndex, type LineIndex } from '../sql/line-index';
import type { Finding, TextEdit } from '../types';
import { suppressFileEdit, suppressLineEdit } from './suppressions';

/** One thing the editor (or `pglens lint --fix`) can do about a finding. */
export interface FindingAction {
  kind: 'fix' | 'suppress-line' | 'suppress-file';
  title: string;
  edits: TextEdit[];
  /** The rule's own fix is the preferred quick fix. */
  isPreferred: boolean;
}

/** The fix (when the rule has one) and the two suppressions, as edits on `text`; editor and CLI both use this. */
export function findingActions(text: string | LineIndex, finding: Finding): FindingAction[] {
  const lines = typeof text === 'string' ? createLineIndex(text) : text;
  const actions: FindingAction[] = [];
  if (finding.fix) actions.push({ kind: 'fix', title: finding.fix.title, edits: finding.fix.edits, isPreferred: true });
  actions.push({
    kind: 'suppress-line',
    title: `Disable ${finding.ruleId} for this line`,
    edits: [suppressLineEdit(lines, finding)],
    isPreferred: false,
  });
  actions.push({
    kind: 'suppress-file',
    title: `Disable ${finding.ruleId} for this file`,
    edits: [suppressFileEdit(lines, finding.ruleId)],
    isPreferred: false,
  });
  return actions;
}

/** Findings of a file with their actions, for the editor's code-action provider. */
export function findingsWithActions(text: string, findings: readonly Finding[]): Array<{ finding: Finding; actions: FindingAction[] }> {
  const lines = createLineIndex(text);
  return findings.map((finding) => ({ finding, actions: findingActions(lines, finding) }));
}

import { findingActions, type FindingAction } from '../lint/actions';
import { findEmbeddedSql } from '../sql/embedded';
import { createLineIndex } from '../sql/line-index';
import type { Finding } from '../types';

/**
 * The editor's actions on a code file's finding (src/core/lint/actions.ts), with the
 * suppression comment in the syntax of where it lands: `// pglens-ignore` in code, `--` inside
 * a multi-line SQL template (where `//` would be SQL text).
 */
export function codeFindingActions(text: string, finding: Finding): FindingAction[] {
  const lines = createLineIndex(text);
  const templates = findEmbeddedSql(text);
  const inSql = (offset: number): boolean => templates.some((t) => offset > t.contentStart && offset <= t.contentStart + t.sql.length);
  const line = inSql(lines.lineStarts[finding.range.start.line] ?? text.length) ? '--' : '//';
  return findingActions(lines, finding, { line, file: '//' });
}

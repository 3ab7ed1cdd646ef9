import { statementAtOffset, type ParsedSqlFile } from '../sql/parse';
import type { LineIndex } from '../sql/line-index';
import type { Finding, TextEdit } from '../types';

/**
 * `-- pglens-ignore rule[, rule]` at the end of a line silences those rules on that line;
 * on a line of its own, on the next line — and, right above a statement, in the whole statement.
 * `-- pglens-ignore-file rule[, rule]` silences them in the whole file.
 */
export interface Suppressions {
  file: Set<string>;
  /** 0-based line → rules ignored on it. */
  lines: Map<number, Set<string>>;
}

const MARKER = /--[ \t]*pglens-ignore(-file)?[ \t]+([a-z0-9-]+(?:[ \t]*,[ \t]*[a-z0-9-]+)*)/gi;

export function collectSuppressions(text: string, lines: LineIndex): Suppressions | undefined {
  if (!text.includes('pglens-ignore')) return undefined;
  const result: Suppressions = { file: new Set(), lines: new Map() };
  for (const m of text.matchAll(MARKER)) {
    const ids = m[2].split(',').map((s) => s.trim().toLowerCase());
    if (m[1]) {
      for (const id of ids) result.file.add(id);
      continue;
    }
    const at = lines.positionAt(m.index ?? 0);
    const ownLine = lines.text.slice((m.index ?? 0) - at.character, m.index).trim() === '';
    const line = ownLine ? at.line + 1 : at.line;
    let set = result.lines.get(line);
    if (!set) result.lines.set(line, (set = new Set()));
    for (const id of ids) set.add(id);
  }
  return result;
}

export function isSuppressed(s: Suppressions | undefined, parsed: ParsedSqlFile | undefined, finding: Finding): boolean {
  if (!s) return false;
  const id = finding.ruleId;
  if (s.file.has(id)) return true;
  const line = finding.range.start.line;
  if (s.lines.get(line)?.has(id)) return true;
  if (!parsed) return false;
  const statement = statementAtOffset(parsed, finding.range.startOffset);
  if (!statement) return false;
  const first = statement.range.start.line;
  return Boolean(s.lines.get(first)?.has(id));
}

const EXISTING_LINE = /^([ \t]*--[ \t]*pglens-ignore[ \t]+[a-z0-9-]+(?:[ \t]*,[ \t]*[a-z0-9-]+)*)[ \t]*$/i;
const EXISTING_FILE = /^([ \t]*--[ \t]*pglens-ignore-file[ \t]+[a-z0-9-]+(?:[ \t]*,[ \t]*[a-z0-9-]+)*)[ \t]*$/i;

/** Edit adding `-- pglens-ignore <rule>` above the finding's line (or extending such a comment already there). */
export function suppressLineEdit(lines: LineIndex, finding: Pick<Finding, 'ruleId' | 'range'>): TextEdit {
  const text = lines.text;
  const line = finding.range.start.line;
  if (line > 0) {
    const above = lineText(lines, line - 1);
    const m = EXISTING_LINE.exec(above);
    if (m) {
      const at = lines.lineStarts[line - 1] + m[1].length;
      return { range: lines.rangeOf(at, at), newText: `, ${finding.ruleId}` };
    }
  }
  const start = lines.lineStarts[line] ?? text.length;
  const indent = /^[ \t]*/.exec(lineText(lines, line))![0];
  return { range: lines.rangeOf(start, start), newText: `${indent}-- pglens-ignore ${finding.ruleId}${eol(text)}` };
}

/** Edit adding `-- pglens-ignore-file <rule>` at the top of the file (or extending such a first line). */
export function suppressFileEdit(lines: LineIndex, ruleId: string): TextEdit {
  const m = EXISTING_FILE.exec(lineText(lines, 0));
  if (m) return { range: lines.rangeOf(m[1].length, m[1].length), newText: `, ${ruleId}` };
  return { range: lines.rangeOf(0, 0), newText: `-- pglens-ignore-file ${ruleId}${eol(lines.text)}` };
}

function lineText(lines: LineIndex, line: number): string {
  const start = lines.lineStarts[line] ?? lines.text.length;
  const next = lines.lineStarts[line + 1] ?? lines.text.length;
  return lines.text.slice(start, next).replace(/\r?\n$|\r$/, '');
}

function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

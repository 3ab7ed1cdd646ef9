import { statementAtOffset, type ParsedSqlFile } from '../sql/parse';
import type { LineIndex } from '../sql/line-index';
import type { Finding, TextEdit } from '../types';

/**
 * `-- pglens-ignore rule[, rule]` at the end of a line silences those rules on that line;
 * on a line of its own, on the next line — and, right above a statement, in the whole statement.
 * `-- pglens-ignore-file rule[, rule]` silences them in the whole file. The same markers in the
 * comment syntax of other files (`//` in Prisma schemas and code) are read by the same parser,
 * told that syntax by a `CommentSyntax`.
 */
export interface Suppressions {
  file: Set<string>;
  /** 0-based line → rules ignored on it. */
  lines: Map<number, Set<string>>;
}

/** A line-comment opener a `pglens-ignore` marker may follow. */
interface MarkerOpener {
  opener: '--' | '//';
  /** The marker word is read only in lower case after this opener (any case otherwise). */
  lowerCaseOnly?: boolean;
}

/** How a family of files writes suppression comments, and which lines a marker covers. */
export interface CommentSyntax {
  openers: readonly MarkerOpener[];
  /** squawk's and Atlas's markers in `--` comments are read as pglens's own. */
  foreignMarkers: boolean;
  /**
   * 'line-or-next': the marker's line when it ends a line of code, the next line when alone on
   * its line. 'line-and-next': its line and the next, wherever it stands.
   */
  reach: 'line-or-next' | 'line-and-next';
}

/** SQL files: `--` comments. */
export const SQL_COMMENTS: CommentSyntax = { openers: [{ opener: '--' }], foreignMarkers: true, reach: 'line-or-next' };

/** schema.prisma: `//` comments, covering their line and the next. */
export const PRISMA_COMMENTS: CommentSyntax = { openers: [{ opener: '//' }], foreignMarkers: false, reach: 'line-and-next' };

/** Code files: `//` in the code, `--` inside its SQL templates (where `//` would be SQL text). */
export const CODE_COMMENTS: CommentSyntax = {
  openers: [{ opener: '--' }, { opener: '//', lowerCaseOnly: true }],
  foreignMarkers: true,
  reach: 'line-or-next',
};

const OWN_MARKER_WORD = 'pglens-ignore';

function ownMarker(syntax: CommentSyntax): RegExp {
  const openers = syntax.openers.map((o) => o.opener.replace(/\//g, '\\/')).join('|');
  return new RegExp(`(${openers})[ \\t]*(${OWN_MARKER_WORD})(-file)?[ \\t]+([a-z0-9-]+(?:[ \\t]*,[ \\t]*[a-z0-9-]+)*)`, 'gi');
}

/**
 * Other linters' markers a project already has, read as pglens's own: `-- squawk-ignore rule`
 * (and `-ignore-file`) with squawk's rule names, and Atlas's `-- atlas:nolint [CODE …]` (no code:
 * every rule). A finding the authors reviewed and silenced for one linter stays silent here.
 */
const FOREIGN_MARKER = /--[ \t]*(?:squawk-ignore(-file)?[ \t]+([a-z0-9-]+(?:[ \t]*,[ \t]*[a-z0-9-]+)*)|atlas:nolint\b([ \t]+[A-Z]{2,3}[0-9]{3}(?:[ \t,]+[A-Z]{2,3}[0-9]{3})*)?)/g;

/** squawk rule → the pglens rules that report the same thing. */
const SQUAWK_RULES: Record<string, string[]> = {
  'adding-field-with-default': ['volatile-default-rewrite'],
  'adding-foreign-key-constraint': ['constraint-missing-not-valid'],
  'adding-not-nullable-field': ['adding-required-field', 'set-not-null-scan'],
  'adding-required-field': ['adding-required-field'],
  'adding-serial-primary-key-field': ['unique-constraint-locks'],
  'ban-char-field': ['ban-char-field'],
  'ban-concurrent-index-creation-in-transaction': ['concurrent-index-in-transaction'],
  'ban-drop-column': ['ban-drop-column'],
  'ban-drop-database': ['ban-drop-database'],
  'ban-drop-table': ['ban-drop-table'],
  'ban-truncate-cascade': ['ban-truncate-cascade'],
  'changing-column-type': ['changing-column-type'],
  'constraint-missing-not-valid': ['constraint-missing-not-valid'],
  'disallowed-unique-constraint': ['unique-constraint-locks'],
  'prefer-big-int': ['prefer-bigint-over-int'],
  'prefer-bigint-over-int': ['prefer-bigint-over-int'],
  'prefer-identity': ['prefer-identity'],
  'prefer-timestamptz': ['prefer-timestamptz'],
  'renaming-column': ['renaming-column'],
  'renaming-table': ['renaming-table'],
  'require-concurrent-index-creation': ['require-concurrent-index-creation'],
  'require-concurrent-index-deletion': ['require-concurrent-index-deletion'],
  'require-timeout-settings': ['require-lock-timeout'],
};

/** Atlas analyzer code → pglens rules (https://atlasgo.io/lint/analyzers). */
const ATLAS_CODES: Record<string, string[]> = {
  DS102: ['ban-drop-table'],
  DS103: ['ban-drop-column'],
  BC101: ['renaming-table'],
  BC102: ['renaming-column'],
  MF103: ['adding-required-field'],
  MF104: ['set-not-null-scan'],
};

/** Every rule: an `atlas:nolint` without codes. */
const ALL_RULES = '*';

export function collectSuppressions(text: string, lines: LineIndex, syntax: CommentSyntax = SQL_COMMENTS): Suppressions | undefined {
  const own = text.includes(OWN_MARKER_WORD);
  const foreign = syntax.foreignMarkers && (text.includes('squawk-ignore') || text.includes('atlas:nolint'));
  if (!own && !foreign) return undefined;
  const result: Suppressions = { file: new Set(), lines: new Map() };
  const add = (line: number, ids: string[]): void => {
    let set = result.lines.get(line);
    if (!set) result.lines.set(line, (set = new Set()));
    for (const id of ids) set.add(id);
  };
  const mark = (index: number, ids: string[], wholeFile: boolean): void => {
    if (wholeFile) {
      for (const id of ids) result.file.add(id);
      return;
    }
    const at = lines.positionAt(index);
    if (syntax.reach === 'line-and-next') {
      add(at.line, ids);
      add(at.line + 1, ids);
      return;
    }
    const ownLine = lines.text.slice(index - at.character, index).trim() === '';
    add(ownLine ? at.line + 1 : at.line, ids);
  };
  if (own) {
    const lowerCaseOnly = new Set<string>(syntax.openers.filter((o) => o.lowerCaseOnly).map((o) => o.opener));
    for (const m of text.matchAll(ownMarker(syntax))) {
      if (lowerCaseOnly.has(m[1]) && m[2] !== OWN_MARKER_WORD) continue;
      mark(m.index ?? 0, m[4].split(',').map((s) => s.trim().toLowerCase()), Boolean(m[3]));
    }
  }
  if (foreign) {
    for (const m of text.matchAll(FOREIGN_MARKER)) {
      const ids = m[2] !== undefined
        ? m[2].split(',').flatMap((s) => SQUAWK_RULES[s.trim().toLowerCase()] ?? [])
        : m[3] === undefined
          ? [ALL_RULES]
          : m[3].trim().split(/[ \t,]+/).flatMap((code) => ATLAS_CODES[code] ?? []);
      if (ids.length > 0) mark(m.index ?? 0, ids, Boolean(m[1]));
    }
  }
  return result;
}

export function isSuppressed(s: Suppressions | undefined, parsed: ParsedSqlFile | undefined, finding: Finding): boolean {
  if (!s) return false;
  const id = finding.ruleId;
  const has = (set: Set<string> | undefined): boolean => Boolean(set && (set.has(id) || set.has(ALL_RULES)));
  if (has(s.file)) return true;
  const line = finding.range.start.line;
  if (has(s.lines.get(line))) return true;
  if (!parsed) return false;
  const statement = statementAtOffset(parsed, finding.range.startOffset);
  if (!statement) return false;
  const first = statement.range.start.line;
  return has(s.lines.get(first));
}

/** The comment opener a suppression is written with: `--` in SQL, `//` in schema.prisma and in code outside SQL templates. */
export type SuppressionOpener = '--' | '//';

/** `<opener> pglens-ignore[-file] a, b` alone on its line (the part up to the last rule id). */
function existingMarker(opener: SuppressionOpener, word: string): RegExp {
  // After `//` the marker is read in lower case only (CODE_COMMENTS): extend only such a comment.
  const o = opener === '--' ? '--' : '\\/\\/';
  return new RegExp(`^([ \\t]*${o}[ \\t]*${word}[ \\t]+[a-z0-9-]+(?:[ \\t]*,[ \\t]*[a-z0-9-]+)*)[ \\t]*$`, opener === '--' ? 'i' : '');
}

/** Edit adding `-- pglens-ignore <rule>` (or `//`) above the finding's line, or extending such a comment already there. */
export function suppressLineEdit(lines: LineIndex, finding: Pick<Finding, 'ruleId' | 'range'>, opener: SuppressionOpener = '--'): TextEdit {
  const text = lines.text;
  const line = finding.range.start.line;
  if (line > 0) {
    const above = lineText(lines, line - 1);
    const m = existingMarker(opener, 'pglens-ignore').exec(above);
    if (m) {
      const at = lines.lineStarts[line - 1] + m[1].length;
      return { range: lines.rangeOf(at, at), newText: `, ${finding.ruleId}` };
    }
  }
  const start = lines.lineStarts[line] ?? text.length;
  const indent = /^[ \t]*/.exec(lineText(lines, line))![0];
  return { range: lines.rangeOf(start, start), newText: `${indent}${opener} pglens-ignore ${finding.ruleId}${eol(text)}` };
}

/** Edit adding `-- pglens-ignore-file <rule>` (or `//`) at the top of the file, or extending such a first line. */
export function suppressFileEdit(lines: LineIndex, ruleId: string, opener: SuppressionOpener = '--'): TextEdit {
  const m = existingMarker(opener, 'pglens-ignore-file').exec(lineText(lines, 0));
  if (m) return { range: lines.rangeOf(m[1].length, m[1].length), newText: `, ${ruleId}` };
  return { range: lines.rangeOf(0, 0), newText: `${opener} pglens-ignore-file ${ruleId}${eol(lines.text)}` };
}

function lineText(lines: LineIndex, line: number): string {
  const start = lines.lineStarts[line] ?? lines.text.length;
  const next = lines.lineStarts[line + 1] ?? lines.text.length;
  return lines.text.slice(start, next).replace(/\r?\n$|\r$/, '');
}

function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

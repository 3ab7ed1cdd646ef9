/**
 * What surrounds a pasted plan and is not part of it: psql prompts, the echoed EXPLAIN command,
 * SQL comments, psql command tags and timings, server log lines, a query's result table.
 * Each is recognised so it can be left out with a note that says what it was; the notes group
 * neighbouring lines ("ignored lines 1–3 before the plan (psql prompt, EXPLAIN command): …").
 */
import type { PlanInputNote } from './types';

/** psql's PROMPT1/PROMPT2 (`%/%R%x%# `): "test=# ", "test-> ", "test=*# ", "test(# ", "test'# ". */
const PROMPT = /^\w[\w.@:~/-]*[=\-^!*'"($][*!?]?[#>](?: |$)/;
/** psql's row count footer, in any language: "(26 rows)", "(1 row)", "(112 lignes)", "(112 Zeilen)", "(26 行)". */
export const ROW_COUNT = /^\((\d+) [^\s\d()][^()]{0,30}\)$/;
const EXPLAIN = /^(?:EXPLAIN|PREPARE|EXECUTE)\b/i;
const SQL_START = /^(?:SELECT|WITH|INSERT|UPDATE|DELETE|MERGE|VALUES|TABLE|FROM|WHERE|AND|OR|JOIN|LEFT|RIGHT|INNER|ORDER|GROUP|HAVING|LIMIT|OFFSET|UNION)\b/i;
const COMMAND_TAG = /^(?:SET|RESET|LOAD|BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE|DISCARD ALL|DO|ANALYZE|VACUUM|PREPARE|DEALLOCATE(?: ALL)?|CREATE \w+|DROP \w+|ALTER \w+|INSERT \d+ \d+|UPDATE \d+|DELETE \d+|SELECT \d+|MERGE \d+|COPY \d+)$/;
/** psql's `\timing` line, also translated ("Zeit: 1,234 ms", "Temps : 1,234 ms"). */
const TIMING = /^\S+ ?: [\d.,]+ ms(?: \(.*\))?$/;
/**
 * A server log or client message line: "2024-01-01 10:00:00 UTC [123] LOG:  …", "LOG:  …",
 * "psql:file.sql:10: NOTICE:  …", "ERROR:  …". PostgreSQL puts two spaces after the level.
 */
export const LOG_LINE = /(?:^|[\s\]:>)])(?:LOG|NOTICE|INFO|DEBUG[1-5]?|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION):  /;
/** A psql result table row or rule ("  id | name ", "----+------"). */
const RESULT_ROW = / \| |^[-─]+[+┼][-─+┼]*$|^[-─=]{3,}$/;

export type NoiseKind =
  | 'psql prompt'
  | 'EXPLAIN command'
  | 'SQL'
  | 'SQL comment'
  | 'psql command'
  | 'psql timing'
  | 'row count'
  | 'log line'
  | 'query result'
  | 'Markdown fence'
  | 'text';

/** What a (trimmed, non-empty) line that is not part of the plan is, for the note. */
export function noiseKind(content: string): NoiseKind {
  // Cheap tests first: this runs on every line a wrapped plan splits off.
  const first = content.charCodeAt(0);
  const upper = first >= 65 && first <= 90;
  const letter = upper || (first >= 97 && first <= 122);
  const prompt = PROMPT.exec(content);
  if (prompt) {
    // What was typed after the prompt says more: "test=# EXPLAIN …", "test-#   JOIN …".
    const rest = content.slice(prompt[0].length).trim();
    const kind = rest === '' ? 'text' : noiseKind(rest);
    return kind === 'text' ? 'psql prompt' : kind;
  }
  if (content.startsWith('```') || content.startsWith('~~~')) return 'Markdown fence';
  if ((content.includes(' | ') || first === 45 || first === 0x2500 || first === 61) && RESULT_ROW.test(content)) return 'query result';
  if (content.startsWith('--') || content.startsWith('/*')) return 'SQL comment';
  if (letter && EXPLAIN.test(content)) return 'EXPLAIN command';
  if (first === 92) return 'psql command';
  if (upper && COMMAND_TAG.test(content)) return 'psql command';
  if (first === 40 && ROW_COUNT.test(content)) return 'row count';
  if (content.includes(':  ') && LOG_LINE.test(content)) return 'log line';
  if (content.endsWith(' ms') || content.endsWith(')')) {
    if (TIMING.test(content)) return 'psql timing';
  }
  if (letter && SQL_START.test(content)) return 'SQL';
  return 'text';
}

function quoteShort(line: string): string {
  const t = line.trim();
  return `"${t.length > 60 ? `${t.slice(0, 57)}...` : t}"`;
}

function range(from: number, to: number): string {
  return from === to ? `line ${from}` : `lines ${from}–${to}`;
}

/**
 * Collects ignored lines into notes: neighbouring lines (blank lines between do not split a
 * group) with the same `where` become one note listing the kinds of lines it holds.
 */
export class IgnoredLines {
  private groups: { where: string; from: number; to: number; kinds: string[]; first: string }[] = [];
  readonly lines: number[] = [];

  add(lineNumber: number, content: string, where: string, kind?: string): void {
    this.lines.push(lineNumber);
    const k = kind ?? noiseKind(content.trim());
    const last = this.groups[this.groups.length - 1];
    if (last && last.where === where && lineNumber - last.to <= 2) {
      last.to = lineNumber;
      if (!last.kinds.includes(k)) last.kinds.push(k);
      return;
    }
    this.groups.push({ where, from: lineNumber, to: lineNumber, kinds: [k], first: content });
  }

  notes(): PlanInputNote[] {
    return this.groups.map((g) => ({
      kind: 'ignored' as const,
      message: `ignored ${range(g.from, g.to)} ${g.where} (${g.kinds.join(', ')}): ${quoteShort(g.first)}`,
      fromLine: g.from,
      toLine: g.to,
    }));
  }
}

export function joinedNote(from: number, to: number, why: string): PlanInputNote {
  return { kind: 'joined', message: `joined ${range(from, to)} into one plan line (${why})`, fromLine: from, toLine: to };
}

/**
 * Finds the plan in what a user pasted or opened, whatever surrounds it: psql's table (any
 * border, line style, aligned or not, expanded), an auto_explain log entry (server log, syslog,
 * client notice), rows quoted by pgAdmin or a CSV export, a psql session (prompts, the echoed
 * EXPLAIN, comments, command tags). Says which EXPLAIN format the plan is in and where it
 * starts; the format's reader takes it from there. Every line left out is recorded.
 */
import { PglensError } from '../errors';
import { autoExplainHeader, logEntryBody, stripSyslog } from './auto-explain';
import { IgnoredLines, joinedNote, noiseKind } from './input-noise';
import { psqlTableStartsAt, uncutBorderedTable, unwrapHeaderless, unwrapPsqlTable, type UnwrappedLines } from './psql-unwrap';
import { isNodeHeading } from './text-lines';
import type { PlanInputFormat, PlanInputNote } from './types';

export const TEXT_HINT = 'pass the complete output of EXPLAIN (FORMAT TEXT) or EXPLAIN (FORMAT JSON)';

export interface FoundPlan extends UnwrappedLines {
  format: PlanInputFormat;
  /** Index in `lines` of the plan's first line. */
  start: number;
  /** The plan sits in one CSV cell: its opening quote is already removed, its closing quote and doubled quotes remain. */
  csvCell: boolean;
  wrappers: string[];
  ignored: IgnoredLines;
  /** Lines joined while finding the plan (a bordered table a terminal cut). */
  notes: PlanInputNote[];
}

/** The format whose first line `t` (trimmed) is, if it is one. */
function formatStartingAt(t: string): PlanInputFormat | undefined {
  const c = t[0];
  if (c === '[' || c === '{') return 'json';
  if (c === '<') return t.startsWith('<explain') || t.startsWith('<?xml') ? 'xml' : undefined;
  // YAML: EXPLAIN's list of statements, or auto_explain's mapping (its query text JSON-quoted).
  if (t.startsWith('- Plan:') || t.startsWith('- Query Text:') || t === 'Plan:' || t.startsWith('Plan: ') || t.startsWith('Query Text: "')) return 'yaml';
  if (t.startsWith('Query Text:')) return 'text';
  if (c === '-' && t.startsWith('->')) return isNodeHeading(t.slice(2).trimStart()) ? 'text' : undefined;
  return isNodeHeading(t) ? 'text' : undefined;
}

/** A plan quoted in a mail reply: every line starts with "> " (or ">> ", "> > "). */
function stripMailQuotes(lines: string[]): string[] | undefined {
  let content = 0;
  for (const l of lines) {
    if (l.trim() === '') continue;
    if (l.charCodeAt(0) !== 62) return undefined;
    content++;
  }
  if (content === 0) return undefined;
  return lines.map((l) => l.replace(/^>(?: ?>)* ?/, ''));
}

/** pgAdmin and CSV exports put each row in quotes ('…' or "…"), doubling the quotes inside. */
function unquoteRows(lines: string[]): { lines: string[]; quote: string } | undefined {
  let sampled = 0;
  const counts: Record<string, number> = { "'": 0, '"': 0 };
  for (let i = 0; i < lines.length && sampled < 200; i++) {
    const t = lines[i].trim();
    if (t === '') continue;
    sampled++;
    const q = t[0];
    if ((q === "'" || q === '"') && t.length >= 2 && t[t.length - 1] === q) counts[q]++;
  }
  const quote = counts['"'] >= counts["'"] ? '"' : "'";
  if (sampled === 0 || counts[quote] < Math.max(2, sampled * 0.6)) return undefined;
  const isolated = quote === '"' ? /(^|[^"])"(?!")/ : /(^|[^'])'(?!')/;
  const doubled = quote + quote;
  let undouble = true;
  const inner: (string | undefined)[] = lines.map((l) => {
    const t = l.trim();
    if (t.length < 2 || t[0] !== quote || t[t.length - 1] !== quote) return undefined;
    const s = t.slice(1, -1);
    if (undouble && isolated.test(s.replaceAll(doubled, ''))) undouble = false;
    return s;
  });
  return {
    lines: lines.map((l, i) => {
      const s = inner[i];
      if (s === undefined) return l;
      return undouble ? s.replaceAll(doubled, quote) : s;
    }),
    quote,
  };
}

function notAPlan(line: number, content: string): PglensError {
  const shown = JSON.stringify(content.length > 80 ? `${content.slice(0, 77)}...` : content);
  return new PglensError('bad-input', `plan text line ${line}: ${shown} is not an EXPLAIN node (expected a first line such as "Seq Scan on orders  (cost=0.00..35.50 rows=2550 width=4)")`, TEXT_HINT);
}

/**
 * Locates the plan in `text`. Throws PglensError('bad-input') naming the first line that is
 * not noise when no plan is found.
 */
export function findPlan(text: string): FoundPlan {
  let lines = text.includes('\r') ? text.split(/\r\n?|\n/) : text.split('\n');
  const wrappers: string[] = [];
  const syslog = stripSyslog(lines);
  if (syslog) {
    lines = syslog;
    wrappers.push('syslog');
  }
  const mail = stripMailQuotes(lines);
  if (mail) {
    lines = mail;
    wrappers.push('mail quotes');
  }
  const quoted = unquoteRows(lines);
  if (quoted) {
    lines = quoted.lines;
    wrappers.push(quoted.quote === '"' ? 'rows in double quotes (CSV export)' : "rows in single quotes (pgAdmin)");
  }
  let input: UnwrappedLines = { lines, lineNumbers: lines.map((_, i) => i + 1) };
  const notes: PlanInputNote[] = [];
  const uncut = uncutBorderedTable(input.lines, input.lineNumbers);
  if (uncut && uncut.joined > 0) {
    notes.push(joinedNote(uncut.from, uncut.to, `${uncut.joined} lines of table rows a terminal cut`));
    input = uncut;
  }
  return { ...locate(input, 0, wrappers, new IgnoredLines(), notes, 'before the plan', 0), notes };
}

function locate(input: UnwrappedLines, from: number, wrappers: string[], ignored: IgnoredLines, notes: PlanInputNote[], where: string, depth: number): Omit<FoundPlan, 'notes'> {
  const { lines, lineNumbers } = input;
  let firstUnknown: number | undefined;
  let headerlessTried = false;
  for (let i = from; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '') continue;

    if (depth < 3 && psqlTableStartsAt(lines, i)) {
      const table = unwrapPsqlTable(lines, lineNumbers, i);
      wrappers.push(table.style);
      if (table.cut) notes.push(joinedNote(table.cut.from, table.cut.to, `${table.cut.lines} lines of table rows a terminal cut`));
      ignoreRest(input, table.end, ignored);
      if (table.lines.every((l) => l.trim() === '')) {
        throw new PglensError('bad-input', 'the psql output holds no plan rows', TEXT_HINT);
      }
      return locate(table, 0, wrappers, ignored, notes, 'in the psql output', depth + 1);
    }

    const header = depth < 3 ? autoExplainHeader(t) : undefined;
    if (header) {
      const body = logEntryBody(lines, lineNumbers, i, header.rest);
      wrappers.push('auto_explain log entry');
      ignoreRest(input, body.end, ignored);
      return locate(body, 0, wrappers, ignored, notes, 'in the log entry', depth + 1);
    }

    let format = formatStartingAt(t);
    if (format === undefined && /^[A-Z]/.test(t) && i + 1 < lines.length) {
      // A first node heading wrapped before its figures ("Index Scan using orders_pkey on" ⏎ "orders  (cost=…").
      const next = lines[i + 1];
      if (isNodeHeading(`${t} ${next.trim()}`) || isNodeHeading(t + next)) format = 'text';
    }
    let csvCell = false;
    let start = i;
    let found: UnwrappedLines = input;
    if (format === undefined && t[0] === '"' && t.length > 1) {
      // A whole plan in one CSV cell: its first line starts with the cell's opening quote.
      format = formatStartingAt(t.slice(1));
      if (format !== undefined) {
        csvCell = true;
        const copy = lines.slice();
        copy[i] = lines[i].replace('"', '');
        found = { lines: copy, lineNumbers };
        wrappers.push('one CSV cell');
      }
    }
    const barred = t[0] === '|' || t[0] === '│';
    if (!barred) headerlessTried = false;
    if (format === undefined && depth < 3 && barred && !headerlessTried) {
      // Table rows copied without the header: tried once per run of barred lines (the reading
      // covers the whole rest of the input; retrying at every line would be quadratic).
      headerlessTried = true;
      const rows = unwrapHeaderless(lines.slice(i));
      if (rows) {
        wrappers.push('psql table rows');
        return locate({ lines: rows, lineNumbers: lineNumbers.slice(i) }, 0, wrappers, ignored, notes, where, depth + 1);
      }
    }
    if (format !== undefined) {
      if (format === 'json' && !csvCell) {
        const rows = unwrapHeaderless(lines.slice(i));
        if (rows) {
          wrappers.push('psql table rows');
          found = { lines: rows, lineNumbers: lineNumbers.slice(i) };
          start = 0;
        }
      }
      return { ...found, format, start, csvCell, wrappers, ignored };
    }
    const kind = noiseKind(t);
    if (firstUnknown === undefined && kind === 'text') firstUnknown = i;
    ignored.add(lineNumbers[i], t, where, kind);
  }
  if (firstUnknown !== undefined) throw notAPlan(lineNumbers[firstUnknown], lines[firstUnknown].trim());
  const seen = ignored.notes();
  if (seen.length > 0) throw new PglensError('bad-input', `no EXPLAIN output found: ${seen.map((n) => n.message.replace(/^ignored /, '').replace(' before the plan', '')).join('; ')}`, TEXT_HINT);
  throw new PglensError('bad-input', depth === 0 ? 'the plan is empty' : `the ${where.replace(/^in the /, '')} holds no plan`, TEXT_HINT);
}

/** Lines after what held the plan (a table, a log entry) are not part of it. */
function ignoreRest(input: UnwrappedLines, from: number, ignored: IgnoredLines): void {
  for (let i = from; i < input.lines.length; i++) {
    const t = input.lines[i].trim();
    if (t !== '') ignored.add(input.lineNumbers[i], t, 'after the plan');
  }
}

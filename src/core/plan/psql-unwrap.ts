/**
 * Takes EXPLAIN output out of the table psql prints it in, for every `\pset` a user may have:
 * `border 0/1/2`, `linestyle ascii/old-ascii/unicode`, `format aligned/unaligned/wrapped`,
 * expanded (`\x`), with or without the `QUERY PLAN` header and the `(N rows)` footer (in any
 * language). Cell lines that continue (`+`, `↵`) become separate lines; rows that `wrapped`
 * format split (`.`, `…`) are joined back. Keeps the original line number of every line kept.
 */
import { ROW_COUNT } from './input-noise';

export interface UnwrappedLines {
  lines: string[];
  /** lineNumbers[i] is the 1-based line of `lines[i]` in the input. */
  lineNumbers: number[];
}

export interface PsqlTable extends UnwrappedLines {
  /** Index of the first input line after the table (its footer or bottom border included). */
  end: number;
  /** "psql table (aligned, border 2, unicode)" and the like. */
  style: string;
  /** Rows a terminal narrower than the table cut into several lines, put back together. */
  cut?: { lines: number; from: number; to: number };
}

const LEFT_BORDERS = '|│║';
/** A horizontal rule: dashes with optional crossings, as psql draws under the header. */
const RULE = /^[+┌├╔╠╞]?[-─═]+(?:[+┼╪╬][-─═]+)*[+┐┤╗╣╡]?$/;
const BOTTOM = /^[+└╚][-─═]+(?:[+┴╧╩][-─═]+)*[+┘╝]$/;
const TOP = /^[+┌╔][-─═]+[+┐╗]$/;
/** Expanded mode record headers: "-[ RECORD 1 ]---", "+-[ RECORD 1 ]--+", "┌─[ RECORD 1 ]──┐", "* Record 1". */
const RECORD = /^(?:[+┌├╔╠]?[-─═]\[ RECORD \d+ \][-─═]*[+┐┤╗╣]?|\* Record \d+)$/;
const HEADER_TEXT = 'QUERY PLAN';
/** What psql puts in the column right of a cell's text: newline ("+", "↵"), wrap (".", "…"), or nothing. */
const MARKERS = '+↵.… ';

function isBorderChar(c: string | undefined): boolean {
  return c !== undefined && LEFT_BORDERS.includes(c);
}

/** The header row: "QUERY PLAN" centred, bordered or not. */
export function isHeader(line: string): boolean {
  let t = line.trim();
  // A CSV export quotes it.
  if (t === '"QUERY PLAN"') return true;
  if (t.length > 0 && isBorderChar(t[0])) t = t.slice(1);
  if (t.length > 0 && isBorderChar(t[t.length - 1])) t = t.slice(0, -1);
  return t.trim() === HEADER_TEXT;
}

/** Where a psql table starts at `lines[i]`: its header, its top border above the header, or an expanded record header. */
export function psqlTableStartsAt(lines: string[], i: number): boolean {
  const t = lines[i].trim();
  if (isHeader(t) || RECORD.test(t)) return true;
  return TOP.test(t) && i + 1 < lines.length && isHeader(lines[i + 1]);
}

/** East Asian wide characters take two columns in psql's layout. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || c > 0xffff ? 2 : 1;
  }
  return w;
}

function endsTable(t: string): boolean {
  return t === '' || ROW_COUNT.test(t) || BOTTOM.test(t);
}

/**
 * Unwraps the table that starts at `start` (see psqlTableStartsAt). The rows' contents come
 * back as lines; `end` is where the caller resumes.
 */
export function unwrapPsqlTable(input: string[], inputNumbers: number[], start: number): PsqlTable {
  let i = start;
  if (TOP.test(input[i].trim())) i++;
  if (RECORD.test(input[i].trim())) return unwrapExpanded(input, inputNumbers, i);
  const header = input[i];
  i++;
  while (i < input.length && input[i].trim() === '') i++;
  const lines: string[] = [];
  const lineNumbers: number[] = [];
  if (i >= input.length || !RULE.test(input[i].trim())) {
    // Unaligned (\a): the header, then the rows as they are; also CSV exports with a "QUERY PLAN" line.
    for (; i < input.length; i++) {
      const t = input[i].trim();
      if (ROW_COUNT.test(t)) {
        i++;
        break;
      }
      if (t === '' && lines.length > 0) break;
      if (t === '') continue;
      lines.push(input[i].trimEnd());
      lineNumbers.push(inputNumbers[i]);
    }
    return { lines, lineNumbers, end: i, style: 'psql output (unaligned)' };
  }
  let rule = input[i].trim();
  const unicode = /[─═]/.test(rule);
  const bordered = isBorderChar(header.trim()[0]);
  i++;
  // A terminal narrower than the table cut the rule too: its rest is the width of the table.
  while (i < input.length && /^[-─═]+$/.test(input[i])) rule += input[i++];
  const first = input[i] ?? '';
  const border = bordered ? 2 : first.startsWith(' ') || first.startsWith('.') || first.startsWith('…') ? 1 : 0;
  const width = rule.length - (border === 2 ? 4 : border === 1 ? 2 : 0);
  let wrapped = false;
  let pending: string | undefined;
  let rowNumber = 0;
  /** The row being read: a terminal narrower than the table may have cut it into several lines. */
  let row: string | undefined;
  const cut = { lines: 0, from: 0, to: 0 };
  let rowStart = 0;
  const finishRow = () => {
    if (row === undefined) return;
    let s = row.trimEnd();
    row = undefined;
    if (border === 2 && isBorderChar(s[s.length - 1])) s = s.slice(0, -1);
    // The marker column sits just right of the content: "+"/"↵" a new line in the cell, "."/"…" a wrapped row.
    let marker = '';
    let content = s;
    const w = s.length === width + 1 ? width + 1 : s.length > 0 && s.charCodeAt(s.length - 1) > 0x7f ? displayWidth(s) : s.length;
    if (w === width + 1 && MARKERS.includes(s[s.length - 1])) {
      marker = s[s.length - 1];
      content = s.slice(0, -1);
    }
    if (pending !== undefined) {
      content = pending + content;
      pending = undefined;
    } else rowNumber = rowStart;
    if (marker === '.' || marker === '…') {
      wrapped = true;
      pending = content;
      return;
    }
    lines.push(content.trimEnd());
    lineNumbers.push(rowNumber);
  };
  for (; i < input.length; i++) {
    const raw = input[i];
    const t = raw.trim();
    if (endsTable(t)) {
      if (t !== '') i++;
      break;
    }
    // In border 1 a row starts with its padding space, or with the wrap mark when the row before ended in one.
    const wrapMark = raw[0] === '.' || raw[0] === '…';
    const startsRow = border === 2 ? isBorderChar(t[0]) : border === 1 ? raw[0] === ' ' || (wrapMark && row !== undefined && row.trimEnd().length === width + 1 && row.trimEnd().endsWith(raw[0])) : true;
    if (!startsRow) {
      // The rest of a row a terminal cut (a bordered row ends in its border, so the cut one does not).
      if (row !== undefined && !(border === 2 && isBorderChar(row.trimEnd().slice(-1)))) {
        row += raw;
        if (cut.lines++ === 0) cut.from = rowStart;
        cut.to = inputNumbers[i];
        continue;
      }
      break;
    }
    finishRow();
    row = border === 2 ? raw.trimEnd().slice(2) : border === 1 ? raw.slice(1) : raw;
    rowStart = inputNumbers[i];
  }
  finishRow();
  if (pending !== undefined) {
    lines.push(pending.trimEnd());
    lineNumbers.push(rowNumber);
  }
  i = afterFooter(input, i);
  const style = `${wrapped ? 'wrapped' : 'aligned'}, border ${border}${unicode ? ', unicode' : ''}`;
  return { lines, lineNumbers, end: i, style: `psql table (${style})`, cut: cut.lines > 0 ? cut : undefined };
}

/** Expanded output: each record's "QUERY PLAN │ value" rows; the value column is found on the first row. */
function unwrapExpanded(input: string[], inputNumbers: number[], start: number): PsqlTable {
  const rows: { text: string; n: number }[] = [];
  let col = -1;
  let bordered = false;
  let i = start;
  for (; i < input.length; i++) {
    const raw = input[i].trimEnd();
    const t = raw.trim();
    if (RECORD.test(t)) continue;
    if (BOTTOM.test(t) || t === '' || ROW_COUNT.test(t)) {
      if (t !== '') i++;
      break;
    }
    if (col < 0) {
      const at = raw.indexOf(HEADER_TEXT);
      if (at < 0) break;
      bordered = isBorderChar(raw[0]);
      const after = at + HEADER_TEXT.length;
      col = isBorderChar(raw[after + 1]) ? after + 3 : after + 1;
    }
    let s = raw;
    if (bordered && isBorderChar(s[s.length - 1])) s = s.slice(0, -1);
    rows.push({ text: s.length > col ? s.slice(col) : '', n: inputNumbers[i] });
  }
  // Newline markers sit in the last column, so only rows as long as the longest carry one.
  let longest = 0;
  for (const r of rows) if (r.text.length > longest) longest = r.text.length;
  const lines: string[] = [];
  const lineNumbers: number[] = [];
  for (const r of rows) {
    let s = r.text;
    const last = s[s.length - 1];
    if (last === '↵' || (last === '+' && s.length === longest)) s = s.slice(0, -1);
    lines.push(s.trimEnd());
    lineNumbers.push(r.n);
  }
  return { lines, lineNumbers, end: afterFooter(input, i), style: `psql expanded output${bordered ? ' (border 2)' : ''}` };
}

/** A border-2 table's "(N rows)" comes after its bottom border: part of the table too. */
function afterFooter(input: string[], i: number): number {
  let k = i;
  while (k < input.length && input[k].trim() === '') k++;
  return k < input.length && ROW_COUNT.test(input[k].trim()) && !ROW_COUNT.test(input[i - 1]?.trim() ?? '') ? k + 1 : i;
}

/**
 * psql rows copied without the header: strips border-2 bars when every line has them, and the
 * "+"/"↵" newline markers at the line ends when every line but the last carries one. Returns
 * undefined when the lines are neither.
 */
export function unwrapHeaderless(lines: string[]): string[] | undefined {
  let content = 0;
  let bars = 0;
  let markers = 0;
  // The rows end at a bottom border or the "(N rows)" footer; what follows stays as it is.
  let end = lines.length;
  for (let k = 0; k < lines.length; k++) {
    const t = lines[k].trim();
    if (k > 0 && (ROW_COUNT.test(t) || BOTTOM.test(t))) {
      end = k;
      break;
    }
  }
  for (const l of lines.slice(0, end)) {
    const t = l.trim();
    if (t === '') continue;
    content++;
    const barred = t.length > 1 && isBorderChar(t[0]) && isBorderChar(t[t.length - 1]);
    if (barred) bars++;
    const e = barred ? t.slice(0, -1).trimEnd() : t;
    if (e.endsWith('↵') || e.endsWith('+')) markers++;
  }
  const stripBars = content > 0 && bars === content;
  const stripMarkers = content > 1 && markers >= content - 1;
  if (!stripBars && !stripMarkers) return undefined;
  return lines.map((l, k) => {
    let t = l.trimEnd();
    if (k >= end) return l;
    if (stripBars && t.trim() !== '') {
      t = t.trim().slice(1, -1);
      if (t.startsWith(' ')) t = t.slice(1);
      t = t.trimEnd();
    }
    if (stripMarkers && (t.endsWith('↵') || t.endsWith('+'))) t = t.slice(0, -1).trimEnd();
    return t;
  });
}

const ROW_START = '|│║┌├└╔╠╚+';
const ROW_END = '|│║┐┤┘╗╣╝+';

/**
 * A border-2 table copied from a terminal narrower than it: every row cut into lines at the
 * terminal's width. Each row ends with a border, so a line that does not is continued by the
 * next. Undefined when the lines are not such a table (its top border, cut, comes first).
 */
export function uncutBorderedTable(lines: string[], lineNumbers: number[]): (UnwrappedLines & { joined: number; from: number; to: number }) | undefined {
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return undefined;
  const top = lines[first].trim();
  if (!(top.startsWith('┌') || top.startsWith('+-') || top.startsWith('╔')) || ROW_END.includes(top[top.length - 1]) || !/^[+┌╔][-─═+┬╤╦]+$/.test(top)) return undefined;
  const out: string[] = [];
  const numbers: number[] = [];
  let joined = 0;
  let from = 0;
  let to = 0;
  // The first and last non-blank characters of the line being built, kept as it grows (trimming
  // the joined line at every step would be quadratic in a table whose rows never close).
  let startChar = '';
  let endChar = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const last = out.length - 1;
    const t = line.trim();
    // Only a table line (it starts with a border or corner) goes on onto the next line.
    if (last >= 0 && i > first && ROW_START.includes(startChar) && !ROW_END.includes(endChar)) {
      out[last] += line;
      if (t !== '') endChar = t[t.length - 1];
      if (joined++ === 0) from = numbers[last];
      to = lineNumbers[i];
      continue;
    }
    out.push(line);
    numbers.push(lineNumbers[i]);
    startChar = t[0] ?? '';
    endChar = t === '' ? '' : t[t.length - 1];
  }
  return { lines: out, lineNumbers: numbers, joined, from, to };
}

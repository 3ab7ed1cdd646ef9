/**
 * Strips what psql (and copy-paste) wraps around EXPLAIN output: the `QUERY PLAN` header, the
 * dashed rule, `(N rows)`, table borders (`border=0/1/2`), expanded-mode prefixes, the `+`
 * that marks a continued line, pgAdmin's quoted CSV lines, and indentation common to all lines.
 * Keeps the original 1-based line number of every line kept, so errors can point at it.
 */
export interface UnwrappedLines {
  lines: string[];
  /** lineNumbers[i] is the 1-based line of `lines[i]` in the input. */
  lineNumbers: number[];
}

const RULE_LINE = /^[\s+|-]*-[\s+|-]*$/;
const ROW_COUNT = /^\(\d+ rows?\)$/;
const RECORD_HEADER = /^-\[ RECORD \d+ \]/;
const HEADER = /^\|?\s*QUERY PLAN\s*\|?$/;

export function unwrapPsql(text: string): UnwrappedLines {
  const input = text.split('\n');
  let lines: string[] = [];
  let lineNumbers: number[] = [];
  const firstContent = input.findIndex((l) => l.trim() !== '');
  const first = firstContent >= 0 ? input[firstContent].trim() : '';
  const table = HEADER.test(first) || RECORD_HEADER.test(first) || (RULE_LINE.test(first) && first.includes('+'));
  let bordered = false;
  let expanded = false;
  for (let i = 0; i < input.length; i++) {
    let line = input[i];
    if (table) {
      const t = line.trim();
      if (t === '' || HEADER.test(t) || ROW_COUNT.test(t) || RULE_LINE.test(t)) continue;
      if (RECORD_HEADER.test(t)) {
        expanded = true;
        continue;
      }
      if (expanded) {
        const bar = line.indexOf('| ');
        line = bar >= 0 ? line.slice(bar + 2) : line;
      } else if (t.startsWith('|') && t.endsWith('|')) {
        bordered = true;
        line = t.slice(1, -1).replace(/^ /, '');
      }
      line = line.trimEnd();
      if (line.endsWith('+')) line = line.slice(0, -1).trimEnd();
    } else {
      line = line.trimEnd();
    }
    lines.push(line);
    lineNumbers.push(i + 1);
  }
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') {
    lines.pop();
    lineNumbers.pop();
  }
  const firstKept = lines.findIndex((l) => l.trim() !== '');
  if (firstKept > 0) {
    lines = lines.slice(firstKept);
    lineNumbers = lineNumbers.slice(firstKept);
  }
  if (!bordered && !expanded) stripCommonIndent(lines);
  unquoteCsv(lines);
  return { lines, lineNumbers };
}

/** psql's border=1 pads every value with one space; pasted plans may be indented too. */
function stripCommonIndent(lines: string[]): void {
  let min = Infinity;
  for (const l of lines) {
    if (l === '') continue;
    let n = 0;
    while (n < l.length && l.charCodeAt(n) === 32) n++;
    if (n < min) min = n;
    if (min === 0) return;
  }
  if (!Number.isFinite(min)) return;
  for (let i = 0; i < lines.length; i++) lines[i] = lines[i].slice(min);
}

/** pgAdmin and CSV exports wrap each line in double quotes, doubling inner quotes. */
function unquoteCsv(lines: string[]): void {
  if (lines.length === 0) return;
  for (const l of lines) if (l !== '' && !(l.length >= 2 && l.startsWith('"') && l.endsWith('"'))) return;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l !== '') lines[i] = l.slice(1, -1).replace(/""/g, '"');
  }
}

/**
 * Text-format plan lines as a user pastes them → the lines EXPLAIN printed: the query text of an
 * auto_explain entry taken aside, lines wrapped by a terminal or mail client joined back, tabs
 * expanded, noise after or inside the plan (row counts, prompts, a query's result) left out, and
 * the indentation common to all lines removed. Everything left out or joined gets a note.
 *
 * A line belongs to the plan when it has the shape of one: a node ("->  Sort …"), a detail
 * ("Key: value"), a sub-plan label ("InitPlan 1", "SubPlan 2", "CTE x") or, at the root's
 * indentation, a footer ("Planning Time: …"). Any other line continues the previous one when
 * that is plausible (the previous line leaves a parenthesis or quote open, ends in an operator or
 * comma; the line starts with "(actual", "rows=" …, or at the left margin, where mail clients and
 * terminals put the rest of a long line); otherwise it is noise.
 */
import { IgnoredLines, joinedNote, noiseKind } from './input-noise';
import type { UnwrappedLines } from './psql-unwrap';
import { parseNodeHeading } from './text-node-heading';
import type { PlanInputNote } from './types';

export interface TextPlanLines extends UnwrappedLines {
  /** auto_explain's "Query Text:", all its lines. */
  queryText?: string;
}

const FOOTER_KEYS = new Set([
  'Planning', 'Planning Time', 'Planning time', 'Execution Time', 'Execution time', 'Total runtime', 'JIT', 'Settings', 'Serialization', 'Query Identifier',
]);
/** Keys that follow another on the same line ("Batches: 1  Memory Usage: 24kB"), never starting one. */
const FOLLOWING_KEYS = new Set([
  'Memory Usage', 'Disk Usage', 'Misses', 'Evictions', 'Overflows', 'Disk', 'Maximum Storage', 'Average Memory', 'Peak Memory', 'Average Disk', 'Peak Disk', 'Sort Methods',
]);
/** Line ends after which EXPLAIN never breaks a line: an operator, a comma, a dangling keyword. */
const OPEN_END = /(?:,|\(|\[|=|<|>|\+|-|\*|\/|\||&|~|::|\.\.|:| AND| OR| NOT| IS| IN| on| using| by| ANY| ALL| LIKE| SIMILAR TO| BETWEEN| CASE| WHEN| THEN| ELSE)$/;
const FIGURE_START = /^(?:\((?:actual|cost=|never executed)|[a-z_]+=|\))/;

type LineKind = 'node' | 'detail' | 'subplan' | 'other';

/** Where a heading's figures start ("(cost=", "(actual ", "(never executed)"), or -1. */
function figuresAt(s: string): number {
  const cost = s.indexOf('(cost=');
  if (cost >= 0) return cost;
  const actual = s.indexOf('(actual ');
  if (actual >= 0) return actual;
  return s.indexOf('(never executed)');
}

/** A node heading without its arrow: with figures after a non-empty name, or a node type pglens knows (COSTS OFF). */
export function isNodeHeading(s: string, requireFigures = false): boolean {
  const at = figuresAt(s);
  if (at > 0) return s.charCodeAt(0) >= 65 && s.charCodeAt(0) <= 90;
  if (at === 0 || requireFigures) return false;
  return parseNodeHeading(s).known;
}

/** Where the key of a "Key: value" line starting at `from` ends ("Rows Removed by Filter", "Worker 0", "I/O Timings"), or -1. */
function detailKeyEnd(line: string, from: number): number {
  const first = line.charCodeAt(from);
  if (first < 65 || first > 90) return -1;
  const max = Math.min(line.length, from + 80);
  for (let i = from + 1; i < max; i++) {
    const ch = line.charCodeAt(i);
    if (ch === 58) {
      // ':' then a space or the end: "Planning:", "Filter: (…)".
      return i + 1 === line.length || line.charCodeAt(i + 1) === 32 || line.charCodeAt(i + 1) === 13 ? i : -1;
    }
    // Letters, digits, space, / _ . - ( ) " (trigger names may be quoted).
    const ok = (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || (ch >= 48 && ch <= 57) || ch === 32 || ch === 47 || ch === 95 || ch === 46 || ch === 45 || ch === 40 || ch === 41 || ch === 34;
    if (!ok) return -1;
  }
  return -1;
}

function isSubplanLabel(c: string): boolean {
  return c === 'InitPlan' || c === 'SubPlan' || ((c.startsWith('InitPlan ') || c.startsWith('SubPlan ') || c.startsWith('CTE ')) && !c.includes(': '));
}

/** What a line leaves open: brackets (opened minus closed) and a quote (its character code, 0 when none). */
interface Open {
  depth: number;
  quote: number;
}

/** Reads `s` on from `state`, updating it: a joined line is read piece by piece, not again from its start. */
function readOpen(s: string, state: Open): void {
  let { depth, quote } = state;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) {
        if (s.charCodeAt(i + 1) === quote) i++;
        else quote = 0;
      }
    } else if (c === 39 || c === 34) quote = c;
    else if (c === 40 || c === 91) depth++;
    else if (c === 41 || c === 93) depth--;
  }
  state.depth = depth;
  state.quote = quote;
}

/** Noise that cannot be the rest of a plan line; SQL-looking text ("AND (b = 2))", "join = 'off'") can be, after the plan starts. */
function isStrongNoise(c: string): boolean {
  const kind = noiseKind(c);
  return kind !== 'text' && kind !== 'SQL';
}

/** Leading tabs → spaces to the next multiple of 8, as a terminal shows them (relative indentation survives). */
function expandLeadingTabs(line: string): string {
  let col = 0;
  let i = 0;
  for (; i < line.length; i++) {
    const c = line[i];
    if (c === ' ') col++;
    else if (c === '\t') col = (Math.floor(col / 8) + 1) * 8;
    else break;
  }
  return ' '.repeat(col) + line.slice(i);
}

function leadingSpaces(line: string): number {
  let n = 0;
  while (n < line.length && line.charCodeAt(n) === 32) n++;
  return n;
}

/** Line widths of terminals, for a plan where only one line was long enough to be cut. */
const TERMINAL_WIDTHS = new Set([80, 100, 120, 132, 160, 200]);

interface CutGuess {
  /** The likeliest width a terminal cut lines at, or -1. */
  width: number;
  /** Whether the lines alone make it likely (else the headings decide, see prepareTextLines). */
  likely: boolean;
}

/**
 * The width a terminal may have cut the lines at, from the lines that continue others (what a
 * reading meets on its way). A terminal cuts every longer line at exactly its width, so those
 * follow lines of that very length; a mail client breaks at the last space before its width, so
 * the lines it broke have all kinds of lengths.
 */
class CutEvidence {
  private readonly counts = new Map<number, number>();
  /** Widths at which a line ends in a space or its rest starts with one: a mail client takes such a space away. */
  private readonly spaced = new Set<number>();
  private candidates = 0;

  /** `line` is not plan-shaped and follows `prev` (both as given). */
  add(prev: string, line: string): void {
    this.candidates++;
    this.counts.set(prev.length, (this.counts.get(prev.length) ?? 0) + 1);
    // Not a space of EXPLAIN's doubled ones (before "(cost=", between figures), which a mail client may split.
    const lead = line.startsWith(' ') ? 1 : 0;
    const next = line.charCodeAt(lead);
    const doubled = line.startsWith('(cost=', lead) || (next >= 65 && next <= 90);
    if (!doubled && prev.endsWith(' ') !== (lead === 1)) this.spaced.add(prev.length);
  }

  guess(): CutGuess {
    let width = -1;
    let best = 0;
    for (const [w, n] of this.counts) {
      if (w >= 40 && n > best) {
        width = w;
        best = n;
      }
    }
    if (width < 0 || best < this.candidates * 0.6 || (best < 2 && !TERMINAL_WIDTHS.has(width))) return { width: -1, likely: false };
    return { width, likely: best >= 3 || TERMINAL_WIDTHS.has(width) || this.spaced.has(width) };
  }
}

/** A node heading's figures, whole, to the end of its line. */
const FIGURES = /^(?:\(cost=-?[\d.]+\.\.-?[\d.]+ rows=\d+(?:\.\d+)? width=\d+\)(?: \((?:actual (?:time=[\d.]+\.\.[\d.]+ )?rows=[\d.]+ loops=\d+|never executed)\))?|\((?:actual (?:time=[\d.]+\.\.[\d.]+ )?rows=[\d.]+ loops=\d+|never executed)\))$/;

interface Repair {
  line: string;
  /** Spaces taken out (evidence of a terminal's cut) and put in (evidence of a mail client's break). */
  removed: number;
  added: number;
}

/**
 * A node heading put back together from pieces whose figures do not read ("(actu l time=…" from
 * a cut taken for a mail break, "rows=163width=40" the other way): the separators are flipped
 * until they read. What was flipped says which of the two broke the lines.
 */
function figuresRead(line: string): boolean {
  // From the first " (c", " (a" or " (n": the figures, even one broken inside its first word.
  for (let k = line.indexOf(' ('); k >= 0; k = line.indexOf(' (', k + 2)) {
    const c = line.charCodeAt(k + 2);
    if (c === 99 || c === 97 || c === 110) return FIGURES.test(line.slice(k + 1).trimEnd());
  }
  return true;
}

function repairFigures(line: string, parts: string[], seps: string[]): Repair {
  const unchanged = { line, removed: 0, added: 0 };
  if (figuresRead(line) || seps.length > 8) return unchanged;
  for (let mask = 1; mask < 1 << seps.length; mask++) {
    let candidate = parts[0];
    let removed = 0;
    let added = 0;
    for (let k = 0; k < seps.length; k++) {
      let sep = seps[k];
      if ((mask >> k) & 1) {
        if (sep === '') {
          sep = ' ';
          added++;
        } else {
          sep = '';
          removed++;
        }
      }
      candidate += sep + parts[k + 1];
    }
    if (figuresRead(candidate)) return { line: candidate, removed, added };
  }
  return unchanged;
}

/** Footer lines that are complete as they are: nothing after them continues them. */
const CLOSED = /^\s*(?:(?:Execution|Planning) [Tt]ime|Total runtime): [\d.]+ ms$/;

/**
 * Whether a line that is not plan-shaped continues the previous kept line: the previous line is
 * a heading still missing its figures, or ends where EXPLAIN never ends a line (an operator, a
 * comma), or this line starts with figures; or it starts left of where any plan line but a
 * footer can start, which is where mail clients and terminals put the rest of a long line.
 */
function continues(prev: string, c: string, indent: number, rootIndent: number, prevHeadingIncomplete: boolean): boolean {
  if (prevHeadingIncomplete) return true;
  if (CLOSED.test(prev)) return false;
  if (FIGURE_START.test(c) || c.includes('(cost=')) return true;
  return OPEN_END.test(prev.slice(-12)) || indent <= rootIndent;
}

/**
 * A line that is not plan-shaped but starts like a detail line (capitalised, indented like one)
 * and is followed by the rest of it at the left margin: the first part of a line a mail client broke.
 */
function startsBrokenLine(lines: string[], i: number, c: string, indent: number, rootIndent: number): boolean {
  const first = c.charCodeAt(0);
  if (indent <= rootIndent || first < 65 || first > 90 || c.includes(': ')) return false;
  let k = i + 1;
  while (k < lines.length && lines[k].trim() === '') k++;
  if (k >= lines.length) return false;
  const next = lines[k];
  const nextIndent = leadingSpaces(next);
  if (nextIndent > rootIndent) return false;
  const n = next.trim();
  return !isStrongNoise(n) && !(n.charCodeAt(0) === 45 && n.charCodeAt(1) === 62) && !FOOTER_KEYS.has(n.slice(0, Math.max(0, n.indexOf(':'))));
}

/**
 * Cleans the lines of a text plan; `lines[start]` is its first node (or auto_explain's
 * "Query Text:" line before it). Lines left out go to `ignored`, joins to `notes`.
 */
export function prepareTextLines(input: UnwrappedLines, start: number, ignored: IgnoredLines, notes: PlanInputNote[]): TextPlanLines {
  const { lines } = input;
  let i = start;
  let queryText: string | undefined;
  if (lines[i].trim().startsWith('Query Text:')) {
    // The statement runs until the plan's first node, which always has its costs here.
    const query = [lines[i].slice(lines[i].indexOf('Query Text:') + 11).replace(/^ /, '')];
    for (i++; i < lines.length; i++) {
      if (isNodeHeading(lines[i].trim(), true)) break;
      query.push(lines[i].trimEnd());
    }
    while (query.length > 1 && query[query.length - 1].trim() === '') query.pop();
    queryText = query.join('\n');
  }
  if (i >= lines.length) return { lines: [], lineNumbers: [], queryText };

  // Terminal cut or mail break? Only a plan with lines that are not plan-shaped needs to know.
  // The lines' lengths suggest one; the headings' figures, which read only one way, settle it.
  const evidence = new CutEvidence();
  let scan = scanBody(input, i, -1, evidence);
  if (scan.others > 0) {
    const guess = evidence.guess();
    if (guess.width > 0 && (guess.likely || scan.removed > scan.added)) {
      const cut = scanBody(input, i, guess.width, undefined);
      if (!(cut.added > cut.removed)) scan = cut;
    }
  }
  for (const [k, where, kind] of scan.skipped) ignored.add(input.lineNumbers[k], lines[k], where, kind);
  for (const j of scan.joins.slice(0, JOIN_NOTES)) notes.push(joinedNote(j.from, j.to, j.why));
  if (scan.joins.length > JOIN_NOTES) {
    const rest = scan.joins.slice(JOIN_NOTES);
    const from = rest[0].from;
    const to = rest[rest.length - 1].to;
    notes.push({ kind: 'joined', message: `joined ${rest.length} more wrapped lines the same way between lines ${from} and ${to}`, fromLine: from, toLine: to });
  }
  const out = scan.out;
  stripCommonIndent(out);
  const end = out.length - 1;
  const tail = out[end];
  // A plan copied out of one CSV cell keeps the cell's closing quote on its last line.
  if (tail.endsWith('"') && (tail.split('"').length - 1) % 2 === 1) out[end] = tail.slice(0, -1).trimEnd();
  return { lines: out, lineNumbers: scan.outNumbers, queryText };
}

interface Pieces {
  parts: string[];
  seps: string[];
}

function assemble(p: Pieces): string {
  let line = p.parts[0];
  for (let k = 0; k < p.seps.length; k++) line += p.seps[k] + p.parts[k + 1];
  return line;
}

/** Input lines `from`…`to` were one plan line. */
interface Join {
  from: number;
  to: number;
  why: string;
}

/** Notes beyond this many join notes become one note for the rest (a plan wrapped at every long line has thousands). */
const JOIN_NOTES = 10;

interface Scan {
  out: string[];
  outNumbers: number[];
  joins: Join[];
  /** Lines left out: index in the input lines, where they were, what they were if known. */
  skipped: [number, string, string | undefined][];
  /** Lines that were not plan-shaped (joined or left out). */
  others: number;
  removed: number;
  added: number;
}

/** One reading of the plan's lines from its first node at `i`, joining cut lines back at `cut` (-1: mail breaks). */
function scanBody(input: UnwrappedLines, i: number, cut: number, evidence: CutEvidence | undefined): Scan {
  const { lines, lineNumbers } = input;
  const out: string[] = [];
  const outNumbers: number[] = [];
  const joins: Join[] = [];
  const skipped: Scan['skipped'] = [];
  const rootLine = lines[i].includes('\t') ? expandLeadingTabs(lines[i]) : lines[i];
  const rootIndent = leadingSpaces(rootLine);
  /** The pieces of each joined line (by its index in `out`) and what was put between them, also to try again if its figures do not read. */
  const pieces: (Pieces | undefined)[] = [];
  out.push(rootLine);
  outNumbers.push(lineNumbers[i]);
  // What the last kept line leaves open: worked out only when a line needs it.
  const prevState: Open = { depth: 0, quote: 0 };
  let prevStateKnown = false;
  let prevIncomplete = false;
  let prevRawLength = lines[i].length;
  let joinFrom = -1;
  let joinTo = -1;
  let joinWhy = '';
  let extraPlan = false;
  let others = 0;
  /** Noise at the margin (a fence, a row count, a prompt) was met: what follows is not the rest of a plan line. */
  let afterNoise = false;
  /** Lines left out since the last plan line: inside the plan if another plan line follows, else after it. */
  let pending: number[] = [];
  const flushPending = (where: string) => {
    for (const k of pending) skipped.push([k, where, undefined]);
    pending = [];
  };
  const flushJoin = () => {
    if (joinFrom < 0) return;
    const before = joins[joins.length - 1];
    // More of the same line after a left-out line: one join.
    if (before?.from === joinFrom) before.to = joinTo;
    else joins.push({ from: joinFrom, to: joinTo, why: joinWhy });
    joinFrom = -1;
  };
  const keep = (line: string, k: number, incomplete: boolean) => {
    flushJoin();
    if (pending.length > 0) flushPending('inside the plan');
    out.push(line);
    outNumbers.push(lineNumbers[k]);
    prevStateKnown = false;
    prevIncomplete = incomplete;
    prevRawLength = lines[k].length;
    afterNoise = false;
  };

  let prevRaw = lines[i];
  for (i++; i < lines.length; i++) {
    const raw = lines[i];
    const line = raw.includes('\t') ? expandLeadingTabs(raw) : raw;
    const indent = leadingSpaces(line);
    if (indent === line.length) continue;
    const before = prevRaw;
    prevRaw = raw;
    const arrow = line.charCodeAt(indent) === 45 && line.charCodeAt(indent + 1) === 62;
    const atFooter = indent <= rootIndent && !arrow;

    let kind: LineKind = 'other';
    let join = '';
    if (arrow) {
      // "->  Name…": EXPLAIN's arrow is followed by spaces and a capitalised node name.
      let k = indent + 2;
      while (line.charCodeAt(k) === 32) k++;
      const first = line.charCodeAt(k);
      if (k > indent + 2 && first >= 65 && first <= 90) kind = 'node';
    } else {
      const keyEnd = detailKeyEnd(line, indent);
      if (keyEnd > 0) {
        const key = line.slice(indent, keyEnd);
        if (FOLLOWING_KEYS.has(key) || (key === 'Memory' && !line.startsWith('Memory: used=', indent)) || (key === 'Batches' && /^(?:Worker \d+: +)?(?:Buckets|Planned Partitions):/.test(out[out.length - 1].trim()))) {
          join = '  ';
        } else if (!atFooter || FOOTER_KEYS.has(key) || key.startsWith('Trigger ')) kind = 'detail';
      } else {
        const c = line.slice(indent).trimEnd();
        if (isSubplanLabel(c)) kind = 'subplan';
        // A trigger's line broken before its colon ("Trigger RI_ConstraintTrigger_c_1 for constraint" ⏎ "fk: time=…").
        else if (atFooter && c.startsWith('Trigger ')) kind = 'detail';
        else if (isNodeHeading(c, true) && parseNodeHeading(c.slice(0, figuresAt(c)).trimEnd()).known) {
          if (atFooter) {
            // A second statement's plan (a rule's actions): pglens reads the first one.
            flushJoin();
            extraPlan = true;
            skipped.push([i, 'after the plan', 'a second plan']);
            continue;
          }
          // A node without its arrow: kept, so the plan reader names the line.
          kind = 'detail';
        }
      }
    }
    if (extraPlan) {
      if (!(atFooter && kind === 'detail')) {
        skipped.push([i, 'after the plan', 'a second plan']);
        continue;
      }
      extraPlan = false;
    }
    if (kind !== 'other') {
      keep(line, i, kind === 'node' && figuresAt(line) < 0 && !parseNodeHeading(line.slice(indent + 2).trim()).known);
      continue;
    }

    others++;
    const c = line.slice(indent).trimEnd();
    const last = out.length - 1;
    // The line so far is its pieces (put together at the end): the checks need only its last one.
    const p = pieces[last];
    const prev = p ? p.parts[p.parts.length - 1] : out[last];
    if (!prevStateKnown) {
      prevState.depth = 0;
      prevState.quote = 0;
      readOpen(prev, prevState);
      prevStateKnown = true;
    }
    const prevOpen = prevState.depth > 0 || prevState.quote !== 0;
    const wasCut = cut > 0 && prevRawLength === cut;
    const noise = noiseKind(c);
    const strong = noise !== 'text' && noise !== 'SQL';
    if (!strong && join === '') evidence?.add(before, raw);
    if (strong && atFooter) afterNoise = true;
    // Even a line left open cannot go on with a row count, a prompt, a log line or a fence.
    const hard = strong && noise !== 'query result' && noise !== 'SQL comment';
    if (join === '' && (hard || (!prevOpen && (strong || afterNoise || (!wasCut && !continues(prev.trimEnd(), c, indent, rootIndent, prevIncomplete)))))) {
      if (startsBrokenLine(lines, i, c, indent, rootIndent)) {
        // The first part of a detail line whose rest the next line holds ("Rows Removed by" ⏎ "Filter: 15000").
        keep(line, i, true);
        continue;
      }
      flushJoin();
      pending.push(i);
      continue;
    }
    let why: string;
    let head = prev;
    let sep: string;
    let tail = c;
    if (join === '  ' || (c.startsWith('(cost=') && !wasCut)) {
      // EXPLAIN puts two spaces between figures on one line, and between a heading and its costs.
      head = prev.trimEnd();
      sep = '  ';
      why = 'a line broken between two figures';
    } else if (wasCut) {
      // Cut at a fixed width by a terminal: nothing was lost at the cut.
      sep = '';
      tail = raw;
      why = `a line cut at ${cut} characters`;
    } else {
      head = prev.trimEnd();
      sep = ' ';
      why = 'a wrapped line';
    }
    if (p) {
      p.parts[p.parts.length - 1] = head;
      p.parts.push(tail);
      p.seps.push(sep);
    } else pieces[last] = { parts: [head, tail], seps: [sep] };
    readOpen(tail, prevState);
    if (prevIncomplete) {
      // A heading still without its figures, unless its name is now one pglens knows (COSTS OFF).
      const joined = assemble(pieces[last] as Pieces).trimStart();
      prevIncomplete = figuresAt(joined) < 0 && !parseNodeHeading((joined.startsWith('->') ? joined.slice(2) : joined).trim()).known;
    }
    prevRawLength = raw.length;
    if (joinFrom < 0) {
      joinFrom = outNumbers[last];
      joinWhy = why;
    }
    joinTo = lineNumbers[i];
  }
  flushJoin();
  flushPending('after the plan');
  let removed = 0;
  let added = 0;
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k];
    if (p === undefined) continue;
    out[k] = assemble(p);
    if (k > 0 && !out[k].trimStart().startsWith('->')) continue;
    const r = repairFigures(out[k], p.parts, p.seps);
    out[k] = r.line;
    removed += r.removed;
    added += r.added;
  }
  for (let k = 0; k < out.length; k++) if (out[k].charCodeAt(out[k].length - 1) === 32) out[k] = out[k].trimEnd();
  return { out, outNumbers, joins, skipped, others, removed, added };
}

/** psql's border=1 pads every value with one space; pasted plans may be indented too. */
function stripCommonIndent(lines: string[]): void {
  let min = Infinity;
  for (const l of lines) {
    let n = 0;
    while (n < l.length && l.charCodeAt(n) === 32) n++;
    if (n < min) min = n;
    if (min === 0) return;
  }
  if (!Number.isFinite(min)) return;
  for (let i = 0; i < lines.length; i++) lines[i] = lines[i].slice(min);
}

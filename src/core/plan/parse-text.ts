/**
 * Text EXPLAIN output → the same shape FORMAT JSON gives, so one tree builder serves both.
 * One pass over the lines; the tree comes from the column where each node's heading starts
 * (a node's details sit 2 columns right of its heading, its children's arrows there too).
 */
import { PglensError } from '../errors';
import type { ParsedPlan } from './types';
import type { UnwrappedLines } from './psql-unwrap';
import { parseNodeHeading, type RawProps } from './text-node-heading';
import { applyBuffers, applyDetail, applyJitLine, parseSettings, parseTrigger, scalar } from './text-details';

interface Frame {
  raw: RawProps;
  /** Column where the node's heading text starts. */
  textCol: number;
  /** Children other than InitPlans/SubPlans seen so far. */
  members: number;
  worker?: RawProps;
  workerIndent: number;
}

const TEXT_HINT = 'pass the complete output of EXPLAIN (FORMAT TEXT) or EXPLAIN (FORMAT JSON)';
const COST = /\(cost=(-?[\d.]+)\.\.(-?[\d.]+) rows=(\d+(?:\.\d+)?) width=(\d+)\)/y;
const ACTUAL = /\(actual (?:time=([\d.]+)\.\.([\d.]+) )?rows=([\d.]+) loops=(\d+)\)/y;
const SUBPLAN = /^(InitPlan|SubPlan|CTE) /;
const MEMBER_PARENTS = new Set(['Append', 'Merge Append', 'BitmapAnd', 'BitmapOr', 'Custom Scan']);

function fail(line: number, problem: string): PglensError {
  return new PglensError('bad-input', `plan text line ${line}: ${problem}`, TEXT_HINT);
}

function quoteLine(content: string): string {
  return JSON.stringify(content.length > 80 ? `${content.slice(0, 77)}...` : content);
}

/** Parses a node line's text (after `->`); undefined when it is not a node heading. */
function parseNodeLine(text: string, lineNo: number): RawProps | undefined {
  const costAt = text.indexOf('(cost=');
  const actualAt = text.indexOf('(actual ', costAt < 0 ? 0 : costAt);
  const neverAt = actualAt < 0 ? text.indexOf('(never executed)', costAt < 0 ? 0 : costAt) : -1;
  let end = text.length;
  if (costAt >= 0) end = costAt;
  else if (actualAt >= 0) end = actualAt;
  else if (neverAt >= 0) end = neverAt;
  const { props, known } = parseNodeHeading(text.slice(0, end).trimEnd());
  if (end === text.length && !known) return undefined;
  if (costAt >= 0) {
    COST.lastIndex = costAt;
    const m = COST.exec(text);
    if (!m) throw fail(lineNo, `cannot read the cost figures in ${quoteLine(text)} (expected "(cost=S..T rows=R width=W)")`);
    props['Startup Cost'] = Number(m[1]);
    props['Total Cost'] = Number(m[2]);
    props['Plan Rows'] = Number(m[3]);
    props['Plan Width'] = Number(m[4]);
  }
  if (actualAt >= 0) {
    ACTUAL.lastIndex = actualAt;
    const m = ACTUAL.exec(text);
    if (!m) throw fail(lineNo, `cannot read the actual figures in ${quoteLine(text)} (expected "(actual time=S..T rows=R loops=L)")`);
    if (m[1] !== undefined) {
      props['Actual Startup Time'] = Number(m[1]);
      props['Actual Total Time'] = Number(m[2]);
    }
    props['Actual Rows'] = Number(m[3]);
    props['Actual Loops'] = Number(m[4]);
  } else if (neverAt >= 0) {
    props['Actual Startup Time'] = 0;
    props['Actual Total Time'] = 0;
    props['Actual Rows'] = 0;
    props['Actual Loops'] = 0;
  }
  return props;
}

function parseMs(value: string): unknown {
  return scalar(value.endsWith(' ms') ? value.slice(0, -3) : value);
}

function applyFooter(explain: RawProps, key: string, value: string): RawProps | undefined {
  switch (key.toLowerCase()) {
    case 'planning':
      return (explain.Planning = {});
    case 'jit':
      return (explain.JIT = {});
    case 'planning time':
      explain['Planning Time'] = parseMs(value);
      return undefined;
    case 'execution time':
    case 'total runtime':
      explain['Execution Time'] = parseMs(value);
      return undefined;
    case 'settings':
      explain.Settings = parseSettings(value);
      return undefined;
    case 'serialization': {
      const s: RawProps = {};
      const m = /time=([\d.]+) ms\s+output=(\d+)kB\s+format=(\w+)/.exec(value);
      if (m) {
        s.Time = Number(m[1]);
        s['Output Volume'] = Number(m[2]);
        s.Format = m[3];
      }
      explain.Serialization = s;
      return undefined;
    }
    default:
      explain[key] = scalar(value);
      return undefined;
  }
}

function applySectionLine(section: RawProps, isJit: boolean, key: string, value: string): void {
  if (isJit) applyJitLine(section, key, value);
  else if (key === 'Buffers') applyBuffers(section, value);
  else if (key === 'Memory') {
    const m = /used=(\d+)kB\s+allocated=(\d+)kB/.exec(value);
    if (m) {
      section['Memory Used'] = Number(m[1]);
      section['Memory Allocated'] = Number(m[2]);
    }
  } else applyDetail(section, key, value);
}

/**
 * Detail keys repeat on thousands of lines; storing each through one canonical string lets the
 * engine reuse its internalized property key instead of hashing a fresh slice per line.
 */
const canonicalKeys = new Map<string, string>();
function canonicalKey(key: string): string {
  const known = canonicalKeys.get(key);
  if (known !== undefined) return known;
  if (canonicalKeys.size < 1000) canonicalKeys.set(key, key);
  return key;
}

function leadingSpaces(line: string): number {
  let n = 0;
  while (n < line.length && line.charCodeAt(n) === 32) n++;
  return n;
}

export function parseTextPlan(input: UnwrappedLines): ParsedPlan {
  const { lines, lineNumbers } = input;
  const explain: RawProps = {};
  const stack: Frame[] = [];
  let root: RawProps | undefined;
  let pendingSubplan: string | undefined;
  let footer = false;
  let section: RawProps | undefined;
  let sectionIsJit = false;
  let skippingExtraPlan = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const indent = leadingSpaces(line);
    if (indent === line.length) continue;
    const content = indent === 0 ? line : line.slice(indent);
    const lineNo = lineNumbers[i];

    if (!root) {
      // The first line is the root node (text-lines.ts took what came before it aside).
      const arrow = content.startsWith('->');
      const headingText = arrow ? content.slice(2).trimStart() : content;
      const node = parseNodeLine(headingText, lineNo);
      if (!node) {
        throw fail(lineNo, `${quoteLine(content)} is not an EXPLAIN node (expected a first line such as "Seq Scan on orders  (cost=0.00..35.50 rows=2550 width=4)")`);
      }
      root = node;
      explain.Plan = root;
      stack.push({ raw: root, textCol: indent + content.length - headingText.length, members: 0, workerIndent: -1 });
      continue;
    }

    if (indent === 0 && !content.startsWith('->')) footer = true;
    if (footer) {
      if (indent === 0) {
        section = undefined;
        skippingExtraPlan = false;
        const trigger = content.startsWith('Trigger ') ? parseTrigger(content) : undefined;
        if (trigger) {
          ((explain.Triggers as RawProps[] | undefined) ?? (explain.Triggers = [])).push(trigger);
          continue;
        }
        if (content.includes('(cost=')) {
          // A second statement's plan (rule actions): pglens analyses the first one.
          skippingExtraPlan = true;
          continue;
        }
        const colon = content.indexOf(':');
        if (colon < 0) continue;
        const key = content.slice(0, colon);
        const value = content.slice(colon + 1).trim();
        section = applyFooter(explain, key, value);
        sectionIsJit = key === 'JIT';
      } else if (section && !skippingExtraPlan) {
        const colon = content.indexOf(': ');
        if (colon > 0) applySectionLine(section, sectionIsJit, content.slice(0, colon), content.slice(colon + 2));
      }
      continue;
    }

    if (content.startsWith('->')) {
      let k = 2;
      while (k < content.length && content.charCodeAt(k) === 32) k++;
      const textCol = indent + k;
      const node = parseNodeLine(content.slice(k), lineNo) ?? parseNodeHeading(content.slice(k)).props;
      while (stack.length > 0 && stack[stack.length - 1].textCol >= textCol) stack.pop();
      const parent = stack[stack.length - 1];
      if (!parent) throw fail(lineNo, `the node ${quoteLine(content)} is indented less than the plan's first node`);
      if (pendingSubplan !== undefined) {
        node['Parent Relationship'] = pendingSubplan.startsWith('SubPlan') ? 'SubPlan' : 'InitPlan';
        node['Subplan Name'] = pendingSubplan;
        pendingSubplan = undefined;
      } else {
        const parentType = parent.raw['Node Type'] as string;
        node['Parent Relationship'] = MEMBER_PARENTS.has(parentType)
          ? 'Member'
          : parentType === 'Subquery Scan'
            ? 'Subquery'
            : parent.members === 0
              ? 'Outer'
              : parent.members === 1
                ? 'Inner'
                : 'Member';
        parent.members++;
      }
      ((parent.raw.Plans as RawProps[] | undefined) ?? (parent.raw.Plans = [])).push(node);
      parent.worker = undefined;
      stack.push({ raw: node, textCol, members: 0, workerIndent: -1 });
      continue;
    }

    while (stack.length > 1 && stack[stack.length - 1].textCol >= indent) stack.pop();
    const frame = stack[stack.length - 1];
    pendingSubplan = undefined;
    if (frame.worker && indent > frame.workerIndent) {
      const colon = content.indexOf(': ');
      if (colon > 0) applyDetail(frame.worker, content.slice(0, colon), content.slice(colon + 2));
      continue;
    }
    frame.worker = undefined;
    const worker = content.startsWith('Worker ') ? /^Worker (\d+):\s+(.*)$/.exec(content) : null;
    if (worker) {
      // PostgreSQL ≤ 12 prints a worker's sort and its timing on separate "Worker N:" lines: one entry per worker.
      const number = Number(worker[1]);
      const workers = (frame.raw.Workers as RawProps[] | undefined) ?? (frame.raw.Workers = []);
      let w = workers.find((x) => x['Worker Number'] === number);
      const fresh = w === undefined;
      if (w === undefined) w = { 'Worker Number': number };
      const rest = worker[2];
      const actual = /^actual (?:time=([\d.]+)\.\.([\d.]+) )?rows=([\d.]+) loops=(\d+)\s*(.*)$/.exec(rest);
      if (actual) {
        if (actual[1] !== undefined) {
          w['Actual Startup Time'] = Number(actual[1]);
          w['Actual Total Time'] = Number(actual[2]);
        }
        w['Actual Rows'] = Number(actual[3]);
        w['Actual Loops'] = Number(actual[4]);
      } else {
        const colon = rest.indexOf(': ');
        if (colon > 0) applyDetail(w, rest.slice(0, colon), rest.slice(colon + 2));
      }
      if (fresh) workers.push(w);
      frame.worker = w;
      frame.workerIndent = indent;
      continue;
    }
    const colon = content.indexOf(': ');
    if (colon < 0) {
      if (SUBPLAN.test(content) || content === 'InitPlan' || content === 'SubPlan') pendingSubplan = content;
      else if (content.includes('(cost=')) throw fail(lineNo, `${quoteLine(content)} looks like a plan node but has no "->" before it`);
      else ((frame.raw['Text Details'] as string[] | undefined) ?? (frame.raw['Text Details'] = [])).push(content);
      continue;
    }
    applyDetail(frame.raw, canonicalKey(content.slice(0, colon)), content.slice(colon + 2));
  }

  if (!root) throw new PglensError('bad-input', 'the plan text has no plan node in it', TEXT_HINT);
  return { explain, sourceFormat: 'text', owned: true };
}

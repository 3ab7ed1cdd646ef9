/**
 * EXPLAIN (FORMAT YAML) → the value FORMAT JSON gives for the same plan. A reader for the YAML
 * explain.c writes, not for YAML at large: block mappings ("Key: value") and block sequences
 * ("- …"), two spaces per level, strings always JSON-quoted, numbers and booleans bare, an
 * empty group or list as "Key: " with nothing under it. auto_explain writes the top level as a
 * mapping ("Query Text: …", "Plan: …"); EXPLAIN as a sequence of them ("- Plan: …").
 */
import { PglensError } from '../errors';
import { emptyGroupFor } from './explain-keys';
import type { UnwrappedLines } from './psql-unwrap';

const YAML_HINT = 'pass the complete output of EXPLAIN (FORMAT YAML)';

type Container = Record<string, unknown> | unknown[];

interface Open {
  /** Column of the mapping's keys or of the sequence's dashes. */
  col: number;
  value: Container;
}

export interface YamlResult {
  value: unknown;
  /** Index of the first line not read (the end, or the first line that is not YAML of this shape). */
  end: number;
}

function fail(line: number, problem: string): PglensError {
  return new PglensError('bad-input', `YAML plan line ${line}: ${problem}`, YAML_HINT);
}

/** Reads from `start` until the lines stop being EXPLAIN YAML; `end` says where. */
export function parseYamlPlan(input: UnwrappedLines, start: number): YamlResult {
  const { lines, lineNumbers } = input;
  const stack: Open[] = [];
  let root: Container | undefined;
  /** A key whose value is on the following lines (a group, a list, or nothing: empty). */
  let pending: { obj: Record<string, unknown>; key: string; col: number } | undefined;
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i];
    let indent = 0;
    while (indent < line.length && line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length) continue;
    const dash = line.startsWith('- ', indent) || (line.length === indent + 1 && line[indent] === '-');
    const col = indent;
    const content = dash ? line.slice(indent + 2).trimEnd() : line.slice(indent).trimEnd();
    const colon = keyEnd(content);
    if (!dash && colon < 0) break;
    if (root === undefined) {
      root = dash ? [] : {};
      stack.push({ col, value: root });
    } else if (pending) {
      const p = pending;
      pending = undefined;
      if (col > p.col) {
        const child: Container = dash ? [] : {};
        p.obj[p.key] = child;
        stack.push({ col, value: child });
      } else p.obj[p.key] = emptyGroupFor(p.key);
    }
    const rootCol = stack[0].col;
    while (stack.length > 0 && stack[stack.length - 1].col > col) stack.pop();
    const top = stack[stack.length - 1];
    if (!top || top.col !== col || Array.isArray(top.value) !== dash) {
      // Left of the plan or a different shape at its top level: the plan has ended.
      if (col <= rootCol) break;
      throw fail(lineNumbers[i], `${JSON.stringify(line.trim())} is not where its indentation puts it`);
    }
    let target: Record<string, unknown>;
    let keyCol: number;
    if (dash) {
      const list = top.value as unknown[];
      if (colon < 0) {
        list.push(parseScalar(content, lineNumbers[i]));
        continue;
      }
      target = {};
      list.push(target);
      keyCol = col + 2;
      stack.push({ col: keyCol, value: target });
    } else {
      target = top.value as Record<string, unknown>;
      keyCol = col;
    }
    const key = content.slice(0, colon);
    const rest = content.slice(colon + 1).trim();
    if (rest === '') pending = { obj: target, key, col: keyCol };
    else target[key] = parseScalar(rest, lineNumbers[i]);
  }
  if (pending) pending.obj[pending.key] = emptyGroupFor(pending.key);
  if (root === undefined) throw new PglensError('bad-input', 'the YAML plan is empty', YAML_HINT);
  return { value: root, end: i };
}

/** Index of the colon ending "Key:" (keys are plain words; the colon is followed by a space or the end), or -1. */
function keyEnd(content: string): number {
  if (content.startsWith('"')) return -1;
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c === 58 && (i + 1 === content.length || content.charCodeAt(i + 1) === 32)) return i;
    if (c === 34) return -1;
  }
  return -1;
}

function parseScalar(text: string, line: number): unknown {
  if (text.startsWith('"')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw fail(line, `cannot read the string ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`);
    }
  }
  if (text.startsWith("'") && text.endsWith("'") && text.length >= 2) return text.slice(1, -1).replace(/''/g, "'");
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null' || text === '~') return null;
  const n = Number(text);
  if (text !== '' && Number.isFinite(n) && /^-?[\d.]/.test(text)) return n;
  return text;
}

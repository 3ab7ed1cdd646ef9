import { PglensError } from '../errors';
import type { ParsedPlan } from './types';
import type { UnwrappedLines } from './psql-unwrap';

const JSON_HINT = 'pass the whole output of EXPLAIN (FORMAT JSON) — an array holding one object with a "Plan" key';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Accepts what EXPLAIN (FORMAT JSON) gives in its many wrappings: the array with one object,
 * the object itself, a bare plan node, or a driver's result rows (`[{ "QUERY PLAN": … }]`).
 */
export function explainFromJsonValue(value: unknown, owned = false): ParsedPlan {
  let v = value;
  let others = 0;
  for (let unwrap = 0; unwrap < 4; unwrap++) {
    if (Array.isArray(v)) {
      if (v.length === 0) throw new PglensError('bad-input', 'the plan JSON is an empty array', JSON_HINT);
      // One entry per statement (a rule adds statements): pglens reads the first.
      if (isObject(v[0]) && 'Plan' in v[0]) others += v.length - 1;
      v = v[0];
      continue;
    }
    if (isObject(v) && !('Plan' in v) && 'QUERY PLAN' in v) {
      v = v['QUERY PLAN'];
      if (typeof v === 'string') return parseJsonText(v);
      continue;
    }
    break;
  }
  if (!isObject(v)) {
    throw new PglensError('bad-input', `the plan JSON is a ${v === null ? 'null' : typeof v}, not an object`, JSON_HINT);
  }
  if ('Plan' in v) {
    if (!isObject(v.Plan)) throw new PglensError('bad-input', 'the plan JSON\'s "Plan" is not an object', JSON_HINT);
    const parsed: ParsedPlan = { explain: v, sourceFormat: 'json', owned };
    if (others > 0) parsed.notes = [{ kind: 'ignored', message: `ignored ${others} more plan${others === 1 ? '' : 's'} after the first (one per statement a rule added)` }];
    return parsed;
  }
  if ('Node Type' in v) return { explain: { Plan: v }, sourceFormat: 'json', owned };
  const keys = Object.keys(v).slice(0, 5).join('", "');
  throw new PglensError('bad-input', `the JSON has no "Plan" object (keys: "${keys}") — it is not EXPLAIN output`, JSON_HINT);
}

/** Parses JSON text; a syntax error names the line. */
function parseJsonText(text: string): ParsedPlan {
  return explainFromJsonValue(parseJsonValue(text), true);
}

/** JSON.parse with an error that names the input line (`lineOf` maps a line of `text` to it). */
export function parseJsonValue(text: string, lineOf: (line: number) => number = (l) => l): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    let where = '';
    if (pos) {
      const offset = Number(pos[1]);
      where = ` at line ${lineOf(countLines(text, offset) + 1)}`;
    } else if (/end of (JSON|data) input/i.test(message)) {
      where = ' (it ends early: truncated?)';
    }
    const cause = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw new PglensError('bad-input', `the plan looks like JSON but does not parse${where}: ${cause}`, 'copy the complete EXPLAIN (FORMAT JSON) output');
  }
}

export interface JsonInLines {
  value: unknown;
  /** Index of the line holding the value's last character. */
  lastLine: number;
}

/**
 * Where the JSON value starting in `lines[start]` ends: brackets counted outside strings, so
 * whatever follows (psql's "(1 row)", a prompt, a CSV cell's closing quote) is left out.
 * `csv`: the text sits in a CSV cell (opening quote removed by the caller), so quotes are doubled.
 */
export function parseJsonLines(input: UnwrappedLines, start: number, csv: boolean): JsonInLines {
  const { lines, lineNumbers } = input;
  const body = lines.slice(start);
  let text = body.join('\n');
  // A CSV cell doubles the quotes inside; so does a plan copied out of one without its outer quotes.
  if (csv || /[[{,]\s*""[A-Z]/.test(text.slice(0, 200))) text = text.replace(/""/g, '"');
  let s = 0;
  while (s < text.length && text[s] !== '[' && text[s] !== '{') s++;
  let depth = 0;
  let inString = false;
  let end = text.length;
  for (let i = s; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) {
      depth--;
      if (depth === 0) {
        end = i + 1;
        break;
      }
    }
  }
  const jsonText = text.slice(s, end);
  const value = parseJsonValue(jsonText, (line) => lineNumbers[start + line - 1 + countLines(text, s)] ?? line);
  return { value, lastLine: start + countLines(text, end - 1) };
}

/** Newlines in text before `offset`. */
function countLines(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

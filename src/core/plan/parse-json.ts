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
  for (let unwrap = 0; unwrap < 4; unwrap++) {
    if (Array.isArray(v)) {
      if (v.length === 0) throw new PglensError('bad-input', 'the plan JSON is an empty array', JSON_HINT);
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
    return { explain: v, sourceFormat: 'json', owned };
  }
  if ('Node Type' in v) return { explain: { Plan: v }, sourceFormat: 'json', owned };
  const keys = Object.keys(v).slice(0, 5).join('", "');
  throw new PglensError('bad-input', `the JSON has no "Plan" object (keys: "${keys}") — it is not EXPLAIN output`, JSON_HINT);
}

/** Parses JSON text; a syntax error names the line (mapped back through psql unwrapping when given). */
export function parseJsonText(text: string, unwrapped?: UnwrappedLines): ParsedPlan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    let where = '';
    if (pos) {
      const offset = Number(pos[1]);
      let line = 1;
      for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
      const original = unwrapped ? unwrapped.lineNumbers[line - 1] ?? line : line;
      where = ` at line ${original}`;
    } else if (/end of (JSON|data) input/i.test(message)) {
      where = ' (it ends early: truncated?)';
    }
    const cause = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw new PglensError('bad-input', `the plan looks like JSON but does not parse${where}: ${cause}`, 'copy the complete EXPLAIN (FORMAT JSON) output');
  }
  return explainFromJsonValue(value, true);
}

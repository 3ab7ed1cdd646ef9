import { PglensError } from '../errors';
import type { ParsedPlan } from './types';
import { explainFromJsonValue, parseJsonText } from './parse-json';
import { parseTextPlan } from './parse-text';
import { unwrapPsql } from './psql-unwrap';

const FORMAT_HINT = 'use EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) or the default text format';

/**
 * EXPLAIN output in any form pglens accepts: JSON (text or an already parsed value), or the
 * text format; either may come wrapped in psql's table (header, borders, `+` continuations).
 */
export function parsePlan(input: string | unknown): ParsedPlan {
  if (typeof input !== 'string') {
    if (input === null || input === undefined) throw new PglensError('bad-input', 'no plan was given', FORMAT_HINT);
    return explainFromJsonValue(input);
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  if (i === text.length) throw new PglensError('bad-input', 'the plan is empty', FORMAT_HINT);
  const c = text[i];
  if (c === '[' || c === '{') return parseJsonText(text);
  const unwrapped = unwrapPsql(text);
  const first = unwrapped.lines.find((l) => l.trim() !== '')?.trim();
  if (first === undefined) throw new PglensError('bad-input', 'the psql output holds no plan rows', FORMAT_HINT);
  if (first.startsWith('[') || first.startsWith('{')) return parseJsonText(unwrapped.lines.join('\n'), unwrapped);
  if (first.startsWith('<explain') || first.startsWith('<?xml')) {
    throw new PglensError('bad-input', 'the plan is in XML format, which pglens does not read', FORMAT_HINT);
  }
  if (first.startsWith('- Plan:')) {
    throw new PglensError('bad-input', 'the plan is in YAML format, which pglens does not read', FORMAT_HINT);
  }
  return parseTextPlan(unwrapped);
}

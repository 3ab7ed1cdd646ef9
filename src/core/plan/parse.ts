import { PglensError } from '../errors';
import { autoExplainHeader } from './auto-explain';
import type { IgnoredLines } from './input-noise';
import { explainFromJsonValue, parseJsonLines } from './parse-json';
import { parseTextPlan } from './parse-text';
import { parseXmlPlan } from './parse-xml';
import { parseYamlPlan } from './parse-yaml';
import { findPlan, type FoundPlan } from './plan-input';
import { prepareTextLines } from './text-lines';
import type { ParsedPlan, PlanInputNote } from './types';

const FORMAT_HINT = 'use EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) or the default text format';

/** Plans this module produced: given back to parsePlan (as analyzePlan does), they pass through unchanged. */
const produced = new WeakSet<object>();

function done(parsed: ParsedPlan): ParsedPlan {
  produced.add(parsed);
  return parsed;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A jsonlog line (log_destination = jsonlog) holding an auto_explain message: the message's text. */
function jsonlogMessage(value: unknown): string | undefined {
  if (!isObject(value) || 'Plan' in value || typeof value.message !== 'string') return undefined;
  return autoExplainHeader(value.message.split('\n', 1)[0]) ? value.message : undefined;
}

/**
 * EXPLAIN output in any form pglens accepts (see plan-input.ts for the wrappings and
 * text-lines.ts for pasted text): JSON (text or an already parsed value), text, YAML or XML.
 * The result says, in `notes`, which input lines were left out or joined.
 */
export function parsePlan(input: string | unknown): ParsedPlan {
  if (typeof input !== 'string') {
    if (input === null || input === undefined) throw new PglensError('bad-input', 'no plan was given', FORMAT_HINT);
    if (typeof input === 'object' && produced.has(input)) return input as ParsedPlan;
    const message = jsonlogMessage(input);
    if (message !== undefined) return parsePlan(message);
    return done(explainFromJsonValue(input));
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  if (i === text.length) throw new PglensError('bad-input', 'the plan is empty', FORMAT_HINT);
  const c = text[i];
  if (c === '[' || c === '{') {
    // The common case, and the fastest: the whole input is the JSON document.
    let value: unknown;
    let ok = true;
    try {
      value = JSON.parse(text);
    } catch {
      ok = false;
    }
    if (ok) {
      const message = jsonlogMessage(value);
      if (message !== undefined) return withWrapper(parsePlan(message), 'jsonlog entry');
      const parsed = explainFromJsonValue(value, true);
      parsed.inputFormat = 'json';
      return done(parsed);
    }
  }
  return done(parseFound(findPlan(text)));
}

function withWrapper(parsed: ParsedPlan, wrapper: string): ParsedPlan {
  parsed.wrappers = [wrapper, ...(parsed.wrappers ?? [])];
  return parsed;
}

function parseFound(found: FoundPlan): ParsedPlan {
  const { ignored } = found;
  const notes: PlanInputNote[] = [...found.notes];
  let parsed: ParsedPlan;
  switch (found.format) {
    case 'text': {
      const text = prepareTextLines(found, found.start, ignored, notes);
      parsed = parseTextPlan(text);
      if (text.queryText !== undefined && parsed.explain['Query Text'] === undefined) parsed.explain['Query Text'] = text.queryText;
      break;
    }
    case 'json': {
      const json = parseJsonLines(found, found.start, found.csvCell);
      ignoreAfter(found, json.lastLine + 1, ignored);
      parsed = explainFromJsonValue(json.value, true);
      break;
    }
    case 'yaml': {
      const yaml = parseYamlPlan(found, found.start);
      ignoreAfter(found, yaml.end, ignored);
      parsed = explainFromJsonValue(yaml.value, true);
      break;
    }
    case 'xml': {
      const body = found.lines.slice(found.start);
      const text = body.join('\n');
      const xml = parseXmlPlan(text);
      let line = 0;
      for (let k = text.indexOf('\n'); k >= 0 && k < xml.end; k = text.indexOf('\n', k + 1)) line++;
      ignoreAfter(found, found.start + line + 1, ignored);
      parsed = explainFromJsonValue(xml.value, true);
      break;
    }
  }
  parsed.inputFormat = found.format;
  if (found.wrappers.length > 0) parsed.wrappers = found.wrappers;
  const all = [...ignored.notes(), ...notes, ...(parsed.notes ?? [])].sort((a, b) => (a.fromLine ?? Infinity) - (b.fromLine ?? Infinity));
  if (all.length > 0) parsed.notes = capNotes(all);
  if (ignored.lines.length > 0) parsed.ignoredLines = [...ignored.lines].sort((a, b) => a - b);
  return parsed;
}

const IGNORED_NOTES = 10;

/** Input with noise all through it gets many "ignored" notes: the first few, then one for the rest (ignoredLines lists them all). */
function capNotes(notes: PlanInputNote[]): PlanInputNote[] {
  const ignoredNotes = notes.filter((n) => n.kind === 'ignored');
  if (ignoredNotes.length <= IGNORED_NOTES + 1) return notes;
  const rest = ignoredNotes.slice(IGNORED_NOTES);
  const dropped = new Set(rest);
  const from = rest[0].fromLine;
  const to = rest[rest.length - 1].toLine;
  const summary: PlanInputNote = { kind: 'ignored', message: `ignored ${rest.length} more groups of lines between lines ${from} and ${to}`, fromLine: from, toLine: to };
  return [...notes.filter((n) => !dropped.has(n)), summary].sort((a, b) => (a.fromLine ?? Infinity) - (b.fromLine ?? Infinity));
}

function ignoreAfter(found: FoundPlan, from: number, ignored: IgnoredLines): void {
  for (let i = from; i < found.lines.length; i++) {
    const t = found.lines[i].trim();
    if (t !== '' && !(found.csvCell && t === '"')) ignored.add(found.lineNumbers[i], t, 'after the plan');
  }
}

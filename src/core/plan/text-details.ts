/**
 * Detail lines of text EXPLAIN ("Filter: …", "Buffers: shared hit=1 read=2", "Sort Method: …")
 * mapped to the property names FORMAT JSON uses for the same facts.
 */
import type { RawProps } from './text-node-heading';

/** "shared" + "hit" → "Shared Hit Blocks", precomputed so no key string is built per line. */
const BUFFER_KEY: Record<string, Record<string, string>> = {};
for (const kind of ['Shared', 'Local', 'Temp']) {
  BUFFER_KEY[kind.toLowerCase()] = {};
  for (const op of ['Hit', 'Read', 'Dirtied', 'Written']) BUFFER_KEY[kind.toLowerCase()][op.toLowerCase()] = `${kind} ${op} Blocks`;
}
const LIST_KEYS = new Set(['Output', 'Sort Key', 'Presorted Key', 'Group Key', 'Conflict Arbiter Indexes', 'Hash Key']);
/** Lines holding several "Key: value" pairs separated by two spaces. */
const MULTI_KEYS = new Set(['Sort Method', 'Buckets', 'Batches', 'Planned Partitions', 'Hits', 'Storage']);
const RENAMED: Record<string, string> = {
  Hits: 'Cache Hits',
  Misses: 'Cache Misses',
  Evictions: 'Cache Evictions',
  Overflows: 'Cache Overflows',
  'Memory Usage': 'Peak Memory Usage',
  'Disk Usage': 'Disk Usage',
  Memory: 'Sort Space Used',
  Disk: 'Sort Space Used',
  'Maximum Storage': 'Maximum Storage',
};

/** "25kB" → 25, "1.5" → 1.5, "true" → true; other text unchanged. */
export function scalar(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  const c = value.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45) {
    const n = Number(value.endsWith('kB') ? value.slice(0, -2) : value);
    if (Number.isFinite(n)) return n;
  }
  return value;
}

/** Splits "a, f(b, c), 'x, y'" at top-level commas. */
export function splitTopLevel(value: string, separator = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === separator && depth === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last !== '' || out.length > 0) out.push(last);
  return out;
}

/** "shared hit=1 read=2, temp written=3" into raw; counts text leaves out (zeros) stay absent. */
export function applyBuffers(raw: RawProps, value: string): void {
  let keys: Record<string, string> | undefined;
  let i = 0;
  while (i < value.length) {
    let end = value.indexOf(' ', i);
    if (end < 0) end = value.length;
    let word = value.slice(i, end);
    i = end + 1;
    if (word.endsWith(',')) word = word.slice(0, -1);
    const eq = word.indexOf('=');
    if (eq < 0) keys = BUFFER_KEY[word];
    else if (keys) {
      const key = keys[word.slice(0, eq)];
      if (key) raw[key] = Number(word.slice(eq + 1));
    }
  }
}

function applyIoTimings(raw: RawProps, value: string): void {
  for (const part of value.split(', ')) {
    const words = part.trim().split(' ');
    let prefix = 'I/O';
    if (words[0] === 'shared') prefix = 'Shared I/O';
    else if (words[0] === 'local') prefix = 'Local I/O';
    else if (words[0] === 'temp') prefix = 'Temp I/O';
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq < 0) continue;
      const op = w.slice(0, eq) === 'read' ? 'Read' : 'Write';
      raw[`${prefix} ${op} Time`] = Number(w.slice(eq + 1));
    }
  }
}

function applyEqualsPairs(raw: RawProps, value: string, names: Record<string, string>): void {
  for (const w of value.split(/\s+/)) {
    const eq = w.indexOf('=');
    if (eq < 0) continue;
    const key = names[w.slice(0, eq)];
    if (key) raw[key] = scalar(w.slice(eq + 1));
  }
}

/** "Full-sort Groups: 2  Sort Methods: quicksort, top-N heapsort  Average Memory: 26kB  Peak Memory: 26kB". */
function sortGroups(value: string): RawProps {
  const group: RawProps = {};
  const segments = value.split('  ');
  group['Group Count'] = scalar(segments[0]);
  for (const seg of segments.slice(1)) {
    const colon = seg.indexOf(': ');
    if (colon < 0) continue;
    const key = seg.slice(0, colon);
    const v = seg.slice(colon + 2);
    if (key === 'Sort Method' || key === 'Sort Methods') group['Sort Methods Used'] = v.split(', ');
    else {
      const [stat, space] = key.split(' ');
      const bucket = space === 'Disk' ? 'Sort Space Disk' : 'Sort Space Memory';
      const inner = (group[bucket] as RawProps | undefined) ?? {};
      inner[`${stat} Sort Space Used`] = scalar(v);
      group[bucket] = inner;
    }
  }
  return group;
}

/** One "Key: value" detail of a node (or of one of its workers). */
export function applyDetail(raw: RawProps, key: string, value: string): void {
  if (MULTI_KEYS.has(key)) {
    applyMulti(raw, `${key}: ${value}`);
    return;
  }
  switch (key) {
    case 'Buffers':
      applyBuffers(raw, value);
      return;
    case 'I/O Timings':
      applyIoTimings(raw, value);
      return;
    case 'WAL':
      applyEqualsPairs(raw, value.replace('buffers full', 'buffers_full'), {
        records: 'WAL Records',
        fpi: 'WAL FPI',
        bytes: 'WAL Bytes',
        buffers_full: 'WAL Buffers Full',
      });
      return;
    case 'Heap Blocks':
      applyEqualsPairs(raw, value, { exact: 'Exact Heap Blocks', lossy: 'Lossy Heap Blocks' });
      return;
    case 'Full-sort Groups':
    case 'Pre-sorted Groups':
      raw[key] = sortGroups(value);
      return;
  }
  if (LIST_KEYS.has(key)) {
    const items = splitTopLevel(value);
    const prev = raw[key];
    raw[key] = Array.isArray(prev) ? [...(prev as string[]), ...items] : items;
    return;
  }
  raw[key] = scalar(value);
}

/** "Buckets: 4096 (originally 1024)  Batches: 64 (originally 1)  Memory Usage: 89kB" and kin. */
function applyMulti(raw: RawProps, content: string): void {
  const isHash = content.startsWith('Buckets: ');
  for (const seg of content.split('  ')) {
    const colon = seg.indexOf(': ');
    if (colon < 0) continue;
    const key = seg.slice(0, colon);
    let value = seg.slice(colon + 2);
    let original: string | undefined;
    const paren = value.indexOf(' (originally ');
    if (paren >= 0) {
      original = value.slice(paren + 13, -1);
      value = value.slice(0, paren);
    }
    switch (key) {
      case 'Sort Method':
        raw['Sort Method'] = value;
        break;
      case 'Memory':
      case 'Disk':
        raw['Sort Space Used'] = scalar(value);
        raw['Sort Space Type'] = key;
        break;
      case 'Buckets':
        raw['Hash Buckets'] = scalar(value);
        raw['Original Hash Buckets'] = scalar(original ?? value);
        break;
      case 'Batches':
        if (isHash) {
          raw['Hash Batches'] = scalar(value);
          raw['Original Hash Batches'] = scalar(original ?? value);
        } else raw['HashAgg Batches'] = scalar(value);
        break;
      case 'Storage':
        raw.Storage = value;
        break;
      default:
        raw[RENAMED[key] ?? key] = scalar(value);
    }
  }
}

/** "a = 'x', b = 'it''s'" (EXPLAIN SETTINGS) → { a: "x", b: "it's" }. */
export function parseSettings(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of splitTopLevel(value)) {
    // "name = 'value'"; a line re-joined after a mail client's break may have lost a space around "=".
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let v = part.slice(eq + 1).trim();
    if (v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1).replace(/''/g, "'");
    out[part.slice(0, eq).trim()] = v;
  }
  return out;
}

const TRIGGER = /^Trigger (.+?)(?: for constraint (.+?))?(?: on (.+?))?: time=([\d.]+) calls=(\d+)$/;

export function parseTrigger(content: string): RawProps | undefined {
  const m = TRIGGER.exec(content);
  if (!m) return undefined;
  const t: RawProps = { 'Trigger Name': m[1] };
  if (m[2]) t['Constraint Name'] = m[2];
  if (m[3]) t.Relation = m[3];
  t.Time = Number(m[4]);
  t.Calls = Number(m[5]);
  return t;
}

/** "Functions: 5" / "Options: Inlining true, …" / "Timing: Generation 0.5 ms (Deform 0.1 ms), Inlining …". */
export function applyJitLine(jit: RawProps, key: string, value: string): void {
  if (key === 'Functions') jit.Functions = scalar(value);
  else if (key === 'Options') {
    const options: Record<string, boolean> = {};
    for (const part of value.split(', ')) {
      const sp = part.lastIndexOf(' ');
      options[part.slice(0, sp)] = part.slice(sp + 1) === 'true';
    }
    jit.Options = options;
  } else if (key === 'Timing') {
    const timing: Record<string, number> = {};
    for (const part of value.replace(/ \([^)]*\)/g, '').split(', ')) {
      const m = /^(\w+) ([\d.]+) ms$/.exec(part.trim());
      if (m) timing[m[1]] = Number(m[2]);
    }
    jit.Timing = timing;
  } else jit[key] = scalar(value);
}

/**
 * What the YAML and XML readers need to know about EXPLAIN's property names to give the value
 * FORMAT JSON gives: which empty groups are objects, how XML spells names, which values are text.
 */

/** Groups that FORMAT JSON prints as objects ({}) when empty; other empty groups are lists ([]). */
const OBJECT_GROUPS = new Set(['Settings', 'Planning', 'JIT', 'Options', 'Timing', 'Serialization', 'Sort Space Memory', 'Sort Space Disk', 'Full-sort Groups', 'Pre-sorted Groups', 'Plan']);

export function emptyGroupFor(key: string): Record<string, unknown> | unknown[] {
  return OBJECT_GROUPS.has(key) ? {} : [];
}

/**
 * explain.c writes an XML tag from the property name with every character other than letters,
 * digits, "-", "_" and "." turned into "-": "Rows Removed by Filter" → "Rows-Removed-by-Filter",
 * "I/O Read Time" → "I-O-Read-Time". Names that had a "-" of their own are put back by hand.
 */
const XML_NAMES: Record<string, string> = {
  'One Time Filter': 'One-Time Filter',
  'Full sort Groups': 'Full-sort Groups',
  'Pre sorted Groups': 'Pre-sorted Groups',
};
const xmlKeys = new Map<string, string>();

export function keyFromXmlTag(tag: string): string {
  let key = xmlKeys.get(tag);
  if (key !== undefined) return key;
  key = tag.replace(/-/g, ' ').replace(/\bI O\b/g, 'I/O');
  key = XML_NAMES[key] ?? key;
  if (xmlKeys.size < 2000) xmlKeys.set(tag, key);
  return key;
}

/** Properties whose values are text even when they look like numbers or booleans (names, expressions). */
const TEXT_KEYS = new Set([
  'Node Type', 'Strategy', 'Partial Mode', 'Parent Relationship', 'Subplan Name', 'Join Type', 'Relation Name', 'Schema', 'Alias',
  'Index Name', 'Function Name', 'CTE Name', 'Tuplestore Name', 'Table Function Name', 'Custom Plan Provider', 'Operation', 'Command',
  'Scan Direction', 'Filter', 'Index Cond', 'Recheck Cond', 'Hash Cond', 'Merge Cond', 'Join Filter', 'One-Time Filter', 'TID Cond',
  'Order By', 'Run Condition', 'Cache Key', 'Cache Mode', 'Sort Method', 'Sort Space Type', 'Conflict Resolution', 'Sampling Method',
  'Repeatable Seed', 'Query Text', 'Trigger Name', 'Constraint Name', 'Relation', 'Storage', 'Window', 'Format', 'Subplan Name',
]);

/** An XML element's text as FORMAT JSON would type it: numbers and booleans bare, text as is. */
export function xmlScalar(key: string, text: string, inSettings: boolean): unknown {
  if (inSettings || TEXT_KEYS.has(key)) return text;
  if (text === 'true') return true;
  if (text === 'false') return false;
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45) {
    const n = Number(text);
    if (Number.isFinite(n) && /^-?\d+(?:\.\d+)?$/.test(text)) return n;
  }
  return text;
}

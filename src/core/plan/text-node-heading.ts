/**
 * Maps the heading of a text EXPLAIN node ("Parallel Index Scan Backward using i on s.t x")
 * to the properties FORMAT JSON gives the same node ("Node Type", "Parallel Aware",
 * "Scan Direction", "Index Name", "Relation Name", "Schema", "Alias", …), so text and JSON
 * input produce one tree. Mirrors ExplainNode() / ExplainTargetRel() in explain.c.
 */
export type RawProps = Record<string, unknown>;

/** Scan headings whose "on X" names a relation. */
const RELATION_SCANS = new Set(['Seq Scan', 'Sample Scan', 'Bitmap Heap Scan', 'Tid Scan', 'Tid Range Scan', 'Foreign Scan']);
/** Other "on X" headings, with the JSON key that names X. */
const NAMED_SCANS: Record<string, string | undefined> = {
  'Function Scan': 'Function Name',
  'Table Function Scan': 'Table Function Name',
  'CTE Scan': 'CTE Name',
  'WorkTable Scan': 'CTE Name',
  'Named Tuplestore Scan': 'Tuplestore Name',
  'Subquery Scan': undefined,
  'Values Scan': undefined,
};
const JOIN = /^(Nested Loop|Hash|Merge)(?: (Left|Right|Full|Semi|Anti|Right Semi|Right Anti))? Join$/;
const AGGREGATE = /^(Partial |Finalize )?(Aggregate|GroupAggregate|HashAggregate|MixedAggregate)$/;
const AGG_STRATEGY: Record<string, string> = { Aggregate: 'Plain', GroupAggregate: 'Sorted', HashAggregate: 'Hashed', MixedAggregate: 'Mixed' };
const SETOP = /^(HashSetOp|SetOp) (Intersect|Intersect All|Except|Except All)$/;
const INDEX_SCAN = /^(Index Scan|Index Only Scan)( Backward)? using (.+?) on (.+)$/;
const MODIFY = /^(Insert|Update|Delete|Merge) on (.+)$/;
const FOREIGN_MODIFY = /^Foreign (Insert|Update|Delete) on (.+)$/;
const CUSTOM = /^Custom Scan \((.+?)\)(?: on (.+))?$/;

/** Node types with a fixed heading equal to the JSON "Node Type". */
const PLAIN_TYPES = new Set([
  'Result', 'ProjectSet', 'Append', 'Merge Append', 'Recursive Union', 'BitmapAnd', 'BitmapOr', 'Gather', 'Gather Merge',
  'Sort', 'Incremental Sort', 'Group', 'Unique', 'WindowAgg', 'Materialize', 'Memoize', 'Hash', 'Limit', 'LockRows',
  'Bitmap Index Scan', 'Nested Loop', 'Hash Join', 'Merge Join', 'Aggregate', 'SetOp', 'ModifyTable',
  ...RELATION_SCANS, ...Object.keys(NAMED_SCANS),
]);

/** Splits `schema.name alias` into identifiers, honouring double quotes. */
function identifiers(target: string): { parts: string[]; alias?: string } {
  const tokens: string[] = [];
  const dotted: boolean[] = [];
  let i = 0;
  let afterDot = false;
  while (i < target.length) {
    const c = target[i];
    if (c === ' ') {
      i++;
      afterDot = false;
      continue;
    }
    if (c === '.') {
      i++;
      afterDot = true;
      continue;
    }
    let name: string;
    if (c === '"') {
      // Quoted: up to the closing quote; "" inside stands for one quote.
      let end = i + 1;
      for (;;) {
        end = target.indexOf('"', end);
        if (end < 0) end = target.length;
        if (target[end + 1] === '"') {
          end += 2;
          continue;
        }
        break;
      }
      name = target.slice(i + 1, end).replace(/""/g, '"');
      i = end + 1;
    } else {
      const start = i;
      while (i < target.length && target[i] !== ' ' && target[i] !== '.') i++;
      name = target.slice(start, i);
    }
    tokens.push(name);
    dotted.push(afterDot);
    afterDot = false;
  }
  const parts = [tokens[0] ?? ''];
  let k = 1;
  while (k < tokens.length && dotted[k]) parts.push(tokens[k++]);
  return { parts, alias: k < tokens.length ? tokens[k] : undefined };
}

function target(raw: RawProps, text: string, nameKey: string | undefined): void {
  const { parts, alias } = identifiers(text);
  if (nameKey === undefined) {
    raw.Alias = parts[parts.length - 1];
    return;
  }
  const name = parts[parts.length - 1];
  raw[nameKey] = name;
  if (parts.length > 1) raw.Schema = parts[parts.length - 2];
  raw.Alias = alias ?? name;
}

/** Properties of a node from its text heading; `known` is false when the heading names no node type pglens knows. */
export function parseNodeHeading(heading: string): { props: RawProps; known: boolean } {
  const raw: RawProps = {};
  let s = heading;
  let parallel = false;
  if (s.startsWith('Parallel ')) {
    parallel = true;
    s = s.slice(9);
  }
  if (s.startsWith('Async ')) {
    raw['Async Capable'] = true;
    s = s.slice(6);
  }
  let known = true;
  let m: RegExpExecArray | null;
  if ((m = INDEX_SCAN.exec(s))) {
    raw['Node Type'] = m[1];
    raw['Scan Direction'] = m[2] ? 'Backward' : 'Forward';
    raw['Index Name'] = identifiers(m[3]).parts[0];
    target(raw, m[4], 'Relation Name');
  } else if (s.startsWith('Bitmap Index Scan on ')) {
    raw['Node Type'] = 'Bitmap Index Scan';
    raw['Index Name'] = identifiers(s.slice(21)).parts[0];
  } else if ((m = JOIN.exec(s)) || s === 'Nested Loop') {
    raw['Node Type'] = m ? (m[1] === 'Nested Loop' ? 'Nested Loop' : `${m[1]} Join`) : 'Nested Loop';
    raw['Join Type'] = m?.[2] ?? 'Inner';
  } else if ((m = AGGREGATE.exec(s))) {
    raw['Node Type'] = 'Aggregate';
    raw.Strategy = AGG_STRATEGY[m[2]];
    raw['Partial Mode'] = m[1] ? m[1].trim() : 'Simple';
  } else if ((m = SETOP.exec(s))) {
    raw['Node Type'] = 'SetOp';
    raw.Strategy = m[1] === 'HashSetOp' ? 'Hashed' : 'Sorted';
    raw.Command = m[2];
  } else if ((m = MODIFY.exec(s))) {
    raw['Node Type'] = 'ModifyTable';
    raw.Operation = m[1];
    target(raw, m[2], 'Relation Name');
  } else if ((m = FOREIGN_MODIFY.exec(s))) {
    raw['Node Type'] = 'Foreign Scan';
    raw.Operation = m[1];
    target(raw, m[2], 'Relation Name');
  } else if ((m = CUSTOM.exec(s))) {
    raw['Node Type'] = 'Custom Scan';
    raw['Custom Plan Provider'] = m[1];
    if (m[2]) target(raw, m[2], 'Relation Name');
  } else {
    const on = s.indexOf(' on ');
    const base = on >= 0 ? s.slice(0, on) : s;
    if (on >= 0 && RELATION_SCANS.has(base)) {
      raw['Node Type'] = base;
      target(raw, s.slice(on + 4), 'Relation Name');
    } else if (on >= 0 && base in NAMED_SCANS) {
      raw['Node Type'] = base;
      target(raw, s.slice(on + 4), NAMED_SCANS[base]);
    } else {
      raw['Node Type'] = s;
      known = PLAIN_TYPES.has(s);
    }
  }
  if (raw['Node Type'] === 'Foreign Scan' && raw.Operation === undefined) raw.Operation = 'Select';
  raw['Parallel Aware'] = parallel;
  return { props: raw, known };
}

/**
 * The JSON-shaped EXPLAIN (from either parser) → PlanNode tree, ids in depth-first preorder.
 * Text EXPLAIN leaves out zeros that FORMAT JSON prints (buffers, "Rows Removed by …: 0",
 * "lossy=0"); the defaults below restore them so both inputs give the same nodes.
 */
import { PglensError } from '../errors';
import type { PlanBuffers, PlanIoTimes, PlanNode } from './types';

type Raw = Record<string, unknown>;

const AGG_NAMES: Record<string, string> = { Plain: 'Aggregate', Sorted: 'GroupAggregate', Hashed: 'HashAggregate', Mixed: 'MixedAggregate' };

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The heading text EXPLAIN prints for a node ("Parallel Seq Scan", "Hash Left Join", "Partial HashAggregate"). */
export function nodeLabel(raw: Raw): string {
  const type = String(raw['Node Type']);
  const join = raw['Join Type'] as string | undefined;
  let name = type;
  switch (type) {
    case 'Aggregate': {
      name = AGG_NAMES[raw.Strategy as string] ?? 'Aggregate';
      const mode = raw['Partial Mode'];
      if (mode === 'Partial' || mode === 'Finalize') name = `${mode} ${name}`;
      break;
    }
    case 'Nested Loop':
      if (join && join !== 'Inner') name = `Nested Loop ${join} Join`;
      break;
    case 'Hash Join':
    case 'Merge Join':
      if (join && join !== 'Inner') name = `${type.slice(0, -5)} ${join} Join`;
      break;
    case 'SetOp':
      name = `${raw.Strategy === 'Hashed' ? 'HashSetOp' : 'SetOp'}${raw.Command ? ` ${String(raw.Command)}` : ''}`;
      break;
    case 'ModifyTable':
      if (typeof raw.Operation === 'string') name = raw.Operation;
      break;
    case 'Foreign Scan':
      if (typeof raw.Operation === 'string' && raw.Operation !== 'Select') name = `Foreign ${raw.Operation}`;
      break;
    case 'Custom Scan':
      if (raw['Custom Plan Provider']) name = `Custom Scan (${String(raw['Custom Plan Provider'])})`;
      break;
    case 'Index Scan':
    case 'Index Only Scan':
      if (raw['Scan Direction'] === 'Backward') name = `${type} Backward`;
      break;
  }
  if (raw['Async Capable'] === true) name = `Async ${name}`;
  if (raw['Parallel Aware'] === true) name = `Parallel ${name}`;
  return name;
}

/** Where a bad value sits, for the error message; the path is built only when one is found. */
interface NodePlace {
  id: number;
  path: () => string;
}

function num(raw: Raw, key: string, place: NodePlace): number | undefined {
  const v = raw[key];
  if (typeof v === 'number') return v;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new PglensError(
    'bad-input',
    `node ${place.id} (${String(raw['Node Type'])}) at ${place.path()}: "${key}" is ${JSON.stringify(v)}, not a number`,
    'the plan JSON was altered; export it again with EXPLAIN (FORMAT JSON)',
  );
}

function str(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  return typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v);
}

/** The array itself when it holds only strings (it is never changed), else a converted copy. */
function list(raw: Raw, key: string): string[] | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return [String(v)];
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return v.map(String);
  return v as string[];
}

type Settable = Record<string, unknown>;

const STRING_FIELDS: [keyof PlanNode, string][] = [
  ['parentRelationship', 'Parent Relationship'],
  ['subplanName', 'Subplan Name'],
  ['cteName', 'CTE Name'],
  ['relation', 'Relation Name'],
  ['schema', 'Schema'],
  ['alias', 'Alias'],
  ['indexName', 'Index Name'],
  ['functionName', 'Function Name'],
  ['joinType', 'Join Type'],
  ['strategy', 'Strategy'],
  ['partialMode', 'Partial Mode'],
  ['operation', 'Operation'],
  ['scanDirection', 'Scan Direction'],
  ['filter', 'Filter'],
  ['indexCond', 'Index Cond'],
  ['recheckCond', 'Recheck Cond'],
  ['hashCond', 'Hash Cond'],
  ['joinFilter', 'Join Filter'],
  ['mergeCond', 'Merge Cond'],
  ['oneTimeFilter', 'One-Time Filter'],
  ['tidCond', 'TID Cond'],
  ['sortMethod', 'Sort Method'],
  ['sortSpaceType', 'Sort Space Type'],
];

const NUMBER_FIELDS: [keyof PlanNode, string][] = [
  ['actualStartupTimeMs', 'Actual Startup Time'],
  ['actualTotalTimeMs', 'Actual Total Time'],
  ['rowsRemovedByFilter', 'Rows Removed by Filter'],
  ['rowsRemovedByJoinFilter', 'Rows Removed by Join Filter'],
  ['rowsRemovedByIndexRecheck', 'Rows Removed by Index Recheck'],
  ['sortSpaceUsedKb', 'Sort Space Used'],
  ['hashBuckets', 'Hash Buckets'],
  ['originalHashBuckets', 'Original Hash Buckets'],
  ['hashBatches', 'Hash Batches'],
  ['originalHashBatches', 'Original Hash Batches'],
  ['peakMemoryUsageKb', 'Peak Memory Usage'],
  ['hashAggBatches', 'HashAgg Batches'],
  ['diskUsageKb', 'Disk Usage'],
  ['heapBlocksExact', 'Exact Heap Blocks'],
  ['heapBlocksLossy', 'Lossy Heap Blocks'],
  ['heapFetches', 'Heap Fetches'],
  ['indexSearches', 'Index Searches'],
  ['workersPlanned', 'Workers Planned'],
  ['workersLaunched', 'Workers Launched'],
];

const LIST_FIELDS: [keyof PlanNode, string][] = [
  ['sortKey', 'Sort Key'],
  ['groupKey', 'Group Key'],
  ['output', 'Output'],
];

const BUFFER_FIELDS: [keyof PlanBuffers, string][] = [
  ['sharedHit', 'Shared Hit Blocks'],
  ['sharedRead', 'Shared Read Blocks'],
  ['sharedDirtied', 'Shared Dirtied Blocks'],
  ['sharedWritten', 'Shared Written Blocks'],
  ['localHit', 'Local Hit Blocks'],
  ['localRead', 'Local Read Blocks'],
  ['localDirtied', 'Local Dirtied Blocks'],
  ['localWritten', 'Local Written Blocks'],
  ['tempRead', 'Temp Read Blocks'],
  ['tempWritten', 'Temp Written Blocks'],
];

export function emptyBuffers(): PlanBuffers {
  return { sharedHit: 0, sharedRead: 0, sharedDirtied: 0, sharedWritten: 0, localHit: 0, localRead: 0, localDirtied: 0, localWritten: 0, tempRead: 0, tempWritten: 0 };
}

export function readBuffers(raw: Raw): PlanBuffers | undefined {
  if (raw['Shared Hit Blocks'] === undefined && raw['Temp Read Blocks'] === undefined && raw['Local Hit Blocks'] === undefined) return undefined;
  const b = emptyBuffers();
  for (const [field, key] of BUFFER_FIELDS) {
    const v = raw[key];
    if (typeof v === 'number') b[field] = v;
    else if (v !== undefined) b[field] = Number(v) || 0;
  }
  return b;
}

const IO_FIELDS: [keyof PlanIoTimes, string][] = [
  ['sharedReadMs', 'I/O Read Time'],
  ['sharedWriteMs', 'I/O Write Time'],
  ['sharedReadMs', 'Shared I/O Read Time'],
  ['sharedWriteMs', 'Shared I/O Write Time'],
  ['localReadMs', 'Local I/O Read Time'],
  ['localWriteMs', 'Local I/O Write Time'],
  ['tempReadMs', 'Temp I/O Read Time'],
  ['tempWriteMs', 'Temp I/O Write Time'],
];

function sortFromGroups(node: PlanNode, raw: Raw): void {
  const methods = new Set<string>();
  let disk = 0;
  let memory = 0;
  for (const key of ['Full-sort Groups', 'Pre-sorted Groups']) {
    const g = raw[key];
    if (!isObject(g)) continue;
    if (Array.isArray(g['Sort Methods Used'])) for (const m of g['Sort Methods Used']) methods.add(String(m));
    const d = g['Sort Space Disk'];
    const m = g['Sort Space Memory'];
    if (isObject(d)) disk = Math.max(disk, Number(d['Peak Sort Space Used']) || 0);
    if (isObject(m)) memory = Math.max(memory, Number(m['Peak Sort Space Used']) || 0);
  }
  if (methods.size === 0) return;
  node.sortMethod = [...methods].join(', ');
  node.sortSpaceType = disk > 0 ? 'Disk' : 'Memory';
  node.sortSpaceUsedKb = disk > 0 ? disk : memory;
}

/** JSON property → how it lands on PlanNode; read in one pass over each node's own keys. */
type FieldKind = 's' | 'n' | 'l' | 'b' | 'io';
const FIELDS = new Map<string, [FieldKind, string]>();
for (const [field, key] of STRING_FIELDS) FIELDS.set(key, ['s', field]);
for (const [field, key] of NUMBER_FIELDS) FIELDS.set(key, ['n', field]);
for (const [field, key] of LIST_FIELDS) FIELDS.set(key, ['l', field]);
for (const [field, key] of BUFFER_FIELDS) FIELDS.set(key, ['b', field]);
for (const [field, key] of IO_FIELDS) FIELDS.set(key, ['io', field]);

/**
 * `owned`: the parser built this object, so it becomes `raw` as is (minus "Plans"). A caller's
 * object is never changed: a leaf's is referenced as is, a parent's copied without "Plans".
 */
function makeNode(raw: Raw, id: number, parentId: number | null, depth: number, place: NodePlace, owned: boolean, children: PlanNode[]): PlanNode {
  let props = raw;
  if (raw.Plans !== undefined) {
    if (!owned) props = { ...raw };
    // "Plans" is the last key EXPLAIN prints, and deleting the last-added key keeps the object's fast layout.
    delete props.Plans;
  }
  const loops = num(raw, 'Actual Loops', place);
  const actualRows = num(raw, 'Actual Rows', place);
  const analyzed = loops !== undefined || actualRows !== undefined;
  // Every field is present (undefined when unknown) so all nodes share one shape: the metric
  // and finding passes then read them at monomorphic speed. JSON.stringify drops the undefined ones.
  const node: PlanNode = {
    id,
    parentId,
    depth,
    children,
    nodeType: String(raw['Node Type']),
    label: nodeLabel(raw),
    parallelAware: raw['Parallel Aware'] === true,
    startupCost: num(raw, 'Startup Cost', place) ?? 0,
    totalCost: num(raw, 'Total Cost', place) ?? 0,
    // NaN until computeMetrics sets them: a double from the start, so setting the real (fractional)
    // values later does not make the engine migrate every node to a new object layout.
    exclusiveCost: NaN,
    planRows: num(raw, 'Plan Rows', place) ?? 0,
    planWidth: num(raw, 'Plan Width', place) ?? 0,
    analyzed,
    neverExecuted: analyzed && loops === 0,
    inclusiveTimeMs: NaN,
    exclusiveTimeMs: NaN,
    sharePct: NaN,
    raw: props,
    parentRelationship: undefined,
    subplanName: undefined,
    cteName: undefined,
    relation: undefined,
    schema: undefined,
    alias: undefined,
    indexName: undefined,
    functionName: undefined,
    joinType: undefined,
    strategy: undefined,
    partialMode: undefined,
    operation: undefined,
    scanDirection: undefined,
    actualStartupTimeMs: undefined,
    actualTotalTimeMs: undefined,
    actualRows,
    loops,
    totalRows: actualRows !== undefined && loops !== undefined ? actualRows * loops : undefined,
    estimateRatio: undefined,
    estimateFactor: undefined,
    estimateDirection: undefined,
    mayStopEarly: undefined,
    buffers: undefined,
    exclusiveBuffers: undefined,
    ioTimes: undefined,
    wal: undefined,
    rowsRemovedByFilter: undefined,
    rowsRemovedByJoinFilter: undefined,
    rowsRemovedByIndexRecheck: undefined,
    filter: undefined,
    indexCond: undefined,
    recheckCond: undefined,
    hashCond: undefined,
    joinFilter: undefined,
    mergeCond: undefined,
    oneTimeFilter: undefined,
    tidCond: undefined,
    sortKey: undefined,
    groupKey: undefined,
    output: undefined,
    sortMethod: undefined,
    sortSpaceUsedKb: undefined,
    sortSpaceType: undefined,
    hashBuckets: undefined,
    originalHashBuckets: undefined,
    hashBatches: undefined,
    originalHashBatches: undefined,
    peakMemoryUsageKb: undefined,
    hashAggBatches: undefined,
    diskUsageKb: undefined,
    heapBlocksExact: undefined,
    heapBlocksLossy: undefined,
    heapFetches: undefined,
    indexSearches: undefined,
    workersPlanned: undefined,
    workersLaunched: undefined,
    disabled: undefined,
  };
  const set = node as unknown as Settable;
  let buffers: PlanBuffers | undefined;
  let io: PlanIoTimes | undefined;
  for (const key in raw) {
    const spec = FIELDS.get(key);
    if (spec === undefined) continue;
    const field = spec[1];
    switch (spec[0]) {
      case 's': {
        const v = str(raw, key);
        if (v !== undefined) set[field] = v;
        break;
      }
      case 'n': {
        const v = num(raw, key, place);
        if (v !== undefined) set[field] = v;
        break;
      }
      case 'l': {
        const v = list(raw, key);
        if (v !== undefined) set[field] = v;
        break;
      }
      case 'b':
        (buffers ??= emptyBuffers())[field as keyof PlanBuffers] = num(raw, key, place) ?? 0;
        break;
      case 'io': {
        const v = num(raw, key, place);
        if (v !== undefined) (io ??= {})[field as keyof PlanIoTimes] = v;
        break;
      }
    }
  }
  if (buffers) node.buffers = buffers;
  if (io) node.ioTimes = io;
  if (raw.Disabled === true) node.disabled = true;
  const walRecords = num(raw, 'WAL Records', place);
  if (walRecords !== undefined) node.wal = { records: walRecords, fpi: num(raw, 'WAL FPI', place) ?? 0, bytes: num(raw, 'WAL Bytes', place) ?? 0 };
  if (node.nodeType === 'Incremental Sort' && node.sortMethod === undefined) sortFromGroups(node, raw);
  if (analyzed) {
    if (node.filter !== undefined) node.rowsRemovedByFilter ??= 0;
    if (node.joinFilter !== undefined) node.rowsRemovedByJoinFilter ??= 0;
    const recheckable = node.recheckCond !== undefined || ((node.nodeType === 'Index Scan' || node.nodeType === 'Index Only Scan') && node.indexCond !== undefined);
    if (recheckable) node.rowsRemovedByIndexRecheck ??= 0;
    if (node.hashAggBatches !== undefined) node.diskUsageKb ??= 0;
    if (node.nodeType === 'Bitmap Heap Scan') {
      node.heapBlocksExact ??= 0;
      node.heapBlocksLossy ??= 0;
    }
  }
  return node;
}

/** Builds the tree; every node must have a "Node Type" (the error names the path to the bad one). */
export function buildTree(plan: Raw, owned = false): PlanNode[] {
  const nodes: PlanNode[] = [];
  // Only for error messages: a built node's position among its parent's "Plans" is its slot in the parent's children.
  const pathOf = (parentId: number | null, index: number): string => {
    if (parentId === null) return 'Plan';
    const parent = nodes[parentId - 1];
    const grandparentId = parent.parentId;
    return `${pathOf(grandparentId, grandparentId === null ? 0 : nodes[grandparentId - 1].children.indexOf(parent))} → Plans[${index}]`;
  };
  // The pending nodes as parallel stacks (parent id 0 = none): no object or closure per node.
  const rawStack: unknown[] = [plan];
  const parentStack: number[] = [0];
  const indexStack: number[] = [0];
  let parentId: number | null = null;
  let index = 0;
  const place: NodePlace = { id: 0, path: () => pathOf(parentId, index) };
  let withBuffers = false;
  while (rawStack.length > 0) {
    const raw = rawStack.pop();
    const parent = parentStack.pop() as number;
    parentId = parent === 0 ? null : parent;
    index = indexStack.pop() as number;
    if (!isObject(raw) || typeof raw['Node Type'] !== 'string') {
      throw new PglensError('bad-input', `the plan node at ${place.path()} has no "Node Type"`, 'export the plan again with EXPLAIN (FORMAT JSON); it looks truncated or edited');
    }
    const id = nodes.length + 1;
    place.id = id;
    const children = raw.Plans;
    const parentNode = parent === 0 ? undefined : nodes[parent - 1];
    // A node's children array has its "Plans" length from the start, each slot overwritten by the
    // child's node as the child is built: the parser's own array when it is ours, else a copy.
    const kids: PlanNode[] = Array.isArray(children) ? ((owned ? children : children.slice()) as PlanNode[]) : [];
    const node = makeNode(raw, id, parentId, parentNode === undefined ? 0 : parentNode.depth + 1, place, owned, kids);
    nodes.push(node);
    if (node.buffers !== undefined) withBuffers = true;
    if (parentNode !== undefined) parentNode.children[index] = node;
    if (children === undefined) continue;
    if (!Array.isArray(children)) {
      throw new PglensError('bad-input', `node ${id} (${node.nodeType}) at ${place.path()}: "Plans" is not an array`, 'export the plan again with EXPLAIN (FORMAT JSON)');
    }
    for (let i = children.length - 1; i >= 0; i--) {
      rawStack.push(children[i]);
      parentStack.push(id);
      indexStack.push(i);
    }
  }
  if (withBuffers) for (let i = 0; i < nodes.length; i++) nodes[i].buffers ??= emptyBuffers();
  return nodes;
}

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

class NodeReader {
  constructor(
    private readonly raw: Raw,
    private readonly where: () => string,
  ) {}

  num(key: string): number | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    throw new PglensError('bad-input', `${this.where()}: "${key}" is ${JSON.stringify(v)}, not a number`, 'the plan JSON was altered; export it again with EXPLAIN (FORMAT JSON)');
  }

  str(key: string): string | undefined {
    const v = this.raw[key];
    return typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v);
  }

  list(key: string): string[] | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    return Array.isArray(v) ? v.map(String) : [String(v)];
  }
}

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

function makeNode(raw: Raw, id: number, parentId: number | null, depth: number, where: () => string): PlanNode {
  const r = new NodeReader(raw, where);
  const { Plans: _children, ...props } = raw;
  const loops = r.num('Actual Loops');
  const actualRows = r.num('Actual Rows');
  const analyzed = loops !== undefined || actualRows !== undefined;
  const node: PlanNode = {
    id,
    parentId,
    depth,
    children: [],
    nodeType: String(raw['Node Type']),
    label: nodeLabel(raw),
    parallelAware: raw['Parallel Aware'] === true,
    startupCost: r.num('Startup Cost') ?? 0,
    totalCost: r.num('Total Cost') ?? 0,
    exclusiveCost: 0,
    planRows: r.num('Plan Rows') ?? 0,
    planWidth: r.num('Plan Width') ?? 0,
    analyzed,
    neverExecuted: analyzed && loops === 0,
    inclusiveTimeMs: 0,
    exclusiveTimeMs: 0,
    sharePct: 0,
    raw: props,
  };
  const optional: Partial<PlanNode> = {
    parentRelationship: r.str('Parent Relationship'),
    subplanName: r.str('Subplan Name'),
    cteName: r.str('CTE Name'),
    relation: r.str('Relation Name'),
    schema: r.str('Schema'),
    alias: r.str('Alias'),
    indexName: r.str('Index Name'),
    functionName: r.str('Function Name'),
    joinType: r.str('Join Type'),
    strategy: r.str('Strategy'),
    partialMode: r.str('Partial Mode'),
    operation: r.str('Operation'),
    scanDirection: r.str('Scan Direction'),
    actualStartupTimeMs: r.num('Actual Startup Time'),
    actualTotalTimeMs: r.num('Actual Total Time'),
    actualRows,
    loops,
    totalRows: actualRows !== undefined && loops !== undefined ? actualRows * loops : undefined,
    buffers: readBuffers(raw),
    rowsRemovedByFilter: r.num('Rows Removed by Filter'),
    rowsRemovedByJoinFilter: r.num('Rows Removed by Join Filter'),
    rowsRemovedByIndexRecheck: r.num('Rows Removed by Index Recheck'),
    filter: r.str('Filter'),
    indexCond: r.str('Index Cond'),
    recheckCond: r.str('Recheck Cond'),
    hashCond: r.str('Hash Cond'),
    joinFilter: r.str('Join Filter'),
    mergeCond: r.str('Merge Cond'),
    oneTimeFilter: r.str('One-Time Filter'),
    tidCond: r.str('TID Cond'),
    sortKey: r.list('Sort Key'),
    groupKey: r.list('Group Key'),
    output: r.list('Output'),
    sortMethod: r.str('Sort Method'),
    sortSpaceUsedKb: r.num('Sort Space Used'),
    sortSpaceType: r.str('Sort Space Type'),
    hashBuckets: r.num('Hash Buckets'),
    originalHashBuckets: r.num('Original Hash Buckets'),
    hashBatches: r.num('Hash Batches'),
    originalHashBatches: r.num('Original Hash Batches'),
    peakMemoryUsageKb: r.num('Peak Memory Usage'),
    hashAggBatches: r.num('HashAgg Batches'),
    diskUsageKb: r.num('Disk Usage'),
    heapBlocksExact: r.num('Exact Heap Blocks'),
    heapBlocksLossy: r.num('Lossy Heap Blocks'),
    heapFetches: r.num('Heap Fetches'),
    indexSearches: r.num('Index Searches'),
    workersPlanned: r.num('Workers Planned'),
    workersLaunched: r.num('Workers Launched'),
    disabled: raw.Disabled === true ? true : undefined,
  };
  for (const key of Object.keys(optional) as (keyof PlanNode)[]) {
    const v = optional[key];
    if (v !== undefined) (node as unknown as Record<string, unknown>)[key] = v;
  }
  let io: PlanIoTimes | undefined;
  for (const [field, key] of IO_FIELDS) {
    const v = r.num(key);
    if (v !== undefined) (io ??= {})[field] = v;
  }
  if (io) node.ioTimes = io;
  const walRecords = r.num('WAL Records');
  if (walRecords !== undefined) node.wal = { records: walRecords, fpi: r.num('WAL FPI') ?? 0, bytes: r.num('WAL Bytes') ?? 0 };
  if (node.nodeType === 'Incremental Sort' && node.sortMethod === undefined) sortFromGroups(node, raw);
  if (analyzed) {
    if (node.filter !== undefined) node.rowsRemovedByFilter ??= 0;
    if (node.joinFilter !== undefined) node.rowsRemovedByJoinFilter ??= 0;
    const recheckable = node.recheckCond !== undefined || ((node.nodeType === 'Index Scan' || node.nodeType === 'Index Only Scan') && node.indexCond !== undefined);
    if (recheckable) node.rowsRemovedByIndexRecheck ??= 0;
    if (node.nodeType === 'Bitmap Heap Scan') {
      node.heapBlocksExact ??= 0;
      node.heapBlocksLossy ??= 0;
    }
  }
  return node;
}

/** Builds the tree; every node must have a "Node Type" (the error names the path to the bad one). */
export function buildTree(plan: Raw): PlanNode[] {
  const nodes: PlanNode[] = [];
  type Item = { raw: unknown; parentId: number | null; depth: number; path: () => string };
  const stack: Item[] = [{ raw: plan, parentId: null, depth: 0, path: () => 'Plan' }];
  while (stack.length > 0) {
    const item = stack.pop() as Item;
    const raw = item.raw;
    if (!isObject(raw) || typeof raw['Node Type'] !== 'string') {
      throw new PglensError('bad-input', `the plan node at ${item.path()} has no "Node Type"`, 'export the plan again with EXPLAIN (FORMAT JSON); it looks truncated or edited');
    }
    const id = nodes.length + 1;
    const where = () => `node ${id} (${String(raw['Node Type'])}) at ${item.path()}`;
    const node = makeNode(raw, id, item.parentId, item.depth, where);
    nodes.push(node);
    if (item.parentId !== null) nodes[item.parentId - 1].children.push(node);
    const children = raw.Plans;
    if (children === undefined) continue;
    if (!Array.isArray(children)) {
      throw new PglensError('bad-input', `${where()}: "Plans" is not an array`, 'export the plan again with EXPLAIN (FORMAT JSON)');
    }
    for (let i = children.length - 1; i >= 0; i--) {
      const parentPath = item.path;
      stack.push({ raw: children[i], parentId: id, depth: item.depth + 1, path: () => `${parentPath()} → Plans[${i}]` });
    }
  }
  if (nodes.some((n) => n.buffers !== undefined)) for (const n of nodes) n.buffers ??= emptyBuffers();
  return nodes;
}

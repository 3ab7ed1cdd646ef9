/**
 * Plan findings (docs/rules/README.md "plan", one page each in docs/rules/): each names the node, the numbers behind it
 * (evidence) and the fix — SQL where the plan tells enough to write it.
 */
import { qualifiedName, quoteIdent } from '../sql/quote-ident';
import { SEVERITY_RANK, type Severity } from '../types';
import { filterIndex } from '../advise/filter-index';
import { conditionColumns, indexKey, predicateColumns } from './condition-columns';
import { formatCount, formatKb, formatMs, formatPct, nodeTitle, round1, roundPct, stoppedEarly, workMemFor } from './format';
import type { PlanFinding, PlanNode, PlanRuleId, PlanSummary, PlanThresholds } from './types';

export const PLAN_RULE_DEFAULT_SEVERITY: Record<PlanRuleId, Severity> = {
  'seq-scan-filter': 'warning',
  'index-filter': 'warning',
  misestimate: 'warning',
  'sort-spill': 'warning',
  'hash-batches': 'warning',
  'lossy-bitmap': 'warning',
  'heap-fetches': 'warning',
  'nested-loop-seq-scan': 'warning',
  'jit-overhead': 'warning',
  'workers-not-launched': 'info',
  'io-bound': 'info',
  'hash-join-seq-scan': 'warning',
  'no-partition-pruning': 'warning',
};

export interface PlanFindingOptions {
  thresholds: PlanThresholds;
  severities?: Partial<Record<PlanRuleId, Severity | 'off'>>;
}

type Draft = Omit<PlanFinding, 'severity'>;

function tableName(node: PlanNode): string | undefined {
  if (!node.relation) return undefined;
  return node.schema ? qualifiedName(node.schema, node.relation) : quoteIdent(node.relation);
}

function createIndex(node: PlanNode, columns: string[]): string | undefined {
  const table = tableName(node);
  if (!table || columns.length === 0) return undefined;
  return `CREATE INDEX CONCURRENTLY ON ${table} (${columns.join(', ')});`;
}

function ownNames(node: PlanNode): (string | undefined)[] {
  return [node.alias, node.relation];
}

function seqScanFilter(node: PlanNode, t: PlanThresholds): Draft | undefined {
  if (node.nodeType !== 'Seq Scan' || !node.filter || node.rowsRemovedByFilter === undefined || !node.loops) return undefined;
  const removed = node.rowsRemovedByFilter * node.loops;
  const returned = node.totalRows ?? 0;
  const read = removed + returned;
  const pct = read > 0 ? (removed / read) * 100 : 0;
  if (read < t.seqScanFilterMinRows || pct < t.seqScanFilterMinRemovedPct) return undefined;
  const evidence = { relation: node.relation ?? '', rowsRead: read, rowsRemoved: removed, rowsReturned: returned, removedPct: roundPct(pct), filter: node.filter };
  const head = `${nodeTitle(node)} reads ${formatCount(read)} rows and its filter discards ${formatPct(pct)} of them (keeps ${formatCount(returned)})`;
  // A leading-wildcard LIKE, a regular expression or a function of a column: a plain B-tree
  // cannot serve it, so the fix names the index that can (the advisor verifies it).
  const special = filterIndex(node.filter, ownNames(node));
  const table = tableName(node);
  if (special && table) {
    const what = { trigram: 'a trigram (pg_trgm GIN) index', pattern: 'a text_pattern_ops B-tree', expression: 'an index on that expression' }[special.kind];
    const create = `${special.extension ? `CREATE EXTENSION IF NOT EXISTS ${special.extension}; ` : ''}CREATE INDEX CONCURRENTLY ON ${table}${special.using} (${special.key});`;
    return {
      ruleId: 'seq-scan-filter',
      message: `${head}: a plain B-tree cannot serve ${special.predicate}; ${what} would read only the rows it needs (verify it with Suggest Indexes / pglens advise)`,
      nodeId: node.id,
      evidence: { ...evidence, indexType: special.kind },
      fix: create,
    };
  }
  const key = indexKey(conditionColumns(node.filter, ownNames(node)));
  const ddl = createIndex(node, key);
  return {
    ruleId: 'seq-scan-filter',
    message: `${head}: an index${key.length ? ` on (${key.join(', ')})` : ''} would read only the rows it needs`,
    nodeId: node.id,
    evidence,
    fix: ddl ?? `create an index on the columns the filter tests: ${node.filter}`,
  };
}

function indexFilter(node: PlanNode, t: PlanThresholds): Draft | undefined {
  if ((node.nodeType !== 'Index Scan' && node.nodeType !== 'Index Only Scan') || !node.filter) return undefined;
  if (node.rowsRemovedByFilter === undefined || !node.loops) return undefined;
  const removed = node.rowsRemovedByFilter * node.loops;
  const returned = node.totalRows ?? 0;
  const fetched = removed + returned;
  const pct = fetched > 0 ? (removed / fetched) * 100 : 0;
  if (fetched < t.indexFilterMinRows || pct < t.indexFilterMinRemovedPct) return undefined;
  const names = ownNames(node);
  const filterCols = conditionColumns(node.filter, names);
  const key = indexKey(conditionColumns(node.indexCond, names), filterCols);
  const missing = [...filterCols.equality, ...filterCols.range];
  const ddl = createIndex(node, key);
  return {
    ruleId: 'index-filter',
    message: `${nodeTitle(node)} fetches ${formatCount(fetched)} rows through the index and its filter discards ${formatPct(pct)} of them: the index misses ${missing.length ? `the column(s) ${missing.join(', ')}` : 'the filter\'s columns'}`,
    nodeId: node.id,
    evidence: { index: node.indexName ?? '', relation: node.relation ?? '', rowsFetched: fetched, rowsRemoved: removed, rowsReturned: returned, removedPct: roundPct(pct), filter: node.filter },
    fix: ddl ?? `extend the index ${node.indexName ?? ''} with the columns of the filter: ${node.filter}`,
  };
}

/** Relations read below `node` (for ANALYZE advice on joins). */
function relationsBelow(node: PlanNode, limit = 4): string[] {
  const out: string[] = [];
  const stack = [node];
  while (stack.length > 0 && out.length < limit) {
    const n = stack.pop() as PlanNode;
    const name = tableName(n);
    if (name && !out.includes(name)) out.push(name);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

/**
 * Extended statistics for a scan whose conditions test several of its table's columns together:
 * the planner multiplies their selectivities as if the columns were independent.
 */
export interface StatisticsProposal {
  /** The table as SQL (schema-qualified when the plan names the schema). */
  table: string;
  columns: string[];
  /** The statistics object's name as SQL. */
  name: string;
  /** The kinds proposed: `dependencies` when every condition is = or IN, else `dependencies, mcv`. */
  kinds: StatisticsKind[];
  /** `CREATE STATISTICS … (kinds) ON a, b FROM t;` */
  createStatistics: string;
  /** `ANALYZE t;` */
  analyze: string;
}

export type StatisticsKind = 'dependencies' | 'mcv';

/** The CREATE STATISTICS of a proposal with other kinds (the sandbox tries several). */
export function createStatisticsSql(p: Pick<StatisticsProposal, 'name' | 'columns' | 'table'>, kinds: StatisticsKind[]): string {
  return `CREATE STATISTICS ${p.name} (${kinds.join(', ')}) ON ${p.columns.join(', ')} FROM ${p.table};`;
}

export function statisticsProposal(node: PlanNode): StatisticsProposal | undefined {
  const table = tableName(node);
  if (!table || !node.relation) return undefined;
  const names = ownNames(node);
  const conditions = [node.indexCond, node.recheckCond, node.filter];
  const columns: string[] = [];
  for (const cond of conditions) {
    for (const c of predicateColumns(cond, names)) if (!columns.includes(c)) columns.push(c);
  }
  if (columns.length < 2) return undefined;
  const equality = new Set(conditions.flatMap((c) => conditionColumns(c, names).equality));
  // Functional dependencies serve = and IN, and do so for any spread of values; an MCV list only
  // for the combinations common enough to be in it, but for other conditions too. With both, the
  // MCV list answers first, and an evenly spread combination then gets the independent estimate.
  const kinds: StatisticsKind[] = columns.every((c) => equality.has(c)) ? ['dependencies'] : ['dependencies', 'mcv'];
  const base = quoteIdent(`${node.relation}_${columns.map((c) => c.replace(/"/g, '')).join('_')}_stats`.slice(0, 63));
  const name = node.schema ? `${quoteIdent(node.schema)}.${base}` : base;
  return { table, columns, name, kinds, createStatistics: createStatisticsSql({ name, columns, table }, kinds), analyze: `ANALYZE ${table};` };
}

function misestimate(node: PlanNode, t: PlanThresholds): Draft | undefined {
  if (node.estimateFactor === undefined || node.estimateDirection === undefined) return undefined;
  const actual = node.totalRows ?? 0;
  // 0 rows returned against 14,061 estimated is as wrong as the other way round: the larger side counts.
  const estimated = node.planRows * Math.max(node.loops ?? 1, 1);
  if (node.estimateFactor < t.misestimateMinFactor || Math.max(actual, estimated) < t.misestimateMinRows) return undefined;
  const factor = node.estimateFactor;
  const table = tableName(node);
  const stats = statisticsProposal(node);
  let fix: string;
  let cause = '';
  if (stats) {
    cause = `; its conditions test ${stats.columns.length} columns of ${table} together (${stats.columns.join(', ')}) and the planner multiplies their selectivities as if they were independent: the columns are correlated`;
    fix = `${stats.createStatistics} ${stats.analyze}`;
  } else if (table) {
    fix = `ANALYZE ${table};`;
  } else {
    const tables = relationsBelow(node);
    fix = tables.length
      ? `ANALYZE ${tables.join(', ')}; if the estimate stays off, the join or filter columns are correlated: CREATE STATISTICS on them`
      : 'ANALYZE the tables below this node so the planner sees current row counts';
  }
  return {
    ruleId: 'misestimate',
    message: `${nodeTitle(node)} was estimated at ${formatCount(node.planRows)} rows per loop but returned ${formatCount(node.actualRows ?? 0)} (${factor >= 100 ? formatCount(factor) : factor.toFixed(1)}× ${node.estimateDirection === 'under' ? 'more' : 'fewer'}): plans above it were chosen for the wrong row count${cause}`,
    nodeId: node.id,
    evidence: {
      planRows: node.planRows,
      actualRows: node.actualRows ?? 0,
      loops: node.loops ?? 0,
      factor: round1(factor),
      direction: node.estimateDirection,
      ...(stats ? { cause: 'correlated columns', columns: stats.columns.join(', ') } : {}),
    },
    fix,
  };
}

function sortSpill(node: PlanNode): Draft | undefined {
  const external = node.sortMethod !== undefined && node.sortMethod.includes('external');
  if (!external && node.sortSpaceType !== 'Disk') return undefined;
  const diskKb = node.sortSpaceType === 'Disk' ? (node.sortSpaceUsedKb ?? 0) : 0;
  const keys = node.sortKey?.join(', ');
  return {
    ruleId: 'sort-spill',
    message: `${nodeTitle(node)} spilled to disk (${node.sortMethod ?? 'external'}${diskKb ? `, ${formatKb(diskKb)}` : ''}): work_mem is too small for this sort`,
    nodeId: node.id,
    evidence: { sortMethod: node.sortMethod ?? '', diskKb, ...(keys ? { sortKey: keys } : {}) },
    fix: `SET work_mem = '${workMemFor(diskKb * 2)}'; (per session or transaction), or let an index on (${keys ?? 'the sort key'}) deliver the rows already sorted`,
  };
}

/** A HashAggregate (PG 13+) that outgrew its memory writes partitions to disk: the same work_mem problem as a Hash in batches. */
function hashAggSpill(node: PlanNode): Draft | undefined {
  if (node.hashAggBatches === undefined || node.hashAggBatches <= 1) return undefined;
  const diskKb = node.diskUsageKb ?? 0;
  const peak = node.peakMemoryUsageKb ?? 0;
  return {
    ruleId: 'hash-batches',
    message: `${nodeTitle(node)} spilled to disk in ${node.hashAggBatches} batches (${formatKb(diskKb)} written, ${formatKb(peak)} in memory): the hash table of its groups did not fit in work_mem`,
    nodeId: node.id,
    evidence: { batches: node.hashAggBatches, diskKb, peakMemoryKb: peak, ...(node.buffers ? { tempWrittenBlocks: node.buffers.tempWritten } : {}) },
    fix: `SET work_mem = '${workMemFor((peak + diskKb) * 2)}'; (per session or transaction; hash tables may use work_mem × hash_mem_multiplier), or group fewer rows or narrower columns`,
  };
}

function hashBatches(node: PlanNode): Draft | undefined {
  if (node.hashAggBatches !== undefined) return hashAggSpill(node);
  if (node.nodeType !== 'Hash' || node.hashBatches === undefined || node.hashBatches <= 1) return undefined;
  const peak = node.peakMemoryUsageKb ?? 0;
  const needKb = peak * node.hashBatches;
  return {
    ruleId: 'hash-batches',
    message: `${nodeTitle(node)} split into ${node.hashBatches} batches${node.originalHashBatches !== undefined && node.originalHashBatches !== node.hashBatches ? ` (planned ${node.originalHashBatches})` : ''}: the hash table did not fit in work_mem and went to disk`,
    nodeId: node.id,
    evidence: { batches: node.hashBatches, originalBatches: node.originalHashBatches ?? node.hashBatches, peakMemoryKb: peak, ...(node.buffers ? { tempWrittenBlocks: node.buffers.tempWritten } : {}) },
    fix: `SET work_mem = '${workMemFor(needKb)}'; (per session or transaction; hash tables may use work_mem × hash_mem_multiplier), or reduce the rows or columns hashed`,
  };
}

function lossyBitmap(node: PlanNode): Draft | undefined {
  if (node.nodeType !== 'Bitmap Heap Scan' || !node.heapBlocksLossy) return undefined;
  const pages = (node.heapBlocksExact ?? 0) + node.heapBlocksLossy;
  return {
    ruleId: 'lossy-bitmap',
    message: `${nodeTitle(node)} went lossy on ${formatCount(node.heapBlocksLossy)} of ${formatCount(pages)} heap blocks: the bitmap outgrew work_mem, so every row of those pages is rechecked${node.rowsRemovedByIndexRecheck ? ` (${formatCount(node.rowsRemovedByIndexRecheck)} rows removed by recheck)` : ''}`,
    nodeId: node.id,
    evidence: { exactBlocks: node.heapBlocksExact ?? 0, lossyBlocks: node.heapBlocksLossy, rowsRemovedByRecheck: node.rowsRemovedByIndexRecheck ?? 0 },
    fix: `SET work_mem = '${workMemFor((pages * 64) / 1024)}'; (per session or transaction) so the bitmap stays exact`,
  };
}

function heapFetches(node: PlanNode, t: PlanThresholds): Draft | undefined {
  if (node.nodeType !== 'Index Only Scan' || node.heapFetches === undefined || !node.totalRows) return undefined;
  const pct = (node.heapFetches / node.totalRows) * 100;
  if (pct < t.heapFetchesMinPct) return undefined;
  const table = tableName(node);
  return {
    ruleId: 'heap-fetches',
    message: `${nodeTitle(node)} had to visit the table for ${formatCount(node.heapFetches)} of its ${formatCount(node.totalRows)} rows (${formatPct(pct)}): the visibility map is stale, so the index-only scan is not index-only`,
    nodeId: node.id,
    evidence: { heapFetches: node.heapFetches, rows: node.totalRows, fetchPct: roundPct(pct) },
    fix: table ? `VACUUM (ANALYZE) ${table};` : 'VACUUM the table so its visibility map is current',
  };
}

function nestedLoopSeqScan(node: PlanNode, parent: PlanNode | undefined, t: PlanThresholds): Draft | undefined {
  if (node.nodeType !== 'Seq Scan' || !parent || parent.nodeType !== 'Nested Loop' || node.parentRelationship !== 'Inner') return undefined;
  if (!node.loops || node.loops <= t.nestedLoopSeqScanMinLoops) return undefined;
  const names = ownNames(node);
  const key = indexKey(conditionColumns(node.filter, names), conditionColumns(parent.joinFilter, names));
  const perLoop = (node.actualRows ?? 0) + (node.rowsRemovedByFilter ?? 0);
  const ddl = createIndex(node, key);
  return {
    ruleId: 'nested-loop-seq-scan',
    message: `${nodeTitle(node)} is the inner side of a Nested Loop and ran ${formatCount(node.loops)} times, reading the whole table each time (${formatCount(perLoop * node.loops)} rows in all): a join index is missing`,
    nodeId: node.id,
    evidence: { loops: node.loops, rowsReadPerLoop: perLoop, rowsRead: perLoop * node.loops, relation: node.relation ?? '', ...(parent.joinFilter ? { joinFilter: parent.joinFilter } : {}) },
    fix: ddl ?? `create an index on ${node.relation ?? 'the inner table'}'s join column(s)`,
  };
}

/**
 * A node that owns a large share of the time and found most of its pages outside shared_buffers:
 * its time went to reading (from the OS cache or the disk), not to computing. Only with per-node
 * times (ANALYZE, TIMING on) and BUFFERS.
 */
function ioBound(node: PlanNode, summary: PlanSummary, t: PlanThresholds): Draft | undefined {
  const b = node.exclusiveBuffers;
  if (!b || summary.timed === false || !(node.exclusiveTimeMs > 0) || node.sharePct < t.ioBoundMinSharePct) return undefined;
  const pages = b.sharedHit + b.sharedRead;
  const readPct = pages > 0 ? (b.sharedRead / pages) * 100 : 0;
  if (b.sharedRead < t.ioBoundMinReadBlocks || readPct < t.ioBoundMinReadPct) return undefined;
  // I/O timings are inclusive; a leaf's are its own, and the nodes that read are mostly leaves.
  const ioMs = node.children.length === 0 ? node.ioTimes?.sharedReadMs : undefined;
  const table = tableName(node);
  const key = node.nodeType === 'Seq Scan' ? indexKey(conditionColumns(node.filter, ownNames(node))) : [];
  const ddl = createIndex(node, key);
  const fewerPages = ddl
    ? `read fewer pages with an index on the filtered columns (${ddl.replace(/;$/, '')})`
    : 'read fewer pages (an index that serves the node\'s condition, or a narrower covering index)';
  return {
    ruleId: 'io-bound',
    message:
      `${nodeTitle(node)} took ${formatPct(node.sharePct)} of the time (${formatMs(node.exclusiveTimeMs)}) and read ${formatCount(b.sharedRead)} of its ${formatCount(pages)} pages ` +
      `(${formatPct(readPct)}, ${formatKb(b.sharedRead * 8)}) from outside shared_buffers${ioMs !== undefined ? `, waiting ${formatMs(ioMs)} for them` : ''}: it is I/O bound, or the cache was cold`,
    nodeId: node.id,
    evidence: {
      sharedRead: b.sharedRead,
      sharedHit: b.sharedHit,
      readPct: roundPct(readPct),
      sharePct: roundPct(node.sharePct),
      timeMs: round1(node.exclusiveTimeMs),
      ...(ioMs !== undefined ? { ioReadMs: round1(ioMs) } : {}),
    },
    fix:
      `Run it again: if it is fast now, the first run met a cold cache (after a restart, a failover or a bulk load${table ? `; SELECT pg_prewarm('${table.replace(/'/g, "''")}'), from the pg_prewarm extension, loads the table ahead` : ''}). ` +
      `If it stays slow, ${fewerPages}, or give the cache more memory (shared_buffers, commonly 25% of RAM; it needs a restart)`,
  };
}

/** Nodes that pass one input's rows on (grouped, sorted, kept) without a condition of their own. */
const PASS_THROUGH = new Set(['Hash', 'Aggregate', 'Unique', 'Sort', 'Incremental Sort', 'Materialize', 'Memoize', 'Gather', 'Gather Merge']);

/**
 * The Seq Scan feeding one side of a join through pass-through nodes (the Hash, the HashAggregate
 * that makes a semi join's inner side unique): the full read an index on the join key would replace.
 */
function fullScanBelow(node: PlanNode | undefined): PlanNode | undefined {
  let scan = node;
  while (scan && PASS_THROUGH.has(scan.nodeType) && scan.children.length === 1 && !scan.filter) scan = scan.children[0];
  return scan && scan.nodeType === 'Seq Scan' && scan.relation && !scan.neverExecuted ? scan : undefined;
}

/**
 * A Hash Join that reads one side in full (a Seq Scan of ≥ 100,000 rows, hashed or probed) to
 * match a handful of rows of the other: with an index on the big side's join key, a Nested Loop
 * would look up only the rows that match. The big side must be one a Nested Loop can put inside
 * (any side of an inner join; the inner side of a left, semi or anti join; the outer of a right one).
 */
function hashJoinSeqScan(node: PlanNode, t: PlanThresholds): Draft | undefined {
  if (node.nodeType !== 'Hash Join' || !node.hashCond || node.joinType === 'Full') return undefined;
  const outer = node.children.find((c) => c.parentRelationship === 'Outer');
  const hash = node.children.find((c) => c.parentRelationship === 'Inner' && c.nodeType === 'Hash');
  if (!outer || !hash || hash.neverExecuted) return undefined;
  const join = node.joinType ?? 'Inner';
  const sides: { big: PlanNode; small: PlanNode; hashed: boolean }[] = [];
  const inner = fullScanBelow(hash);
  const probe = fullScanBelow(outer);
  if (inner && !join.startsWith('Right')) sides.push({ big: inner, small: outer, hashed: true });
  if (probe && (join === 'Inner' || join.startsWith('Right'))) sides.push({ big: probe, small: hash, hashed: false });
  for (const { big, small, hashed } of sides) {
    const bigRows = big.totalRows ?? 0;
    const smallRows = small.totalRows ?? 0;
    if (bigRows < t.hashJoinSeqScanMinRows || bigRows < Math.max(smallRows, 1) * t.hashJoinSeqScanMinRatio) continue;
    const key = conditionColumns(node.hashCond, ownNames(big)).equality;
    const ddl = createIndex(big, key);
    const read = bigRows + (big.rowsRemovedByFilter ?? 0) * (big.loops ?? 1);
    const name = `${big.relation}${big.alias && big.alias !== big.relation ? ` ${big.alias}` : ''}`;
    const hashedRows = hash.totalRows ?? 0;
    const how = hashed
      ? `and hashes ${formatCount(hashedRows)} row${hashedRows === 1 ? '' : 's'}${hash.peakMemoryUsageKb ? ` (${formatKb(hash.peakMemoryUsageKb)})` : ''} from it`
      : 'and probes the hash with each';
    return {
      ruleId: 'hash-join-seq-scan',
      message:
        `${nodeTitle(node)} reads all of ${name} (${formatCount(read)} rows) ${how} to match ${formatCount(smallRows)} row${smallRows === 1 ? '' : 's'} of the other side: ` +
        `with an index on the join key of ${big.relation}${key.length ? ` (${key.join(', ')})` : ''}, a Nested Loop would look up only the matching rows`,
      nodeId: node.id,
      evidence: {
        relation: big.relation ?? '',
        bigSideRows: bigRows,
        otherSideRows: smallRows,
        ratio: round1(bigRows / Math.max(smallRows, 1)),
        side: hashed ? 'hashed' : 'probed',
        hashCond: node.hashCond,
      },
      fix: ddl
        ? `${ddl} If the index exists already, the planner judged the lookups dearer than the scan: check the other side's estimate (misestimate) and random_page_cost`
        : `create an index on the column(s) of ${big.relation} in the join condition ${node.hashCond}`,
    };
  }
  return undefined;
}

/**
 * no-partition-pruning: an Append (or Merge Append) over partitions of one table, none pruned and
 * no condition on any of them. Postgres names the partitions of a table the query reads once
 * `<alias>_1`, `<alias>_2`, … (PG 12+): members with that alias pattern and different relations
 * are one table's partitions (a UNION ALL of one table twice reads the same relation). Plan-time
 * pruning leaves no trace in a plan, so a plan whose partitions all carry a filter cannot tell a
 * filter on another column from one that pruned: only when no condition reached the partitions
 * is it certain that every partition is read (the statement rule
 * partitioned-table-without-partition-key-filter, which knows the key, covers the rest).
 */
function noPartitionPruning(node: PlanNode, t: PlanThresholds, aliases: () => Set<string>): Draft | undefined {
  if (node.nodeType !== 'Append' && node.nodeType !== 'Merge Append') return undefined;
  const removed = Number(node.raw['Subplans Removed'] ?? 0);
  if (removed > 0) return undefined;
  const scans: PlanNode[] = [];
  for (const member of node.children) {
    if (member.parentRelationship !== 'Member' || member.neverExecuted) return undefined;
    const scan = scanBelow(member);
    if (!scan) return undefined;
    scans.push(scan);
  }
  if (scans.length < Math.max(t.noPartitionPruningMinPartitions, 2)) return undefined;
  const bases = new Set(scans.map((s) => /^(.+)_\d+$/.exec(s.alias ?? '')?.[1]));
  const base = [...bases][0];
  if (bases.size !== 1 || base === undefined) return undefined;
  if (new Set(scans.map((s) => `${s.schema ?? ''}.${s.relation}`)).size !== scans.length || scans.every((s) => s.alias === s.relation)) return undefined;
  // Legacy inheritance (INHERITS) reads the parent too, which holds rows of its own: not partitions.
  if (scans.some((s) => s.relation === base)) return undefined;
  // The bare alias names another node (a table, a subquery, a CTE): the suffixed ones are a UNION ALL
  // of other tables aliased alike (`FROM users t, (SELECT … FROM a t UNION ALL SELECT … FROM b t) u`).
  // A partitioned parent is never scanned itself, only changed (Update on events).
  if (aliases().has(base)) return undefined;
  if (scans.some((s) => s.filter || s.indexCond || s.recheckCond || s.children.some((c) => c.indexCond))) return undefined;
  const rows = scans.reduce((sum, s) => sum + (s.totalRows ?? 0) + (s.rowsRemovedByFilter ?? 0) * (s.loops ?? 1), 0);
  if (rows < t.noPartitionPruningMinRows) return undefined;
  return {
    ruleId: 'no-partition-pruning',
    message:
      `${nodeTitle(node)} reads all ${scans.length} partitions of ${base} (${formatCount(rows)} rows) with no condition on any of them: ` +
      'nothing in the query restricts the partition key, so Postgres cannot prune and every partition is read in full',
    nodeId: node.id,
    evidence: { table: base, partitions: scans.length, rowsRead: rows, subplansRemoved: removed },
    fix: `add a condition on the partition key of ${base} (=, <, >, BETWEEN, IN on the key column, or the key expression as PARTITION BY writes it) so only the partitions that can hold the rows are read`,
  };
}

/** The scan a member of an Append reads through (a Sort, a partial Aggregate, a Materialize over it). */
function scanBelow(member: PlanNode): PlanNode | undefined {
  let n: PlanNode | undefined = member;
  while (n && !n.relation) n = n.children.length === 1 ? n.children[0] : undefined;
  return n;
}

function workersNotLaunched(node: PlanNode): Draft | undefined {
  if (node.workersPlanned === undefined || node.workersLaunched === undefined || node.workersLaunched >= node.workersPlanned) return undefined;
  return {
    ruleId: 'workers-not-launched',
    message: `${nodeTitle(node)} planned ${node.workersPlanned} parallel workers but launched ${node.workersLaunched}: the worker pool was exhausted, so the query ran with less parallelism than planned`,
    nodeId: node.id,
    evidence: { workersPlanned: node.workersPlanned, workersLaunched: node.workersLaunched },
    fix: 'raise max_parallel_workers (and max_worker_processes, which needs a restart), or run fewer parallel queries at once',
  };
}

function jitOverhead(summary: PlanSummary, root: PlanNode, t: PlanThresholds): Draft | undefined {
  const jitMs = summary.jit?.totalMs;
  const exec = summary.executionTimeMs;
  if (jitMs === undefined || !exec) return undefined;
  const pct = (jitMs / exec) * 100;
  if (pct < t.jitOverheadMinPct) return undefined;
  return {
    ruleId: 'jit-overhead',
    message: `JIT compilation took ${formatMs(jitMs)} of the ${formatMs(exec)} execution (${formatPct(pct)}): compiling costs more than it saves for this query`,
    nodeId: root.id,
    evidence: { jitMs: round1(jitMs), executionTimeMs: round1(exec), jitPct: roundPct(pct), functions: summary.jit?.functions ?? 0, planCost: round1(root.totalCost) },
    fix: `SET jit = off; or raise jit_above_cost above this plan's cost (${formatCount(root.totalCost)}), e.g. SET jit_above_cost = ${formatCount(Math.max(100000, root.totalCost * 10)).replace(/,/g, '')};`,
  };
}

export function planFindings(nodes: PlanNode[], summary: PlanSummary, options: PlanFindingOptions): PlanFinding[] {
  const t = options.thresholds;
  const drafts: Draft[] = [];
  const misestimated = new Map<number, 'under' | 'over'>();
  let aliasSet: Set<string> | undefined;
  const aliases = (): Set<string> =>
    (aliasSet ??= new Set(nodes.filter((n) => n.alias !== undefined && n.nodeType !== 'ModifyTable').map((n) => n.alias!)));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!node.analyzed || node.neverExecuted) continue;
    const parent = node.parentId === null ? undefined : nodes[node.parentId - 1];
    // One call and test per rule, without an array per node: on a large clean plan nothing fires.
    let d = seqScanFilter(node, t);
    if (d) drafts.push(d);
    if ((d = indexFilter(node, t))) drafts.push(d);
    if ((d = sortSpill(node))) drafts.push(d);
    if ((d = hashBatches(node))) drafts.push(d);
    if ((d = lossyBitmap(node))) drafts.push(d);
    if ((d = heapFetches(node, t))) drafts.push(d);
    if ((d = nestedLoopSeqScan(node, parent, t))) drafts.push(d);
    if ((d = workersNotLaunched(node))) drafts.push(d);
    if ((d = ioBound(node, summary, t))) drafts.push(d);
    if ((d = hashJoinSeqScan(node, t))) drafts.push(d);
    if ((d = noPartitionPruning(node, t, aliases))) drafts.push(d);
    const m = misestimate(node, t);
    if (m && !stoppedEarly(node)) {
      // Report where a misestimate starts, not every node it propagates to.
      const inherited = node.children.some((c) => misestimated.get(c.id) === node.estimateDirection);
      misestimated.set(node.id, node.estimateDirection as 'under' | 'over');
      if (!inherited) drafts.push(m);
    }
  }
  const jit = nodes.length > 0 ? jitOverhead(summary, nodes[0], t) : undefined;
  if (jit) drafts.push(jit);

  const findings: PlanFinding[] = [];
  for (const d of drafts) {
    const setting = options.severities?.[d.ruleId] ?? PLAN_RULE_DEFAULT_SEVERITY[d.ruleId];
    if (setting === 'off') continue;
    findings.push({ ruleId: d.ruleId, severity: setting, message: d.message, nodeId: d.nodeId, evidence: d.evidence, fix: d.fix });
  }
  findings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || nodes[b.nodeId - 1].sharePct - nodes[a.nodeId - 1].sharePct || a.nodeId - b.nodeId);
  return findings;
}

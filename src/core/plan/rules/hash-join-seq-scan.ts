import { conditionColumns } from '../condition-columns';
import { formatCount, formatKb, nodeTitle, round1 } from '../format';
import type { PlanRule } from '../plan-rule';
import type { PlanNode } from '../types';
import { createIndex, ownNames } from './support/relation';

/**
 * A Hash Join that reads one side in full (a Seq Scan of ≥ 100,000 rows, hashed or probed) to
 * match a handful of rows of the other: with an index on the big side's join key, a Nested Loop
 * would look up only the rows that match. The big side must be one a Nested Loop can put inside
 * (any side of an inner join; the inner side of a left, semi or anti join; the outer of a right one).
 */
export const rule: PlanRule = {
  id: 'hash-join-seq-scan',
  defaultSeverity: 'warning',
  detect(node, { thresholds: t }) {
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
  },
};

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

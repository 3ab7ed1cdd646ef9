import { formatCount, nodeTitle } from '../format';
import type { PlanRule } from '../plan-rule';
import type { PlanNode } from '../types';

/**
 * An Append (or Merge Append) over partitions of one table, none pruned and no condition on any
 * of them. Postgres names the partitions of a table the query reads once `<alias>_1`, `<alias>_2`,
 * … (PG 12+): members with that alias pattern and different relations are one table's partitions
 * (a UNION ALL of one table twice reads the same relation). Plan-time pruning leaves no trace in a
 * plan, so a plan whose partitions all carry a filter cannot tell a filter on another column from
 * one that pruned: only when no condition reached the partitions is it certain that every
 * partition is read (the statement rule partitioned-table-without-partition-key-filter, which
 * knows the key, covers the rest).
 */
export const rule: PlanRule = {
  id: 'no-partition-pruning',
  defaultSeverity: 'warning',
  detect(node, { thresholds: t, aliases }) {
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
  },
};

/** The scan a member of an Append reads through (a Sort, a partial Aggregate, a Materialize over it). */
function scanBelow(member: PlanNode): PlanNode | undefined {
  let n: PlanNode | undefined = member;
  while (n && !n.relation) n = n.children.length === 1 ? n.children[0] : undefined;
  return n;
}

import { formatKb, nodeTitle, workMemFor } from '../format';
import type { PlanRule } from '../plan-rule';

/** A sort that spilled to disk (an external sort): work_mem is too small for it. */
export const rule: PlanRule = {
  id: 'sort-spill',
  defaultSeverity: 'warning',
  detect(node) {
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
  },
};

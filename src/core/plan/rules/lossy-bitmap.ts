import { formatCount, nodeTitle, workMemFor } from '../format';
import type { PlanRule } from '../plan-rule';

/** A Bitmap Heap Scan whose bitmap went lossy: it outgrew work_mem, and every row of the lossy pages is rechecked. */
export const rule: PlanRule = {
  id: 'lossy-bitmap',
  defaultSeverity: 'warning',
  detect(node) {
    if (node.nodeType !== 'Bitmap Heap Scan' || !node.heapBlocksLossy) return undefined;
    const pages = (node.heapBlocksExact ?? 0) + node.heapBlocksLossy;
    return {
      ruleId: 'lossy-bitmap',
      message: `${nodeTitle(node)} went lossy on ${formatCount(node.heapBlocksLossy)} of ${formatCount(pages)} heap blocks: the bitmap outgrew work_mem, so every row of those pages is rechecked${node.rowsRemovedByIndexRecheck ? ` (${formatCount(node.rowsRemovedByIndexRecheck)} rows removed by recheck)` : ''}`,
      nodeId: node.id,
      evidence: { exactBlocks: node.heapBlocksExact ?? 0, lossyBlocks: node.heapBlocksLossy, rowsRemovedByRecheck: node.rowsRemovedByIndexRecheck ?? 0 },
      fix: `SET work_mem = '${workMemFor((pages * 64) / 1024)}'; (per session or transaction) so the bitmap stays exact`,
    };
  },
};

import { formatKb, nodeTitle, workMemFor } from '../format';
import type { PlanFindingDraft, PlanRule } from '../plan-rule';
import type { PlanNode } from '../types';

/** A Hash split into batches, or a HashAggregate that spilled partitions: the hash table did not fit in work_mem. */
export const rule: PlanRule = {
  id: 'hash-batches',
  defaultSeverity: 'warning',
  detect(node) {
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
  },
};

/** A HashAggregate (PG 13+) that outgrew its memory writes partitions to disk: the same work_mem problem as a Hash in batches. */
function hashAggSpill(node: PlanNode): PlanFindingDraft | undefined {
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

import { conditionColumns, indexKey } from '../condition-columns';
import { formatCount, nodeTitle } from '../format';
import type { PlanRule } from '../plan-rule';
import { createIndex, ownNames } from './support/relation';

/** A Seq Scan on the inner side of a Nested Loop that ran many times: a join index is missing. */
export const rule: PlanRule = {
  id: 'nested-loop-seq-scan',
  defaultSeverity: 'warning',
  detect(node, { parent, thresholds: t }) {
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
  },
};

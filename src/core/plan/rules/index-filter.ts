import { conditionColumns, indexKey } from '../condition-columns';
import { formatCount, formatPct, nodeTitle, roundPct } from '../format';
import type { PlanRule } from '../plan-rule';
import { createIndex, ownNames } from './support/relation';

/** An index scan whose filter discards most of the rows the index fetched: the index misses the filter's columns. */
export const rule: PlanRule = {
  id: 'index-filter',
  defaultSeverity: 'warning',
  detect(node, { thresholds: t }) {
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
  },
};

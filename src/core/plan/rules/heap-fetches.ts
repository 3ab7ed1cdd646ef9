import { formatCount, formatPct, nodeTitle, roundPct } from '../format';
import type { PlanRule } from '../plan-rule';
import { tableName } from './support/relation';

/** An Index Only Scan that visited the table for many of its rows: the visibility map is stale. */
export const rule: PlanRule = {
  id: 'heap-fetches',
  defaultSeverity: 'warning',
  detect(node, { thresholds: t }) {
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
  },
};

import { filterIndex } from '../../advise/filter-index';
import { conditionColumns, indexKey } from '../condition-columns';
import { formatCount, formatPct, nodeTitle, roundPct } from '../format';
import type { PlanRule } from '../plan-rule';
import { createIndex, ownNames, tableName } from './support/relation';

/** A Seq Scan whose filter discards most of the many rows it reads: an index would read only the rows kept. */
export const rule: PlanRule = {
  id: 'seq-scan-filter',
  defaultSeverity: 'warning',
  detect(node, { thresholds: t }) {
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
  },
};

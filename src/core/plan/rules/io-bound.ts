import { conditionColumns, indexKey } from '../condition-columns';
import { formatCount, formatKb, formatMs, formatPct, nodeTitle, round1, roundPct } from '../format';
import type { PlanRule } from '../plan-rule';
import { createIndex, ownNames, tableName } from './support/relation';

/**
 * A node that owns a large share of the time and found most of its pages outside shared_buffers:
 * its time went to reading (from the OS cache or the disk), not to computing. Only with per-node
 * times (ANALYZE, TIMING on) and BUFFERS.
 */
export const rule: PlanRule = {
  id: 'io-bound',
  defaultSeverity: 'info',
  detect(node, { summary, thresholds: t }) {
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
  },
};

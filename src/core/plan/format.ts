/** Number and node formatting shared by findings, the text tree and Markdown. */
import type { PlanNode } from './types';

/** 1234567 → "1,234,567" (locale-independent, for stable output). */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  const s = String(Math.abs(rounded));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return rounded < 0 ? `-${out}` : out;
}

/** Milliseconds with precision that suits the size: "0.012 ms", "4.27 ms", "1,234 ms". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${formatCount(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export function formatPct(pct: number): string {
  if (pct >= 99.95 && pct < 100) return '99.9%';
  return pct >= 10 || pct === 0 ? `${pct.toFixed(0)}%` : `${pct.toFixed(1)}%`;
}

/** kB as "512 kB", "4.3 MB", "1.2 GB". */
export function formatKb(kb: number): string {
  if (kb >= 1024 * 1024) return `${(kb / 1024 / 1024).toFixed(1)} GB`;
  if (kb >= 1024) return `${(kb / 1024).toFixed(1)} MB`;
  return `${formatCount(kb)} kB`;
}

/** Rounds to 1 decimal for evidence numbers. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Fewer rows than estimated where the parent may stop reading early (a Limit, a semi/anti or merge join): expected, not a misestimate. */
export function stoppedEarly(node: PlanNode): boolean {
  return node.estimateDirection === 'over' && node.mayStopEarly === true;
}

/** A share for evidence, as formatPct shows it: under 100% never rounds up to 100. */
export function roundPct(pct: number): number {
  const r = round1(pct);
  return r >= 100 && pct < 100 ? 99.9 : r;
}

/** The node as EXPLAIN names it: "Index Scan using orders_pkey on orders o", "CTE Scan on big b", "Hash Join". */
export function nodeTitle(node: PlanNode): string {
  let title = node.label;
  if (node.indexName && node.nodeType !== 'Bitmap Index Scan') title += ` using ${node.indexName}`;
  if (node.nodeType === 'Bitmap Index Scan' && node.indexName) return `${title} on ${node.indexName}`;
  const target = node.relation ?? node.cteName ?? node.functionName;
  if (target) {
    title += ` on ${node.schema ? `${node.schema}.` : ''}${target}`;
    if (node.alias && node.alias !== target) title += ` ${node.alias}`;
  } else if (node.alias) title += ` on ${node.alias}`;
  return title;
}

/** The smallest power-of-two megabyte setting ≥ `kb` (at least 4MB), for `SET work_mem`. */
export function workMemFor(kb: number): string {
  let mb = 4;
  while (mb * 1024 < kb) mb *= 2;
  return mb >= 1024 ? `${mb / 1024}GB` : `${mb}MB`;
}

/** One row of the plan tree: three fixed-height lines so the tree can be virtualised. */
import type { PlanNode } from '../../src/core/plan/types';
import { stoppedEarly } from '../../src/core/plan/format';
import { clip, clipTitle, TEXT_CHARS } from './clip';
import { el } from './dom';
import { formatCount, formatFactor, formatMs, formatShare } from './format';
import { nodeConditions, nodeTarget } from './tree-model';

export interface RowContext {
  analyzed: boolean;
  hot: boolean;
  /** Owns a large share of the time (the hot path's reason to exist). */
  owner: boolean;
  expanded: boolean;
  selected: boolean;
  /** Number of findings on this node. */
  findings: number;
  indentPx: number;
  setSize: number;
  posInSet: number;
}

export function rowDomId(id: number): string {
  return `node-${id}`;
}

export function renderNodeRow(n: PlanNode, ctx: RowContext): HTMLElement {
  const hasChildren = n.children.length > 0;
  const classes = ['node'];
  if (ctx.hot) classes.push('hot');
  if (ctx.owner) classes.push('owner');
  if (ctx.selected) classes.push('selected');
  if (n.neverExecuted) classes.push('never');
  const row = el('div', {
    class: classes.join(' '),
    id: rowDomId(n.id),
    role: 'treeitem',
    attrs: {
      'aria-level': String(n.depth + 1),
      'aria-setsize': String(ctx.setSize),
      'aria-posinset': String(ctx.posInSet),
      'aria-selected': String(ctx.selected),
      'aria-label': rowLabel(n, ctx.analyzed),
    },
  });
  if (hasChildren) row.setAttribute('aria-expanded', String(ctx.expanded));
  row.dataset.id = String(n.id);
  row.style.paddingLeft = `${ctx.indentPx}px`;

  const bar = el('div', 'share-bar');
  bar.style.width = `${Math.min(100, Math.max(0, n.sharePct))}%`;

  const toggle = el('span', {
    class: hasChildren ? 'toggle' : 'toggle leaf',
    text: hasChildren ? (ctx.expanded ? '▾' : '▸') : '',
  });
  toggle.dataset.toggle = '1';
  const type = n.label || n.nodeType;
  const target = nodeTarget(n);
  const line1 = el('div', 'line line1', [
    toggle,
    el('span', { class: 'node-type', text: clip(type), title: clipTitle(type) }),
    target ? el('span', { class: 'node-target', text: ` ${clip(target)}`, title: clipTitle(target) }) : null,
    n.subplanName ? el('span', { class: 'node-subplan', text: ` (${clip(n.subplanName)})`, title: clipTitle(n.subplanName) }) : null,
    ctx.findings > 0 ? el('span', { class: 'badge finding-badge', text: `⚠ ${ctx.findings}`, title: `${ctx.findings} finding(s)` }) : null,
    el('span', { class: 'share', text: formatShare(n.sharePct / 100) }),
  ]);
  const line2 = el('div', 'line line2 metrics', metricsParts(n, ctx.analyzed).map((p) => el('span', { class: p.cls, text: p.text })));
  const conds = nodeConditions(n);
  const line3 = el('div', { class: 'line line3 conds', text: clip(conds.join(' · ')), title: clip(conds.join('\n'), TEXT_CHARS) });
  row.append(bar, line1, line2, line3);
  return row;
}

interface Part {
  cls: string;
  text: string;
}

export function metricsParts(n: PlanNode, analyzed: boolean): Part[] {
  const parts: Part[] = [];
  if (n.neverExecuted) {
    parts.push({ cls: 'm never', text: 'never executed' });
  } else if (analyzed && n.analyzed) {
    parts.push({ cls: 'm time', text: `${formatMs(n.exclusiveTimeMs)} self` });
    parts.push({ cls: 'm time-incl', text: `${formatMs(n.inclusiveTimeMs)} total` });
    parts.push({ cls: 'm rows', text: `rows ${formatCount(n.actualRows)} / est ${formatCount(n.planRows)}` });
    if ((n.estimateFactor ?? 1) >= 2) {
      parts.push({ cls: (n.estimateFactor ?? 1) >= 10 && !stoppedEarly(n) ? 'm factor bad' : 'm factor', text: formatFactor(n.estimateRatio) });
    }
    if ((n.loops ?? 1) !== 1) parts.push({ cls: 'm loops', text: `loops ${formatCount(n.loops)}` });
  } else {
    parts.push({ cls: 'm cost', text: `cost ${n.startupCost.toFixed(2)}..${n.totalCost.toFixed(2)}` });
    parts.push({ cls: 'm rows', text: `est rows ${formatCount(n.planRows)}` });
  }
  const b = n.buffers;
  if (b) {
    const bits: string[] = [];
    if (b.sharedHit) bits.push(`hit ${formatCount(b.sharedHit)}`);
    if (b.sharedRead) bits.push(`read ${formatCount(b.sharedRead)}`);
    if (b.sharedDirtied) bits.push(`dirtied ${formatCount(b.sharedDirtied)}`);
    if (b.sharedWritten) bits.push(`written ${formatCount(b.sharedWritten)}`);
    if (b.tempRead || b.tempWritten) bits.push(`temp read ${formatCount(b.tempRead)} written ${formatCount(b.tempWritten)}`);
    if (bits.length > 0) parts.push({ cls: b.tempWritten || b.tempRead ? 'm buffers temp' : 'm buffers', text: `buf ${bits.join(' ')}` });
  }
  return parts;
}

function rowLabel(n: PlanNode, analyzed: boolean): string {
  const t = nodeTarget(n);
  const head = clip(t ? `${n.label} ${t}` : n.label);
  if (!analyzed || !n.analyzed) return `${head}, cost ${n.totalCost.toFixed(2)}`;
  return `${head}, ${formatMs(n.exclusiveTimeMs)} self, ${formatShare(n.sharePct / 100)} of total`;
}


/** Before/after: plan totals, findings resolved or new, and the time and cost delta per matched node. */
import type { PlanComparison, PlanNodeDelta } from '../../src/core/plan/types';
import { clip, clippedText, TEXT_CHARS } from './clip';
import { el } from './dom';
import { formatCost, formatDelta, formatMs } from './format';
import type { PlanView } from './protocol';

/** Rows rendered at once; more on request (a 10,000-node comparison stays responsive). */
export const COMPARE_CHUNK = 300;

/** `beforeLabel`: the before-node's heading by id, to show "Seq Scan → Index Scan" for a changed node. */
export function renderComparison(
  previous: PlanView,
  current: PlanView,
  c: PlanComparison,
  beforeLabel: (id: number) => string | undefined = () => undefined,
): HTMLElement {
  const root = el('div', { class: 'compare', id: 'compare' });
  const totals = el('table', 'compare-totals');
  totals.append(
    el('thead', {}, [el('tr', {}, ['', 'before', 'after', 'change'].map((h) => el('th', { text: h })))]),
  );
  const tbody = el('tbody');
  const row = (name: string, b: number | undefined, a: number | undefined, fmt: (n: number) => string) => {
    const d = a !== undefined && b !== undefined ? a - b : 0;
    tbody.append(
      el('tr', {}, [
        el('th', { text: name }),
        el('td', { text: b === undefined ? '–' : fmt(b) }),
        el('td', { text: a === undefined ? '–' : fmt(a) }),
        el('td', { class: d < 0 ? 'better' : d > 0 ? 'worse' : '', text: formatDelta(b, a, fmt) }),
      ]),
    );
  };
  row('Time', c.before.timeMs, c.after.timeMs, formatMs);
  row('Execution', c.before.executionTimeMs, c.after.executionTimeMs, formatMs);
  row('Planning', c.before.planningTimeMs, c.after.planningTimeMs, formatMs);
  row('Cost', c.before.cost, c.after.cost, formatCost);
  row('Nodes', c.before.nodeCount, c.after.nodeCount, String);
  row('Findings', c.before.findingCount, c.after.findingCount, String);
  totals.append(tbody);
  root.append(
    el('p', { class: 'muted', text: `Before: ${clip(previous.title)} (${previous.createdAt}) · After: ${clip(current.title)} (${current.createdAt})` }),
    totals,
  );

  if (c.resolvedFindings.length > 0 || c.newFindings.length > 0) {
    root.append(
      el('div', 'compare-findings', [
        c.resolvedFindings.length > 0
          ? el('div', 'better', [el('h3', { text: 'Resolved findings' }), el('ul', {}, c.resolvedFindings.map((f) => el('li', {}, [clippedText(f)])))])
          : null,
        c.newFindings.length > 0
          ? el('div', 'worse', [el('h3', { text: 'New findings' }), el('ul', {}, c.newFindings.map((f) => el('li', {}, [clippedText(f)])))])
          : null,
      ]),
    );
  }

  const table = el('table', 'compare-nodes');
  table.append(
    el('thead', {}, [
      el('tr', {}, [
        el('th', { text: 'Node' }),
        el('th', { class: 'num', text: 'before' }),
        el('th', { class: 'num', text: 'after' }),
        el('th', { class: 'num', text: 'Δ time' }),
        el('th', { class: 'num', text: 'Δ cost' }),
      ]),
    ]),
  );
  const body = el('tbody');
  table.append(body);
  root.append(el('h3', { text: 'Per node' }), table);
  let shown = 0;
  const more = el('button', { class: 'action', text: '' });
  const showMore = () => {
    const end = Math.min(c.nodes.length, shown + COMPARE_CHUNK);
    for (; shown < end; shown++) body.append(deltaRow(c.nodes[shown], beforeLabel));
    more.textContent = `Show ${Math.min(COMPARE_CHUNK, c.nodes.length - shown)} more of ${c.nodes.length - shown}`;
    if (shown >= c.nodes.length) more.remove();
  };
  more.addEventListener('click', showMore);
  root.append(more);
  showMore();
  return root;
}

function deltaRow(d: PlanNodeDelta, beforeLabel: (id: number) => string | undefined): HTMLElement {
  const was = d.status === 'matched' && d.beforeId !== undefined ? beforeLabel(d.beforeId) : undefined;
  const label = d.label || d.nodeType;
  const heading = was && was !== label ? `${was} → ${label}` : label;
  const name = [heading, d.indexName ? `using ${d.indexName}` : '', d.relation ? `on ${d.relation}` : ''].filter(Boolean).join(' ');
  const tr = el('tr', { class: `delta ${d.status}` }, [
    el('td', { class: 'delta-node', title: clip(name, TEXT_CHARS) }, [
      d.status !== 'matched' ? el('span', { class: `status ${d.status}`, text: d.status === 'added' ? '+ ' : '− ' }) : null,
      clip(name),
    ]),
    el('td', { class: 'num', text: d.beforeTimeMs === undefined ? '–' : formatMs(d.beforeTimeMs) }),
    el('td', { class: 'num', text: d.afterTimeMs === undefined ? '–' : formatMs(d.afterTimeMs) }),
    el('td', { class: `num ${sign(d.timeDeltaMs)}`, text: d.timeDeltaMs === undefined ? '–' : signed(d.timeDeltaMs, formatMs) }),
    el('td', { class: `num ${sign(d.costDelta)}`, text: d.costDelta === undefined ? '–' : signed(d.costDelta, formatCost) }),
  ]);
  if (d.afterId !== undefined) tr.dataset.nodeId = String(d.afterId);
  return tr;
}

function sign(v: number | undefined): string {
  if (v === undefined || v === 0) return '';
  return v < 0 ? 'better' : 'worse';
}

function signed(v: number, fmt: (n: number) => string): string {
  if (v === 0) return '±0';
  return `${v > 0 ? '+' : '−'}${fmt(Math.abs(v))}`;
}

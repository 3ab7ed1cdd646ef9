/** The selected node in full: derived metrics, buffers, its findings and every raw property. */
import type { PlanBuffers, PlanFinding, PlanNode } from '../../src/core/plan/types';
import { clippedText, LABEL_CHARS } from './clip';
import { el } from './dom';
import { formatBlocks, formatCost, formatCount, formatFactor, formatMs, formatShare, formatValue } from './format';
import { nodeTarget } from './tree-model';

export function renderDetails(n: PlanNode, findings: PlanFinding[], analyzed: boolean): HTMLElement {
  const target = nodeTarget(n);
  const root = el('div', { class: 'details', id: 'details' }, [
    el('h2', { class: 'details-title' }, [
      el('span', { class: 'node-type' }, [clippedText(n.label || n.nodeType, LABEL_CHARS)]),
      target ? el('span', { class: 'node-target' }, [' ', clippedText(target, LABEL_CHARS)]) : null,
      el('span', { class: 'node-id', text: ` #${n.id}` }),
    ]),
  ]);

  const metrics: [string, string][] = [];
  if (n.neverExecuted) metrics.push(['Executed', 'never']);
  if (analyzed && n.analyzed && !n.neverExecuted) {
    metrics.push(['Self time', `${formatMs(n.exclusiveTimeMs)} (${formatShare(n.sharePct / 100)} of total)`]);
    metrics.push(['Total time', formatMs(n.inclusiveTimeMs)]);
    metrics.push(['Time per loop', `${formatMs(n.actualStartupTimeMs)} startup, ${formatMs(n.actualTotalTimeMs)} total`]);
    metrics.push(['Rows', `${formatCount(n.actualRows)} per loop (${formatCount(n.totalRows)} in all), estimated ${formatCount(n.planRows)}`]);
    metrics.push(['Estimate', formatFactor(n.estimateRatio)]);
    metrics.push(['Loops', formatCount(n.loops)]);
  } else if (!analyzed) {
    metrics.push(['Share of cost', formatShare(n.sharePct / 100)]);
    metrics.push(['Estimated rows', formatCount(n.planRows)]);
  }
  metrics.push(['Cost', `${formatCost(n.startupCost)}..${formatCost(n.totalCost)} (self ${formatCost(n.exclusiveCost)})`]);
  if (n.rowsRemovedByFilter !== undefined) metrics.push(['Removed by filter', `${formatCount(n.rowsRemovedByFilter)} per loop`]);
  if (n.rowsRemovedByJoinFilter !== undefined) metrics.push(['Removed by join filter', `${formatCount(n.rowsRemovedByJoinFilter)} per loop`]);
  if (n.rowsRemovedByIndexRecheck !== undefined) metrics.push(['Removed by recheck', `${formatCount(n.rowsRemovedByIndexRecheck)} per loop`]);
  if (n.workersPlanned !== undefined) metrics.push(['Workers', `${formatCount(n.workersLaunched)} launched of ${formatCount(n.workersPlanned)} planned`]);
  root.append(section('Metrics', definitionList(metrics)));

  if (n.buffers) root.append(section('Buffers (inclusive / self)', buffersTable(n.buffers, n.exclusiveBuffers)));

  if (findings.length > 0) {
    root.append(
      section(
        'Findings',
        el(
          'ul',
          'node-findings',
          findings.map((f) => el('li', {}, [el('span', { class: `rule-id sev-${f.severity}`, text: f.ruleId }), ' ', clippedText(f.message)])),
        ),
      ),
    );
  }

  const rawPairs: [string, string][] = Object.entries(n.raw).map(([k, v]) => [k, formatValue(v)]);
  root.append(section('All properties', definitionList(rawPairs, 'raw-props')));
  return root;
}

function section(title: string, body: HTMLElement): HTMLElement {
  return el('section', 'details-section', [el('h3', { text: title }), body]);
}

export function definitionList(pairs: [string, string][], cls = 'props'): HTMLElement {
  const dl = el('dl', cls);
  for (const [k, v] of pairs) dl.append(el('dt', {}, [clippedText(k, LABEL_CHARS)]), el('dd', {}, [clippedText(v)]));
  return dl;
}

function buffersTable(b: PlanBuffers, self?: PlanBuffers): HTMLElement {
  const table = el('table', 'buffers');
  table.append(
    el('thead', {}, [el('tr', {}, ['', 'hit', 'read', 'dirtied', 'written'].map((h) => el('th', { text: h })))]),
  );
  const body = el('tbody');
  const cell = (v: number, s: number | undefined) =>
    el('td', { text: v === 0 ? '–' : s !== undefined && s !== v ? `${formatBlocks(v)} / ${formatCount(s)}` : formatBlocks(v) });
  body.append(
    el('tr', {}, [
      el('th', { text: 'shared' }),
      cell(b.sharedHit, self?.sharedHit),
      cell(b.sharedRead, self?.sharedRead),
      cell(b.sharedDirtied, self?.sharedDirtied),
      cell(b.sharedWritten, self?.sharedWritten),
    ]),
    el('tr', {}, [
      el('th', { text: 'local' }),
      cell(b.localHit, self?.localHit),
      cell(b.localRead, self?.localRead),
      cell(b.localDirtied, self?.localDirtied),
      cell(b.localWritten, self?.localWritten),
    ]),
    el('tr', {}, [
      el('th', { text: 'temp' }),
      el('td', { text: '' }),
      cell(b.tempRead, self?.tempRead),
      el('td', { text: '' }),
      cell(b.tempWritten, self?.tempWritten),
    ]),
  );
  table.append(body);
  return table;
}

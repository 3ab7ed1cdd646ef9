/** The header: what was explained, where, how long it took, and the actions. */
import type { PlanReport } from '../../src/core/plan/types';
import { clip, clippedText, clipTitle } from './clip';
import { el } from './dom';
import { formatCost, formatMs } from './format';
import { suggestButton } from './indexes-view';
import type { PlanView } from './protocol';
import { nodeTarget } from './tree-model';

export interface SummaryActions {
  compareAvailable: boolean;
  /** The query is known: offer *Suggest indexes*. */
  suggestAvailable?: boolean;
  /** A generic plan of a known query: offer *Explain Analyze with values…*. */
  analyzeWithValuesAvailable?: boolean;
}

export function renderSummary(view: PlanView, report: PlanReport, actions: SummaryActions): HTMLElement {
  const s = report.summary;
  const slow = report.nodes[s.slowestNodeId - 1];
  const facts: string[] = [];
  if (s.analyzed) {
    if (s.executionTimeMs !== undefined) facts.push(`execution ${formatMs(s.executionTimeMs)}`);
    else facts.push(`total ${formatMs(s.totalTimeMs)}`);
    if (s.planningTimeMs !== undefined) facts.push(`planning ${formatMs(s.planningTimeMs)}`);
  } else if (view.generic) {
    facts.push(`generic plan (${view.generic.parameterTypes.map((t, i) => `$${i + 1} ${t}`).join(', ')}), estimated only`);
  } else {
    facts.push('estimated only (no ANALYZE)');
  }
  facts.push(`cost ${formatCost(s.totalCost)}`);
  facts.push(`${s.nodeCount} node${s.nodeCount === 1 ? '' : 's'}`);
  const w = report.findings.filter((f) => f.severity !== 'info').length;
  facts.push(report.findings.length === 0 ? 'no findings' : `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}${w ? ` (${w} warning${w === 1 ? '' : 's'})` : ''}`);

  const slowButton = slow
    ? el('button', { class: 'link slowest', title: 'Select the slowest node' }, [
        `${s.analyzed ? 'Slowest' : 'Costliest'}: ${clip(`${slow.label}${nodeTarget(slow) ? ` ${nodeTarget(slow)}` : ''}`)} (${s.analyzed ? formatMs(slow.exclusiveTimeMs) : formatCost(slow.exclusiveCost)})`,
      ])
    : null;
  if (slowButton && slow) slowButton.dataset.nodeId = String(slow.id);

  const copy = el('button', { class: 'action', id: 'copy-markdown', text: 'Copy as Markdown' });
  const withValues = actions.analyzeWithValuesAvailable
    ? el('button', { class: 'action primary', id: 'analyze-with-values', text: 'Explain Analyze with values…', title: 'Type values for the parameters and run Explain Analyze (rolled back)' })
    : null;
  const compare = actions.compareAvailable
    ? el('button', { class: 'action primary', id: 'compare-previous', text: 'Compare with previous run' })
    : null;
  // Server notices and pglens's notes, then how a pasted plan was read (lines left out or joined).
  const notes = [...(view.notices ?? []), ...(report.notes ?? []).map((n) => `Input: ${n.message}`)];
  return el('header', { id: 'summary', class: 'summary' }, [
    el('div', 'summary-title', [
      el('h1', { text: clip(view.title), title: clipTitle(view.title) }),
      view.connectionLabel ? el('span', { class: 'connection', text: clip(view.connectionLabel), title: clipTitle(view.connectionLabel) }) : null,
    ]),
    el('div', { class: 'facts', text: facts.join(' · ') }),
    notes.length ? el('ul', 'notices', notes.map((n) => el('li', {}, [clippedText(n)]))) : null,
    el('div', 'actions', [slowButton, el('span', 'spacer'), withValues, compare, actions.suggestAvailable ? suggestButton('Suggest indexes', 'suggest-indexes') : null, copy]),
  ]);
}

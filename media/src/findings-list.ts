/** The plan's findings, each a button that selects its node; `suggestFor`: rules that get a *Suggest indexes* button. */
import type { PlanFinding, PlanNode } from '../../src/core/plan/types';
import { clip, clippedText } from './clip';
import { el } from './dom';
import { formatValue } from './format';
import { suggestButton } from './indexes-view';
import { nodeTarget } from './tree-model';

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };

export function renderFindings(
  findings: PlanFinding[],
  nodeOf: (id: number) => PlanNode | undefined,
  suggestFor: ReadonlySet<string> = new Set(),
): HTMLElement {
  const root = el('section', { class: 'findings', id: 'findings', attrs: { 'aria-label': 'Findings' } });
  root.append(el('h2', { text: findings.length === 0 ? 'No findings' : `Findings (${findings.length})` }));
  if (findings.length === 0) {
    root.append(el('p', { class: 'muted', text: 'Nothing in this plan matches a plan rule.' }));
    return root;
  }
  const sorted = [...findings].sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3));
  const list = el('ul', 'finding-list');
  for (const f of sorted) {
    const n = nodeOf(f.nodeId);
    const where = n ? `${clip(`${n.label}${nodeTarget(n) ? ` ${nodeTarget(n)}` : ''}`)} #${n.id}` : `node #${f.nodeId}`;
    const evidence = Object.entries(f.evidence).map(([k, v]) => `${k} ${formatValue(v)}`);
    const item = el('li', { class: `finding sev-${f.severity}`, attrs: { tabindex: '0', role: 'button', 'aria-label': `${f.ruleId}: ${clip(f.message)}. Select ${where}` } }, [
      el('div', 'finding-head', [
        el('span', { class: `rule-id sev-${f.severity}`, text: f.ruleId }),
        el('span', { class: 'finding-node', text: where }),
      ]),
      el('div', 'finding-message', [clippedText(f.message)]),
      evidence.length > 0 ? el('div', 'finding-evidence', [clippedText(evidence.join(' · '))]) : null,
      f.fix ? el('div', 'finding-fix', [el('span', { class: 'fix-label', text: 'Fix: ' }), el('code', {}, [clippedText(f.fix)])]) : null,
      suggestFor.has(f.ruleId) ? el('div', 'finding-actions', [suggestButton('Suggest indexes')]) : null,
    ]);
    item.dataset.nodeId = String(f.nodeId);
    list.append(item);
  }
  root.append(list);
  return root;
}

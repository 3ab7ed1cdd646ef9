/**
 * The plan viewer's entry (bundled to media/dist/plan-viewer.js). It receives plans from the
 * host (plan-panel.ts) or restores them from its persisted state, and draws them with the
 * DOM API only: no HTML strings, so nothing from a plan can become markup.
 */
import { renderPlanText } from '../../src/core/plan/render-text';
import type { PlanFinding, PlanReport } from '../../src/core/plan/types';
import { renderComparison } from './compare-view';
import { renderDetails } from './details-pane';
import { clear, el } from './dom';
import { renderFindings } from './findings-list';
import { INDEX_FINDING_RULES, SUGGEST_CLASS, renderIndexes, type AdviceState } from './indexes-view';
import { renderPasteForm } from './paste-form';
import type { HostToViewer, TabId, UiState, ViewAdvice, ViewComparison, ViewPayload, ViewerState } from './protocol';
import { unpackReport } from './protocol';
import { rebuildRawJson, renderRaw, renderSettings } from './raw-panes';
import { renderSummary } from './summary';
import { TreeModel } from './tree-model';
import { TreeView } from './tree-view';
import { vscodeApi } from './vscode-api';

const PERSIST_DELAY_MS = 400;

const TAB_TITLES: Record<TabId, string> = {
  plan: 'Plan',
  compare: 'Compare',
  indexes: 'Indexes',
  text: 'Raw text',
  json: 'Raw JSON',
  query: 'Query',
  settings: 'Settings',
};

interface Current {
  planId: string;
  payload: ViewPayload;
  report: PlanReport;
  model: TreeModel;
  tree: TreeView;
  findingsByNode: Map<number, PlanFinding[]>;
  comparison?: ViewComparison;
  advice?: AdviceState;
  /** What to return to when the user dismisses the advisor's prompts. */
  beforeAdvice?: { tab: TabId; advice?: AdviceState };
  tab: TabId;
  built: Set<TabId>;
}

const api = vscodeApi();
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
const errorBox = el('div', { id: 'error', class: 'error', role: 'alert' });
errorBox.hidden = true;
let current: Current | undefined;
let persistTimer: ReturnType<typeof setTimeout> | undefined;

function showError(message: string, hint?: string): void {
  clear(errorBox);
  errorBox.append(el('strong', { text: message }));
  if (hint) errorBox.append(el('div', { class: 'hint', text: hint }));
  errorBox.hidden = false;
  if (!errorBox.isConnected) app.prepend(errorBox);
}

function hideError(): void {
  errorBox.hidden = true;
  clear(errorBox);
}

function showPaste(): void {
  current = undefined;
  clear(app);
  app.append(
    errorBox,
    renderPasteForm({
      submit: (text) => {
        if (text.trim().length === 0) {
          showError('Nothing to show: the text box is empty.', 'Paste the output of EXPLAIN (JSON or text) and press Show plan.');
          return;
        }
        hideError();
        api.postMessage({ type: 'openText', text });
      },
      openFile: () => api.postMessage({ type: 'openFile' }),
    }),
  );
  api.setState({ version: 1 });
}

function show(planId: string, payloadText: string, ui: UiState | undefined): void {
  let payload: ViewPayload;
  try {
    payload = JSON.parse(payloadText) as ViewPayload;
  } catch (e) {
    showError('The plan data sent to the viewer is not valid JSON.', String(e));
    return;
  }
  hideError();
  const report = unpackReport(payload.plan.report);
  const model = new TreeModel(report);
  const byNode = new Map<number, PlanFinding[]>();
  for (const f of report.findings) {
    const list = byNode.get(f.nodeId) ?? [];
    list.push(f);
    byNode.set(f.nodeId, list);
  }
  const counts = new Map<number, number>();
  for (const [id, list] of byNode) counts.set(id, list.length);

  if (ui?.expanded) for (const id of ui.expanded) model.expanded.add(id);
  else model.expandDefault();
  const selectedId = ui?.selectedId !== undefined && model.node(ui.selectedId) ? ui.selectedId : report.summary.slowestNodeId;
  model.revealPath(selectedId);

  const tree = new TreeView(model, counts, { select: (id) => onSelect(id), changed: () => persist() }, selectedId);
  current = {
    planId,
    payload,
    report,
    model,
    tree,
    findingsByNode: byNode,
    comparison: payload.comparison,
    advice: payload.advice ? { status: 'done', advice: payload.advice, added: new Map() } : undefined,
    tab: ui?.tab && (ui.tab !== 'compare' || payload.comparison) && (ui.tab !== 'indexes' || payload.advice) ? ui.tab : 'plan',
    built: new Set(),
  };
  layout(current);
  tree.select(selectedId, { center: true });
}

function layout(c: Current): void {
  clear(app);
  c.built.clear();
  const summary = renderSummary(c.payload.plan, c.report, {
    compareAvailable: !!c.payload.previousAvailable && !c.comparison,
    suggestAvailable: queryKnown(c),
    analyzeWithValuesAvailable: !!c.payload.plan.generic && queryKnown(c),
  });
  summary.addEventListener('click', (e) => {
    const t = e.target as Element;
    if (t.closest('#copy-markdown')) api.postMessage({ type: 'copyMarkdown' });
    else if (t.closest(`.${SUGGEST_CLASS}`)) suggestIndexes();
    else if (t.closest('#compare-previous')) api.postMessage({ type: 'compareWithPrevious' });
    else if (t.closest('#analyze-with-values')) api.postMessage({ type: 'analyzeWithValues' });
    else {
      const b = t.closest<HTMLElement>('[data-node-id]');
      if (b) reveal(Number(b.dataset.nodeId));
    }
  });

  const tabs: TabId[] = ['plan'];
  if (c.comparison) tabs.push('compare');
  if (c.advice) tabs.push('indexes');
  tabs.push('text', 'json', 'query', 'settings');
  const tablist = el('div', { class: 'tabs', role: 'tablist', attrs: { 'aria-label': 'Plan views' } });
  const panels = el('div', 'panels');
  for (const t of tabs) {
    const selected = t === c.tab;
    const tab = el('button', {
      class: selected ? 'tab active' : 'tab',
      id: `tab-${t}`,
      role: 'tab',
      text: TAB_TITLES[t],
      attrs: { 'aria-selected': String(selected), 'aria-controls': `panel-${t}`, tabindex: selected ? '0' : '-1' },
    });
    tab.dataset.tab = t;
    tablist.append(tab);
    const panel = el('section', { class: `panel panel-${t}`, id: `panel-${t}`, role: 'tabpanel', attrs: { 'aria-labelledby': `tab-${t}` } });
    panel.hidden = !selected;
    panels.append(panel);
  }
  tablist.addEventListener('click', (e) => {
    const t = (e.target as Element).closest<HTMLElement>('[data-tab]');
    if (t) selectTab(t.dataset.tab as TabId, true);
  });
  tablist.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const i = tabs.indexOf(c.tab);
    const next =
      e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : (i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
    selectTab(tabs[next], true);
  });
  app.append(summary, errorBox, tablist, panels);
  buildTab(c, c.tab);
}

function buildTab(c: Current, tab: TabId): void {
  if (c.built.has(tab)) return;
  const panel = document.getElementById(`panel-${tab}`);
  if (!panel) return;
  c.built.add(tab);
  const plan = c.payload.plan;
  switch (tab) {
    case 'plan': {
      const toolbar = el('div', 'tree-toolbar', [
        el('button', { class: 'action small', id: 'expand-all', text: 'Expand all' }),
        el('button', { class: 'action small', id: 'collapse-hot', text: 'Collapse to hot path' }),
        el('span', { class: 'muted legend', text: 'bar: share of the time · ▲ owns the most · edge: hot path' }),
      ]);
      toolbar.addEventListener('click', (e) => {
        const t = e.target as Element;
        if (t.closest('#expand-all')) c.tree.expandAll();
        else if (t.closest('#collapse-hot')) c.tree.collapseToDefault();
      });
      const findings = renderFindings(c.report.findings, (id) => c.model.node(id), queryKnown(c) ? INDEX_FINDING_RULES : undefined);
      findings.addEventListener('click', (e) => {
        if ((e.target as Element).closest(`.${SUGGEST_CLASS}`)) {
          suggestIndexes();
          return;
        }
        const f = (e.target as Element).closest<HTMLElement>('.finding');
        if (f) reveal(Number(f.dataset.nodeId));
      });
      findings.addEventListener('keydown', (e) => {
        // Enter on a button in the finding (Suggest indexes, Show all) is that button's click, not "select the node".
        if ((e.target as Element).closest('button')) return;
        const f = (e.target as Element).closest<HTMLElement>('.finding');
        if (f && (e.key === 'Enter' || e.key === ' ')) {
          e.preventDefault();
          reveal(Number(f.dataset.nodeId));
        }
      });
      panel.append(
        el('div', 'tree-pane', [toolbar, c.tree.element]),
        el('div', 'side-pane', [findings, el('div', { class: 'details-host', id: 'details-host' })]),
      );
      panel.classList.add('plan-layout');
      break;
    }
    case 'compare':
      if (c.comparison) {
        const before = unpackReport(c.comparison.previous.report);
        const view = renderComparison(c.comparison.previous, plan, c.comparison.result, (id) => before.nodes[id - 1]?.label);
        view.addEventListener('click', (e) => {
          const r = (e.target as Element).closest<HTMLElement>('[data-node-id]');
          if (r) reveal(Number(r.dataset.nodeId));
        });
        panel.append(view);
      }
      break;
    case 'indexes':
      if (c.advice) {
        const view = renderIndexes(c.advice);
        view.addEventListener('click', (e) => {
          const t = e.target as Element;
          if (t.closest(`.${SUGGEST_CLASS}`)) suggestIndexes();
          const add = t.closest<HTMLElement>('.add-migration');
          if (add && !add.classList.contains('done')) api.postMessage({ type: 'addToMigration', index: Number(add.dataset.index) });
        });
        panel.append(view);
      }
      break;
    case 'text':
      if (plan.rawText) panel.append(renderRaw(plan.rawText, '', 'raw-text'));
      else {
        panel.append(
          el('p', { class: 'muted', text: 'The plan came as JSON; this is pglens’s text rendering of it (the original is under Raw JSON).' }),
          renderRaw(renderPlanText(c.report), '', 'raw-text'),
        );
      }
      break;
    case 'json':
      panel.append(
        c.report.sourceFormat === 'json'
          ? renderRaw(rebuildRawJson(c.report, plan.rawTop), '', 'raw-json')
          : renderRaw(undefined, 'The plan came as text: see Raw text.', 'raw-json'),
      );
      break;
    case 'query':
      panel.append(
        renderRaw(plan.query ?? c.report.query, 'The query is not known (the plan was opened without it).', 'raw-query'),
      );
      break;
    case 'settings':
      panel.append(renderSettings(c.report));
      break;
  }
}

function queryKnown(c: Current): boolean {
  return !!c.payload.plan.query?.trim();
}

/** Asks the host to run the advisor; the Indexes tab shows progress, then the result. */
function suggestIndexes(): void {
  const c = current;
  if (!c) return;
  if (c.advice?.status === 'running') {
    selectTab('indexes', true);
    return;
  }
  c.beforeAdvice = { tab: c.tab, advice: c.advice };
  setAdvice(c, { status: 'running' });
  api.postMessage({ type: 'suggestIndexes' });
}

/** Shows the Indexes tab in `state`: a new tab means a new layout, else only its panel is redrawn. */
function setAdvice(c: Current, state: AdviceState): void {
  const hadTab = c.advice !== undefined;
  c.advice = state;
  c.tab = 'indexes';
  if (hadTab) {
    c.built.delete('indexes');
    const panel = document.getElementById('panel-indexes');
    if (panel) clear(panel);
    selectTab('indexes', false);
  } else {
    layout(c);
    c.tree.select(c.tree.selectedId);
    persist();
  }
}

function selectTab(tab: TabId, focus: boolean): void {
  const c = current;
  if (!c) return;
  c.tab = tab;
  document.querySelectorAll<HTMLElement>('.tab').forEach((t) => {
    const on = t.dataset.tab === tab;
    t.classList.toggle('active', on);
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    if (on && focus) t.focus();
  });
  document.querySelectorAll<HTMLElement>('.panel').forEach((p) => {
    p.hidden = p.id !== `panel-${tab}`;
  });
  buildTab(c, tab);
  if (tab === 'plan') {
    c.tree.restructure();
    onSelect(c.tree.selectedId);
  }
  persist();
}

function onSelect(id: number): void {
  const c = current;
  if (!c) return;
  const host = document.getElementById('details-host');
  const n = c.model.node(id);
  if (host && n) {
    clear(host);
    host.append(renderDetails(n, c.findingsByNode.get(id) ?? [], c.report.summary.analyzed));
  }
  persist();
}

function reveal(id: number): void {
  const c = current;
  if (!c) return;
  if (c.tab !== 'plan') selectTab('plan', false);
  c.tree.select(id, { reveal: true, center: true, focus: true });
}

/** Debounced: arrow keys and scrolling should not each write state. */
function persist(): void {
  if (persistTimer !== undefined) clearTimeout(persistTimer);
  persistTimer = setTimeout(() => {
    persistTimer = undefined;
    const c = current;
    if (!c) return;
    const state: ViewerState = {
      version: 1,
      planId: c.planId,
      ui: { selectedId: c.tree.selectedId, expanded: [...c.model.expanded], tab: c.tab },
    };
    api.setState(state);
  }, PERSIST_DELAY_MS);
}

window.addEventListener('message', (event: MessageEvent<HostToViewer>) => {
  const m = event.data;
  if (!m || typeof m !== 'object') return;
  switch (m.type) {
    case 'show': {
      const saved = api.getState();
      show(m.planId, m.payload, m.restore && saved?.planId === m.planId ? saved.ui : undefined);
      // Right away, not debounced: a reload just after opening must still find the plan's id.
      api.setState({ version: 1, planId: m.planId, ui: current ? { selectedId: current.tree.selectedId, tab: current.tab } : undefined });
      break;
    }
    case 'paste':
      showPaste();
      break;
    case 'error':
      showError(m.message, m.hint);
      break;
    case 'advice':
      if (current) {
        let advice: ViewAdvice;
        try {
          advice = JSON.parse(m.payload) as ViewAdvice;
        } catch (e) {
          setAdvice(current, { status: 'failed', message: 'The index suggestions sent to the viewer are not valid JSON.', hint: String(e) });
          return;
        }
        current.payload.advice = advice;
        setAdvice(current, { status: 'done', advice, added: new Map() });
      }
      break;
    case 'adviceFailed':
      if (current) setAdvice(current, { status: 'failed', message: m.message, hint: m.hint });
      break;
    case 'adviceCancelled':
      if (current) {
        const back = current.beforeAdvice ?? { tab: 'plan' };
        if (back.advice) setAdvice(current, back.advice);
        else {
          current.advice = undefined;
          current.tab = back.tab;
          layout(current);
          current.tree.select(current.tree.selectedId);
        }
        if (back.tab !== current.tab) selectTab(back.tab, false);
        persist();
      }
      break;
    case 'addedToMigration':
      if (current?.advice?.status === 'done') {
        current.advice.added.set(m.index, m.target);
        setAdvice(current, current.advice);
      }
      break;
    case 'comparison':
      if (current) {
        try {
          current.comparison = JSON.parse(m.payload) as ViewComparison;
        } catch (e) {
          showError('The comparison sent to the viewer is not valid JSON.', String(e));
          return;
        }
        current.tab = 'compare';
        layout(current);
        current.tree.select(current.tree.selectedId);
        persist();
      }
      break;
  }
});

app.append(errorBox, el('p', { class: 'muted loading', id: 'loading', text: api.getState()?.planId ? 'Restoring the plan…' : 'Waiting for the plan…' }));
api.postMessage({ type: 'ready' });

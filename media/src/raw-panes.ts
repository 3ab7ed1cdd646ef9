/** The Raw text, Raw JSON, Query and Settings tabs: built only when first opened. */
import type { PlanNode, PlanReport } from '../../src/core/plan/types';
import { el } from './dom';
import { definitionList } from './details-pane';

/** Beyond this many characters a raw pane shows the head and a button for the rest (layout cost). */
export const RAW_PREVIEW_CHARS = 1_000_000;

export function renderRaw(text: string | undefined, emptyMessage: string, cls: string): HTMLElement {
  if (text === undefined || text.length === 0) return el('p', { class: 'muted empty', text: emptyMessage });
  const pre = el('pre', { class: `raw ${cls}`, attrs: { tabindex: '0' } });
  if (text.length <= RAW_PREVIEW_CHARS) {
    pre.textContent = text;
    return pre;
  }
  pre.textContent = text.slice(0, RAW_PREVIEW_CHARS);
  const more = el('button', { class: 'action', text: `Show all ${Math.round(text.length / 1e6)} MB` });
  more.addEventListener('click', () => {
    pre.textContent = text;
    more.remove();
  });
  return el('div', 'raw-wrap', [el('p', { class: 'muted', text: `Showing the first ${RAW_PREVIEW_CHARS / 1e6} MB.` }), more, pre]);
}

export function renderSettings(report: PlanReport): HTMLElement {
  const settings = report.summary.settings;
  if (!settings || Object.keys(settings).length === 0) {
    return el('p', {
      class: 'muted empty',
      text: 'No settings differ from their defaults, or the plan was taken without EXPLAIN (SETTINGS) (PostgreSQL 12+).',
    });
  }
  return el('div', 'settings', [
    el('p', { class: 'muted', text: 'Settings that differ from the built-in defaults and affect planning:' }),
    definitionList(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)), 'props settings-list'),
  ]);
}

/**
 * The EXPLAIN (FORMAT JSON) document, rebuilt from the nodes' raw properties and the top-level
 * ones: the same content Postgres printed, without shipping the JSON text next to the report.
 */
export function rebuildRawJson(report: PlanReport, top: Record<string, unknown> | undefined): string {
  const plan = (n: PlanNode): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...n.raw };
    delete out.Plans;
    if (n.children.length > 0) out.Plans = n.children.map(plan);
    return out;
  };
  return JSON.stringify([{ Plan: plan(report.root), ...(top ?? {}) }], null, 2);
}

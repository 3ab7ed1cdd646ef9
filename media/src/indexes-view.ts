/**
 * The Indexes tab: what the index advisor proposed for the plan's query, how each index was
 * proven (HypoPG's hypothetical index, or a real one on the sandbox, rolled back), the cost
 * and measured time before → after, and *Add to migration*; the rejected candidates with why.
 */
import type { Suggestion } from '../../src/core/advise/advise';
import { el } from './dom';
import { formatBytes, formatCost, formatMs } from './format';
import type { ViewAdvice } from './protocol';

/** Rules whose findings an index may fix: they get a *Suggest indexes* button. */
export const INDEX_FINDING_RULES: ReadonlySet<string> = new Set(['seq-scan-filter', 'index-filter', 'nested-loop-seq-scan']);

export type AdviceState =
  | { status: 'running' }
  | { status: 'failed'; message: string; hint?: string }
  /** `added`: suggestion index → where it was written. */
  | { status: 'done'; advice: ViewAdvice; added: Map<number, string> };

/** Class of every button that asks the host for suggestions (toolbar, findings, this tab). */
export const SUGGEST_CLASS = 'suggest-indexes';

export function suggestButton(text: string, id?: string): HTMLButtonElement {
  return el('button', { class: `action ${SUGGEST_CLASS}`, id, text, title: 'Propose indexes for this query and prove each one (HypoPG, or the embedded sandbox)' });
}

export function renderIndexes(state: AdviceState): HTMLElement {
  const root = el('div', { class: 'indexes', id: 'indexes' });
  if (state.status === 'running') {
    root.setAttribute('aria-busy', 'true');
    root.append(el('p', { class: 'muted running', text: 'Trying candidate indexes… (hypothetical indexes with HypoPG on a server; real ones on the sandbox, rolled back)' }));
    return root;
  }
  if (state.status === 'failed') {
    root.append(
      el('div', { class: 'error advice-error', role: 'alert' }, [el('strong', { text: state.message }), state.hint ? el('div', { class: 'hint', text: state.hint }) : null]),
      suggestButton('Try again'),
    );
    return root;
  }
  const { result, verifiedOn, note } = state.advice;
  const before = result.before;
  const how = result.method === 'hypopg' ? 'hypothetical indexes (HypoPG), nothing built' : 'real indexes built and rolled back, timed with EXPLAIN ANALYZE';
  root.append(el('p', { class: 'advice-source', text: `Verified on ${verifiedOn}: ${how}.` }));
  if (note) root.append(el('p', { class: 'advice-note', text: note }));
  root.append(
    el('p', {
      class: result.suggestions.length > 0 ? 'advice-summary' : 'advice-summary none',
      text: result.summary,
    }),
    el('p', {
      class: 'muted',
      text: `Without a new index: cost ${formatCost(before.totalCost)}${before.executionTimeMs !== undefined ? `, measured ${formatMs(before.executionTimeMs)}` : ''}.`,
    }),
  );
  if (result.suggestions.length > 0) {
    root.append(
      el(
        'ol',
        'suggestions',
        result.suggestions.map((s, i) => suggestionItem(s, i, before, state.added.get(i))),
      ),
    );
  }
  const unverified = result.unverified ?? [];
  if (unverified.length > 0) {
    const details = el('details', { class: 'unverified', attrs: { open: '' } }, [el('summary', { text: `Not verified (${unverified.length})` })]);
    details.append(
      el(
        'ul',
        {},
        unverified.map((u) =>
          el('li', {}, [
            el('code', { class: 'ddl', text: u.ddl }),
            el('div', { class: 'muted', text: u.extension ? `${u.reason} (needs the ${u.extension.name} extension)` : u.reason }),
          ]),
        ),
      ),
    );
    root.append(details);
  }
  if (result.rejected.length > 0) {
    const details = el('details', 'rejected', [el('summary', { text: `Rejected candidates (${result.rejected.length})` })]);
    details.append(
      el(
        'ul',
        {},
        result.rejected.map((r) =>
          el('li', {}, [
            el('code', { class: 'ddl', text: r.ddl }),
            el('div', { class: 'muted', text: Number.isNaN(r.totalCost) ? r.reason : `${r.reason} (cost with it: ${formatCost(r.totalCost)})` }),
          ]),
        ),
      ),
    );
    root.append(details);
  }
  root.append(el('div', 'advice-actions', [suggestButton('Suggest again')]));
  return root;
}

function suggestionItem(s: Suggestion, index: number, adviceBefore: ViewAdvice['result']['before'], added: string | undefined): HTMLElement {
  // An index HypoPG cannot simulate is verified on the sandbox: compare with the sandbox's own plan.
  const before = s.before ?? adviceBefore;
  const facts: string[] = [`cost ${formatCost(before.totalCost)} → ${formatCost(s.after.totalCost)} (${s.improvement.toFixed(1)}× cheaper)`];
  if (s.method === 'sandbox' && before.executionTimeMs !== undefined && s.after.executionTimeMs !== undefined) {
    facts.push(`measured on the sandbox ${formatMs(before.executionTimeMs)} → ${formatMs(s.after.executionTimeMs)}`);
  }
  facts.push(s.method === 'hypopg' ? 'verified with HypoPG' : 'verified on the embedded sandbox');
  if (s.sizeBytes !== undefined) facts.push(`size ~${formatBytes(s.sizeBytes)}`);
  if (s.extension) {
    facts.push(`needs ${s.extension.name} (${s.extension.installed ? 'installed' : s.extension.available ? 'available, not installed: the migration creates it' : 'not available on this server'})`);
  }
  const button = el('button', {
    class: added ? 'action add-migration done' : 'action primary add-migration',
    text: added ? 'Added' : 'Add to migration',
    title: added ? `Written: ${added}` : 'Write this index into schema.prisma (@@index) or a new migration file',
  });
  button.dataset.index = String(index);
  return el('li', { class: 'suggestion' }, [
    el('pre', { class: 'ddl', text: s.ddl }),
    el('div', { class: 'suggestion-facts', text: facts.join(' · ') }),
    el('div', { class: 'suggestion-reason', text: s.reason }),
    s.writeOverhead ? el('div', { class: 'muted write-overhead', text: s.writeOverhead }) : null,
    el('div', 'suggestion-actions', [button, added ? el('span', { class: 'muted added-to', text: added }) : null]),
  ]);
}

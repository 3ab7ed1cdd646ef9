/** Open Plan… without a plan yet: paste EXPLAIN output (JSON or text, psql borders welcome). */
import { el } from './dom';

export interface PasteEvents {
  submit(text: string): void;
  openFile(): void;
}

export function renderPasteForm(events: PasteEvents): HTMLElement {
  const area = el('textarea', {
    id: 'paste-text',
    class: 'paste-text',
    attrs: { spellcheck: 'false' },
  });
  const label = el('label', {
    class: 'paste-label',
    text: 'EXPLAIN output: JSON (EXPLAIN (FORMAT JSON) …) or text, with or without psql borders',
    attrs: { for: 'paste-text' },
  });
  const show = el('button', { class: 'action primary', id: 'paste-submit', text: 'Show plan' });
  const open = el('button', { class: 'action', id: 'paste-open-file', text: 'Open file…' });
  show.addEventListener('click', () => events.submit(area.value));
  open.addEventListener('click', () => events.openFile());
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      events.submit(area.value);
    }
  });
  return el('section', { class: 'paste', id: 'paste' }, [
    el('h1', { text: 'Open a plan' }),
    el('p', {
      class: 'muted',
      text: 'From production logs, auto_explain or another tool. Nothing is sent to a database. Ctrl+Enter shows it.',
    }),
    label,
    area,
    el('div', 'actions', [show, open]),
  ]);
}

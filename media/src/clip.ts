/**
 * Long plan text, shown short. A condition listing 100,000 values or a pasted megabyte
 * identifier, laid out whole, costs the browser seconds per copy and froze the viewer for
 * minutes: labels show their head and an ellipsis, and the full text is there on demand.
 */
import { el } from './dom';
import { formatCount } from './format';

/** One-line labels: node headings, names, the conditions line, accessible names. */
export const LABEL_CHARS = 200;
/** Wrapped text (messages, fixes, property values) and tooltips, which the browser lays out whole on hover. */
export const TEXT_CHARS = 1000;

/** `text` cut to at most `max` characters, the last one an ellipsis; never splits a surrogate pair. */
export function clip(text: string, max = LABEL_CHARS): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** The tooltip of an element that shows `clip(text, max)`: a longer head of the text when it was cut. */
export function clipTitle(text: string, max = LABEL_CHARS): string | undefined {
  return text.length > max ? clip(text, TEXT_CHARS) : undefined;
}

/**
 * `text` as a node: itself when short; else its head and a *Show all* button that puts the
 * whole text in its place (the button's click goes no further: it selects nothing).
 */
export function clippedText(text: string, max = TEXT_CHARS): Node {
  if (text.length <= max) return document.createTextNode(text);
  const span = el('span', 'clipped', [clip(text, max), ' ']);
  const more = el('button', { class: 'link show-all', text: `Show all ${formatCount(text.length)} characters` });
  more.addEventListener('click', (e) => {
    e.stopPropagation();
    span.textContent = text;
  });
  span.append(more);
  return span;
}

/**
 * The only way the viewer builds DOM: elements and text nodes, never HTML strings, so every
 * string that came from a database or a file lands as text (CSP forbids inline handlers and
 * style attributes anyway; widths are set through CSSOM by the callers).
 */
export type Child = Node | string | null | undefined | false;

export interface ElOptions {
  class?: string;
  id?: string;
  text?: string;
  title?: string;
  role?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElOptions | string = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  const o: ElOptions = typeof options === 'string' ? { class: options } : options;
  if (o.class) node.className = o.class;
  if (o.id) node.id = o.id;
  if (o.title) node.title = o.title;
  if (o.role) node.setAttribute('role', o.role);
  if (o.attrs) for (const [k, v] of Object.entries(o.attrs)) node.setAttribute(k, v);
  if (o.text !== undefined) node.textContent = o.text;
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

export function clear(node: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

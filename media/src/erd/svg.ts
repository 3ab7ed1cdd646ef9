/**
 * SVG elements built with the DOM API only (as media/src/dom.ts builds HTML): text from a schema
 * lands as text nodes, attributes through setAttribute, never markup.
 */
export const SVG_NS = 'http://www.w3.org/2000/svg';

export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const k in attrs) node.setAttribute(k, String(attrs[k]));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A `<title>` child: the tooltip of its parent. */
export function svgTitle(text: string): SVGTitleElement {
  return svgEl('title', {}, text);
}

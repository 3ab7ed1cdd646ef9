/**
 * The picture as a standalone SVG file: the whole diagram (not just what the window shows),
 * with the theme's colours and fonts written onto each element as presentation attributes —
 * the webview's stylesheet does not travel with the file. Serialised by XMLSerializer, which
 * escapes every text and attribute.
 */
import type { LayoutResult } from './layout';
import { SVG_NS } from './svg';

const PROPERTIES = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'font-family', 'font-size', 'font-weight', 'font-style'] as const;
const MARGIN = 20;

export function exportSvg(source: SVGSVGElement, layout: LayoutResult): string {
  const clone = source.cloneNode(true) as SVGSVGElement;
  const originals = source.querySelectorAll('*');
  const copies = clone.querySelectorAll('*');
  const drop: Element[] = [];
  originals.forEach((original, i) => {
    const copy = copies[i];
    const style = getComputedStyle(original);
    // Hidden at the current zoom (column rows when far) is still part of the picture.
    if (style.display === 'none' && !original.closest('.far')) {
      drop.push(copy);
      return;
    }
    for (const p of PROPERTIES) {
      const value = style.getPropertyValue(p);
      if (value) copy.setAttribute(p, value);
    }
    for (const a of ['tabindex', 'role', 'aria-label', 'class', 'data-i', 'data-c', 'data-badge']) copy.removeAttribute(a);
  });
  for (const d of drop) d.remove();
  // Rows hidden by the far zoom level are drawn in the file.
  clone.classList.remove('far', 'searching', 'panning');
  const viewport = clone.querySelector('#viewport');
  viewport?.removeAttribute('transform');
  viewport?.removeAttribute('id');
  clone.querySelector('#diagram')?.removeAttribute('id');
  const width = Math.ceil(layout.width + 2 * MARGIN);
  const height = Math.ceil(layout.height + 2 * MARGIN);
  for (const a of ['id', 'role', 'aria-label', 'class']) clone.removeAttribute(a);
  clone.setAttribute('xmlns', SVG_NS);
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.setAttribute('viewBox', `${-MARGIN} ${-MARGIN} ${width} ${height}`);
  const background = document.createElementNS(SVG_NS, 'rect');
  for (const [k, v] of Object.entries({ x: -MARGIN, y: -MARGIN, width, height, fill: getComputedStyle(document.body).backgroundColor })) background.setAttribute(k, String(v));
  clone.insertBefore(background, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

/**
 * Draws a laid-out diagram as SVG: schema frames, relation lines with crow's-foot ends, and
 * tables (header with name and findings badge, one row per column shown). Sizes come first
 * (measureTables), so the layout knows each table's box before anything is drawn.
 */
import type { DiagramColumn, DiagramRelation, DiagramTable } from '../../../src/core/erd/diagram';
import type { ColumnMode } from './erd-protocol';
import type { Box, LayoutResult } from './layout';
import { svgEl, svgTitle } from './svg';

export const HEADER_HEIGHT = 26;
export const ROW_HEIGHT = 18;
/** The "N partitions" line under a partitioned table's header. */
const SUB_HEIGHT = 16;
const PAD_X = 8;
const GAP = 14;
const MIN_WIDTH = 150;
const MAX_WIDTH = 380;
const BADGE_WIDTH = 26;

export interface TableShape {
  width: number;
  height: number;
  rows: DiagramColumn[];
  /** Columns not shown (keys mode). */
  hidden: number;
  keyWidth: number;
  name: string;
  rowTexts: { name: string; type: string }[];
  /** A last row says how many columns are not shown (keys mode). */
  more: boolean;
  /** Height of the line under the header ("N partitions"); 0 when none. */
  sub: number;
}

type Measure = (text: string, bold?: boolean) => number;

/** Text widths from a canvas in the page's font; cached per string. */
export function textMeasurer(font: { family: string; size: number }): Measure {
  const ctx = document.createElement('canvas').getContext('2d');
  const cache = new Map<string, number>();
  return (text, bold = false) => {
    const key = bold ? `b\0${text}` : text;
    let w = cache.get(key);
    if (w === undefined) {
      if (ctx) {
        ctx.font = `${bold ? '600 ' : ''}${font.size}px ${font.family}`;
        w = ctx.measureText(text).width;
      } else w = text.length * font.size * 0.6;
      cache.set(key, w);
    }
    return w;
  };
}

function fit(text: string, max: number, measure: Measure, bold = false): string {
  if (measure(text, bold) <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(`${text.slice(0, mid)}…`, bold) <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

export function columnsShown(table: DiagramTable, mode: ColumnMode): DiagramColumn[] {
  if (mode === 'none') return [];
  if (mode === 'keys') return table.columns.filter((c) => c.pk || c.fk);
  return table.columns;
}

function keyText(c: DiagramColumn): string {
  return [c.pk && 'PK', c.fk && 'FK'].filter(Boolean).join(' ') || (c.unique ? 'UK' : '');
}

function typeText(c: DiagramColumn): string {
  return c.notNull ? c.type : `${c.type}?`;
}

export function measureTables(tables: readonly DiagramTable[], mode: ColumnMode, measure: Measure): Map<string, TableShape> {
  const shapes = new Map<string, TableShape>();
  const keyWidth = Math.ceil(measure('PK FK')) + 6;
  for (const t of tables) {
    const rows = columnsShown(t, mode);
    const hidden = t.columns.length - rows.length;
    const label = t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
    let width = measure(label, true) + 2 * PAD_X + (t.findings.length > 0 ? BADGE_WIDTH + 6 : 0);
    for (const c of rows) width = Math.max(width, 2 * PAD_X + keyWidth + measure(c.name) + GAP + measure(typeText(c)));
    width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.ceil(width)));
    const inner = width - 2 * PAD_X;
    const name = fit(label, inner - (t.findings.length > 0 ? BADGE_WIDTH + 6 : 0), measure, true);
    const rowTexts = rows.map((c) => {
      const type = fit(typeText(c), Math.max(inner / 2, inner - keyWidth - GAP - measure(c.name)), measure);
      return { name: fit(c.name, inner - keyWidth - GAP - measure(type), measure), type };
    });
    const more = hidden > 0 && mode === 'keys';
    const lines = rows.length + (more ? 1 : 0);
    const sub = t.partitions?.length ? SUB_HEIGHT : 0;
    shapes.set(t.id, { width, height: HEADER_HEIGHT + sub + lines * ROW_HEIGHT + (lines > 0 || sub > 0 ? 4 : 0), rows, hidden, keyWidth, name, rowTexts, more, sub });
  }
  return shapes;
}

export interface DrawnDiagram {
  /** The table groups by table id. */
  tables: Map<string, SVGGElement>;
  /** Relation paths by relation id. */
  edges: Map<string, SVGPathElement>;
  /** Relation ids by table id (both ends). */
  edgesOf: Map<string, string[]>;
  /**
   * Draws a table's column rows, once. Rows are most of a big diagram's elements and cannot be
   * read zoomed out, so the viewer fills only the tables in view at a legible zoom.
   */
  fill(id: string): void;
}

const SEVERITY_RANK = { error: 3, warning: 2, info: 1 } as const;

/** Builds the diagram into `layer` (emptied first), tables without their rows (see `fill`). Tables carry `data-i`, their index in `tables`. */
export function drawDiagram(
  layer: SVGGElement,
  tables: readonly DiagramTable[],
  relations: readonly DiagramRelation[],
  shapes: Map<string, TableShape>,
  layout: LayoutResult,
): DrawnDiagram {
  layer.replaceChildren();
  const groups = svgEl('g', { class: 'groups' });
  for (const g of layout.groups) {
    const frame = svgEl('g', { class: 'group' });
    frame.append(svgEl('rect', { x: g.x, y: g.y, width: g.width, height: g.height, rx: 6 }), svgEl('text', { x: g.x + 10, y: g.y + 18, class: 'group-label' }, g.name));
    groups.append(frame);
  }
  const edgeLayer = svgEl('g', { class: 'edges' });
  const tableLayer = svgEl('g', { class: 'tables' });
  const unfilled = new Map<string, () => void>();
  const drawn: DrawnDiagram = {
    tables: new Map(),
    edges: new Map(),
    edgesOf: new Map(),
    fill: (id) => {
      const f = unfilled.get(id);
      unfilled.delete(id);
      f?.();
    },
  };
  const byId = new Map(tables.map((t) => [t.id, t]));

  tables.forEach((t, i) => {
    const box = layout.nodes.get(t.id);
    const shape = shapes.get(t.id);
    if (!box || !shape) return;
    const worst = t.findings.reduce((m, f) => Math.max(m, SEVERITY_RANK[f.severity]), 0);
    const g = svgEl('g', {
      class: `table${t.joinTable ? ' join' : ''}${t.findings.length > 0 ? ' has-findings' : ''}`,
      transform: `translate(${box.x},${box.y})`,
      'data-i': i,
      tabindex: 0,
      role: 'button',
    });
    const label = t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
    g.setAttribute('aria-label', `${label}, ${t.columns.length} columns${t.findings.length ? `, ${t.findings.length} findings` : ''}`);
    g.append(
      svgTitle(`${t.schema}.${t.name}${t.comment ? `\n${t.comment}` : ''}${t.joinTable ? '\njoin table (N:M)' : ''}`),
      svgEl('rect', { class: 'box', width: shape.width, height: shape.height, rx: 4 }),
      svgEl('rect', { class: 'head', width: shape.width, height: HEADER_HEIGHT, rx: 4 }),
      svgEl('text', { class: 'name', x: PAD_X, y: 17 }, shape.name),
    );
    if (t.partitions?.length) {
      const n = t.partitions.length;
      const sub = svgEl('text', { class: 'partitions', x: PAD_X, y: HEADER_HEIGHT + 12 }, `${n} partition${n === 1 ? '' : 's'}`);
      sub.append(svgTitle(t.partitions.join('\n')));
      g.append(sub);
    }
    if (t.findings.length > 0) {
      const sev = worst === 3 ? 'error' : worst === 2 ? 'warning' : 'info';
      const badge = svgEl('g', { class: `badge sev-${sev}`, transform: `translate(${shape.width - PAD_X - BADGE_WIDTH},5)`, 'data-badge': '1' });
      badge.append(
        svgTitle(t.findings.map((f) => `${f.ruleId}: ${f.message}`).join('\n')),
        svgEl('rect', { width: BADGE_WIDTH, height: 16, rx: 8 }),
        svgEl('text', { x: BADGE_WIDTH / 2, y: 12, 'text-anchor': 'middle' }, `⚠${t.findings.length}`),
      );
      g.append(badge);
    }
    unfilled.set(t.id, () => fillRows(g, t, shape));
    tableLayer.append(g);
    drawn.tables.set(t.id, g);
  });

  for (const r of relations) {
    const a = layout.nodes.get(r.from);
    const b = layout.nodes.get(r.to);
    const sa = shapes.get(r.from);
    const sb = shapes.get(r.to);
    if (!a || !b || !sa || !sb) continue;
    const from = byId.get(r.from);
    const to = byId.get(r.to);
    const ya = a.y + anchorY(sa, from, r.cardinality === 'N:M' ? [] : r.columns);
    const yb = b.y + anchorY(sb, to, r.cardinality === 'N:M' ? [] : r.refColumns);
    const path = svgEl('path', {
      class: `edge c-${r.cardinality === 'N:M' ? 'nm' : r.cardinality === '1:1' ? 'one' : 'many'}${r.optional ? ' optional' : ''}${r.identifying ? ' identifying' : ''}`,
      d: edgePath(a, ya, b, yb, r.from === r.to),
      'marker-start': r.cardinality === 'N:M' ? 'url(#m-many)' : r.cardinality === '1:1' ? 'url(#m-zero-one)' : 'url(#m-many)',
      'marker-end': r.cardinality === 'N:M' ? 'url(#m-many)' : r.optional ? 'url(#m-zero-one)' : 'url(#m-one)',
    });
    const cols = r.cardinality === 'N:M' ? `N:M through ${r.name ?? r.via}` : `${r.cardinality} ${r.from.replace(/^public\./, '')}(${r.columns.join(', ')}) → ${r.to.replace(/^public\./, '')}(${r.refColumns.join(', ')})`;
    path.append(svgTitle(`${r.name ? `${r.name}: ` : ''}${cols}`));
    edgeLayer.append(path);
    drawn.edges.set(r.id, path);
    for (const end of [r.from, r.to]) {
      let list = drawn.edgesOf.get(end);
      if (!list) drawn.edgesOf.set(end, (list = []));
      list.push(r.id);
    }
  }
  layer.append(groups, edgeLayer, tableLayer);
  return drawn;
}

/** A table's column rows (and the "+ N more" line of keys mode). */
function fillRows(g: SVGGElement, t: DiagramTable, shape: TableShape): void {
  shape.rows.forEach((c, k) => {
    const y = HEADER_HEIGHT + shape.sub + 2 + k * ROW_HEIGHT;
    const row = svgEl('g', { class: `col${c.pk ? ' pk' : ''}${c.fk ? ' fk' : ''}${c.notNull ? '' : ' nullable'}`, transform: `translate(0,${y})`, 'data-c': t.columns.indexOf(c) });
    const facts = [c.type, c.notNull ? 'NOT NULL' : 'NULL', c.pk && 'primary key', c.fk && 'foreign key', c.unique && 'unique'].filter(Boolean).join(', ');
    row.append(
      svgTitle(`${c.name}: ${facts}`),
      svgEl('rect', { class: 'row-hit', width: shape.width, height: ROW_HEIGHT }),
      svgEl('text', { class: 'key', x: PAD_X, y: 13 }, keyText(c)),
      svgEl('text', { class: 'cname', x: PAD_X + shape.keyWidth, y: 13 }, shape.rowTexts[k].name),
      svgEl('text', { class: 'ctype', x: shape.width - PAD_X, y: 13, 'text-anchor': 'end' }, shape.rowTexts[k].type),
    );
    g.append(row);
  });
  if (shape.more) {
    g.append(svgEl('text', { class: 'more', x: PAD_X, y: HEADER_HEIGHT + shape.sub + 2 + shape.rows.length * ROW_HEIGHT + 13 }, `+ ${shape.hidden} more column${shape.hidden === 1 ? '' : 's'}`));
  }
}

/** The middle of the first shown row among `columns`, else of the header. */
function anchorY(shape: TableShape, table: DiagramTable | undefined, columns: readonly string[]): number {
  for (const name of columns) {
    const k = shape.rows.findIndex((c) => c.name === name);
    if (k >= 0) return HEADER_HEIGHT + shape.sub + 2 + k * ROW_HEIGHT + ROW_HEIGHT / 2;
  }
  return table ? HEADER_HEIGHT / 2 : 0;
}

/** A horizontal-ended curve between the facing sides of two boxes (both right sides when they overlap in x). */
function edgePath(a: Box, ya: number, b: Box, yb: number, self: boolean): string {
  if (self) {
    const x = a.x + a.width;
    return `M${x},${ya} C${x + 50},${ya} ${x + 50},${yb} ${x},${yb}`;
  }
  let x1: number;
  let x2: number;
  let d1: number;
  let d2: number;
  if (a.x + a.width + 20 <= b.x) [x1, d1, x2, d2] = [a.x + a.width, 1, b.x, -1];
  else if (b.x + b.width + 20 <= a.x) [x1, d1, x2, d2] = [a.x, -1, b.x + b.width, 1];
  else [x1, d1, x2, d2] = [a.x + a.width, 1, b.x + b.width, 1];
  const bend = Math.max(40, Math.abs(x2 - x1) / 2);
  return `M${x1},${ya} C${x1 + d1 * bend},${ya} ${x2 + d2 * bend},${yb} ${x2},${yb}`;
}

/** Crow's-foot ends, drawn pointing at the table they touch (orient auto-start-reverse turns the start one round). */
export function markerDefs(): SVGDefsElement {
  const defs = svgEl('defs');
  const marker = (id: string, parts: SVGElement[]): void => {
    const m = svgEl('marker', { id, viewBox: '-22 -8 24 16', refX: 0, refY: 0, markerWidth: 24, markerHeight: 16, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' });
    m.setAttribute('class', 'marker');
    m.append(...parts);
    defs.append(m);
  };
  marker('m-one', [svgEl('path', { d: 'M-6,-6 L-6,6 M-10,-6 L-10,6 M-22,0 L0,0' })]);
  marker('m-zero-one', [svgEl('path', { d: 'M-6,-6 L-6,6 M-12,0 L0,0' }), svgEl('circle', { cx: -15, cy: 0, r: 3 })]);
  marker('m-many', [svgEl('path', { d: 'M-10,0 L0,-6 M-10,0 L0,0 M-10,0 L0,6 M-12,0 L-10,0' }), svgEl('circle', { cx: -15, cy: 0, r: 3 })]);
  return defs;
}

/**
 * Draws a laid-out diagram as SVG: schema frames, relation lines with crow's-foot ends, and
 * tables (header with name and findings badge, one row per column shown). Sizes come first
 * (measureTables), so the layout knows each table's box before anything is drawn.
 */
import { outsideLabel, type DiagramColumn, type DiagramRelation, type DiagramTable } from '../../../src/core/erd/diagram';
import type { ColumnMode } from './erd-protocol';
import type { Box, LayoutResult } from './layout';
import { svgEl, svgTitle } from './svg';

export const HEADER_HEIGHT = 26;
export const ROW_HEIGHT = 18;
/** The "N partitions" line under a partitioned table's header. */
const SUB_HEIGHT = 16;
/** A line at the foot of a table for a key to a table not drawn ("→ billing.accounts (not shown)"). */
const OUTSIDE_HEIGHT = 16;
/** At most this many such lines; the rest are counted on one more. */
const OUTSIDE_LINES = 3;
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
  /** The lines at the foot for keys to tables not drawn (fitted to the width), the last maybe "+ N more". */
  outside: string[];
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
    // The foot's lines are in a 10px font: measured at 12px, scaled.
    for (const o of t.outside ?? []) width = Math.max(width, 2 * PAD_X + (measure(outsideLabel(o)) * 10) / 12);
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
    const refs = t.outside ?? [];
    const listed = refs.length > OUTSIDE_LINES ? OUTSIDE_LINES - 1 : refs.length;
    const outside = refs.slice(0, listed).map((o) => fit(outsideLabel(o), (inner * 12) / 10, measure));
    if (refs.length > listed) outside.push(`+ ${refs.length - listed} more keys to tables not drawn`);
    const body = HEADER_HEIGHT + sub + lines * ROW_HEIGHT + (lines > 0 || sub > 0 ? 4 : 0);
    shapes.set(t.id, { width, height: body + outside.length * OUTSIDE_HEIGHT + (outside.length > 0 ? 2 : 0), rows, hidden, keyWidth, name, rowTexts, more, sub, outside });
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
  /**
   * Builds more of the picture — tables first, then relations, each in model order — until
   * `deadline` (a performance.now() time); true once everything is built. Thousands of tables
   * are built over several frames, so the page paints and answers in between.
   */
  drawMore(deadline: number): boolean;
  /** How much is built: tables and relations so far, of all. */
  progress(): { done: number; total: number };
}

const SEVERITY_RANK = { error: 3, warning: 2, info: 1 } as const;

/**
 * Prepares the diagram in `layer` (emptied first; schema frames drawn at once): tables without
 * their rows (see `fill`) and relations are built by `drawMore`. Tables carry `data-i`, their index in `tables`.
 */
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
  let nextTable = 0;
  let nextRelation = 0;
  // Relations in the order of where they start, top to bottom: each frame's new lines repaint one band of the picture, not all of it.
  const top = (r: DiagramRelation): number => layout.nodes.get(r.from)?.y ?? 0;
  const drawOrder = relations.map((_, i) => i).sort((a, b) => top(relations[a]) - top(relations[b]));
  const drawn: DrawnDiagram = {
    tables: new Map(),
    edges: new Map(),
    edgesOf: new Map(),
    fill: (id) => {
      const f = unfilled.get(id);
      unfilled.delete(id);
      f?.();
    },
    drawMore: (deadline) => {
      // Checking the clock every few items: it is cheap, but not free.
      while (nextTable < tables.length) {
        for (let k = 0; k < 16 && nextTable < tables.length; k++, nextTable++) drawTable(tables[nextTable], nextTable);
        if (performance.now() > deadline) return false;
      }
      while (nextRelation < relations.length) {
        for (let k = 0; k < 32 && nextRelation < relations.length; k++, nextRelation++) drawRelation(relations[drawOrder[nextRelation]]);
        if (performance.now() > deadline) return nextRelation >= relations.length;
      }
      return true;
    },
    progress: () => ({ done: nextTable + nextRelation, total: tables.length + relations.length }),
  };
  const byId = new Map(tables.map((t) => [t.id, t]));
  const bundleEnds = new Set<string>();
  const relationIndex = new Map(relations.map((r, i) => [r, i]));

  const drawTable = (t: DiagramTable, i: number): void => {
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
    if (shape.outside.length > 0) {
      // Keys that leave the picture: said at the table's foot, with each key's columns in the tooltip.
      const top = shape.height - shape.outside.length * OUTSIDE_HEIGHT - 2;
      const foot = svgEl('g', { class: 'outside' });
      foot.append(
        svgTitle((t.outside ?? []).map((o) => `${o.name ? `${o.name}: ` : ''}(${o.columns.join(', ')}) ${outsideLabel(o)}${o.refColumns.length ? ` (${o.refColumns.join(', ')})` : ''}`).join('\n')),
        svgEl('line', { x1: 0, y1: top, x2: shape.width, y2: top }),
        ...shape.outside.map((text, k) => svgEl('text', { x: PAD_X, y: top + 12 + k * OUTSIDE_HEIGHT }, text)),
      );
      g.append(foot);
    }
    unfilled.set(t.id, () => fillRows(g, t, shape));
    tableLayer.append(g);
    drawn.tables.set(t.id, g);
  };

  const drawRelation = (r: DiagramRelation): void => {
    const a = layout.nodes.get(r.from);
    const b = layout.nodes.get(r.to);
    const sa = shapes.get(r.from);
    const sb = shapes.get(r.to);
    if (!a || !b || !sa || !sb) return;
    const from = byId.get(r.from);
    const to = byId.get(r.to);
    const ya = a.y + anchorY(sa, from, r.cardinality === 'N:M' ? [] : r.columns);
    const yb = b.y + anchorY(sb, to, r.cardinality === 'N:M' ? [] : r.refColumns);
    // A key to a hub from a table left of it: one line of a bundle that converges on the hub's key row. Markers
    // are what costs most to paint (thousands of them froze the page): the bundle gets one end mark, drawn once.
    const toHub = layout.hubs.has(r.to) && !layout.hubs.has(r.from) && a.x + a.width + 20 <= b.x;
    const path = svgEl('path', {
      class: `edge c-${r.cardinality === 'N:M' ? 'nm' : r.cardinality === '1:1' ? 'one' : 'many'}${r.optional ? ' optional' : ''}${r.identifying ? ' identifying' : ''}${toHub ? ' to-hub' : ''}`,
      d: edgePath(a, ya, b, yb, r.from === r.to),
      ...(!toHub && {
        'marker-start': r.cardinality === 'N:M' ? 'url(#m-many)' : r.cardinality === '1:1' ? 'url(#m-zero-one)' : 'url(#m-many)',
        'marker-end': r.cardinality === 'N:M' ? 'url(#m-many)' : r.optional ? 'url(#m-zero-one)' : 'url(#m-one)',
      }),
    });
    const end = `${r.to}\u0000${yb}`;
    if (toHub && !bundleEnds.has(end)) {
      bundleEnds.add(end);
      edgeLayer.append(svgEl('path', { class: 'edge bundle-end', d: `M${b.x - 24},${yb} L${b.x},${yb}`, 'marker-end': 'url(#m-one)' }));
    }
    // The tooltip is made when the pointer first comes over the line (see edgeTitle): thousands of unused
    // title elements would be a fifth of a big picture's elements.
    path.setAttribute('data-r', String(relationIndex.get(r)));
    edgeLayer.append(path);
    drawn.edges.set(r.id, path);
    for (const end of [r.from, r.to]) {
      let list = drawn.edgesOf.get(end);
      if (!list) drawn.edgesOf.set(end, (list = []));
      list.push(r.id);
    }
  };
  layer.append(groups, edgeLayer, tableLayer);
  return drawn;
}

/** Gives a relation line its tooltip, once: the key's name, cardinality and columns. */
export function edgeTitle(path: Element, relations: readonly DiagramRelation[]): void {
  if (path.querySelector('title')) return;
  const r = relations[Number(path.getAttribute('data-r'))];
  if (!r) return;
  const cols = r.cardinality === 'N:M' ? `N:M through ${r.name ?? r.via}` : `${r.cardinality} ${r.from.replace(/^public\./, '')}(${r.columns.join(', ')}) → ${r.to.replace(/^public\./, '')}(${r.refColumns.join(', ')})`;
  path.append(svgTitle(`${r.name ? `${r.name}: ` : ''}${cols}`));
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

/**
 * The schema diagram's entry (bundled to media/dist/erd-viewer.js). It receives a DiagramModel
 * from the host (src/extension/erd-panel.ts), lays it out (layout.ts) and draws it as SVG
 * (render.ts) with the DOM API only: no HTML strings, so no table or column name can become
 * markup. Pan with the mouse, zoom with the wheel; search, focus on a table's neighbours,
 * collapse columns, open definitions and findings, export Mermaid and SVG.
 */
import { outsideLabel, type DiagramModel, type DiagramTable } from '../../../src/core/erd/diagram';
import { clear, el } from '../dom';
import { MAX_SVG_CHARS, type ColumnMode, type ErdState, type ErdToHost, type HostToErd, type RenderReport, type SourceOption } from './erd-protocol';
import { drawnGraph, neighbourhood, searchIndex, searchTables, type DrawnGraph, type SearchIndex } from './graph';
import { layoutSteps, type LayoutResult } from './layout';
import { drawDiagram, edgeTitle, markerDefs, measureTables, textMeasurer, type DrawnDiagram, type TableShape } from './render';
import { svgEl } from './svg';
import { exportSvg } from './svg-export';

interface VsCodeApi {
  postMessage(message: ErdToHost): void;
  getState(): ErdState | undefined;
  setState(state: ErdState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const saved = api.getState();
const MIN_SCALE = 0.03;
const MAX_SCALE = 3;
/** Below this zoom, column rows are not drawn (nothing is legible there, and panning stays smooth). */
const FAR_SCALE = 0.35;

const state = {
  sourceId: saved?.sourceId,
  columns: (saved?.columns ?? 'all') as ColumnMode,
};

interface View {
  model: DiagramModel;
  sourceId: string;
  graph: DrawnGraph;
  layout: LayoutResult;
  drawn: DrawnDiagram;
  index: SearchIndex;
  byId: Map<string, DiagramTable>;
  focus?: { id: string; depth: number };
}
let view: View | undefined;
let selected: string | undefined;
let matches: string[] = [];
let transform = { x: 0, y: 0, k: 1 };

// ---- page structure

const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
const sourceSelect = el('select', { id: 'source', title: 'Where the diagram comes from' });
const refreshButton = button('refresh', 'Refresh', 'Read the source again');
// A visible label, not hint text inside the box: it stays readable while the user types.
const searchLabel = el('label', { text: 'Search', attrs: { for: 'search' } });
const search = el('input', { id: 'search', title: 'Tables and columns whose name holds the text', attrs: { type: 'search', 'aria-label': 'Search tables and columns' } });
const searchCount = el('span', { id: 'search-count', class: 'muted', attrs: { 'aria-live': 'polite' } });
const columnsSelect = el('select', { id: 'columns', title: 'Columns shown in each table' }, [
  el('option', { text: 'All columns', attrs: { value: 'all' } }),
  el('option', { text: 'Keys only', attrs: { value: 'keys' } }),
  el('option', { text: 'Names only', attrs: { value: 'none' } }),
]);
columnsSelect.value = state.columns;
const focus1 = button('focus-1', 'Focus 1', 'Show the selected table and its direct neighbours');
const focus2 = button('focus-2', 'Focus 2', 'Show the selected table and tables up to two relations away');
const showAll = button('show-all', 'Show all', 'Show every table again');
showAll.hidden = true;
const zoomOut = button('zoom-out', '−', 'Zoom out (-)');
const fitButton = button('fit', 'Fit', 'Fit the diagram to the window (0)');
const zoomIn = button('zoom-in', '+', 'Zoom in (+)');
const copyMermaid = button('copy-mermaid', 'Copy Mermaid', 'Copy the diagram as a Mermaid erDiagram block, for a README or a pull request');
const saveMermaid = button('save-mermaid', 'Save .mmd…', 'Save the diagram as Mermaid erDiagram text');
const saveSvg = button('save-svg', 'Save SVG…', 'Save the picture as it is drawn (theme colours included) as SVG');

const toolbar = el('div', { class: 'toolbar', role: 'toolbar' }, [
  el('label', { text: 'Source', attrs: { for: 'source' } }),
  sourceSelect,
  refreshButton,
  el('span', { class: 'sep' }),
  searchLabel,
  search,
  searchCount,
  el('span', { class: 'sep' }),
  columnsSelect,
  focus1,
  focus2,
  showAll,
  el('span', { class: 'sep' }),
  zoomOut,
  fitButton,
  zoomIn,
  el('span', { class: 'sep' }),
  copyMermaid,
  saveMermaid,
  saveSvg,
]);
const banner = el('div', { id: 'notes', class: 'banner', role: 'note' });
banner.hidden = true;
const errorBox = el('div', { id: 'error', class: 'error', role: 'alert' });
errorBox.hidden = true;

const svg = svgEl('svg', { id: 'canvas', role: 'img', 'aria-label': 'Schema diagram' });
const viewport = svgEl('g', { id: 'viewport' });
const layer = svgEl('g', { id: 'diagram' });
viewport.append(layer);
svg.append(markerDefs(), viewport);
const details = el('aside', { id: 'details', attrs: { 'aria-label': 'Selected table' } });
details.hidden = true;
const status = el('div', { id: 'status', class: 'status', text: 'Waiting for the schema…', attrs: { 'aria-live': 'polite' } });
app.append(toolbar, banner, errorBox, el('div', { class: 'main' }, [svg, details]), status);

const measure = textMeasurer({ family: getComputedStyle(document.body).fontFamily || 'sans-serif', size: 12 });

function button(id: string, text: string, title: string): HTMLButtonElement {
  return el('button', { id, class: 'action', text, title, attrs: { type: 'button' } });
}

function persist(): void {
  api.setState({ version: 1, sourceId: state.sourceId, columns: state.columns });
}

// ---- messages

window.addEventListener('message', (event: MessageEvent<HostToErd>) => {
  const m = event.data;
  if (!m || typeof m !== 'object') return;
  switch (m.type) {
    case 'sources':
      showSources(m.sources, m.selected);
      break;
    case 'loading':
      status.textContent = `Reading ${m.label}…`;
      break;
    case 'model':
      showModel(m.payload, m.sourceId);
      break;
    case 'error':
      showError(m.message, m.hint);
      break;
  }
});

function showSources(sources: SourceOption[], selectedId: string | undefined): void {
  clear(sourceSelect);
  const kinds: Record<SourceOption['kind'], string> = { migrations: 'Migrations', prisma: 'Prisma', live: 'Live' };
  for (const s of sources) sourceSelect.append(el('option', { text: `${kinds[s.kind]}: ${s.label}`, attrs: { value: s.id } }));
  if (selectedId !== undefined) sourceSelect.value = selectedId;
  sourceSelect.disabled = sources.length === 0;
}

function showError(message: string, hint?: string): void {
  clear(errorBox);
  errorBox.append(el('strong', { text: message }));
  if (hint) errorBox.append(el('div', { class: 'hint', text: hint }));
  errorBox.hidden = false;
  status.textContent = message;
}

function showModel(payload: string, sourceId: string): void {
  const started = performance.now();
  const model = JSON.parse(payload) as DiagramModel;
  errorBox.hidden = true;
  state.sourceId = sourceId;
  persist();
  clear(banner);
  banner.hidden = model.notes.length === 0;
  for (const n of model.notes) banner.append(el('div', { text: n }));
  selected = undefined;
  details.hidden = true;
  // On screen two frames after the DOM is built: the first part of a big picture, then the whole.
  const afterPaint = (f: () => void): void => void requestAnimationFrame(() => requestAnimationFrame(f));
  let firstPaintMs: number | undefined;
  const firstDrawn = (): void => afterPaint(() => (firstPaintMs ??= performance.now() - started));
  render(model, sourceId, undefined, true, firstDrawn, (phases) =>
    afterPaint(() => {
      if (!view || view.model !== model) return;
      const ms = performance.now() - started;
      const report: RenderReport = {
        sourceId,
        tables: view.graph.tables.length,
        relations: view.graph.relations.length,
        badges: view.graph.tables.filter((t) => t.findings.length > 0).length,
        ms,
        firstPaintMs: Math.min(firstPaintMs ?? ms, ms),
        ...phases,
      };
      api.postMessage({ type: 'rendered', report });
    }),
  );
}

/** The next frame's part of a picture being built (a new render cancels it). */
let buildFrame = 0;
/** Work budgets: the first frame, then each next one, so the page paints and answers while a big picture is built. */
const FIRST_FRAME_MS = 120;
const NEXT_FRAME_MS = 40;
/** Tables measured per step. */
const MEASURE_BATCH = 250;

type Phases = { measureMs: number; layoutMs: number; drawMs: number };

/**
 * Lays out and draws `model` (only the `focus` neighbourhood when given). A small picture is
 * done at once; a big one is measured, laid out (piece by piece) and built (tables first) over
 * several frames, with its progress in the status line. `done` runs once all of it is built.
 */
function render(model: DiagramModel, sourceId: string, focus: View['focus'], fit: boolean, firstDrawn?: () => void, done?: (phases: Phases) => void): void {
  if (buildFrame !== 0) cancelAnimationFrame(buildFrame);
  buildFrame = 0;
  let deadline = 0;
  const work = build(model, sourceId, focus, fit, () => deadline, firstDrawn, done);
  const run = (budget: number): void => {
    deadline = performance.now() + budget;
    let step = work.next();
    while (!step.done && performance.now() < deadline) step = work.next();
    if (step.done) {
      buildFrame = 0;
      return;
    }
    status.textContent = step.value;
    buildFrame = requestAnimationFrame(() => run(NEXT_FRAME_MS));
  };
  run(FIRST_FRAME_MS);
}

/** The steps of render; each yield is a point where the frame may end, with what the status line says meanwhile. */
function* build(
  model: DiagramModel,
  sourceId: string,
  focus: View['focus'],
  fit: boolean,
  deadline: () => number,
  firstDrawn?: () => void,
  done?: (phases: Phases) => void,
): Generator<string, void> {
  const phases: Phases = { measureMs: 0, layoutMs: 0, drawMs: 0 };
  const only = focus ? neighbourhood(model, focus.id, focus.depth) : undefined;
  const graph = drawnGraph(model, only);
  const n = graph.tables.length;
  const shapes = new Map<string, TableShape>();
  for (let i = 0; i < n; i += MEASURE_BATCH) {
    const t = performance.now();
    for (const [id, shape] of measureTables(graph.tables.slice(i, i + MEASURE_BATCH), state.columns, measure)) shapes.set(id, shape);
    phases.measureMs += performance.now() - t;
    yield `Measuring ${n} tables…`;
  }
  const steps = layoutSteps(
    graph.tables.map((t) => ({ id: t.id, width: shapes.get(t.id)!.width, height: shapes.get(t.id)!.height, group: t.schema })),
    graph.relations.map((r) => ({ from: r.from, to: r.to })),
    { aspect: Math.max(0.8, (svg.clientWidth || 1000) / (svg.clientHeight || 700)) },
  );
  let layout: LayoutResult;
  for (;;) {
    const t = performance.now();
    const step = steps.next();
    phases.layoutMs += performance.now() - t;
    if (step.done) {
      layout = step.value;
      break;
    }
    yield `Laying out ${n} tables… ${Math.floor(100 * step.value)} %`;
  }
  const drawn = drawDiagram(layer, graph.tables, graph.relations, shapes, layout);
  view = { model, sourceId, graph, layout, drawn, index: searchIndex(graph.tables), byId: new Map(model.tables.map((t) => [t.id, t])), focus };
  showAll.hidden = !focus;
  if (fit) fitView();
  for (;;) {
    const t = performance.now();
    const complete = drawn.drawMore(deadline());
    phases.drawMs += performance.now() - t;
    firstDrawn?.();
    firstDrawn = undefined;
    if (complete) break;
    const { done: built, total } = drawn.progress();
    yield `Drawing ${n} tables and ${graph.relations.length} relations… ${Math.floor((100 * built) / total)} %`;
  }
  const hiddenJoins = model.tables.filter((t) => t.joinTable?.implicit).length;
  const hubs = layout.hubs.size;
  status.textContent =
    `${n} table${n === 1 ? '' : 's'} · ${graph.relations.length} relation${graph.relations.length === 1 ? '' : 's'}` +
    (focus ? ` · focused on ${focus.id} (depth ${focus.depth})` : '') +
    (hiddenJoins ? ` · ${hiddenJoins} implicit join table${hiddenJoins === 1 ? '' : 's'} drawn as N:M` : '') +
    (hubs ? ` · ${hubs} table${hubs === 1 ? '' : 's'} referenced by many at the right of ${hubs === 1 ? 'its' : 'their'} schema` : '') +
    ` · ${model.source.label}`;
  if (selected && drawn.tables.has(selected)) select(selected, false);
  else if (selected) select(undefined, false);
  runSearch();
  // The rows in view come with the picture (later ones as the view moves).
  if (fillFrame !== 0) cancelAnimationFrame(fillFrame);
  fillVisible();
  done?.(phases);
}

// ---- selection, details, host requests

function tableOf(target: EventTarget | null): { table: DiagramTable; column?: string; badge: boolean } | undefined {
  if (!(target instanceof Element) || !view) return undefined;
  const g = target.closest('.table');
  if (!g) return undefined;
  const table = view.graph.tables[Number(g.getAttribute('data-i'))];
  if (!table) return undefined;
  const row = target.closest('.col');
  const c = row ? table.columns[Number(row.getAttribute('data-c'))] : undefined;
  return { table, column: c?.name, badge: target.closest('[data-badge]') !== null };
}

function select(id: string | undefined, show = true): void {
  if (!view) return;
  svg.querySelectorAll('.selected, .related').forEach((g) => g.classList.remove('selected', 'related'));
  selected = id;
  if (!id) {
    details.hidden = true;
    return;
  }
  view.drawn.tables.get(id)?.classList.add('selected');
  // A hub has thousands of relations: looked up by id, not searched for each.
  const byId = new Map(view.graph.relations.map((x) => [x.id, x]));
  for (const r of view.drawn.edgesOf.get(id) ?? []) {
    view.drawn.edges.get(r)?.classList.add('related');
    const rel = byId.get(r);
    const other: string | undefined = rel && (rel.from === id ? rel.to : rel.from);
    if (other && other !== id) view.drawn.tables.get(other)?.classList.add('related');
  }
  if (show) showDetails(id);
}

function showDetails(id: string): void {
  const t = view?.byId.get(id);
  if (!t || !view) return;
  clear(details);
  details.hidden = false;
  const files = view.model.files;
  const where = t.definition ? `${baseName(files[t.definition.file])}:${t.definition.line + 1}` : 'no source file';
  details.append(
    el('button', { class: 'close', text: '×', title: 'Close', attrs: { type: 'button', 'aria-label': 'Close' } }),
    el('h2', { text: t.schema === 'public' ? t.name : `${t.schema}.${t.name}` }),
    el('div', { class: 'muted', text: `${t.columns.length} column${t.columns.length === 1 ? '' : 's'}${t.joinTable ? ' · join table (N:M)' : ''}` }),
    t.definition ? el('button', { id: 'go-definition', class: 'link', text: `Go to definition (${where})`, attrs: { type: 'button' } }) : el('div', { class: 'muted', text: where }),
  );
  if (t.comment) details.append(el('p', { text: t.comment }));
  if (t.partitions?.length) {
    const n = t.partitions.length;
    details.append(el('div', { class: 'muted', text: `${n} partition${n === 1 ? '' : 's'}` }), el('p', { id: 'partitions', text: t.partitions.join(', ') }));
  }
  // With a focus, the drawn table also lists the keys to the tables the focus left out.
  const outside = view.graph.tables.find((x) => x.id === id)?.outside ?? t.outside ?? [];
  if (outside.length > 0) {
    details.append(
      el('div', { class: 'muted', text: 'Keys to tables not drawn' }),
      el('ul', { id: 'outside' }, outside.map((o) => el('li', { text: `(${o.columns.join(', ')}) ${outsideLabel(o)}${o.name ? ` · ${o.name}` : ''}` }))),
    );
  }
  if (t.findings.length > 0) {
    const list = el('ul', { id: 'findings' });
    t.findings.forEach((f, i) => {
      const item = el('li', { class: 'finding-item' }, [
        el('span', { class: `sev-${f.severity}-text`, text: `${f.severity} ` }),
        el('span', { class: 'rule', text: f.ruleId }),
        f.hasFix ? el('span', { class: 'muted', text: ' · quick fix' }) : null,
        el('div', {}, [el('button', { class: 'link finding-open', text: f.message, attrs: { type: 'button', 'data-f': String(i) } })]),
      ]);
      list.append(item);
    });
    details.append(el('div', { class: 'muted', text: 'Findings' }), list);
  }
}

function baseName(file: string | undefined): string {
  return file ? file.split(/[\\/]/).pop() ?? file : '';
}

details.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target : null;
  if (!target || !selected) return;
  if (target.closest('.close')) select(undefined);
  if (target.closest('#go-definition')) api.postMessage({ type: 'reveal', table: selected });
  const finding = target.closest('.finding-open');
  if (finding) api.postMessage({ type: 'openFinding', table: selected, index: Number(finding.getAttribute('data-f')) });
});

// ---- pan and zoom

function applyTransform(): void {
  viewport.setAttribute('transform', `translate(${transform.x},${transform.y}) scale(${transform.k})`);
  svg.classList.toggle('far', transform.k < FAR_SCALE);
  fillSoon();
}

let fillFrame = 0;
function fillSoon(): void {
  if (fillFrame === 0) fillFrame = requestAnimationFrame(fillVisible);
}

/** Draws the column rows of the tables in view (and a margin around it), at a zoom where they can be read. */
function fillVisible(): void {
  fillFrame = 0;
  if (!view || transform.k < FAR_SCALE) return;
  const w = svg.clientWidth || 1000;
  const h = svg.clientHeight || 700;
  const margin = 200 / transform.k;
  const x0 = -transform.x / transform.k - margin;
  const y0 = -transform.y / transform.k - margin;
  const x1 = x0 + w / transform.k + 2 * margin;
  const y1 = y0 + h / transform.k + 2 * margin;
  for (const [id, b] of view.layout.nodes) {
    if (b.x < x1 && b.x + b.width > x0 && b.y < y1 && b.y + b.height > y0) view.drawn.fill(id);
  }
}

/** The view is as Fit left it (no pan or zoom since): a resize fits again instead of keeping the centre. */
let fitted = false;

function fitView(): void {
  if (!view) return;
  fitted = true;
  const w = svg.clientWidth || 1000;
  const h = svg.clientHeight || 700;
  const { width, height } = view.layout;
  const k = Math.min(MAX_SCALE, 1, Math.max(MIN_SCALE, Math.min((w - 40) / Math.max(width, 1), (h - 40) / Math.max(height, 1))));
  transform = { k, x: (w - width * k) / 2, y: Math.max(20, (h - height * k) / 2) };
  applyTransform();
}

// The details pane opening, or the panel resized: fit again, or keep the point in the middle where it was.
let size = { w: 0, h: 0 };
new ResizeObserver(() => {
  const w = svg.clientWidth;
  const h = svg.clientHeight;
  if (size.w > 0 && (w !== size.w || h !== size.h)) {
    if (fitted) fitView();
    else {
      transform = { ...transform, x: transform.x + (w - size.w) / 2, y: transform.y + (h - size.h) / 2 };
      applyTransform();
    }
  }
  size = { w, h };
}).observe(svg);

function zoomAt(factor: number, cx: number, cy: number): void {
  fitted = false;
  const k = Math.min(MAX_SCALE, Math.max(MIN_SCALE, transform.k * factor));
  transform = { k, x: cx - ((cx - transform.x) * k) / transform.k, y: cy - ((cy - transform.y) * k) / transform.k };
  applyTransform();
}

function centerOn(id: string): void {
  const box = view?.layout.nodes.get(id);
  if (!box) return;
  fitted = false;
  const k = Math.max(transform.k, 0.9);
  const w = svg.clientWidth || 1000;
  const h = svg.clientHeight || 700;
  transform = { k, x: w / 2 - (box.x + box.width / 2) * k, y: h / 2 - (box.y + Math.min(box.height, 200) / 2) * k };
  applyTransform();
}

let drag: { x: number; y: number; tx: number; ty: number; moved: boolean; id: number } | undefined;
svg.addEventListener('pointerdown', (e) => {
  if (e.button !== 0) return;
  drag = { x: e.clientX, y: e.clientY, tx: transform.x, ty: transform.y, moved: false, id: e.pointerId };
});
svg.addEventListener('pointermove', (e) => {
  if (!drag || drag.id !== e.pointerId) return;
  const dx = e.clientX - drag.x;
  const dy = e.clientY - drag.y;
  if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
  if (!drag.moved) {
    drag.moved = true;
    svg.setPointerCapture(e.pointerId);
    svg.classList.add('panning');
  }
  fitted = false;
  transform = { ...transform, x: drag.tx + dx, y: drag.ty + dy };
  applyTransform();
});
const endDrag = (e: PointerEvent): void => {
  if (!drag || drag.id !== e.pointerId) return;
  const moved = drag.moved;
  drag = undefined;
  svg.classList.remove('panning');
  if (moved) {
    // The click that ends a pan selects nothing.
    const swallow = (c: Event): void => c.stopPropagation();
    svg.addEventListener('click', swallow, { capture: true, once: true });
    setTimeout(() => svg.removeEventListener('click', swallow, { capture: true }), 0);
  }
};
svg.addEventListener('pointerup', endDrag);
svg.addEventListener('pointercancel', endDrag);
svg.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.clientX - r.left, e.clientY - r.top);
  },
  { passive: false },
);

svg.addEventListener('pointerover', (e) => {
  if (view && e.target instanceof SVGPathElement && e.target.hasAttribute('data-r')) edgeTitle(e.target, view.graph.relations);
});

svg.addEventListener('click', (e) => {
  const hit = tableOf(e.target);
  if (!hit) {
    select(undefined);
    return;
  }
  select(hit.table.id);
  if (hit.badge && hit.table.findings.length > 0) api.postMessage({ type: 'openFinding', table: hit.table.id, index: 0 });
  else api.postMessage({ type: 'reveal', table: hit.table.id, ...(hit.column !== undefined && { column: hit.column }) });
});

svg.addEventListener('keydown', (e) => {
  const hit = tableOf(e.target);
  if (hit && (e.key === 'Enter' || e.key === ' ')) {
    e.preventDefault();
    select(hit.table.id);
    api.postMessage({ type: 'reveal', table: hit.table.id });
  }
});

document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
  const r = svg.getBoundingClientRect();
  if (e.key === '+' || e.key === '=') zoomAt(1.25, r.width / 2, r.height / 2);
  else if (e.key === '-') zoomAt(0.8, r.width / 2, r.height / 2);
  else if (e.key === '0') fitView();
  else if (e.key === '/') {
    e.preventDefault();
    search.focus();
  } else if (e.key === 'Escape' && view?.focus) unfocus();
});

zoomIn.addEventListener('click', () => zoomAt(1.25, svg.clientWidth / 2, svg.clientHeight / 2));
zoomOut.addEventListener('click', () => zoomAt(0.8, svg.clientWidth / 2, svg.clientHeight / 2));
fitButton.addEventListener('click', fitView);

// ---- search, focus, columns

function runSearch(): void {
  if (!view) return;
  for (const id of matches) view.drawn.tables.get(id)?.classList.remove('match');
  const q = search.value;
  const found = searchTables(view.index, q);
  matches = [...found.byName, ...found.byColumn];
  svg.classList.toggle('searching', q.trim() !== '');
  for (const id of matches) view.drawn.tables.get(id)?.classList.add('match');
  searchCount.textContent =
    q.trim() === ''
      ? ''
      : matches.length === 0
        ? 'no table'
        : `${matches.length} table${matches.length === 1 ? '' : 's'}${found.byColumn.length ? ` (${found.byColumn.length} by column)` : ''}`;
}

search.addEventListener('input', runSearch);
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && matches.length > 0) {
    select(matches[0]);
    centerOn(matches[0]);
  } else if (e.key === 'Escape') {
    search.value = '';
    runSearch();
  }
});

function focusOn(depth: number): void {
  if (!view) return;
  const id = selected ?? matches[0];
  if (!id) {
    status.textContent = 'Select a table first (click it, or search and press Enter), then Focus.';
    return;
  }
  selected = id;
  render(view.model, view.sourceId, { id, depth }, true, undefined, () => select(id));
}

function unfocus(): void {
  if (!view) return;
  const keep = selected;
  render(view.model, view.sourceId, undefined, true, undefined, () => {
    if (!keep) return;
    select(keep);
    centerOn(keep);
  });
}

focus1.addEventListener('click', () => focusOn(1));
focus2.addEventListener('click', () => focusOn(2));
showAll.addEventListener('click', unfocus);
columnsSelect.addEventListener('change', () => {
  state.columns = columnsSelect.value as ColumnMode;
  persist();
  if (view) render(view.model, view.sourceId, view.focus, false);
});

// ---- source and exports

sourceSelect.addEventListener('change', () => api.postMessage({ type: 'selectSource', id: sourceSelect.value }));
refreshButton.addEventListener('click', () => api.postMessage({ type: 'refresh' }));
copyMermaid.addEventListener('click', () => api.postMessage({ type: 'exportMermaid', target: 'clipboard' }));
saveMermaid.addEventListener('click', () => api.postMessage({ type: 'exportMermaid', target: 'file' }));
saveSvg.addEventListener('click', () => {
  if (!view) return;
  // A picture still being built is finished first: the file gets all of it.
  view.drawn.drawMore(Infinity);
  for (const id of view.layout.nodes.keys()) view.drawn.fill(id);
  for (const path of view.drawn.edges.values()) edgeTitle(path, view.graph.relations);
  const text = exportSvg(svg, view.layout);
  if (text.length > MAX_SVG_CHARS) {
    // The host refuses it (a message that size would stall the editor): say so rather than do nothing.
    showError(
      `The SVG of this diagram would be ${Math.round(text.length / 1048576)} MB, more than the ${MAX_SVG_CHARS / 1048576} MB pglens saves.`,
      'Focus on a table (Focus 1 / Focus 2) or show keys only, then save again; or use Save .mmd… for the whole schema.',
    );
    return;
  }
  api.postMessage({ type: 'saveSvg', svg: text });
});

applyTransform();
api.postMessage({ type: 'ready' });

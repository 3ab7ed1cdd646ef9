/**
 * The plan tree as an ARIA tree, virtualised: rows have a fixed height and only those in (or
 * near) the viewport exist in the DOM, so a 10,000-node plan costs the same as a 50-node one.
 * Focus stays on the tree element; aria-activedescendant names the selected row.
 */
import { el } from './dom';
import { renderNodeRow, rowDomId } from './node-row';
import type { TreeModel } from './tree-model';

/** Rows rendered beyond each edge of the viewport, so fast scrolling rarely shows blanks. */
const OVERSCAN = 12;
const FALLBACK_ROW_HEIGHT = 58;
const FALLBACK_VIEWPORT = 900;

export interface TreeViewEvents {
  select(id: number): void;
  /** Expansion changed (for persisting state). */
  changed(): void;
}

export class TreeView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLElement;
  private rows: number[] = [];
  private rowIndex = new Map<number, number>();
  private rendered = new Map<number, HTMLElement>();
  private rowHeight = 0;
  private indentStep = 14;
  private frame = 0;
  /** Viewport height, kept by a ResizeObserver: reading clientHeight mid-update forces a layout. */
  private viewport = 0;
  selectedId: number;

  constructor(
    private readonly model: TreeModel,
    private readonly findingCounts: Map<number, number>,
    private readonly events: TreeViewEvents,
    selectedId: number,
  ) {
    this.selectedId = selectedId;
    this.canvas = el('div', 'tree-canvas');
    this.element = el('div', {
      class: 'tree',
      id: 'tree',
      role: 'tree',
      attrs: { tabindex: '0', 'aria-label': 'Plan nodes' },
    }, [this.canvas]);
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('click', (e) => this.onClick(e));
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(() => {
        this.viewport = this.element.clientHeight;
        const step = this.model.indentStep(this.element.clientWidth || 400);
        if (step !== this.indentStep) this.restructure();
        else this.schedule();
      }).observe(this.element);
    }
    this.restructure();
  }

  /** Recompute the visible rows after expansion changed, and redraw. */
  restructure(): void {
    this.rows = this.model.visibleRows();
    this.rowIndex = new Map();
    for (let i = 0; i < this.rows.length; i++) this.rowIndex.set(this.rows[i], i);
    this.indentStep = this.model.indentStep(this.element.clientWidth || 400);
    for (const r of this.rendered.values()) r.remove();
    this.rendered.clear();
    this.draw();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private measure(): number {
    if (this.rowHeight > 0) return this.rowHeight;
    const first = this.model.node(this.rows[0]);
    if (!first) return FALLBACK_ROW_HEIGHT;
    const probe = this.row(first.id);
    this.canvas.append(probe);
    const h = probe.offsetHeight;
    probe.remove();
    if (h > 0) this.rowHeight = h;
    return h > 0 ? h : FALLBACK_ROW_HEIGHT;
  }

  private draw(): void {
    const h = this.measure();
    this.canvas.style.height = `${this.rows.length * h}px`;
    const top = this.element.scrollTop;
    const viewport = this.viewportHeight();
    const first = Math.max(0, Math.floor(top / h) - OVERSCAN);
    const last = Math.min(this.rows.length - 1, Math.ceil((top + viewport) / h) + OVERSCAN);
    const keep = new Set<number>();
    for (let i = first; i <= last; i++) keep.add(this.rows[i]);
    for (const [id, node] of this.rendered) {
      if (!keep.has(id)) {
        node.remove();
        this.rendered.delete(id);
      }
    }
    for (let i = first; i <= last; i++) {
      const id = this.rows[i];
      let node = this.rendered.get(id);
      if (!node) {
        node = this.row(id);
        node.style.top = `${i * h}px`;
        this.canvas.append(node);
        this.rendered.set(id, node);
      }
    }
    if (this.rendered.has(this.selectedId)) this.element.setAttribute('aria-activedescendant', rowDomId(this.selectedId));
    else this.element.removeAttribute('aria-activedescendant');
  }

  private viewportHeight(): number {
    if (this.viewport === 0) this.viewport = this.element.clientHeight;
    return this.viewport || FALLBACK_VIEWPORT;
  }

  private row(id: number): HTMLElement {
    const n = this.model.node(id)!;
    const parent = n.parentId === null ? undefined : this.model.node(n.parentId);
    const siblings = parent ? parent.children : [n];
    return renderNodeRow(n, {
      analyzed: this.model.report.summary.analyzed,
      hot: this.model.hot.has(id),
      owner: this.model.owners.has(id),
      expanded: this.model.isExpanded(id),
      selected: id === this.selectedId,
      findings: this.findingCounts.get(id) ?? 0,
      indentPx: 4 + n.depth * this.indentStep,
      setSize: siblings.length,
      posInSet: parent ? siblings.indexOf(n) + 1 : 1,
    });
  }

  /** Select a node; `reveal` expands its ancestors and scrolls it into view. */
  select(id: number, options: { reveal?: boolean; center?: boolean; focus?: boolean } = {}): void {
    if (!this.model.node(id)) return;
    if (options.reveal && !this.rowIndex.has(id)) {
      this.model.revealPath(id);
      this.restructure();
      this.events.changed();
    }
    // Focus and scroll before touching rows, so neither forces a second layout.
    if (options.focus && document.activeElement !== this.element) this.element.focus({ preventScroll: true });
    const scrolled = this.scrollTo(id, options.center ?? false);
    const prev = this.rendered.get(this.selectedId);
    if (prev) {
      prev.classList.remove('selected');
      prev.setAttribute('aria-selected', 'false');
    }
    this.selectedId = id;
    const cur = this.rendered.get(id);
    if (cur) {
      cur.classList.add('selected');
      cur.setAttribute('aria-selected', 'true');
    }
    if (scrolled || !cur) this.draw();
    else this.element.setAttribute('aria-activedescendant', rowDomId(id));
    this.events.select(id);
  }

  /** Scrolls row `id` into view; true when the scroll position changed. */
  private scrollTo(id: number, center: boolean): boolean {
    const i = this.rowIndex.get(id);
    if (i === undefined) return false;
    const h = this.measure();
    const viewport = this.viewportHeight();
    const top = i * h;
    const current = this.element.scrollTop;
    let next = current;
    if (center) next = Math.max(0, top - viewport / 2 + h / 2);
    else if (top < current) next = top;
    else if (top + h > current + viewport) next = top + h - viewport;
    if (Math.abs(next - current) < 1) return false;
    this.element.scrollTop = next;
    return true;
  }

  toggle(id: number, open?: boolean): void {
    if (!this.model.toggle(id, open)) return;
    this.restructure();
    this.events.changed();
  }

  expandAll(): void {
    this.model.expandAll();
    this.restructure();
    this.events.changed();
  }

  collapseToDefault(): void {
    this.model.expandDefault();
    this.model.revealPath(this.selectedId);
    this.restructure();
    this.select(this.selectedId);
    this.events.changed();
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as Element | null;
    const row = target?.closest<HTMLElement>('.node');
    if (!row) return;
    const id = Number(row.dataset.id);
    if (target?.closest('[data-toggle]')) this.toggle(id);
    this.select(id, { focus: true });
  }

  private onKey(e: KeyboardEvent): void {
    const i = this.rowIndex.get(this.selectedId) ?? 0;
    const n = this.model.node(this.selectedId);
    if (!n) return;
    const page = Math.max(1, Math.floor(this.viewportHeight() / this.measure()) - 1);
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
        next = this.rows[Math.min(this.rows.length - 1, i + 1)];
        break;
      case 'ArrowUp':
        next = this.rows[Math.max(0, i - 1)];
        break;
      case 'PageDown':
        next = this.rows[Math.min(this.rows.length - 1, i + page)];
        break;
      case 'PageUp':
        next = this.rows[Math.max(0, i - page)];
        break;
      case 'Home':
        next = this.rows[0];
        break;
      case 'End':
        next = this.rows[this.rows.length - 1];
        break;
      case 'ArrowRight':
        if (n.children.length > 0 && !this.model.isExpanded(n.id)) this.toggle(n.id, true);
        else if (n.children.length > 0) next = n.children[0].id;
        break;
      case 'ArrowLeft':
        if (n.children.length > 0 && this.model.isExpanded(n.id)) this.toggle(n.id, false);
        else if (n.parentId !== null) next = n.parentId;
        break;
      case 'Enter':
      case ' ':
        this.toggle(n.id);
        break;
      case '*':
        this.expandAll();
        break;
      default:
        return;
    }
    e.preventDefault();
    this.select(next ?? n.id);
  }
}


/**
 * Automatic layout of the diagram with dagre (@dagrejs/dagre; chosen over elkjs by measurement,
 * see docs/schema-diagram.md). Each schema is a group; inside a group each connected set of
 * tables is laid out by dagre on its own (left to right, referencing tables before the tables
 * they reference), and the pieces are packed in rows, the biggest first, to about the screen's
 * proportions; then the groups are packed the same way. A lone table skips dagre altogether: in
 * real schemas most pieces are small, and dagre's cost grows faster than linearly with a piece.
 * No DOM: tested and benched in Node.
 */
import { Graph, layout as dagreLayout } from '@dagrejs/dagre';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  group: string;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GroupBox extends Box {
  name: string;
}

export interface LayoutResult {
  /** Top-left corner and size of each node. */
  nodes: Map<string, Box>;
  /** Hub tables (referenced by many): laid out apart, in a column at the right of their group; edges to them are drawn as a bundle. */
  hubs: Set<string>;
  groups: GroupBox[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Width / height the packing aims at (default 1.6, a wide editor). */
  aspect?: number;
  /** Draw schema frames (default: only when there is more than one schema). */
  frames?: boolean;
}

const NODE_SEP = 28;
const RANK_SEP = 70;
const PIECE_GAP = 40;
const GROUP_PAD = 16;
const GROUP_TITLE = 26;
const GROUP_GAP = 60;
/**
 * A table referenced by more tables than this (in its group) is a hub: `tenants`, `users` in a
 * multi-tenant schema. Left in the graph, a hub joins every table into one piece for dagre, whose
 * cost grows faster than linearly (2,000 tables all referencing two hubs: 19 s). Taken out, the
 * rest falls apart into small pieces; the hubs stand in a column of their own at the right of
 * the group, where every referencing table (to their left) faces them.
 */
export const HUB_MIN_REFERENCES = 40;

export function layoutDiagram(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], options: LayoutOptions = {}): LayoutResult {
  const steps = layoutSteps(nodes, edges, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The layout one piece at a time: yields the share of tables laid out so far (0–1) after each
 * piece, so a viewer can spread a big layout over several frames and keep answering.
 */
export function* layoutSteps(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], options: LayoutOptions = {}): Generator<number, LayoutResult> {
  const aspect = options.aspect ?? 1.6;
  const groupsByName = new Map<string, LayoutNode[]>();
  for (const n of nodes) {
    let list = groupsByName.get(n.group);
    if (!list) groupsByName.set(n.group, (list = []));
    list.push(n);
  }
  const frames = options.frames ?? groupsByName.size > 1;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const inner = new Map<string, LayoutEdge[]>();
  for (const e of edges) {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b || a.group !== b.group || e.from === e.to) continue;
    let list = inner.get(a.group);
    if (!list) inner.set(a.group, (list = []));
    list.push(e);
  }

  const placed = new Map<string, Box>();
  const hubs = new Set<string>();
  let done = 0;
  const groupItems: { name: string; width: number; height: number; nodes: Map<string, Box> }[] = [];
  for (const [name, members] of groupsByName) {
    const groupEdges = inner.get(name) ?? [];
    const groupHubs = hubsOf(groupEdges);
    for (const h of groupHubs) hubs.add(h);
    const isHub = (id: string): boolean => groupHubs.has(id);
    const rest = groupHubs.size > 0 ? members.filter((n) => !isHub(n.id)) : members;
    const restEdges = groupHubs.size > 0 ? groupEdges.filter((e) => !isHub(e.from) && !isHub(e.to)) : groupEdges;
    const pieces: Piece[] = [];
    for (const piece of components(rest, restEdges)) {
      pieces.push(layoutPiece(piece.nodes, piece.edges, aspect));
      done += piece.nodes.length;
      yield done / nodes.length;
    }
    const packed = pack(pieces, aspect, PIECE_GAP);
    const local = new Map<string, Box>();
    packed.items.forEach((piece, i) => {
      const at = packed.at[i];
      for (const [id, b] of piece.nodes) local.set(id, { ...b, x: b.x + at.x, y: b.y + at.y });
    });
    let width = packed.width;
    let height = packed.height;
    if (groupHubs.size > 0) {
      // The hubs (and the keys among them) as one column, centred on the height of the rest, a wide rank gap to their left.
      const hubPieces = components(
        members.filter((n) => isHub(n.id)),
        groupEdges.filter((e) => isHub(e.from) && isHub(e.to)),
      ).map((piece) => layoutPiece(piece.nodes, piece.edges, aspect));
      const column = stack(hubPieces, PIECE_GAP);
      const x0 = packed.items.length > 0 ? packed.width + 3 * RANK_SEP : 0;
      const y0 = Math.max(0, (packed.height - column.height) / 2);
      for (const [id, b] of column.nodes) local.set(id, { ...b, x: b.x + x0, y: b.y + y0 });
      width = x0 + column.width;
      height = Math.max(packed.height, y0 + column.height);
    }
    const pad = frames ? GROUP_PAD : 0;
    const title = frames ? GROUP_TITLE : 0;
    groupItems.push({ name, width: width + 2 * pad, height: height + 2 * pad + title, nodes: local });
  }
  const outer = pack(groupItems, aspect, GROUP_GAP);
  const groups: GroupBox[] = [];
  outer.items.forEach((g, i) => {
    const at = outer.at[i];
    const pad = frames ? GROUP_PAD : 0;
    const title = frames ? GROUP_TITLE : 0;
    if (frames) groups.push({ name: g.name, x: at.x, y: at.y, width: g.width, height: g.height });
    for (const [id, b] of g.nodes) placed.set(id, { ...b, x: b.x + at.x + pad, y: b.y + at.y + pad + title });
  });
  return { nodes: placed, hubs, groups, width: outer.width, height: outer.height };
}

/** The tables more than HUB_MIN_REFERENCES others reference (self-references aside). */
function hubsOf(edges: readonly LayoutEdge[]): Set<string> {
  const referencing = new Map<string, Set<string>>();
  for (const e of edges) {
    let set = referencing.get(e.to);
    if (!set) referencing.set(e.to, (set = new Set()));
    set.add(e.from);
  }
  const out = new Set<string>();
  for (const [id, set] of referencing) if (set.size > HUB_MIN_REFERENCES) out.add(id);
  return out;
}

/** Pieces one under another, left-aligned. */
function stack(pieces: readonly Piece[], gap: number): Piece {
  const nodes = new Map<string, Box>();
  let y = 0;
  let width = 0;
  for (const piece of pieces) {
    for (const [id, b] of piece.nodes) nodes.set(id, { ...b, y: b.y + y });
    y += piece.height + gap;
    width = Math.max(width, piece.width);
  }
  return { nodes, width, height: pieces.length > 0 ? y - gap : 0 };
}

interface Piece {
  nodes: Map<string, Box>;
  width: number;
  height: number;
}

/** Connected sets of nodes (union-find over the edges), in the order their first node came. */
function components(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): { nodes: LayoutNode[]; edges: LayoutEdge[] }[] {
  const parent = new Map(nodes.map((n) => [n.id, n.id]));
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    while (parent.get(x) !== root) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  for (const e of edges) parent.set(find(e.from), find(e.to));
  const out = new Map<string, { nodes: LayoutNode[]; edges: LayoutEdge[] }>();
  for (const n of nodes) {
    const r = find(n.id);
    let c = out.get(r);
    if (!c) out.set(r, (c = { nodes: [], edges: [] }));
    c.nodes.push(n);
  }
  for (const e of edges) out.get(find(e.from))?.edges.push(e);
  return [...out.values()];
}

function layoutPiece(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], aspect: number): Piece {
  if (nodes.length === 1) {
    const n = nodes[0];
    return { nodes: new Map([[n.id, { x: 0, y: 0, width: n.width, height: n.height }]]), width: n.width, height: n.height };
  }
  const g = new Graph({ multigraph: true });
  // Referencing table → referenced table: children to the left of their parents, as reading goes.
  g.setGraph({ rankdir: 'LR', nodesep: NODE_SEP, ranksep: RANK_SEP, marginx: 0, marginy: 0, ranker: 'tight-tree' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  edges.forEach((e, i) => g.setEdge(e.from, e.to, {}, `e${i}`));
  dagreLayout(g);
  const boxes = new Map<string, Box>();
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number };
    const box = { x: p.x - n.width / 2, y: p.y - n.height / 2, width: n.width, height: n.height };
    boxes.set(n.id, box);
    minX = Math.min(minX, box.x);
    minY = Math.min(minY, box.y);
    maxX = Math.max(maxX, box.x + box.width);
    maxY = Math.max(maxY, box.y + box.height);
  }
  for (const b of boxes.values()) {
    b.x -= minX;
    b.y -= minY;
  }
  const piece = { nodes: boxes, width: maxX - minX, height: maxY - minY };
  return wrapTallRanks(piece, nodes, aspect);
}

/**
 * A table many others reference puts all of them in one rank: left to right, that rank is a
 * column tens of thousands of pixels tall, and the whole picture a sliver. Such ranks are cut
 * into side-by-side columns no taller than the piece would be at the wanted proportions,
 * keeping dagre's order inside each (lines are drawn between table sides, not along dagre's
 * routes, so they follow).
 */
function wrapTallRanks(piece: Piece, nodes: readonly LayoutNode[], aspect: number): Piece {
  const area = nodes.reduce((s, n) => s + (n.width + RANK_SEP) * (n.height + NODE_SEP), 0);
  const limit = Math.max(Math.sqrt(area / aspect), ...nodes.map((n) => n.height));
  if (piece.height <= limit * 1.5) return piece;
  const ranks = new Map<number, Box[]>();
  for (const b of piece.nodes.values()) {
    const key = Math.round(b.x + b.width / 2);
    let list = ranks.get(key);
    if (!list) ranks.set(key, (list = []));
    list.push(b);
  }
  let x = 0;
  let height = 0;
  for (const key of [...ranks.keys()].sort((a, b) => a - b)) {
    const rank = ranks.get(key)!.sort((a, b) => a.y - b.y);
    let y = 0;
    let columnWidth = 0;
    for (const b of rank) {
      if (y > 0 && y + b.height > limit) {
        x += columnWidth + NODE_SEP;
        y = 0;
        columnWidth = 0;
      }
      b.x = x;
      b.y = y;
      y += b.height + NODE_SEP;
      columnWidth = Math.max(columnWidth, b.width);
      height = Math.max(height, b.y + b.height);
    }
    x += columnWidth + RANK_SEP;
  }
  return { nodes: piece.nodes, width: x - RANK_SEP, height };
}

/**
 * Rows of items, tallest first, each row as wide as the square root of the total area
 * stretched to `aspect` (never narrower than the widest item). Returns the items in packing
 * order with their top-left corners.
 */
function pack<T extends { width: number; height: number }>(items: readonly T[], aspect: number, gap: number): { items: T[]; at: { x: number; y: number }[]; width: number; height: number } {
  const sorted = [...items].sort((a, b) => b.height - a.height || b.width - a.width);
  const area = sorted.reduce((s, i) => s + (i.width + gap) * (i.height + gap), 0);
  const widest = sorted.reduce((m, i) => Math.max(m, i.width), 0);
  const rowWidth = Math.max(widest, Math.sqrt(area * aspect));
  const at: { x: number; y: number }[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const item of sorted) {
    if (x > 0 && x + item.width > rowWidth) {
      x = 0;
      y += rowHeight + gap;
      rowHeight = 0;
    }
    at.push({ x, y });
    x += item.width + gap;
    rowHeight = Math.max(rowHeight, item.height);
    width = Math.max(width, x - gap);
  }
  return { items: sorted, at, width, height: sorted.length > 0 ? y + rowHeight : 0 };
}

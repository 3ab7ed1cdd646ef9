/**
 * The messages between the schema diagram's host (src/extension/erd-panel.ts) and its webview
 * (media/src/erd/erd-viewer.ts). Shared by both sides, so it imports neither the DOM nor vscode.
 * The diagram travels as JSON text of a DiagramModel (src/core/erd/diagram.ts).
 */
import type { DiagramSourceKind } from '../../../src/core/erd/diagram';

export interface SourceOption {
  id: string;
  kind: DiagramSourceKind;
  label: string;
}

export type HostToErd =
  /** The sources the picker offers; `selected` is the one being loaded. */
  | { type: 'sources'; sources: SourceOption[]; selected?: string }
  | { type: 'loading'; label: string }
  /** `payload` is JSON of DiagramModel. */
  | { type: 'model'; payload: string; sourceId: string }
  | { type: 'error'; message: string; hint?: string };

/** What the viewer reports once it has drawn a model (tests and the bench read it). */
export interface RenderReport {
  sourceId: string;
  tables: number;
  relations: number;
  /** Tables with a findings badge. */
  badges: number;
  /** From the model message to the whole picture drawn and painted, layout included. */
  ms: number;
  /** From the model message to the first part painted (a big picture is built over several frames); equal to `ms` for a small one. */
  firstPaintMs?: number;
  /** Phases of `ms`: sizing the tables (text measurement), the layout, building the SVG. The rest is the browser's style, layout and paint. */
  measureMs: number;
  layoutMs: number;
  drawMs: number;
}

export type ErdToHost =
  | { type: 'ready' }
  | { type: 'selectSource'; id: string }
  | { type: 'refresh' }
  /** Open the definition of a table (or of one of its columns) in the editor. */
  | { type: 'reveal'; table: string; column?: string }
  /** Open finding `index` of a table at its location. */
  | { type: 'openFinding'; table: string; index: number }
  | { type: 'exportMermaid'; target: 'clipboard' | 'file' }
  | { type: 'saveSvg'; svg: string }
  | { type: 'rendered'; report: RenderReport };

/** What the viewer keeps across hide/show (getState/setState). */
export interface ErdState {
  version: 1;
  sourceId?: string;
  columns?: ColumnMode;
}

export type ColumnMode = 'all' | 'keys' | 'none';

/** The largest SVG the host accepts to save; the viewer says so before sending a larger one. */
export const MAX_SVG_CHARS = 64 * 1024 * 1024;

export function isErdToHost(m: unknown): m is ErdToHost {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'selectSource':
      return typeof o.id === 'string';
    case 'reveal':
      return typeof o.table === 'string' && (o.column === undefined || typeof o.column === 'string');
    case 'openFinding':
      return typeof o.table === 'string' && typeof o.index === 'number' && Number.isInteger(o.index) && o.index >= 0;
    case 'exportMermaid':
      return o.target === 'clipboard' || o.target === 'file';
    case 'saveSvg':
      return typeof o.svg === 'string' && o.svg.length <= MAX_SVG_CHARS && /^<svg[\s>]/.test(o.svg);
    case 'rendered': {
      const r = o.report as Record<string, unknown> | undefined;
      return typeof r === 'object' && r !== null && typeof r.tables === 'number' && typeof r.sourceId === 'string';
    }
    default:
      return false;
  }
}

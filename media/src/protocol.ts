/**
 * The messages between the plan panel host (src/extension/plan-panel.ts) and the viewer
 * (media/src/plan-viewer.ts). Shared by both sides, so it imports neither the DOM nor vscode.
 *
 * Plans travel as one JSON string (VS Code serialises webview messages anyway). The viewer's
 * persisted state (getState/setState) holds only the plan's id and the view state: a 10,000-node
 * payload is ~17 MB, too much to re-serialise on every arrow key. The host keeps the payload in
 * its global storage under that id, and the serializer sends it again after a reload.
 */
import type { AdviceResult } from '../../src/core/advise/advise';
import type { PlanComparison, PlanNode, PlanReport } from '../../src/core/plan/types';

/** One plan as the viewer shows it. */
export interface PlanView {
  /** `report.nodes` is emptied for transport (it repeats the tree); see packReport/unpackReport. */
  report: PlanReport;
  /**
   * The EXPLAIN JSON's top-level properties other than "Plan" (timings, Settings, JIT, …). With
   * them the viewer rebuilds the Raw JSON tab from the nodes' raw properties, instead of the JSON
   * text travelling twice. Absent for text input.
   */
  rawTop?: Record<string, unknown>;
  /** The text-format EXPLAIN output as received (text input only). */
  rawText?: string;
  query?: string;
  connectionLabel?: string;
  title: string;
  /** ISO time the plan was produced or opened. */
  createdAt: string;
  /** Server notices and pglens safety notes (e.g. sequences still advance after the rollback). */
  notices?: string[];
  /**
   * A generic plan: the statement's $1…$n had no values. The viewer labels it and offers
   * "Explain Analyze with values…"; `sourceUri` is the document the statement came from.
   */
  generic?: { parameterTypes: string[]; sourceUri?: string };
}

export interface ViewComparison {
  previous: PlanView;
  result: PlanComparison;
}

/** Index suggestions for the plan's query (pglens.suggestIndexes), as the Indexes tab shows them. */
export interface ViewAdvice {
  result: AdviceResult;
  /** The connection the candidates were tried on, e.g. `embedded sandbox`. */
  verifiedOn: string;
  /** Why they were not tried on the active connection, when they were not. */
  note?: string;
}

export interface ViewPayload {
  plan: PlanView;
  /** The host holds an earlier plan of the same statement: offer "Compare with previous run". */
  previousAvailable?: boolean;
  comparison?: ViewComparison;
  advice?: ViewAdvice;
}

export type HostToViewer =
  /** `payload` is JSON of ViewPayload; `restore`: after a reload, keep the saved view state. */
  | { type: 'show'; payload: string; planId: string; restore?: boolean }
  /** Show the paste form (Open Plan… without a plan yet). */
  | { type: 'paste' }
  /** Input could not be read as a plan; `message` names what is wrong. */
  | { type: 'error'; message: string; hint?: string }
  /** `payload` is JSON of ViewComparison. */
  | { type: 'comparison'; payload: string }
  /** `payload` is JSON of ViewAdvice. */
  | { type: 'advice'; payload: string }
  | { type: 'adviceFailed'; message: string; hint?: string }
  /** The user dismissed a prompt (parameter values, the sandbox offer): back to where it was. */
  | { type: 'adviceCancelled' }
  /** Suggestion `index` was written; `target` names the file (and how). */
  | { type: 'addedToMigration'; index: number; target: string };

export type ViewerToHost =
  | { type: 'ready' }
  | { type: 'copyMarkdown' }
  | { type: 'compareWithPrevious' }
  /** Text pasted into the viewer's form. */
  | { type: 'openText'; text: string }
  | { type: 'openFile' }
  /** Run the index advisor on the plan's query. */
  | { type: 'suggestIndexes' }
  /** Write suggestion `index` of the payload's advice into a migration (or schema.prisma). */
  | { type: 'addToMigration'; index: number }
  /** A generic plan's statement: ask for its parameter values and run Explain Analyze with them. */
  | { type: 'analyzeWithValues' };

/** What the viewer persists through setState; the serializer reads `planId` back. */
export interface ViewerState {
  version: 1;
  planId?: string;
  ui?: UiState;
}

export interface UiState {
  selectedId?: number;
  /** Node ids whose children are shown. */
  expanded?: number[];
  tab?: TabId;
}

export type TabId = 'plan' | 'compare' | 'indexes' | 'text' | 'json' | 'query' | 'settings';

export function isViewerToHost(m: unknown): m is ViewerToHost {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'openText') return typeof (m as { text?: unknown }).text === 'string';
  if (t === 'addToMigration') {
    const i = (m as { index?: unknown }).index;
    return typeof i === 'number' && Number.isInteger(i) && i >= 0;
  }
  return t === 'ready' || t === 'copyMarkdown' || t === 'compareWithPrevious' || t === 'openFile' || t === 'suggestIndexes' || t === 'analyzeWithValues';
}

/** A copy of the report without the flat `nodes` list, which would double the message size. */
export function packReport(report: PlanReport): PlanReport {
  return { ...report, nodes: [] };
}

/** Rebuilds `nodes` (index = id - 1) from the tree after transport. */
export function unpackReport(report: PlanReport): PlanReport {
  const nodes: PlanNode[] = [];
  const stack: PlanNode[] = [report.root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    nodes[n.id - 1] = n;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return { ...report, nodes };
}

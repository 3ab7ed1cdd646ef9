/**
 * The plan viewer's host: creates and restores `pglens.plan` webview panels, hands them plans
 * (from Explain or from Open Plan…), and answers the viewer's requests (copy as Markdown,
 * compare with the previous run of the same statement, open pasted text or a file, suggest
 * indexes for the query and add one to a migration, Explain Analyze a generic plan's statement
 * with values — through pglens commands).
 *
 * Each plan shown gets an id; its payload is kept in global storage under that id, and the
 * viewer persists only the id and its view state, so a reload restores big plans without
 * VS Code re-serialising megabytes of webview state on every click.
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import { errorMessage, isPglensError } from '../core/errors';
import { analyzePlan } from '../core/plan/analyze';
import { comparePlans } from '../core/plan/compare';
import { planToMarkdown } from '../core/plan/markdown';
import type { PlanComparison, PlanReport } from '../core/plan/types';
import {
  isViewerToHost,
  packReport,
  unpackReport,
  type HostToViewer,
  type PlanView,
  type ViewAdvice,
  type ViewComparison,
  type ViewerState,
  type ViewPayload,
} from '../../media/src/protocol';
import { viewerHtml } from './webview-html';

export const PLAN_VIEW_TYPE = 'pglens.plan';

export interface ShowPlanOptions {
  report: PlanReport;
  /** The EXPLAIN (FORMAT JSON) output: the parsed value or its text (the Raw JSON tab and top-level figures). */
  rawJson?: unknown;
  rawText?: string;
  query?: string;
  connectionLabel?: string;
  title: string;
  /** Same key on a later call = same statement: the panel is reused and offers a comparison. */
  statementKey?: string;
  /** Server notices and safety notes, shown above the plan. */
  notices?: string[];
  /** The statement ran (EXPLAIN ANALYZE); shown next to the connection with `rolledBack`. */
  analyzed?: boolean;
  rolledBack?: boolean;
  /** A generic plan ($n without values): labelled, with "Explain Analyze with values…" offered. */
  generic?: { parameterTypes: string[]; sourceUri?: string };
}

/** The command the viewer's "Explain Analyze with values…" runs (registered by explain-command.ts). */
export const ANALYZE_WITH_VALUES_COMMAND = 'pglens.explainAnalyzeWithValues';

/** Its argument: the statement, the document it came from, the parameter types of the generic plan. */
export interface AnalyzeWithValuesRequest {
  sql: string;
  uri?: string;
  parameterTypes?: string[];
}

/** Statements whose last plan is kept for "Compare with previous run"; the oldest go first. */
const MAX_REMEMBERED_STATEMENTS = 30;

/** Saved payloads older than this are deleted (their panels were closed long ago). */
const STORED_PLAN_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

const panelsByKey = new Map<string, PlanPanel>();
const openViewers = new Set<PlanPanel>();
/** The viewer that was last given a plan. */
let lastViewer: PlanPanel | undefined;
const lastPlanByKey = new Map<string, PlanView>();

/** Shows a plan in the viewer: reuses the panel of the same statement, else opens one beside the editor. */
export function showPlan(context: vscode.ExtensionContext, options: ShowPlanOptions): vscode.WebviewPanel {
  const view = toView(options);
  const key = options.statementKey;
  const previous = key ? lastPlanByKey.get(key) : undefined;
  if (key) remember(key, view);
  const existing = key ? panelsByKey.get(key) : undefined;
  const panel = existing ?? PlanPanel.create(context, view.title);
  if (key && !existing) panel.bindKey(key);
  panel.setPlan(view, previous);
  if (existing) existing.panel.reveal(undefined, true);
  return panel.panel;
}

/** A plan to compare: one brought by a command (as for showPlan), or one a viewer already shows. */
export type ComparedPlan = { options: ShowPlanOptions } | { view: PlanView };

/**
 * Opens a viewer in compare mode (pglens.comparePlans): `after` is the plan shown, `before` the
 * one it is compared with, on the Compare tab. Returns the panel and what the viewer was sent.
 */
export function showPlanComparison(
  context: vscode.ExtensionContext,
  before: ComparedPlan,
  after: ComparedPlan,
): { panel: vscode.WebviewPanel; comparison: PlanComparison } {
  const beforeView = 'view' in before ? before.view : toView(before.options);
  const afterView = 'view' in after ? after.view : toView(after.options);
  const panel = PlanPanel.create(context, afterView.title);
  panel.setPlan(afterView, undefined);
  const comparison = comparePlans(unpackReport(beforeView.report), unpackReport(afterView.report));
  panel.setComparison(beforeView, comparison);
  panel.panel.title = `Compare: ${beforeView.title} ↔ ${afterView.title}`;
  return { panel: panel.panel, comparison };
}

/** The plan of the focused viewer, else of the one last given a plan (pglens.comparePlans offers it). */
export function planInViewer(): PlanView | undefined {
  for (const v of openViewers) if (v.panel.active) return v.shownPlan();
  return lastViewer?.shownPlan();
}

/**
 * Registers `pglens.openPlan` and the serializer that restores viewers after a reload; with
 * `serializer: false` the caller registered one already (the activation shell does, so that a
 * viewer restores without this module loading first) and it restores through restorePlanPanel.
 */
export function registerPlanViewer(context: vscode.ExtensionContext, options: { serializer?: boolean } = {}): void {
  context.subscriptions.push(vscode.commands.registerCommand('pglens.openPlan', (arg?: unknown) => openPlan(context, arg)));
  if (options.serializer === false) return;
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PLAN_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        restorePlanPanel(context, panel, state);
      },
    }),
  );
}

/** Restores a viewer VS Code kept across a reload, from the state it saved. */
export function restorePlanPanel(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, state: unknown): void {
  PlanPanel.restore(context, panel, isViewerState(state) ? state : undefined);
}

/**
 * Open Plan…: `arg` may be a Uri (explorer), `{ text }` or `{ uri }` (tests, other commands);
 * without one the user picks paste, a file, or the active editor's text.
 */
async function openPlan(context: vscode.ExtensionContext, arg: unknown): Promise<vscode.WebviewPanel | undefined> {
  if (arg instanceof vscode.Uri) return openFile(context, arg);
  if (typeof arg === 'object' && arg !== null) {
    const a = arg as { text?: unknown; uri?: unknown; title?: unknown };
    if (typeof a.text === 'string') return openText(context, a.text, typeof a.title === 'string' ? a.title : 'Pasted plan');
    if (a.uri instanceof vscode.Uri) return openFile(context, a.uri);
  }
  const editor = vscode.window.activeTextEditor;
  const editorText = editor ? (editor.selection.isEmpty ? editor.document.getText() : editor.document.getText(editor.selection)) : '';
  type Pick = vscode.QuickPickItem & { action: 'paste' | 'file' | 'editor' };
  const picks: Pick[] = [
    { label: '$(clippy) Paste a plan', description: 'JSON or text, psql borders welcome', action: 'paste' },
    { label: '$(file) Open a file…', description: '.json, .txt, .log (or .gz)', action: 'file' },
  ];
  if (editor && editorText.trim().length > 0) {
    picks.push({
      label: `$(go-to-file) Use ${editor.selection.isEmpty ? 'the active editor' : 'the selection'}`,
      description: vscode.workspace.asRelativePath(editor.document.uri),
      action: 'editor',
    });
  }
  const picked = await vscode.window.showQuickPick(picks, { title: 'pglens: Open Plan — where is the EXPLAIN output?' });
  if (!picked) return undefined;
  if (picked.action === 'editor' && editor) return openText(context, editorText, `Plan from ${vscode.workspace.asRelativePath(editor.document.uri)}`);
  if (picked.action === 'file') {
    const uri = await pickFile();
    return uri ? openFile(context, uri) : undefined;
  }
  const panel = PlanPanel.create(context, 'Open Plan');
  panel.post({ type: 'paste' });
  return panel.panel;
}

async function pickFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Open Plan',
    filters: { 'EXPLAIN output': ['json', 'txt', 'log', 'sql', 'gz'], 'All files': ['*'] },
  });
  return picked?.[0];
}

export async function readPlanFile(uri: vscode.Uri): Promise<string> {
  let bytes = await vscode.workspace.fs.readFile(uri);
  if (uri.path.endsWith('.gz')) bytes = gunzipSync(bytes);
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

async function openFile(context: vscode.ExtensionContext, uri: vscode.Uri, into?: PlanPanel): Promise<vscode.WebviewPanel> {
  const name = uri.path.split('/').pop() ?? uri.toString();
  let text: string;
  try {
    text = await readPlanFile(uri);
  } catch (e) {
    const panel = into ?? PlanPanel.create(context, name);
    if (!into) panel.post({ type: 'paste' });
    panel.post({ type: 'error', message: `Could not read ${name}: ${errorMessage(e)}`, hint: 'Check the file exists and is readable, or paste its text.' });
    return panel.panel;
  }
  return openText(context, text, name, into);
}

/** Analyses text a user brought; on failure the viewer shows the paste form with the reason. */
function openText(context: vscode.ExtensionContext, text: string, title: string, into?: PlanPanel): vscode.WebviewPanel {
  const panel = into ?? PlanPanel.create(context, title);
  try {
    const json = parseJson(text);
    const report = analyzePlan(json ?? text, {});
    panel.setPlan(
      {
        report: packReport(report),
        rawTop: json === undefined ? undefined : topLevelOf(json),
        rawText: json === undefined ? text : undefined,
        query: report.query,
        title,
        createdAt: new Date().toISOString(),
      },
      undefined,
    );
  } catch (e) {
    if (!into) panel.post({ type: 'paste' });
    const hint = isPglensError(e) ? e.hint : undefined;
    const message = isPglensError(e) && hint ? e.message.replace(` — ${hint}`, '') : errorMessage(e);
    panel.post({ type: 'error', message: `${title}: ${message}`, hint: hint ?? 'Paste the complete output of EXPLAIN (FORMAT JSON) or of plain EXPLAIN.' });
  }
  return panel.panel;
}

/** The text as JSON when it is plain JSON (psql-wrapped or text-format plans are not). */
function parseJson(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The EXPLAIN document's properties besides "Plan": Planning/Execution Time, Settings, JIT, Triggers… */
function topLevelOf(value: unknown): Record<string, unknown> | undefined {
  const doc = Array.isArray(value) ? value[0] : value;
  if (typeof doc !== 'object' || doc === null || !('Plan' in doc)) return undefined;
  const { Plan: _plan, ...rest } = doc as Record<string, unknown>;
  return rest;
}

function toView(o: ShowPlanOptions): PlanView {
  const json = typeof o.rawJson === 'string' ? parseJson(o.rawJson) : o.rawJson;
  const ran = o.analyzed === true ? (o.rolledBack ? 'executed, rolled back' : 'executed') : o.analyzed === false ? 'not executed' : o.rolledBack ? 'rolled back' : undefined;
  return {
    report: packReport(o.report),
    rawTop: json === undefined ? undefined : topLevelOf(json),
    rawText: o.rawText,
    query: o.query ?? o.report.query,
    connectionLabel: [o.connectionLabel, ran].filter(Boolean).join(' · ') || undefined,
    title: o.title,
    createdAt: new Date().toISOString(),
    notices: o.notices && o.notices.length > 0 ? o.notices : undefined,
    generic: o.generic,
  };
}

function remember(key: string, view: PlanView): void {
  lastPlanByKey.delete(key);
  lastPlanByKey.set(key, view);
  while (lastPlanByKey.size > MAX_REMEMBERED_STATEMENTS) {
    const oldest = lastPlanByKey.keys().next().value;
    if (oldest === undefined) break;
    lastPlanByKey.delete(oldest);
  }
}

function isViewerState(s: unknown): s is ViewerState {
  return typeof s === 'object' && s !== null && (s as { version?: unknown }).version === 1;
}

/** Where payloads live between reloads: one JSON file per plan id. */
class PlanStore {
  private swept = false;
  constructor(private readonly dir: vscode.Uri) {}

  private file(id: string): vscode.Uri {
    return vscode.Uri.joinPath(this.dir, `${id}.json`);
  }

  async save(id: string, payloadText: string): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.dir);
    await vscode.workspace.fs.writeFile(this.file(id), new TextEncoder().encode(payloadText));
    if (!this.swept) {
      this.swept = true;
      void this.sweep();
    }
  }

  async load(id: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{32}$/.test(id)) return undefined;
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(this.file(id)));
    } catch {
      return undefined;
    }
  }

  async delete(id: string): Promise<void> {
    await vscode.workspace.fs.delete(this.file(id)).then(undefined, () => undefined);
  }

  /** Payloads of panels closed while VS Code was not running to see it are removed after a month. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    const entries = await vscode.workspace.fs.readDirectory(this.dir).then(undefined, () => [] as [string, vscode.FileType][]);
    for (const [name] of entries) {
      const uri = vscode.Uri.joinPath(this.dir, name);
      const stat = await vscode.workspace.fs.stat(uri).then(undefined, () => undefined);
      if (stat && now - stat.mtime > STORED_PLAN_MAX_AGE_MS) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    }
  }
}

let store: PlanStore | undefined;
function planStore(context: vscode.ExtensionContext): PlanStore {
  store ??= new PlanStore(vscode.Uri.joinPath(context.globalStorageUri, 'plans'));
  return store;
}

class PlanPanel {
  private ready = false;
  private queue: HostToViewer[] = [];
  private planId: string | undefined;
  /** The payload as JSON, as sent; parsed again only for the host's own requests. */
  private payloadText: string | undefined;
  private payload: ViewPayload | undefined;
  private previous: PlanView | undefined;
  private key: string | undefined;
  private delivered = false;
  /** Reading the saved payload after a reload. */
  private restoring = false;

  private constructor(
    private readonly context: vscode.ExtensionContext,
    readonly panel: vscode.WebviewPanel,
  ) {
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    panel.webview.options = { enableScripts: true, localResourceRoots: [media] };
    panel.iconPath = vscode.Uri.joinPath(media, 'pglens.svg');
    const nonce = randomBytes(18).toString('base64');
    panel.webview.html = viewerHtml({
      cspSource: panel.webview.cspSource,
      nonce,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'plan-viewer.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'plan-viewer.css')).toString(),
    });
    openViewers.add(this);
    const subs = [
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => {
        openViewers.delete(this);
        if (lastViewer === this) lastViewer = undefined;
        if (this.key && panelsByKey.get(this.key) === this) panelsByKey.delete(this.key);
        if (this.planId) void planStore(this.context).delete(this.planId);
        for (const s of subs) s.dispose();
      }),
    ];
  }

  static create(context: vscode.ExtensionContext, title: string): PlanPanel {
    const panel = vscode.window.createWebviewPanel(
      PLAN_VIEW_TYPE,
      `Plan: ${title}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      // Kept alive while hidden: re-drawing a 10,000-node plan on every tab switch would cost a second.
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'media')] },
    );
    return new PlanPanel(context, panel);
  }

  /** After a reload: reads the saved payload back and sends it with `restore`, so the viewer keeps its view state. */
  static restore(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, state: ViewerState | undefined): PlanPanel {
    const p = new PlanPanel(context, panel);
    const id = state?.planId;
    if (id) {
      p.restoring = true;
      void planStore(context)
        .load(id)
        .then((text) => {
          p.restoring = false;
          if (text === undefined) {
            p.post({ type: 'paste' });
            p.post({ type: 'error', message: 'The saved copy of this plan is gone, so it cannot be shown again.', hint: 'Run Explain again or open the plan with pglens: Open Plan….' });
            return;
          }
          p.planId = id;
          p.payloadText = text;
          p.delivered = false;
          if (p.ready) p.deliver(true);
        });
    }
    return p;
  }

  bindKey(key: string): void {
    this.key = key;
    panelsByKey.set(key, this);
  }

  setPlan(view: PlanView, previous: PlanView | undefined): void {
    const oldId = this.planId;
    this.previous = previous;
    this.payload = { plan: view, previousAvailable: previous !== undefined };
    this.payloadText = JSON.stringify(this.payload);
    this.planId = randomBytes(16).toString('hex');
    this.panel.title = `Plan: ${view.title}`;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- not a closure alias: the module remembers the panel that last showed a plan (planInViewer)
    lastViewer = this;
    this.delivered = false;
    if (this.ready) this.deliver(false);
    void planStore(this.context).save(this.planId, this.payloadText);
    if (oldId) void planStore(this.context).delete(oldId);
  }

  /** Puts the viewer in compare mode: `previous` against the plan shown, on the Compare tab. */
  setComparison(previous: PlanView, result: PlanComparison): void {
    const payload = this.currentPayload();
    if (!payload) return;
    const comparison: ViewComparison = { previous, result };
    payload.comparison = comparison;
    this.payloadText = JSON.stringify(payload);
    if (this.planId) void planStore(this.context).save(this.planId, this.payloadText);
    this.post({ type: 'comparison', payload: JSON.stringify(comparison) });
  }

  /** The plan shown, once its payload is here (not while a reload reads it back). */
  shownPlan(): PlanView | undefined {
    return this.currentPayload()?.plan;
  }

  post(message: HostToViewer): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue.push(message);
  }

  private deliver(restore: boolean): void {
    if (this.delivered || !this.payloadText || !this.planId) return;
    this.delivered = true;
    void this.panel.webview.postMessage({ type: 'show', payload: this.payloadText, planId: this.planId, restore } satisfies HostToViewer);
  }

  private currentPayload(): ViewPayload | undefined {
    if (!this.payload && this.payloadText) this.payload = JSON.parse(this.payloadText) as ViewPayload;
    return this.payload;
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isViewerToHost(m)) return;
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        const queued = this.queue;
        this.queue = [];
        this.delivered = false;
        // A viewer saying ready is new or reloaded: with `restore` it keeps the view state it saved for
        // this plan id, if any (a fresh viewer has none).
        this.deliver(true);
        for (const q of queued) void this.panel.webview.postMessage(q);
        if (!this.payloadText && !this.restoring && queued.length === 0) void this.panel.webview.postMessage({ type: 'paste' } satisfies HostToViewer);
        break;
      }
      case 'copyMarkdown': {
        const payload = this.currentPayload();
        if (!payload) return;
        await vscode.env.clipboard.writeText(planToMarkdown(unpackReport(payload.plan.report)));
        void vscode.window.showInformationMessage('pglens: plan copied as Markdown.');
        break;
      }
      case 'compareWithPrevious': {
        const payload = this.currentPayload();
        if (!payload || !this.previous) {
          this.post({ type: 'error', message: 'The previous plan of this statement is no longer available (VS Code was reloaded).', hint: 'Run Explain again to compare the next run with this one.' });
          return;
        }
        const comparison: ViewComparison = {
          previous: this.previous,
          result: comparePlans(unpackReport(this.previous.report), unpackReport(payload.plan.report)),
        };
        payload.comparison = comparison;
        this.payloadText = JSON.stringify(payload);
        if (this.planId) void planStore(this.context).save(this.planId, this.payloadText);
        this.post({ type: 'comparison', payload: JSON.stringify(comparison) });
        break;
      }
      case 'openText':
        openText(this.context, m.text, 'Pasted plan', this);
        break;
      case 'openFile': {
        const uri = await pickFile();
        if (uri) await openFile(this.context, uri, this);
        break;
      }
      case 'suggestIndexes':
        await this.suggestIndexes();
        break;
      case 'analyzeWithValues': {
        const plan = this.currentPayload()?.plan;
        if (!plan?.query?.trim() || !plan.generic) return;
        const request: AnalyzeWithValuesRequest = { sql: plan.query, uri: plan.generic.sourceUri, parameterTypes: plan.generic.parameterTypes };
        // The command shows its own errors; the new plan replaces this one in the same panel.
        await vscode.commands.executeCommand(ANALYZE_WITH_VALUES_COMMAND, request);
        break;
      }
      case 'addToMigration': {
        const advice = this.currentPayload()?.advice;
        if (!advice?.result.suggestions[m.index]) {
          this.post({ type: 'adviceFailed', message: 'That index suggestion is no longer available.', hint: 'Press Suggest indexes again.' });
          return;
        }
        const target = await vscode.commands.executeCommand<string | undefined>('pglens.advise.addToMigration', advice, m.index);
        if (target) this.post({ type: 'addedToMigration', index: m.index, target });
        break;
      }
    }
  }

  /** Runs pglens.suggestIndexes on the plan's query; the result is kept with the payload so a reload shows it again. */
  private async suggestIndexes(): Promise<void> {
    const payload = this.currentPayload();
    const query = payload?.plan.query?.trim();
    if (!payload || !query) {
      this.post({
        type: 'adviceFailed',
        message: 'The query of this plan is not known, so there is nothing to suggest indexes for.',
        hint: 'Run Explain on the statement (or Suggest Indexes for Statement in the editor).',
      });
      return;
    }
    let advice: ViewAdvice | undefined;
    try {
      advice = await vscode.commands.executeCommand<ViewAdvice | undefined>('pglens.suggestIndexes', query);
    } catch (e) {
      const hint = isPglensError(e) ? e.hint : undefined;
      const message = isPglensError(e) && hint ? e.message.replace(` — ${hint}`, '') : errorMessage(e);
      this.post({ type: 'adviceFailed', message: `Suggest indexes failed: ${message}`, hint: hint ?? 'Check the active connection (pglens: Select Connection) and try again.' });
      return;
    }
    // A new plan may have replaced this one while the advisor ran: its result belongs to the old query.
    if (this.currentPayload() !== payload) return;
    if (!advice) {
      this.post({ type: 'adviceCancelled' });
      return;
    }
    payload.advice = advice;
    this.payloadText = JSON.stringify(payload);
    if (this.planId) void planStore(this.context).save(this.planId, this.payloadText);
    this.post({ type: 'advice', payload: JSON.stringify(advice) });
  }
}

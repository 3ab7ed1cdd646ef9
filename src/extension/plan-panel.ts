/**
 * The plan viewer's host: creates and restores `pglens.plan` webview panels, hands them plans
 * (from Explain or from Open Plan…), and answers the viewer's requests (copy as Markdown,
 * compare with the previous run of the same statement, open pasted text or a file).
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import { errorMessage, isPglensError } from '../core/errors';
import { analyzePlan } from '../core/plan/analyze';
import { comparePlans } from '../core/plan/compare';
import { planToMarkdown } from '../core/plan/markdown';
import type { PlanReport } from '../core/plan/types';
import {
  isViewerToHost,
  packReport,
  unpackReport,
  type HostToViewer,
  type PlanView,
  type ViewerState,
  type ViewPayload,
} from '../../media/src/protocol';
import { viewerHtml } from '../../media/src/viewer-html';

export const PLAN_VIEW_TYPE = 'pglens.plan';

export interface ShowPlanOptions {
  report: PlanReport;
  /** The EXPLAIN (FORMAT JSON) output: its text, or the parsed value (shown pretty-printed). */
  rawJson?: unknown;
  rawText?: string;
  query?: string;
  connectionLabel?: string;
  title: string;
  /** Same key on a later call = same statement: the panel is reused and offers a comparison. */
  statementKey?: string;
  /** Server notices and safety notes, shown above the plan. */
  notices?: string[];
  analyzed?: boolean;
  rolledBack?: boolean;
}

/** Statements whose last plan is kept for "Compare with previous run"; the oldest go first. */
const MAX_REMEMBERED_STATEMENTS = 30;

const panelsByKey = new Map<string, PlanPanel>();
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

/** Registers `pglens.openPlan` and the serializer that restores viewers after a reload. */
export function registerPlanViewer(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('pglens.openPlan', (arg?: unknown) => openPlan(context, arg)),
    vscode.window.registerWebviewPanelSerializer(PLAN_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        PlanPanel.restore(context, panel, isViewerState(state) ? state : undefined);
      },
    }),
  );
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
  const picked = await vscode.window.showQuickPick(picks, { title: 'pglens: Open Plan', placeHolder: 'Where is the EXPLAIN output?' });
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

async function readPlanFile(uri: vscode.Uri): Promise<string> {
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
    const report = analyzePlan(text, {});
    const json = report.sourceFormat === 'json';
    panel.setPlan(
      {
        report: packReport(report),
        rawJson: json ? text : undefined,
        rawText: json ? undefined : text,
        query: report.query,
        title,
        createdAt: new Date().toISOString(),
      },
      undefined,
    );
    panel.panel.title = `Plan: ${title}`;
  } catch (e) {
    if (!into) panel.post({ type: 'paste' });
    const hint = isPglensError(e) ? e.hint : undefined;
    const message = isPglensError(e) && hint ? e.message.replace(` — ${hint}`, '') : errorMessage(e);
    panel.post({ type: 'error', message: `${title}: ${message}`, hint: hint ?? 'Paste the complete output of EXPLAIN (FORMAT JSON) or of plain EXPLAIN.' });
  }
  return panel.panel;
}

function toView(o: ShowPlanOptions): PlanView {
  const rawJson = o.rawJson === undefined ? undefined : typeof o.rawJson === 'string' ? o.rawJson : JSON.stringify(o.rawJson, null, 2);
  const notes: string[] = [];
  if (o.rolledBack) notes.push('rolled back');
  return {
    report: packReport(o.report),
    rawJson,
    rawText: o.rawText,
    query: o.query ?? o.report.query,
    connectionLabel: [o.connectionLabel, ...notes].filter(Boolean).join(' · ') || undefined,
    title: o.title,
    createdAt: new Date().toISOString(),
    notices: o.notices && o.notices.length > 0 ? o.notices : undefined,
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

class PlanPanel {
  private ready = false;
  private queue: HostToViewer[] = [];
  /** The payload the viewer has (or will get), as JSON: restored panels parse it only when asked. */
  private payloadText: string | undefined;
  private payload: ViewPayload | undefined;
  private previous: PlanView | undefined;
  private key: string | undefined;
  private delivered = false;

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
    const subs = [
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => {
        if (this.key && panelsByKey.get(this.key) === this) panelsByKey.delete(this.key);
        for (const s of subs) s.dispose();
      }),
    ];
  }

  static create(context: vscode.ExtensionContext, title: string): PlanPanel {
    const panel = vscode.window.createWebviewPanel(
      PLAN_VIEW_TYPE,
      `Plan: ${title}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'media')] },
    );
    return new PlanPanel(context, panel);
  }

  /** After a reload: the viewer redraws itself from its state; the host keeps the payload for its own requests. */
  static restore(context: vscode.ExtensionContext, panel: vscode.WebviewPanel, state: ViewerState | undefined): PlanPanel {
    const p = new PlanPanel(context, panel);
    if (state?.payload) {
      p.payloadText = state.payload;
      p.delivered = true;
    }
    return p;
  }

  bindKey(key: string): void {
    this.key = key;
    panelsByKey.set(key, this);
  }

  setPlan(view: PlanView, previous: PlanView | undefined): void {
    this.previous = previous;
    this.payload = { plan: view, previousAvailable: previous !== undefined };
    this.payloadText = JSON.stringify(this.payload);
    this.panel.title = `Plan: ${view.title}`;
    this.delivered = false;
    if (this.ready) this.deliver();
  }

  post(message: HostToViewer): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue.push(message);
  }

  private deliver(): void {
    if (this.delivered || !this.payloadText) return;
    this.delivered = true;
    void this.panel.webview.postMessage({ type: 'show', payload: this.payloadText } satisfies HostToViewer);
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
        if (m.restored) this.delivered = true;
        else this.delivered = false;
        const queued = this.queue;
        this.queue = [];
        this.deliver();
        for (const q of queued) void this.panel.webview.postMessage(q);
        if (!this.payloadText && queued.length === 0) void this.panel.webview.postMessage({ type: 'paste' } satisfies HostToViewer);
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
        const result = comparePlans(unpackReport(this.previous.report), unpackReport(payload.plan.report));
        this.post({ type: 'comparison', payload: JSON.stringify({ previous: this.previous, result }) });
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
    }
  }
}

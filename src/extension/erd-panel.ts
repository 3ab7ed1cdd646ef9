/**
 * The schema diagram's host: `pglens.showSchemaDiagram` opens one `pglens.erd` webview panel,
 * offers the workspace's diagram sources (migration sets, Prisma schemas, the live connection
 * when one is configured and the workspace is trusted), builds the chosen one's DiagramModel
 * with the core (src/core/erd) and answers the viewer: open a table's definition or a finding
 * in the editor, export Mermaid (clipboard or file) and SVG (file).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { errorMessage, isPglensError } from '../core/errors';
import type { DiagramLocation, DiagramModel } from '../core/erd/diagram';
import { toMermaid } from '../core/erd/mermaid';
import { findDiagramSources, liveDiagram } from '../core/erd/sources';
import { readCatalog } from '../core/health/catalog';
import { loadSqlParser } from '../core/sql/parse';
import { erdHtml } from './webview-html';
import { isErdToHost, type ErdState, type HostToErd, type RenderReport, type SourceOption } from '../../media/src/erd/erd-protocol';
import type { ConnectionManager } from './connection-manager';
import { configFor } from './workspace-config';

export const ERD_VIEW_TYPE = 'pglens.erd';
const LIVE_ID = 'live';

/** What the command returns: the editor tests read it. */
export interface SchemaDiagramResult {
  panel: vscode.WebviewPanel;
  sources: SourceOption[];
  /** The source shown and its model; undefined when the workspace has none. */
  source?: SourceOption;
  model?: DiagramModel;
  /** The viewer's report once it has drawn the model. */
  rendered(): RenderReport | undefined;
  /** What a click on a table does (the viewer's `reveal` message). */
  reveal(table: string, column?: string): Promise<vscode.TextEditor | undefined>;
}

/** The optional argument: a source id (`migrations:migrations/`, `prisma:schema.prisma`, `live`). */
export interface SchemaDiagramArgs {
  source?: string;
}

interface Loaded {
  option: SourceOption;
  model: DiagramModel;
}

let open: ErdPanel | undefined;

export function registerSchemaDiagram(context: vscode.ExtensionContext, connections: () => Promise<ConnectionManager>): vscode.Disposable {
  return vscode.commands.registerCommand('pglens.showSchemaDiagram', async (args?: SchemaDiagramArgs): Promise<SchemaDiagramResult> => {
    const panel = open ?? (open = new ErdPanel(context, connections));
    panel.panel.reveal(undefined, false);
    await panel.show(typeof args?.source === 'string' ? args.source : undefined);
    return panel.result();
  });
}

/**
 * A diagram VS Code kept across a window reload: the panel is drawn again from the source it was
 * showing (the viewer's saved state names it), read afresh from the workspace. The activation
 * shell registers the serializer (`onWebviewPanel:pglens.erd`) and loads this module only then.
 */
export async function restoreSchemaDiagram(
  context: vscode.ExtensionContext,
  connections: () => Promise<ConnectionManager>,
  webviewPanel: vscode.WebviewPanel,
  state: unknown,
): Promise<void> {
  // One diagram panel at a time: a second restored one (two windows' worth of state) is closed.
  if (open) {
    webviewPanel.dispose();
    return;
  }
  const panel = (open = new ErdPanel(context, connections, webviewPanel));
  const saved = typeof state === 'object' && state !== null ? (state as Partial<ErdState>) : undefined;
  await panel.show(typeof saved?.sourceId === 'string' ? saved.sourceId : undefined);
}

class ErdPanel {
  readonly panel: vscode.WebviewPanel;
  private ready = false;
  private queue: HostToErd[] = [];
  private sources = new Map<string, { option: SourceOption; load: () => Promise<DiagramModel> }>();
  private current: Loaded | undefined;
  private lastReport: RenderReport | undefined;
  /** Each load gets a number; a slower earlier one that finishes later is dropped. */
  private generation = 0;

  constructor(
    context: vscode.ExtensionContext,
    private readonly connections: () => Promise<ConnectionManager>,
    restored?: vscode.WebviewPanel,
  ) {
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    this.panel =
      restored ??
      vscode.window.createWebviewPanel(
        ERD_VIEW_TYPE,
        'Schema Diagram',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
        // Kept alive while hidden: laying out 500 tables again on every tab switch would cost a second.
        { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [media] },
      );
    if (restored) restored.webview.options = { enableScripts: true, localResourceRoots: [media] };
    this.panel.iconPath = vscode.Uri.joinPath(media, 'pglens.svg');
    const webview = this.panel.webview;
    webview.html = erdHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'erd-viewer.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'erd-viewer.css')).toString(),
    });
    const subs = [
      webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      this.panel.onDidDispose(() => {
        if (open === this) open = undefined;
        for (const s of subs) s.dispose();
      }),
    ];
  }

  result(): SchemaDiagramResult {
    return {
      panel: this.panel,
      sources: [...this.sources.values()].map((s) => s.option),
      source: this.current?.option,
      model: this.current?.model,
      rendered: () => this.lastReport,
      reveal: (table, column) => this.reveal(table, column),
    };
  }

  /** Scans the workspace for sources and shows `wanted`, else the current one, else the one the active editor belongs to, else the first. */
  async show(wanted?: string): Promise<void> {
    await loadSqlParser();
    await this.scan();
    const options = [...this.sources.values()].map((s) => s.option);
    const id = (wanted && this.sources.has(wanted) ? wanted : undefined) ?? (this.current && this.sources.has(this.current.option.id) ? this.current.option.id : undefined) ?? this.nearestToEditor() ?? options[0]?.id;
    this.post({ type: 'sources', sources: options, selected: id });
    if (!id) {
      this.current = undefined;
      this.post({
        type: 'error',
        message: 'This workspace has no migrations, no schema.prisma and no database connection to draw.',
        hint: 'Open a folder with SQL migrations (a migrations/ folder or a migration tool’s layout) or a schema.prisma, or add a connection with pglens: Add Connection….',
      });
      return;
    }
    await this.load(id);
  }

  private async scan(): Promise<void> {
    this.sources.clear();
    const dirty = new Map(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file' && d.isDirty).map((d) => [d.uri.fsPath, d.getText()]));
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const multi = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
      for (const s of findDiagramSources(folder.uri.fsPath, { config: configFor(vscode.Uri.joinPath(folder.uri, '.pglens.json')), read: (f) => dirty.get(f) })) {
        const id = multi ? `${folder.name}/${s.id}` : s.id;
        this.sources.set(id, { option: { id, kind: s.kind, label: multi ? `${folder.name}/${s.label}` : s.label }, load: async () => s.load() });
      }
    }
    await this.addLive();
  }

  /** The live catalog of the active connection: only a server (the sandbox is the migrations again), only in a trusted workspace. */
  private async addLive(): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    const manager = await this.connections().catch(() => undefined);
    if (!manager || manager.activeChoice().kind === 'embedded') return;
    this.sources.set(LIVE_ID, {
      option: { id: LIVE_ID, kind: 'live', label: manager.activeLabel },
      load: async () => {
        const snapshot = await readCatalog(await manager.getConnection(), { includeColumns: true, exactSizes: false });
        // configFor reads the .pglens.json of the folder holding the file it is given: the workspace's own.
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        return liveDiagram(snapshot, manager.activeLabel, configFor(folder && vscode.Uri.joinPath(folder, '.pglens.json')));
      },
    });
  }

  /** The migration set or Prisma schema the active editor's file belongs to. */
  private nearestToEditor(): string | undefined {
    const file = vscode.window.activeTextEditor?.document.uri;
    if (file?.scheme !== 'file') return undefined;
    const rel = vscode.workspace.asRelativePath(file, false);
    for (const [id, s] of this.sources) {
      const label = s.option.label;
      if (s.option.kind === 'migrations' && (label === './' || rel.startsWith(label))) return id;
      if (s.option.kind === 'prisma' && (rel === label || (label.endsWith('/') && rel.startsWith(label)))) return id;
    }
    return undefined;
  }

  private async load(id: string): Promise<void> {
    const source = this.sources.get(id);
    if (!source) return;
    const generation = ++this.generation;
    this.post({ type: 'loading', label: source.option.label });
    try {
      const model = await source.load();
      if (generation !== this.generation) return;
      this.current = { option: source.option, model };
      this.lastReport = undefined;
      this.panel.title = `Schema: ${source.option.label}`;
      this.post({ type: 'model', payload: JSON.stringify(model), sourceId: id });
    } catch (e) {
      if (generation !== this.generation) return;
      const hint = isPglensError(e) ? e.hint : undefined;
      this.post({
        type: 'error',
        message: `Could not draw ${source.option.label}: ${hint ? errorMessage(e).replace(` — ${hint}`, '') : errorMessage(e)}`,
        hint: hint ?? (source.option.kind === 'live' ? 'Check the connection with pglens: Test Connection.' : 'Check the files with pglens lint.'),
      });
    }
  }

  private post(message: HostToErd): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue.push(message);
  }

  private async onMessage(m: unknown): Promise<void> {
    if (!isErdToHost(m)) return;
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        const queued = this.queue;
        this.queue = [];
        for (const q of queued) void this.panel.webview.postMessage(q);
        break;
      }
      case 'selectSource':
        await this.load(m.id);
        break;
      case 'refresh':
        await this.show(this.current?.option.id);
        break;
      case 'rendered':
        if (this.current && m.report.sourceId === this.current.option.id) this.lastReport = m.report;
        break;
      case 'reveal':
        await this.reveal(m.table, m.column);
        break;
      case 'openFinding':
        await this.openFinding(m.table, m.index);
        break;
      case 'exportMermaid':
        await this.exportMermaid(m.target);
        break;
      case 'saveSvg':
        await this.save(m.svg, 'svg', { 'SVG image': ['svg'] });
        break;
    }
  }

  private async reveal(tableId: string, column?: string): Promise<vscode.TextEditor | undefined> {
    const model = this.current?.model;
    const table = model?.tables.find((t) => t.id === tableId);
    if (!model || !table) return undefined;
    const where = (column !== undefined ? table.columns.find((c) => c.name === column)?.definition : undefined) ?? table.definition;
    if (!where) {
      void vscode.window.showInformationMessage(`pglens: ${table.schema}.${table.name} comes from the live database: it has no definition in the workspace.`);
      return undefined;
    }
    // The diagram keeps the focus: clicking through tables reads their definitions without leaving it.
    return this.openAt(model, where, true);
  }

  private async openFinding(tableId: string, index: number): Promise<void> {
    const model = this.current?.model;
    const finding = model?.tables.find((t) => t.id === tableId)?.findings[index];
    if (!model || !finding) return;
    if (finding.location) await this.openAt(model, finding.location, false);
    else void vscode.window.showWarningMessage(`pglens ${finding.ruleId}: ${finding.message}`);
  }

  /** Opens a location beside the diagram, keeping the diagram in its column; a finding takes the focus (its quick fix is there). */
  private async openAt(model: DiagramModel, where: DiagramLocation, preserveFocus: boolean): Promise<vscode.TextEditor | undefined> {
    const file = model.files[where.file];
    if (!file) return undefined;
    const range = new vscode.Range(where.line, where.character, where.endLine, where.endCharacter);
    const column = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
    try {
      const editor = await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: range, viewColumn: column, preserveFocus, preview: true });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return editor;
    } catch (e) {
      void vscode.window.showErrorMessage(`pglens: could not open ${file}: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private async exportMermaid(target: 'clipboard' | 'file'): Promise<void> {
    const model = this.current?.model;
    if (!model) return;
    const text = toMermaid(model);
    if (target === 'clipboard') {
      // Fenced, as GitHub and most Markdown renderers draw it.
      await vscode.env.clipboard.writeText('```mermaid\n' + text + '```\n');
      void vscode.window.showInformationMessage('pglens: the diagram is on the clipboard as a Mermaid block, ready for a README or a pull request.');
      return;
    }
    await this.save(text, 'mmd', { 'Mermaid diagram': ['mmd', 'mermaid', 'md'] });
  }

  private async save(text: string, extension: string, filters: Record<string, string[]>): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, `schema.${extension}`) : undefined,
      filters,
      saveLabel: 'Export',
    });
    if (!uri) return;
    try {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      void vscode.window.showInformationMessage(`pglens: diagram saved to ${vscode.workspace.asRelativePath(uri)}.`);
    } catch (e) {
      void vscode.window.showErrorMessage(`pglens: could not save ${uri.fsPath}: ${errorMessage(e)}`);
    }
  }
}

import * as vscode from 'vscode';
import { logErrorsTo, shownErrors } from './errors';
import { setConfirm, type Confirm } from './confirm';
import type { testConnection } from './connection-commands';
import type { ConnectionManager } from './connection-manager';
import type { ExplainCommandResult } from './explain-command';
import type { HealthNode, HealthTreeProvider } from './health-tree';
import type { SandboxReport } from '../core/db/sandbox-report';
import type { FeatureHost } from './features/host';

/** What `activate` returns: read by the editor test suite, harmless for anyone else. */
export interface PglensApi {
  activationMs: number;
  statusBarText(): string;
  activeConnectionLabel(): string;
  lastExplain(): ExplainCommandResult | undefined;
  testConnection(): ReturnType<typeof testConnection>;
  diagnostics(uri: vscode.Uri): readonly vscode.Diagnostic[];
  /** The `pglens.health` tree's data, as the view walks it (a TreeDataProvider is not reachable otherwise). */
  healthTree(): HealthTreeAccess;
  /** What the embedded sandbox's last start built or loaded; undefined before it first starts. */
  sandboxReport(): SandboxReport | undefined;
  /** Answers the next confirmation dialogs (cancel/terminate a session) instead of the user; undefined restores the dialog. */
  setConfirm(confirm: Confirm | undefined): void;
  /** The error notifications pglens showed, newest last (the last 50). */
  errorsShown(): readonly string[];
}

export interface HealthTreeAccess {
  getChildren(node?: HealthNode): Promise<HealthNode[]>;
  getTreeItem(node: HealthNode): vscode.TreeItem;
}

/** The lazily loaded feature modules (./features/*.ts, each bundled into its own file). */
export type FeatureArea = 'connections' | 'diagram' | 'editor' | 'explain' | 'health' | 'prisma' | 'stats';

/**
 * Every command pglens registers, with the feature module that registers it. Activation
 * registers a forwarding command for each; the first call loads the module, which replaces the forwarders of its
 * area with the real commands, and is then passed on to the real command.
 */
export const COMMAND_AREAS: Readonly<Record<string, FeatureArea>> = {
  'pglens.addConnection': 'connections',
  'pglens.selectConnection': 'connections',
  'pglens.testConnection': 'connections',
  'pglens.rebuildSandbox': 'connections',
  'pglens.exportStats': 'stats',
  'pglens.explain': 'explain',
  'pglens.explainAnalyze': 'explain',
  'pglens.explainAtCursor': 'explain',
  'pglens.explainAnalyzeAtCursor': 'explain',
  'pglens.explainAnalyzeWithValues': 'explain',
  'pglens.explainSql': 'explain',
  'pglens.openPlan': 'explain',
  'pglens.comparePlans': 'explain',
  'pglens.suggestIndexes': 'explain',
  'pglens.advise.addToMigration': 'explain',
  'pglens.refreshHealth': 'health',
  'pglens.health.revealTable': 'health',
  'pglens.health.explain': 'health',
  'pglens.health.cancelQuery': 'health',
  'pglens.health.terminateSession': 'health',
  'pglens.health.copyDefinition': 'health',
  'pglens.health.revealMigration': 'health',
  'pglens.health.createMigration': 'health',
  'pglens.verifyRollbacks': 'editor',
  'pglens.generateDown': 'editor',
  'pglens.prisma.explainLookup': 'prisma',
  'pglens.prisma.showTable': 'prisma',
  'pglens.showSchemaDiagram': 'diagram',
};

/** Languages whose documents get lint, lenses or code diagnostics (the editor feature module). */
const EDITOR_LANGUAGES = new Set(['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact']);

function needsEditorFeatures(doc: vscode.TextDocument): boolean {
  const name = doc.fileName.toLowerCase();
  return EDITOR_LANGUAGES.has(doc.languageId) || name.endsWith('.sql') || name.endsWith('.prisma');
}

function isPrismaFile(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && doc.fileName.endsWith('.prisma');
}

/**
 * The sidebar's data provider from activation on (a view without one says so), handing over to
 * the health module's provider, which loads when the view first asks for its nodes.
 */
class HealthTreeHandover implements vscode.TreeDataProvider<HealthNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HealthNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private real: HealthTreeProvider | undefined;
  private subscription: vscode.Disposable | undefined;

  constructor(private readonly load: () => Promise<HealthTreeProvider>) {}

  attach(real: HealthTreeProvider): void {
    this.real = real;
    this.subscription = real.onDidChangeTreeData((node) => this.changed.fire(node));
  }

  async getChildren(node?: HealthNode): Promise<HealthNode[]> {
    return (this.real ?? (await this.load())).getChildren(node);
  }

  /** Nodes come from getChildren, so the health module is loaded by the time one is shown. */
  getTreeItem(node: HealthNode): vscode.TreeItem {
    if (!this.real) throw new Error('pglens: the health view asked for a node before loading its data');
    return this.real.getTreeItem(node);
  }

  getParent(node: HealthNode): HealthNode | undefined {
    return this.real?.getParent(node);
  }

  dispose(): void {
    this.subscription?.dispose();
    this.changed.dispose();
  }
}

/**
 * Activation registers forwarding commands, the sidebar's provider and the plan viewer's serializer,
 * and returns at once: it loads no feature code (no SQL parser, no linter, no pg driver), nothing
 * connects, no sandbox starts and no workspace scan runs. Just after it, the connection manager
 * loads (the status bar item) and, when a SQL, Prisma or code document is open, the editor
 * features (lint, lenses; the parser's wasm starts loading then). Everything else loads on first
 * use: a command, the sidebar shown, a plan viewer restored.
 */
export function activate(context: vscode.ExtensionContext): PglensApi {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('pglens');
  logErrorsTo(output);
  context.subscriptions.push(output);

  let lastExplain: ExplainCommandResult | undefined;
  const forwarders = new Map<FeatureArea, vscode.Disposable[]>();

  /**
   * A feature module, loaded once: `prepare` imports it and whatever it needs, then its area's
   * forwarding commands go and `start` registers the real commands in the same tick.
   */
  function feature<T>(area: FeatureArea, prepare: () => Promise<() => T>): () => Promise<T> {
    let loading: Promise<T> | undefined;
    return () =>
      (loading ??= prepare()
        .then((start) => {
          for (const forwarder of forwarders.get(area) ?? []) forwarder.dispose();
          forwarders.delete(area);
          return start();
        })
        .catch((e: unknown) => {
          output.appendLine(`[error] pglens: the ${area} features failed to load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          throw e;
        }));
  }

  let connectionsLoaded: { manager: ConnectionManager; testConnection: () => ReturnType<typeof testConnection> } | undefined;
  const connections = feature('connections', async () => {
    const m = await import('./features/connections');
    return () => (connectionsLoaded = m.activateConnections(host));
  });
  const health = new HealthTreeHandover(() => loadHealth());
  const healthView = vscode.window.createTreeView('pglens.health', { treeDataProvider: health, showCollapseAll: true });
  const host: FeatureHost = {
    context,
    output,
    connections: async () => (await connections()).manager,
    onExplain: (r) => (lastExplain = r),
    healthView,
  };
  const loadHealth = feature('health', async () => {
    const [m, manager] = await Promise.all([import('./features/health'), host.connections()]);
    return () => {
      const provider = m.activateHealth(host, manager);
      health.attach(provider);
      return provider;
    };
  });
  const explain = feature('explain', async () => {
    const [m, manager] = await Promise.all([import('./features/explain'), host.connections()]);
    await m.parserReady(output);
    return () => m.activateExplain(host, manager);
  });
  const editor = feature('editor', async () => {
    const m = await import('./features/editor');
    return () => m.activateEditor(host);
  });
  const prisma = feature('prisma', async () => {
    const [m, manager] = await Promise.all([import('./features/prisma'), host.connections()]);
    return () => m.activatePrisma(host, manager);
  });
  const stats = feature('stats', async () => {
    const [m, manager] = await Promise.all([import('./features/stats'), host.connections()]);
    return () => m.activateStats(host, manager);
  });
  const diagram = feature('diagram', async () => {
    const m = await import('./features/diagram');
    return () => m.activateDiagram(host);
  });
  const load: Record<FeatureArea, () => Promise<unknown>> = { connections, diagram, editor, explain, health: loadHealth, prisma, stats };

  for (const [id, area] of Object.entries(COMMAND_AREAS)) {
    const forwarder = vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      await load[area]();
      return vscode.commands.executeCommand(id, ...args);
    });
    forwarders.set(area, [...(forwarders.get(area) ?? []), forwarder]);
    context.subscriptions.push(forwarder);
  }

  context.subscriptions.push(
    health,
    healthView,
    vscode.window.registerWebviewPanelSerializer('pglens.plan', {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        (await explain()).restorePlan(panel, state);
      },
    }),
    // The schema diagram, likewise: its module loads only when a diagram panel comes back after a reload.
    vscode.window.registerWebviewPanelSerializer('pglens.erd', {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        await (await diagram()).restoreDiagram(panel, state);
      },
    }),
  );

  // Documents bring their features: lint and lenses for SQL, Prisma and code files, model lenses for schema.prisma.
  let editorLoading = false;
  let prismaLoading = false;
  const wake = (doc: vscode.TextDocument): void => {
    if (!editorLoading && needsEditorFeatures(doc)) {
      editorLoading = true;
      editor().catch(() => undefined);
    }
    if (!prismaLoading && isPrismaFile(doc)) {
      prismaLoading = true;
      prisma().catch(() => undefined);
    }
    if (editorLoading && prismaLoading) documents.dispose();
  };
  const documents = vscode.workspace.onDidOpenTextDocument(wake);
  context.subscriptions.push(documents);
  // After activation returns: the status bar's connection, then the documents already open.
  const idle = setTimeout(() => {
    connections().catch(() => undefined);
    for (const doc of vscode.workspace.textDocuments) wake(doc);
  }, 0);
  context.subscriptions.push({ dispose: () => clearTimeout(idle) });

  const activationMs = performance.now() - started;
  output.appendLine(`pglens activated in ${activationMs.toFixed(1)} ms`);
  const connection = (): ConnectionManager | undefined => {
    if (!connectionsLoaded) connections().catch(() => undefined);
    return connectionsLoaded?.manager;
  };
  return {
    activationMs,
    statusBarText: () => connection()?.statusText ?? '',
    activeConnectionLabel: () => connection()?.activeLabel ?? '',
    lastExplain: () => lastExplain,
    testConnection: async () => (await connections()).testConnection(),
    diagnostics: (uri) => vscode.languages.getDiagnostics(uri),
    healthTree: () => ({
      getChildren: (node) => health.getChildren(node),
      getTreeItem: (node) => health.getTreeItem(node),
    }),
    sandboxReport: () => connection()?.sandboxReport,
    setConfirm,
    errorsShown: shownErrors,
  };
}

import * as vscode from 'vscode';
import { loadSqlParser } from '../core/sql/parse';
import { ConnectionManager } from './connection-manager';
import { registerConnectionCommands, testConnection } from './connection-commands';
import { registerExplainCommands, type ExplainCommandResult } from './explain-command';
import { SqlCodeLensProvider, SQL_SELECTOR } from './sql-code-lens';
import { registerPlanViewer } from './plan-panel';
import { registerComparePlans } from './plan-diff-command';
import { registerHealthView, type HealthNode } from './health-tree';
import { LintDiagnostics } from './lint-diagnostics';
import { registerPrismaLenses } from './prisma-code-lens';
import { logErrorsTo } from './errors';
import { registerAdviseCommands } from './advise-command';
import { registerRollbackVerify } from './rollback-verify';
import { registerGenerateDown } from './generate-down';
import { registerStatsCommand } from './stats-command';
import { registerAppCodeDiagnostics } from './app-code-diagnostics';
import type { SandboxReport } from '../core/db/sandbox-report';
import { setConfirm, type Confirm } from './confirm';

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
}

export interface HealthTreeAccess {
  getChildren(node?: HealthNode): Promise<HealthNode[]>;
  getTreeItem(node: HealthNode): vscode.TreeItem;
}

/**
 * Activation registers providers and commands and returns at once: nothing connects, no
 * sandbox starts and no workspace scan runs here. The parser's wasm loads in the
 * background; lenses and lint refresh when it is ready.
 */
export function activate(context: vscode.ExtensionContext): PglensApi {
  const started = performance.now();
  const output = vscode.window.createOutputChannel('pglens');
  logErrorsTo(output);
  const connections = new ConnectionManager(context, output);
  const lenses = new SqlCodeLensProvider();
  const lint = new LintDiagnostics(context);
  let lastExplain: ExplainCommandResult | undefined;

  context.subscriptions.push(
    output,
    connections,
    lenses,
    lint,
    vscode.languages.registerCodeLensProvider(SQL_SELECTOR, lenses),
    ...registerConnectionCommands(connections),
    ...registerExplainCommands(context, connections, (r) => (lastExplain = r)),
    vscode.commands.registerCommand('pglens.rebuildSandbox', async () => {
      await connections.rebuildSandbox();
      void vscode.window.showInformationMessage('pglens: the embedded sandbox cache is cleared; the next Explain replays the migrations from scratch.');
    }),
  );
  registerAdviseCommands(context, connections);
  registerPlanViewer(context);
  context.subscriptions.push(registerComparePlans(context));
  const health = registerHealthView(context, connections);
  context.subscriptions.push(health, registerPrismaLenses(context, connections));
  context.subscriptions.push(registerRollbackVerify(context, output));
  context.subscriptions.push(registerGenerateDown(context, output));
  context.subscriptions.push(registerAppCodeDiagnostics(context));
  context.subscriptions.push(registerStatsCommand(connections, output, String((context.extension.packageJSON as { version?: string }).version ?? 'unknown')));

  loadSqlParser().then(
    () => {
      lenses.refresh();
      lint.start();
    },
    (e) => output.appendLine(`SQL parser failed to load: ${String(e)}`),
  );

  const activationMs = performance.now() - started;
  output.appendLine(`pglens activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    statusBarText: () => connections.statusText,
    activeConnectionLabel: () => connections.activeLabel,
    lastExplain: () => lastExplain,
    testConnection: () => testConnection(connections),
    diagnostics: (uri) => vscode.languages.getDiagnostics(uri),
    healthTree: () => ({
      getChildren: (node) => health.provider.getChildren(node),
      getTreeItem: (node) => health.provider.getTreeItem(node),
    }),
    sandboxReport: () => connections.sandboxReport,
    setConfirm,
  };
}


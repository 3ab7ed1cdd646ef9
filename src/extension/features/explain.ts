import type * as vscode from 'vscode';
import { loadSqlParser } from '../../core/sql/parse';
import type { ConnectionManager } from '../connection-manager';
import { registerExplainCommands } from '../explain-command';
import { registerPlanViewer, restorePlanPanel } from '../plan-panel';
import { registerComparePlans } from '../plan-diff-command';
import { registerAdviseCommands } from '../advise-command';
import type { FeatureHost } from './host';

/**
 * The statements Explain and Suggest Indexes act on come from the SQL parser: the shell waits
 * for it before the first of these commands runs.
 */
export function parserReady(output: vscode.OutputChannel): Promise<void> {
  return loadSqlParser().catch((e: unknown) => output.appendLine(`SQL parser failed to load: ${String(e)}`));
}

/**
 * Explain / Explain Analyze, the plan viewer (Open Plan…, Compare Two Plans…, restoring viewers
 * after a reload) and Suggest Indexes: loaded on the first of these commands or viewer restores.
 */
export function activateExplain(host: FeatureHost, manager: ConnectionManager): { restorePlan(panel: vscode.WebviewPanel, state: unknown): void } {
  const { context } = host;
  context.subscriptions.push(...registerExplainCommands(context, manager, (r) => host.onExplain(r)));
  registerAdviseCommands(context, manager);
  // The shell registered the viewer's serializer at activation: it restores through restorePlan.
  registerPlanViewer(context, { serializer: false });
  context.subscriptions.push(registerComparePlans(context));
  return { restorePlan: (panel, state) => restorePlanPanel(context, panel, state) };
}

import type * as vscode from 'vscode';
import { registerSchemaDiagram, restoreSchemaDiagram } from '../erd-panel';
import type { FeatureHost } from './host';

/** Show Schema Diagram (the ER diagram webview), loaded when the command first runs or a diagram panel is restored. */
export function activateDiagram(host: FeatureHost): { restoreDiagram(panel: vscode.WebviewPanel, state: unknown): Promise<void> } {
  host.context.subscriptions.push(registerSchemaDiagram(host.context, () => host.connections()));
  return { restoreDiagram: (panel, state) => restoreSchemaDiagram(host.context, () => host.connections(), panel, state) };
}

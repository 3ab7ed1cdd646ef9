import type * as vscode from 'vscode';
import type { ConnectionManager } from '../connection-manager';
import type { ExplainCommandResult } from '../explain-command';
import type { HealthNode } from '../health-tree';

/**
 * What the activation shell (../extension.ts) hands each feature module when it is first
 * needed. Every module in this folder is bundled into its own lazily loaded file (see
 * esbuild.config.mjs): activation loads none of them.
 */
export interface FeatureHost {
  readonly context: vscode.ExtensionContext;
  readonly output: vscode.OutputChannel;
  /** The connection manager, loading its feature module on first use. */
  connections(): Promise<ConnectionManager>;
  /** Records an Explain's result for the extension's API (lastExplain). */
  onExplain(result: ExplainCommandResult): void;
  /** The `pglens.health` view; the shell creates it at activation, so the sidebar always has a provider. */
  readonly healthView: vscode.TreeView<HealthNode>;
}

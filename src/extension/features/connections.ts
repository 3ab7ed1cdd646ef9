import * as vscode from 'vscode';
import { ConnectionManager } from '../connection-manager';
import { registerConnectionCommands, testConnection } from '../connection-commands';
import type { FeatureHost } from './host';

/**
 * The connection manager (status bar item, `.env` and settings watching) with Add / Select /
 * Test Connection and Rebuild Sandbox. Loaded just after activation (the status bar) or by the
 * first feature that needs a connection; the pg driver and the sandbox glue load on first connect.
 */
export function activateConnections(host: FeatureHost): { manager: ConnectionManager; testConnection: () => ReturnType<typeof testConnection> } {
  const manager = new ConnectionManager(host.context, host.output);
  host.context.subscriptions.push(
    manager,
    ...registerConnectionCommands(manager),
    vscode.commands.registerCommand('pglens.rebuildSandbox', async () => {
      await manager.rebuildSandbox();
      void vscode.window.showInformationMessage('pglens: the embedded sandbox cache is cleared; the next Explain replays the migrations from scratch.');
    }),
  );
  return { manager, testConnection: () => testConnection(manager) };
}

import * as vscode from 'vscode';
import { errorMessage, isPglensError } from '../core/errors';

const CONNECTION_CODES = new Set(['connection-refused', 'auth-failed', 'unknown-database', 'connection-failed', 'sandbox-failed']);

/** Shows an error with the action that fixes it: connection problems offer Select Connection, timeouts the setting. */
export function showError(e: unknown, context: string): void {
  const message = `pglens: ${context}: ${errorMessage(e)}`;
  const actions: string[] = [];
  if (isPglensError(e) && CONNECTION_CODES.has(e.code)) actions.push('Select Connection');
  if (isPglensError(e) && e.code === 'timeout') actions.push('Open Settings');
  void vscode.window.showErrorMessage(message, ...actions).then((picked) => {
    if (picked === 'Select Connection') void vscode.commands.executeCommand('pglens.selectConnection');
    if (picked === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'pglens.explain.statementTimeout');
  });
}

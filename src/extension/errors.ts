import * as vscode from 'vscode';
import { errorMessage, isPglensError } from '../core/errors';

const CONNECTION_CODES = new Set(['connection-refused', 'auth-failed', 'unknown-database', 'connection-failed', 'sandbox-failed']);

let log: vscode.OutputChannel | undefined;

/** Errors are also written to the pglens output channel, so they outlive the notification. */
export function logErrorsTo(channel: vscode.OutputChannel): void {
  log = channel;
}

/** Shows an error with the action that fixes it: connection problems offer Select Connection, timeouts the setting. */
export function showError(e: unknown, context: string): void {
  const message = `pglens: ${context}: ${errorMessage(e)}`;
  log?.appendLine(`[error] ${message}`);
  const actions: string[] = [];
  if (isPglensError(e) && CONNECTION_CODES.has(e.code)) actions.push('Select Connection');
  if (isPglensError(e) && e.code === 'timeout') actions.push('Open Settings');
  void vscode.window.showErrorMessage(message, ...actions).then((picked) => {
    if (picked === 'Select Connection') void vscode.commands.executeCommand('pglens.selectConnection');
    if (picked === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'pglens.explain.statementTimeout');
  });
}

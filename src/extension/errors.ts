import * as vscode from 'vscode';
import { errorMessage, isPglensError } from '../core/errors';

const CONNECTION_CODES = new Set(['connection-refused', 'auth-failed', 'unknown-database', 'connection-failed', 'sandbox-failed']);

let log: vscode.OutputChannel | undefined;
/** The error notifications shown, newest last (the last 50): PglensApi.errorsShown, for the editor tests. */
const shown: string[] = [];

function record(message: string): void {
  shown.push(message);
  if (shown.length > 50) shown.shift();
}

export function shownErrors(): readonly string[] {
  return shown;
}

/** Shows an error notification whose text is complete (no action to offer), logged and recorded like showError's. */
export function showErrorText(message: string): void {
  log?.appendLine(`[error] ${message}`);
  record(message);
  void vscode.window.showErrorMessage(message);
}

/** Errors are also written to the pglens output channel, so they outlive the notification. */
export function logErrorsTo(channel: vscode.OutputChannel): void {
  log = channel;
}

/** Shows an error with the action that fixes it: connection problems offer Select Connection, timeouts the setting. */
export function showError(e: unknown, context: string): void {
  const message = `pglens: ${context}: ${errorMessage(e)}`;
  log?.appendLine(`[error] ${message}`);
  record(message);
  const actions: string[] = [];
  if (isPglensError(e) && CONNECTION_CODES.has(e.code)) actions.push('Select Connection');
  if (isPglensError(e) && e.code === 'timeout') actions.push('Open Settings');
  void vscode.window.showErrorMessage(message, ...actions).then((picked) => {
    if (picked === 'Select Connection') void vscode.commands.executeCommand('pglens.selectConnection');
    if (picked === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'pglens.explain.statementTimeout');
  });
}

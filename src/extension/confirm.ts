import * as vscode from 'vscode';

/** Asks the user to confirm an action with a modal dialog; resolves true only on the action's button. */
export type Confirm = (message: string, detail: string, action: string) => Promise<boolean>;

const modal: Confirm = async (message, detail, action) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;

let current: Confirm = modal;

/** The confirmation every destructive action goes through (cancel/terminate a session). */
export function confirmAction(message: string, detail: string, action: string): Promise<boolean> {
  return current(message, detail, action);
}

/**
 * The editor tests answer the dialog through the extension's API (a modal cannot be clicked
 * from an extension host test); `undefined` restores the real dialog.
 */
export function setConfirm(confirm: Confirm | undefined): void {
  current = confirm ?? modal;
}

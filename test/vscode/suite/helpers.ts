// Shared by the editor suites, which run inside the real extension host (see ../index.ts).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { PglensApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'pglens.pglens';

export function pglens(): vscode.Extension<PglensApi> {
  const ext = vscode.extensions.getExtension<PglensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  return ext;
}

/** Activates pglens the way a user does, by opening a .sql file, and returns its API. */
export async function activeApi(): Promise<PglensApi> {
  await openDocument('queries.sql');
  const ext = pglens();
  await waitFor(() => ext.isActive, 'pglens to activate after opening a .sql file');
  return ext.exports;
}

export function workspaceUri(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workbench was opened without a workspace folder');
  return vscode.Uri.joinPath(folder.uri, relative);
}

export async function openDocument(relative: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceUri(relative));
  return vscode.window.showTextDocument(document);
}

/** Polls `probe` until it returns a truthy value; fails naming what never happened. */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The machine's real server; the same PG* variables the integration tests honour. */
export function realServerSetting() {
  return {
    name: 'local-test',
    host: process.env.PGHOST || '127.0.0.1',
    port: Number(process.env.PGPORT || 5432),
    database: process.env.PGDATABASE || 'test',
    user: process.env.PGUSER || 'postgres',
    sslmode: 'disable',
  };
}

export async function setConnections(list: object[]): Promise<void> {
  await vscode.workspace.getConfiguration('pglens').update('connections', list, vscode.ConfigurationTarget.Workspace);
}

/** Code lenses as the editor shows them, once the SQL parser has loaded. */
export async function codeLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  return waitFor(async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
    return lenses.some((l) => l.command?.command.startsWith('pglens.')) ? lenses : undefined;
  }, `pglens code lenses in ${uri.path}`);
}

export function pglensLenses(lenses: vscode.CodeLens[]): vscode.CodeLens[] {
  return lenses.filter((l) => l.command?.command.startsWith('pglens.'));
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

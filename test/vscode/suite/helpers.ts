// Shared by the editor suites, which run inside the real extension host (see ../index.ts).
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { Client } from 'pg';
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

/** The rule id of a pglens diagnostic (`code` is `{ value, target }` for documented rules). */
export function ruleOf(d: vscode.Diagnostic): string {
  const code = d.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code);
}

/** A client on the real server, for seeding; the same PG* variables as {@link realServerSetting}. */
export function serverClient(): Client {
  const s = realServerSetting();
  return new Client({ host: s.host, port: s.port, database: s.database, user: s.user, password: process.env.PGPASSWORD, connectionTimeoutMillis: 5000 });
}

/**
 * A connected client on the real server, or the suite cannot run: under CI=true a missing
 * server is a failure; elsewhere the test is skipped with a loud line in the log.
 */
export async function requireServer(ctx: Mocha.Context): Promise<Client> {
  const client = serverClient();
  try {
    await client.connect();
    await client.query('SELECT 1');
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    const s = realServerSetting();
    const reason = `no PostgreSQL at ${s.host}:${s.port}/${s.database} (${e instanceof Error ? e.message : String(e)})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires the server`);
    logLine(`\n  *** SKIPPED ${reason}: start it with pg_ctlcluster --skip-systemctl-redirect 15 main start ***\n`);
    ctx.skip();
  }
}

/** The extension host's console reaches no CI log: lines go where the reporter's do (../index.ts). */
function logLine(line: string): void {
  const file = process.env.PGLENS_TEST_LOG;
  if (file) fs.appendFileSync(file, line + '\n');
  else console.log(line);
}

/** A fresh schema name per run (never `pglens_*`, which the health catalog hides). */
export function uniqueSchemaName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Makes the real server the active connection and opens it (lenses never open one themselves). */
export async function connectRealServer(api: PglensApi): Promise<void> {
  const setting = realServerSetting();
  await setConnections([setting]);
  await waitFor(() => api.statusBarText().includes(setting.name), `status bar to name "${setting.name}" (it says "${api.statusBarText()}")`);
  const result = await vscode.commands.executeCommand<{ kind: string } | undefined>('pglens.testConnection');
  assert.strictEqual(result?.kind, 'server', 'pglens.testConnection did not open the real server (see the pglens output channel)');
}

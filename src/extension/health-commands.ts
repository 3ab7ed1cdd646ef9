import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import type { HealthFinding } from '../core/health/health-finding';
import { findIndexDefinition, findTableDefinition } from '../core/health/index-source';
import { chooseMigrationFolder } from '../core/health/migration-folder';
import { migrationFileFor, type PlacedMigrationFile } from '../core/health/migration-file';
import type { HealthCommandSource, HealthNode } from './health-node';
import { confirmAction } from './confirm';
import { signalBackend, type SignalAction, type SignalResult } from '../core/health/database/session-signal';

const DEFAULT_GLOBS = ['**/migrations/**/*.sql', 'prisma/migrations/*/migration.sql'];

/** Workspace migration files, in name order (the order they apply in). */
export async function migrationFiles(): Promise<vscode.Uri[]> {
  const globs = vscode.workspace.getConfiguration('pglens').get<string[]>('sandbox.migrations') ?? DEFAULT_GLOBS;
  const found = await Promise.all(globs.map((g) => vscode.workspace.findFiles(g, '**/node_modules/**')));
  const unique = new Map<string, vscode.Uri>();
  for (const uri of found.flat()) unique.set(uri.toString(), uri);
  return [...unique.values()].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** The table a node is about, for revealing its migration. */
function tableNameOf(node: HealthNode | undefined): { schema: string; name: string } | undefined {
  if (node?.kind === 'table') return { schema: node.table.schema, name: node.table.name };
  if (node?.kind === 'dbFinding' && node.finding.table !== undefined && node.finding.schema !== undefined) {
    return { schema: node.finding.schema, name: node.finding.table };
  }
  return undefined;
}

function indexNameOf(node: HealthNode | undefined): { schema: string; name: string; definition?: string } | undefined {
  if (node?.kind === 'index') return { schema: node.index.schema, name: node.index.name, definition: node.index.definition };
  if (node?.kind === 'finding' && node.finding.index) return { schema: node.finding.schema, name: node.finding.index };
  return undefined;
}

/** Opens the last migration that creates the index (a later one may have recreated it). */
export async function revealMigration(node: HealthNode | undefined): Promise<vscode.TextEditor | undefined> {
  const index = indexNameOf(node);
  const table = index ? undefined : tableNameOf(node);
  const target = index ?? table;
  if (!target) {
    void vscode.window.showInformationMessage('pglens: choose an index or a table (or a finding about one) in the Indexes & Health view.');
    return undefined;
  }
  let hit: { uri: vscode.Uri; line: number; character: number; endCharacter: number } | undefined;
  for (const uri of await migrationFiles()) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const site = index ? findIndexDefinition(text, target.name) : findTableDefinition(text, target.name);
    // The first migration that creates a table is where it comes from; an index may be recreated later.
    if (site) {
      hit = { uri, ...site };
      if (table) break;
    }
  }
  if (!hit) {
    void vscode.window.showInformationMessage(
      `pglens: no workspace migration creates ${target.schema}.${target.name} (searched the pglens.sandbox.migrations globs).`,
    );
    return undefined;
  }
  const range = new vscode.Range(hit.line, hit.character, hit.line, hit.endCharacter);
  return vscode.window.showTextDocument(hit.uri, { selection: range });
}

/** The folder most workspace migrations belong to (as their runner groups them), if any. */
export async function workspaceMigrationFolder(): Promise<string | undefined> {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  return chooseMigrationFolder((await migrationFiles()).map((u) => u.fsPath), roots);
}

/** The folder new migrations go to: where most migrations live, else the one the user picks. */
async function migrationFolder(): Promise<string | undefined> {
  const chosen = await workspaceMigrationFolder();
  if (chosen) return chosen;
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    openLabel: 'Use as migration folder',
    title: 'pglens found no migrations in this workspace: choose the folder for the new migration',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0]?.fsPath;
}

function fixableFinding(node: HealthNode | undefined, provider: HealthCommandSource): HealthFinding | undefined {
  if (node?.kind === 'finding') return node.finding.fixSql ? node.finding : undefined;
  if (node?.kind === 'index') {
    return provider.findings().find((f) => f.fixSql && f.schema === node.index.schema && f.index === node.index.name);
  }
  return undefined;
}

/** Writes the finding's fix as a new migration in the form the folder's runner runs it, and opens it. */
export async function createMigration(node: HealthNode | undefined, provider: HealthCommandSource): Promise<vscode.Uri | undefined> {
  const finding = fixableFinding(node, provider);
  if (!finding) {
    void vscode.window.showInformationMessage('pglens: choose a finding with a fix (unused, duplicate or invalid index, foreign key without an index).');
    return undefined;
  }
  const folder = await migrationFolder();
  if (!folder) return undefined;
  try {
    return await writeMigration(await migrationFileFor(finding, folder));
  } catch (e) {
    void vscode.window.showErrorMessage(`pglens: could not write the migration in ${folder}: ${errorMessage(e)}`);
    return undefined;
  }
}

/**
 * Writes what core planned, as planned: the migration, its down file, the runner's other
 * files (diesel's metadata.toml, sqitch's verify script and plan), then opens the migration
 * and shows what is left to do, if anything.
 */
export async function writeMigration(
  file: Pick<PlacedMigrationFile, 'content' | 'downContent' | 'path' | 'downPath' | 'extraFiles' | 'note'>,
): Promise<vscode.Uri> {
  const writes: Array<{ path: string; content: string }> = [{ path: file.path, content: file.content }];
  if (file.downPath && file.downContent) writes.push({ path: file.downPath, content: file.downContent });
  writes.push(...(file.extraFiles ?? []));
  for (const w of writes) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(w.path)));
    await vscode.workspace.fs.writeFile(vscode.Uri.file(w.path), new TextEncoder().encode(w.content));
  }
  const uri = vscode.Uri.file(file.path);
  await vscode.window.showTextDocument(uri);
  if (file.note) void vscode.window.showWarningMessage(`pglens: ${file.note}`);
  return uri;
}

export function registerHealthCommands(provider: HealthCommandSource): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('pglens.refreshHealth', () => provider.refresh()),
    vscode.commands.registerCommand('pglens.health.explain', async (node?: HealthNode) => {
      // A session's query is explained without ANALYZE: it is someone else's statement, never re-run.
      const sql = node?.kind === 'slowQuery' ? node.query.query : node?.kind === 'dbFinding' ? node.finding.query : undefined;
      if (!sql) {
        void vscode.window.showInformationMessage('pglens: choose a query under Slow queries or a session under Health to explain it.');
        return;
      }
      await vscode.commands.executeCommand('pglens.explainSql', sql, false);
    }),
    vscode.commands.registerCommand('pglens.health.cancelQuery', (node?: HealthNode) => signalSession(node, 'cancel', provider)),
    vscode.commands.registerCommand('pglens.health.terminateSession', (node?: HealthNode) => signalSession(node, 'terminate', provider)),
    vscode.commands.registerCommand('pglens.health.copyDefinition', async (node?: HealthNode) => {
      const text =
        node?.kind === 'index'
          ? node.index.definition
          : node?.kind === 'finding'
            ? (provider.indexOf(node.finding)?.definition ?? node.finding.fixSql)
            : node?.kind === 'slowQuery'
              ? node.query.query
              : node?.kind === 'dbFinding'
                ? (node.finding.query ?? node.finding.fixSql)
                : undefined;
      if (!text) {
        void vscode.window.showInformationMessage('pglens: choose an index, a finding, a session or a slow query to copy.');
        return;
      }
      await vscode.env.clipboard.writeText(text);
      vscode.window.setStatusBarMessage('pglens: copied to the clipboard', 3000);
    }),
    vscode.commands.registerCommand('pglens.health.revealMigration', (node?: HealthNode) => revealMigration(node)),
    vscode.commands.registerCommand('pglens.health.createMigration', (node?: HealthNode) => createMigration(node, provider)),
  ];
}

/**
 * Cancels a session's query or terminates the session, only after a modal confirmation that
 * names the pid and the query, and never in an untrusted workspace. The session must still run
 * what the user confirmed (core's signalBackend compares the query and its start).
 */
export async function signalSession(node: HealthNode | undefined, action: SignalAction, provider: HealthCommandSource): Promise<SignalResult | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('pglens: cancelling or terminating a session is refused in an untrusted workspace.');
    return undefined;
  }
  const finding = node?.kind === 'dbFinding' && node.finding.pid !== undefined ? node.finding : undefined;
  if (!finding || finding.pid === undefined) {
    void vscode.window.showInformationMessage('pglens: choose a session (a long-running query, an idle transaction or a blocking session) under Health.');
    return undefined;
  }
  const pid = finding.pid;
  const query = finding.query ?? '';
  const shown = query.replace(/\s+/g, ' ').trim();
  const verb = action === 'cancel' ? 'Cancel Query' : 'Terminate Session';
  const detail =
    (action === 'cancel'
      ? `Cancel the query running in session ${pid}? Its transaction is rolled back; the session stays connected.`
      : `Terminate session ${pid}? Its connection is closed and its open transaction rolled back; the application must reconnect.`) +
    `\n\n${shown.length > 500 ? `${shown.slice(0, 499)}…` : shown || '(no query text visible)'}`;
  if (!(await confirmAction(`pglens: ${verb.toLowerCase()} ${pid}?`, detail, verb))) return undefined;
  let result: SignalResult;
  try {
    const conn = await provider.connection();
    const queryStart = finding.metrics?.query_start;
    result = await signalBackend(conn, pid, action, { ...(typeof queryStart === 'string' && { queryStart }), ...(finding.query !== undefined && { query: finding.query }) });
  } catch (e) {
    void vscode.window.showErrorMessage(`pglens: could not ${action} session ${pid}: ${errorMessage(e)}`);
    return undefined;
  }
  if (result.signalled) vscode.window.setStatusBarMessage(`pglens: ${result.message}`, 5000);
  else void vscode.window.showWarningMessage(`pglens: ${result.message}`);
  provider.refresh();
  return result;
}

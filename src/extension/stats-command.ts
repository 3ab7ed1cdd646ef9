import * as vscode from 'vscode';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, findConfigFile } from '../core/config';
import { PglensError } from '../core/errors';
import { configWithStats } from '../core/sandbox-data/settings';
import { exportStats, gapNotes, statsExportText } from '../core/sandbox-data/stats-export';
import type { ConnectionManager } from './connection-manager';
import { showError } from './errors';

export const EXPORT_STATS_COMMAND = 'pglens.exportStats';

/** Arguments that skip the prompts (tests, other commands); a person gets the prompts. */
export interface ExportStatsRequest {
  /** Keep most common values and histogram bounds (real data). */
  values?: boolean;
  /** Absolute path of the file to write. */
  file?: string;
  /** Name the file in `.pglens.json` `sandbox.data.stats` without asking. */
  useForSandbox?: boolean;
}

export interface ExportStatsResult {
  file: string;
  tables: number;
  values: boolean;
  /** The `.pglens.json` that now names the file, when it was set. */
  config?: string;
  notes: string[];
}

/**
 * *pglens: Export Statistics for the Sandbox…*: the active server connection's planner
 * statistics (read-only, as `pglens stats export`), written to a JSON file the sandbox data
 * generator follows; then, if asked, named in `.pglens.json` so the sandbox refills from it.
 */
export function registerStatsCommand(manager: ConnectionManager, output: vscode.OutputChannel, version: string): vscode.Disposable {
  return vscode.commands.registerCommand(EXPORT_STATS_COMMAND, async (request?: ExportStatsRequest) => {
    try {
      return await exportCommand(manager, output, version, request ?? {});
    } catch (e) {
      showError(e, 'export statistics');
      return undefined;
    }
  });
}

async function exportCommand(manager: ConnectionManager, output: vscode.OutputChannel, version: string, request: ExportStatsRequest): Promise<ExportStatsResult | undefined> {
  const conn = await manager.getConnection();
  if (conn.kind !== 'server') {
    throw new PglensError(
      'connection-failed',
      "the embedded sandbox's statistics are those of its own generated data",
      'select the server connection whose statistics the sandbox should follow (production or a copy of it)',
    );
  }
  let values = request.values;
  if (values === undefined) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Shape only', description: 'no real data', detail: 'Frequencies, distinct counts, NULL fractions and correlation; the generator invents the values.', values: false },
        { label: 'With values', description: 'samples of real data', detail: 'Also the most common values and histogram bounds: closer plans, but review the file before committing it.', values: true },
      ],
      { title: `pglens: Export Statistics from ${conn.label}`, ignoreFocusOut: true },
    );
    if (!picked) return undefined;
    values = picked.values;
  }
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let file = request.file;
  if (file === undefined) {
    const uri = await vscode.window.showSaveDialog({
      title: 'pglens: Save the statistics as',
      defaultUri: root ? vscode.Uri.file(path.join(root, 'pglens-stats.json')) : undefined,
      filters: { JSON: ['json'] },
    });
    if (!uri) return undefined;
    file = uri.fsPath;
  }
  const timeoutSeconds = vscode.workspace.getConfiguration('pglens').get<number>('explain.statementTimeout', 30);
  const exported = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `pglens: reading the statistics of ${conn.label}…` },
    async () => exportStats(conn, { values, timeoutMs: Math.ceil(timeoutSeconds * 1000), pglensVersion: version, serverVersion: await conn.serverVersion() }),
  );
  await vscode.workspace.fs.writeFile(vscode.Uri.file(file), new TextEncoder().encode(statsExportText(exported)));
  const notes = gapNotes(exported);
  const tables = Object.keys(exported.tables).length;
  output.appendLine(`[stats] wrote the statistics of ${tables} table(s) from ${conn.label} to ${file}${values ? ' (with values: real data)' : ' (values left out)'}`);
  for (const n of notes) output.appendLine(`[stats] ${n}`);
  const result: ExportStatsResult = { file, tables, values, notes };

  let use = request.useForSandbox;
  if (use === undefined) {
    const action = await vscode.window.showInformationMessage(
      `pglens: wrote the statistics of ${tables} table(s) to ${vscode.workspace.asRelativePath(file)}${values ? ' — they hold samples of real data: review before committing' : ''}.`,
      'Use for the Sandbox Data',
      'Open',
    );
    if (action === 'Open') await vscode.window.showTextDocument(vscode.Uri.file(file));
    use = action === 'Use for the Sandbox Data';
  }
  if (use) result.config = await nameInConfig(file, root);
  return result;
}

/** Sets `sandbox.data.stats` in the workspace's `.pglens.json` (the one the sandbox reads), creating it if needed. */
async function nameInConfig(file: string, root: string | undefined): Promise<string> {
  if (!root) throw new PglensError('bad-input', 'no workspace folder holds a .pglens.json', 'open the project folder, then run the command again');
  // The nearest one the sandbox reads, unless that is outside the workspace: then a new one in it.
  const found = findConfigFile(root);
  const inside = found !== undefined && !path.relative(root, found).startsWith('..');
  const config = inside ? found : path.join(root, CONFIG_FILE_NAME);
  const uri = vscode.Uri.file(config);
  let text: string | undefined;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    text = undefined;
  }
  const rel = path.relative(path.dirname(config), file).split(path.sep).join('/');
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(configWithStats(text, rel, path.basename(config))));
  void vscode.window.showInformationMessage(`pglens: ${vscode.workspace.asRelativePath(config)} now fills the sandbox from ${rel}; the next Explain on the sandbox uses it.`);
  return config;
}

import * as vscode from 'vscode';
import * as path from 'node:path';
import { defaultConfig, loadConfig, type PglensConfig } from '../core/config';
import { errorMessage } from '../core/errors';
import { showErrorText } from './errors';
import { planOptionsFromConfig } from '../core/plan/config';
import type { AnalyzePlanOptions } from '../core/plan/types';

/**
 * `.pglens.json`, read by the same core function the CLI uses, so the editor never
 * disagrees with CI. Cached per folder; dropped when any config file changes.
 */
const cache = new Map<string, PglensConfig>();
const reported = new Set<string>();

export function watchConfig(onChange: () => void): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher('**/.pglens.json');
  const drop = () => {
    cache.clear();
    reported.clear();
    onChange();
  };
  watcher.onDidChange(drop);
  watcher.onDidCreate(drop);
  watcher.onDidDelete(drop);
  return watcher;
}

function reportOnce(message: string): void {
  if (reported.has(message)) return;
  reported.add(message);
  showErrorText(`pglens: ${message}. Using default settings until it is fixed.`);
}

export function configFor(uri: vscode.Uri | undefined): PglensConfig {
  const folder = uri?.scheme === 'file' ? path.dirname(uri.fsPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) return defaultConfig();
  const hit = cache.get(folder);
  if (hit) return hit;
  let config: PglensConfig;
  try {
    config = loadConfig(folder);
  } catch (e) {
    reportOnce(errorMessage(e));
    config = defaultConfig(folder);
  }
  cache.set(folder, config);
  return config;
}

/** Plan thresholds and severities (a bad `plan` section fails the load: reported once by configFor, defaults apply). */
export function planOptionsFor(uri: vscode.Uri | undefined): AnalyzePlanOptions {
  return planOptionsFromConfig(configFor(uri));
}

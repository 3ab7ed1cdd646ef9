/**
 * `pglens.comparePlans` (Compare Two Plans…): any two plans — files, the clipboard, the active
 * editor, the plan a viewer shows — analysed and opened in the viewer's compare mode, the same
 * pairing `pglens plan BEFORE AFTER` prints. Arguments skip the prompts (tests, other commands):
 * each of `before` and `after` may be a path (absolute, or relative to the first workspace
 * folder), a Uri, `{ uri }` or `{ text, title? }`.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage, isPglensError } from '../core/errors';
import { analyzePlan } from '../core/plan/analyze';
import type { PlanComparison } from '../core/plan/types';
import { planInViewer, readPlanFile, showPlanComparison, type ComparedPlan } from './plan-panel';

export const COMPARE_PLANS_COMMAND = 'pglens.comparePlans';

/** What the command returns: the viewer it opened and the comparison it was sent. */
export interface ComparePlansResult {
  panel: vscode.WebviewPanel;
  comparison: PlanComparison;
  before: string;
  after: string;
}

/** A plan's text and the name it goes by, before it is analysed. */
interface PlanText {
  text: string;
  title: string;
}

type Side = 'before' | 'after';

class PlanInputError extends Error {}

export function registerComparePlans(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.commands.registerCommand(COMPARE_PLANS_COMMAND, (before?: unknown, after?: unknown) => comparePlansCommand(context, before, after));
}

async function comparePlansCommand(context: vscode.ExtensionContext, beforeArg: unknown, afterArg: unknown): Promise<ComparePlansResult | undefined> {
  try {
    // Each plan is read as soon as it is chosen, so a bad one is named before the next prompt.
    const beforeInput = beforeArg === undefined ? await pick('before') : await fromArgument(beforeArg, 'before');
    if (!beforeInput) return undefined;
    const before = analysed(beforeInput, 'before');
    const afterInput = afterArg === undefined ? await pick('after', before) : await fromArgument(afterArg, 'after');
    if (!afterInput) return undefined;
    const after = analysed(afterInput, 'after');
    const shown = showPlanComparison(context, before, after);
    return { ...shown, before: titleOf(before), after: titleOf(after) };
  } catch (e) {
    if (!(e instanceof PlanInputError)) throw e;
    void vscode.window.showErrorMessage(`pglens: ${e.message}`);
    return undefined;
  }
}

function titleOf(p: PlanText | ComparedPlan): string {
  if ('text' in p) return p.title;
  return 'view' in p ? p.view.title : p.options.title;
}

/** Analyses a plan the user brought; an unreadable one names the side and the file. */
function analysed(p: PlanText | ComparedPlan, side: Side): ComparedPlan {
  if (!('text' in p)) return p;
  try {
    const report = analyzePlan(p.text, {});
    const json = report.sourceFormat === 'json' && /^\s*[[{]/.test(p.text);
    // As Open Plan… keeps them: JSON for the Raw JSON tab, anything else as the text received.
    return { options: { report, rawJson: json ? p.text : undefined, rawText: json ? undefined : p.text, title: p.title } };
  } catch (e) {
    // A PglensError's message ends with its next step already.
    const detail = isPglensError(e) && e.hint ? e.message : `${errorMessage(e)} — pass the complete output of EXPLAIN (FORMAT JSON) or of plain EXPLAIN`;
    throw new PlanInputError(`the ${side} plan, ${p.title}, cannot be read: ${detail}`);
  }
}

async function fromArgument(arg: unknown, side: Side): Promise<PlanText> {
  if (typeof arg === 'string') return fromUri(resolvePath(arg), side);
  if (arg instanceof vscode.Uri) return fromUri(arg, side);
  if (typeof arg === 'object' && arg !== null) {
    const a = arg as { text?: unknown; uri?: unknown; title?: unknown };
    if (typeof a.text === 'string') return { text: a.text, title: typeof a.title === 'string' ? a.title : `${side} plan` };
    if (a.uri instanceof vscode.Uri) return fromUri(a.uri, side);
  }
  throw new PlanInputError(`the ${side} plan must be a file path, a Uri or { text }`);
}

function resolvePath(p: string): vscode.Uri {
  if (path.isAbsolute(p)) return vscode.Uri.file(p);
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, p) : vscode.Uri.file(path.resolve(p));
}

async function fromUri(uri: vscode.Uri, side: Side): Promise<PlanText> {
  const title = uri.path.split('/').pop() || uri.toString();
  try {
    return { text: await readPlanFile(uri), title };
  } catch (e) {
    throw new PlanInputError(`the ${side} plan, ${title}, cannot be read: ${errorMessage(e)} — check the file exists and is readable`);
  }
}

type Pick = vscode.QuickPickItem & { action: 'viewer' | 'file' | 'clipboard' | 'editor' };

/** Asks where a plan comes from; the viewer's plan is offered for `before` only, as the usual baseline. */
async function pick(side: Side, before?: PlanText | ComparedPlan): Promise<PlanText | ComparedPlan | undefined> {
  const picks: Pick[] = [];
  const inViewer = side === 'before' ? planInViewer() : undefined;
  if (inViewer) picks.push({ label: `$(preview) The plan in the viewer`, description: inViewer.title, action: 'viewer' });
  picks.push({ label: '$(file) A plan file…', description: '.json, .txt, .log, .yaml, .xml (or .gz)', action: 'file' });
  const clipboard = await vscode.env.clipboard.readText();
  if (clipboard.trim().length > 0) picks.push({ label: '$(clippy) The clipboard', description: clipboard.trim().split('\n')[0].slice(0, 60), action: 'clipboard' });
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.getText().trim().length > 0) {
    picks.push({ label: `$(go-to-file) The ${editor.selection.isEmpty ? 'active editor' : 'selection'}`, description: vscode.workspace.asRelativePath(editor.document.uri), action: 'editor' });
  }
  const step = side === 'before' ? '1/2: the plan before (the baseline)' : `2/2: the plan after, compared with ${before ? titleOf(before) : 'the first'}`;
  const picked = await vscode.window.showQuickPick(picks, { title: `pglens: Compare Two Plans — ${step}` });
  if (!picked) return undefined;
  switch (picked.action) {
    case 'viewer':
      return inViewer ? { view: inViewer } : undefined;
    case 'clipboard':
      return { text: clipboard, title: `${side === 'before' ? 'Before' : 'After'} (clipboard)` };
    case 'editor': {
      if (!editor) return undefined;
      const text = editor.selection.isEmpty ? editor.document.getText() : editor.document.getText(editor.selection);
      return { text, title: vscode.workspace.asRelativePath(editor.document.uri) };
    }
    case 'file': {
      const uri = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: side === 'before' ? 'Compare from' : 'Compare with',
        filters: { 'EXPLAIN output': ['json', 'txt', 'log', 'sql', 'yaml', 'yml', 'xml', 'gz'], 'All files': ['*'] },
      });
      return uri?.[0] ? fromUri(uri[0], side) : undefined;
    }
  }
}

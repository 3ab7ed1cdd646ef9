import * as path from 'node:path';
import * as vscode from 'vscode';
import { escapeControl } from '../core/escape-control';
import { askChild } from '../core/migrations/verify/child';
import type { DownAnswer, DownReport, DownRequest } from '../core/migrations/verify/verify-process';

export const GENERATE_DOWN_COMMAND = 'pglens.generateDown';

/** What the command answers (the editor tests read it). */
export interface GenerateDownResult {
  ok: boolean;
  /** Files the WorkspaceEdit touched (absolute). */
  files: string[];
  irreversible: string[];
  message: string;
}

/**
 * "Generate down migration": the quick fix on `missing-down-migration` (and a command). The
 * down is computed and proven up → down → up in the verification child (dist/verify-process.js,
 * the same code as `pglens migrations down`), then put in the runner's own place as a
 * WorkspaceEdit the user sees, undoes and saves — never written behind their back. A down that
 * does not verify is shown in a new editor with the reason, not applied.
 */
export class GenerateDown implements vscode.CodeActionProvider {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!vscode.workspace.isTrusted) return [];
    return context.diagnostics
      .filter((d) => d.source === 'pglens' && (typeof d.code === 'object' ? d.code.value : d.code) === 'missing-down-migration')
      .map((d) => {
        const action = new vscode.CodeAction('Generate down migration (verified up → down → up)', vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.command = { command: GENERATE_DOWN_COMMAND, title: action.title, arguments: [doc.uri] };
        return action;
      });
  }

  async command(target?: vscode.Uri): Promise<GenerateDownResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('pglens: generating a down runs the migrations on an embedded database, which is off in an untrusted workspace.');
      return undefined;
    }
    const uri = target ?? vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file') return undefined;
    const file = uri.fsPath;
    const dirty = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file && d.isDirty);
    if (dirty) await dirty.save();
    const request: DownRequest = { kind: 'down', dir: path.dirname(file), file };
    let report: DownReport;
    try {
      report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `pglens: generating the down of ${path.basename(file)}` },
        () => this.run(request),
      );
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      void vscode.window.showErrorMessage(`pglens: ${message}`);
      return { ok: false, files: [], irreversible: [], message };
    }
    const irreversible = report.irreversible;
    if (!report.verification.ok || !report.placement || report.placement.edits.length === 0) {
      const why = !report.verification.ok
        ? `the generated down does not verify (${[report.verification.note, ...report.verification.unexpected].filter(Boolean).join('; ') || report.verification.verdict})`
        : (report.placement?.note ?? 'the migration has a down already');
      const doc = await vscode.workspace.openTextDocument({ language: 'sql', content: `-- ${why}\n${report.sql}` });
      await vscode.window.showTextDocument(doc, { preview: false });
      return { ok: false, files: [], irreversible, message: why };
    }
    const edit = new vscode.WorkspaceEdit();
    const files: string[] = [];
    for (const e of report.placement.edits) {
      const abs = path.join(report.root, ...e.file.split('/'));
      files.push(abs);
      const target = vscode.Uri.file(abs);
      if (e.kind === 'create') {
        edit.createFile(target, { ignoreIfExists: false });
        edit.insert(target, new vscode.Position(0, 0), e.text);
      } else {
        const doc = await vscode.workspace.openTextDocument(target);
        edit.insert(target, doc.positionAt(e.offset), e.text);
      }
    }
    if (!(await vscode.workspace.applyEdit(edit))) return { ok: false, files: [], irreversible, message: 'the edit was refused' };
    await vscode.window.showTextDocument(vscode.Uri.file(files[0]), { preview: false });
    const message =
      `down of ${report.id} placed (${report.placement.where}), verified on ${report.verification.database}` +
      (irreversible.length ? `; cannot be reversed from the schema alone: ${irreversible.join('; ')}` : '');
    this.output.appendLine(`[rollback] ${escapeControl(message)}`);
    void (irreversible.length ? vscode.window.showWarningMessage(`pglens: ${message}`) : vscode.window.showInformationMessage(`pglens: ${message}`));
    return { ok: true, files, irreversible, message };
  }

  /** One request to the verification child; its answer or its error. */
  private async run(request: DownRequest): Promise<DownReport> {
    const script = this.context.asAbsolutePath(path.join('dist', 'verify-process.js'));
    // The extension host's executable is Electron in the desktop editor: run it as Node.
    const { answer } = askChild(script, [], request, (text) => this.output.appendLine(`[rollback] ${escapeControl(text.trimEnd())}`), {
      ...process.env,
      ELECTRON_RUN_AS_NODE: '1',
    });
    const down = (await answer) as DownAnswer;
    if ('error' in down) throw new Error(down.error.message);
    return down.down;
  }
}

export function registerGenerateDown(context: vscode.ExtensionContext, output: vscode.OutputChannel): vscode.Disposable {
  const provider = new GenerateDown(context, output);
  return vscode.Disposable.from(
    vscode.languages.registerCodeActionsProvider([{ scheme: 'file', language: 'sql' }, { scheme: 'file', pattern: '**/*.sql' }], provider, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    vscode.commands.registerCommand(GENERATE_DOWN_COMMAND, (target?: vscode.Uri) => provider.command(target)),
  );
}

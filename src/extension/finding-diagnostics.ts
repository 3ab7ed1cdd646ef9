import * as vscode from 'vscode';
import type { FindingAction } from '../core/lint/actions';
import type { Finding, Severity } from '../core/types';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** A core finding as a diagnostic whose code links to its rule page (shipped in the extension). */
export function findingDiagnostic(f: Finding, extensionUri: vscode.Uri): vscode.Diagnostic {
  const d = new vscode.Diagnostic(new vscode.Range(f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character), f.message, SEVERITY[f.severity]);
  d.source = 'pglens';
  // A syntax error has no rule page to open.
  d.code = f.ruleId === 'syntax-error' ? f.ruleId : { value: f.ruleId, target: vscode.Uri.joinPath(extensionUri, 'docs', 'rules', `${f.ruleId}.md`) };
  return d;
}

/** The finding behind one of pglens's diagnostics (same rule, same start), for its code actions. */
export function findingOfDiagnostic(findings: readonly Finding[], diagnostic: vscode.Diagnostic): Finding | undefined {
  if (diagnostic.source !== 'pglens') return undefined;
  const ruleId = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code);
  return findings.find((f) => f.ruleId === ruleId && f.range.start.line === diagnostic.range.start.line && f.range.start.character === diagnostic.range.start.character);
}

/** A core action (fix or suppression) as a quick fix for `diagnostic`. */
export function quickFix(doc: vscode.TextDocument, diagnostic: vscode.Diagnostic, a: FindingAction): vscode.CodeAction {
  const action = new vscode.CodeAction(a.title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.isPreferred = a.isPreferred;
  const edit = new vscode.WorkspaceEdit();
  for (const e of a.edits) edit.replace(doc.uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
  action.edit = edit;
  return action;
}

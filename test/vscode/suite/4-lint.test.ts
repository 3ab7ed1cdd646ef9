import * as assert from 'assert';
import * as vscode from 'vscode';
import { activeApi, openDocument, waitFor } from './helpers';

const RULE = 'require-concurrent-index-creation';

function ruleOf(d: vscode.Diagnostic): string {
  const code = d.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code);
}

describe('migration diagnostics', () => {
  afterEach(() => vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor'));

  it(`reports ${RULE} on a CREATE INDEX over a table an earlier migration created`, async () => {
    const api = await activeApi();
    const editor = await openDocument('migrations/002_index_orders_user.sql');
    const uri = editor.document.uri;
    const found = await waitFor(() => api.diagnostics(uri).find((d) => ruleOf(d) === RULE), `a ${RULE} diagnostic`);
    const line = editor.document.getText().split('\n').findIndex((l) => l.startsWith('CREATE INDEX'));
    assert.strictEqual(found.range.start.line, line);
    assert.strictEqual(found.severity, vscode.DiagnosticSeverity.Warning);
    assert.ok(/CONCURRENTLY/i.test(found.message), `message: ${found.message}`);
  });

  it('offers a quick fix that adds CONCURRENTLY, and the warning goes away once applied', async () => {
    const api = await activeApi();
    const editor = await openDocument('migrations/002_index_orders_user.sql');
    const uri = editor.document.uri;
    const found = await waitFor(() => api.diagnostics(uri).find((d) => ruleOf(d) === RULE), `a ${RULE} diagnostic`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, found.range);
    const fix = actions.find((a) => /CONCURRENTLY/.test(a.title));
    const listed = actions.map((a) => `"${a.title}" (${a.kind?.value ?? 'no kind'})`).join(', ') || 'none';
    assert.ok(fix, `no quick fix for ${RULE}; actions: ${listed}`);
    assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind), `"${fix.title}" is not a quick fix: ${listed}`);
    // vscode.executeCodeActionProvider does not return an action's diagnostics, so the tie to
    // the warning is shown instead by the suppression actions the same diagnostic yields.
    assert.ok(actions.some((a) => a.title === `Disable ${RULE} for this line`), `no suppression for ${RULE}: ${listed}`);
    assert.ok(fix.edit, `"${fix.title}" carries no edit`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(editor.document.getText(), /CREATE INDEX CONCURRENTLY orders_user_id_idx/);
    await waitFor(() => !api.diagnostics(uri).some((d) => ruleOf(d) === RULE), `${RULE} to clear after the fix`);
  });
});

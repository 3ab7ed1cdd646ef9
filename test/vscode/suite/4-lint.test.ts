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
    assert.ok(fix.diagnostics?.some((d) => ruleOf(d) === RULE), `"${fix.title}" is not tied to the ${RULE} diagnostic (no light bulb on it)`);
    if (fix.edit) assert.ok(await vscode.workspace.applyEdit(fix.edit));
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    assert.match(editor.document.getText(), /CREATE INDEX CONCURRENTLY orders_user_id_idx/);
    await waitFor(() => !api.diagnostics(uri).some((d) => ruleOf(d) === RULE), `${RULE} to clear after the fix`);
  });
});

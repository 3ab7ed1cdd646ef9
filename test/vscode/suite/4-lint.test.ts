import * as assert from 'assert';
import * as vscode from 'vscode';
import { activeApi, openDocument, ruleOf, waitFor, workspaceUri } from './helpers';

const RULE = 'require-concurrent-index-creation';

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

describe('lint across a migration folder, suppressions and the config file', () => {
  const encoder = new TextEncoder();
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  async function diagnosticFor(uri: vscode.Uri, rule: string): Promise<vscode.Diagnostic> {
    const api = await activeApi();
    return waitFor(() => api.diagnostics(uri).find((d) => ruleOf(d) === rule), `a ${rule} diagnostic in ${uri.path}`);
  }

  /** Drops the unsaved edits of a fixture (its editor made active first: the revert commands act on that). */
  async function revert(uri: vscode.Uri): Promise<void> {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }

  async function applyAction(uri: vscode.Uri, diagnostic: vscode.Diagnostic, title: string): Promise<void> {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range);
    const action = actions.find((a) => a.title === title);
    assert.ok(action?.edit, `no "${title}"; actions: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(action.edit));
  }

  it('Disable for this line / for this file write -- pglens-ignore comments that silence the rule', async () => {
    const api = await activeApi();
    let editor = await openDocument('migrations/002_index_orders_user.sql');
    const uri = editor.document.uri;
    await applyAction(uri, await diagnosticFor(uri, RULE), `Disable ${RULE} for this line`);
    assert.match(editor.document.getText(), new RegExp(`^-- pglens-ignore ${RULE}\\r?\\nCREATE INDEX`, 'm'));
    await waitFor(() => !api.diagnostics(uri).some((d) => ruleOf(d) === RULE), `${RULE} to clear after Disable for this line`);
    await revert(uri);

    editor = await openDocument('migrations/002_index_orders_user.sql');
    await applyAction(uri, await diagnosticFor(uri, RULE), `Disable ${RULE} for this file`);
    assert.ok(editor.document.getText().startsWith(`-- pglens-ignore-file ${RULE}\n`), editor.document.getText());
    await waitFor(() => !api.diagnostics(uri).some((d) => ruleOf(d) === RULE), `${RULE} to clear after Disable for this file`);
    await revert(uri);
    await diagnosticFor(uri, RULE);
  });

  it('an unsaved edit in one migration re-lints the later ones (duplicate-index appears in 002)', async () => {
    const api = await activeApi();
    const later = workspaceUri('migrations/002_index_orders_user.sql');
    await diagnosticFor(later, RULE);
    assert.ok(!api.diagnostics(later).some((d) => ruleOf(d) === 'duplicate-index'));
    const editor = await openDocument('migrations/001_create_tables.sql');
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    assert.ok(await editor.edit((b) => b.insert(end, '\nCREATE INDEX orders_by_user ON orders (user_id);\n')));
    await waitFor(() => api.diagnostics(later).some((d) => ruleOf(d) === 'duplicate-index'), 'duplicate-index on 002 after editing 001');
    await revert(editor.document.uri);
    await waitFor(() => !api.diagnostics(later).some((d) => ruleOf(d) === 'duplicate-index'), 'duplicate-index to go once 001 is reverted');
  });

  it('.pglens.json changes re-lint open files: a rule turned off disappears, and comes back when the file goes', async () => {
    const api = await activeApi();
    const editor = await openDocument('migrations/002_index_orders_user.sql');
    const uri = editor.document.uri;
    await diagnosticFor(uri, RULE);
    const config = workspaceUri('.pglens.json');
    await vscode.workspace.fs.writeFile(config, encoder.encode(JSON.stringify({ rules: { [RULE]: 'off' } })));
    try {
      await waitFor(() => !api.diagnostics(uri).some((d) => ruleOf(d) === RULE), `${RULE} to go once .pglens.json turns it off`);
    } finally {
      await vscode.workspace.fs.delete(config);
    }
    await diagnosticFor(uri, RULE);
  });

  it('Prisma migrations follow the config\'s "transactional" like pglens lint does', async () => {
    const api = await activeApi();
    const init = workspaceUri('prisma/migrations/20240101000000_init/migration.sql');
    const index = workspaceUri('prisma/migrations/20240102000000_post_author/migration.sql');
    const config = workspaceUri('.pglens.json');
    await vscode.workspace.fs.writeFile(init, encoder.encode('CREATE TABLE "Post" (id bigint PRIMARY KEY, "authorId" bigint NOT NULL);\n'));
    await vscode.workspace.fs.writeFile(index, encoder.encode('CREATE INDEX CONCURRENTLY "Post_authorId_idx" ON "Post" ("authorId");\n'));
    try {
      // Prisma wraps each migration in a transaction: CONCURRENTLY fails there.
      await openDocument('prisma/migrations/20240102000000_post_author/migration.sql');
      await diagnosticFor(index, 'concurrent-index-in-transaction');
      // A project whose runner does not (config says so): no finding, as `pglens lint prisma/migrations` says.
      await vscode.workspace.fs.writeFile(config, encoder.encode(JSON.stringify({ migrations: [{ path: 'prisma/migrations/**', transactional: false }] })));
      await waitFor(
        () => !api.diagnostics(index).some((d) => ruleOf(d) === 'concurrent-index-in-transaction'),
        'concurrent-index-in-transaction to go once .pglens.json says the migrations are not transactional',
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(workspaceUri('prisma/migrations'), { recursive: true });
      await vscode.workspace.fs.delete(config).then(undefined, () => undefined);
    }
  });
});

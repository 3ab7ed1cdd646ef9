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

  it('a bad .pglens.json is reported with its file and key, and linting goes on with the default settings', async () => {
    const api = await activeApi();
    const editor = await openDocument('migrations/002_index_orders_user.sql');
    const uri = editor.document.uri;
    await diagnosticFor(uri, RULE);
    const config = workspaceUri('.pglens.json');
    // Read through the extension's API: a stub on this test's own `vscode.window` would not see
    // the notifications of the packaged extension, which gets an API object of its own.
    const before = api.errorsShown().length;
    try {
      await vscode.workspace.fs.writeFile(config, encoder.encode(JSON.stringify({ rules: { [RULE]: 'off' } })));
      await waitFor(() => !api.diagnostics(uri).some((d) => ruleOf(d) === RULE), `${RULE} to go once .pglens.json turns it off`);
      // The same file with a mistyped plan threshold: the whole file is refused, not half-read.
      await vscode.workspace.fs.writeFile(config, encoder.encode(JSON.stringify({ rules: { [RULE]: 'off' }, plan: { seqScanFilterMinRow: 1 } })));
      const message = await waitFor(() => api.errorsShown().slice(before).find((m) => m.includes('plan.seqScanFilterMinRow')), 'an error message naming the bad key');
      assert.ok(message.includes(config.fsPath), `message names the file: ${message}`);
      assert.ok(message.includes('did you mean "seqScanFilterMinRows"'), message);
      assert.ok(message.includes('Using default settings'), message);
      await diagnosticFor(uri, RULE);
    } finally {
      await vscode.workspace.fs.delete(config);
    }
  });

  it('Prisma migrations run as Prisma runs them, and follow the config\'s "transactional" like pglens lint does', async () => {
    const api = await activeApi();
    const init = workspaceUri('prisma/migrations/20240101000000_init/migration.sql');
    const index = workspaceUri('prisma/migrations/20240102000000_post_author/migration.sql');
    const config = workspaceUri('.pglens.json');
    await vscode.workspace.fs.writeFile(init, encoder.encode('CREATE TABLE "Post" (id bigint PRIMARY KEY, "authorId" bigint NOT NULL);\n'));
    // Two statements: Prisma sends the file as one string, an implicit transaction, so CONCURRENTLY fails there.
    await vscode.workspace.fs.writeFile(index, encoder.encode('CREATE INDEX CONCURRENTLY "Post_authorId_idx" ON "Post" ("authorId");\nSELECT 1;\n'));
    try {
      await openDocument('prisma/migrations/20240102000000_post_author/migration.sql');
      const found = await diagnosticFor(index, 'concurrent-index-in-transaction');
      assert.match(found.message, /prisma runs this migration in a transaction\)\. Put it alone in a migration of its own/);
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

describe('lint follows the migration runner (goose, diesel)', () => {
  const encoder = new TextEncoder();
  afterEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  /** Drops every unsaved edit (each editor made active first: the revert command acts on that). */
  async function revertDirty(): Promise<void> {
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  }

  async function write(files: Record<string, string>): Promise<void> {
    for (const [rel, text] of Object.entries(files)) await vscode.workspace.fs.writeFile(workspaceUri(rel), encoder.encode(text));
  }

  it('a goose file: its Up is linted in goose\'s transaction (the way out is NO TRANSACTION), its Down undoing the Up is silent', async () => {
    const api = await activeApi();
    await write({
      'goose/00001_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- +goose Down\nDROP TABLE users;\n',
      'goose/00002_email.sql': '-- +goose Up\nCREATE INDEX users_email_idx ON users (email);\n\n-- +goose Down\nDROP INDEX users_email_idx;\n',
    });
    try {
      const editor = await openDocument('goose/00002_email.sql');
      const uri = editor.document.uri;
      const found = await waitFor(() => api.diagnostics(uri).find((d) => ruleOf(d) === RULE), `a ${RULE} diagnostic`);
      assert.strictEqual(found.range.start.line, 1);
      assert.match(found.message, /-- \+goose NO TRANSACTION/);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, found.range);
      assert.ok(!actions.some((a) => /CONCURRENTLY/.test(a.title)), `a CONCURRENTLY fix inside goose's transaction: ${actions.map((a) => a.title).join(', ')}`);
      // The Down drops only what the Up created: nothing on line 5.
      assert.deepStrictEqual(api.diagnostics(uri).filter((d) => d.range.start.line === 4).map(ruleOf), []);
      // With NO TRANSACTION the fix is offered, and applying it clears the warning.
      assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), '-- +goose NO TRANSACTION\n')));
      const again = await waitFor(() => api.diagnostics(uri).find((d) => ruleOf(d) === RULE && d.range.start.line === 2), `${RULE} under NO TRANSACTION`);
      const fixes = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, again.range);
      const fix = fixes.find((a) => /CONCURRENTLY/.test(a.title));
      assert.ok(fix?.edit, `no CONCURRENTLY fix: ${fixes.map((a) => a.title).join(', ')}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      await waitFor(() => !api.diagnostics(uri).some((d) => ruleOf(d) === RULE || ruleOf(d) === 'concurrent-index-in-transaction'), 'no index finding after the fix');
    } finally {
      await revertDirty();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(workspaceUri('goose'), { recursive: true });
    }
  });

  it('a query file sees the partitioned table of the workspace migrations, and loses it when they stop replaying', async () => {
    const api = await activeApi();
    const PARTITIONS = 'partitioned-table-without-partition-key-filter';
    await write({
      'partitioned/migrations/001_events.sql':
        'CREATE TABLE events (id bigint, kind text, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);\n' +
        "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n",
      'partitioned/queries/recent.sql': "SELECT id FROM events WHERE kind = 'signup';\nSELECT id FROM events WHERE created_at > now() - interval '1 day';\n",
    });
    try {
      const uri = (await openDocument('partitioned/queries/recent.sql')).document.uri;
      const found = await waitFor(() => api.diagnostics(uri).find((d) => ruleOf(d) === PARTITIONS), `a ${PARTITIONS} diagnostic`);
      assert.strictEqual(found.range.start.line, 0);
      assert.match(found.message, /partitioned by RANGE \(created_at\)/);
      assert.strictEqual(api.diagnostics(uri).filter((d) => ruleOf(d) === PARTITIONS).length, 1);
      // A migration that does not parse: what follows it is unknown (the table may be gone), so the query is not judged.
      await write({ 'partitioned/migrations/002_broken.sql': 'CREATE TABLE foo (id int;\nDROP TABLE events;\n' });
      await openDocument('partitioned/migrations/002_broken.sql');
      await openDocument('partitioned/queries/recent.sql');
      await waitFor(() => !api.diagnostics(uri).some((d) => ruleOf(d) === PARTITIONS), `no ${PARTITIONS} once the migrations stop replaying`);
    } finally {
      await revertDirty();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(workspaceUri('partitioned'), { recursive: true });
    }
  });

  it('a diesel pair: up.sql runs in a transaction without metadata.toml; down.sql dropping what up.sql added is silent', async () => {
    const api = await activeApi();
    await write({
      'diesel/2024-01-01-000000_users/up.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
      'diesel/2024-01-01-000000_users/down.sql': 'DROP TABLE users;\n',
      'diesel/2024-01-02-000000_nick/up.sql': "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN nick text;\nCREATE INDEX CONCURRENTLY users_nick_idx ON users (nick);\n",
      'diesel/2024-01-02-000000_nick/down.sql': "SET lock_timeout = '1s';\nALTER TABLE users DROP COLUMN nick;\nALTER TABLE users DROP COLUMN email;\n",
    });
    try {
      const up = (await openDocument('diesel/2024-01-02-000000_nick/up.sql')).document.uri;
      const error = await waitFor(() => api.diagnostics(up).find((d) => ruleOf(d) === 'concurrent-index-in-transaction'), 'concurrent-index-in-transaction in up.sql');
      assert.match(error.message, /run_in_transaction = false/);
      const down = (await openDocument('diesel/2024-01-02-000000_nick/down.sql')).document.uri;
      const drop = await waitFor(() => api.diagnostics(down).find((d) => ruleOf(d) === 'ban-drop-column'), 'ban-drop-column in down.sql');
      // Only the column the up did not add: dropping nick undoes the up.
      assert.strictEqual(drop.range.start.line, 2);
      assert.strictEqual(api.diagnostics(down).filter((d) => ruleOf(d) === 'ban-drop-column').length, 1);
      // metadata.toml turns the transaction off — for a file of one statement: diesel sends up.sql as one
      // string, and several statements are one implicit transaction. The error goes once both hold.
      await write({ 'diesel/2024-01-02-000000_nick/metadata.toml': 'run_in_transaction = false\n' });
      const editor = await openDocument('diesel/2024-01-02-000000_nick/up.sql');
      const whole = new vscode.Range(0, 0, editor.document.lineCount, 0);
      assert.ok(await editor.edit((b) => b.replace(whole, 'CREATE INDEX CONCURRENTLY users_nick_idx ON users (email);\n')));
      await waitFor(() => !api.diagnostics(up).some((d) => ruleOf(d) === 'concurrent-index-in-transaction'), 'no error with run_in_transaction = false and one statement');
    } finally {
      await revertDirty();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(workspaceUri('diesel'), { recursive: true });
    }
  });
});

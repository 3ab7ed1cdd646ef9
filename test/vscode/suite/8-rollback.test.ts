import * as assert from 'assert';
import * as vscode from 'vscode';
import { activeApi, openDocument, ruleOf, waitFor, workspaceUri } from './helpers';

const ROLLBACK_RULES = new Set(['rollback-fails', 'rollback-incomplete', 'rollback-destroys-data', 'missing-down-migration', 'rollback-unverifiable']);

/** What pglens.verifyRollbacks answers (src/extension/rollback-verify.ts). */
interface VerifyResult {
  folder: string;
  cached: boolean;
  cancelled: boolean;
  summary: string;
  findings: number;
}

describe('rollback verification (Verify rollback)', () => {
  const encoder = new TextEncoder();

  async function revertDirty(): Promise<void> {
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  }

  it('a goose Down that forgets the index its Up created is reported at its line, and saving the fix clears it', async function () {
    this.timeout(240_000);
    const api = await activeApi();
    await vscode.workspace.fs.writeFile(
      workspaceUri('rollback/00001_users.sql'),
      encoder.encode('-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n\n-- +goose Down\nDROP TABLE users;\n'),
    );
    await vscode.workspace.fs.writeFile(
      workspaceUri('rollback/00002_idx.sql'),
      encoder.encode(
        '-- +goose Up\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN name text;\n\n-- +goose Down\nALTER TABLE users DROP COLUMN name;\n',
      ),
    );
    try {
      const editor = await openDocument('rollback/00002_idx.sql');
      const uri = editor.document.uri;
      const lines = editor.document.getText().split('\n');
      const downLine = lines.indexOf('-- +goose Down') + 1;

      // The lens sits above the first line of the migration's up.
      const lens = await waitFor(async () => {
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
        return lenses.find((l) => l.command?.command === 'pglens.verifyRollbacks');
      }, 'the Verify rollback code lens');
      assert.strictEqual(lens.command?.title, 'Verify rollback');
      assert.strictEqual(lens.range.start.line, 1);

      const first = await vscode.commands.executeCommand<VerifyResult | undefined>('pglens.verifyRollbacks', ...(lens.command?.arguments ?? []));
      assert.ok(first, 'pglens.verifyRollbacks answered nothing (see the pglens output channel)');
      assert.strictEqual(first.cached, false);
      assert.match(first.summary, /1 rollback\(s\) verified/);
      const found = await waitFor(
        () => api.diagnostics(uri).find((d) => (ruleOf(d) === 'rollback-fails' || ruleOf(d) === 'rollback-incomplete') && d.range.start.line === downLine),
        `a rollback-fails or rollback-incomplete diagnostic on line ${downLine + 1}`,
      );
      assert.strictEqual(found.source, 'pglens');
      assert.match(found.message, /00002_idx/);
      const code = found.code as { value: string; target: vscode.Uri };
      assert.match(code.target.path, new RegExp(`/docs/rules/${ruleOf(found)}\\.md$`));
      // 00001 rolls back cleanly: nothing there.
      assert.deepStrictEqual(api.diagnostics(workspaceUri('rollback/00001_users.sql')).filter((d) => ROLLBACK_RULES.has(ruleOf(d))), []);

      // Nothing changed: the cached result, at once.
      const again = await vscode.commands.executeCommand<VerifyResult | undefined>('pglens.verifyRollbacks', uri);
      assert.strictEqual(again?.cached, true, `second run: ${JSON.stringify(again)}`);
      assert.ok(api.diagnostics(uri).some((d) => ruleOf(d) === ruleOf(found)), 'the cached run kept the diagnostic');

      // The fix, saved: the folder is verified again in the background and the finding goes.
      assert.ok(await editor.edit((b) => b.insert(new vscode.Position(downLine, 0), 'DROP INDEX users_email_idx;\n')));
      assert.ok(await editor.document.save(), 'the fixed file did not save');
      await waitFor(() => !api.diagnostics(uri).some((d) => ROLLBACK_RULES.has(ruleOf(d))), 'the rollback diagnostics to clear after saving the fix', 180_000);
    } finally {
      await revertDirty();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(workspaceUri('rollback'), { recursive: true });
    }
  });

  it('a migration without a down gets the quick fix "Generate down migration": a verified Down section, placed as an edit the user saves', async function () {
    this.timeout(240_000);
    const api = await activeApi();
    await vscode.workspace.fs.writeFile(
      workspaceUri('rollback-gen/00001_users.sql'),
      encoder.encode('-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n\n-- +goose Down\nDROP TABLE users;\n'),
    );
    await vscode.workspace.fs.writeFile(
      workspaceUri('rollback-gen/00002_nick.sql'),
      encoder.encode('-- +goose Up\nALTER TABLE users ADD COLUMN nick text;\nCREATE INDEX users_nick_idx ON users (nick);\n'),
    );
    try {
      const editor = await openDocument('rollback-gen/00002_nick.sql');
      const uri = editor.document.uri;
      await vscode.commands.executeCommand('pglens.verifyRollbacks', uri);
      const missing = await waitFor(() => api.diagnostics(uri).find((d) => ruleOf(d) === 'missing-down-migration'), 'a missing-down-migration diagnostic');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, missing.range);
      const fix = actions.find((a) => a.title.startsWith('Generate down migration'));
      assert.ok(fix?.command, `no Generate down migration action: ${actions.map((a) => a.title).join(', ')}`);
      const result = await vscode.commands.executeCommand<{ ok: boolean; files: string[]; message: string } | undefined>(fix.command.command, ...(fix.command.arguments ?? []));
      assert.ok(result?.ok, `the down was not placed: ${JSON.stringify(result)}`);
      const text = editor.document.getText();
      assert.match(text, /-- \+goose Down\n[\s\S]*DROP INDEX[\s\S]*DROP COLUMN nick/);
      assert.ok(await editor.document.save(), 'the file with its new down did not save');
      // Saving re-verifies the folder: the migration now has a down that undoes its up.
      await waitFor(() => !api.diagnostics(uri).some((d) => ROLLBACK_RULES.has(ruleOf(d))), 'no rollback finding once the generated down is saved', 180_000);
    } finally {
      await revertDirty();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(workspaceUri('rollback-gen'), { recursive: true });
    }
  });
});

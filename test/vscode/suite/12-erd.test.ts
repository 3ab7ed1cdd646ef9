import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SchemaDiagramResult } from '../../../src/extension/erd-panel';
import { activeApi, closeAllEditors, waitFor } from './helpers';

function diagramTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('pglens.erd'));
}

describe('schema diagram', function () {
  this.timeout(60_000);

  after(() => closeAllEditors());

  it('is a palette command', async () => {
    await activeApi();
    assert.ok((await vscode.commands.getCommands(true)).includes('pglens.showSchemaDiagram'));
  });

  it('opens the diagram of the workspace migrations, and the viewer draws the model', async () => {
    await activeApi();
    const result = await vscode.commands.executeCommand<SchemaDiagramResult>('pglens.showSchemaDiagram');
    assert.ok(result, 'the command returned nothing');
    assert.deepStrictEqual(
      result.sources.filter((s) => s.kind !== 'live').map((s) => `${s.kind}:${s.label}`),
      ['migrations:migrations/', 'prisma:prisma/shop.prisma'],
    );
    assert.strictEqual(result.source?.id, 'migrations:migrations/', 'migrations first');
    const model = result.model;
    assert.ok(model);
    assert.deepStrictEqual(model.tables.map((t) => t.id), ['public.users', 'public.orders']);
    const [rel] = model.relations;
    assert.deepStrictEqual([rel.from, rel.to, rel.cardinality, rel.columns], ['public.orders', 'public.users', '1:N', ['user_id']]);
    assert.ok(model.files[0].endsWith('migrations/001_create_tables.sql'), model.files[0]);
    assert.ok(result.panel.webview.options.enableScripts);
    await waitFor(() => diagramTabs().some((t) => t.label === 'Schema: migrations/'), 'the diagram tab titled after its source');
    // The viewer got the model, laid it out and drew it.
    const report = await waitFor(() => result.rendered(), 'the viewer to report the drawn diagram', 30_000);
    assert.deepStrictEqual([report.sourceId, report.tables, report.relations, report.badges], ['migrations:migrations/', 2, 1, 0]);
  });

  it('a click on a table opens its CREATE TABLE', async () => {
    const result = await vscode.commands.executeCommand<SchemaDiagramResult>('pglens.showSchemaDiagram');
    const editor = await result.reveal('public.orders');
    assert.ok(editor, 'no editor opened');
    assert.ok(editor.document.uri.path.endsWith('/migrations/001_create_tables.sql'), editor.document.uri.path);
    assert.strictEqual(editor.document.lineAt(editor.selection.start.line).text, 'CREATE TABLE orders (');
    assert.strictEqual(editor.document.getText(editor.selection), 'orders');
    const column = await result.reveal('public.orders', 'user_id');
    assert.match(column?.document.lineAt(column.selection.start.line).text ?? '', /^\s+user_id bigint NOT NULL REFERENCES users/);
  });

  it('the Prisma source shows the finding badges of the Prisma rules', async () => {
    const result = await vscode.commands.executeCommand<SchemaDiagramResult>('pglens.showSchemaDiagram', { source: 'prisma:prisma/shop.prisma' });
    assert.strictEqual(result.source?.kind, 'prisma');
    const invoice = result.model?.tables.find((t) => t.name === 'Invoice');
    assert.deepStrictEqual(invoice?.findings.map((f) => f.ruleId).sort(), ['fk-without-index', 'money-as-float']);
    const report = await waitFor(() => (result.rendered()?.sourceId === 'prisma:prisma/shop.prisma' ? result.rendered() : undefined), 'the Prisma diagram to be drawn', 30_000);
    assert.strictEqual(report.badges, 1);
    // Clicking the model leads to `model Invoice {`.
    const editor = await result.reveal(invoice!.id);
    assert.match(editor?.document.lineAt(editor.selection.start.line).text ?? '', /^model Invoice \{/);
    assert.strictEqual(diagramTabs().length, 1, 'one diagram panel, reused');
  });
});

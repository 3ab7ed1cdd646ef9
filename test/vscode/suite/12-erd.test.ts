import * as assert from 'assert';
import * as vscode from 'vscode';
import type { SchemaDiagramResult } from '../../../src/extension/erd-panel';
import { activeApi, closeAllEditors, connectRealServer, requireServer, setConnections, uniqueSchemaName, waitFor } from './helpers';

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
  it('the live connection draws the server catalog, relations included', async function () {
    const client = await requireServer(this);
    const schema = uniqueSchemaName('pgl_ed_erd');
    try {
      await client.query(`
        CREATE SCHEMA ${schema};
        CREATE TABLE ${schema}.authors (id bigint PRIMARY KEY, name text NOT NULL);
        CREATE TABLE ${schema}.books (id bigint PRIMARY KEY, author_id bigint NOT NULL REFERENCES ${schema}.authors (id), title text);
      `);
      const api = await activeApi();
      await connectRealServer(api);
      const result = await waitFor(async () => {
        const r = await vscode.commands.executeCommand<SchemaDiagramResult>('pglens.showSchemaDiagram', { source: 'live' });
        return r?.source?.kind === 'live' && r.model?.tables.some((t) => t.schema === schema) ? r : undefined;
      }, 'the live source with the seeded schema', 30_000);
      const ours = result.model!.tables.filter((t) => t.schema === schema).map((t) => t.name).sort();
      assert.deepStrictEqual(ours, ['authors', 'books']);
      const rel = result.model!.relations.find((r) => r.from === `${schema}.books`);
      assert.deepStrictEqual([rel?.to, rel?.cardinality, rel?.columns], [`${schema}.authors`, '1:N', ['author_id']]);
      const report = await waitFor(() => (result.rendered()?.sourceId === 'live' ? result.rendered() : undefined), 'the live diagram to be drawn', 30_000);
      assert.ok(report.tables >= 2, `drew ${report.tables} tables`);
    } finally {
      await setConnections([]);
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});

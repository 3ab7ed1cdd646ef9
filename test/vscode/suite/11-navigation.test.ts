import * as assert from 'assert';
import * as vscode from 'vscode';
import { activeApi, openDocument, waitFor, workspaceUri } from './helpers';

/** The Markdown text of the hovers at a position (every provider's), backslash escapes removed (text from files is escaped). */
async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** Waits for pglens's hover (the SQL parser loads after the editor features). */
async function pglensHover(uri: vscode.Uri, position: vscode.Position, marker: string): Promise<string> {
  return waitFor(async () => {
    const text = await hoverText(uri, position);
    return text.includes(marker) ? text : undefined;
  }, `a hover containing "${marker}" at ${uri.path}:${position.line + 1}:${position.character + 1}`);
}

function positionOf(document: vscode.TextDocument, needle: string, delta = 0): vscode.Position {
  const at = document.getText().indexOf(needle);
  assert.ok(at >= 0, `"${needle}" is not in ${document.uri.path}`);
  return document.positionAt(at + delta);
}

async function definitions(uri: vscode.Uri, position: vscode.Position): Promise<Array<vscode.Location | vscode.LocationLink>> {
  return vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>('vscode.executeDefinitionProvider', uri, position);
}

function targetOf(d: vscode.Location | vscode.LocationLink): { uri: vscode.Uri; range: vscode.Range } {
  return 'targetUri' in d ? { uri: d.targetUri, range: d.targetSelectionRange ?? d.targetRange } : { uri: d.uri, range: d.range };
}

async function completionLabels(uri: vscode.Uri, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

async function untitled(language: string, content: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ language, content });
  await vscode.window.showTextDocument(document);
  return document;
}

async function closeUntitled(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

describe('schema navigation in SQL', () => {
  before(async () => {
    await activeApi();
    // The navigation answers once the SQL parser has loaded and the migrations are indexed.
    const editor = await openDocument('queries.sql');
    await pglensHover(editor.document.uri, positionOf(editor.document, 'FROM orders', 6), 'Defined in');
  });

  it('hovers a table with its columns, keys, indexes and the migration that defines it', async () => {
    const editor = await openDocument('queries.sql');
    const text = await pglensHover(editor.document.uri, positionOf(editor.document, 'FROM orders', 6), 'Defined in');
    assert.match(text, /\*\*orders\*\* — table/);
    for (const part of ['`user_id`', '`numeric(12,2)`', 'FK → users(id)', '`orders_user_id_idx` (user_id)', 'PK']) assert.ok(text.includes(part), `the hover lacks ${part}:\n${text}`);
    assert.match(text, /001_create_tables\.sql:7/);
  });

  it('hovers a column through its alias: type, constraints, where defined', async () => {
    const editor = await openDocument('queries.sql');
    const text = await pglensHover(editor.document.uri, positionOf(editor.document, 'u.email', 3), 'users.email');
    assert.match(text, /column `text`/);
    assert.match(text, /NOT NULL · UNIQUE/);
    assert.match(text, /001_create_tables\.sql:3/);
  });

  it('goes to the CREATE TABLE of a table and the definition of a column', async () => {
    const editor = await openDocument('queries.sql');
    const migration = workspaceUri('migrations/001_create_tables.sql');
    const table = (await definitions(editor.document.uri, positionOf(editor.document, 'FROM orders', 6))).map(targetOf);
    assert.strictEqual(table.length, 1, JSON.stringify(table));
    assert.strictEqual(table[0].uri.toString(), migration.toString());
    assert.strictEqual(table[0].range.start.line, 6, 'CREATE TABLE orders is on line 7');
    const column = (await definitions(editor.document.uri, positionOf(editor.document, 'status =', 1))).map(targetOf);
    assert.strictEqual(column.length, 1, JSON.stringify(column));
    assert.strictEqual(column[0].uri.toString(), migration.toString());
    assert.deepStrictEqual([column[0].range.start.line, column[0].range.start.character, column[0].range.end.character], [9, 2, 8], 'status text NOT NULL, line 10');
  });

  it('completes table names after FROM and JOIN, and columns after an alias and in the SELECT list', async () => {
    const document = await untitled('sql', 'SELECT o. FROM orders o JOIN  ON true;\nSELECT  FROM users WHERE ');
    try {
      const afterAlias = await completionLabels(document.uri, new vscode.Position(0, 9));
      for (const c of ['id', 'user_id', 'status', 'total']) assert.ok(afterAlias.includes(c), `no ${c} after "o.": ${afterAlias.join(', ')}`);
      assert.ok(!afterAlias.includes('email'), 'users.email offered after the alias of orders');
      const afterJoin = await completionLabels(document.uri, new vscode.Position(0, 29));
      assert.ok(afterJoin.includes('users') && afterJoin.includes('orders'), `tables after JOIN: ${afterJoin.join(', ')}`);
      const selectList = await completionLabels(document.uri, new vscode.Position(1, 7));
      assert.ok(selectList.includes('email') && selectList.includes('created_at'), `columns of users in the SELECT list: ${selectList.join(', ')}`);
      const where = await completionLabels(document.uri, new vscode.Position(1, 25));
      assert.ok(where.includes('email'), `columns in WHERE: ${where.join(', ')}`);
    } finally {
      await closeUntitled();
    }
  });

  it('hovers, defines and completes inside a SQL template literal of a TypeScript file', async function () {
    // The hover command waits for every provider: TypeScript's language server starts on the first TS document.
    this.timeout(90_000);
    const lines = ['const id = 1;', 'export const q = sql`SELECT email FROM users WHERE id = ${id}`;', 'export const r = sql`SELECT o. FROM orders o`;'];
    const document = await untitled('typescript', lines.join('\n'));
    try {
      const text = await pglensHover(document.uri, new vscode.Position(1, lines[1].indexOf('email') + 2), 'users.email');
      assert.match(text, /001_create_tables\.sql:3/);
      const defs = (await definitions(document.uri, new vscode.Position(1, lines[1].indexOf('users') + 1))).map(targetOf);
      assert.ok(defs.some((d) => d.uri.path.endsWith('migrations/001_create_tables.sql') && d.range.start.line === 0), JSON.stringify(defs));
      const labels = await completionLabels(document.uri, new vscode.Position(2, lines[2].indexOf('o.') + 2));
      assert.ok(labels.includes('user_id') && labels.includes('total'), `columns after o. in a template: ${labels.join(', ')}`);
      assert.strictEqual((await hoverText(document.uri, new vscode.Position(0, 7))).includes('— table'), false, 'a hover outside the template');
    } finally {
      await closeUntitled();
    }
  });

  it('finds the references of a table in the migrations and the queries', async () => {
    const editor = await openDocument('queries.sql');
    const position = positionOf(editor.document, 'FROM orders', 6);
    const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', editor.document.uri, position);
    const where = refs.map((r) => `${vscode.workspace.asRelativePath(r.uri)}:${r.range.start.line + 1}`);
    for (const expected of ['migrations/001_create_tables.sql:7', 'migrations/002_index_orders_user.sql:2', 'queries.sql:2', 'queries.sql:6']) {
      assert.ok(where.includes(expected), `no reference at ${expected}: ${where.join(', ')}`);
    }
  });

  it('warns about an unknown column and an unknown table in a query, naming the closest one', async () => {
    const api = await activeApi();
    const document = await untitled('sql', 'SELECT emial FROM users;\nSELECT id FROM userz;\nSELECT id, email FROM users;');
    try {
      const found = await waitFor(() => {
        const list = api.diagnostics(document.uri).filter((d) => d.code === 'unknown-column' || d.code === 'unknown-table');
        return list.length === 2 ? list : undefined;
      }, 'an unknown-column and an unknown-table diagnostic');
      const column = found.find((d) => d.code === 'unknown-column')!;
      assert.strictEqual(column.range.start.line, 0);
      assert.match(column.message, /did you mean "email"/);
      const table = found.find((d) => d.code === 'unknown-table')!;
      assert.strictEqual(table.range.start.line, 1);
      assert.match(table.message, /did you mean "users"/);
    } finally {
      await closeUntitled();
    }
  });
});

import * as assert from 'assert';
import * as vscode from 'vscode';
import { activeApi, codeLenses, openDocument, pglensLenses } from './helpers';

describe('code lenses', () => {
  it('shows Explain and Explain Analyze above every statement of a .sql file', async () => {
    await activeApi();
    const editor = await openDocument('queries.sql');
    const statementLines = editor.document.getText().split('\n')
      .map((text, line) => ({ text, line }))
      .filter((l) => /^SELECT\b/.test(l.text))
      .map((l) => l.line);
    assert.ok(statementLines.length >= 2, 'the fixture has two statements');

    const lenses = pglensLenses(await codeLenses(editor.document.uri));
    for (const line of statementLines) {
      const here = lenses.filter((l) => l.range.start.line === line);
      assert.deepStrictEqual(here.map((l) => l.command?.title).sort(), ['Explain', 'Explain Analyze'], `lenses on line ${line + 1}`);
      assert.deepStrictEqual(here.map((l) => l.command?.command).sort(), ['pglens.explain', 'pglens.explainAnalyze']);
    }
    assert.strictEqual(lenses.length, statementLines.length * 2, 'no lenses on comments or blank lines');
  });
});

describe('code lenses on SQL in TypeScript template literals', () => {
  it('shows Explain above sql`…`, Prisma.sql`…`, $queryRaw`…` and $executeRaw`…`, and not above other templates', async () => {
    await activeApi();
    const lines = [
      "import { Prisma } from '@prisma/client';",
      'const a = sql`SELECT id FROM users WHERE email = ${email}`;',
      'const b = Prisma.sql`SELECT id FROM orders WHERE user_id = ${id}`;',
      'const c = await prisma.$queryRaw<{ id: bigint }[]>`SELECT id FROM orders WHERE status = ${status}`;',
      "const d = await prisma.$executeRaw`UPDATE orders SET status = 'paid' WHERE id = ${id}`;",
      'const e = html`<p>SELECT 1</p>`;',
      'const f = `SELECT 1`;',
    ];
    const document = await vscode.workspace.openTextDocument({ language: 'typescript', content: lines.join('\n') });
    await vscode.window.showTextDocument(document);
    try {
      const lenses = pglensLenses(await codeLenses(document.uri));
      const byLine = new Map<number, string[]>();
      for (const l of lenses) byLine.set(l.range.start.line, [...(byLine.get(l.range.start.line) ?? []), l.command?.title ?? '']);
      assert.deepStrictEqual([...byLine.keys()].sort(), [1, 2, 3, 4], `lenses on lines ${[...byLine.keys()].join(', ')}`);
      for (const titles of byLine.values()) assert.deepStrictEqual(titles.sort(), ['Explain', 'Explain Analyze']);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});

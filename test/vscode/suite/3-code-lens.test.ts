import * as assert from 'assert';
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

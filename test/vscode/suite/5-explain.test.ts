import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ExplainCommandResult } from '../../../src/extension/explain-command';
import { activeApi, codeLenses, openDocument, pglensLenses, setConnections, waitFor, workspaceUri } from './helpers';

async function runLens(title: 'Explain' | 'Explain Analyze'): Promise<ExplainCommandResult> {
  const editor = await openDocument('queries.sql');
  const lens = pglensLenses(await codeLenses(editor.document.uri)).find((l) => l.command?.title === title);
  assert.ok(lens?.command, `no "${title}" lens`);
  const result = await vscode.commands.executeCommand<ExplainCommandResult | undefined>(lens.command.command, ...(lens.command.arguments ?? []));
  assert.ok(result, `${title} returned nothing (it failed; see the pglens output channel)`);
  return result;
}

function planViewerTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('pglens.plan'));
}

describe('explain in the embedded sandbox', function () {
  this.timeout(90_000);
  before(() => setConnections([]));

  it('the Explain lens shows the plan of its statement in the plan viewer', async () => {
    const api = await activeApi();
    const result = await runLens('Explain');
    assert.match(result.sql, /FROM orders WHERE status = 'refunded'/);
    assert.strictEqual(result.outcome.result.analyzed, false);
    const scan = result.outcome.report.nodes.find((n) => n.relation === 'orders');
    assert.ok(scan, `no node reads orders: ${result.outcome.report.nodes.map((n) => n.label).join(', ')}`);
    assert.strictEqual(api.lastExplain()?.sql, result.sql);
    await waitFor(() => planViewerTabs().length > 0, 'the plan viewer to open');
  });

  it('Explain Analyze runs in a rolled-back transaction and names the slow scan', async () => {
    const result = await runLens('Explain Analyze');
    assert.strictEqual(result.outcome.result.analyzed, true);
    assert.strictEqual(result.outcome.result.rolledBack, true);
    const finding = result.outcome.report.findings.find((f) => f.ruleId === 'seq-scan-filter');
    assert.ok(finding, `findings: ${result.outcome.report.findings.map((f) => f.ruleId).join(', ') || 'none'}`);
    assert.strictEqual(result.outcome.report.nodes[finding.nodeId - 1].relation, 'orders');
    // The sandbox's data is named above the plan: the migrations' own rows here (the generator keeps seeded tables).
    assert.ok(result.outcome.result.notices.some((n) => /^sandbox data: generated, .*not production timings/.test(n)), result.outcome.result.notices.join('\n'));
  });

  it('Explain of a statement with $n and no values shows the generic plan, labelled, with "Explain Analyze with values…" available', async () => {
    await activeApi();
    const sql = 'SELECT id, total FROM orders WHERE user_id = $1';
    const result = await vscode.commands.executeCommand<ExplainCommandResult | undefined>('pglens.explainSql', sql);
    assert.ok(result, 'Explain returned nothing (it failed; see the pglens output channel)');
    assert.strictEqual(result.outcome.result.analyzed, false);
    assert.ok(result.outcome.result.generic, 'a generic plan');
    assert.strictEqual(result.outcome.result.generic.parameterTypes.length, 1);
    assert.match(result.outcome.result.notices[0], /^Generic plan: /);
    await waitFor(() => planViewerTabs().some((t) => t.label.includes('SELECT id, total FROM orders')), 'the plan viewer of the generic plan');
    assert.ok((await vscode.commands.getCommands(true)).includes('pglens.explainAnalyzeWithValues'));
    // With values it is the plan for them: no generic label.
    const bound = await vscode.commands.executeCommand<ExplainCommandResult | undefined>('pglens.explainSql', sql, true, ['1']);
    assert.ok(bound);
    assert.strictEqual(bound.outcome.result.generic, undefined);
    assert.strictEqual(bound.outcome.result.analyzed, true);
  });

  it('a syntax error in the selection is a diagnostic on the word Postgres names (leading blanks of the selection do not shift it)', async () => {
    const api = await activeApi();
    const text = '-- explained by selection\n\n   SELECT id, FROM orders;\n';
    const document = await vscode.workspace.openTextDocument({ language: 'sql', content: text });
    const editor = await vscode.window.showTextDocument(document);
    try {
      // From the end of the comment line: the selection starts with a newline and three blanks.
      editor.selection = new vscode.Selection(document.positionAt(text.indexOf('\n')), document.positionAt(text.length));
      const result = await vscode.commands.executeCommand('pglens.explainAtCursor');
      assert.strictEqual(result, undefined);
      const d = await waitFor(() => api.diagnostics(document.uri).find((x) => x.source === 'pglens explain'), 'a pglens explain diagnostic');
      assert.strictEqual(document.getText(d.range), 'FROM', `marked "${document.getText(d.range)}" at ${d.range.start.line}:${d.range.start.character}: ${d.message}`);
      assert.match(d.message, /syntax error/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('an unknown column is marked where Postgres places it', async () => {
    const api = await activeApi();
    const text = 'SELECT id FROM orders\nWHERE no_such_column = 1;\n';
    const document = await vscode.workspace.openTextDocument({ language: 'sql', content: text });
    const editor = await vscode.window.showTextDocument(document);
    try {
      editor.selection = new vscode.Selection(0, 3, 0, 3);
      assert.strictEqual(await vscode.commands.executeCommand('pglens.explainAtCursor'), undefined);
      const d = await waitFor(() => api.diagnostics(document.uri).find((x) => x.source === 'pglens explain'), 'a pglens explain diagnostic');
      assert.strictEqual(document.getText(d.range), 'no_such_column', d.message);
      assert.match(d.message, /no_such_column/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('a migration added to the workspace is in the sandbox at the next Explain, replaying only it', async () => {
    const api = await activeApi();
    const before = api.sandboxReport();
    assert.ok(before, 'the sandbox has not started');
    const file = workspaceUri('migrations/003_added_in_editor.sql');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode('CREATE TABLE added_in_editor (id bigint PRIMARY KEY, note text);\n'));
    try {
      // The file watcher reports the new file shortly after it is written; until then the old
      // sandbox answers, without the table.
      const result = await waitFor(
        async () => {
          const r = await vscode.commands.executeCommand<ExplainCommandResult | undefined>('pglens.explainSql', 'SELECT note FROM added_in_editor WHERE id = 1');
          if (!r) await new Promise((resolve) => setTimeout(resolve, 1000));
          return r;
        },
        'an Explain that sees the new migration',
        60_000,
      );
      assert.ok(result.outcome.report.nodes.some((n) => n.relation === 'added_in_editor'), result.outcome.report.nodes.map((n) => n.label).join(', '));
      const after = api.sandboxReport();
      assert.strictEqual(after?.reusedFiles, before.files.length, JSON.stringify(after));
      assert.ok(after?.applied.includes('migrations/003_added_in_editor.sql'), JSON.stringify(after?.applied));
    } finally {
      await vscode.workspace.fs.delete(file);
    }
  });
});

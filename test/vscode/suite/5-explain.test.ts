import * as assert from 'assert';
import * as vscode from 'vscode';
import type { ExplainCommandResult } from '../../../src/extension/explain-command';
import { activeApi, codeLenses, openDocument, pglensLenses, setConnections, waitFor } from './helpers';

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
  });
});

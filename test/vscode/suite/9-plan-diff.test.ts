import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ComparePlansResult } from '../../../src/extension/plan-diff-command';
import { activeApi, waitFor } from './helpers';

/** The repository (this suite runs from its bundle under out/test/vscode/suite): the diff fixtures are there. */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'test', 'fixtures', 'plans', 'diff'))) {
    const parent = path.dirname(dir);
    assert.notStrictEqual(parent, dir, `no test/fixtures/plans/diff above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

const fixture = (name: string) => path.join(repoRoot(), 'test', 'fixtures', 'plans', 'diff', name);

function planViewerTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('pglens.plan'));
}

describe('compare two plans', function () {
  this.timeout(60_000);

  it('is a palette command', async () => {
    await activeApi();
    assert.ok((await vscode.commands.getCommands(true)).includes('pglens.comparePlans'));
  });

  it('pglens.comparePlans with two plan files opens the viewer in compare mode', async () => {
    await activeApi();
    const result = await vscode.commands.executeCommand<ComparePlansResult | undefined>('pglens.comparePlans', fixture('orders-seq-scan.json'), fixture('orders-index-scan.txt'));
    assert.ok(result, 'the command returned nothing (it showed an error: see the notifications)');
    try {
      assert.deepStrictEqual([result.before, result.after], ['orders-seq-scan.json', 'orders-index-scan.txt']);
      assert.ok(result.panel.viewType.endsWith('pglens.plan'), result.panel.viewType);
      assert.strictEqual(result.panel.title, 'Compare: orders-seq-scan.json ↔ orders-index-scan.txt');
      const tab = await waitFor(() => planViewerTabs().find((t) => t.label === result.panel.title), 'the compare viewer tab');
      assert.ok(tab);
      await waitFor(() => result.panel.visible, 'the compare viewer to be visible');
      assert.ok(result.panel.webview.options.enableScripts);
      // What the viewer's Compare tab shows: the Seq Scan on orders became an Index Scan, its finding resolved.
      const [scan] = result.comparison.nodes;
      assert.deepStrictEqual([scan.status, scan.beforeId, scan.afterId, scan.nodeType, scan.relation, scan.indexName], ['matched', 1, 1, 'Index Scan', 'orders', 'orders_customer_id_idx']);
      assert.ok((result.comparison.timeDeltaMs as number) < 0, 'the index made it faster');
      assert.deepStrictEqual(result.comparison.resolvedFindings, ['seq-scan-filter@Seq Scan on orders']);
    } finally {
      result.panel.dispose();
    }
  });

  it('a join whose shape changed pairs the Hash Join with the Nested Loop; a missing second file opens nothing', async () => {
    const result = await vscode.commands.executeCommand<ComparePlansResult | undefined>('pglens.comparePlans', fixture('join-hash.json'), fixture('join-nested-loop.txt'));
    assert.ok(result);
    try {
      const join = result.comparison.nodes.find((n) => n.nodeType === 'Nested Loop');
      assert.deepStrictEqual([join?.status, join?.beforeId, join?.afterId], ['matched', 2, 2]);
      assert.ok(result.comparison.nodes.some((n) => n.status === 'removed' && n.nodeType === 'Hash'));
    } finally {
      result.panel.dispose();
    }
    const tabs = planViewerTabs().length;
    const missing = await vscode.commands.executeCommand('pglens.comparePlans', fixture('join-hash.json'), fixture('no-such-plan.json'));
    assert.strictEqual(missing, undefined);
    assert.strictEqual(planViewerTabs().length, tabs);
  });
});

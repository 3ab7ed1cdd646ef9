/**
 * pglens.comparePlans against the in-memory `vscode` of the viewer tests: two plan files (or the
 * viewer's plan and the clipboard) analysed and opened in the viewer's compare mode; a bad plan
 * named. The editor suite (test/vscode/suite/9-plan-diff.test.ts) covers the real wiring.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as CommandModule from '../../../src/extension/plan-diff-command';
import type * as PlanPanelModule from '../../../src/extension/plan-panel';
import type { HostToViewer, ViewComparison, ViewPayload } from '../../../media/src/protocol';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { createFakeVscode, installVscode, Uri, type FakePanel } from '../viewer/fake-vscode';
import { FIXTURES } from './helpers';

const MODULES = ['../../../src/extension/plan-diff-command', '../../../src/extension/plan-panel'];

describe('pglens.comparePlans (in-memory vscode)', () => {
  const fake = createFakeVscode();
  let command: typeof CommandModule;
  let panels: typeof PlanPanelModule;
  const context = { subscriptions: [] as { dispose(): unknown }[], extensionUri: Uri.file('/ext'), globalStorageUri: Uri.file('/storage') };
  const diffFile = (name: string) => path.join(FIXTURES, 'diff', name);
  const putFile = (name: string, text = readFileSync(diffFile(name), 'utf8')) => fake.files.set(diffFile(name), new TextEncoder().encode(text));
  const run = (...args: unknown[]) => fake.api.commands.executeCommand('pglens.comparePlans', ...args) as Promise<CommandModule.ComparePlansResult | undefined>;
  const posted = (p: FakePanel) => p.webview.posted as HostToViewer[];

  before(() => {
    // A fresh copy of the host modules bound to this fake; dropped again after, for the viewer tests.
    installVscode(fake.api);
    for (const m of MODULES) delete require.cache[require.resolve(m)];
    /* eslint-disable @typescript-eslint/no-require-imports -- fresh module instances, loaded after clearing require.cache and installing the fake vscode */
    panels = require('../../../src/extension/plan-panel') as typeof PlanPanelModule;
    command = require('../../../src/extension/plan-diff-command') as typeof CommandModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    panels.registerPlanViewer(context as never);
    command.registerComparePlans(context as never);
    for (const name of ['orders-seq-scan.json', 'orders-index-scan.txt', 'join-hash.json', 'join-nested-loop.txt']) putFile(name);
  });
  after(() => {
    for (const m of MODULES) delete require.cache[require.resolve(m)];
  });

  it('two paths as arguments: the viewer opens on the after plan in compare mode, titled with both', async () => {
    const result = await run(diffFile('orders-seq-scan.json'), diffFile('orders-index-scan.txt'));
    assert.ok(result);
    assert.deepEqual([result.before, result.after], ['orders-seq-scan.json', 'orders-index-scan.txt']);
    const panel = fake.panels.at(-1)!;
    assert.equal(panel.viewType, 'pglens.plan');
    assert.equal(panel.title, 'Compare: orders-seq-scan.json ↔ orders-index-scan.txt');
    assert.equal(result.panel, panel as never);
    assert.ok(!panel.webview.html.includes('unsafe-inline'));

    await panel.webview.receive({ type: 'ready' });
    const show = posted(panel).find((m) => m.type === 'show') as Extract<HostToViewer, { type: 'show' }>;
    const payload = JSON.parse(show.payload) as ViewPayload;
    assert.equal(payload.plan.title, 'orders-index-scan.txt');
    assert.equal(payload.plan.rawText, readFileSync(diffFile('orders-index-scan.txt'), 'utf8'), 'a text plan keeps its text');
    assert.equal(payload.comparison?.previous.title, 'orders-seq-scan.json');
    assert.equal(payload.comparison?.previous.rawTop?.['Execution Time'], (JSON.parse(readFileSync(diffFile('orders-seq-scan.json'), 'utf8')) as Record<string, unknown>[])[0]['Execution Time']);
    const last = posted(panel).at(-1) as Extract<HostToViewer, { type: 'comparison' }>;
    assert.equal(last.type, 'comparison', 'the comparison message comes after the plan, so the viewer turns to the Compare tab');
    const comparison = JSON.parse(last.payload) as ViewComparison;
    assert.deepEqual(comparison.result, result.comparison);
    const [scan] = comparison.result.nodes;
    assert.deepEqual([scan.status, scan.beforeId, scan.afterId, scan.nodeType, scan.indexName], ['matched', 1, 1, 'Index Scan', 'orders_customer_id_idx']);
    assert.deepEqual(comparison.result.resolvedFindings, ['seq-scan-filter@Seq Scan on orders']);
  });

  it('a bad second plan: an error naming it and the cause, no viewer', async () => {
    putFile('broken.json', '[{"Plan": {"Node Type": "Seq Scan", ');
    const before = fake.panels.length;
    assert.equal(await run(diffFile('join-hash.json'), diffFile('broken.json')), undefined);
    assert.match(fake.info.at(-1) ?? '', /^pglens: the after plan, broken\.json, cannot be read: .*looks like JSON but does not parse/);
    assert.equal(await run(diffFile('join-hash.json'), diffFile('missing.json')), undefined);
    assert.match(fake.info.at(-1) ?? '', /^pglens: the after plan, missing\.json, cannot be read: .*ENOENT.* — check the file exists and is readable$/);
    assert.equal(fake.panels.length, before);
  });

  it('without arguments: the plan in the viewer against the clipboard, picked in two steps', async () => {
    const shown = analyzePlan(readFileSync(diffFile('join-hash.json'), 'utf8'));
    panels.showPlan(context as never, { report: shown, title: 'Explain: the join' });
    const titles: string[] = [];
    const window = fake.api.window as unknown as Record<string, unknown>;
    window.showQuickPick = (items: { action: string }[], options: { title: string }) => {
      titles.push(options.title);
      return Promise.resolve(items.find((i) => i.action === (titles.length === 1 ? 'viewer' : 'clipboard')));
    };
    const clipboard = fake.api.env.clipboard as unknown as Record<string, unknown>;
    clipboard.readText = () => Promise.resolve(readFileSync(diffFile('join-nested-loop.txt'), 'utf8'));
    const result = await run();
    assert.ok(result);
    assert.deepEqual([result.before, result.after], ['Explain: the join', 'After (clipboard)']);
    assert.match(titles[0], /1\/2: the plan before/);
    assert.match(titles[1], /2\/2: the plan after, compared with Explain: the join/);
    const join = result.comparison.nodes.find((n) => n.nodeType === 'Nested Loop');
    assert.deepEqual([join?.status, join?.beforeId], ['matched', 2]);
    assert.ok(result.comparison.nodes.some((n) => n.status === 'removed' && n.nodeType === 'Hash'));

    window.showQuickPick = () => Promise.resolve(undefined);
    const count = fake.panels.length;
    assert.equal(await run(), undefined, 'dismissing the first prompt does nothing');
    assert.equal(fake.panels.length, count);
  });
});

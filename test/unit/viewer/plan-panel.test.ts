/**
 * The webview host against an in-memory `vscode`: CSP and resource roots, the show/ready
 * handshake, reuse per statement and "Compare with previous run", Copy as Markdown, Open Plan
 * with good and malformed text, and restoring a panel after a reload from the saved payload.
 */
import { strict as assert } from 'node:assert';
import type * as PlanPanelModule from '../../../src/extension/plan-panel';
import type { HostToViewer, ViewAdvice, ViewComparison, ViewPayload } from '../../../media/src/protocol';
import { PglensError } from '../../../src/core/errors';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { planToMarkdown } from '../../../src/core/plan/markdown';
import { unpackReport } from '../../../media/src/protocol';
import { createFakeVscode, installVscode, Uri, type FakePanel } from './fake-vscode';

const HOSTILE = '"<img src=x onerror=alert(1)>"';

function explainJson(seqScanMs: number, relation = 'orders'): unknown[] {
  return [
    {
      Plan: {
        'Node Type': 'Aggregate', Strategy: 'Plain', 'Startup Cost': 100, 'Total Cost': 101, 'Plan Rows': 1, 'Plan Width': 8,
        'Actual Startup Time': seqScanMs + 1, 'Actual Total Time': seqScanMs + 1, 'Actual Rows': 1, 'Actual Loops': 1,
        Plans: [
          {
            'Node Type': 'Seq Scan', 'Parent Relationship': 'Outer', 'Relation Name': relation, Alias: relation, 'Startup Cost': 0, 'Total Cost': 99,
            'Plan Rows': 50, 'Plan Width': 0, 'Actual Startup Time': 0.01, 'Actual Total Time': seqScanMs, 'Actual Rows': 40, 'Actual Loops': 1,
            Filter: "(status = 'x'::text)", 'Rows Removed by Filter': 99960,
          },
        ],
      },
      'Planning Time': 0.2,
      'Execution Time': seqScanMs + 1.2,
    },
  ];
}

describe('plan panel host (in-memory vscode)', () => {
  const fake = createFakeVscode();
  let mod: typeof PlanPanelModule;
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    extensionUri: Uri.file('/ext'),
    globalStorageUri: Uri.file('/storage'),
  };

  before(() => {
    installVscode(fake.api);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the fake vscode module is installed
    mod = require('../../../src/extension/plan-panel') as typeof PlanPanelModule;
    mod.registerPlanViewer(context as never);
  });

  const last = (p: FakePanel) => p.webview.posted.at(-1) as HostToViewer;
  const shows = (p: FakePanel) => p.webview.posted.filter((m) => (m as HostToViewer).type === 'show') as Extract<HostToViewer, { type: 'show' }>[];

  it('serves the viewer under a nonce CSP with resources limited to media/', () => {
    const report = analyzePlan(explainJson(50), {});
    mod.showPlan(context as never, { report, rawJson: explainJson(50), title: 'Explain: select', query: 'select 1' });
    const panel = fake.panels.at(-1)!;
    assert.equal(panel.viewType, 'pglens.plan');
    assert.deepEqual(panel.webview.options.localResourceRoots?.map((u) => u.path), ['/ext/media']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(panel.webview.html)![1];
    assert.ok(nonce.length >= 16);
    assert.ok(panel.webview.html.includes(`<script nonce="${nonce}" src="https://fake.vscode-cdn.net/ext/media/dist/plan-viewer.js">`));
    assert.ok(panel.webview.html.includes("default-src 'none'") && panel.webview.html.includes('style-src https://fake.vscode-cdn.net'));
    assert.ok(!panel.webview.html.includes('unsafe-inline'));
    assert.equal(panel.webview.posted.length, 0, 'nothing is posted before the viewer is ready');
  });

  it('delivers the plan on ready, keeps it in storage, and compares with the previous run of the statement', async () => {
    const key = 'file:///q.sql#select count(*) from orders';
    const first = analyzePlan(explainJson(80), {});
    mod.showPlan(context as never, { report: first, rawJson: JSON.stringify(explainJson(80)), title: 'Explain Analyze: select', statementKey: key, connectionLabel: 'local', rolledBack: true, notices: ['sequences still advance'] });
    const panel = fake.panels.at(-1)!;
    await panel.webview.receive({ type: 'ready' });
    const show = last(panel) as Extract<HostToViewer, { type: 'show' }>;
    assert.equal(show.type, 'show');
    const payload = JSON.parse(show.payload) as ViewPayload;
    assert.equal(payload.plan.report.nodes.length, 0, 'the flat node list is not sent twice');
    assert.equal(unpackReport(payload.plan.report).nodes.length, 2);
    assert.equal(payload.plan.rawTop?.['Execution Time'], 81.2);
    assert.equal(payload.plan.connectionLabel, 'local · rolled back');
    assert.deepEqual(payload.plan.notices, ['sequences still advance']);
    assert.equal(payload.previousAvailable, false);
    assert.equal(new TextDecoder().decode(fake.files.get(`/storage/plans/${show.planId}.json`)), show.payload, 'payload saved under its id');

    const second = analyzePlan(explainJson(8), {});
    const count = fake.panels.length;
    mod.showPlan(context as never, { report: second, rawJson: explainJson(8), title: 'Explain Analyze: select', statementKey: key });
    assert.equal(fake.panels.length, count, 'the same statement reuses its panel');
    assert.equal(panel.revealed, 1);
    const again = last(panel) as Extract<HostToViewer, { type: 'show' }>;
    assert.equal((JSON.parse(again.payload) as ViewPayload).previousAvailable, true);
    assert.notEqual(again.planId, show.planId);
    assert.equal(fake.files.has(`/storage/plans/${show.planId}.json`), false, 'the replaced payload is deleted');

    await panel.webview.receive({ type: 'compareWithPrevious' });
    const cmp = last(panel);
    assert.equal(cmp.type, 'comparison');
    const comparison = JSON.parse((cmp as { payload: string }).payload) as ViewComparison;
    assert.equal(comparison.previous.rawTop?.['Execution Time'], 81.2);
    assert.ok(comparison.result.timeDeltaMs < -70, `delta ${comparison.result.timeDeltaMs}`);

    await panel.webview.receive({ type: 'copyMarkdown' });
    assert.equal(fake.clipboard(), planToMarkdown(second));
  });

  it('opens pasted text, and names what is wrong with malformed text', async () => {
    const open = fake.commands.get('pglens.openPlan')!;
    await open({ text: JSON.stringify(explainJson(5, HOSTILE)) });
    const ok = fake.panels.at(-1)!;
    await ok.webview.receive({ type: 'ready' });
    const payload = JSON.parse(shows(ok)[0].payload) as ViewPayload;
    assert.equal(unpackReport(payload.plan.report).nodes[1].relation, HOSTILE);
    assert.equal(payload.plan.title, 'Pasted plan');

    await open({ text: '{"Plan": {"Node Type": ' });
    const bad = fake.panels.at(-1)!;
    await bad.webview.receive({ type: 'ready' });
    assert.deepEqual(bad.webview.posted[0], { type: 'paste' });
    const err = bad.webview.posted[1] as Extract<HostToViewer, { type: 'error' }>;
    assert.equal(err.type, 'error');
    assert.ok(err.message.startsWith('Pasted plan: ') && err.message.includes('does not parse'), err.message);
    assert.ok(err.hint && err.hint.length > 0);

    // The paste form of the same panel: good text replaces the error with the plan.
    await bad.webview.receive({ type: 'openText', text: 'Seq Scan on t  (cost=0.00..35.50 rows=2550 width=4)' });
    const shown = shows(bad);
    assert.equal(shown.length, 1);
    const p = JSON.parse(shown[0].payload) as ViewPayload;
    assert.equal(p.plan.rawText, 'Seq Scan on t  (cost=0.00..35.50 rows=2550 width=4)');
    assert.equal(unpackReport(p.plan.report).root.relation, 't');
  });

  it('restores a panel after a reload from the saved payload, with restore set', async () => {
    const report = analyzePlan(explainJson(30), {});
    mod.showPlan(context as never, { report, rawJson: explainJson(30), title: 'Explain: restored' });
    const original = fake.panels.at(-1)!;
    await original.webview.receive({ type: 'ready' });
    const { planId, payload } = shows(original)[0];
    await new Promise((r) => setTimeout(r, 0));

    const serializer = fake.serializers.get('pglens.plan')!;
    const revived = fake.api.window.createWebviewPanel('pglens.plan', 'Plan: Explain: restored', undefined, {});
    await serializer.deserializeWebviewPanel(revived, { version: 1, planId, ui: { selectedId: 2 } });
    await new Promise((r) => setTimeout(r, 0));
    await revived.webview.receive({ type: 'ready' });
    assert.deepEqual(last(revived), { type: 'show', payload, planId, restore: true });

    const lost = fake.api.window.createWebviewPanel('pglens.plan', 'Plan: gone', undefined, {});
    await serializer.deserializeWebviewPanel(lost, { version: 1, planId: 'ffffffffffffffffffffffffffffffff' });
    await new Promise((r) => setTimeout(r, 0));
    await lost.webview.receive({ type: 'ready' });
    assert.equal((lost.webview.posted[0] as HostToViewer).type, 'paste');
    assert.ok((lost.webview.posted[1] as { message: string }).message.includes('saved copy of this plan is gone'));
  });

  describe('index suggestions', () => {
    const query = "SELECT id FROM orders WHERE status = 'x'";
    const advice: ViewAdvice = {
      verifiedOn: 'embedded sandbox',
      note: 'local has no HypoPG, so the indexes were built for real on the embedded sandbox and rolled back.',
      result: {
        query,
        method: 'sandbox',
        before: { totalCost: 1790, executionTimeMs: 9.5 },
        suggestions: [
          {
            ddl: `CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON public.orders (status);`,
            schema: 'public',
            table: 'orders',
            columns: ['status'],
            include: [],
            method: 'sandbox',
            reason: 'equality on status',
            after: { totalCost: 8.3, executionTimeMs: 0.05 },
            improvement: 215,
          },
        ],
        rejected: [],
        summary: '1 index(es) cut the plan\'s cost',
      },
    };
    const calls: { id: string; args: unknown[] }[] = [];
    let answer: () => Promise<unknown> = () => Promise.resolve(advice);

    before(() => {
      fake.commands.set('pglens.suggestIndexes', (...args: unknown[]) => {
        calls.push({ id: 'pglens.suggestIndexes', args });
        return answer();
      });
      fake.commands.set('pglens.advise.addToMigration', (...args: unknown[]) => {
        calls.push({ id: 'pglens.advise.addToMigration', args });
        return Promise.resolve('migrations/0003_add_index_orders_status.sql');
      });
    });
    beforeEach(() => {
      calls.length = 0;
      answer = () => Promise.resolve(advice);
    });

    // The host handles messages without the webview waiting: let its promises run.
    const settle = () => new Promise((r) => setTimeout(r, 0));

    async function openPanel(q: string | undefined, statementKey?: string): Promise<FakePanel> {
      mod.showPlan(context as never, { report: analyzePlan(explainJson(40), {}), rawJson: explainJson(40), title: 'Explain: advise', query: q, statementKey });
      const panel = fake.panels.at(-1)!;
      await panel.webview.receive({ type: 'ready' });
      return panel;
    }

    it('runs pglens.suggestIndexes on the panel query, posts the advice and keeps it with the saved payload', async () => {
      const panel = await openPanel(query);
      const { planId } = shows(panel)[0];
      await panel.webview.receive({ type: 'suggestIndexes' });
      await settle();
      assert.deepEqual(calls, [{ id: 'pglens.suggestIndexes', args: [query] }]);
      const m = last(panel) as Extract<HostToViewer, { type: 'advice' }>;
      assert.equal(m.type, 'advice');
      assert.deepEqual(JSON.parse(m.payload), advice);
      const saved = JSON.parse(new TextDecoder().decode(fake.files.get(`/storage/plans/${planId}.json`))) as ViewPayload;
      assert.deepEqual(saved.advice, advice, 'a reload shows the suggestions again');

      await panel.webview.receive({ type: 'addToMigration', index: 0 });
      await settle();
      assert.deepEqual(calls[1], { id: 'pglens.advise.addToMigration', args: [advice, 0] });
      assert.deepEqual(last(panel), { type: 'addedToMigration', index: 0, target: 'migrations/0003_add_index_orders_status.sql' });
    });

    it('names the cause when the advisor fails, and goes back quietly when the user dismisses a prompt', async () => {
      const panel = await openPanel(query);
      answer = () => Promise.reject(new PglensError('refused', 'HypoPG is not available on this server', 'install it or run with --embedded'));
      await panel.webview.receive({ type: 'suggestIndexes' });
      await settle();
      assert.deepEqual(last(panel), {
        type: 'adviceFailed',
        message: 'Suggest indexes failed: HypoPG is not available on this server',
        hint: 'install it or run with --embedded',
      });
      answer = () => Promise.resolve(undefined);
      await panel.webview.receive({ type: 'suggestIndexes' });
      await settle();
      assert.deepEqual(last(panel), { type: 'adviceCancelled' });
    });

    it('refuses without a query or a suggestion, and ignores malformed requests', async () => {
      const panel = await openPanel(undefined);
      const p = JSON.parse(shows(panel)[0].payload) as ViewPayload;
      // A text plan's query is whatever analyzePlan found: none here.
      assert.equal(p.plan.query, undefined);
      await panel.webview.receive({ type: 'suggestIndexes' });
      await settle();
      const failed = last(panel) as Extract<HostToViewer, { type: 'adviceFailed' }>;
      assert.equal(failed.type, 'adviceFailed');
      assert.match(failed.message, /query of this plan is not known/);
      assert.deepEqual(calls, [], 'the advisor is not asked');

      await panel.webview.receive({ type: 'addToMigration', index: 0 });
      await settle();
      assert.match((last(panel) as { message: string }).message, /no longer available/);
      const before = panel.webview.posted.length;
      await panel.webview.receive({ type: 'addToMigration', index: -1 });
      await panel.webview.receive({ type: 'addToMigration', index: '0' });
      assert.equal(panel.webview.posted.length, before, 'malformed messages are dropped');
      assert.deepEqual(calls, []);
    });

    it('drops a result that arrives after the panel moved on to another plan', async () => {
      const key = 'file:///advise.sql#q';
      const panel = await openPanel(query, key);
      let release: (v: unknown) => void = () => undefined;
      answer = () => new Promise((r) => (release = r));
      await panel.webview.receive({ type: 'suggestIndexes' });
      await settle();
      const count = fake.panels.length;
      mod.showPlan(context as never, { report: analyzePlan(explainJson(7), {}), rawJson: explainJson(7), title: 'Explain: advise', query, statementKey: key });
      assert.equal(fake.panels.length, count, 'the same panel shows the new plan');
      const replaced = last(panel) as Extract<HostToViewer, { type: 'show' }>;
      assert.equal(replaced.type, 'show');
      release(advice);
      await settle();
      assert.equal(last(panel), replaced, 'nothing was posted for the old plan');
      assert.equal((JSON.parse(new TextDecoder().decode(fake.files.get(`/storage/plans/${replaced.planId}.json`))) as ViewPayload).advice, undefined);
    });
  });
});

/**
 * Issue 21 in the viewer: a generic plan is labelled with its parameter types and offers
 * "Explain Analyze with values…", which the host turns into pglens.explainAnalyzeWithValues with
 * the statement, its document and the types.
 */
import { strict as assert } from 'node:assert';
import type * as PlanPanelModule from '../../../src/extension/plan-panel';
import type { HostToViewer, PlanView, ViewPayload } from '../../../media/src/protocol';
import { isViewerToHost } from '../../../media/src/protocol';
import { renderSummary } from '../../../media/src/summary';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { createFakeVscode, installVscode, Uri } from './fake-vscode';
import { installFakeDocument, uninstallFakeDocument, type FakeElement } from './fake-dom';

const GENERIC_PLAN = [
  {
    Plan: {
      'Node Type': 'Index Scan', 'Index Name': 'items_pkey', 'Relation Name': 'items', Alias: 'items', 'Startup Cost': 0.14, 'Total Cost': 8.16,
      'Plan Rows': 1, 'Plan Width': 36, 'Index Cond': '(id = $1)', Filter: '(label ~~ $2)',
    },
  },
];
const SQL = 'SELECT * FROM items WHERE id = $1 AND label LIKE $2';
const TYPES = ['integer', 'text'];

describe('generic plans in the viewer', () => {
  describe('host (in-memory vscode)', () => {
    const fake = createFakeVscode();
    let mod: typeof PlanPanelModule;
    const context = { subscriptions: [] as { dispose(): unknown }[], extensionUri: Uri.file('/ext'), globalStorageUri: Uri.file('/storage') };

    before(() => {
      installVscode(fake.api);
      // A fresh copy bound to this fake, whatever other test files loaded before.
      delete require.cache[require.resolve('../../../src/extension/plan-panel')];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance, loaded after clearing require.cache and installing the fake vscode
      mod = require('../../../src/extension/plan-panel') as typeof PlanPanelModule;
      mod.registerPlanViewer(context as never);
    });
    // The next file that loads plan-panel gets a copy bound to its own fake.
    after(() => delete require.cache[require.resolve('../../../src/extension/plan-panel')]);

    it('keeps the generic label with the plan and runs Explain Analyze with values for its statement', async () => {
      const calls: unknown[][] = [];
      fake.commands.set(mod.ANALYZE_WITH_VALUES_COMMAND, (...args: unknown[]) => {
        calls.push(args);
        return Promise.resolve(undefined);
      });
      mod.showPlan(context as never, {
        report: analyzePlan(GENERIC_PLAN, { query: SQL }),
        rawJson: GENERIC_PLAN,
        query: SQL,
        title: 'Explain: items',
        statementKey: `file:///q.sql#${SQL}`,
        notices: ['Generic plan: …'],
        analyzed: false,
        rolledBack: false,
        generic: { parameterTypes: TYPES, sourceUri: 'file:///q.sql' },
      });
      const panel = fake.panels.at(-1)!;
      await panel.webview.receive({ type: 'ready' });
      const show = panel.webview.posted.at(-1) as Extract<HostToViewer, { type: 'show' }>;
      const payload = JSON.parse(show.payload) as ViewPayload;
      assert.deepEqual(payload.plan.generic, { parameterTypes: TYPES, sourceUri: 'file:///q.sql' });

      assert.ok(isViewerToHost({ type: 'analyzeWithValues' }));
      await panel.webview.receive({ type: 'analyzeWithValues' });
      assert.deepEqual(calls, [[{ sql: SQL, uri: 'file:///q.sql', parameterTypes: TYPES }]]);
    });

    it('ignores the request for a plan that is not generic', async () => {
      const calls: unknown[][] = [];
      fake.commands.set(mod.ANALYZE_WITH_VALUES_COMMAND, (...args: unknown[]) => {
        calls.push(args);
        return Promise.resolve(undefined);
      });
      mod.showPlan(context as never, { report: analyzePlan(GENERIC_PLAN, { query: SQL }), rawJson: GENERIC_PLAN, query: SQL, title: 'Explain: bound' });
      const panel = fake.panels.at(-1)!;
      await panel.webview.receive({ type: 'ready' });
      await panel.webview.receive({ type: 'analyzeWithValues' });
      assert.deepEqual(calls, []);
    });
  });

  describe('summary (fake DOM)', () => {
    beforeEach(() => installFakeDocument());
    afterEach(() => uninstallFakeDocument());

    const view = (generic?: PlanView['generic']): PlanView => ({
      report: analyzePlan(GENERIC_PLAN, { query: SQL }),
      title: 'Explain: items',
      createdAt: '2024-01-01T00:00:00Z',
      query: SQL,
      ...(generic ? { generic } : {}),
    });

    it('labels a generic plan with its parameter types and offers Explain Analyze with values…', () => {
      const v = view({ parameterTypes: TYPES });
      const header = renderSummary(v, v.report, { compareAvailable: false, analyzeWithValuesAvailable: true }) as unknown as FakeElement;
      assert.ok(header.textContent.includes('generic plan ($1 integer, $2 text), estimated only'), header.textContent);
      const button = header.all().find((e) => e.attributes.get('id') === 'analyze-with-values');
      assert.ok(button, 'the button is there');
      assert.equal(button.textContent, 'Explain Analyze with values…');
    });

    it('shows neither for a plan with values', () => {
      const v = view();
      const header = renderSummary(v, v.report, { compareAvailable: false }) as unknown as FakeElement;
      assert.ok(header.textContent.includes('estimated only (no ANALYZE)'));
      assert.equal(header.all().find((e) => e.attributes.get('id') === 'analyze-with-values'), undefined);
    });
  });
});

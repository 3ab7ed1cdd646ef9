/**
 * Every render function builds DOM from text nodes: hostile identifiers from a database or a
 * file come out escaped, never as elements or attributes (the fake DOM throws on innerHTML).
 */
import { strict as assert } from 'node:assert';
import { renderComparison } from '../../../media/src/compare-view';
import { renderDetails } from '../../../media/src/details-pane';
import { renderFindings } from '../../../media/src/findings-list';
import { renderNodeRow } from '../../../media/src/node-row';
import { renderPasteForm } from '../../../media/src/paste-form';
import { rebuildRawJson, renderRaw, renderSettings } from '../../../media/src/raw-panes';
import { renderSummary } from '../../../media/src/summary';
import { viewerHtml } from '../../../src/extension/webview-html';
import type { PlanView } from '../../../media/src/protocol';
import { FakeElement, installFakeDocument, uninstallFakeDocument, type FakeDocument } from './fake-dom';
import { makeReport } from './fixture';

const HOSTILE = '"<img src=x onerror=alert(1)>"';
const ESCAPED = '"&lt;img src=x onerror=alert(1)&gt;"';

function report() {
  return makeReport(
    {
      nodeType: 'Nested Loop',
      children: [
        {
          nodeType: 'Index Scan',
          relation: HOSTILE,
          alias: HOSTILE,
          indexName: HOSTILE,
          filter: `(${HOSTILE} = 1)`,
          indexCond: `(id = ${HOSTILE})`,
          exclusiveTimeMs: 9,
          raw: { 'Node Type': 'Index Scan', [HOSTILE]: HOSTILE, Output: [HOSTILE, 'x'] },
        },
      ],
    },
    [{ ruleId: 'index-filter', severity: 'warning', message: HOSTILE, nodeId: 2, evidence: { [HOSTILE]: HOSTILE }, fix: HOSTILE }],
  );
}

const view: PlanView = {
  report: report(),
  title: HOSTILE,
  connectionLabel: HOSTILE,
  createdAt: HOSTILE,
  notices: [HOSTILE],
};

describe('viewer escaping (fake DOM)', () => {
  let doc: FakeDocument;
  beforeEach(() => {
    doc = installFakeDocument();
  });
  afterEach(() => uninstallFakeDocument());

  function check(node: unknown, minOccurrences: number): void {
    const e = node as FakeElement;
    const html = e.serialize();
    const hits = html.split(ESCAPED).length - 1;
    assert.ok(hits >= minOccurrences, `expected ≥ ${minOccurrences} escaped copies, got ${hits}: ${html.slice(0, 400)}`);
    assert.ok(!html.includes('<img'), 'no img element in the output');
    assert.ok(!doc.created.includes('img') && !doc.created.includes('script'), 'no img/script created');
    for (const el of e.all()) for (const name of el.attributes.keys()) assert.ok(!name.startsWith('on'), `attribute ${name}`);
    assert.equal(e.all().filter((x) => x.tagName === 'img').length, 0);
  }

  it('tree row: relation, alias, index name and conditions', () => {
    const r = report();
    const row = renderNodeRow(r.nodes[1], {
      analyzed: true, hot: true, owner: true, expanded: false, selected: true, findings: 1, indentPx: 14, setSize: 1, posInSet: 1,
    });
    // target (index, relation), conditions line and its title, aria-label
    check(row, 4);
    assert.ok((row as unknown as FakeElement).textContent.includes(`using ${HOSTILE} on ${HOSTILE}`));
  });

  it('details pane: raw property names and values', () => {
    const r = report();
    check(renderDetails(r.nodes[1], r.findings, true), 5);
  });

  it('findings list: message, evidence and fix', () => {
    const r = report();
    const list = renderFindings(r.findings, (id) => r.nodes[id - 1]);
    check(list, 4);
    const item = (list as unknown as FakeElement).all().find((e) => e.classList.contains('finding'))!;
    assert.equal(item.dataset.nodeId, '2');
    assert.ok(item.textContent.includes('index-filter'));
  });

  it('summary: title, connection label, notices', () => {
    check(renderSummary(view, report(), { compareAvailable: true }), 3);
  });

  it('summary: how a pasted plan was read, after the notices, escaped', () => {
    const r = report();
    r.notes = [{ kind: 'ignored', message: `left out line 1: ${HOSTILE}`, fromLine: 1, toLine: 1 }];
    const summary = renderSummary(view, r, { compareAvailable: false });
    check(summary, 4);
    assert.ok((summary as unknown as FakeElement).textContent.includes('Input: left out line 1: '));
  });

  it('raw panes, query and settings', () => {
    check(renderRaw(`Seq Scan on ${HOSTILE}`, 'none', 'raw-text'), 1);
    const r = report();
    r.summary.settings = { [HOSTILE]: HOSTILE };
    check(renderSettings(r), 2);
  });

  it('rebuilds the Raw JSON from raw properties and top-level figures', () => {
    const r = report();
    const doc = JSON.parse(rebuildRawJson(r, { 'Execution Time': 9.5, Settings: { work_mem: '1MB' } }));
    assert.equal(doc[0].Plan['Node Type'], 'Nested Loop');
    assert.equal(doc[0].Plan.Plans[0][HOSTILE], HOSTILE);
    assert.deepEqual(doc[0].Plan.Plans[0].Output, [HOSTILE, 'x']);
    assert.equal(doc[0]['Execution Time'], 9.5);
    assert.equal(doc[0].Plan.Plans[0].Plans, undefined, 'leaves have no Plans');
  });

  it('comparison rows', () => {
    const r = report();
    const c = renderComparison(view, view, {
      before: { timeMs: 10, cost: 5, nodeCount: 2, findingCount: 1 },
      after: { timeMs: 5, cost: 4, nodeCount: 2, findingCount: 0 },
      timeDeltaMs: -5,
      costDelta: -1,
      nodes: [
        { status: 'matched', beforeId: 2, afterId: 2, nodeType: 'Index Scan', label: HOSTILE, relation: HOSTILE, indexName: HOSTILE, beforeTimeMs: 9, afterTimeMs: 4, timeDeltaMs: -5, costDelta: -1 },
      ],
      resolvedFindings: [HOSTILE],
      newFindings: [],
    });
    check(c, 4);
    assert.ok(r.nodes.length === 2);
  });

  it('paste form has no markup from outside and listens without inline handlers', () => {
    const form = renderPasteForm({ submit: () => undefined, openFile: () => undefined }) as unknown as FakeElement;
    assert.ok(form.all().some((e) => e.tagName === 'textarea'));
    assert.ok(form.all().some((e) => e.listeners.includes('click')));
  });
});

describe('viewer HTML shell', () => {
  it('has a nonce CSP without unsafe-inline and escapes attribute values', () => {
    const html = viewerHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'abc"def', scriptUri: 'https://x/a.js?"<', styleUri: 'https://x/a.css' });
    const csp = /content="([^"]*)"/.exec(html.split('Content-Security-Policy')[1])![1];
    assert.ok(csp.startsWith("default-src 'none'"));
    assert.ok(csp.includes("script-src 'nonce-abc&quot;def'"));
    assert.ok(csp.includes('style-src https://x.vscode-cdn.net'));
    assert.ok(!csp.includes('unsafe'));
    assert.ok(html.includes('src="https://x/a.js?&quot;&lt;"'));
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'only the bundle');
    assert.ok(!/ on\w+=/.test(html) && !/style=/.test(html));
  });
});

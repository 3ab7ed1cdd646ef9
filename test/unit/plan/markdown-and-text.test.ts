import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { codeSpan, escapeMarkdown, planToMarkdown } from '../../../src/core/plan/markdown';
import { renderPlanText } from '../../../src/core/plan/render-text';
import { fixture } from './helpers';

const HOSTILE = '"<img src=x onerror=alert(1)>"';
const hostilePlan = [
  `Nested Loop  (cost=0.00..50000.00 rows=10 width=8) (actual time=0.100..90.000 rows=10 loops=1)`,
  `  Join Filter: (x.id = ${HOSTILE}.ref)`,
  `  Rows Removed by Join Filter: 99990`,
  `  ->  Seq Scan on ${HOSTILE} ${HOSTILE}  (cost=0.00..100.00 rows=10 width=4) (actual time=0.010..0.500 rows=10 loops=1)`,
  `        Filter: (${HOSTILE}.note = '\`\`\`| <script>alert(2)</script>')`,
  `        Rows Removed by Filter: 20000`,
  `  ->  Seq Scan on other x  (cost=0.00..100.00 rows=10000 width=4) (actual time=0.001..8.000 rows=10000 loops=10)`,
  `Execution Time: 90.100 ms`,
].join('\n');

/** Markdown text outside code spans and fences: a run of N backticks opens, the next run of exactly N closes. */
function outsideCode(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    if (md[i] !== '`') {
      out += md[i++];
      continue;
    }
    let n = 0;
    while (md[i + n] === '`') n++;
    let j = i + n;
    for (;;) {
      const at = md.indexOf('`'.repeat(n), j);
      assert.ok(at >= 0, `unclosed run of ${n} backticks at ${i}`);
      let len = 0;
      while (md[at + len] === '`') len++;
      if (len === n) {
        i = at + n;
        break;
      }
      j = at + len;
    }
  }
  return out;
}

describe('plan rendering', () => {
  describe('Markdown for a pull request', () => {
    it('has the summary, each finding with evidence and fix, and the hot path', () => {
      const r = analyzePlan(fixture('seq-scan-filter.json'), { query: 'SELECT * FROM orders WHERE customer_id = 42' });
      const md = planToMarkdown(r);
      assert.match(md, /^### pglens plan analysis/);
      assert.match(md, /\*\*Execution\*\* [\d.]+ ms/);
      assert.match(md, /#### Findings \(1\)/);
      assert.match(md, /`seq-scan-filter` at #1 Seq Scan on plan\\_fixtures\.orders/);
      assert.match(md, /Fix: `CREATE INDEX CONCURRENTLY ON plan_fixtures\.orders \(customer_id\);`/);
      assert.match(md, /#### Hot path\n\n```+text\n-> #1 Seq Scan on plan_fixtures\.orders/);
      assert.match(md, /```+sql\nSELECT \* FROM orders WHERE customer_id = 42\n```/);
    });

    it('says so when there are no findings and when the plan has estimates only', () => {
      const md = planToMarkdown(analyzePlan(fixture('estimate-only.json')));
      assert.match(md, /No findings\./);
      assert.match(md, /estimates only/);
    });

    it('escapes hostile identifiers and filters: no HTML, no broken fences', () => {
      const r = analyzePlan(hostilePlan);
      assert.ok(r.findings.length > 0);
      const md = planToMarkdown(r);
      assert.ok(md.includes('<script>'), 'the hostile filter is shown, inside code');
      const outside = outsideCode(md);
      assert.ok(!outside.includes('<'), outside);
      assert.equal(escapeMarkdown('<b>|x|</b>'), '&lt;b&gt;\\|x\\|&lt;/b&gt;');
      assert.equal(codeSpan('a `b` c'), '``a `b` c``');
      assert.equal(codeSpan('`x'), '`` `x ``');
    });
  });

  describe('text for the terminal', () => {
    it('prints the summary, findings with node, evidence and fix, and the tree with times', () => {
      const r = analyzePlan(fixture('hash-batches.txt'));
      const text = renderPlanText(r);
      assert.match(text, /^Execution [\d.]+ ms · Planning [\d.]+ ms · Cost [\d.]+ · 4 nodes/);
      assert.match(text, /Slowest node: #\d+ /);
      assert.match(text, /warning hash-batches {2}at #3 Hash\n/);
      assert.match(text, /evidence: batches=\d+, originalBatches=\d+, peakMemoryKb=\d+/);
      assert.match(text, /fix: SET work_mem = '\d+MB';/);
      const tree = text.slice(text.indexOf('Plan:'));
      assert.equal(tree.split('\n').filter((l) => /^\s+-> #\d+ /.test(l)).length, 4);
      assert.match(tree, / {4}-> #2 Seq Scan on plan_fixtures\.orders o2 {2}self [\d.]+ ms \(\d+(\.\d)?%\) · total [\d.]+ ms · rows 100,000 of 100,000 est/);
      assert.match(tree, /\[hash-batches\]/);
    });

    it('shows costs for a plan without ANALYZE, and never-executed nodes', () => {
      assert.match(renderPlanText(analyzePlan(fixture('estimate-only.txt'))), /cost [\d.]+ \(self [\d.]+%\) · rows \d+ est/);
      assert.match(renderPlanText(analyzePlan(fixture('never-executed.txt'))), /never executed/);
    });

    it('marks a row estimate 10× off, but not the rows a Limit stopped reading', () => {
      // The demo's top-10 query: the Sort under the Limit is estimated at every group, read for 10.
      const text = [
        'Limit  (cost=100.00..100.03 rows=10 width=8) (actual time=5.0..5.1 rows=10 loops=1)',
        '  ->  Sort  (cost=100.00..105.00 rows=2000 width=8) (actual time=5.0..5.0 rows=10 loops=1)',
        '        Sort Key: revenue DESC',
        '        ->  Seq Scan on t  (cost=0.00..50.00 rows=20 width=8) (actual time=0.1..4.0 rows=2000 loops=1)',
      ].join('\n');
      const lines = renderPlanText(analyzePlan(text)).split('\n');
      assert.match(lines.find((l) => l.includes('-> #2 Sort'))!, / · rows 10 of 2,000 est \(stopped early\)$/);
      assert.match(lines.find((l) => l.includes('-> #3 Seq Scan'))!, / · rows 2,000 of 20 est \(100× under\)(  <<|$)/);
    });

    it('indents 50 levels at most, then names the depth: the output stays linear in a deep plan', () => {
      let plan: Record<string, unknown> = { 'Node Type': 'Result', 'Total Cost': 1, 'Plan Rows': 1 };
      for (let i = 0; i < 60; i++) plan = { 'Node Type': 'Materialize', 'Total Cost': 1, 'Plan Rows': 1, Plans: [plan] };
      const lines = renderPlanText(analyzePlan({ Plan: plan })).split('\n');
      assert.equal(lines.find((l) => l.includes('-> #51 '))!, `${' '.repeat(102)}-> #51 Materialize  cost 1.00 (self 0%) · rows 1 est`);
      assert.equal(lines.find((l) => l.includes('-> #52 '))!, `${' '.repeat(102)}[depth 51] -> #52 Materialize  cost 1.00 (self 0%) · rows 1 est`);
      assert.match(lines[lines.length - 1], /^ {102}\[depth 60\] -> #61 Result {2}cost 1\.00/);
    });

    it('can cut a huge tree short', () => {
      const text = renderPlanText(analyzePlan(fixture('cte-subplans.json')), { maxNodes: 3 });
      assert.match(text, /… 7 more nodes/);
    });
  });
});

describe('renderPlanText: names from the database stay on their line', () => {
  it('spells out a newline and an escape in a relation name and a condition', () => {
    const plan = [{ Plan: { 'Node Type': 'Seq Scan', 'Relation Name': 'evil\n::error file=x::pwned', Alias: 'e', Filter: "(v = '\u001b[31mred'::text)", 'Startup Cost': 0, 'Total Cost': 10, 'Plan Rows': 1, 'Plan Width': 4 } }];
    const text = renderPlanText(analyzePlan(plan));
    assert.ok(!/\n::error/.test(text), text);
    assert.ok(!text.includes('\u001b'), text);
    assert.match(text, /evil\\n::error/);
  });
});

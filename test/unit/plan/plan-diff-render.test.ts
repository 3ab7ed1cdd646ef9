import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { diffPlans } from '../../../src/core/plan/plan-diff';
import { planDiffToMarkdown, renderPlanDiffText } from '../../../src/core/plan/plan-diff-render';
import { fixture } from './helpers';

const report = (name: string) => analyzePlan(fixture(path.join('diff', name)));

const HOSTILE = 'ev|il`tick`<script>alert(1)</script>\n## heading';
const HOSTILE_INDEX = 'idx|`<img src=x onerror=alert(1)>';

function hostilePair() {
  const before = analyzePlan({
    Plan: { 'Node Type': 'Seq Scan', 'Relation Name': HOSTILE, Alias: 'o', 'Total Cost': 2000, 'Plan Rows': 10, 'Actual Rows': 10, 'Actual Loops': 1, 'Actual Total Time': 30, Filter: "(status = 'a|b')", 'Rows Removed by Filter': 50_000 },
    'Execution Time': 31,
  });
  const after = analyzePlan({
    Plan: { 'Node Type': 'Index Scan', 'Relation Name': HOSTILE, Alias: 'o', 'Index Name': HOSTILE_INDEX, 'Total Cost': 8, 'Plan Rows': 10, 'Actual Rows': 10, 'Actual Loops': 1, 'Actual Total Time': 0.1, 'Index Cond': "(status = 'a|b')" },
    'Execution Time': 0.2,
  });
  return { before, after };
}

/** Table cells of a Markdown row, split on the pipes that are not escaped. */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
}

describe('plan diff output', () => {
  it('text: headline, totals side by side, each changed node with its figures, findings resolved and new', () => {
    const d = diffPlans(report('join-hash.json'), report('join-nested-loop.txt'), { beforeLabel: 'join-hash.json', afterLabel: 'join-nested-loop.txt' });
    const text = renderPlanDiffText(d);
    const lines = text.split('\n');
    assert.equal(lines[0], 'Plan diff: join-hash.json → join-nested-loop.txt');
    assert.match(lines[1], /^Total time [\d.]+ ms → [\d.]+ ms: -[\d.]+ ms \(-\d+%\), faster$/);
    assert.match(text, /^ {2}Execution +[\d.]+ ms +[\d.]+ ms +-[\d.]+ ms \(-\d+%\)$/m);
    assert.match(text, /^ {2}Cost +3,863\.87 +206\.46 +-3,657\.41 \(-95%\)$/m);
    assert.match(text, /^ {2}Nodes +5 +4 +-1 \(-20%\)$/m);
    assert.match(text, /^ {2}Shared hit +1,328 +71 +-1,257/m);
    assert.match(text, /^Plan shape changed: 4 matched \(2 changed, 2 of another type or index\), 0 added, 1 removed$/m);
    assert.match(text, /^ {2}~ #2 Hash Join → Nested Loop {2}\[type, time, cost\]$/m);
    assert.match(text, /^ {2}- #4→– Hash {2}\[removed\]$/m);
    assert.match(text, /^ {2}~ #3→#4 Seq Scan on orders o → Index Scan using orders_customer_id_idx on orders o {2}\[type, index, rows, estimate, loops, time, cost, buffers\]$/m);
    assert.match(text, /^ {6}self [\d.]+ ms → [\d.]+ ms \(-[\d.]+ ms\) · rows 200,000 → 40 · est 200,000 → 40 · loops 1 → 21 · hit 1,325 → 68$/m);
    assert.match(text, /^Findings resolved \(1\):\n {2}warning hash-join-seq-scan at #2 Hash Join: /m);
    assert.match(text, /^Findings new: none$/m);
  });

  it('text and Markdown say "No change" for the same plan twice', () => {
    const d = diffPlans(report('orders-seq-scan.json'), report('orders-seq-scan.json'), { beforeLabel: 'a.json', afterLabel: 'a.json' });
    assert.equal(renderPlanDiffText(d), 'Plan diff: a.json → a.json\nNo change: the two plans are the same (1 node, same figures, same findings).');
    assert.match(planDiffToMarkdown(d), /^### pglens plan diff\n\n`a\.json` → `a\.json`\n\nNo change: the two plans are the same \(1 node, same figures, same findings\)\.\n$/);
  });

  it('Markdown: a totals table, a node table and the finding lists', () => {
    const d = diffPlans(report('orders-seq-scan.json'), report('orders-index-scan.json'), { beforeLabel: 'before.json', afterLabel: 'after.json' });
    const md = planDiffToMarkdown(d);
    assert.match(md, /^### pglens plan diff\n\n`before\.json` → `after\.json`\n\n\*\*Total time [\d.]+ ms → [\d.]+ ms: −[\d.]+ ms \(−[\d.]+%\), faster\*\* · Plan shape changed/);
    assert.match(md, /\n\| \| before \| after \| change \|\n\| --- \| ---: \| ---: \| ---: \|\n\| Execution \| /);
    assert.match(md, /\n\| Cost \| 3,825\.00 \| 9\.00 \| −3,816\.00 \(−99\.8%\) \|\n/);
    const row = md.split('\n').find((l) => l.startsWith('| changed | #1 '));
    assert.ok(row, md);
    assert.deepEqual(cells(row).slice(1), [
      '#1 Seq Scan on orders → Index Scan using orders\\_customer\\_id\\_idx on orders',
      cells(row)[2],
      '40 (40)',
      '1',
      '1,325 / 0 → 4 / 0',
      'type, index, time, cost, buffers',
    ]);
    assert.match(cells(row)[2], /^[\d.]+ ms → [\d.]+ ms$/);
    assert.match(md, /#### Findings resolved \(1\)\n\n- \*\*warning\*\* `seq-scan-filter` at #1 Seq Scan on orders: .*\n {2}- Fix: `CREATE INDEX CONCURRENTLY ON orders \(customer_id\);`\n/);
    assert.match(md, /#### New findings \(0\)\n\nNone\.\n$/);
  });

  it('Markdown escapes relation and index names and labels: no raw HTML, no extra table cells, no broken code spans', () => {
    const { before, after } = hostilePair();
    assert.equal(before.findings[0]?.ruleId, 'seq-scan-filter', 'the hostile name reaches a finding message and its fix');
    const md = planDiffToMarkdown(diffPlans(before, after, { beforeLabel: 'a`b|<i>.json', afterLabel: 'after\n# x.json' }));
    // Inside a code span GitHub shows HTML as text; everywhere else there must be none.
    const outsideCode = md.replace(/(`+)[^`].*?\1/g, '');
    assert.doesNotMatch(outsideCode, /<script|<img|<i>|<b>/i);
    assert.doesNotMatch(md, /^#+ (heading|x)/m, 'a newline in a name must not start a heading');
    assert.match(md, /^``a`b\|<i>\.json`` → `after\\n# x\.json`$/m, 'labels are code spans that survive backticks');
    const tableRows = md.split('\n').filter((l) => l.startsWith('|'));
    const header = tableRows.find((l) => l.startsWith('| | node |'));
    assert.ok(header);
    for (const r of tableRows.slice(tableRows.indexOf(header))) assert.equal(cells(r).length, 7, r);
    const row = tableRows.find((l) => l.includes('Seq Scan on'));
    assert.ok(row);
    assert.ok(cells(row)[1].includes('Seq Scan on ev\\|il\\`tick\\`&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\#\\# heading o'), cells(row)[1]);
    assert.ok(cells(row)[1].includes('using idx\\|\\`&lt;img src=x onerror=alert\\(1\\)&gt;'), cells(row)[1]);
    const fix = md.split('\n').find((l) => l.startsWith('  - Fix: '));
    assert.ok(fix);
    assert.match(fix, /^ {2}- Fix: ``CREATE INDEX CONCURRENTLY ON "ev\|il`tick`<script>alert\(1\)<\/script> ## heading" \(status\);``$/, 'inside a code span HTML is shown, not run');
  });

  it('text spells control characters out: a newline in a name never starts a line', () => {
    const { before, after } = hostilePair();
    const text = renderPlanDiffText(diffPlans(before, after, { beforeLabel: 'b\u001b[31m.json', afterLabel: 'a.json' }));
    assert.doesNotMatch(text, /^## heading/m);
    assert.ok(text.includes('<script>alert(1)</script>\\n## heading o → Index Scan'));
    assert.ok(text.startsWith('Plan diff: b\\u001b[31m.json → a.json\n'));
    assert.ok(!text.includes('\u001b'));
  });

  it('past the limit the most important nodes are listed, in tree order, with a count of the rest', () => {
    const scan = (i: number, type: string, time: number) => ({
      'Node Type': type,
      'Relation Name': `t${i}`,
      Alias: `t${i}`,
      'Parent Relationship': 'Member',
      'Total Cost': 10,
      'Plan Rows': 10,
      'Actual Rows': 10,
      'Actual Loops': 1,
      'Actual Total Time': time,
    });
    const make = (changed: (i: number) => [string, number]) => {
      const plans = Array.from({ length: 40 }, (_, i) => scan(i, ...changed(i)));
      // The Append's own time stays 2,000 ms: only the scans change.
      const total = 2000 + plans.reduce((sum, p) => sum + p['Actual Total Time'], 0);
      return analyzePlan({ Plan: { 'Node Type': 'Append', 'Total Cost': 1000, 'Plan Rows': 400, 'Actual Rows': 400, 'Actual Loops': 1, 'Actual Total Time': total, Plans: plans } });
    };
    const before = make(() => ['Seq Scan', 10]);
    // t5 changes type; the others only in time, t30 the most.
    const after = make((i) => (i === 5 ? ['Index Scan', 10] : [`Seq Scan`, i === 30 ? 100 : 20 + i]));
    const d = diffPlans(before, after);
    // Changes: t5's type, and the times that moved by at least 1% of the larger total.
    const changed = d.nodes.filter((n) => n.changes.length > 0).length;
    assert.equal(changed, 1 + d.nodes.filter((n) => n.changes.includes('time')).length);
    assert.equal(changed, 14);
    const text = renderPlanDiffText(d, { maxNodes: 3 });
    assert.match(text, /^Node changes \(3 of 14, the largest\):$/m);
    const listed = [...text.matchAll(/^ {2}~ #(\d+) /gm)].map((m) => Number(m[1]));
    assert.deepEqual(listed, [7, 32, 41], 'the type change first, then the largest time changes, shown in tree order');
    assert.match(text, /^ {2}… 11 more changed nodes \(--format json lists every node\)$/m);
    const md = planDiffToMarkdown(d, { maxNodes: 3 });
    assert.match(md, /#### Node changes \(3 of 14\)/);
    assert.match(md, /… 11 more changed nodes/);
  });
});

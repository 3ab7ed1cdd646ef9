import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { comparePlans } from '../../../src/core/plan/compare';
import { fixture } from './helpers';

describe('plan comparison', () => {
  it('matches a Seq Scan that became a Bitmap Heap Scan on the same table and gives the deltas', () => {
    const before = analyzePlan(fixture('seq-scan-filter.json'));
    const after = analyzePlan(fixture('seq-scan-filter-indexed.json'));
    const c = comparePlans(before, after);
    const scan = c.nodes.find((n) => n.status === 'matched');
    assert.ok(scan, JSON.stringify(c.nodes));
    assert.equal(scan.beforeId, 1);
    assert.equal(scan.afterId, 1);
    assert.equal(scan.relation, 'orders');
    assert.equal(scan.timeDeltaMs, after.root.exclusiveTimeMs - before.root.exclusiveTimeMs);
    assert.equal(scan.costDelta, after.root.totalCost - before.root.totalCost);
    const added = c.nodes.filter((n) => n.status === 'added');
    assert.deepEqual(added.map((n) => [n.nodeType, n.indexName]), [['Bitmap Index Scan', 'orders_customer_id_idx']]);
    assert.equal(c.timeDeltaMs, after.summary.totalTimeMs - before.summary.totalTimeMs);
    assert.ok(c.timeDeltaMs < 0, 'the index made it faster');
    assert.equal(c.costDelta, after.summary.totalCost - before.summary.totalCost);
    assert.equal(c.costDeltaPct, ((after.summary.totalCost - before.summary.totalCost) / before.summary.totalCost) * 100);
    assert.deepEqual(c.resolvedFindings, ['seq-scan-filter@Seq Scan on plan_fixtures.orders']);
    assert.deepEqual(c.newFindings, []);
  });

  it('matches every node of the same plan to itself with zero deltas', () => {
    const a = analyzePlan(fixture('cte-subplans.json'));
    const b = analyzePlan(fixture('cte-subplans.txt'));
    const c = comparePlans(a, b);
    assert.equal(c.nodes.length, a.nodes.length);
    for (const n of c.nodes) {
      assert.equal(n.status, 'matched');
      assert.equal(n.beforeId, n.afterId);
      assert.equal(n.costDelta, 0);
    }
  });

  it('tolerates inserted and removed nodes and a changed join method', () => {
    const scan = (rel: string, time: number, rows = 10) => ({ 'Node Type': 'Seq Scan', 'Relation Name': rel, Alias: rel, 'Total Cost': 10, 'Plan Rows': rows, 'Actual Rows': rows, 'Actual Loops': 1, 'Actual Total Time': time });
    const before = analyzePlan({
      Plan: { 'Node Type': 'Hash Join', 'Join Type': 'Inner', 'Total Cost': 100, 'Plan Rows': 10, 'Actual Rows': 10, 'Actual Loops': 1, 'Actual Total Time': 20, Plans: [{ ...scan('a', 5), 'Parent Relationship': 'Outer' }, { 'Node Type': 'Hash', 'Parent Relationship': 'Inner', 'Total Cost': 10, 'Plan Rows': 10, 'Actual Rows': 10, 'Actual Loops': 1, 'Actual Total Time': 8, Plans: [{ ...scan('b', 7), 'Parent Relationship': 'Outer' }] }] },
    });
    const after = analyzePlan({
      Plan: { 'Node Type': 'Sort', 'Total Cost': 60, 'Plan Rows': 10, 'Actual Rows': 10, 'Actual Loops': 1, 'Actual Total Time': 12, Plans: [{ 'Node Type': 'Nested Loop', 'Join Type': 'Inner', 'Parent Relationship': 'Outer', 'Total Cost': 50, 'Plan Rows': 10, 'Actual Rows': 10, 'Actual Loops': 1, 'Actual Total Time': 11, Plans: [{ ...scan('a', 4), 'Parent Relationship': 'Outer' }, { ...scan('b', 6), 'Parent Relationship': 'Inner' }] }] },
    });
    const c = comparePlans(before, after);
    const by = (type: string) => c.nodes.find((n) => n.nodeType === type);
    assert.equal(by('Sort')?.status, 'added');
    assert.equal(by('Hash')?.status, 'removed');
    const join = by('Nested Loop');
    assert.equal(join?.status, 'matched');
    assert.equal(join?.beforeId, 1, 'the Hash Join is the Nested Loop\'s counterpart');
    const scans = c.nodes.filter((n) => n.nodeType === 'Seq Scan');
    assert.deepEqual(scans.map((s) => [s.relation, s.status, s.timeDeltaMs]), [['a', 'matched', -1], ['b', 'matched', -1]]);
    assert.equal(c.timeDeltaMs, 12 - 20);
  });
});

import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../../src/core/plan/analyze';
import type { PlanNode } from '../../../src/core/plan/types';
import { fixture, rawNodes } from './helpers';

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-9, `${msg ?? ''} ${a} ≉ ${b}`);
type Raw = Record<string, number>;

describe('plan metrics', () => {
  it('numbers nodes depth-first from 1 with parent ids and depths, without parent pointers', () => {
    const r = analyzePlan(fixture('cte-subplans.json'));
    r.nodes.forEach((n, i) => {
      assert.equal(n.id, i + 1);
      if (n.parentId !== null) {
        const parent = r.nodes[n.parentId - 1];
        assert.ok(parent.children.includes(n));
        assert.equal(n.depth, parent.depth + 1);
        assert.ok(n.id > parent.id);
      }
    });
    assert.equal(r.root, r.nodes[0]);
    assert.doesNotThrow(() => JSON.stringify(r), 'JSON-serialisable: no cycles');
    assert.deepEqual(JSON.parse(JSON.stringify(r)).nodes.length, r.nodes.length);
  });

  it('exclusive time = own total time minus the children\'s', () => {
    const r = analyzePlan(fixture('hash-batches.json'));
    const raw = rawNodes('hash-batches.json') as unknown as Raw[];
    const total = (i: number) => raw[i]['Actual Total Time'] * raw[i]['Actual Loops'];
    close(r.nodes[0].inclusiveTimeMs, total(0));
    close(r.nodes[0].exclusiveTimeMs, total(0) - total(1) - total(2), 'join');
    close(r.nodes[2].exclusiveTimeMs, total(2) - total(3), 'hash');
    close(r.nodes[3].exclusiveTimeMs, total(3), 'leaf');
    const shares = r.nodes.reduce((s, n) => s + n.sharePct, 0);
    close(shares, 100, 'shares of a plan without sub-plans add up to 100%');
    close(r.nodes[0].sharePct, (r.nodes[0].exclusiveTimeMs / total(0)) * 100);
  });

  it('multiplies per-loop time and rows by loops', () => {
    const r = analyzePlan(fixture('nested-loop-seq-scan.json'));
    const inner = r.nodes[2];
    const raw = rawNodes('nested-loop-seq-scan.json')[2] as unknown as Raw;
    assert.ok(raw['Actual Loops'] > 1);
    close(inner.inclusiveTimeMs, raw['Actual Total Time'] * raw['Actual Loops']);
    assert.equal(inner.totalRows, raw['Actual Rows'] * raw['Actual Loops']);
  });

  it('divides the time of parallel nodes by the processes that ran them', () => {
    const r = analyzePlan(fixture('parallel-seq-scan.json'));
    const gather = r.nodes.find((n) => n.nodeType === 'Gather Merge') as PlanNode;
    const scan = r.nodes.find((n) => n.nodeType === 'Seq Scan') as PlanNode;
    const processes = (gather.workersLaunched ?? 0) + 1;
    assert.equal(scan.loops, processes);
    close(scan.inclusiveTimeMs, ((scan.actualTotalTimeMs ?? 0) * (scan.loops ?? 0)) / processes);
    assert.ok(scan.inclusiveTimeMs <= (gather.actualTotalTimeMs ?? 0), 'a worker node cannot take longer than its Gather');
    const launched0 = analyzePlan(fixture('workers-not-launched.json'));
    const lone = launched0.nodes.find((n) => n.nodeType === 'Seq Scan') as PlanNode;
    close(lone.inclusiveTimeMs, lone.actualTotalTimeMs ?? -1, 'with no workers the leader ran it alone');
  });

  it('does not subtract a CTE from its parent but from the CTE Scans that read it', () => {
    const r = analyzePlan(fixture('cte-subplans.json'));
    const cte = r.nodes.find((n) => n.subplanName === 'CTE big') as PlanNode;
    const scans = r.nodes.filter((n) => n.nodeType === 'CTE Scan');
    const scanTotal = scans.reduce((s, n) => s + n.inclusiveTimeMs, 0);
    const initPlans = r.nodes.filter((n) => n.parentRelationship === 'InitPlan' && n !== cte);
    for (const scan of scans) {
      const ownChildren = scan.children.reduce((s, c) => s + c.inclusiveTimeMs, 0);
      // The scan's filter uses the InitPlan's result ($n), so the InitPlan ran inside it.
      const used = initPlans.filter((p) => scan.filter?.includes(/returns (\$\d+)/.exec(p.subplanName ?? '')?.[1] ?? '\u0000'));
      const usedTime = used.reduce((s, p) => s + p.inclusiveTimeMs, 0);
      const expected = Math.max(0, scan.inclusiveTimeMs - ownChildren - usedTime - (cte.inclusiveTimeMs * scan.inclusiveTimeMs) / scanTotal);
      close(scan.exclusiveTimeMs, expected, scan.label);
    }
    assert.ok(scans.some((s) => s.filter?.includes('$')), 'the fixture has a CTE Scan using an InitPlan result');
    for (const n of r.nodes) assert.ok(n.exclusiveTimeMs >= 0 && n.exclusiveTimeMs <= n.inclusiveTimeMs + 1e-9, `node ${n.id}`);
    const sum = r.nodes.reduce((s, n) => s + n.exclusiveTimeMs, 0);
    assert.ok(Math.abs(sum - r.root.inclusiveTimeMs) < 1e-6 * r.root.inclusiveTimeMs, `no time is counted twice or lost: ${sum} vs ${r.root.inclusiveTimeMs}`);
    assert.equal(r.summary.slowestNodeId, cte.id, 'the aggregate inside the CTE does the work');
  });

  it('gives never-executed nodes no time and no estimate factor', () => {
    const r = analyzePlan(fixture('never-executed.json'));
    const never = r.nodes.find((n) => n.neverExecuted) as PlanNode;
    assert.equal(never.inclusiveTimeMs, 0);
    assert.equal(never.exclusiveTimeMs, 0);
    assert.equal(never.estimateFactor, undefined);
  });

  it('computes the estimate factor both ways with its direction', () => {
    const under = analyzePlan(fixture('misestimate.json')).root;
    const raw = rawNodes('misestimate.json')[0] as unknown as Raw;
    close(under.estimateRatio ?? 0, raw['Actual Rows'] / raw['Plan Rows']);
    close(under.estimateFactor ?? 0, raw['Actual Rows'] / raw['Plan Rows']);
    assert.equal(under.estimateDirection, 'under');
    const over = analyzePlan([{ Plan: { 'Node Type': 'Seq Scan', 'Plan Rows': 5000, 'Actual Rows': 50, 'Actual Loops': 1, 'Actual Total Time': 1 } }]).root;
    assert.equal(over.estimateFactor, 100);
    assert.equal(over.estimateDirection, 'over');
    const exact = analyzePlan(fixture('clean-index-scan.json')).root;
    assert.equal(exact.estimateFactor, 1);
    assert.equal(exact.estimateDirection, undefined);
  });

  it('computes exclusive buffers', () => {
    const r = analyzePlan(fixture('lossy-bitmap.json'));
    const [agg, heap, index] = r.nodes;
    assert.ok(agg.buffers && heap.buffers && index.buffers && heap.exclusiveBuffers && agg.exclusiveBuffers);
    assert.equal(heap.exclusiveBuffers.sharedHit, Math.max(0, heap.buffers.sharedHit - index.buffers.sharedHit));
    assert.equal(heap.exclusiveBuffers.sharedRead, Math.max(0, heap.buffers.sharedRead - index.buffers.sharedRead));
    assert.equal(agg.exclusiveBuffers.sharedHit, Math.max(0, agg.buffers.sharedHit - heap.buffers.sharedHit));
    assert.deepEqual(index.exclusiveBuffers, index.buffers);
  });

  it('keeps every node\'s inclusive buffers as reported when exclusive buffers are shared or reduced by a CTE', () => {
    const raw = rawNodes('cte-subplans.json');
    const r = analyzePlan(fixture('cte-subplans.json'));
    const blocks = (n: Record<string, unknown>) => [n['Shared Hit Blocks'], n['Shared Read Blocks'], n['Temp Read Blocks'], n['Temp Written Blocks']];
    r.nodes.forEach((n, i) => {
      assert.ok(n.buffers && n.exclusiveBuffers, `node ${n.id} has buffers`);
      assert.deepEqual([n.buffers.sharedHit, n.buffers.sharedRead, n.buffers.tempRead, n.buffers.tempWritten], blocks(raw[i]), `node ${n.id} inclusive buffers`);
    });
    const cte = r.nodes.find((n) => n.subplanName === 'CTE big') as PlanNode;
    const scan = r.nodes.find((n) => n.nodeType === 'CTE Scan' && n.children.length === 0) as PlanNode;
    assert.ok(cte.buffers && cte.buffers.sharedHit + cte.buffers.sharedRead > 0, 'the CTE read blocks');
    assert.ok(scan.exclusiveBuffers && scan.buffers);
    // A leaf's exclusive buffers are its own, less its share of the CTE: never more than reported.
    assert.ok(scan.exclusiveBuffers.sharedHit <= scan.buffers.sharedHit && scan.exclusiveBuffers.sharedRead <= scan.buffers.sharedRead);
  });

  it('gives a node whose children read all its blocks zero exclusive buffers, and leaves the caller\'s plan untouched', () => {
    const blocks = (hit: number) => ({ 'Shared Hit Blocks': hit, 'Shared Read Blocks': 0, 'Shared Dirtied Blocks': 0, 'Shared Written Blocks': 0, 'Local Hit Blocks': 0, 'Local Read Blocks': 0, 'Local Dirtied Blocks': 0, 'Local Written Blocks': 0, 'Temp Read Blocks': 0, 'Temp Written Blocks': 0 });
    const leaf = (hit: number) => ({ 'Node Type': 'Seq Scan', 'Relation Name': 't', 'Actual Rows': 1, 'Actual Loops': 1, 'Actual Total Time': 1, ...blocks(hit) });
    const plan = [{ Plan: { 'Node Type': 'Append', 'Actual Rows': 2, 'Actual Loops': 1, 'Actual Total Time': 2, ...blocks(7), Plans: [leaf(3), leaf(4)] } }];
    const copy = JSON.stringify(plan);
    const r = analyzePlan(plan);
    assert.equal(JSON.stringify(plan), copy);
    assert.deepEqual(r.root.exclusiveBuffers, { sharedHit: 0, sharedRead: 0, sharedDirtied: 0, sharedWritten: 0, localHit: 0, localRead: 0, localDirtied: 0, localWritten: 0, tempRead: 0, tempWritten: 0 });
    assert.deepEqual(r.root.buffers?.sharedHit, 7);
    assert.deepEqual(r.nodes.map((n) => n.exclusiveBuffers?.sharedHit), [0, 3, 4]);
    assert.deepEqual(r.root.children.map((c) => c.id), [2, 3]);
  });

  it('puts the slowest node and its ancestors on the hot path', () => {
    const r = analyzePlan(fixture('hash-batches.json'));
    const slowest = r.nodes.reduce((a, b) => (b.exclusiveTimeMs > a.exclusiveTimeMs ? b : a));
    assert.equal(r.summary.slowestNodeId, slowest.id);
    for (let id: number | null = slowest.id; id !== null; id = r.nodes[id - 1].parentId) assert.ok(r.summary.hotPath.includes(id));
    const covered = r.summary.hotPath.reduce((s, id) => s + r.nodes[id - 1].exclusiveTimeMs, 0);
    assert.ok(covered >= 0.8 * r.nodes.reduce((s, n) => s + n.exclusiveTimeMs, 0));
    assert.deepEqual([...r.summary.hotPath].sort((a, b) => a - b), r.summary.hotPath);
  });

  it('falls back to cost when the plan was not analyzed', () => {
    const r = analyzePlan(fixture('estimate-only.json'));
    assert.equal(r.summary.analyzed, false);
    const raw = rawNodes('estimate-only.json') as unknown as Raw[];
    close(r.nodes[0].exclusiveCost, raw[0]['Total Cost'] - raw[1]['Total Cost']);
    const byCost = r.nodes.reduce((a, b) => (b.exclusiveCost > a.exclusiveCost ? b : a));
    assert.equal(r.summary.slowestNodeId, byCost.id);
    close(byCost.sharePct, (byCost.exclusiveCost / r.root.totalCost) * 100);
    assert.ok(r.nodes.every((n) => n.exclusiveTimeMs === 0));
  });

  it('totals: execution time, planning time, node count', () => {
    const r = analyzePlan(fixture('sort-spill.json'));
    const top = (JSON.parse(fixture('sort-spill.json')) as Raw[])[0];
    assert.equal(r.summary.executionTimeMs, top['Execution Time']);
    assert.equal(r.summary.planningTimeMs, top['Planning Time']);
    assert.equal(r.summary.totalTimeMs, top['Execution Time']);
    assert.equal(r.summary.nodeCount, 2);
  });
});

import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../../src/core/plan/analyze';
import type { PlanFinding, PlanReport, PlanRuleId } from '../../../src/core/plan/types';
import { fixture, rawNodes } from './helpers';

type Raw = Record<string, number>;

/** The plan findings each fixture must produce — and no others (so every rule is also seen not firing). */
const EXPECTED: Record<string, PlanRuleId[]> = {
  'clean-index-scan': [],
  'seq-scan-filter': ['seq-scan-filter'],
  'seq-scan-filter-indexed': [],
  'index-filter': ['index-filter'],
  misestimate: ['misestimate'],
  'sort-spill': ['sort-spill'],
  'hash-batches': ['hash-batches'],
  'hashagg-spill': ['hash-batches'],
  'lossy-bitmap': ['lossy-bitmap'],
  'heap-fetches': ['heap-fetches'],
  'nested-loop-seq-scan': ['nested-loop-seq-scan'],
  'jit-overhead': ['jit-overhead'],
  'workers-not-launched': ['workers-not-launched'],
  'parallel-seq-scan': ['seq-scan-filter'],
  'cte-subplans': ['index-filter'],
  'never-executed': [],
  'update-trigger': [],
  'estimate-only': [],
  'pg18-index-searches': [],
  'pg18-disabled': [],
  'partitions/all-partitions': ['no-partition-pruning'],
  'partitions/all-partitions-two-levels': ['no-partition-pruning'],
  'partitions/all-partitions-join': ['no-partition-pruning'],
  // A filter on another column reads every partition too, but the plan cannot tell it from a pruned one.
  'partitions/filter-other-column': ['seq-scan-filter', 'seq-scan-filter'],
  'partitions/pruned-plan-time': [],
  'partitions/pruned-run-time': [],
  'partitions/union-all-same-table': [],
  'partitions/merge-append-limit': [],
  'partitions/inheritance': [],
  // t_1, t_2 are a UNION ALL of two tables aliased t, while another table holds the bare alias t.
  'partitions/union-all-alias-clash': [],
};

function only(r: PlanReport, rule: PlanRuleId): PlanFinding {
  const found = r.findings.filter((f) => f.ruleId === rule);
  assert.equal(found.length, 1, `${rule}: ${JSON.stringify(r.findings.map((f) => f.ruleId))}`);
  return found[0];
}

describe('plan findings', () => {
  describe('each rule fires exactly where its problem is', () => {
    for (const [name, rules] of Object.entries(EXPECTED)) {
      for (const ext of ['json', 'txt']) {
        it(`${name}.${ext} → ${rules.join(', ') || 'nothing'}`, () => {
          const r = analyzePlan(fixture(`${name}.${ext}`));
          assert.deepEqual(r.findings.map((f) => f.ruleId).sort(), [...rules].sort());
          for (const f of r.findings) {
            assert.ok(f.nodeId >= 1 && f.nodeId <= r.nodes.length);
            assert.ok(f.message.length > 20 && f.fix.length > 5);
            assert.ok(Object.keys(f.evidence).length > 0);
          }
        });
      }
    }
  });

  describe('evidence and fixes', () => {
    it('seq-scan-filter: the rows read and removed, and the index on the filtered column', () => {
      const r = analyzePlan(fixture('seq-scan-filter.json'));
      const raw = rawNodes('seq-scan-filter.json')[0] as unknown as Raw;
      const f = only(r, 'seq-scan-filter');
      const removed = raw['Rows Removed by Filter'] * raw['Actual Loops'];
      assert.equal(f.nodeId, 1);
      assert.equal(f.severity, 'warning');
      assert.equal(f.evidence.rowsRemoved, removed);
      assert.equal(f.evidence.rowsRead, removed + raw['Actual Rows'] * raw['Actual Loops']);
      assert.equal(f.fix, 'CREATE INDEX CONCURRENTLY ON plan_fixtures.orders (customer_id);');
      assert.match(f.message, /discards 99\.9%/);
      // The evidence says what the message says: a filter that keeps rows never reads as 100%.
      assert.equal(f.evidence.removedPct, 99.9);
    });

    it('seq-scan-filter counts all workers of a Parallel Seq Scan', () => {
      const r = analyzePlan(fixture('parallel-seq-scan.json'));
      const scan = r.nodes.find((n) => n.nodeType === 'Seq Scan');
      const f = only(r, 'seq-scan-filter');
      assert.equal(f.nodeId, scan?.id);
      assert.equal(f.evidence.rowsRemoved, (scan?.rowsRemovedByFilter ?? 0) * (scan?.loops ?? 0));
      assert.equal(f.fix, 'CREATE INDEX CONCURRENTLY ON plan_fixtures.orders (amount);');
    });

    it('index-filter: the index and the column it misses', () => {
      const f = only(analyzePlan(fixture('index-filter.txt')), 'index-filter');
      assert.equal(f.evidence.index, 'orders_status_idx');
      assert.equal(f.fix, 'CREATE INDEX CONCURRENTLY ON plan_fixtures.orders (status, amount);');
      assert.match(f.message, /misses the column\(s\) amount/);
    });

    it('misestimate: estimated and actual rows, the factor, ANALYZE', () => {
      const r = analyzePlan(fixture('misestimate.json'));
      const raw = rawNodes('misestimate.json')[0] as unknown as Raw;
      const f = only(r, 'misestimate');
      assert.equal(f.evidence.planRows, raw['Plan Rows']);
      assert.equal(f.evidence.actualRows, raw['Actual Rows']);
      assert.equal(f.evidence.direction, 'under');
      assert.equal(f.evidence.factor, Math.round((raw['Actual Rows'] / raw['Plan Rows']) * 10) / 10);
      assert.equal(f.fix, 'ANALYZE plan_fixtures.events;');
    });

    it('sort-spill: disk use and a work_mem that holds it', () => {
      const r = analyzePlan(fixture('sort-spill.json'));
      const raw = rawNodes('sort-spill.json')[0] as unknown as Raw;
      const f = only(r, 'sort-spill');
      assert.equal(f.evidence.diskKb, raw['Sort Space Used']);
      const mb = Number(/SET work_mem = '(\d+)MB'/.exec(f.fix)?.[1]);
      assert.ok(mb * 1024 >= raw['Sort Space Used'] * 2, f.fix);
    });

    it('hash-batches: batches and peak memory', () => {
      const r = analyzePlan(fixture('hash-batches.json'));
      const raw = rawNodes('hash-batches.json')[2] as unknown as Raw;
      const f = only(r, 'hash-batches');
      assert.equal(f.nodeId, 3);
      assert.equal(f.evidence.batches, raw['Hash Batches']);
      assert.equal(f.evidence.peakMemoryKb, raw['Peak Memory Usage']);
      assert.match(f.fix, /^SET work_mem = '\d+MB';/);
    });

    it('hash-batches on a HashAggregate: batches, disk and memory, and a work_mem above both', () => {
      const r = analyzePlan(fixture('hashagg-spill.txt'));
      const raw = rawNodes('hashagg-spill.json')[0] as unknown as Raw;
      const f = only(r, 'hash-batches');
      assert.equal(f.nodeId, 1);
      assert.equal(f.evidence.batches, raw['HashAgg Batches']);
      assert.equal(f.evidence.diskKb, raw['Disk Usage']);
      assert.equal(f.evidence.peakMemoryKb, raw['Peak Memory Usage']);
      const mb = Number(/^SET work_mem = '(\d+)MB';/.exec(f.fix)?.[1]);
      assert.ok(mb * 1024 >= raw['Disk Usage'] + raw['Peak Memory Usage'], f.fix);
    });

    it('lossy-bitmap: exact and lossy blocks', () => {
      const r = analyzePlan(fixture('lossy-bitmap.txt'));
      const raw = rawNodes('lossy-bitmap.json')[1] as unknown as Raw;
      const f = only(r, 'lossy-bitmap');
      assert.equal(f.evidence.lossyBlocks, raw['Lossy Heap Blocks']);
      assert.equal(f.evidence.exactBlocks, raw['Exact Heap Blocks']);
      assert.match(f.fix, /work_mem/);
    });

    it('heap-fetches: fetches against rows, VACUUM the table', () => {
      const f = only(analyzePlan(fixture('heap-fetches.json')), 'heap-fetches');
      const raw = rawNodes('heap-fetches.json')[0] as unknown as Raw;
      assert.equal(f.evidence.heapFetches, raw['Heap Fetches']);
      assert.equal(f.fix, 'VACUUM (ANALYZE) plan_fixtures.items;');
    });

    it('nested-loop-seq-scan: loops and the join column to index', () => {
      const r = analyzePlan(fixture('nested-loop-seq-scan.json'));
      const f = only(r, 'nested-loop-seq-scan');
      const inner = r.nodes[f.nodeId - 1];
      assert.equal(inner.parentRelationship, 'Inner');
      assert.equal(f.evidence.loops, inner.loops);
      assert.equal(f.fix, 'CREATE INDEX CONCURRENTLY ON plan_fixtures.regions (code);');
    });

    it('jit-overhead: JIT time against execution time, on the root', () => {
      const r = analyzePlan(fixture('jit-overhead.json'));
      const f = only(r, 'jit-overhead');
      assert.equal(f.nodeId, 1);
      assert.equal(f.evidence.jitPct, Math.round(((r.summary.jit?.totalMs ?? 0) / (r.summary.executionTimeMs ?? 1)) * 1000) / 10);
      assert.match(f.fix, /SET jit = off/);
    });

    it('no-partition-pruning: the partitions and rows read, on the Append', () => {
      for (const ext of ['json', 'txt']) {
        const r = analyzePlan(fixture(`partitions/all-partitions.${ext}`));
        const f = only(r, 'no-partition-pruning');
        assert.equal(r.nodes[f.nodeId - 1].nodeType, 'Append');
        assert.deepEqual(f.evidence, { table: 'events', partitions: 3, rowsRead: 60000, subplansRemoved: 0 });
        assert.equal(f.severity, 'warning');
      }
      const twoLevels = only(analyzePlan(fixture('partitions/all-partitions-two-levels.json')), 'no-partition-pruning');
      assert.equal(twoLevels.evidence.partitions, 3);
      assert.match(only(analyzePlan(fixture('partitions/all-partitions-join.json')), 'no-partition-pruning').message, /^Append reads all 3 partitions of e \(60,000 rows\)/);
    });

    it('no-partition-pruning honours its thresholds', () => {
      const plan = fixture('partitions/all-partitions.json');
      assert.equal(analyzePlan(plan, { thresholds: { noPartitionPruningMinRows: 60001 } }).findings.length, 0);
      assert.equal(analyzePlan(plan, { thresholds: { noPartitionPruningMinPartitions: 4 } }).findings.length, 0);
      assert.equal(analyzePlan(plan, { thresholds: { noPartitionPruningMinPartitions: 3, noPartitionPruningMinRows: 60000 } }).findings.length, 1);
    });

    it('workers-not-launched: info, planned and launched', () => {
      const r = analyzePlan(fixture('workers-not-launched.json'));
      const f = only(r, 'workers-not-launched');
      assert.equal(f.severity, 'info');
      assert.deepEqual([f.evidence.workersPlanned, f.evidence.workersLaunched], [2, 0]);
      assert.equal(r.nodes[f.nodeId - 1].nodeType, 'Gather');
    });
  });

  describe('thresholds and severities', () => {
    it('honours each threshold', () => {
      const cases: [string, PlanRuleId, Record<string, number>][] = [
        ['seq-scan-filter', 'seq-scan-filter', { seqScanFilterMinRows: 1_000_000 }],
        ['seq-scan-filter', 'seq-scan-filter', { seqScanFilterMinRemovedPct: 99.99 }],
        ['index-filter', 'index-filter', { indexFilterMinRows: 1_000_000 }],
        ['misestimate', 'misestimate', { misestimateMinFactor: 1000 }],
        ['misestimate', 'misestimate', { misestimateMinRows: 1_000_000 }],
        ['heap-fetches', 'heap-fetches', { heapFetchesMinPct: 101 }],
        ['nested-loop-seq-scan', 'nested-loop-seq-scan', { nestedLoopSeqScanMinLoops: 100_000 }],
        ['jit-overhead', 'jit-overhead', { jitOverheadMinPct: 100 }],
      ];
      for (const [name, rule, thresholds] of cases) {
        const input = fixture(`${name}.json`);
        assert.ok(analyzePlan(input).findings.some((f) => f.ruleId === rule), `${rule} fires by default`);
        assert.ok(!analyzePlan(input, { thresholds }).findings.some((f) => f.ruleId === rule), `${rule} silent with ${JSON.stringify(thresholds)}`);
      }
      const lowered = analyzePlan(fixture('misestimate.json'), { thresholds: { seqScanFilterMinRemovedPct: 50 } });
      assert.ok(lowered.findings.some((f) => f.ruleId === 'seq-scan-filter'), 'a lower threshold makes a rule fire');
    });

    it('turns rules off or changes their severity', () => {
      const input = fixture('seq-scan-filter.json');
      assert.equal(analyzePlan(input, { severities: { 'seq-scan-filter': 'off' } }).findings.length, 0);
      assert.equal(analyzePlan(input, { severities: { 'seq-scan-filter': 'error' } }).findings[0].severity, 'error');
    });
  });

  describe('misestimate noise control', () => {
    const node = (type: string, planRows: number, actualRows: number, extra: Record<string, unknown> = {}) => ({
      'Node Type': type,
      'Plan Rows': planRows,
      'Actual Rows': actualRows,
      'Actual Loops': 1,
      'Actual Total Time': 1,
      ...extra,
    });

    it('reports a misestimate where it starts, not on every node above it', () => {
      const plan = { Plan: node('Sort', 10, 5000, { Plans: [node('Hash Join', 10, 5000, { 'Join Type': 'Inner', Plans: [node('Seq Scan', 10, 5000, { 'Relation Name': 't', Alias: 't', 'Parent Relationship': 'Outer' }), node('Hash', 1, 1, { 'Parent Relationship': 'Inner' })] })] }) };
      const r = analyzePlan(plan);
      assert.deepEqual(r.findings.map((f) => [f.ruleId, f.nodeId]), [['misestimate', 3]]);
      assert.equal(r.findings[0].fix, 'ANALYZE t;');
    });

    it('reports one node\'s findings of one severity by rule id', () => {
      const plan = { Plan: node('Seq Scan', 100000, 10, { 'Relation Name': 't', Alias: 't', Filter: '(a = 1)', 'Rows Removed by Filter': 200000 }) };
      assert.deepEqual(analyzePlan(plan).findings.map((f) => [f.ruleId, f.nodeId]), [['misestimate', 1], ['seq-scan-filter', 1]]);
    });

    it('ignores fewer rows than estimated below a Limit (it stops early)', () => {
      const plan = { Plan: node('Limit', 100, 100, { Plans: [node('Seq Scan', 100000, 100, { 'Relation Name': 't', 'Parent Relationship': 'Outer' })] }) };
      assert.deepEqual(analyzePlan(plan).findings, []);
      const unlimited = { Plan: node('Seq Scan', 100000, 100, { 'Relation Name': 't' }) };
      assert.deepEqual(analyzePlan(unlimited).findings.map((f) => f.ruleId), ['misestimate']);
    });
  });
});

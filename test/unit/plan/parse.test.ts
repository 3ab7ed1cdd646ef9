import * as assert from 'node:assert/strict';
import { PglensError } from '../../../src/core/errors';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { parsePlan } from '../../../src/core/plan/parse';
import { fixture, fixtureJson, rawNodes } from './helpers';

function badInput(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PglensError, `expected PglensError, got ${String(e)}`);
    assert.equal(e.code, 'bad-input');
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'one-line message');
    assert.ok(e.hint, 'has a hint naming the next step');
    return true;
  });
}

describe('plan parsing', () => {
  describe('JSON input forms', () => {
    const value = fixtureJson('seq-scan-filter.json') as Record<string, unknown>[];

    it('accepts the EXPLAIN array, the object inside it, a bare node and driver rows alike', () => {
      const forms: unknown[] = [value, value[0], (value[0] as Record<string, unknown>).Plan, [{ 'QUERY PLAN': value }], JSON.stringify(value), `  \n${JSON.stringify(value)}`];
      for (const form of forms) {
        const r = analyzePlan(form);
        assert.equal(r.sourceFormat, 'json');
        assert.equal(r.root.nodeType, 'Seq Scan');
        assert.equal(r.root.relation, 'orders');
      }
    });

    it('does not change a plan object the caller passes in', () => {
      const copy = JSON.parse(JSON.stringify(value));
      analyzePlan(copy);
      assert.deepEqual(copy, value);
    });

    it('keeps every original property of a node in raw, without the children', () => {
      const r = analyzePlan(fixture('hash-batches.json'));
      const raws = rawNodes('hash-batches.json');
      r.nodes.forEach((n, i) => {
        const { Plans: _plans, ...expected } = raws[i];
        assert.deepEqual(n.raw, expected);
      });
    });

    it('keeps raw without the children and the caller\'s nested plan unchanged when given a parsed value', () => {
      const value = fixtureJson('hash-batches.json');
      const before = JSON.stringify(value);
      const r = analyzePlan(value);
      assert.equal(JSON.stringify(value), before);
      const raws = rawNodes('hash-batches.json');
      assert.ok(raws.filter((raw) => raw.Plans !== undefined).length >= 2, 'the fixture has nested nodes');
      r.nodes.forEach((n, i) => {
        const { Plans: _plans, ...expected } = raws[i];
        assert.deepEqual(n.raw, expected);
      });
    });

    it('names the path to a bad node deep in the tree', () => {
      const plan = { 'Node Type': 'Append', Plans: [{ 'Node Type': 'Result' }, { 'Node Type': 'Sort', Plans: [{ 'Node Type': 'Seq Scan', 'Total Cost': 'x' }] }] };
      badInput(() => analyzePlan(plan), /node 4 \(Seq Scan\) at Plan → Plans\[1\] → Plans\[0\]: "Total Cost" is "x"/);
      const missing = { 'Node Type': 'Append', Plans: [{ 'Node Type': 'Result' }, { 'Node Type': 'Sort', Plans: [{}, { 'Node Type': 'Result' }] }] };
      badInput(() => analyzePlan(missing), /the plan node at Plan → Plans\[1\] → Plans\[0\] has no "Node Type"/);
    });
  });

  describe('psql wrappings', () => {
    it('reads psql aligned JSON output with the header, "+" continuations and row count', () => {
      const r = analyzePlan(fixture('psql-aligned-json.txt'));
      assert.equal(r.sourceFormat, 'json');
      assert.equal(r.root.nodeType, 'Seq Scan');
      assert.equal(r.root.rowsRemovedByFilter, 99950);
      assert.ok(r.summary.executionTimeMs !== undefined && r.summary.executionTimeMs > 0);
    });

    it('reads psql aligned text and border=2 text to the same tree', () => {
      for (const name of ['psql-aligned-text.txt', 'psql-border2-text.txt']) {
        const text = fixture(name);
        const [nodeHits, planningHits] = [...text.matchAll(/Buffers: shared hit=(\d+)/g)].map((m) => Number(m[1]));
        const r = analyzePlan(text);
        assert.equal(r.sourceFormat, 'text');
        assert.equal(r.nodes.length, 1);
        assert.equal(r.root.label, 'Seq Scan');
        assert.equal(r.root.filter, '(customer_id = 42)');
        assert.equal(r.root.rowsRemovedByFilter, 99950);
        assert.equal(r.root.buffers?.sharedHit, nodeHits);
        assert.equal(r.summary.planningBuffers?.sharedHit, planningHits);
        assert.equal(r.summary.executionTimeMs, Number(/Execution Time: ([\d.]+)/.exec(text)?.[1]));
      }
    });

    it('reads psql expanded (\\x) output', () => {
      const lines = fixture('seq-scan-filter.txt').trimEnd().split('\n');
      const expanded = ['-[ RECORD 1 ]' + '-'.repeat(40), `QUERY PLAN | ${lines[0]}`, ...lines.slice(1).map((l) => `           | ${l}`)].join('\n');
      const r = analyzePlan(expanded);
      assert.equal(r.root.nodeType, 'Seq Scan');
      assert.equal(r.root.rowsRemovedByFilter, 99950);
    });

    it('reads a plan copied with surrounding indentation or as quoted CSV lines', () => {
      const text = fixture('nested-loop-seq-scan.txt');
      const indented = text.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n');
      const quoted = text.trimEnd().split('\n').map((l) => `"${l.replace(/"/g, '""')}"`).join('\n');
      const plain = analyzePlan(text);
      for (const variant of [indented, quoted]) {
        const r = analyzePlan(variant);
        assert.deepEqual(r.nodes.map((n) => n.label), plain.nodes.map((n) => n.label));
        assert.equal(r.nodes[2].loops, plain.nodes[2].loops);
      }
    });
  });

  describe('text format details', () => {
    it('maps headings to JSON node types, join types, strategies and targets', () => {
      const r = analyzePlan(fixture('parallel-seq-scan.txt'));
      const [finalize, gather, sort, partial, scan] = r.nodes;
      assert.deepEqual([finalize.nodeType, finalize.strategy, finalize.partialMode], ['Aggregate', 'Sorted', 'Finalize']);
      assert.equal(gather.nodeType, 'Gather Merge');
      assert.equal(gather.workersLaunched, 2);
      assert.equal(sort.sortMethod, 'quicksort');
      assert.equal(sort.sortSpaceType, 'Memory');
      assert.deepEqual([partial.label, partial.strategy, partial.partialMode], ['Partial HashAggregate', 'Hashed', 'Partial']);
      assert.deepEqual([scan.nodeType, scan.parallelAware, scan.schema, scan.relation], ['Seq Scan', true, 'plan_fixtures', 'orders']);
      const workers = sort.raw.Workers as Record<string, unknown>[];
      assert.equal(workers.length, 2);
      assert.equal(workers[1]['Worker Number'], 1);
      assert.equal(workers[0]['Sort Method'], 'quicksort');
    });

    it('unquotes identifiers in headings (dots, spaces and doubled quotes inside quotes)', () => {
      const r = analyzePlan('Index Only Scan Backward using "Idx ""1""" on "my.schema"."Weird ""T""" "A b"  (cost=0.00..1.00 rows=1 width=4)');
      assert.deepEqual([r.root.indexName, r.root.schema, r.root.relation, r.root.alias, r.root.scanDirection], ['Idx "1"', 'my.schema', 'Weird "T"', 'A b', 'Backward']);
      assert.equal(r.root.label, 'Index Only Scan Backward');
      const fn = analyzePlan('Function Scan on pg_catalog.generate_series g  (cost=0.00..10.00 rows=1000 width=4)').root;
      assert.deepEqual([fn.functionName, fn.schema, fn.alias], ['generate_series', 'pg_catalog', 'g']);
    });

    it('reads InitPlan, SubPlan and CTE sub-plans with their names and parents', () => {
      const r = analyzePlan(fixture('cte-subplans.txt'));
      const byName = (name: string) => r.nodes.find((n) => n.subplanName === name);
      const cte = byName('CTE big');
      const init = r.nodes.find((n) => n.subplanName?.startsWith('InitPlan 3'));
      const sub = byName('SubPlan 2');
      assert.ok(cte && init && sub);
      assert.deepEqual([cte.parentId, cte.parentRelationship], [1, 'InitPlan']);
      assert.deepEqual([init.parentId, init.parentRelationship], [1, 'InitPlan']);
      assert.deepEqual([sub.parentId, sub.parentRelationship], [1, 'SubPlan']);
      const scans = r.nodes.filter((n) => n.nodeType === 'CTE Scan');
      assert.deepEqual(scans.map((s) => [s.cteName, s.alias]), [['big', 'big'], ['big', 'b']]);
    });

    it('reads never-executed nodes as analyzed with zero loops', () => {
      const r = analyzePlan(fixture('never-executed.txt'));
      const never = r.nodes.find((n) => n.neverExecuted);
      assert.ok(never);
      assert.equal(never.nodeType, 'Seq Scan');
      assert.equal(never.loops, 0);
      assert.equal(never.inclusiveTimeMs, 0);
      assert.equal(r.root.joinType, 'Semi');
    });

    it('reads the footer: settings, planning buffers, triggers, JIT', () => {
      const trig = analyzePlan(fixture('update-trigger.txt'));
      assert.equal(trig.root.nodeType, 'ModifyTable');
      assert.equal(trig.root.operation, 'Update');
      assert.equal(trig.summary.triggers.length, 1);
      assert.match(trig.summary.triggers[0].name, /^RI_ConstraintTrigger/);
      assert.equal(trig.summary.triggers[0].constraintName, 'orders_customer_id_fkey');
      assert.equal(trig.summary.triggers[0].calls, 50);
      assert.equal(trig.summary.settings?.search_path, 'plan_fixtures');
      const jit = analyzePlan(fixture('jit-overhead.txt'));
      assert.equal(jit.summary.jit?.functions, 5);
      assert.equal(jit.summary.jit?.options?.Inlining, true);
      assert.ok((jit.summary.jit?.totalMs ?? 0) > 0);
    });

    it('reads a plan without ANALYZE (estimates only)', () => {
      const r = analyzePlan(fixture('estimate-only.txt'));
      assert.equal(r.summary.analyzed, false);
      assert.equal(r.nodes.length, 6);
      assert.ok(r.nodes.every((n) => !n.analyzed && n.inclusiveTimeMs === 0));
      assert.equal(r.summary.totalTimeMs, 0);
    });

    it('reads COSTS OFF and TIMING OFF plans, falling back to costs for shares', () => {
      const costsOff = analyzePlan('Nested Loop\n  ->  Index Scan using tt_id_idx on tt a\n        Index Cond: (id < 100)\n        Filter: (k = 3)\n  ->  Index Scan using tt_id_idx on tt b\n        Index Cond: (id = a.id)\n');
      assert.deepEqual(costsOff.nodes.map((n) => [n.label, n.indexName, n.alias]), [['Nested Loop', undefined, undefined], ['Index Scan', 'tt_id_idx', 'a'], ['Index Scan', 'tt_id_idx', 'b']]);
      assert.equal(costsOff.nodes[1].parentRelationship, 'Outer');
      assert.equal(costsOff.nodes[2].parentRelationship, 'Inner');
      const timingOff = analyzePlan([
        'Hash Join  (cost=374.71..767.28 rows=2857 width=16) (actual rows=2857 loops=1)',
        '  ->  Seq Scan on tt b  (cost=0.00..289.00 rows=20000 width=8) (actual rows=20000 loops=1)',
        '  ->  Hash  (cost=339.00..339.00 rows=2857 width=8) (actual rows=2857 loops=1)',
        '        ->  Seq Scan on tt a  (cost=0.00..339.00 rows=2857 width=8) (actual rows=2857 loops=1)',
        'Execution Time: 3.917 ms',
      ].join('\n'));
      assert.equal(timingOff.summary.analyzed, true);
      assert.equal(timingOff.summary.timed, false);
      assert.equal(timingOff.nodes[1].totalRows, 20000);
      assert.equal(timingOff.summary.slowestNodeId, 4, 'by exclusive cost');
      assert.ok(Math.abs(timingOff.nodes.reduce((s, n) => s + n.sharePct, 0) - 100) < 1e-9);
    });

    it('reads PostgreSQL 12-era text (I/O Timings, old hash and JIT lines, Total runtime)', () => {
      const text = [
        'Hash Join  (cost=10.00..20.00 rows=10 width=8) (actual time=1.000..5.000 rows=10 loops=1)',
        '  Hash Cond: (a.id = b.a_id)',
        '  Buffers: shared hit=3 read=7 dirtied=1 written=2, temp read=4 written=5',
        '  I/O Timings: read=1.250 write=0.500',
        '  ->  Seq Scan on a  (cost=0.00..5.00 rows=10 width=4) (actual time=0.010..1.000 rows=10 loops=1)',
        '  ->  Hash  (cost=5.00..5.00 rows=10 width=4) (actual time=2.000..2.000 rows=10 loops=1)',
        '        Buckets: 1024 (originally 512)  Batches: 4 (originally 1)  Memory Usage: 9kB',
        '        ->  Seq Scan on b  (cost=0.00..5.00 rows=10 width=4) (actual time=0.010..1.500 rows=10 loops=1)',
        'Planning Time: 0.100 ms',
        'JIT:',
        '  Functions: 4',
        '  Options: Inlining false, Optimization false, Expressions true, Deforming true',
        '  Timing: Generation 0.500 ms, Inlining 0.000 ms, Optimization 0.300 ms, Emission 2.000 ms, Total 2.800 ms',
        'Total runtime: 60.000 ms',
      ].join('\n');
      const r = analyzePlan(text);
      assert.deepEqual(r.root.buffers, { sharedHit: 3, sharedRead: 7, sharedDirtied: 1, sharedWritten: 2, localHit: 0, localRead: 0, localDirtied: 0, localWritten: 0, tempRead: 4, tempWritten: 5 });
      assert.deepEqual(r.root.ioTimes, { sharedReadMs: 1.25, sharedWriteMs: 0.5 });
      const hash = r.nodes[2];
      assert.deepEqual([hash.hashBuckets, hash.originalHashBuckets, hash.hashBatches, hash.originalHashBatches, hash.peakMemoryUsageKb], [1024, 512, 4, 1, 9]);
      assert.equal(r.summary.executionTimeMs, 60);
      assert.equal(r.summary.jit?.totalMs, 2.8);
      assert.deepEqual(r.findings.map((f) => f.ruleId), ['hash-batches']);
    });

    it('reads PostgreSQL 17 JIT timings with Deform both as JSON objects and as text', () => {
      const plan = [{ Plan: { 'Node Type': 'Result', 'Total Cost': 1, 'Plan Rows': 1, 'Actual Total Time': 1, 'Actual Rows': 1, 'Actual Loops': 1 }, JIT: { Functions: 2, Timing: { Generation: { Deform: 0.1, Total: 0.4 }, Inlining: 0, Optimization: 1, Emission: 2, Total: 3.4 } }, 'Execution Time': 4 }];
      const r = analyzePlan(plan);
      assert.equal(r.summary.jit?.generationMs, 0.4);
      assert.equal(r.summary.jit?.totalMs, 3.4);
      const text = 'Result  (cost=0.00..0.01 rows=1 width=4) (actual time=1.000..1.000 rows=1 loops=1)\nJIT:\n  Functions: 2\n  Timing: Generation 0.400 ms (Deform 0.100 ms), Inlining 0.000 ms, Optimization 1.000 ms, Emission 2.000 ms, Total 3.400 ms\nExecution Time: 4.000 ms';
      assert.equal(analyzePlan(text).summary.jit?.generationMs, 0.4);
    });
  });

  describe('PostgreSQL 18 (PGlite) plans', () => {
    it('reads Index Searches from JSON and text', () => {
      for (const name of ['pg18-index-searches.json', 'pg18-index-searches.txt']) {
        const r = analyzePlan(fixture(name));
        assert.equal(r.root.nodeType, 'Index Scan');
        assert.equal(r.root.indexName, 't_pkey');
        assert.equal(r.root.indexSearches, 3, name);
        assert.equal(r.root.disabled, undefined);
      }
    });

    it('reads Disabled nodes and fractional row counts', () => {
      for (const name of ['pg18-disabled.json', 'pg18-disabled.txt']) {
        const r = analyzePlan(fixture(name));
        assert.equal(r.root.disabled, true, name);
        assert.equal(r.root.nodeType, 'Seq Scan');
        assert.equal(r.root.actualRows, 4);
        assert.ok(r.root.buffers, 'PG 18 reports buffers by default');
      }
    });
  });

  describe('malformed input', () => {
    it('rejects empty input and psql output without rows', () => {
      badInput(() => parsePlan(''), /empty/);
      badInput(() => parsePlan('   \n\n'), /empty/);
      badInput(() => parsePlan(' QUERY PLAN \n------------\n(0 rows)\n'), /no plan rows/);
      badInput(() => parsePlan(null), /no plan/);
    });

    it('names the line of a JSON syntax error, also inside psql wrapping', () => {
      const json = fixture('seq-scan-filter.json');
      const broken = json.replace('"Plan Rows": 50,', '"Plan Rows": 50,,');
      const line = broken.split('\n').findIndex((l) => l.includes(',,')) + 1;
      badInput(() => parsePlan(broken), new RegExp(`at line ${line}\\b`));
      badInput(() => parsePlan(json.slice(0, 300)), /does not parse/);
      const psql = fixture('psql-aligned-json.txt');
      const psqlBroken = psql.replace('"Plan Rows": 50,', '"Plan Rows": 50 x');
      const psqlLine = psqlBroken.split('\n').findIndex((l) => l.includes('50 x')) + 1;
      badInput(() => parsePlan(psqlBroken), new RegExp(`at line ${psqlLine}\\b`));
    });

    it('rejects JSON that is not EXPLAIN output, naming what is missing', () => {
      badInput(() => parsePlan('[]'), /empty array/);
      badInput(() => parsePlan('{"rows": 1}'), /no "Plan"/);
      badInput(() => parsePlan('[{"Plan": 3}]'), /"Plan" is not an object/);
      badInput(() => parsePlan(42), /not an object/);
    });

    it('names the node whose properties are broken', () => {
      badInput(() => analyzePlan([{ Plan: { 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Sort' }, { Startup: 1 }] } }]), /Plan → Plans\[1\] has no "Node Type"/);
      badInput(() => analyzePlan([{ Plan: { 'Node Type': 'Limit', 'Actual Rows': 'many' } }]), /node 1 \(Limit\).*"Actual Rows" is "many"/);
      badInput(() => analyzePlan([{ Plan: { 'Node Type': 'Limit', Plans: {} } }]), /"Plans" is not an array/);
    });

    it('rejects text that is not a plan, and broken figures, naming the line', () => {
      badInput(() => parsePlan('hello world\nthis is not a plan'), /line 1: "hello world" is not an EXPLAIN node/);
      badInput(() => parsePlan('Seq Scan on t  (cost=0.00..abc rows=1 width=4)'), /line 1: cannot read the cost figures/);
      badInput(() => parsePlan('Limit  (cost=0.00..1.00 rows=1 width=4)\n  ->  Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=x..1 rows=1 loops=1)'), /line 2: cannot read the actual figures/);
      badInput(() => parsePlan('\n\nLimit  (cost=0.00..1.00 rows=1 width=4)\n  Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)'), /line 4: .*no "->"/);
    });

    it('reads XML and YAML EXPLAIN formats, and names the line where a broken one stops', () => {
      assert.equal(analyzePlan('- Plan: \n    Node Type: "Seq Scan"\n    Relation Name: "t"\n    Total Cost: 1.5').root.relation, 't');
      assert.equal(analyzePlan('<explain xmlns="http://www.postgresql.org/2009/explain">\n<Query><Plan><Node-Type>Result</Node-Type><Total-Cost>0.01</Total-Cost></Plan></Query></explain>').root.totalCost, 0.01);
      badInput(() => parsePlan('<explain xmlns="http://www.postgresql.org/2009/explain">\n  <Query>\n    <Plan>\n      <Node-Type>Seq Scan</Node-Type>'), /XML plan line \d+: <Plan> is never closed/);
      badInput(() => parsePlan('<explain xmlns="http://www.postgresql.org/2009/explain">\n  <Query>\n  </Plan>'), /XML plan line 3: <\/Plan> closes <Query>/);
      badInput(() => parsePlan('- Plan: \n    Node Type: "Seq Scan"\n      Relation Name: "t"'), /YAML plan line 3: .* is not where its indentation puts it/);
    });
  });
});

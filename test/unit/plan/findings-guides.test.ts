/**
 * The plan findings of issue 21 ("the guides teach"): misestimate against 0 rows and on correlated
 * columns, io-bound, hash-join-seq-scan, and no finding without the numbers it needs (COSTS OFF,
 * TIMING OFF, no ANALYZE). Plans from test/fixtures/plans/guides (real PostgreSQL 15 output).
 */
import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../../src/core/plan/analyze';
import type { PlanFinding, PlanReport, PlanRuleId } from '../../../src/core/plan/types';
import { fixture, fixtureJson } from './helpers';

type Raw = Record<string, unknown>;

function guide(name: string): string {
  return fixture(`guides/${name}`);
}

/** The plan of a guides JSON fixture, to edit for a variant. */
function guideJson(name: string): Raw[] {
  return structuredClone(fixtureJson(`guides/${name}.json`)) as Raw[];
}

function walk(node: Raw, visit: (n: Raw) => void): void {
  visit(node);
  for (const c of (node.Plans as Raw[] | undefined) ?? []) walk(c, visit);
}

function only(r: PlanReport, rule: PlanRuleId): PlanFinding {
  const found = r.findings.filter((f) => f.ruleId === rule);
  assert.equal(found.length, 1, `${rule}: ${JSON.stringify(r.findings.map((f) => f.ruleId))}`);
  return found[0];
}

const ids = (r: PlanReport) => r.findings.map((f) => f.ruleId).sort();

/** Fixture → the findings it must produce, and no others. */
const EXPECTED: Record<string, PlanRuleId[]> = {
  'misestimate-correlated': ['misestimate'],
  'misestimate-zip-city': ['misestimate', 'seq-scan-filter'],
  'io-bound': ['io-bound', 'seq-scan-filter'],
  'hash-join-seq-scan-hashed': ['hash-join-seq-scan'],
  'hash-join-seq-scan-probed': ['hash-join-seq-scan'],
  // 500,000 rows against 1,111: a hash join is right there.
  'hash-join-balanced': [],
  // No estimates: nothing to be off against.
  'costs-off-misestimate': [],
  // No per-node times: no time share, so no io-bound (the filter's numbers are still there).
  'timing-off-io': ['seq-scan-filter'],
};

describe('plan findings the guides teach', () => {
  describe('each fixture gets exactly its findings (JSON and text)', () => {
    for (const [name, rules] of Object.entries(EXPECTED)) {
      for (const ext of ['json', 'txt']) {
        it(`${name}.${ext} → ${rules.join(', ') || 'nothing'}`, () => {
          const r = analyzePlan(guide(`${name}.${ext}`));
          assert.deepEqual(ids(r), [...rules].sort());
        });
      }
    }
  });

  describe('misestimate', () => {
    it('fires on 0 rows returned against a large estimate, naming the correlated columns and the statistics', () => {
      for (const ext of ['json', 'txt']) {
        const r = analyzePlan(guide(`misestimate-correlated.${ext}`));
        const f = only(r, 'misestimate');
        const node = r.nodes[f.nodeId - 1];
        assert.equal(node.nodeType, 'Bitmap Heap Scan');
        assert.equal(f.evidence.actualRows, 0);
        assert.equal(f.evidence.planRows, node.planRows);
        assert.ok(node.planRows > 10_000);
        assert.equal(f.evidence.direction, 'over');
        assert.equal(f.evidence.factor, node.planRows);
        assert.equal(f.evidence.cause, 'correlated columns');
        // Recheck Cond (the index's column) first, then the Filter's.
        assert.equal(f.evidence.columns, 'status, shipped_at');
        assert.match(f.message, /returned 0 \([\d,]+× fewer\).*2 columns of orders together \(status, shipped_at\).*correlated/);
        assert.equal(f.fix, 'CREATE STATISTICS orders_status_shipped_at_stats (dependencies, mcv) ON status, shipped_at FROM orders; ANALYZE orders;');
      }
    });

    it('names equality columns of one Filter too (more rows than estimated); = and IN only: functional dependencies', () => {
      // With an MCV list too, the list answers first and an evenly spread pair gets the independent estimate again (measured on PG 15 and 18).
      const f = only(analyzePlan(guide('misestimate-zip-city.json')), 'misestimate');
      assert.equal(f.evidence.direction, 'under');
      assert.equal(f.fix, 'CREATE STATISTICS addresses_zip_city_stats (dependencies) ON zip, city FROM addresses; ANALYZE addresses;');
    });

    const scan = (planRows: number, actualRows: number, extra: Raw = {}) => ({
      Plan: { 'Node Type': 'Seq Scan', 'Relation Name': 't', Alias: 't', 'Plan Rows': planRows, 'Actual Rows': actualRows, 'Actual Loops': 1, 'Actual Total Time': 1, ...extra },
    });

    it('counts the larger of actual and estimated rows against misestimateMinRows', () => {
      assert.deepEqual(ids(analyzePlan(scan(14_061, 0))), ['misestimate']);
      assert.deepEqual(ids(analyzePlan(scan(50, 0))), [], '50 estimated, 0 returned: too small to matter');
      assert.deepEqual(ids(analyzePlan(scan(14_061, 0), { thresholds: { misestimateMinRows: 20_000 } })), []);
      // Per loop × loops: 40 estimated per loop over 10 loops is 400 rows.
      assert.deepEqual(ids(analyzePlan(scan(40, 0, { 'Actual Loops': 10 }))), ['misestimate']);
    });

    it('falls back to ANALYZE for one column, a qualified name for a schema, and skips OR conditions and column-to-column tests', () => {
      const one = only(analyzePlan(scan(14_061, 0, { Filter: "(status = 'x'::text)", Schema: 'shop' })), 'misestimate');
      assert.equal(one.fix, 'ANALYZE shop.t;');
      assert.equal(one.evidence.cause, undefined);
      const qualified = only(analyzePlan(scan(14_061, 0, { Filter: "((status = 'x'::text) AND (kind = 3))", Schema: 'shop' })), 'misestimate');
      assert.equal(qualified.fix, 'CREATE STATISTICS shop.t_status_kind_stats (dependencies) ON status, kind FROM shop.t; ANALYZE shop.t;');
      const range = only(analyzePlan(scan(14_061, 0, { Filter: "((status = 'x'::text) AND (created_at > now()))" })), 'misestimate');
      assert.equal(range.fix, 'CREATE STATISTICS t_status_created_at_stats (dependencies, mcv) ON status, created_at FROM t; ANALYZE t;');
      const or = only(analyzePlan(scan(14_061, 0, { Filter: "((status = 'x'::text) OR (kind = 3))" })), 'misestimate');
      assert.equal(or.fix, 'ANALYZE t;');
      const cols = only(analyzePlan(scan(14_061, 0, { Filter: '((a = b) AND (c > 3))' })), 'misestimate');
      assert.equal(cols.fix, 'ANALYZE t;');
    });

    it('says nothing without estimates (COSTS OFF): no estimate factor, no finding', () => {
      for (const ext of ['json', 'txt']) {
        const r = analyzePlan(guide(`costs-off-misestimate.${ext}`));
        assert.ok(r.nodes.every((n) => n.estimateFactor === undefined && n.estimateDirection === undefined), ext);
        assert.deepEqual(r.findings, []);
      }
      const noCost = { Plan: { 'Node Type': 'Seq Scan', 'Relation Name': 't', 'Actual Rows': 645, 'Actual Loops': 1, 'Actual Total Time': 1 } };
      assert.deepEqual(analyzePlan(noCost).findings, []);
    });

    it('says nothing without ANALYZE', () => {
      const plan = guideJson('misestimate-correlated');
      walk((plan[0] as Raw).Plan as Raw, (n) => {
        for (const k of Object.keys(n)) if (k.startsWith('Actual') || k.startsWith('Rows Removed') || k.includes('Blocks') || k.includes('Heap Blocks')) delete n[k];
      });
      delete (plan[0] as Raw)['Execution Time'];
      const r = analyzePlan(plan);
      assert.equal(r.summary.analyzed, false);
      assert.deepEqual(r.findings, []);
    });
  });

  describe('io-bound', () => {
    it('names the pages read from outside shared_buffers, the time share, the I/O wait, and what to do', () => {
      for (const ext of ['json', 'txt']) {
        const r = analyzePlan(guide(`io-bound.${ext}`));
        const f = only(r, 'io-bound');
        const node = r.nodes[f.nodeId - 1];
        assert.equal(node.nodeType, 'Seq Scan');
        assert.equal(f.severity, 'info');
        assert.equal(f.evidence.sharedRead, node.buffers?.sharedRead);
        assert.equal(f.evidence.sharedHit, node.buffers?.sharedHit);
        assert.ok((f.evidence.readPct as number) >= 50);
        assert.ok((f.evidence.sharePct as number) >= 20);
        assert.equal(typeof f.evidence.ioReadMs, 'number');
        assert.match(f.message, /from outside shared_buffers, waiting [\d.]+ ms for them: it is I\/O bound, or the cache was cold/);
        assert.match(f.fix, /^Run it again: if it is fast now, the first run met a cold cache/);
        assert.match(f.fix, /pg_prewarm\('readings'\)/);
        assert.match(f.fix, /CREATE INDEX CONCURRENTLY ON readings \(sensor\)/);
        assert.match(f.fix, /shared_buffers/);
      }
    });

    it('stays silent on a warm cache, without BUFFERS, and with TIMING OFF', () => {
      const warm = guideJson('io-bound');
      walk((warm[0] as Raw).Plan as Raw, (n) => {
        const read = n['Shared Read Blocks'] as number;
        n['Shared Read Blocks'] = n['Shared Hit Blocks'];
        n['Shared Hit Blocks'] = read;
      });
      assert.ok(!ids(analyzePlan(warm)).includes('io-bound'));
      const noBuffers = guideJson('io-bound');
      walk((noBuffers[0] as Raw).Plan as Raw, (n) => {
        for (const k of Object.keys(n)) if (k.endsWith('Blocks')) delete n[k];
      });
      assert.ok(!ids(analyzePlan(noBuffers)).includes('io-bound'));
      const r = analyzePlan(guide('timing-off-io.json'));
      assert.equal(r.summary.timed, false);
      assert.ok(r.nodes.some((n) => (n.buffers?.sharedRead ?? 0) > 1000), 'the pages were read, only the times are missing');
      assert.ok(!ids(r).includes('io-bound'));
    });

    it('honours its thresholds', () => {
      const input = guide('io-bound.json');
      for (const thresholds of [{ ioBoundMinSharePct: 100.1 }, { ioBoundMinReadPct: 90 }, { ioBoundMinReadBlocks: 100_000 }]) {
        assert.ok(!ids(analyzePlan(input, { thresholds })).includes('io-bound'), JSON.stringify(thresholds));
      }
      assert.ok(!ids(analyzePlan(input, { severities: { 'io-bound': 'off' } })).includes('io-bound'));
    });
  });

  describe('hash-join-seq-scan', () => {
    it('the hashed side read in full (through the HashAggregate of a semi join): the index on its join key', () => {
      for (const ext of ['json', 'txt']) {
        const r = analyzePlan(guide(`hash-join-seq-scan-hashed.${ext}`));
        const f = only(r, 'hash-join-seq-scan');
        assert.equal(r.nodes[f.nodeId - 1].nodeType, 'Hash Join');
        assert.deepEqual([f.evidence.relation, f.evidence.side, f.evidence.bigSideRows, f.evidence.otherSideRows], ['samples', 'hashed', 500_000, 1]);
        assert.match(f.message, /reads all of samples x \(500,000 rows\) and hashes 5,000 rows \(\d+ kB\) from it to match 1 row of the other side/);
        assert.match(f.fix, /^CREATE INDEX CONCURRENTLY ON samples \(sensor_id\);/);
      }
    });

    it('the probing side read in full', () => {
      const f = only(analyzePlan(guide('hash-join-seq-scan-probed.txt')), 'hash-join-seq-scan');
      assert.deepEqual([f.evidence.relation, f.evidence.side], ['samples', 'probed']);
      assert.match(f.message, /probes the hash with each to match 1 row/);
    });

    it('only where a Nested Loop could look the large side up (join type decides the side)', () => {
      const withJoin = (name: string, joinType: string) => {
        const plan = guideJson(name);
        ((plan[0] as Raw).Plan as Raw)['Join Type'] = joinType;
        return ids(analyzePlan(plan)).includes('hash-join-seq-scan');
      };
      // Hashed (inner) large side: fine for inner, left, semi and anti joins; not right or full.
      assert.deepEqual(['Inner', 'Left', 'Semi', 'Anti', 'Right', 'Full'].map((j) => withJoin('hash-join-seq-scan-hashed', j)), [true, true, true, true, false, false]);
      // Probing (outer) large side: a left join must return all of it anyway.
      assert.deepEqual(['Inner', 'Left', 'Semi', 'Anti', 'Right', 'Full'].map((j) => withJoin('hash-join-seq-scan-probed', j)), [true, false, false, false, true, false]);
    });

    it('honours its thresholds', () => {
      const input = guide('hash-join-seq-scan-probed.json');
      assert.ok(!ids(analyzePlan(input, { thresholds: { hashJoinSeqScanMinRows: 1_000_000 } })).includes('hash-join-seq-scan'));
      assert.ok(!ids(analyzePlan(input, { thresholds: { hashJoinSeqScanMinRatio: 1_000_000 } })).includes('hash-join-seq-scan'));
      assert.ok(ids(analyzePlan(guide('hash-join-balanced.json'), { thresholds: { hashJoinSeqScanMinRatio: 100 } })).includes('hash-join-seq-scan'), 'a lower ratio makes it fire on 500,000 vs 1,111');
    });
  });
});

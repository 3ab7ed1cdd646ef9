import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../../src/core/plan/analyze';
import type { PlanNode, PlanReport } from '../../../src/core/plan/types';
import { fixture } from './helpers';

/**
 * Each pair is one query explained as TEXT and as JSON; generate.mjs copies the text run's
 * timings and buffers into the JSON, so both files describe one execution.
 */
const PAIRS = [
  'clean-index-scan',
  'seq-scan-filter',
  'seq-scan-filter-indexed',
  'index-filter',
  'misestimate',
  'sort-spill',
  'hash-batches',
  'lossy-bitmap',
  'heap-fetches',
  'nested-loop-seq-scan',
  'jit-overhead',
  'workers-not-launched',
  'parallel-seq-scan',
  'cte-subplans',
  'never-executed',
  'update-trigger',
  'estimate-only',
];

function comparable(node: PlanNode): Record<string, unknown> {
  const { raw: _raw, children, ...rest } = node;
  return { ...rest, children: children.map((c) => c.id) };
}

function comparableReport(r: PlanReport): Record<string, unknown> {
  const { nodes, root: _root, sourceFormat: _format, ...rest } = r;
  return { ...rest, nodes: nodes.map(comparable) };
}

describe('text and JSON EXPLAIN give the same tree and metrics', () => {
  for (const name of PAIRS) {
    it(name, () => {
      const text = analyzePlan(fixture(`${name}.txt`));
      const json = analyzePlan(fixture(`${name}.json`));
      assert.equal(text.sourceFormat, 'text');
      assert.equal(json.sourceFormat, 'json');
      assert.equal(text.nodes.length, json.nodes.length);
      text.nodes.forEach((n, i) => assert.deepEqual(comparable(n), comparable(json.nodes[i]), `node ${n.id} ${n.label}`));
      assert.deepEqual(comparableReport(text), comparableReport(json));
    });
  }
});

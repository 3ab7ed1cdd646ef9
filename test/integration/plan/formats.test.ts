import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { parsePlan } from '../../../src/core/plan/parse';
import type { PlanInputFormat, PlanNode } from '../../../src/core/plan/types';
import { requireServer, serverConfig, serverUrl, uniqueName } from '../db/test-env';

/**
 * One query's plan, captured live from the server in every format a user may bring (FORMAT
 * TEXT/JSON/YAML/XML through psql in each table style, and auto_explain in each log_format
 * as psql shows its notice), must read to the same tree as the FORMAT JSON the driver returns.
 * Timings and buffer counts differ from run to run; the tree, costs, estimates and row counts do not.
 */

/** What a plan's reading must agree on, node by node, however it was written. */
function stable(n: PlanNode): Record<string, unknown> {
  return {
    id: n.id,
    parentId: n.parentId,
    label: n.label,
    nodeType: n.nodeType,
    relation: n.relation,
    alias: n.alias,
    parentRelationship: n.parentRelationship,
    joinType: n.joinType,
    strategy: n.strategy,
    startupCost: n.startupCost,
    totalCost: n.totalCost,
    planRows: n.planRows,
    planWidth: n.planWidth,
    analyzed: n.analyzed,
    actualRows: n.actualRows,
    loops: n.loops,
    filter: n.filter,
    hashCond: n.hashCond,
    sortKey: n.sortKey,
    groupKey: n.groupKey,
    rowsRemovedByFilter: n.rowsRemovedByFilter,
    sortMethod: n.sortMethod,
    hashBuckets: n.hashBuckets,
    hashBatches: n.hashBatches,
    withBuffers: n.buffers !== undefined,
    timed: n.actualTotalTimeMs !== undefined,
  };
}

interface Capture {
  name: string;
  format: PlanInputFormat;
  psqlArgs: string[];
  /** EXPLAIN options, or an auto_explain log_format. */
  explain?: string;
  autoExplain?: string;
}

const CAPTURES: Capture[] = [
  ...['ascii', 'unicode', 'old-ascii'].flatMap((style) =>
    [0, 1, 2].map((border): Capture => ({ name: `TEXT, aligned, border ${border}, ${style}`, format: 'text', psqlArgs: ['-P', `border=${border}`, '-P', `linestyle=${style}`], explain: 'ANALYZE, BUFFERS' })),
  ),
  { name: 'TEXT, unaligned', format: 'text', psqlArgs: ['-A'], explain: 'ANALYZE, BUFFERS' },
  { name: 'TEXT, tuples only', format: 'text', psqlArgs: ['-A', '-t'], explain: 'ANALYZE, BUFFERS' },
  { name: 'TEXT, expanded', format: 'text', psqlArgs: ['-x'], explain: 'ANALYZE, BUFFERS' },
  { name: 'TEXT, expanded, border 2, unicode', format: 'text', psqlArgs: ['-x', '-P', 'border=2', '-P', 'linestyle=unicode'], explain: 'ANALYZE, BUFFERS' },
  { name: 'TEXT, wrapped at 60 columns, unicode', format: 'text', psqlArgs: ['-P', 'format=wrapped', '-P', 'columns=60', '-P', 'linestyle=unicode'], explain: 'ANALYZE, BUFFERS' },
  { name: 'TEXT, wrapped at 60 columns, border 2', format: 'text', psqlArgs: ['-P', 'format=wrapped', '-P', 'columns=60', '-P', 'border=2'], explain: 'ANALYZE, BUFFERS' },
  ...(['JSON', 'YAML', 'XML'] as const).flatMap((format): Capture[] => [
    { name: `${format}, tuples only`, format: format.toLowerCase() as PlanInputFormat, psqlArgs: ['-A', '-t'], explain: `ANALYZE, BUFFERS, FORMAT ${format}` },
    { name: `${format}, aligned, border 1, ascii`, format: format.toLowerCase() as PlanInputFormat, psqlArgs: [], explain: `ANALYZE, BUFFERS, FORMAT ${format}` },
    { name: `${format}, aligned, border 2, unicode`, format: format.toLowerCase() as PlanInputFormat, psqlArgs: ['-P', 'border=2', '-P', 'linestyle=unicode'], explain: `ANALYZE, BUFFERS, FORMAT ${format}` },
    { name: `${format}, aligned, border 0, old-ascii`, format: format.toLowerCase() as PlanInputFormat, psqlArgs: ['-P', 'border=0', '-P', 'linestyle=old-ascii'], explain: `ANALYZE, BUFFERS, FORMAT ${format}` },
    { name: `${format}, expanded`, format: format.toLowerCase() as PlanInputFormat, psqlArgs: ['-x'], explain: `ANALYZE, BUFFERS, FORMAT ${format}` },
  ]),
  ...['text', 'json', 'yaml', 'xml'].map((logFormat): Capture => ({ name: `auto_explain, log_format ${logFormat}`, format: logFormat as PlanInputFormat, psqlArgs: [], autoExplain: logFormat })),
];

function psqlAvailable(): string | undefined {
  const r = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.error?.message ?? r.stderr);
}

describe('plan formats, captured live: every format of one plan reads to the same tree', function () {
  this.timeout(120_000);
  const schema = uniqueName('pglens_plan_formats');
  const query = `SELECT c.region, count(*)
  FROM ${schema}.orders o
  JOIN ${schema}.customers c ON c.id = o.customer_id
 WHERE o.status = 'paid' AND c.name > 'customer 1'
 GROUP BY c.region
 ORDER BY 2 DESC`;
  const settings = 'SET jit = off; SET max_parallel_workers_per_gather = 0;';
  let client: Client | undefined;
  let reference: Record<string, unknown>[] = [];

  /** psql's output (stdout and stderr, as a terminal shows them) for `sql`. */
  const psql = (args: string[], sql: string): string => {
    const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-P', 'pager=off', ...args, '-d', serverUrl()], { input: sql, encoding: 'utf8' });
    assert.equal(r.status, 0, `psql failed: ${r.stderr}`);
    return r.stdout + r.stderr;
  };

  before(async function () {
    await requireServer(this, 'plan format integration tests');
    const missing = psqlAvailable();
    if (missing) {
      if (process.env.CI === 'true') throw new Error(`plan format integration tests: psql is not installed (${missing}) — CI=true requires it`);
      console.log(`\n  *** SKIPPED plan format integration tests: psql is not installed (${missing}) ***\n`);
      this.skip();
    }
    client = new Client(serverConfig());
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.customers (id int PRIMARY KEY, name text NOT NULL, region text NOT NULL);
      INSERT INTO ${schema}.customers SELECT i, 'customer ' || i, (ARRAY['north','south','east','west'])[1 + i % 4] FROM generate_series(1, 2000) i;
      CREATE TABLE ${schema}.orders (id int PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, amount numeric(10,2) NOT NULL);
      INSERT INTO ${schema}.orders SELECT i, 1 + (i * 7919) % 2000, (ARRAY['new','paid','shipped','cancelled'])[1 + i % 4], (i % 1000) / 10.0 FROM generate_series(1, 20000) i;
      ANALYZE ${schema}.customers; ANALYZE ${schema}.orders;`);
    await client.query(settings);
    const res = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query}`);
    const report = analyzePlan(res.rows[0]['QUERY PLAN']);
    assert.equal(report.nodes.length, 6);
    reference = report.nodes.map(stable);
  });

  after(async () => {
    if (!client) return;
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  for (const c of CAPTURES) {
    it(c.name, () => {
      const sql = c.autoExplain
        ? `${settings} LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on;
           SET auto_explain.log_format = ${c.autoExplain}; SET auto_explain.log_level = notice;\n${query};\n`
        : `${settings}\nEXPLAIN (${c.explain}) ${query};\n`;
      const output = psql(c.psqlArgs, sql);
      const parsed = parsePlan(output);
      const report = analyzePlan(parsed);
      assert.equal(parsed.inputFormat, c.format, output.slice(0, 400));
      assert.deepEqual(report.nodes.map(stable), reference);
      if (c.autoExplain) {
        assert.equal(report.query, `${query};`);
        // What psql printed after the notice (the query's result) is left out, and said so.
        assert.ok((parsed.ignoredLines ?? []).length > 0);
      } else {
        assert.equal(report.summary.executionTimeMs !== undefined, true);
        assert.deepEqual(parsed.ignoredLines ?? [], []);
      }
      assert.deepEqual((parsed.notes ?? []).filter((n) => n.kind === 'joined'), []);
    });
  }
});

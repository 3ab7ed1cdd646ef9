import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { command } from '../../../src/cli/commands/plan';
import { FIXTURES, ROOT, fixture } from './helpers';

const DIFF = path.join(FIXTURES, 'diff');

async function run(argv: string[], cwd = DIFF): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await command.run(parseArgs(argv, command.flags), { cwd, env: {}, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('pglens plan BEFORE AFTER', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pglens-plan-diff-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints what changed, in text by default, and exits 0 even with findings in both plans', async () => {
    const r = await run(['orders-seq-scan.json', 'orders-index-scan.txt']);
    assert.deepEqual([r.code, r.err], [0, '']);
    assert.match(r.out, /^Plan diff: orders-seq-scan\.json → orders-index-scan\.txt\nTotal time .* faster\n/);
    assert.match(r.out, /^ {2}~ #1 Seq Scan on orders → Index Scan using orders_customer_id_idx on orders {2}\[type, index, time, cost, buffers\]$/m);
    assert.match(r.out, /^Findings resolved \(1\):\n {2}warning seq-scan-filter at #1 Seq Scan on orders/m);
    assert.equal((await run(['join-hash.json', 'join-hash.txt'])).code, 0, 'a finding kept in both plans is not a failure');
  });

  it('the same plan twice: "No change"', async () => {
    const r = await run(['join-hash.json', 'join-hash.json']);
    assert.deepEqual([r.code, r.err], [0, '']);
    assert.equal(r.out, 'Plan diff: join-hash.json → join-hash.json\nNo change: the two plans are the same (5 nodes, same figures, same findings).\n');
    const json = JSON.parse((await run(['join-hash.json', 'join-hash.json', '--format', 'json'])).out);
    assert.equal(json.unchanged, true);
    assert.match((await run(['join-hash.json', 'join-hash.json', '--format', 'markdown'])).out, /No change: the two plans are the same/);
  });

  it('--format json prints the PlanDiff object', async () => {
    const r = await run(['join-hash.json', 'join-nested-loop.txt', '--format', 'json']);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['version', 'before', 'after', 'totals', 'measure', 'sameShape', 'unchanged', 'counts', 'nodes', 'findings', 'input']);
    assert.deepEqual([j.input.before.format, j.input.after.format, j.input.after.notes], ['json', 'text', []]);
    assert.equal(j.version, 1);
    assert.deepEqual(j.before, { label: 'join-hash.json', analyzed: true, timed: true, nodes: 5, findings: 1 });
    assert.deepEqual(Object.keys(j.totals), ['executionTimeMs', 'planningTimeMs', 'totalTimeMs', 'totalCost', 'nodes', 'rows', 'sharedHit', 'sharedRead']);
    const top = (JSON.parse(fixture('diff/join-hash.json')) as Record<string, number>[])[0];
    assert.equal(j.totals.executionTimeMs.before, top['Execution Time']);
    assert.deepEqual(Object.keys(j.totals.executionTimeMs), ['before', 'after', 'delta', 'pct']);
    assert.equal(j.measure.name, 'totalTimeMs');
    assert.equal(j.nodes.length, 5);
    const orders = j.nodes.find((n: { after?: { relation?: string } }) => n.after?.relation === 'orders');
    assert.equal(orders.status, 'matched');
    assert.equal(orders.matchedBy, 'relation');
    assert.deepEqual([orders.before.nodeType, orders.after.nodeType], ['Seq Scan', 'Index Scan']);
    assert.deepEqual(Object.keys(orders.after), [
      'id', 'nodeType', 'label', 'title', 'depth', 'selfTimeMs', 'totalTimeMs', 'totalCost', 'selfCost', 'planRows', 'rows', 'loops', 'sharedHit', 'sharedRead', 'relation', 'indexName',
    ]);
    assert.deepEqual(j.findings.resolved.map((f: { rule: string }) => f.rule), ['hash-join-seq-scan']);
    assert.deepEqual(Object.keys(j.findings.resolved[0]), ['rule', 'severity', 'message', 'node', 'fix']);
  });

  it('--format markdown prints the pull-request comment', async () => {
    const r = await run(['orders-seq-scan.txt', 'orders-index-scan.json', '--format', 'markdown']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^### pglens plan diff\n\n`orders-seq-scan\.txt` → `orders-index-scan\.json`\n/);
    assert.match(r.out, /\n\| \| node \| self time \| rows \(est\) \| loops \| shared hit \/ read \| what changed \|\n/);
    assert.match(r.out, /#### Findings resolved \(1\)\n\n- \*\*warning\*\* `seq-scan-filter`/);
  });

  it('says which lines of a pasted plan it left out, per file, as for one plan', async () => {
    const noisy = path.join(dir, 'pasted.txt');
    writeFileSync(noisy, `test=# EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM orders WHERE customer_id = 42;\n${fixture('diff/orders-index-scan.txt')}`);
    const r = await run(['orders-seq-scan.json', noisy]);
    assert.deepEqual([r.code, r.err], [0, '']);
    assert.match(r.out, /~ #1 Seq Scan on orders → Index Scan using orders_customer_id_idx on orders/);
    assert.match(r.out, /\n\n.*pasted\.txt: Input \(read as TEXT EXPLAIN\):\n {2}ignored line 1 before the plan/);
    const j = JSON.parse((await run(['orders-seq-scan.json', noisy, '--format', 'json'])).out);
    assert.deepEqual(j.input.after.ignoredLines, [1]);
    assert.deepEqual(j.input.before.notes, []);
    const md = (await run(['orders-seq-scan.json', noisy, '--format', 'markdown'])).out;
    assert.match(md, /\*\*.*pasted\.txt: Input \\\(read as TEXT EXPLAIN\\\):\*\*\n\n- ignored line 1 before the plan/);
    assert.ok(md.includes('SELECT \\* FROM orders'), 'the quoted line is escaped Markdown');
  });

  it('--fail-on-regression PERCENT: exit 1 when the total time got worse by more, with the reason on stderr', async () => {
    const worse = await run(['orders-index-scan.json', 'orders-seq-scan.json', '--fail-on-regression', '10']);
    assert.equal(worse.code, 1);
    assert.match(worse.err, /^pglens plan: the total time got [\d.]+% worse \(orders-index-scan\.json → orders-seq-scan\.json\), more than --fail-on-regression 10%\n$/);
    assert.match(worse.out, /slower/);
    assert.equal((await run(['orders-index-scan.json', 'orders-seq-scan.json', '--fail-on-regression', '1000000'])).code, 0);
    assert.equal((await run(['orders-seq-scan.json', 'orders-index-scan.json', '--fail-on-regression', '0'])).code, 0, 'faster is no regression');
    assert.equal((await run(['join-hash.json', 'join-hash.json', '--fail-on-regression', '0'])).code, 0, 'the same is no regression');
    // Without ANALYZE on one side the total cost is judged.
    const cost = await run([path.join(FIXTURES, 'clean-index-scan.json'), path.join(FIXTURES, 'estimate-only.json'), '--fail-on-regression', '5']);
    assert.equal(cost.code, 1);
    assert.match(cost.err, /the total cost got [\d.]+% worse/);
  });

  it('--fail-on SEVERITY with two plans: exit 1 only for a new finding at or above it', async () => {
    assert.equal((await run(['orders-index-scan.json', 'orders-seq-scan.json', '--fail-on', 'warning'])).code, 1);
    assert.equal((await run(['orders-index-scan.json', 'orders-seq-scan.json', '--fail-on', 'error'])).code, 0);
    assert.equal((await run(['orders-seq-scan.json', 'orders-seq-scan.txt', '--fail-on', 'warning'])).code, 0, 'a finding in both is not new');
    assert.equal((await run(['orders-index-scan.json', 'orders-seq-scan.json'])).code, 0, 'without --fail-on a diff does not judge findings');
  });

  it('a bad second (or first) file: exit 2 with a one-line error naming it', async () => {
    const bad = path.join(dir, 'after.json');
    writeFileSync(bad, fixture('diff/orders-index-scan.json').slice(0, 150));
    const malformed = await run(['orders-seq-scan.json', bad]);
    assert.equal(malformed.code, 2);
    assert.equal(malformed.out, '');
    assert.match(malformed.err, /^pglens plan: .*after\.json: the plan looks like JSON but does not parse/);
    assert.equal(malformed.err.trimEnd().split('\n').length, 1);
    const missing = await run(['orders-seq-scan.json', 'nope.json']);
    assert.deepEqual([missing.code, missing.err], [2, 'pglens plan: cannot read nope.json: ENOENT — check the path\n']);
    const garbage = path.join(dir, 'before.txt');
    writeFileSync(garbage, 'total 0\ndrwxr-xr-x 2 root root 4096 .\n');
    const first = await run([garbage, 'orders-seq-scan.json']);
    assert.equal(first.code, 2);
    assert.match(first.err, /^pglens plan: .*before\.txt: .*line 1: "total 0" is not an EXPLAIN node/);
  });

  it('bad arguments: three files, two stdins, --fail-on-regression with one plan or a bad percentage', async () => {
    const three = await run(['a.json', 'b.json', 'c.json']);
    assert.deepEqual([three.code, three.err], [2, 'pglens plan: pass one plan file, or two to compare (got 3)\n']);
    assert.match((await run(['-', '-'])).err, /only one of the two plans can come from stdin/);
    const one = await run(['orders-seq-scan.json', '--fail-on-regression', '10']);
    assert.deepEqual([one.code, one.err], [2, 'pglens plan: --fail-on-regression compares two plans: pass BEFORE and AFTER\n']);
    assert.match((await run(['orders-seq-scan.json', 'orders-seq-scan.txt', '--fail-on-regression', 'ten'])).err, /--fail-on-regression must be a number, got "ten"/);
    assert.match((await run(['orders-seq-scan.json', 'orders-seq-scan.txt', '--fail-on-regression', '-5'])).err, /--fail-on-regression must be a percentage of 0 or more/);
  });

  it('reads one of the two plans from stdin with `-`', function () {
    this.timeout(60_000);
    const script = `require(${JSON.stringify(path.join(ROOT, 'src', 'cli', 'commands', 'plan.ts'))}).command.run({ positionals: [${JSON.stringify(path.join(DIFF, 'join-hash.json'))}, '-'], flags: new Map(), lists: new Map() }, { cwd: process.cwd(), env: {}, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then((c) => { process.exitCode = c; });`;
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { input: fixture('diff/join-nested-loop.txt'), encoding: 'utf8', cwd: ROOT });
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /→ stdin\n/);
    assert.match(child.stdout, /~ #2 Hash Join → Nested Loop/);
  });
});

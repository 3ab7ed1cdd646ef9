import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../../src/cli/args';
import { command } from '../../../src/cli/commands/plan';
import { FIXTURES, ROOT, fixture } from './helpers';

async function run(argv: string[], cwd = FIXTURES): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await command.run(parseArgs(argv, command.flags), { cwd, env: {}, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('pglens plan', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pglens-plan-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints summary, findings (node, evidence, fix) and the tree; exit 1 on a warning', async () => {
    const r = await run(['seq-scan-filter.txt']);
    assert.equal(r.code, 1);
    assert.equal(r.err, '');
    assert.match(r.out, /^Execution [\d.]+ ms/);
    assert.match(r.out, /warning seq-scan-filter {2}at #1 Seq Scan on plan_fixtures\.orders/);
    assert.match(r.out, /evidence: relation="orders", rowsRead=100000, rowsRemoved=99950/);
    assert.match(r.out, /fix: CREATE INDEX CONCURRENTLY ON plan_fixtures\.orders \(customer_id\);/);
    assert.match(r.out, /Plan:\n {2}-> #1 Seq Scan on plan_fixtures\.orders {2}self /);
  });

  it('exit 0 for a clean plan and with --fail-on above the findings', async () => {
    assert.equal((await run(['clean-index-scan.json'])).code, 0);
    assert.equal((await run(['seq-scan-filter.json', '--fail-on', 'error'])).code, 0);
    assert.equal((await run(['workers-not-launched.json'])).code, 0, 'info is below the default warning');
    assert.equal((await run(['workers-not-launched.json', '--fail-on', 'info'])).code, 1);
    assert.equal((await run(['seq-scan-filter.json', '--fail-on', 'off'])).code, 0);
  });

  it('--format json has the docs/cli.md shape', async () => {
    const r = await run(['hash-batches.json', '--format', 'json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j).sort(), ['findings', 'input', 'summary']);
    assert.deepEqual(j.input, { format: 'json', wrappers: [], notes: [], ignoredLines: [] });
    assert.equal(j.findings.length, 1);
    const f = j.findings[0];
    assert.equal(f.rule, 'hash-batches');
    assert.equal(f.severity, 'warning');
    assert.equal(typeof f.message, 'string');
    assert.deepEqual([f.node.id, f.node.nodeType], [3, 'Hash']);
    assert.equal(typeof f.fix, 'string');
    const top = (JSON.parse(fixture('hash-batches.json')) as Record<string, number>[])[0];
    assert.equal(j.summary.totalTimeMs, top['Execution Time']);
    assert.equal(j.summary.nodes, 4);
    assert.equal(typeof j.summary.slowestNode.id, 'number');
    assert.equal(typeof j.summary.slowestNode.nodeType, 'string');
    const scan = (await run(['seq-scan-filter.json', '--format', 'json'])).out;
    assert.equal(JSON.parse(scan).findings[0].node.relation, 'orders');
  });

  it('--format markdown prints the PR comment', async () => {
    const r = await run(['sort-spill.txt', '--format', 'markdown']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^### pglens plan analysis/);
    assert.match(r.out, /`sort-spill`/);
  });

  it('reads a 50,000-deep JSON plan in every output format (no stack overflow, no "Invalid string length")', async () => {
    const depth = 50_000;
    const node = (type: string) => `"Node Type":"${type}","Startup Cost":0,"Total Cost":1,"Plan Rows":1,"Plan Width":4`;
    writeFileSync(path.join(dir, 'deep.json'), `[{"Plan":${`{${node('Materialize')},"Plans":[`.repeat(depth)}{${node('Result')}}${']}'.repeat(depth)}}]`);
    const text = await run(['deep.json'], dir);
    assert.deepEqual([text.code, text.err], [0, '']);
    assert.match(text.out, /^Cost 1\.00 · 50,001 nodes/);
    assert.match(text.out, /\[depth 50,000\] -> #50001 Result {2}cost 1\.00/);
    const json = await run(['deep.json', '--format', 'json'], dir);
    assert.deepEqual([json.code, JSON.parse(json.out).summary.nodes], [0, 50_001]);
    const markdown = await run(['deep.json', '--format', 'markdown'], dir);
    assert.deepEqual([markdown.code, markdown.err], [0, '']);
    assert.match(markdown.out, /\*\*Nodes\*\* 50,001/);
  });

  it('reads psql-bordered output', async () => {
    const r = await run(['psql-border2-text.txt', '--format', 'json']);
    assert.equal(JSON.parse(r.out).findings[0].rule, 'seq-scan-filter');
  });

  it('says which input lines it left out or joined, in every output format', async () => {
    const text = await run(['formats/hand-psql-session.txt']);
    assert.equal(text.code, 0);
    assert.match(text.out, /\n\nInput \(read as TEXT EXPLAIN in psql table \(aligned, border 1\)\):\n {2}ignored lines 1–8 before the plan \(SQL comment, EXPLAIN command, SQL\): "test=# -- the slow report"\n {2}ignored line 40 after the plan \(psql command\): "test=# \\q"\n$/);
    const json = JSON.parse((await run(['formats/hand-join-filter-wrapped.txt', '--format', 'json'])).out);
    assert.equal(json.input.format, 'text');
    assert.deepEqual(json.input.notes[1], { kind: 'joined', message: 'joined lines 3–4 into one plan line (a wrapped line)', fromLine: 3, toLine: 4 });
    assert.equal(json.summary.nodes, 4);
    const notice = JSON.parse((await run(['formats/auto-explain-notice-yaml.txt', '--format', 'json'])).out);
    assert.deepEqual([notice.input.format, notice.input.wrappers, notice.input.ignoredLines], ['yaml', ['auto_explain log entry'], [168, 169, 170, 171]]);
    const markdown = await run(['formats/hand-localized-footer-jit.txt', '--format', 'markdown']);
    assert.match(markdown.out, /\*\*Input \\\(read as TEXT EXPLAIN\\\):\*\*\n\n- ignored line 23 after the plan \\\(row count\\\): "\\\(22 lignes\\\)"\n$/);
    assert.equal((await run(['formats/json-plain.json'])).out.includes('Input ('), false, 'nothing to say about a bare plan');
  });

  it('escapes the pasted lines it quotes in a markdown comment: no image, mention or HTML from the input', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pglens-plan-md-'));
    try {
      writeFileSync(path.join(dir, 'p.txt'), 'hello ![x](https://evil.example/p.png) **@org/team** <b>hi</b>\nSeq Scan on t  (cost=0.00..1.01 rows=1 width=4)\n');
      const r = await run(['p.txt', '--format', 'markdown'], dir);
      assert.equal(r.code, 0);
      assert.ok(r.out.includes('\\!\\[x\\]\\(https://evil.example/p.png\\) \\*\\*@&#8288;org/team\\*\\* &lt;b&gt;'), r.out);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exit 2 with a one-line cause for unreadable, malformed or missing input and bad flags', async () => {
    const missing = await run(['nope.json']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^pglens plan: cannot read nope\.json: ENOENT — check the path\n$/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, fixture('seq-scan-filter.json').slice(0, 200));
    const malformed = await run([bad]);
    assert.equal(malformed.code, 2);
    assert.match(malformed.err, /^pglens plan: .*bad\.json: the plan looks like JSON but does not parse/);
    assert.equal(malformed.err.trimEnd().split('\n').length, 1);
    assert.equal(malformed.out, '');
    const garbage = path.join(dir, 'garbage.txt');
    writeFileSync(garbage, 'total 0\ndrwxr-xr-x 2 root root 4096 .\n');
    const notPlan = await run([garbage]);
    assert.equal(notPlan.code, 2);
    assert.match(notPlan.err, /line 1: "total 0" is not an EXPLAIN node/);
    const folder = await run([dir]);
    assert.equal(folder.code, 2);
    assert.match(folder.err, /^pglens plan: .* is a folder — pass a file\n$/);
    const binary = path.join(dir, 'plan.bin');
    writeFileSync(binary, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
    const gz = await run([binary]);
    assert.equal(gz.code, 2);
    assert.match(gz.err, /plan\.bin is not a text file \(a NUL byte on line 1: binary, or UTF-16\) — pass a text file saved as UTF-8\n$/);
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['a.json', 'b.json'])).code, 2);
    const format = await run(['seq-scan-filter.json', '--format', 'yaml']);
    assert.equal(format.code, 2);
    assert.match(format.err, /--format must be one of text, json, markdown/);
  });

  it('takes thresholds and severities from --config', async () => {
    const config = path.join(dir, 'thresholds.json');
    writeFileSync(config, JSON.stringify({ plan: { seqScanFilterMinRows: 1_000_000 }, rules: { 'sort-spill': 'error' } }));
    assert.equal((await run(['seq-scan-filter.json', '--config', config])).code, 0);
    const spill = await run(['sort-spill.json', '--config', config, '--format', 'json']);
    assert.equal(JSON.parse(spill.out).findings[0].severity, 'error');
    const wrong = path.join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ plan: { seqScanMinRows: 5 } }));
    const r = await run(['seq-scan-filter.json', '--config', wrong]);
    assert.equal(r.code, 2);
    assert.match(r.err, /"plan\.seqScanMinRows" is not a plan threshold/);
  });

  it('reads the plan from stdin with `-`', function () {
    this.timeout(60_000);
    const script = `require(${JSON.stringify(path.join(ROOT, 'src', 'cli', 'commands', 'plan.ts'))}).command.run({ positionals: ['-'], flags: new Map([['format', 'json']]) }, { cwd: process.cwd(), env: {}, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then((c) => { process.exitCode = c; });`;
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { input: fixture('psql-aligned-json.txt'), encoding: 'utf8', cwd: ROOT });
    assert.equal(child.status, 1, child.stderr);
    assert.equal(JSON.parse(child.stdout).findings[0].rule, 'seq-scan-filter');
  });
});

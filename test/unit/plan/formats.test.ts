import * as assert from 'node:assert/strict';
import { analyzePlan } from '../../../src/core/plan/analyze';
import { parsePlan } from '../../../src/core/plan/parse';
import type { PlanInputFormat, PlanNode, PlanReport } from '../../../src/core/plan/types';
import { fixture } from './helpers';

/**
 * The plan-format table: one real-looking sample per way a plan reaches a user (captured from a
 * PostgreSQL 15 server by test/fixtures/plans/formats/capture.mjs, or derived from those captures
 * the way terminals, mail clients and exports change them, or written after older versions'
 * output), with the tree it must give. Total times are the Execution Time in the file (the root's
 * actual total time where the output has none, as auto_explain's).
 */
const MAIN = ['Sort', 'HashAggregate', 'Hash Join', 'Seq Scan', 'Hash', 'Seq Scan'];
const PARALLEL = ['Finalize GroupAggregate', 'Gather Merge', 'Sort', 'Partial HashAggregate', 'Parallel Seq Scan'];

interface Case {
  file: string;
  format: PlanInputFormat;
  labels: string[];
  totalTimeMs: number;
  /** Input lines that must be reported as ignored (exactly these). */
  ignored?: number[];
  /** How many "joined" notes (wrapped lines put back together). */
  joined?: number;
  /** The plan carries its query (auto_explain). */
  query?: boolean;
}

const TABLE: Record<string, Case[]> = {
  'psql aligned text, every border and line style': [
    { file: 'text-border0-ascii.txt', format: 'text', labels: MAIN, totalTimeMs: 13.753 },
    { file: 'text-border0-unicode.txt', format: 'text', labels: MAIN, totalTimeMs: 15.973 },
    { file: 'text-border0-old-ascii.txt', format: 'text', labels: MAIN, totalTimeMs: 8.36 },
    { file: 'text-border1-ascii.txt', format: 'text', labels: MAIN, totalTimeMs: 9.767 },
    { file: 'text-border1-unicode.txt', format: 'text', labels: MAIN, totalTimeMs: 4.444 },
    { file: 'text-border1-old-ascii.txt', format: 'text', labels: MAIN, totalTimeMs: 4.587 },
    { file: 'text-border2-ascii.txt', format: 'text', labels: MAIN, totalTimeMs: 6.117 },
    { file: 'text-border2-unicode.txt', format: 'text', labels: MAIN, totalTimeMs: 4.48 },
    { file: 'text-border2-old-ascii.txt', format: 'text', labels: MAIN, totalTimeMs: 4.56 },
  ],
  'psql unaligned, tuples only, expanded and wrapped text': [
    { file: 'text-unaligned.txt', format: 'text', labels: MAIN, totalTimeMs: 4.934 },
    { file: 'text-tuples-only.txt', format: 'text', labels: MAIN, totalTimeMs: 4.541 },
    { file: 'text-expanded-border0.txt', format: 'text', labels: MAIN, totalTimeMs: 5.392 },
    { file: 'text-expanded-border1.txt', format: 'text', labels: MAIN, totalTimeMs: 10.531 },
    { file: 'text-expanded-border2-unicode.txt', format: 'text', labels: MAIN, totalTimeMs: 8.403 },
    { file: 'text-wrapped-border1-ascii.txt', format: 'text', labels: MAIN, totalTimeMs: 15.901 },
    { file: 'text-wrapped-border2-unicode.txt', format: 'text', labels: MAIN, totalTimeMs: 7.241 },
  ],
  'JSON: plain, psql-quoted, CSV-doubled, without the array, with a trailing quote': [
    { file: 'json-plain.json', format: 'json', labels: MAIN, totalTimeMs: 4.933 },
    { file: 'json-border0-ascii.txt', format: 'json', labels: MAIN, totalTimeMs: 12.154 },
    { file: 'json-border1-ascii.txt', format: 'json', labels: MAIN, totalTimeMs: 5.321 },
    { file: 'json-border1-old-ascii.txt', format: 'json', labels: MAIN, totalTimeMs: 20.094 },
    { file: 'json-border2-unicode.txt', format: 'json', labels: MAIN, totalTimeMs: 4.976 },
    { file: 'json-expanded-border1.txt', format: 'json', labels: MAIN, totalTimeMs: 9.011 },
    { file: 'json-unaligned.txt', format: 'json', labels: MAIN, totalTimeMs: 16.489 },
    { file: 'hand-json-csv-doubled.csv', format: 'json', labels: MAIN, totalTimeMs: 4.933 },
    { file: 'hand-json-no-array.json', format: 'json', labels: MAIN, totalTimeMs: 4.933 },
    { file: 'hand-json-trailing-quote.txt', format: 'json', labels: MAIN, totalTimeMs: 4.933 },
  ],
  'YAML and XML': [
    { file: 'yaml-plain.yaml', format: 'yaml', labels: MAIN, totalTimeMs: 4.799 },
    { file: 'yaml-border1-ascii.txt', format: 'yaml', labels: MAIN, totalTimeMs: 6.579 },
    { file: 'xml-plain.xml', format: 'xml', labels: MAIN, totalTimeMs: 10.377 },
    { file: 'xml-border2-unicode.txt', format: 'xml', labels: MAIN, totalTimeMs: 13.303 },
  ],
  'auto_explain: client notices in every log_format, the server log, syslog, jsonlog': [
    { file: 'auto-explain-notice-text.txt', format: 'text', labels: MAIN, totalTimeMs: 4.843, query: true, ignored: [30, 31, 32, 33] },
    { file: 'auto-explain-notice-json.txt', format: 'json', labels: MAIN, totalTimeMs: 4.806, query: true, ignored: [183, 184, 185, 186] },
    { file: 'auto-explain-notice-yaml.txt', format: 'yaml', labels: MAIN, totalTimeMs: 4.785, query: true, ignored: [168, 169, 170, 171] },
    { file: 'auto-explain-notice-xml.txt', format: 'xml', labels: MAIN, totalTimeMs: 5.46, query: true, ignored: [192, 193, 194, 195] },
    { file: 'auto-explain-log-text.log', format: 'text', labels: MAIN, totalTimeMs: 8.323, query: true, ignored: [1, 31] },
    { file: 'auto-explain-log-json.log', format: 'json', labels: MAIN, totalTimeMs: 12.215, query: true, ignored: [1, 184] },
    { file: 'hand-syslog.log', format: 'text', labels: MAIN, totalTimeMs: 8.323, query: true },
    { file: 'hand-jsonlog.json', format: 'text', labels: MAIN, totalTimeMs: 8.323, query: true },
  ],
  'noise around the plan: prompts, the echoed EXPLAIN, comments, row counts': [
    { file: 'hand-psql-session.txt', format: 'text', labels: MAIN, totalTimeMs: 9.767, ignored: [1, 2, 3, 4, 5, 6, 7, 8, 40] },
    { file: 'hand-psql-session-json.txt', format: 'json', labels: MAIN, totalTimeMs: 5.321, ignored: [1, 205] },
    { file: 'hand-localized-footer-jit.txt', format: 'text', labels: MAIN, totalTimeMs: 332.178, ignored: [23] },
  ],
  'lines wrapped by a mail client or cut by a terminal': [
    { file: 'hand-mail-wrapped-60.txt', format: 'text', labels: MAIN, totalTimeMs: 4.541, joined: 8 },
    { file: 'hand-terminal-cut-80.txt', format: 'text', labels: MAIN, totalTimeMs: 4.541, joined: 6 },
    { file: 'hand-join-filter-wrapped.txt', format: 'text', labels: ['Nested Loop', 'Seq Scan', 'Materialize', 'Seq Scan'], totalTimeMs: 43.515, joined: 5 },
  ],
  'quoted rows (pgAdmin, CSV), one CSV cell, tabs': [
    { file: 'hand-pgadmin-quoted.txt', format: 'text', labels: MAIN, totalTimeMs: 4.541 },
    { file: 'hand-csv-rows.csv', format: 'text', labels: MAIN, totalTimeMs: 4.541 },
    { file: 'hand-csv-cell.csv', format: 'text', labels: MAIN, totalTimeMs: 4.541 },
    { file: 'hand-tabs.txt', format: 'text', labels: MAIN, totalTimeMs: 4.541 },
  ],
  'COSTS OFF, TIMING OFF, no ANALYZE, VERBOSE + SETTINGS, PostgreSQL 9.6 to 12': [
    { file: 'text-costs-off.txt', format: 'text', labels: MAIN, totalTimeMs: 6.195 },
    { file: 'text-timing-off.txt', format: 'text', labels: MAIN, totalTimeMs: 7.928 },
    { file: 'text-no-analyze.txt', format: 'text', labels: MAIN, totalTimeMs: 0 },
    { file: 'text-parallel-verbose-settings.txt', format: 'text', labels: PARALLEL, totalTimeMs: 16.25 },
    { file: 'json-parallel-verbose-settings.json', format: 'json', labels: PARALLEL, totalTimeMs: 20.282 },
    { file: 'old-pg96-parallel-verbose.txt', format: 'text', labels: ['Finalize Aggregate', 'Gather', 'Partial Aggregate', 'Parallel Seq Scan'], totalTimeMs: 49.58 },
    { file: 'old-pg10-hash-join.json', format: 'json', labels: ['Hash Join', 'Seq Scan', 'Hash', 'Seq Scan'], totalTimeMs: 6.411 },
    { file: 'old-pg12-gather-merge-workers.txt', format: 'text', labels: ['Gather Merge', 'Sort', 'Parallel Seq Scan'], totalTimeMs: 108.263 },
  ],
};

function read(name: string): string {
  return fixture(`formats/${name}`);
}

/** A node without `raw` and with child ids: what must be equal however the plan was written. */
function comparable(node: PlanNode): Record<string, unknown> {
  const { raw: _raw, children, ...rest } = node;
  return { ...rest, children: children.map((c) => c.id) };
}

/** The report without how the input was read (its notes differ by design: lines joined, lines left out). */
function comparableReport(r: PlanReport): Record<string, unknown> {
  const { nodes, root: _root, sourceFormat: _format, notes: _notes, ...rest } = r;
  return { ...rest, nodes: nodes.map(comparable) };
}

describe('plan formats: every way a plan is pasted reads to the right tree', () => {
  for (const [family, cases] of Object.entries(TABLE)) {
    describe(family, () => {
      for (const c of cases) {
        it(c.file, () => {
          const parsed = parsePlan(read(c.file));
          const r = analyzePlan(parsed);
          assert.equal(parsed.inputFormat, c.format);
          assert.deepEqual(r.nodes.map((n) => n.label), c.labels);
          assert.equal(r.summary.nodeCount, c.labels.length);
          assert.equal(r.summary.totalTimeMs, c.totalTimeMs);
          assert.deepEqual(parsed.ignoredLines ?? [], c.ignored ?? []);
          assert.equal((parsed.notes ?? []).filter((n) => n.kind === 'joined').length, c.joined ?? 0);
          assert.equal(r.query !== undefined, c.query === true, 'query text kept');
          for (const note of parsed.notes ?? []) assert.ok(note.fromLine !== undefined && note.toLine !== undefined && note.fromLine <= note.toLine, note.message);
        });
      }
    });
  }
});

describe('plan formats: what each reading keeps', () => {
  it('derived text variants (wrapped, cut, quoted, CSV, tabs) give exactly the plain plan', () => {
    const plain = analyzePlan(read('text-tuples-only.txt'));
    const plainRaw = plain.nodes.map((n) => n.raw);
    for (const name of ['hand-mail-wrapped-60.txt', 'hand-terminal-cut-80.txt', 'hand-pgadmin-quoted.txt', 'hand-csv-rows.csv', 'hand-csv-cell.csv', 'hand-tabs.txt']) {
      const r = analyzePlan(read(name));
      assert.deepEqual(comparableReport(r), comparableReport(plain), name);
      assert.deepEqual(r.nodes.map((n) => n.raw), plainRaw, name);
    }
    // The report says how it read them (the viewer and every caller of analyzePlan see it).
    assert.ok(analyzePlan(read('hand-mail-wrapped-60.txt')).notes?.some((n) => n.kind === 'joined'));
  });

  it('derived JSON variants (CSV-doubled, no array, trailing quote) give exactly the plain JSON', () => {
    const plain = analyzePlan(read('json-plain.json'));
    for (const name of ['hand-json-csv-doubled.csv', 'hand-json-no-array.json', 'hand-json-trailing-quote.txt']) {
      const r = analyzePlan(read(name));
      assert.deepEqual(comparableReport(r), comparableReport(plain), name);
      assert.deepEqual(r.nodes.map((n) => n.raw), plain.nodes.map((n) => n.raw), name);
    }
  });

  it('YAML and XML give the JSON properties, names and types (runs differ only in timings)', () => {
    const volatile = /Time$|^Shared Hit Blocks$|^Shared Read Blocks$/;
    const shape = (text: string) => {
      const explain = parsePlan(text).explain;
      const nodes: Record<string, unknown>[] = [];
      const walk = (n: Record<string, unknown>) => {
        nodes.push(Object.fromEntries(Object.entries(n).map(([k, v]) => [k, k === 'Plans' ? (v as unknown[]).length : volatile.test(k) ? typeof v : v])));
        for (const child of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk(explain.Plan as Record<string, unknown>);
      const top = Object.fromEntries(Object.entries(explain).filter(([k]) => k !== 'Plan').map(([k, v]) => [k, volatile.test(k) ? typeof v : k === 'Planning' ? Object.keys(v as object) : v]));
      return { nodes, top };
    };
    const json = shape(read('json-plain.json'));
    for (const name of ['yaml-plain.yaml', 'yaml-border1-ascii.txt', 'xml-plain.xml', 'xml-border2-unicode.txt']) assert.deepEqual(shape(read(name)), json, name);
  });

  it('keeps auto_explain\'s multi-line query text, the same in every log_format', () => {
    const text = analyzePlan(read('auto-explain-notice-text.txt')).query;
    assert.ok(text !== undefined);
    assert.match(text, /^SELECT c\.region, count\(\*\)\n {2}FROM orders o\n {2}JOIN customers c ON c\.id = o\.customer_id\n WHERE .*\n GROUP BY c\.region\n ORDER BY 2 DESC;$/);
    for (const name of ['auto-explain-notice-json.txt', 'auto-explain-notice-yaml.txt', 'auto-explain-notice-xml.txt', 'auto-explain-log-text.log', 'auto-explain-log-json.log', 'hand-syslog.log', 'hand-jsonlog.json']) {
      assert.equal(analyzePlan(read(name)).query, text, name);
    }
  });

  it('says which lines it left out and what they were', () => {
    const session = parsePlan(read('hand-psql-session.txt'));
    assert.deepEqual(session.notes?.map((n) => n.message), [
      'ignored lines 1–8 before the plan (SQL comment, EXPLAIN command, SQL): "test=# -- the slow report"',
      'ignored line 40 after the plan (psql command): "test=# \\q"',
    ]);
    assert.deepEqual(session.wrappers, ['psql table (aligned, border 1)']);
    const notice = parsePlan(read('auto-explain-notice-text.txt'));
    assert.deepEqual(notice.notes?.map((n) => n.message), ['ignored lines 30–33 after the plan (query result, row count): "region | count"']);
    const wrapped = parsePlan(read('hand-join-filter-wrapped.txt'));
    assert.equal(wrapped.notes?.[1].message, 'joined lines 3–4 into one plan line (a wrapped line)');
    assert.equal(analyzePlan(wrapped).root.joinFilter, '(t1.c1 > t2.c2)');
  });

  it('reads the JIT block and the execution time above a localized footer without a header', () => {
    const r = analyzePlan(read('hand-localized-footer-jit.txt'));
    assert.equal(r.summary.executionTimeMs, 332.178);
    assert.equal(r.summary.planningTimeMs, 0.623);
    assert.equal(r.summary.jit?.functions, 18);
    assert.equal(r.summary.jit?.totalMs, 293.62);
    assert.deepEqual(r.findings.map((f) => f.ruleId), ['jit-overhead']);
  });

  it('reads Settings, planning buffers and workers of a VERBOSE parallel plan the same from text and JSON', () => {
    const text = analyzePlan(read('text-parallel-verbose-settings.txt'));
    const json = analyzePlan(read('json-parallel-verbose-settings.json'));
    assert.deepEqual(text.summary.settings, json.summary.settings);
    assert.equal(text.summary.settings?.max_parallel_workers_per_gather, undefined);
    assert.equal(text.summary.settings?.parallel_setup_cost, '0');
    assert.equal(text.summary.planningBuffers?.sharedHit, 89);
    assert.deepEqual(json.summary.planningBuffers, text.summary.planningBuffers);
    for (const r of [text, json]) {
      const workers = r.nodes.map((n) => ((n.raw.Workers as unknown[] | undefined) ?? []).length);
      assert.deepEqual(workers, [0, 0, 2, 2, 2]);
    }
  });

  it('keeps a worker\'s lines with its node: PostgreSQL ≤ 12 prints a worker\'s sort and timing apart', () => {
    const r = analyzePlan(read('old-pg12-gather-merge-workers.txt'));
    const workers = r.nodes[1].raw.Workers as Record<string, unknown>[];
    assert.equal(workers.length, 2);
    assert.deepEqual(workers[0], { 'Worker Number': 0, 'Sort Method': 'quicksort', 'Sort Space Used': 2757, 'Sort Space Type': 'Memory', 'Actual Startup Time': 55.001, 'Actual Total Time': 59.52, 'Actual Rows': 31500, 'Actual Loops': 1 });
    const old = analyzePlan(read('old-pg96-parallel-verbose.txt'));
    assert.equal(old.summary.planningTimeMs, 0.076);
    assert.equal(old.summary.executionTimeMs, 49.58);
    assert.deepEqual((old.nodes[2].raw.Workers as Record<string, unknown>[]).map((w) => w['Shared Hit Blocks']), [1441, 1436]);
  });

  it('invents no estimates for COSTS OFF and no times for TIMING OFF', () => {
    const costsOff = analyzePlan(read('text-costs-off.txt'));
    assert.ok(costsOff.nodes.every((n) => n.estimateFactor === undefined && n.raw['Plan Rows'] === undefined));
    assert.deepEqual(costsOff.findings.filter((f) => f.ruleId === 'misestimate'), []);
    const timingOff = analyzePlan(read('text-timing-off.txt'));
    assert.equal(timingOff.summary.timed, false);
    assert.ok(timingOff.nodes.every((n) => n.actualTotalTimeMs === undefined && n.actualRows !== undefined));
    const estimates = analyzePlan(read('text-no-analyze.txt'));
    assert.ok(estimates.nodes.every((n) => !n.analyzed && n.estimateFactor === undefined));
  });
});

describe('plan formats: nothing is dropped in silence', () => {
  const plan = [
    'Hash Join  (cost=1.09..2.25 rows=4 width=8) (actual time=0.030..0.040 rows=4 loops=1)',
    '  Hash Cond: (a.id = b.a_id)',
    '  ->  Seq Scan on a  (cost=0.00..1.04 rows=4 width=4) (actual time=0.005..0.006 rows=4 loops=1)',
    '  ->  Hash  (cost=1.04..1.04 rows=4 width=8) (actual time=0.010..0.010 rows=4 loops=1)',
    '        Buckets: 1024  Batches: 1  Memory Usage: 9kB',
    '        ->  Seq Scan on b  (cost=0.00..1.04 rows=4 width=8) (actual time=0.003..0.004 rows=4 loops=1)',
    'Planning Time: 0.050 ms',
    'Execution Time: 0.070 ms',
  ];

  it('a line it cannot read inside the plan is left out with a note naming it; the nodes around it stay', () => {
    const text = [...plan.slice(0, 3), '  %%% garbage from a chat client %%%', ...plan.slice(3)].join('\n');
    const parsed = parsePlan(text);
    assert.deepEqual(analyzePlan(parsed).nodes.map((n) => n.label), ['Hash Join', 'Seq Scan', 'Hash', 'Seq Scan']);
    assert.deepEqual(parsed.ignoredLines, [4]);
    assert.deepEqual(parsed.notes?.map((n) => n.message), ['ignored line 4 inside the plan (text): "%%% garbage from a chat client %%%"']);
  });

  it('a line cut short (a bracket left open) does not swallow the nodes after it', () => {
    const text = [plan[0], '  Hash Cond: (a.id = b.a_i', ...plan.slice(2)].join('\n');
    const r = analyzePlan(text);
    assert.deepEqual(r.nodes.map((n) => n.label), ['Hash Join', 'Seq Scan', 'Hash', 'Seq Scan']);
    assert.equal(r.nodes[2].hashBuckets, 1024);
    assert.equal(r.summary.executionTimeMs, 0.07);
  });

  it('figures broken onto the next line by a mail client are joined with the right key', () => {
    const text = [...plan.slice(0, 4), '        Buckets: 1024  Batches: 1', 'Memory Usage: 9kB', ...plan.slice(5)].join('\n');
    const r = analyzePlan(text);
    assert.deepEqual([r.nodes[2].hashBatches, r.nodes[2].peakMemoryUsageKb], [1, 9]);
    const sort = analyzePlan('Sort  (cost=1.0..1.1 rows=4 width=4) (actual time=0.1..0.1 rows=4 loops=1)\n  Sort Method: quicksort\nMemory: 25kB');
    assert.deepEqual([sort.root.sortMethod, sort.root.sortSpaceUsedKb, sort.root.sortSpaceType], ['quicksort', 25, 'Memory']);
  });

  it('a second plan (a rule\'s actions, another EXPLAIN) is left out with a note', () => {
    const text = [...plan.slice(0, 6), 'Seq Scan on c  (cost=0.00..1.04 rows=4 width=4) (actual time=0.005..0.006 rows=4 loops=1)', '  Filter: (x > 1)', ...plan.slice(6)].join('\n');
    const parsed = parsePlan(text);
    assert.equal(analyzePlan(parsed).nodes.length, 4);
    assert.deepEqual(parsed.ignoredLines, [7, 8]);
    assert.match(parsed.notes?.[0].message ?? '', /^ignored lines 7–8 after the plan \(a second plan\)/);
    const json = JSON.stringify([{ Plan: { 'Node Type': 'Result' } }, { Plan: { 'Node Type': 'Result' } }]);
    assert.deepEqual(parsePlan(json).notes?.map((n) => n.message), ['ignored 1 more plan after the first (one per statement a rule added)']);
  });

  it('input with no plan in it says what it holds instead', () => {
    assert.throws(() => parsePlan('test=# EXPLAIN (ANALYZE) SELECT 1;\n-- nothing came back'), /no EXPLAIN output found: lines 1–2 \(EXPLAIN command, SQL comment\): "test=# EXPLAIN \(ANALYZE\) SELECT 1;"/);
    assert.throws(() => parsePlan('NOTICE:  duration: 0.1 ms  plan:\n'), /the log entry holds no plan/);
  });

  it('a parsed plan passes through analyzePlan unchanged, notes and all', () => {
    const text = ['test=# EXPLAIN ANALYZE SELECT …;', ...plan].join('\n');
    const parsed = parsePlan(text);
    assert.equal(parsePlan(parsed), parsed);
    assert.deepEqual(comparableReport(analyzePlan(parsed)), comparableReport(analyzePlan(text)));
  });
});

describe('plan formats: every fixture plan survives what terminals, mail clients and exports do to it', () => {
  /** A mail client: breaks at the last space before the width, the space dropped, the rest at the margin. */
  const mail = (width: number) => (text: string) =>
    text.split('\n').flatMap((line) => {
      const out: string[] = [];
      let rest = line;
      while (rest.length > width) {
        let at = rest.lastIndexOf(' ', width);
        if (at <= rest.search(/\S/)) at = width;
        out.push(rest.slice(0, at));
        rest = rest.slice(at + 1);
      }
      out.push(rest);
      return out;
    }).join('\n');
  /** A terminal whose lines were copied as shown: every line cut at exactly the width. */
  const cut = (width: number) => (text: string) =>
    text.split('\n').flatMap((line) => {
      const out: string[] = [];
      for (let i = 0; i < line.length; i += width) out.push(line.slice(i, i + width));
      return out.length > 0 ? out : [''];
    }).join('\n');
  const rows = (text: string) => text.trimEnd().split('\n');
  const border1 = (t: string) => {
    const ls = rows(t);
    const w = Math.max(...ls.map((l) => l.length));
    return [` ${'QUERY PLAN'.padStart(Math.floor((w + 10) / 2)).padEnd(w)} `, '-'.repeat(w + 2), ...ls.map((l) => ` ${l}`), `(${ls.length} rows)`].join('\n');
  };
  const border2 = (t: string) => {
    const ls = rows(t);
    const w = Math.max(...ls.map((l) => l.length));
    return ['┌' + '─'.repeat(w + 2) + '┐', `│ ${'QUERY PLAN'.padEnd(w)} │`, '├' + '─'.repeat(w + 2) + '┤', ...ls.map((l) => `│ ${l.padEnd(w)} │`), '└' + '─'.repeat(w + 2) + '┘', `(${ls.length} rows)`].join('\n');
  };
  const VARIANTS: Record<string, (text: string) => string> = {
    'mail at 40': mail(40),
    'mail at 50': mail(50),
    'mail at 60': mail(60),
    'mail at 72': mail(72),
    'mail at 80': mail(80),
    'mail reply quoting at 66': (t) => mail(66)(t).split('\n').map((l) => `> ${l}`).join('\n'),
    'terminal at 60': cut(60),
    'terminal at 72': cut(72),
    'terminal at 80': cut(80),
    'terminal at 100': cut(100),
    'terminal at 120': cut(120),
    'pgAdmin quotes': (t) => rows(t).map((l) => `'${l.replace(/'/g, "''")}'`).join('\n'),
    'CSV rows': (t) => rows(t).map((l) => `"${l.replace(/"/g, '""')}"`).join('\n'),
    'CRLF line ends': (t) => t.replace(/\n/g, '\r\n'),
    indented: (t) => t.split('\n').map((l) => `    ${l}`).join('\n'),
    tabs: (t) => t.split('\n').map((l) => l.replace(/^( +)/, (s) => '\t'.repeat(Math.floor(s.length / 8)) + ' '.repeat(s.length % 8))).join('\n'),
    'psql border 1': border1,
    'psql border 2, unicode': border2,
    'psql border 1, terminal at 80': (t) => cut(80)(border1(t)),
    'psql border 2, unicode, terminal at 80': (t) => cut(80)(border2(t)),
    'psql session around it': (t) => `db=> EXPLAIN (ANALYZE, BUFFERS)\ndb-> SELECT 1;\n${t}\n(9 rows)\n\nTime: 3.2 ms\ndb=> `,
  };
  const PLANS = [
    ...['clean-index-scan', 'cte-subplans', 'estimate-only', 'hash-batches', 'hashagg-spill', 'heap-fetches', 'index-filter', 'jit-overhead', 'lossy-bitmap', 'misestimate', 'nested-loop-seq-scan', 'never-executed', 'parallel-seq-scan', 'pg18-disabled', 'pg18-index-searches', 'seq-scan-filter', 'seq-scan-filter-indexed', 'sort-spill', 'update-trigger', 'workers-not-launched'].map((n) => `${n}.txt`),
    ...['text-tuples-only', 'text-parallel-verbose-settings', 'text-costs-off', 'text-timing-off', 'text-no-analyze', 'old-pg12-gather-merge-workers'].map((n) => `formats/${n}.txt`),
  ];
  for (const name of PLANS) {
    it(name, () => {
      const text = fixture(name);
      const plain = comparableReport(analyzePlan(text));
      for (const [variant, make] of Object.entries(VARIANTS)) {
        const { notes: _notes, ...report } = comparableReport(analyzePlan(make(text)));
        assert.deepEqual(report, plain, variant);
      }
    });
  }
});

describe('plan formats: footer details and leftovers of the copy', () => {
  it('reads the planning buffers and I/O timings and the Settings line', () => {
    const text = [
      'Seq Scan on orders  (cost=0.00..383.00 rows=5000 width=4) (actual time=0.028..3.570 rows=5000 loops=1)',
      "  Filter: (status = 'paid'::text)",
      'Settings: jit = \'off\', search_path = \'"$user", public\', work_mem = \'64MB\'',
      'Planning:',
      '  Buffers: shared hit=60 read=29 dirtied=1',
      '  I/O Timings: shared read=0.291',
      'Planning Time: 0.932 ms',
      'Execution Time: 33.982 ms',
    ].join('\n');
    const parsed = parsePlan(text);
    assert.deepEqual(parsed.explain.Planning, { 'Shared Hit Blocks': 60, 'Shared Read Blocks': 29, 'Shared Dirtied Blocks': 1, 'Shared I/O Read Time': 0.291 });
    const r = analyzePlan(parsed);
    assert.deepEqual(r.summary.settings, { jit: 'off', search_path: '"$user", public', work_mem: '64MB' });
    assert.deepEqual([r.summary.planningBuffers?.sharedHit, r.summary.planningBuffers?.sharedRead], [60, 29]);
  });

  it('drops the closing quote of a CSV cell from the last condition, and Markdown fences around the plan', () => {
    const r = analyzePlan('"Index Scan using t_pkey on t  (cost=0.28..8.30 rows=1 width=4)\n  Index Cond: (id = 1)"');
    assert.equal(r.root.indexCond, '(id = 1)');
    const fenced = parsePlan('Here is the plan:\n```\nSort  (cost=1.00..1.01 rows=4 width=4)\n  Sort Key: x\n  ->  Seq Scan on t  (cost=0.00..1.04 rows=4 width=4)\n        Filter: (a = 1)\n```\nThanks!');
    assert.equal(analyzePlan(fenced).nodes[1].filter, '(a = 1)');
    assert.deepEqual(fenced.ignoredLines, [1, 2, 7, 8]);
  });

  it('psql table rows copied without the header, with the bottom border and the row count, read as the whole table', () => {
    const full = read('text-border2-ascii.txt').split('\n');
    const whole = analyzePlan(full.join('\n'));
    const rows = full.slice(3);
    for (const tail of [rows, rows.filter((l) => !l.startsWith('+')), rows.filter((l) => !l.startsWith('('))]) {
      const r = analyzePlan(tail.join('\n'));
      assert.deepEqual(r.nodes.map((n) => n.nodeType), whole.nodes.map((n) => n.nodeType));
    }
  });
});

import * as assert from 'node:assert/strict';
import type { CatalogIndex, CatalogServerInfo, CatalogSnapshot, CatalogTable } from '../../../src/core/health/catalog';
import { healthFindings } from '../../../src/core/health/findings';
import { liveSchema } from '../../../src/core/health/live-schema';
import {
  DEFAULT_MIN_STATS_DAYS,
  formatDuration,
  mayBeUnused,
  statsWindow,
  statsWindowTooShort,
  unusedIndexFindings,
  type StatsWindow,
} from '../../../src/core/health/unused-index';
import { parseConfig } from '../../../src/core/config';

const NOW = '2024-06-15T12:00:00.000Z';
const ago = (hours: number): string => new Date(Date.parse(NOW) - hours * 3_600_000).toISOString();
const DAYS = 24;

function server(over: Partial<CatalogServerInfo> = {}): CatalogServerInfo {
  return {
    database: 'shop', serverVersion: '15.20', serverVersionNum: 150020, blockSize: 8192, isReplica: false,
    statsReset: null, serverStarted: ago(1), serverNow: NOW, sharedStatsReset: null, databaseCreated: null, ...over,
  };
}

function table(name: string): CatalogTable {
  return {
    schema: 'app', name, kind: 'table', estimatedRows: 100, totalBytes: 8192, seqScan: 0, seqTupRead: 0, idxScan: 0, idxTupFetch: 0,
    liveTuples: 100, deadTuples: 0, lastAnalyze: null, lastAutoanalyze: null, isPartition: false,
  };
}

function index(name: string, columns: string[], over: Partial<CatalogIndex> = {}): CatalogIndex {
  return {
    schema: 'app', table: 't', name, definition: `CREATE INDEX ${name} ON app.t USING btree (${columns.join(', ')})`,
    scans: 0, tupRead: 0, tupFetch: 0, sizeBytes: 16384, unique: false, primary: false, valid: true, constraintName: null,
    constraintType: null, columns, include: [], predicate: null, method: 'btree', ...over,
  };
}

function catalog(s: CatalogServerInfo, indexes: CatalogIndex[] = [index('t_a_idx', ['a'])]): CatalogSnapshot {
  return { server: s, schemas: ['app'], tables: [table('t')], columns: [], indexes, foreignKeys: [], sizesExact: true, readAt: NOW };
}

describe('unused-index: the statistics window', () => {
  const cases: Array<{ name: string; server: Partial<CatalogServerInfo>; window: StatsWindow; short: boolean }> = [
    {
      name: 'a reset of this database is the start',
      server: { statsReset: ago(5), databaseCreated: ago(400 * DAYS), sharedStatsReset: ago(400 * DAYS) },
      window: { kind: 'known', since: ago(5), basis: 'reset', ms: 5 * 3_600_000 },
      short: true,
    },
    {
      name: 'a reset long ago: judged, whatever the uptime (PG 15 keeps statistics over a clean restart)',
      server: { statsReset: ago(30 * DAYS), serverStarted: ago(1) },
      window: { kind: 'known', since: ago(30 * DAYS), basis: 'reset', ms: 30 * DAYS * 3_600_000 },
      short: false,
    },
    {
      name: 'no reset, database created two hours ago (just migrated)',
      server: { databaseCreated: ago(2), sharedStatsReset: ago(300 * DAYS) },
      window: { kind: 'known', since: ago(2), basis: 'created', ms: 2 * 3_600_000 },
      short: true,
    },
    {
      name: 'no reset, old database, statistics lost in a crash yesterday',
      server: { databaseCreated: ago(300 * DAYS), sharedStatsReset: ago(20) },
      window: { kind: 'known', since: ago(20), basis: 'stats-lost', ms: 20 * 3_600_000 },
      short: true,
    },
    {
      name: 'no reset, old database, statistics kept for months',
      server: { databaseCreated: ago(300 * DAYS), sharedStatsReset: ago(90 * DAYS) },
      window: { kind: 'known', since: ago(90 * DAYS), basis: 'stats-lost', ms: 90 * DAYS * 3_600_000 },
      short: false,
    },
    {
      name: 'no reset, creation unreadable, server-wide statistics three days old (a new cluster): at most three days',
      server: { sharedStatsReset: ago(3 * DAYS) },
      window: { kind: 'bounded', notBefore: ago(3 * DAYS), atMostMs: 3 * DAYS * 3_600_000 },
      short: true,
    },
    {
      name: 'no reset, creation unreadable, server-wide statistics old: unknown, judged (with a caveat)',
      server: { sharedStatsReset: ago(200 * DAYS) },
      window: { kind: 'bounded', notBefore: ago(200 * DAYS), atMostMs: 200 * DAYS * 3_600_000 },
      short: false,
    },
    { name: 'nothing known (an older snapshot, no server clock): unknown, judged', server: { serverNow: null }, window: { kind: 'unknown' }, short: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const w = statsWindow(server(c.server), NOW);
      assert.deepEqual(w, c.window);
      assert.equal(statsWindowTooShort(w, DEFAULT_MIN_STATS_DAYS), c.short);
    });
  }

  it('measures against the server clock, the read time only without it', () => {
    const skewed = statsWindow(server({ statsReset: ago(10), serverNow: ago(-2) }), NOW);
    assert.equal(skewed.kind === 'known' && skewed.ms, 12 * 3_600_000);
    const noClock = statsWindow(server({ statsReset: ago(10), serverNow: undefined }), NOW);
    assert.equal(noClock.kind === 'known' && noClock.ms, 10 * 3_600_000);
  });

  it('a threshold of 0 judges always; exactly the threshold is enough', () => {
    const w = statsWindow(server({ statsReset: ago(7 * DAYS) }), NOW);
    assert.equal(statsWindowTooShort(w, 0), false);
    assert.equal(statsWindowTooShort(w, 7), false);
    assert.equal(statsWindowTooShort(w, 7.01), true);
  });

  it('writes durations rounded down', () => {
    assert.deepEqual(
      [0.5, 1, 5.9, 47, 48, 24 * 9.9].map((h) => formatDuration(h * 3_600_000)),
      ['30 minutes', '1 hour', '5 hours', '47 hours', '2 days', '9 days'],
    );
  });
});

describe('unused-index: the judgement', () => {
  it('reports nothing on young statistics, and says so once', () => {
    const c = catalog(server({ statsReset: ago(5) }), [index('t_a_idx', ['a']), index('t_b_idx', ['b'])]);
    const { findings, notes } = unusedIndexFindings(c, liveSchema(c));
    assert.deepEqual(findings, []);
    assert.equal(notes.length, 1);
    assert.match(notes[0], /^unused-index: the usage statistics of database shop cover only 5 hours \(since 2024-06-15 07:00 UTC, when the last statistics reset of this database\)/);
    assert.match(notes[0], /not judged unused yet; they are once the statistics cover 7 days \("minStatsDays" of unused-index in \.pglens\.json\)$/);
  });

  it('says "at most" when only the server-wide statistics date the window', () => {
    const { notes } = unusedIndexFindings(catalog(server({ sharedStatsReset: ago(30) })), liveSchema(catalog(server())));
    assert.match(notes[0], /cover at most 30 hours \(the server-wide statistics were last reset or lost at 2024-06-14 06:00 UTC/);
  });

  it('no note when no index has 0 scans', () => {
    const c = catalog(server({ statsReset: ago(5) }), [index('t_a_idx', ['a'], { scans: 4 })]);
    assert.deepEqual(unusedIndexFindings(c, liveSchema(c)), { findings: [], notes: [] });
  });

  it('reports on old enough statistics, saying how long they cover', () => {
    const c = catalog(server({ statsReset: ago(30 * DAYS) }));
    const { findings, notes } = unusedIndexFindings(c, liveSchema(c));
    assert.deepEqual(notes, []);
    assert.deepEqual(findings.map((f) => f.index), ['t_a_idx']);
    assert.match(findings[0].message, /has not been scanned in the 30 days since 2024-05-16 12:00 UTC \(when the last statistics reset of this database\): it costs every write/);
    assert.equal(findings[0].fixSql, 'DROP INDEX CONCURRENTLY IF EXISTS app.t_a_idx;');
  });

  it('reports on an unknown window, and says what it cannot tell', () => {
    const c = catalog(server({ serverNow: null, serverStarted: '2024-06-01T00:00:00.000Z' }));
    const [f] = unusedIndexFindings(c, liveSchema(c)).findings;
    assert.match(f.message, /has not been scanned since statistics began \(no reset is recorded/);
    assert.match(f.message, /How long the statistics cover is unknown: .*If the database was created, restored or migrated recently, 0 scans mean nothing yet\.$/);
  });

  it('never calls unique, primary-key or constraint indexes unused, nor invalid or uncounted ones', () => {
    const never = [
      index('t_u', ['a'], { unique: true }),
      index('t_pkey', ['id'], { unique: true, primary: true, constraintType: 'p', constraintName: 't_pkey' }),
      index('t_key', ['b'], { unique: true, constraintType: 'u', constraintName: 't_key' }),
      index('t_excl', ['c'], { constraintType: 'x', constraintName: 't_excl', method: 'gist' }),
      index('t_invalid', ['d'], { valid: false }),
      index('t_parent', ['e'], { scans: null }),
    ];
    assert.deepEqual(never.filter(mayBeUnused).map((i) => i.name), []);
    const c = catalog(server({ statsReset: ago(365 * DAYS) }), never);
    assert.deepEqual(unusedIndexFindings(c, liveSchema(c)), { findings: [], notes: [] });
  });
});

describe('unused-index in healthFindings', () => {
  const young = catalog(server({ databaseCreated: ago(3) }));

  it('holds back on young statistics by default, with the note among the report notes', () => {
    const { findings, notes } = healthFindings(young, 'server');
    assert.ok(!findings.some((f) => f.ruleId === 'unused-index'));
    assert.equal(notes.filter((n) => n.startsWith('unused-index:')).length, 1);
    assert.match(notes[0], /cover only 3 hours \(since 2024-06-15 09:00 UTC, when the database was created\)/);
  });

  it('takes minStatsDays from .pglens.json, and from the options before it', () => {
    const unused = (r: ReturnType<typeof healthFindings>) => r.findings.filter((f) => f.ruleId === 'unused-index');
    const config = parseConfig({ rules: { 'unused-index': ['warning', { minStatsDays: 0.1 }] } }, '/p/.pglens.json');
    assert.deepEqual(unused(healthFindings(young, 'server', { config })).map((f) => f.index), ['t_a_idx']);
    assert.deepEqual(unused(healthFindings(young, 'server', { config, unusedMinStatsDays: 1 })), []);
    assert.deepEqual(unused(healthFindings(young, 'server', { unusedMinStatsDays: 0 })).map((f) => f.index), ['t_a_idx']);
  });

  it('says nothing about a rule turned off', () => {
    const config = parseConfig({ rules: { 'unused-index': 'off' } }, '/p/.pglens.json');
    const { findings, notes } = healthFindings(young, 'server', { config });
    assert.ok(!findings.some((f) => f.ruleId === 'unused-index'));
    assert.deepEqual(notes, []);
  });

  it('is not judged on the embedded sandbox at all', () => {
    const { notes } = healthFindings(young, 'embedded');
    assert.ok(!notes.some((n) => n.startsWith('unused-index:')));
  });
});

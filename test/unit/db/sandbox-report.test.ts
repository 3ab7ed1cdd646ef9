import * as assert from 'node:assert/strict';
import { sandboxDataLines, sandboxDataNote, sandboxSummary, type SandboxReport } from '../../../src/core/db/sandbox-report';

const base: SandboxReport = {
  files: ['m/001.sql', 'm/002.sql', 'm/003.sql'],
  applied: ['m/001.sql', 'm/003.sql'],
  failed: [{ file: 'm/002.sql', line: 4, message: 'column "x" does not exist' }],
  fromCache: false,
  buildMs: 2345,
  extensions: [],
  missingExtensions: [],
  pgliteVersion: '0.5.14',
};

describe('sandboxSummary', () => {
  it('says how many migrations applied and failed, and how long the build took', () => {
    assert.equal(sandboxSummary(base), '2 migration(s) applied in 2.3 s, 1 failed');
  });

  it('says when the database came from the cache', () => {
    assert.equal(sandboxSummary({ ...base, fromCache: true, buildMs: 640 }), '2 migration(s) applied (from cache) in 0.6 s, 1 failed');
  });

  it('says how much of a build was reused and how much replayed', () => {
    assert.equal(sandboxSummary({ ...base, reusedFiles: 2 }), '2 migration(s) applied (the first 2 from a cached build, 1 replayed) in 2.3 s, 1 failed');
  });
});

describe('sandboxSummary: the migration runner', () => {
  it('names the runner the sandbox detected', () => {
    assert.equal(
      sandboxSummary({ ...base, runners: [{ folder: 'db/migrations', runner: 'goose', migrations: 3 }] }),
      '2 migration(s) applied in 2.3 s, 1 failed; runner goose',
    );
  });

  it('names each folder\'s runner when there are several', () => {
    const runners = [
      { folder: 'a', runner: 'golang-migrate', migrations: 2 },
      { folder: '', runner: 'plain', migrations: 1 },
    ];
    assert.equal(sandboxSummary({ ...base, runners }), '2 migration(s) applied in 2.3 s, 1 failed; runners golang-migrate (a), plain (.)');
  });
});

describe('sandbox data in the report', () => {
  const data: NonNullable<SandboxReport['data']> = {
    source: 'defaults',
    scale: 1,
    rows: 412_000,
    tables: 23,
    typicalRows: 20_000,
    emptyTables: ['public.audit'],
    problems: [{ table: 'public.audit', status: 'failed', rows: 0, target: 20_000, cause: 'new row violates check constraint "audit_hash_check"', constraint: 'audit_hash_check' }],
    notes: ['stats file: 1 table(s) not in this schema, ignored: public.old', 'FK x filled by UPDATE'],
    ms: 5400,
  };

  it('says what the plans rest on: generated, at what size, not production timings', () => {
    assert.equal(sandboxDataNote(data), 'sandbox data: generated, 412,000 rows in 23 table(s), about 20,000 per table; plans show the shape at this scale, not production timings');
    assert.equal(
      sandboxDataNote({ ...data, source: 'stats', statsFile: 'db/stats.json', scale: 0.1, keptRows: 40 }),
      'sandbox data: shaped by db/stats.json at scale 0.1, 412,000 rows (and 40 the migrations inserted) in 23 table(s), about 20,000 per table; plans show the shape at this scale, not production timings',
    );
    assert.match(sandboxDataNote({ ...data, error: 'out of memory' }), /\(the fill stopped: out of memory\)$/);
    assert.equal(sandboxDataNote(undefined), 'sandbox data: none generated (sandbox.data is false): tables hold only what the migrations insert');
  });

  it('counts the generated rows in the summary and lists what went short for the CLI', () => {
    assert.match(sandboxSummary({ ...base, data }), /, 1 failed; 412,000 generated row\(s\) in 23 table\(s\)$/);
    assert.deepEqual(sandboxDataLines({ ...base, data }), [
      'sandbox data: public.audit: 0 of 20,000 rows (failed): new row violates check constraint "audit_hash_check"',
      'sandbox data: stats file: 1 table(s) not in this schema, ignored: public.old',
    ]);
    assert.deepEqual(sandboxDataLines(base), []);
  });
});

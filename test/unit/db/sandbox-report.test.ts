import * as assert from 'node:assert/strict';
import { sandboxSummary, type SandboxReport } from '../../../src/core/db/sandbox-report';

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

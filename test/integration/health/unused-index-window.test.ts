import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { healthReport } from '../../../src/core/health/findings';
import { tableSummaries } from '../../../src/core/health/table-summary';
import { statsWindow } from '../../../src/core/health/unused-index';
import { requireServer, serverUrl } from '../db/test-env';
import { PgQueryConnection } from './pg-adapter';

/**
 * unused-index waits until the usage statistics cover minStatsDays (default 7) before it calls an
 * index with 0 scans unused. On the real server, in a scratch database of its own: a new database
 * is young by construction, and pg_stat_reset() (per database) makes its statistics young again
 * without touching those of `test`. Both are dropped afterwards, with the role made for the
 * no-privilege case.
 */
describe('unused-index: the statistics window on a live server', function () {
  this.timeout(60_000);
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const database = `pglens_unused_${suffix}`;
  const role = `pglens_unused_role_${suffix}`;
  let admin: PgQueryConnection | undefined;
  let conn: PgQueryConnection | undefined;

  const urlOf = (user?: string): string => {
    const url = new URL(serverUrl());
    url.pathname = `/${database}`;
    if (user) {
      url.username = user;
      url.password = '';
    }
    return url.toString();
  };

  before(async function () {
    await requireServer(this, 'unused-index window tests');
    admin = await PgQueryConnection.open();
    await admin.query(`CREATE DATABASE ${database} TEMPLATE template0`);
    conn = await PgQueryConnection.open(urlOf());
    await conn.query(`
      CREATE TABLE t (
        id bigint PRIMARY KEY,
        a int,
        b int CONSTRAINT t_b_key UNIQUE,
        during int4range,
        CONSTRAINT t_no_overlap EXCLUDE USING gist (during WITH &&)
      );
      CREATE INDEX t_a_idx ON t (a);
      CREATE UNIQUE INDEX t_a_b_uidx ON t (a, b);
      INSERT INTO t SELECT g, g, g, int4range(g * 10, g * 10 + 5) FROM generate_series(1, 100) g;
      ANALYZE t;`);
  });

  after(async function () {
    await conn?.close();
    if (!admin) return;
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.close();
  });

  it('a database created seconds ago: no index is judged unused, and the report says why, once', async () => {
    const report = await healthReport(conn!);
    assert.equal(report.statsReset, null, 'a new database has no reset recorded');
    assert.ok(report.catalog.server.databaseCreated, 'the superuser reads the creation time');
    assert.ok(report.catalog.server.serverNow && report.catalog.server.sharedStatsReset);
    const window = statsWindow(report.catalog.server, report.catalog.readAt);
    assert.equal(window.kind, 'known');
    assert.ok(window.kind === 'known' && window.basis === 'created' && window.ms < 600_000, JSON.stringify(window));
    assert.deepEqual(report.findings.filter((f) => f.ruleId === 'unused-index'), []);
    const notes = report.notes.filter((n) => n.startsWith('unused-index:'));
    assert.equal(notes.length, 1, report.notes.join('\n'));
    assert.match(notes[0], new RegExp(`statistics of database ${database} cover only \\d+ minutes? \\(since .* UTC, when the database was created\\)`));
  });

  it('judged with minStatsDays 0: only the plain index, never the primary key, unique or exclusion indexes', async () => {
    const report = await healthReport(conn!, { unusedMinStatsDays: 0 });
    const unused = report.findings.filter((f) => f.ruleId === 'unused-index');
    assert.deepEqual(unused.map((f) => f.index), ['t_a_idx']);
    assert.match(unused[0].message, /has not been scanned in the \d+ minutes? since .* \(when the database was created\)/);
    assert.ok(!report.notes.some((n) => n.startsWith('unused-index:')));
    // All four others do have 0 scans: they are left out for what they enforce.
    const zero = report.indexes.filter((i) => i.scans === 0).map((i) => i.name).sort();
    assert.deepEqual(zero, ['t_a_b_uidx', 't_a_idx', 't_b_key', 't_no_overlap', 't_pkey']);
    // The Prisma lens counts the same indexes (without the window).
    const [summary] = await tableSummaries(conn!, [{ schema: 'public', table: 't' }]);
    assert.equal(summary.unusedIndexes, 1);
  });

  it('a role that may not read the creation time: no error, and the server-wide statistics bound the window', async function () {
    await admin!.query(`CREATE ROLE ${role} LOGIN`);
    await admin!.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
    let plain: PgQueryConnection;
    try {
      plain = await PgQueryConnection.open(urlOf(role));
    } catch (e) {
      // A server that asks for a password (not trust) cannot log this role in: nothing to test there.
      if (/password|authentication/i.test((e as Error).message)) return this.skip();
      throw e;
    }
    try {
      const report = await healthReport(plain, { schemas: ['public'] });
      assert.equal(report.catalog.server.databaseCreated, null);
      // No reset recorded and no creation time: only the server-wide statistics bound the window.
      const window = statsWindow(report.catalog.server, report.catalog.readAt);
      assert.equal(window.kind, 'bounded', JSON.stringify(window));
      const unused = report.findings.filter((f) => f.ruleId === 'unused-index');
      if (window.kind === 'bounded' && window.atMostMs < 7 * 86_400_000) {
        // A server whose statistics are days old at most (a new cluster, a crash): nothing judged.
        assert.deepEqual(unused, []);
        assert.match(report.notes.find((n) => n.startsWith('unused-index:')) ?? '', /cover at most \d+ \w+ \(the server-wide statistics were last reset or lost at /);
      } else {
        // Older: judged, saying the window is unknown to this role.
        assert.deepEqual(unused.map((f) => f.index), ['t_a_idx']);
        assert.match(unused[0].message, /How long the statistics cover is at most \d+ days .*not readable by this role/);
      }
    } finally {
      await plain.close();
    }
  });

  it('after pg_stat_reset(): the window starts at the reset', async () => {
    await conn!.query('SELECT pg_stat_reset()');
    const report = await healthReport(conn!);
    assert.ok(report.statsReset, 'the reset is recorded');
    const window = statsWindow(report.catalog.server, report.catalog.readAt);
    assert.ok(window.kind === 'known' && window.basis === 'reset' && window.since === report.statsReset, JSON.stringify(window));
    assert.deepEqual(report.findings.filter((f) => f.ruleId === 'unused-index'), []);
    assert.match(report.notes.find((n) => n.startsWith('unused-index:')) ?? '', /cover only \d+ minutes? \(since .* UTC, when the last statistics reset of this database\)/);
    const judged = await healthReport(conn!, { unusedMinStatsDays: 0 });
    assert.deepEqual(judged.findings.filter((f) => f.ruleId === 'unused-index').map((f) => f.index), ['t_a_idx']);
  });
});

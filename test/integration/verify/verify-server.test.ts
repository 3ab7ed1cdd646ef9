import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/core/config';
import { runnerSetsUnder } from '../../../src/core/lint/migration-lint';
import { diffSnapshots } from '../../../src/core/migrations/verify/diff';
import { snapshotCatalog } from '../../../src/core/migrations/verify/snapshot';
import { serverTarget } from '../../../src/core/migrations/verify/targets';
import { verifyMigrations } from '../../../src/core/migrations/verify/verify';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { requireServer, serverUrl, withServerClient } from '../db/test-env';
import { describeVerifyContract } from './verify-contract';

const admin = withServerClient;

const scratchCount = () => admin(async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'pglens_verify_%'")).rows[0].n as number);

describe('rollback verification on the server', function () {
  before(async function () {
    await loadSqlParser();
    await requireServer(this, 'rollback verification on the server');
  });
  // Each database is created by pglens on the server and dropped at close: the test database itself is not touched.
  describeVerifyContract('PostgreSQL server (a scratch database per run)', {
    create: (setup, options) => serverTarget(serverUrl(), setup, options),
    dropRole: (name) => admin((c) => c.query(`DROP ROLE IF EXISTS ${name}`).then(() => undefined)),
  });

  describe('what only a server does', function () {
    this.timeout(120_000);
    const dirs: string[] = [];
    const roles: string[] = [];
    after(async () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      await admin(async (c) => {
        for (const r of roles) await c.query(`DROP ROLE IF EXISTS ${r}`);
      });
    });
    const setsOf = (files: Record<string, string>) => {
      const dir = mkdtempSync(join(tmpdir(), 'pglens-verify-server-'));
      dirs.push(dir);
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
      return runnerSetsUnder(dir, { config: defaultConfig(dir) }).map((rs) => rs.set);
    };
    const FILES = {
      'm/00001_a.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n',
      'm/00003_c.sql': '-- +goose Up\nCREATE TABLE c (id int);\n-- +goose Down\nDROP TABLE c;\n',
    };

    it('a part running past the limit has its statement cancelled: reported as having run too long, the migrations after it verified', async () => {
      const before = await scratchCount();
      const endless = '-- +goose StatementBegin\nDO $$ BEGIN LOOP END LOOP; END $$;\n-- +goose StatementEnd\n';
      const started = Date.now();
      const down = await verifyMigrations(setsOf({ ...FILES, 'm/00002_loop.sql': `-- +goose Up\nCREATE TABLE b (id int);\n-- +goose Down\n${endless}DROP TABLE b;\n` }), {
        target: await serverTarget(serverUrl(), undefined),
        snapshot: snapshotCatalog,
        diff: diffSnapshots,
        partTimeoutMs: 1500,
      });
      assert.ok(Date.now() - started < 30_000);
      assert.deepEqual(down.verdicts.map((v) => [v.id, v.kind, v.timedOut?.part]), [['00001_a', 'verified', undefined], ['00002_loop', 'unverifiable', 'down'], ['00003_c', 'verified', undefined]]);
      assert.equal(down.verdicts[1].reason, 'its down ran longer than 1.5 s and was stopped');
      const up = await verifyMigrations(setsOf({ ...FILES, 'm/00002_loop.sql': `-- +goose Up\n${endless}-- +goose Down\nSELECT 1;\n` }), {
        target: await serverTarget(serverUrl(), undefined),
        snapshot: snapshotCatalog,
        diff: diffSnapshots,
        partTimeoutMs: 1500,
      });
      assert.deepEqual(up.verdicts.map((v) => [v.id, v.kind, v.timedOut?.part]), [['00001_a', 'verified', undefined], ['00002_loop', 'unverifiable', 'up'], ['00003_c', 'skipped', undefined]]);
      assert.match(up.verdicts[2].reason!, /an earlier migration \(00002_loop\) ran longer than 1\.5 s/);
      assert.equal(await scratchCount(), before);
    });

    it('a cancel (Ctrl-C) cancels the statement running on the server: not verified, not failing, the scratch database dropped', async () => {
      const before = await scratchCount();
      const controller = new AbortController();
      const sets = setsOf({ ...FILES, 'm/00002_sleep.sql': '-- +goose Up\nCREATE TABLE s (id int);\nSELECT pg_sleep(60);\n-- +goose Down\nDROP TABLE s;\n' });
      const started = Date.now();
      const running = verifyMigrations(sets, {
        target: await serverTarget(serverUrl(), undefined),
        snapshot: snapshotCatalog,
        diff: diffSnapshots,
        signal: controller.signal,
        onPart: ({ id }) => {
          if (id === '00002_sleep') setTimeout(() => controller.abort(), 500);
        },
      });
      const report = await running;
      assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
      assert.equal(report.cancelled, true);
      assert.deepEqual(report.verdicts.map((v) => [v.id, v.kind]), [['00001_a', 'verified'], ['00002_sleep', 'skipped'], ['00003_c', 'skipped']]);
      assert.equal(await scratchCount(), before);
      const sleeping = await admin(async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()")).rows[0].n);
      assert.equal(sleeping, 0);
    });

    it('a setup that creates a role works run after run (roles are server-wide: the second finds it and uses it)', async () => {
      const role = `pglens_setup_${Math.random().toString(36).slice(2, 10)}`;
      roles.push(role);
      const sets = setsOf({ 'm/00001_t.sql': `-- +goose Up\nCREATE TABLE t (id int);\nGRANT SELECT ON t TO ${role};\n-- +goose Down\nDROP TABLE t;\n` });
      const notes: string[] = [];
      for (let run = 0; run < 2; run++) {
        const report = await verifyMigrations(sets, {
          target: await serverTarget(serverUrl(), `CREATE ROLE ${role};\nCREATE SCHEMA IF NOT EXISTS extra;\n`, { onNote: (m) => notes.push(m) }),
          snapshot: snapshotCatalog,
          diff: diffSnapshots,
        });
        assert.deepEqual(report.verdicts.map((v) => v.kind), ['verified'], `run ${run + 1}`);
      }
      assert.deepEqual(notes, [
        `the sandbox setup created role ${role} on the --db server: roles belong to the whole server and stay after the verification (the next run uses it as it is)`,
        `role ${role} exists already on the --db server: the sandbox setup's CREATE ROLE is skipped and the role used as it is`,
      ]);
      // Any other failure of the setup is still the setup's.
      await assert.rejects(async () => (await serverTarget(serverUrl(), `CREATE ROLE ${role};\nCREATE TABLE nope (;\n`)).open(), /the sandbox setup SQL fails: syntax error/);
    });

    it('CREATEDB is named only when the role may not create databases; a connection error says what it is', async () => {
      const refused = serverTarget('postgresql://postgres@127.0.0.1:1/postgres', undefined).then((t) => t.open());
      await assert.rejects(refused, (e: Error) => /^cannot connect to the --db server: could not connect to 127\.0\.0\.1:1\/postgres: connection refused/.test(e.message) && !/CREATEDB/.test(e.message));
      const role = `pglens_nocreatedb_${Math.random().toString(36).slice(2, 10)}`;
      roles.push(role);
      await admin((c) => c.query(`CREATE ROLE ${role} LOGIN NOCREATEDB`));
      const url = new URL(serverUrl());
      url.username = role;
      url.password = '';
      await assert.rejects(
        (await serverTarget(url.toString(), undefined)).open(),
        (e: Error) => e.message.includes(`the --db role ${role} may not create databases (permission denied to create database)`) && /use a role with CREATEDB/.test(e.message),
      );
    });
  });
});

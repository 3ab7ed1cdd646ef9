/**
 * What Create migration… writes runs: for each runner, a folder with a couple of migrations
 * (test/unit/health/runner-projects.ts), the index for a foreign key planned and written as
 * the editor writes it, the folder read back with the runner model, and every up replayed on
 * the real server with the runner's transaction semantics (run-as-runner.ts: 'none' = each
 * statement on its own, dbmate and diesel one string), in a scratch schema of the test
 * database that is dropped afterwards. The new index must exist; then the new migration's
 * down, run the same way, must drop it.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { createIndexSql, dropIndexSql } from '../../../src/core/health/fix-sql';
import type { HealthFinding } from '../../../src/core/health/health-finding';
import { migrationFileFor } from '../../../src/core/health/migration-file';
import { readMigrationSets } from '../../../src/core/migrations/read';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { makeProject, RUNNER_PROJECTS, writePlanned } from '../../unit/health/runner-projects';
import { requireServer } from '../db/test-env';
import { databaseConfig, NONE_AS_ONE_STRING, replayUps, statementsOf } from '../lint/run-as-runner';

describe('Create migration… output runs on PostgreSQL as its runner runs it', function () {
  this.timeout(60_000);
  let client: Client;

  before(async function () {
    await requireServer(this, 'Create migration on the server');
    await loadSqlParser();
    client = new Client({ ...databaseConfig(), connectionTimeoutMillis: 5000 });
    await client.connect();
  });
  after(async () => {
    await client?.end().catch(() => undefined);
  });

  for (const [name, p] of Object.entries(RUNNER_PROJECTS)) {
    it(name, async () => {
      const schema = `pglens_create_migration_${randomBytes(4).toString('hex')}`;
      const dir = makeProject(p.files);
      const fk: HealthFinding = {
        ruleId: 'fk-without-index',
        severity: 'warning',
        message: `foreign key orders_customer_id_fkey on ${schema}.orders has no index`,
        schema,
        table: 'orders',
        columns: ['customer_id'],
        fixSql: createIndexSql(schema, 'orders', ['customer_id'], 'orders_customer_id_idx'),
        revertSql: dropIndexSql(schema, 'orders_customer_id_idx'),
      };
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
        await client.query(`SET search_path TO ${schema}`);
        const plan = await migrationFileFor(fk, dir, new Date());
        writePlanned(plan);
        const sets = readMigrationSets(dir).filter((s) => s.folder === '');
        const result = await replayUps(client, sets);
        assert.equal(result.failure, undefined, JSON.stringify(result.failure));
        const indexExists = async () =>
          (await client.query('SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [schema, 'orders_customer_id_idx'])).rowCount === 1;
        assert.ok(await indexExists(), 'the new migration did not build the index');

        if (!p.down) return;
        const last = sets[0].migrations.at(-1)!;
        assert.equal(last.downTransaction ?? last.transaction, 'none');
        const down = last.down!.text;
        const chunks = NONE_AS_ONE_STRING.has(sets[0].runner) ? [down] : statementsOf(down).map((s) => s.text);
        for (const c of chunks) await client.query(c);
        assert.ok(!(await indexExists()), 'the down did not drop the index');
      } finally {
        await client.query('RESET search_path').catch(() => undefined);
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

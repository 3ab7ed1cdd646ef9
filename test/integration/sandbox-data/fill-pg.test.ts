import * as assert from 'node:assert/strict';
import { Client } from 'pg';
import { fillDatabase } from '../../../src/core/sandbox-data';
import { requireServer, serverConfig, uniqueName } from '../db/test-env';
import { contractFill, orphanCounts, validateContract, type Session } from './fill-contract';

/**
 * The generator on a PostgreSQL server through a pg Client: the contract schema in a scratch
 * database (created and dropped here), with triggers off (superuser) and on.
 */
describe('sandbox data on PostgreSQL', function () {
  this.timeout(300_000);
  let admin: Client | undefined;
  const databases: string[] = [];

  before(async function () {
    await requireServer(this, 'sandbox data on PostgreSQL');
    admin = new Client({ ...serverConfig(), database: 'postgres' });
    await admin.connect();
  });
  after(async () => {
    for (const d of databases) await admin?.query(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
  });

  async function scratch(): Promise<{ client: Client; s: Session }> {
    const name = uniqueName('pglens_fill');
    await admin!.query(`CREATE DATABASE ${name}`);
    databases.push(name);
    const client = new Client({ ...serverConfig(), database: name });
    await client.connect();
    return { client, s: { query: async (q) => (await client.query(q)).rows, exec: async (q) => void (await client.query(q)) } };
  }

  it('fills the contract schema with triggers off: every table, no orphan, no duplicate, CHECKs hold', async () => {
    const { client, s } = await scratch();
    try {
      const report = await contractFill(s);
      assert.equal(report.triggersDisabled, true);
      await validateContract(s, report);
      assert.deepEqual(report.unsupported, []);
    } finally {
      await client.end();
    }
  });

  it('fills it with triggers on (FK checks run): the same validation holds', async () => {
    const { client, s } = await scratch();
    try {
      const report = await contractFill(s, { disableTriggers: false, rowsPerTable: 1000 });
      assert.equal(report.triggersDisabled, false);
      await validateContract(s, report);
    } finally {
      await client.end();
    }
  });

  it('appends past the rows already there with existingRows: append', async () => {
    const { client, s } = await scratch();
    try {
      await s.exec(`CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE NOT NULL, parent int REFERENCES t)`);
      await s.exec(`INSERT INTO t VALUES (1, 'code-0', NULL)`);
      const report = await fillDatabase(s.query, s.exec, { rowsPerTable: 500, existingRows: 'append' });
      assert.ok(report.tables[0].rows >= 490, JSON.stringify(report.tables[0]));
      assert.deepEqual((await orphanCounts(s)).filter((o) => o.orphans > 0), []);
    } finally {
      await client.end();
    }
  });
});

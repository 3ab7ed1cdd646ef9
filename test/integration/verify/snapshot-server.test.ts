import { Client } from 'pg';
import { requireServer, serverConfig, uniqueName } from '../db/test-env';
import { describeSnapshotContract } from './snapshot-contract';

/**
 * The snapshot contract on the test server: each database is a fresh `pglens_snap_…`, dropped
 * at close; the test database itself is only used to create and drop them.
 */
async function scratchDatabase() {
  const admin = new Client(serverConfig());
  await admin.connect();
  const name = uniqueName('pglens_snap');
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const client = new Client({ ...serverConfig(), connectionString: undefined, database: name });
  await client.connect();
  return {
    query: async (sql: string) => (await client.query<Record<string, unknown>>(sql)).rows,
    exec: async (sql: string) => {
      await client.query(sql);
    },
    close: async () => {
      await client.end().catch(() => undefined);
      const drop = new Client(serverConfig());
      await drop.connect();
      try {
        await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await drop.end();
      }
    },
  };
}

describeSnapshotContract('PostgreSQL server (a scratch database each)', {
  extension: 'citext',
  create: async (ctx) => {
    if (ctx) await requireServer(ctx, 'catalog snapshot on the server');
    return scratchDatabase();
  },
});

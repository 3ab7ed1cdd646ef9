import { serverTarget } from '../../../src/core/migrations/verify/targets';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { Client } from 'pg';
import { requireServer, serverConfig, serverUrl } from '../db/test-env';
import { describeVerifyContract } from './verify-contract';


describe('rollback verification on the server', function () {
  before(async function () {
    await loadSqlParser();
    await requireServer(this, 'rollback verification on the server');
  });
  // Each database is created by pglens on the server and dropped at close: the test database itself is not touched.
  describeVerifyContract('PostgreSQL server (a scratch database per run)', {
    create: (setup) => serverTarget(serverUrl(), setup),
    dropRole: async (name) => {
      const client = new Client(serverConfig());
      await client.connect();
      try {
        await client.query(`DROP ROLE IF EXISTS ${name}`);
      } finally {
        await client.end();
      }
    },
  });
});

import { serverTarget } from '../../../src/core/migrations/verify/targets';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { requireServer, serverUrl } from '../db/test-env';
import { describeGenerateDownContract } from './generate-down-contract';

describe('generated downs on the server', function () {
  before(async function () {
    await loadSqlParser();
    await requireServer(this, 'generated downs on the server');
  });
  // runDown creates (and drops) its scratch databases on the server; the test database itself is not touched.
  describeGenerateDownContract('PostgreSQL server (scratch databases)', { db: serverUrl(), target: () => serverTarget(serverUrl(), undefined) });
});

import { PgConnection } from '../../../src/core/db/pg-connection';
import { serverConfig } from '../db/test-env';
import { describeNoServerChange } from './no-server-change';

/**
 * Explain on the real server, plain and ANALYZE, every hostile statement on ONE connection
 * reused throughout: the editor's long-lived connection, which must come back from each
 * Explain holding no lock, no transaction, no remote connection and no changed setting.
 */
describeNoServerChange('Explain on the real server (one long-lived connection)', {
  kind: 'server',
  exercise: 'explain',
  startTimeoutMs: 20_000,
  open: async () => new PgConnection(serverConfig()),
});

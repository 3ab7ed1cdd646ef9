import { PgConnection } from '../../../src/core/db/pg-connection';
import { serverConfig } from '../db/test-env';
import { describeNoServerChange } from './no-server-change';

/** The CLI's --timeout for `pglens advise`: the session's statement_timeout. */
const STATEMENT_TIMEOUT_MS = 3000;

/**
 * The index advisor on the real server (HypoPG), every hostile statement with its `--param`
 * values: it may refuse, fail or suggest, but it never commits anything and never leaves
 * anything behind (not even the hypopg extension).
 */
describeNoServerChange('adviseIndexes on the real server (HypoPG)', {
  kind: 'server',
  exercise: 'advise',
  startTimeoutMs: 20_000,
  statementTimeoutMs: STATEMENT_TIMEOUT_MS,
  open: async () => new PgConnection({ ...serverConfig(), statementTimeoutMs: STATEMENT_TIMEOUT_MS }),
});

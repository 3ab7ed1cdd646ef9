import { requireServer } from '../db/test-env';
import { PgQueryConnection } from './pg-adapter';

/**
 * Opens the test server for a health suite, or decides the suite cannot run (test-env's
 * requireServer: a failure under CI=true, a loud skip elsewhere).
 */
export async function openTestServer(ctx: Mocha.Context, suite: string): Promise<PgQueryConnection | undefined> {
  await requireServer(ctx, suite);
  return PgQueryConnection.open();
}

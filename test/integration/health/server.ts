import { PgQueryConnection, testConnectionString } from './pg-adapter';

/**
 * Opens the test server, or decides the suite cannot run: under CI=true a missing server is a
 * failure; elsewhere the suite is skipped with a loud line so nobody mistakes it for a pass.
 */
export async function openTestServer(ctx: Mocha.Context, suite: string): Promise<PgQueryConnection | undefined> {
  try {
    return await PgQueryConnection.open();
  } catch (e) {
    const reason = `${suite}: no PostgreSQL at ${testConnectionString()} (${e instanceof Error ? e.message : String(e)})`;
    if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires the server`);
    console.log(`\n  *** SKIPPED ${reason} — start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start ***\n`);
    ctx.skip();
    return undefined;
  }
}

/** A fresh schema name per run, so parallel runs and leftovers never collide. */
export function uniqueSchemaName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

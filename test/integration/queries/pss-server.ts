import { Client } from 'pg';

/**
 * The server with pg_stat_statements preloaded that the runtime N+1 tests use: PGLENS_PSS_URL,
 * else the `pss` cluster .ci/pss-cluster creates on 127.0.0.1:5433. The main test server does
 * not preload it, and tests do not change its settings.
 */
export function pssUrl(): string {
  return process.env.PGLENS_PSS_URL ?? 'postgresql://postgres@127.0.0.1:5433/postgres';
}

/** The same server, another database. */
export function pssDatabaseUrl(database: string): string {
  const url = new URL(pssUrl());
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function target(): string {
  return process.env.PGLENS_PSS_URL ? 'PGLENS_PSS_URL' : '127.0.0.1:5433';
}

/** undefined when the server answers and has pg_stat_statements loaded, else why not. */
export async function pssUnavailable(): Promise<string | undefined> {
  const client = new Client({ connectionString: pssUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    return `no PostgreSQL at ${target()} (${(e as Error).message || String(e)})`;
  }
  try {
    const r = await client.query<{ v: string }>(`SELECT current_setting('shared_preload_libraries') AS v`);
    if (!/\bpg_stat_statements\b/.test(r.rows[0]?.v ?? '')) return `the server at ${target()} does not preload pg_stat_statements (shared_preload_libraries = '${r.rows[0]?.v ?? ''}')`;
    return undefined;
  } catch (e) {
    return `the server at ${target()} cannot be read (${(e as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Under CI=true a missing server fails the suite (.ci/run creates it); elsewhere the suite is skipped, loudly. */
export async function requirePssServer(ctx: Mocha.Context, suite: string): Promise<void> {
  const why = await pssUnavailable();
  if (!why) return;
  const line = `${suite}: ${why}`;
  if (process.env.CI === 'true') throw new Error(`${line} — CI=true requires the pg_stat_statements server (.ci/run creates it with .ci/pss-cluster)`);
  console.log(
    `\n  *** SKIPPED ${line} — these tests need a server with pg_stat_statements preloaded: create the pss cluster with \`sudo .ci/pss-cluster\` (port 5433), or set PGLENS_PSS_URL ***\n`,
  );
  ctx.skip();
}

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { PgConnectionConfig } from '../../../src/core/db/pg-connection';
import { processAlive } from '../../../src/core/db/process-alive';

/** Helpers the db integration tests share: where the server is, where the repo is, how to start the sandbox. */

/** The test server: DATABASE_URL, else PG* variables, else 127.0.0.1:5432 user postgres db test. */
export function serverConfig(): PgConnectionConfig {
  const env = process.env;
  if (env.DATABASE_URL) return { connectionString: env.DATABASE_URL, label: 'test server' };
  return {
    host: env.PGHOST ?? '127.0.0.1',
    port: Number(env.PGPORT ?? 5432),
    user: env.PGUSER ?? 'postgres',
    database: env.PGDATABASE ?? 'test',
    password: env.PGPASSWORD,
    label: 'test server',
  };
}

/** The same server as a connection URL, for the CLI's `--db`. */
export function serverUrl(): string {
  const c = serverConfig();
  if (c.connectionString) return c.connectionString;
  const auth = encodeURIComponent(c.user ?? 'postgres') + (c.password ? `:${encodeURIComponent(c.password)}` : '');
  return `postgresql://${auth}@${c.host}:${c.port}/${encodeURIComponent(c.database ?? 'test')}`;
}

export function serverTarget(): string {
  const c = serverConfig();
  return c.connectionString ? 'DATABASE_URL' : `${c.host}:${c.port}/${c.database}`;
}

/** undefined when the server answers, else why not. */
export async function serverUnavailable(): Promise<string | undefined> {
  const client = new Client({ ...serverConfig(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    return (e as Error).message || String(e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Under CI=true a missing server fails the suite; elsewhere it is skipped, loudly. */
export async function requireServer(ctx: Mocha.Context, suite = 'server tests'): Promise<void> {
  const why = await serverUnavailable();
  if (!why) return;
  const line = `${suite}: no PostgreSQL at ${serverTarget()} (${why})`;
  if (process.env.CI === 'true') throw new Error(`${line} — CI=true requires the server`);
  console.log(`\n  *** SKIPPED ${line} — start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start ***\n`);
  ctx.skip();
}

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export function fixture(name: string): string {
  return path.join(repoRoot(), 'test', 'fixtures', 'migrations', name);
}

/**
 * The sandbox process entry for tests. From TypeScript sources (mocha + tsx) the child runs
 * the .ts entry with `--import tsx`; from compiled output (out/) it runs the .js next to us.
 */
export function sandboxWorker(): { workerScript: string; execArgv: string[] } {
  if (__filename.endsWith('.ts')) {
    return { workerScript: path.join(repoRoot(), 'src', 'core', 'db', 'sandbox-process.ts'), execArgv: ['--import', 'tsx'] };
  }
  return { workerScript: path.resolve(__dirname, '..', '..', '..', 'src', 'core', 'db', 'sandbox-process.js'), execArgv: [] };
}

/**
 * A throwaway sandbox cache. `remove` first waits for closed sandboxes still copying for the
 * next start (their `tmp-<pid>-…` dirs), which would otherwise race the removal.
 */
export function tempCacheDir(): { dir: string; remove(): Promise<void> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pglens-sandbox-test-'));
  return { dir, remove: () => removeSettled(dir) };
}

/** Is a sandbox process that exited its caller still copying somewhere under `dir` (a live `tmp-<pid>-…`)? */
function copyingUnder(dir: string, depth = 6): boolean {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    if (e.name.startsWith('tmp-') && processAlive(Number(e.name.split('-')[1]))) return true;
    if (depth > 0 && copyingUnder(path.join(dir, e.name), depth - 1)) return true;
  }
  return false;
}

/**
 * Removes a test's directory once the sandbox processes that outlive a CLI run (they finish
 * copying a build into the cache, a second or so, on their own) are done with it; never
 * throws, so an `after` hook that calls it still closes its connections.
 */
export async function removeSettled(dir: string): Promise<void> {
  for (let i = 0; i < 300 && copyingUnder(dir); i++) await new Promise((r) => setTimeout(r, 100));
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (e) {
    console.warn(`could not remove ${dir}: ${(e as Error).message}`);
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs `work` on a fresh client of the test server (for checks from outside pglens's own session). */
export async function withServerClient<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client(serverConfig());
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

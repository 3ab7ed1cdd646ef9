import type { Client, ClientConfig, QueryConfig, QueryResult as PgResult } from 'pg';

/** `pg` is loaded on first use, not with the extension: its module setup alone costs ~200 ms. */
function newClient(config: ClientConfig): Client {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: pg loads on the first server connection, not at activation
  const { Client: PgClient } = require('pg') as typeof import('pg');
  return new PgClient(config);
}
import type { ConnectionOptions } from 'node:tls';
import { PglensError } from '../errors';
import type { Connection, ExplainOptions, ExplainResult, QueryResult } from './connection';
import { TIMEOUT_HINT, toPglensError, type DbErrorContext } from './db-error';
import { formatVersion, runExplain, type SqlSession } from './explain-runner';

export interface PgConnectionConfig {
  /** A `postgresql://` URL; fields below override its parts. */
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: boolean | ConnectionOptions;
  /** Shown to the user; defaults to `user@host:port/database`. */
  label?: string;
  /** Connect timeout (default 10 s). */
  connectTimeoutMs?: number;
  /** The session's statement_timeout, sent when connecting; default: the server's. */
  statementTimeoutMs?: number;
}

/** How long a cancelled statement may take to stop before pglens ends its session. */
const WATCHDOG_GRACE_MS = 2000;

/**
 * A connection to the user's PostgreSQL server through `pg`: one client, opened lazily,
 * with operations serialised so an explain's BEGIN … ROLLBACK is never interleaved.
 */
export class PgConnection implements Connection {
  readonly kind = 'server' as const;
  readonly label: string;
  private readonly clientConfig: ClientConfig;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private running = false;
  private cancelRequested = false;
  private closed = false;
  private versionNum: number | undefined;
  private notices: string[] = [];
  private readonly where: { target: string; user: string; database: string };

  constructor(config: PgConnectionConfig) {
    this.clientConfig = {
      connectionString: config.connectionString,
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      password: config.password,
      ssl: config.ssl,
      connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
      statement_timeout: config.statementTimeoutMs,
      application_name: 'pglens',
    };
    // `pg` resolves URL, fields and PG* environment defaults; read them back without connecting.
    const probe = newClient(this.clientConfig);
    const host = probe.host.startsWith('/') ? `socket ${probe.host}` : probe.host;
    this.where = { target: `${host}:${probe.port}/${probe.database}`, user: probe.user ?? '', database: probe.database ?? '' };
    this.label = config.label ?? `${probe.user}@${host}:${probe.port}/${probe.database}`;
  }

  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.exclusive(async (client) => {
      const result = await this.run(client, sql, params);
      return { rows: result.rows as R[], fields: result.fields.map((f) => ({ name: f.name })), rowCount: result.rowCount ?? result.rows.length };
    });
  }

  queryOne<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.exclusive(async (client) => {
      const result = await this.runExtended(client, sql, params ?? []);
      return { rows: result.rows as R[], fields: result.fields.map((f) => ({ name: f.name })), rowCount: result.rowCount ?? result.rows.length };
    });
  }

  explain(sql: string, options: ExplainOptions): Promise<ExplainResult> {
    return this.exclusive((client) => {
      const session: SqlSession = {
        run: (text, params) => this.run(client, text, params),
        runSingle: (text, params) => this.runExtended(client, text, params),
        versionNum: () => this.fetchVersion(client),
        takeNotices: () => this.notices.splice(0),
      };
      // The server's statement_timeout ends the statement first; a statement that survives it
      // (a function that catches query_canceled) is ended from here, its session with it.
      let overdue = false;
      const watchdog = setTimeout(() => {
        overdue = true;
        void this.cancel().catch(() => undefined);
      }, options.timeoutMs + WATCHDOG_GRACE_MS);
      return runExplain(session, sql, options, {
        setStatementTimeout: true,
        errorContext: () => this.errorContext(),
        abandonSession: () => this.abandon(client),
      })
        .catch((e: unknown) => {
          if (!overdue) throw e;
          throw new PglensError('timeout', `the statement ran past its ${Math.round(options.timeoutMs / 1000)} s timeout and did not stop when cancelled, so pglens ended its session`, TIMEOUT_HINT);
        })
        .finally(() => clearTimeout(watchdog));
    });
  }

  /**
   * Cancels the running statement with pg_cancel_backend from a side connection. A statement
   * that is still running after a grace period (a function that catches the cancel) has its
   * session ended with pg_terminate_backend: pglens's own session, never left working.
   */
  async cancel(): Promise<void> {
    const client = this.client;
    if (!this.running || !client) return;
    this.cancelRequested = true;
    const pid = (client as unknown as { processID?: number }).processID;
    if (pid === undefined) return;
    const side = newClient(this.clientConfig);
    try {
      await side.connect();
      await side.query('SELECT pg_cancel_backend($1)', [pid]);
      const deadline = Date.now() + WATCHDOG_GRACE_MS;
      while (this.running && this.client === client && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (this.running && this.client === client) {
        this.abandon(client);
        await side.query('SELECT pg_terminate_backend($1)', [pid]);
      }
    } catch (e) {
      throw toPglensError(e, this.errorContext());
    } finally {
      await side.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    this.connecting = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Drops a session that could not be cleaned up; the next call connects afresh. */
  private abandon(client: Client): void {
    if (this.client === client) this.client = undefined;
    void client.end().catch(() => undefined);
  }

  serverVersion(): Promise<string> {
    return this.exclusive(async (client) => formatVersion(await this.fetchVersion(client)));
  }

  private errorContext(): DbErrorContext {
    return { ...this.where, cancelRequested: this.cancelRequested };
  }

  private async run(client: Client, sql: string, params?: unknown[]): Promise<PgResult> {
    if (this.cancelRequested) throw new PglensError('cancelled', 'the statement was cancelled', 'run it again when ready');
    const result = await client.query(sql, params && params.length > 0 ? params : undefined);
    // A simple-protocol string with several statements yields one result per statement.
    return Array.isArray(result) ? (result[result.length - 1] as PgResult) : result;
  }

  private runExtended(client: Client, text: string, params: unknown[]): Promise<PgResult> {
    if (this.cancelRequested) throw new PglensError('cancelled', 'the statement was cancelled', 'run it again when ready');
    // `queryMode` (pg ≥ 8.11) is missing from @types/pg.
    const config = { text, values: params, queryMode: 'extended' } as QueryConfig;
    return client.query(config);
  }

  private async fetchVersion(client: Client): Promise<number> {
    if (this.versionNum === undefined) {
      const r = await client.query<{ server_version_num: string }>('SHOW server_version_num');
      this.versionNum = Number(r.rows[0].server_version_num);
    }
    return this.versionNum;
  }

  private exclusive<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      const client = await this.connect();
      this.running = true;
      this.cancelRequested = false;
      try {
        return await work(client);
      } catch (e) {
        throw toPglensError(e, this.errorContext());
      } finally {
        this.running = false;
        this.cancelRequested = false;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private connect(): Promise<Client> {
    if (this.closed) {
      return Promise.reject(new PglensError('connection-failed', `the connection to ${this.where.target} was closed`, 'open a new connection'));
    }
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = newClient(this.clientConfig);
      client.on('notice', (n) => this.notices.push(n.message ?? String(n)));
      // A lost connection is reported on the next call, which reconnects.
      client.on('error', () => {
        if (this.client === client) this.client = undefined;
      });
      client.on('end', () => {
        if (this.client === client) this.client = undefined;
      });
      try {
        await client.connect();
      } catch (e) {
        await client.end().catch(() => undefined);
        throw toPglensError(e, this.errorContext());
      } finally {
        this.connecting = undefined;
      }
      this.client = client;
      return client;
    })();
    return this.connecting;
  }
}

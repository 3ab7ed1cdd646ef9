import { Client } from 'pg';
import type { Connection, QueryResult } from '../../../src/core/db/connection';
import { serverUrl } from '../db/test-env';

/**
 * The smallest Connection over `pg` the health code needs (it only calls `query`), so these
 * tests do not depend on the full PgConnection. The test server is test-env's (DATABASE_URL, PG*).
 */
export class PgQueryConnection implements Connection {
  readonly kind = 'server' as const;
  readonly label = 'integration test server';

  private constructor(readonly client: Client) {}

  static async open(connectionString = serverUrl()): Promise<PgQueryConnection> {
    const client = new Client({ connectionString, connectionTimeoutMillis: 3000 });
    await client.connect();
    return new PgQueryConnection(client);
  }

  async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const result = await this.client.query(sql, params);
    // A multi-statement string (seeding) yields one result per statement: keep the last.
    const r = Array.isArray(result) ? (result[result.length - 1] as typeof result) : result;
    return { rows: r.rows as R[], fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.rowCount ?? 0 };
  }

  async queryOne<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    // `queryMode` (pg ≥ 8.11) is missing from @types/pg.
    const r = await this.client.query({ text: sql, values: params ?? [], queryMode: 'extended' } as import('pg').QueryConfig);
    return { rows: r.rows as R[], fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.rowCount ?? 0 };
  }

  explain(): never {
    throw new Error('the health tests never explain');
  }

  async cancel(): Promise<void> {}

  async close(): Promise<void> {
    await this.client.end();
  }

  async serverVersion(): Promise<string> {
    const r = await this.client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    return r.rows[0].v.split(' ')[0];
  }
}

/**
 * The sandbox method builds real indexes (a SHARE lock for each build) and runs the statement
 * with ANALYZE: forced on a server connection, the advisor refuses before sending anything.
 */
import { strict as assert } from 'node:assert';
import type { Connection, QueryResult } from '../../../src/core/db/connection';
import { adviseIndexes } from '../../../src/core/advise/advise';
import { isPglensError } from '../../../src/core/errors';

/** A server connection that records every statement it is sent. */
class RecordingServer implements Connection {
  readonly kind = 'server' as const;
  readonly label = 'postgresql://app@db.internal:5432/prod';
  readonly sent: string[] = [];
  async query<R>(sql: string): Promise<QueryResult<R>> {
    this.sent.push(sql);
    return { rows: [], fields: [], rowCount: 0 };
  }
  queryOne<R>(sql: string): Promise<QueryResult<R>> {
    return this.query<R>(sql);
  }
  explain(): never {
    throw new Error('the advisor runs its own EXPLAINs');
  }
  async cancel() {}
  async close() {}
  async serverVersion() {
    return '15.4';
  }
}

describe('advise: verification method on a server', () => {
  it('refuses --method sandbox on a server without sending a statement', async () => {
    const server = new RecordingServer();
    await assert.rejects(
      adviseIndexes(server, "SELECT id FROM orders WHERE customer_id = 42", { method: 'sandbox' }),
      (e: unknown) => isPglensError(e) && e.code === 'refused' && /never builds a real index on a server/.test(e.message) && /--embedded/.test(e.message),
    );
    assert.deepEqual(server.sent, []);
  });
});

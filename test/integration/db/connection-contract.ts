import * as assert from 'node:assert/strict';
import type { Connection } from '../../../src/core/db/connection';
import { isPglensError, type PglensError } from '../../../src/core/errors';
import { uniqueName } from './test-env';

/**
 * The one contract suite every Connection passes: the real server (PgConnection) and the
 * embedded sandbox (EmbeddedConnection).
 */
export interface ContractTarget {
  create(ctx: Mocha.Context): Promise<Connection>;
  /** A statement that runs far longer than any test waits. */
  longQuery: string;
  /** How long the first request may take (a cold sandbox builds first). */
  startTimeoutMs: number;
}

async function rejection(p: Promise<unknown>): Promise<PglensError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isPglensError(e), `expected a PglensError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

export function describeConnectionContract(name: string, target: ContractTarget): void {
  describe(`Connection contract: ${name}`, function () {
    let conn: Connection;
    const schema = uniqueName('pglens_contract');

    before(async function () {
      this.timeout(target.startTimeoutMs);
      conn = await target.create(this);
      await conn.query(`CREATE SCHEMA ${schema}`);
      await conn.query(`CREATE TABLE ${schema}.items (id int PRIMARY KEY, label text NOT NULL)`);
      await conn.query(`INSERT INTO ${schema}.items SELECT g, 'item ' || g FROM generate_series(1, 50) g`);
    });

    after(async function () {
      this.timeout(30_000);
      if (!conn) return;
      await conn.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await conn.close();
    });

    it('reports its server version as major.minor', async () => {
      assert.match(await conn.serverVersion(), /^\d{2,}\.\d+$/);
    });

    it('has a label without a password', () => {
      assert.ok(conn.label.length > 0);
      assert.doesNotMatch(conn.label, /password|:[^@/]*@/i);
    });

    it('runs a query with parameters', async () => {
      const r = await conn.query<{ id: number; label: string }>(`SELECT id, label FROM ${schema}.items WHERE id = $1 OR label = $2 ORDER BY id`, [3, 'item 7']);
      assert.deepEqual(r.rows, [{ id: 3, label: 'item 3' }, { id: 7, label: 'item 7' }]);
      assert.deepEqual(r.fields.map((f) => f.name), ['id', 'label']);
      assert.equal(r.rowCount, 2);
    });

    it('runs a plain EXPLAIN and returns the raw JSON plan', async () => {
      const r = await conn.explain(`SELECT * FROM ${schema}.items WHERE id = $1`, { analyze: false, timeoutMs: 10_000, params: [5] });
      assert.equal(r.analyzed, false);
      assert.equal(r.rolledBack, false);
      assert.equal(r.plan.length, 1);
      const top = r.plan[0] as { Plan: Record<string, unknown> };
      assert.equal(typeof top.Plan['Node Type'], 'string');
      assert.equal(typeof top.Plan['Total Cost'], 'number');
      assert.equal(top.Plan['Actual Rows'], undefined);
      assert.ok(r.durationMs > 0);
    });

    it('runs EXPLAIN ANALYZE inside a rolled-back transaction', async () => {
      const r = await conn.explain(`SELECT count(*) FROM ${schema}.items WHERE label LIKE 'item 1%'`, { analyze: true, timeoutMs: 10_000 });
      assert.equal(r.analyzed, true);
      assert.equal(r.rolledBack, true);
      const top = r.plan[0] as { Plan: Record<string, unknown>; 'Execution Time': number; 'Planning Time': number };
      assert.equal(typeof top['Execution Time'], 'number');
      assert.equal(typeof top['Planning Time'], 'number');
      assert.equal(top.Plan['Actual Loops'], 1);
      assert.ok(r.notices.some((n) => /sequences/.test(n)), 'the sequence notice is reported');
    });

    it('reports a syntax error with its position in the statement', async () => {
      const sql = `SELECT id FROM ${schema}.items WHERE id = 1 ORDER BYY id`;
      const e = await rejection(conn.explain(sql, { analyze: false, timeoutMs: 10_000 }));
      assert.equal(e.code, 'syntax-error');
      assert.equal(e.position, sql.indexOf('BYY'));
      const q = await rejection(conn.query(sql));
      assert.equal(q.code, 'syntax-error');
      assert.equal(q.position, sql.indexOf('BYY'));
    });

    it('reports an unknown table with SQLSTATE and position', async () => {
      const sql = `  SELECT * FROM ${schema}.no_such_table`;
      const e = await rejection(conn.explain(sql, { analyze: true, timeoutMs: 10_000 }));
      assert.equal(e.code, 'sql-error');
      assert.match(e.message, /does not exist.*42P01/);
      assert.equal(e.position, sql.indexOf(`${schema}.no_such_table`));
    });

    it('cancels a long query, and the next query works', async function () {
      this.timeout(target.startTimeoutMs);
      const outcome = rejection(conn.query(target.longQuery));
      await new Promise((r) => setTimeout(r, 700));
      const started = Date.now();
      await conn.cancel();
      const e = await outcome;
      assert.equal(e.code, 'cancelled');
      assert.ok(Date.now() - started < 5000, 'cancel takes effect promptly');
      const r = await conn.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.items`);
      assert.equal(r.rows[0].n, 50);
    });

    it('stops an explain at its timeout, naming the setting, and the next query works', async function () {
      this.timeout(target.startTimeoutMs);
      const e = await rejection(conn.explain(target.longQuery, { analyze: true, timeoutMs: 800 }));
      assert.equal(e.code, 'timeout');
      assert.match(e.message, /pglens\.explain\.statementTimeout/);
      assert.match(e.message, /--timeout/);
      const r = await conn.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.items`);
      assert.equal(r.rows[0].n, 50);
    });

    it('refuses what must not run for analysis, with the reason', async () => {
      const e = await rejection(conn.explain('VACUUM', { analyze: true, timeoutMs: 10_000 }));
      assert.equal(e.code, 'refused');
      assert.match(e.message, /VACUUM cannot run inside a transaction block/);
    });

    it('rejects calls after close', async () => {
      await conn.query(`DROP SCHEMA ${schema} CASCADE`);
      await conn.close();
      const e = await rejection(conn.query('SELECT 1'));
      assert.equal(e.code, 'connection-failed');
      await conn.close();
    });
  });
}

import * as assert from 'node:assert/strict';
import type { Connection } from '../../../src/core/db/connection';
import { isPglensError, type PglensError } from '../../../src/core/errors';
import { explainStatement } from '../../../src/core/explain';
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

    const preparedStatements = async () => (await conn.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0].n;

    it('explains a generic plan of $n without values (PREPARE … EXECUTE, force_generic_plan), labelled, nothing left prepared', async () => {
      const r = await conn.explain(`SELECT * FROM ${schema}.items WHERE id = $1 AND label LIKE $2`, { analyze: false, timeoutMs: 10_000, genericPlan: true });
      assert.equal(r.analyzed, false);
      assert.equal(r.rolledBack, false);
      assert.deepEqual(r.generic, { parameterTypes: ['integer', 'text'] });
      assert.match(r.notices[0], /^Generic plan: .*\(\$1 integer, \$2 text\).*force_generic_plan.*Explain Analyze with values/);
      const top = r.plan[0] as { Plan: Record<string, unknown> };
      assert.equal(top.Plan['Actual Rows'], undefined);
      // The parameters stay parameters: the plan is the one for any value.
      assert.match(JSON.stringify(top.Plan), /\$1/);
      assert.equal(await preparedStatements(), 0);
    });

    it('declares text a parameter whose type Postgres cannot infer, and says so', async () => {
      const r = await conn.explain(`SELECT id FROM ${schema}.items WHERE $1 IS NULL OR id = $2`, { analyze: false, timeoutMs: 10_000, genericPlan: true });
      assert.deepEqual(r.generic?.parameterTypes, ['text', 'integer']);
      assert.match(r.notices[0], /could not infer the type of \$1 .*declared it text/);
      assert.equal(await preparedStatements(), 0);
    });

    it('places an error of a generic plan in the statement, and refuses what PREPARE does not take', async () => {
      const sql = `SELECT id FROM ${schema}.items WHERE no_such_column = $1`;
      const e = await rejection(conn.explain(sql, { analyze: false, timeoutMs: 10_000, genericPlan: true }));
      assert.equal(e.code, 'sql-error');
      assert.equal(e.position, sql.indexOf('no_such_column'));
      const ctas = await rejection(conn.explain(`CREATE TABLE ${schema}.copy AS SELECT * FROM ${schema}.items WHERE id = $1`, { analyze: false, timeoutMs: 10_000, genericPlan: true }));
      assert.equal(ctas.code, 'bad-input');
      assert.match(ctas.message, /PREPARE takes only SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES, not CREATE TABLE AS/);
      const analyzed = await rejection(conn.explain(`SELECT * FROM ${schema}.items WHERE id = $1`, { analyze: true, timeoutMs: 10_000, genericPlan: true }));
      assert.equal(analyzed.code, 'bad-input');
      assert.equal(await preparedStatements(), 0);
    });

    it('explainStatement gives the generic plan when a plain Explain has $n and no values', async () => {
      const sql = `SELECT label FROM ${schema}.items WHERE id = $1`;
      const outcome = await explainStatement(conn, sql, { analyze: false, timeoutMs: 10_000, paramCount: 1 });
      assert.deepEqual(outcome.result.generic, { parameterTypes: ['integer'] });
      assert.equal(outcome.report.summary.analyzed, false);
      assert.equal(outcome.report.query, sql);
      // With values it is the plan for those values, not a generic one.
      const bound = await explainStatement(conn, sql, { analyze: true, timeoutMs: 10_000, paramCount: 1, params: [5] });
      assert.equal(bound.result.generic, undefined);
      assert.equal(bound.report.root.actualRows, 1);
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

import * as assert from 'node:assert/strict';
import type { Connection } from '../../../src/core/db/connection';
import { isPglensError } from '../../../src/core/errors';
import { uniqueName } from './test-env';

/**
 * Issue 3's safety proof, run on every Connection: nothing EXPLAIN ANALYZE does changes data
 * or table definitions, and what must not run for analysis is refused with a reason.
 */
export interface SafetyTarget {
  create(ctx: Mocha.Context): Promise<Connection>;
  startTimeoutMs: number;
}

export function describeExplainSafety(name: string, target: SafetyTarget): void {
  describe(`Explain safety: ${name}`, function () {
    let conn: Connection;
    const s = uniqueName('pglens_safety');

    before(async function () {
      this.timeout(target.startTimeoutMs);
      conn = await target.create(this);
      await conn.query(`CREATE SCHEMA ${s}`);
      await conn.query(`CREATE TABLE ${s}.accounts (id serial PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL)`);
      await conn.query(`CREATE TABLE ${s}.log (id serial PRIMARY KEY, msg text NOT NULL)`);
      await conn.query(`INSERT INTO ${s}.accounts (owner, balance) VALUES ('ann', 100), ('bob', 250.5), ('cyd', 0)`);
      await conn.query(`INSERT INTO ${s}.log (msg) VALUES ('seed')`);
      await conn.query(`CREATE FUNCTION ${s}.log_and_double(x int) RETURNS int LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO ${s}.log (msg) VALUES ('called ' || x); RETURN x * 2; END $$`);
    });

    after(async function () {
      this.timeout(30_000);
      if (!conn) return;
      await conn.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
      await conn.close();
    });

    /** Row counts, sums, contents and the schema's table definitions. */
    async function snapshot(): Promise<string> {
      const data = await conn.query(`SELECT
          (SELECT count(*)::int FROM ${s}.accounts) AS accounts,
          (SELECT coalesce(sum(balance), 0)::text FROM ${s}.accounts) AS balance,
          (SELECT string_agg(id || ':' || owner || ':' || balance, ',' ORDER BY id) FROM ${s}.accounts) AS rows,
          (SELECT count(*)::int FROM ${s}.log) AS log,
          (SELECT string_agg(msg, ',' ORDER BY id) FROM ${s}.log) AS messages`);
      const defs = await conn.query(
        `SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE n.nspname = $1 AND c.relkind <> 'S'
          ORDER BY c.relname, a.attnum`,
        [s],
      );
      return JSON.stringify({ data: data.rows, defs: defs.rows });
    }

    async function assertNoOpenTransaction(): Promise<void> {
      const r = await conn.query<{ xid: unknown }>('SELECT txid_current_if_assigned() AS xid');
      assert.equal(r.rows[0].xid, null, 'no transaction with writes is left open');
    }

    const writers: [string, (schema: string) => string][] = [
      ['INSERT', (x) => `INSERT INTO ${x}.accounts (owner, balance) VALUES ('eve', 999)`],
      ['UPDATE', (x) => `UPDATE ${x}.accounts SET balance = balance + 100`],
      ['DELETE', (x) => `DELETE FROM ${x}.accounts WHERE id > 1`],
      [
        'MERGE',
        (x) => `MERGE INTO ${x}.accounts a USING (VALUES (1, 5), (42, 7)) v(id, amt) ON a.id = v.id
                WHEN MATCHED THEN UPDATE SET balance = a.balance + v.amt
                WHEN NOT MATCHED THEN INSERT (owner, balance) VALUES ('new', v.amt)`,
      ],
      ['SELECT … FOR UPDATE', (x) => `SELECT * FROM ${x}.accounts FOR UPDATE`],
      ['a writable CTE', (x) => `WITH moved AS (DELETE FROM ${x}.accounts WHERE id = 2 RETURNING owner) INSERT INTO ${x}.log (msg) SELECT owner FROM moved`],
      ['a function with side effects', (x) => `UPDATE ${x}.accounts SET balance = ${x}.log_and_double(id)`],
      ['CREATE TABLE AS', (x) => `CREATE TABLE ${x}.accounts_copy AS SELECT * FROM ${x}.accounts`],
    ];

    for (const [label, sql] of writers) {
      it(`EXPLAIN ANALYZE of ${label} changes nothing`, async () => {
        const before = await snapshot();
        const r = await conn.explain(sql(s), { analyze: true, timeoutMs: 10_000 });
        assert.equal(r.rolledBack, true);
        assert.equal(r.analyzed, true);
        assert.equal(typeof (r.plan[0] as { 'Execution Time': number })['Execution Time'], 'number');
        assert.equal(await snapshot(), before);
        await assertNoOpenTransaction();
      });
    }

    it('ANALYZE of a SELECT runs READ ONLY: a function that writes is stopped, with the reason', async () => {
      const before = await snapshot();
      await assert.rejects(conn.explain(`SELECT ${s}.log_and_double(id) FROM ${s}.accounts`, { analyze: true, timeoutMs: 10_000 }), (e: unknown) => {
        assert.ok(isPglensError(e));
        assert.equal(e.code, 'refused');
        assert.match(e.message, /read-only transaction.*READ ONLY/);
        return true;
      });
      assert.equal(await snapshot(), before);
      await assertNoOpenTransaction();
    });

    it('a statement that fails midway changes nothing and leaves no transaction open', async () => {
      const before = await snapshot();
      await assert.rejects(
        conn.explain(`INSERT INTO ${s}.accounts (owner, balance) VALUES ('ok', 1), ('bad', 1 / 0)`, { analyze: true, timeoutMs: 10_000 }),
        (e: unknown) => isPglensError(e) && e.code === 'sql-error' && /division by zero/.test(e.message),
      );
      assert.equal(await snapshot(), before);
      await assertNoOpenTransaction();
    });

    it('plain EXPLAIN of a write does not run it', async () => {
      const before = await snapshot();
      const r = await conn.explain(`DELETE FROM ${s}.accounts`, { analyze: false, timeoutMs: 10_000 });
      assert.equal(r.analyzed, false);
      assert.equal(await snapshot(), before);
    });

    it('with standard_conforming_strings = off, a statement that hides COMMIT in a string is refused and commits nothing', async () => {
      // pglens's parser sees one SELECT of two strings; the server, reading \' as a quote, sees DELETE; COMMIT.
      const sneaky = `SELECT 'a\\', ' ; DELETE FROM ${s}.accounts; COMMIT; -- '`;
      const before = await snapshot();
      await conn.query('SET standard_conforming_strings = off');
      try {
        for (const analyze of [true, false]) {
          await assert.rejects(conn.explain(sneaky, { analyze, timeoutMs: 10_000 }), (e: unknown) => {
            assert.ok(isPglensError(e));
            assert.equal(e.code, 'refused');
            assert.match(e.message, /standard_conforming_strings = off/);
            return true;
          });
        }
      } finally {
        await conn.query('SET standard_conforming_strings = on');
      }
      assert.equal(await snapshot(), before);
      await assertNoOpenTransaction();
    });

    const refused: [string, (schema: string) => string, RegExp, boolean][] = [
      ['CREATE INDEX CONCURRENTLY', (x) => `CREATE INDEX CONCURRENTLY accounts_owner_idx ON ${x}.accounts (owner)`, /CONCURRENTLY cannot run inside a transaction block/, false],
      ['VACUUM', (x) => `VACUUM ${x}.accounts`, /VACUUM cannot run inside a transaction block/, false],
      ['ALTER SYSTEM', () => `ALTER SYSTEM SET work_mem = '64MB'`, /ALTER SYSTEM/, false],
      ['DROP DATABASE', () => 'DROP DATABASE pglens_never', /DROP DATABASE cannot run inside a transaction block/, false],
      ['CREATE DATABASE', () => 'CREATE DATABASE pglens_never', /CREATE DATABASE cannot run inside a transaction block/, false],
      ['BEGIN', () => 'BEGIN', /transaction control/, false],
      ['COMMIT', () => 'COMMIT', /transaction control/, false],
      ['ROLLBACK', () => 'ROLLBACK', /transaction control/, false],
      ['SAVEPOINT', () => 'SAVEPOINT sp', /transaction control/, false],
      ['COPY … TO PROGRAM', (x) => `COPY ${x}.accounts TO PROGRAM 'cat > /dev/null'`, /PROGRAM runs a shell command/, false],
      ['COPY … FROM PROGRAM', (x) => `COPY ${x}.accounts FROM PROGRAM 'echo'`, /PROGRAM runs a shell command/, false],
      ['multiple statements', (x) => `SELECT 1; DELETE FROM ${x}.accounts`, /2 statements/, false],
      ['DDL', (x) => `ALTER TABLE ${x}.accounts ADD COLUMN extra int`, /ALTER TABLE has no plan/, false],
      ['pg_terminate_backend', () => 'SELECT pg_terminate_backend(pg_backend_pid())', /pg_terminate_backend.*ends or interrupts another session/, true],
    ];

    for (const [label, sql, reason, plainAllowed] of refused) {
      it(`refuses EXPLAIN ANALYZE of ${label} with the reason`, async () => {
        const before = await snapshot();
        await assert.rejects(conn.explain(sql(s), { analyze: true, timeoutMs: 10_000 }), (e: unknown) => {
          assert.ok(isPglensError(e));
          assert.equal(e.code, 'refused');
          assert.match(e.message, reason);
          return true;
        });
        if (!plainAllowed) {
          await assert.rejects(conn.explain(sql(s), { analyze: false, timeoutMs: 10_000 }), (e: unknown) => isPglensError(e) && e.code === 'refused');
        }
        assert.equal(await snapshot(), before);
      });
    }
  });
}

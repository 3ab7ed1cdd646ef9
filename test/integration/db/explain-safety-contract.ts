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
      // Lies about its volatility: the planner folds it while planning, generic plan or not, and
      // setval is not undone by a rollback.
      await conn.query(`CREATE FUNCTION ${s}.liar(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN PERFORM setval('${s}.accounts_id_seq', 4242); RETURN x; END $$`);
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

    /** The serial sequence and what plain EXPLAIN must leave alone besides the data. */
    async function sequenceAndSession(): Promise<string> {
      const r = await conn.query(`SELECT (SELECT last_value::text FROM ${s}.accounts_id_seq) AS seq, (SELECT count(*)::int FROM pg_prepared_statements) AS prepared`);
      return JSON.stringify(r.rows[0]);
    }

    // A generic plan (no values for $n) is PREPARE + EXPLAIN EXECUTE: plain EXPLAIN, never executed.
    const genericWriters: [string, (schema: string) => string][] = [
      ['DELETE', (x) => `DELETE FROM ${x}.accounts WHERE id > $1`],
      ['UPDATE through a function with side effects', (x) => `UPDATE ${x}.accounts SET balance = ${x}.log_and_double($1) WHERE id = $2`],
      ['INSERT into a serial table', (x) => `INSERT INTO ${x}.accounts (owner, balance) VALUES ($1, $2) RETURNING id`],
      [
        'MERGE',
        (x) => `MERGE INTO ${x}.accounts a USING (VALUES ($1::int, $2::numeric)) v(id, amt) ON a.id = v.id
                WHEN MATCHED THEN UPDATE SET balance = a.balance + v.amt
                WHEN NOT MATCHED THEN INSERT (owner, balance) VALUES ('new', v.amt)`,
      ],
      ['a writable CTE', (x) => `WITH moved AS (DELETE FROM ${x}.accounts WHERE id = $1 RETURNING owner) INSERT INTO ${x}.log (msg) SELECT owner FROM moved`],
      ['a parameter of no inferable type next to nextval', (x) => `SELECT nextval('${x}.accounts_id_seq') WHERE $1 IS NULL`],
      ["a $1 hiding COMMIT in an E'' string", (x) => `SELECT id FROM ${x}.accounts WHERE id = $1 AND owner <> E'\\'\\$1; COMMIT; DELETE FROM ${x}.accounts; --'`],
    ];

    for (const [label, sql] of genericWriters) {
      it(`a generic plan (plain EXPLAIN, $n without values) of ${label} changes nothing`, async () => {
        const before = await snapshot();
        const session = await sequenceAndSession();
        const r = await conn.explain(sql(s), { analyze: false, timeoutMs: 10_000, genericPlan: true });
        assert.ok(r.generic, 'a generic plan');
        assert.equal(r.analyzed, false);
        assert.equal(await snapshot(), before);
        assert.equal(await sequenceAndSession(), session, 'no sequence moved and nothing is left prepared');
        await assertNoOpenTransaction();
      });
    }

    it("a generic plan does not run a parameter's domain CHECK (EXECUTE's NULLs are of the base type)", async () => {
      await conn.query(`CREATE FUNCTION ${s}.checked(x numeric) RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN RAISE NOTICE 'pglens domain check ran'; RETURN true; END $$`);
      await conn.query(`CREATE DOMAIN ${s}.amount AS numeric CHECK (${s}.checked(VALUE))`);
      await conn.query(`CREATE DOMAIN ${s}.amount2 AS ${s}.amount`);
      await conn.query(`CREATE TABLE ${s}.payments (id int, amt ${s}.amount2)`);
      try {
        const before = await snapshot();
        const r = await conn.explain(`INSERT INTO ${s}.payments (id, amt) VALUES ($1, $2)`, { analyze: false, timeoutMs: 10_000, genericPlan: true });
        assert.deepEqual(r.generic?.parameterTypes, ['integer', 'numeric']);
        assert.ok(!r.notices.some((n) => /domain check ran/.test(n)), r.notices.join('\n'));
        assert.equal(await snapshot(), before);
        await assertNoOpenTransaction();
      } finally {
        await conn.query(`DROP TABLE ${s}.payments; DROP DOMAIN ${s}.amount2; DROP DOMAIN ${s}.amount; DROP FUNCTION ${s}.checked(numeric)`);
      }
    });

    describe('values bound to parameters of a domain type: plain EXPLAIN runs none of the domain CHECKs', () => {
      // side_effect takes a session advisory lock (which outlives a rollback: forbidden) and says
      // so in a notice, the one trace that reaches the client whatever happens after.
      const ran = /pglens side effect ran/;
      before(async () => {
        await conn.query(`CREATE FUNCTION ${s}.side_effect(x int) RETURNS boolean LANGUAGE plpgsql AS $$
          BEGIN RAISE NOTICE 'pglens side effect ran %', x; PERFORM pg_advisory_lock(4711); RETURN true; END $$`);
        await conn.query(`CREATE DOMAIN ${s}.positive AS int CHECK (${s}.side_effect(VALUE))`);
        await conn.query(`CREATE DOMAIN ${s}.positive2 AS ${s}.positive`);
        await conn.query(`CREATE DOMAIN ${s}.positives AS ${s}.positive[]`);
        await conn.query(`CREATE TYPE ${s}.pair AS (a ${s}.positive, b int)`);
        await conn.query(`CREATE TABLE ${s}.payments (id int, amount ${s}.positive, amount2 ${s}.positive2, amounts ${s}.positive[], boxed ${s}.positives)`);
        await conn.query(`CREATE FUNCTION ${s}.describe_amount(a ${s}.positive) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'amount'; END $$`);
      });
      after(async () => {
        await conn.query(
          `DROP FUNCTION ${s}.describe_amount(${s}.positive); DROP TABLE ${s}.payments; DROP TYPE ${s}.pair; DROP DOMAIN ${s}.positives; DROP DOMAIN ${s}.positive2; DROP DOMAIN ${s}.positive; DROP FUNCTION ${s}.side_effect(int)`,
        );
      });

      const planned: [string, (x: string) => string, string[], RegExp][] = [
        ['an INSERT into a domain column', (x) => `INSERT INTO ${x}.payments (id, amount) VALUES ($1, $2)`, ['1', '5'], /"Node Type":"ModifyTable"/],
        ['an INSERT into a column of a domain over a domain', (x) => `INSERT INTO ${x}.payments (id, amount2) VALUES ($1, $2)`, ['1', '5'], /"Operation":"Insert"/],
        ['an INSERT into a column of an array of the domain', (x) => `INSERT INTO ${x}.payments (id, amounts) VALUES ($1, $2)`, ['1', '{5,6}'], /"Operation":"Insert"/],
        ['an INSERT into a domain over an array of the domain', (x) => `INSERT INTO ${x}.payments (id, boxed) VALUES ($1, $2)`, ['1', '{5,6}'], /"Operation":"Insert"/],
        ['an UPDATE setting a domain column', (x) => `UPDATE ${x}.payments SET amount = $1 WHERE id = $2`, ['5', '1'], /id = 1/],
        ['a cast to the domain written in the statement', (x) => `SELECT * FROM ${x}.payments WHERE amount = $1::${x}.positive`, ['5'], /5/],
        ['a function taking the domain', (x) => `SELECT ${x}.describe_amount($1) FROM ${x}.payments WHERE id = $2`, ['5', '1'], /id = 1/],
        ['a NULL for the domain', (x) => `INSERT INTO ${x}.payments (id, amount) VALUES ($1, $2)`, ['1', null as unknown as string], /"Operation":"Insert"/],
      ];
      for (const [label, sql, params, plan] of planned) {
        it(`${label}: planned for the values, the CHECK not run`, async () => {
          const before = await snapshot();
          const session = await sequenceAndSession();
          const r = await conn.explain(sql(s), { analyze: false, timeoutMs: 10_000, params });
          assert.equal(r.analyzed, false);
          assert.ok(!r.notices.some((n) => ran.test(n)), r.notices.join('\n'));
          assert.ok(r.notices.some((n) => /bound as the domain's base type/.test(n)), r.notices.join('\n'));
          assert.match(JSON.stringify(r.plan), plan);
          assert.equal(await snapshot(), before);
          assert.equal(await sequenceAndSession(), session, 'nothing is left prepared');
          await assertNoOpenTransaction();
          const locks = await conn.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`);
          assert.equal(locks.rows[0].n, 0);
        });
      }

      it('a value for a char(n) or bit(n) domain keeps all its characters (its base type read without a length)', async () => {
        await conn.query(`CREATE DOMAIN ${s}.country AS char(2) CHECK (${s}.side_effect(length(VALUE)))`);
        await conn.query(`CREATE DOMAIN ${s}.flags AS bit(4) CHECK (${s}.side_effect(length(VALUE)))`);
        try {
          // Cut to one character the values would compare unequal, and the planner fold the filter to false.
          const r = await conn.explain(`SELECT id FROM ${s}.payments WHERE $1::${s}.country = 'US' AND $2::${s}.flags = B'1010'`, { analyze: false, timeoutMs: 10_000, params: ['US', '1010'] });
          assert.ok(!r.notices.some((n) => ran.test(n)), r.notices.join('\n'));
          const text = JSON.stringify(r.plan);
          assert.doesNotMatch(text, /"One-Time Filter":"false"/, text);
          assert.doesNotMatch(text, /'U '/, text);
        } finally {
          await conn.query(`DROP DOMAIN ${s}.country; DROP DOMAIN ${s}.flags`);
        }
      });

      it('the custom plan for the values: an index condition with the value, as without a domain', async () => {
        await conn.query(`CREATE INDEX payments_amount ON ${s}.payments (amount)`);
        try {
          const r = await conn.explain(`SELECT id FROM ${s}.payments WHERE amount = $1::${s}.positive AND id = $2`, { analyze: false, timeoutMs: 10_000, params: ['5', '42'] });
          assert.ok(!r.notices.some((n) => ran.test(n)), r.notices.join('\n'));
          const text = JSON.stringify(r.plan);
          assert.match(text, /payments_amount/);
          assert.match(text, /\(?id = 42\)?/, 'the other value is a constant of the plan');
          assert.doesNotMatch(text, /\$\d/, 'no parameter is left in the plan');
        } finally {
          await conn.query(`DROP INDEX ${s}.payments_amount`);
        }
      });

      it('a statement without a domain is explained with its values as before, without the note', async () => {
        const r = await conn.explain(`SELECT * FROM ${s}.accounts WHERE id = $1 AND owner <> $2`, { analyze: false, timeoutMs: 10_000, params: ['2', 'zed'] });
        const text = JSON.stringify(r.plan);
        assert.match(text, /\(?id = 2\)?/);
        assert.match(text, /zed/);
        assert.ok(!r.notices.some((n) => /domain/.test(n)), r.notices.join('\n'));
        await assertNoOpenTransaction();
      });

      it('EXPLAIN ANALYZE of a column definition list of the domain (json_to_record … AS x(a positive)), no cast: refused, nothing ran', async () => {
        const before = await snapshot();
        const sql = `WITH d AS (DELETE FROM ${s}.accounts WHERE id < 0 RETURNING id) SELECT x.a, (SELECT count(*) FROM d) FROM json_to_record('{"a": 5}') AS x(a ${s}.positive)`;
        await assert.rejects(conn.explain(sql, { analyze: true, timeoutMs: 10_000 }), (e: unknown) => {
          assert.ok(isPglensError(e));
          assert.equal(e.code, 'refused');
          assert.match(e.message, /pg_advisory_lock.*type [\w.]*positive/);
          return true;
        });
        assert.equal(await snapshot(), before);
        await assertNoOpenTransaction();
      });

      const refusedBound: [string, (x: string) => string, string[], boolean][] = [
        ['a composite holding the domain (no base type to bind it as)', (x) => `SELECT ($1::${x}.pair).b`, ['(5,1)'], false],
        ['CREATE TABLE AS (PREPARE takes no such statement: every domain is checked)', (x) => `CREATE TABLE ${x}.copied AS SELECT $1::${x}.positive AS a`, ['5'], false],
        ['EXPLAIN ANALYZE of a function taking the domain (the statement names no domain)', (x) => `SELECT ${x}.describe_amount($1)`, ['5'], true],
      ];
      for (const [label, sql, params, analyze] of refusedBound) {
        it(`${label}: the CHECK's function is refused, nothing ran`, async () => {
          const before = await snapshot();
          const session = await sequenceAndSession();
          await assert.rejects(conn.explain(sql(s), { analyze, timeoutMs: 10_000, params, allowFunctions: ['side_effect'] }), (e: unknown) => {
            assert.ok(isPglensError(e));
            assert.equal(e.code, 'refused');
            assert.match(e.message, /pg_advisory_lock/);
            assert.match(e.message, /domain/);
            return true;
          });
          assert.equal(await snapshot(), before);
          assert.equal(await sequenceAndSession(), session);
          await assertNoOpenTransaction();
          const locks = await conn.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`);
          assert.equal(locks.rows[0].n, 0);
        });
      }
    });

    it('a generic plan never runs a function the planner would fold (a lying IMMUTABLE setval): refused, nothing changed', async () => {
      const before = await snapshot();
      const session = await sequenceAndSession();
      await assert.rejects(
        conn.explain(`SELECT * FROM ${s}.accounts WHERE id = $1 AND ${s}.liar(1) > 0`, { analyze: false, timeoutMs: 10_000, genericPlan: true }),
        (e: unknown) => isPglensError(e) && e.code === 'refused' && /setval/.test(e.message),
      );
      assert.equal(await snapshot(), before);
      assert.equal(await sequenceAndSession(), session);
      await assertNoOpenTransaction();
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

import * as assert from 'node:assert/strict';
import type { Connection } from '../../../src/core/db/connection';
import { isPglensError } from '../../../src/core/errors';
import { uniqueName } from './test-env';

/**
 * Issue 13's layer 3 on every Connection: before running anything, pglens finds each function
 * a statement can reach — through views, triggers, ON DELETE CASCADE, rules, policies,
 * operators, attribute notation and function bodies — and refuses what a rollback cannot undo
 * (or, for a user function it cannot read, asks). The hostile suite proves nothing changes;
 * this one proves each path is seen, with the reason named.
 */
export interface CallAnalysisTarget {
  create(ctx: Mocha.Context): Promise<Connection>;
  startTimeoutMs: number;
}

/** `unverified`: the function names (in the test schema) the user may allow. */
type Expect = 'ok' | { refused: RegExp; unverified?: string[] };

export function describeCallAnalysis(name: string, target: CallAnalysisTarget): void {
  describe(`What a statement can call: ${name}`, function () {
    let conn: Connection;
    const s = uniqueName('pglens_calls');

    before(async function () {
      this.timeout(target.startTimeoutMs);
      conn = await target.create(this);
      const ddl = [
        `CREATE SCHEMA ${s}`,
        `CREATE TABLE ${s}.t (id serial PRIMARY KEY, v text)`,
        `CREATE TABLE ${s}.child (id serial PRIMARY KEY, t_id int REFERENCES ${s}.t ON DELETE CASCADE)`,
        `CREATE TABLE ${s}.ruled (id int)`,
        `CREATE TABLE ${s}.guarded (id int)`,
        `CREATE FUNCTION ${s}.clean(x int) RETURNS int STABLE LANGUAGE sql AS 'SELECT x + 1'`,
        `CREATE FUNCTION ${s}.dyn() RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'SELECT 1'; RETURN 1; END $$`,
        `CREATE FUNCTION ${s}.killer() RETURNS bool LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_terminate_backend(0); RETURN true; END $$`,
        `CREATE FUNCTION ${s}.liar() RETURNS int IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN PERFORM setval('${s}.t_id_seq', 1000); RETURN 1; END $$`,
        `CREATE FUNCTION ${s}.locker() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_lock(42); RETURN OLD; END $$`,
        `CREATE FUNCTION ${s}.op_fn(a int, b int) RETURNS bool LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'SELECT 1'; RETURN a = b; END $$`,
        `CREATE OPERATOR ${s}.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = ${s}.op_fn)`,
        `CREATE VIEW ${s}.v_kill AS SELECT ${s}.killer() AS k`,
        `CREATE TRIGGER child_lock AFTER DELETE ON ${s}.child FOR EACH ROW EXECUTE FUNCTION ${s}.locker()`,
        `CREATE RULE ruled_kill AS ON INSERT TO ${s}.ruled DO ALSO SELECT ${s}.killer()`,
        `ALTER TABLE ${s}.guarded ENABLE ROW LEVEL SECURITY`,
        `CREATE POLICY guarded_kill ON ${s}.guarded USING (${s}.killer())`,
        // Found by a hostile review: paths to a function the statement never names.
        `CREATE FUNCTION ${s}.slot_diff(a int, b int) RETURNS float8 IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN PERFORM setval('${s}.t_id_seq', 77); RETURN b - a; END $$`,
        `CREATE TYPE ${s}.evilrange AS RANGE (subtype = int4, subtype_diff = ${s}.slot_diff)`,
        `CREATE TYPE ${s}.okrange AS RANGE (subtype = int4)`,
        `CREATE TABLE ${s}.ranges (r ${s}.evilrange)`,
        `CREATE TABLE ${s}.okranges (ok ${s}.okrange)`,
        `CREATE FUNCTION ${s}.with_default(a int DEFAULT ${s}.liar()) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1'`,
        `CREATE DOMAIN ${s}.checked AS int CHECK (${s}.killer())`,
        `CREATE FUNCTION ${s}.subscript() RETURNS int LANGUAGE plpgsql AS $$ DECLARE arr int[] := '{}'; BEGIN arr[${s}.killer()::int] := 1; RETURN 1; END $$`,
        `CREATE FUNCTION ${s}.stubborn() RETURNS int LANGUAGE plpgsql AS $$ BEGIN LOOP BEGIN PERFORM pg_sleep(1); EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END $$`,
        `CREATE FUNCTION ${s}.json_eq(a json, b json) RETURNS bool LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'SELECT 1'; RETURN a::text = b::text; END $$`,
        `CREATE OPERATOR ${s}.= (LEFTARG = json, RIGHTARG = json, FUNCTION = ${s}.json_eq)`,
        `CREATE TABLE ${s}.j1 (j json)`,
        `CREATE TABLE ${s}.j2 (j json)`,
        `CREATE FUNCTION ${s}.reset_in_disguise() RETURNS void STABLE LANGUAGE internal AS 'pg_stat_reset'`,
        // A btree comparison that resets statistics: reached through operator classes only.
        `CREATE FUNCTION ${s}.evil_cmp(a int4, b int4) RETURNS int4 IMMUTABLE LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_stat_reset(); RETURN btint4cmp(a, b); END $$`,
        `CREATE OPERATOR CLASS ${s}.evil_ops FOR TYPE int4 USING btree AS OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 ${s}.evil_cmp(int4, int4)`,
        `CREATE TABLE ${s}.parted (a int4, b text) PARTITION BY RANGE (a ${s}.evil_ops)`,
        `CREATE TABLE ${s}.parted1 PARTITION OF ${s}.parted FOR VALUES FROM (0) TO (100)`,
        `CREATE TABLE ${s}.indexed (a int4)`,
        `CREATE INDEX indexed_a ON ${s}.indexed (a ${s}.evil_ops)`,
        `CREATE TYPE ${s}.sorted_range AS RANGE (subtype = int4, subtype_opclass = ${s}.evil_ops)`,
        `CREATE TYPE ${s}.wrapped AS (c ${s}.checked)`,
        `CREATE TABLE ${s}.wraps (w ${s}.wrapped)`,
      ];
      for (const stmt of ddl) await conn.query(stmt);
    });

    after(async function () {
      this.timeout(30_000);
      if (!conn) return;
      await conn.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
      await conn.close();
    });

    const cases: [string, (x: string) => string, Expect, Expect][] = [
      // label, statement, plain EXPLAIN, EXPLAIN ANALYZE
      ['a STABLE SQL function whose body only reads', (x) => `SELECT ${x}.clean(id) FROM ${x}.t`, 'ok', 'ok'],
      ['an IMMUTABLE function running dynamic SQL', (x) => `SELECT ${x}.dyn()`, { refused: /planning.*dyn\(\).*declared IMMUTABLE.*dynamic SQL/, unverified: ['dyn'] }, { refused: /dynamic SQL/, unverified: ['dyn'] }],
      ['a lying IMMUTABLE function calling setval', (x) => `SELECT ${x}.liar()`, { refused: /planning.*setval.*liar\(\)/ }, { refused: /setval/ }],
      ['a view calling a function that terminates backends', (x) => `SELECT * FROM ${x}.v_kill`, 'ok', { refused: /pg_terminate_backend.*view on .*v_kill/ }],
      ['ON DELETE CASCADE reaching a trigger that takes a session lock', (x) => `DELETE FROM ${x}.t WHERE id = 1`, 'ok', { refused: /pg_advisory_lock.*locker.*trigger child_lock/ }],
      // The planner calls an operator's function to estimate selectivity, whatever its volatility.
      ['a user operator whose function runs dynamic SQL', (x) => `SELECT 1 WHERE 1 OPERATOR(${x}.===) 2`, { refused: /planning.*op_fn/, unverified: ['op_fn'] }, { refused: /op_fn/, unverified: ['op_fn'] }],
      ["a range type's subtype_diff (selectivity estimation)", (x) => `SELECT * FROM ${x}.ranges WHERE r @> 7`, { refused: /setval.*slot_diff.*type/ }, { refused: /setval/ }],
      ["a range type's constructor (a LANGUAGE internal function matched to the built-in)", (x) => `SELECT * FROM ${x}.okranges WHERE ok && ${x}.okrange(1, 5)`, 'ok', 'ok'],
      ['a default argument', (x) => `SELECT ${x}.with_default()`, { refused: /setval.*default argument of/ }, { refused: /setval/ }],
      ["a domain's CHECK, reached by a cast", (x) => `SELECT 1::${x}.checked`, 'ok', { refused: /pg_terminate_backend.*type .*checked/ }],
      ['a call in a PL/pgSQL assignment target', (x) => `SELECT ${x}.subscript()`, 'ok', { refused: /pg_terminate_backend.*subscript/ }],
      ['a loop that catches query_canceled', (x) => `SELECT ${x}.stubborn()`, 'ok', { refused: /catches query_canceled/, unverified: ['stubborn'] }],
      ['an = operator JOIN … USING picks without naming it', (x) => `SELECT * FROM ${x}.j1 JOIN ${x}.j2 USING (j)`, { refused: /json_eq/, unverified: ['json_eq'] }, { refused: /json_eq/, unverified: ['json_eq'] }],
      ["a composite's attribute of a domain type (its CHECK runs on the insert)", (x) => `INSERT INTO ${x}.wraps VALUES (ROW(1))`, 'ok', { refused: /pg_terminate_backend.*type .*checked/ }],
      ["a partition key's operator class (pruning runs it while planning)", (x) => `SELECT * FROM ${x}.parted WHERE a = 5`, { refused: /pg_stat_reset.*evil_cmp.*operator family evil_ops.*parted/ }, { refused: /pg_stat_reset/ }],
      ["an index's operator class", (x) => `SELECT * FROM ${x}.indexed WHERE a = 5`, { refused: /pg_stat_reset.*operator family evil_ops/ }, { refused: /pg_stat_reset/ }],
      ["a range's subtype operator class (the constructor compares the bounds while planning)", (x) => `SELECT ${x}.sorted_range(1, 5)`, { refused: /pg_stat_reset.*operator family evil_ops/ }, { refused: /pg_stat_reset/ }],
      ['a LANGUAGE internal function in disguise', (x) => `SELECT ${x}.reset_in_disguise()`, { refused: /runs the built-in pg_stat_reset/ }, { refused: /runs the built-in pg_stat_reset/ }],
      ['a rule on the table written', (x) => `INSERT INTO ${x}.ruled VALUES (1)`, 'ok', { refused: /pg_terminate_backend.*rule ruled_kill/ }],
      ['a row-level security policy', (x) => `SELECT * FROM ${x}.guarded`, 'ok', { refused: /pg_terminate_backend.*policy guarded_kill/ }],
      ['attribute notation', () => 'SELECT (1::bigint).pg_advisory_lock', 'ok', { refused: /pg_advisory_lock/ }],
      ['attribute notation through a column', () => 'SELECT (pid).pg_terminate_backend FROM pg_stat_activity WHERE pid = -1', 'ok', { refused: /pg_terminate_backend/ }],
      ['a query given as text', () => `SELECT query_to_xml('SELECT 1', true, true, '')`, 'ok', { refused: /query_to_xml.*query given as text/ }],
    ];

    for (const [label, sql, plain, analyzed] of cases) {
      for (const [analyze, expected] of [[false, plain], [true, analyzed]] as const) {
        it(`${analyze ? 'EXPLAIN ANALYZE' : 'plain EXPLAIN'} of ${label}: ${expected === 'ok' ? 'runs' : 'refused with the reason'}`, async () => {
          const run = conn.explain(sql(s), { analyze, timeoutMs: 10_000 });
          if (expected === 'ok') {
            assert.ok((await run).plan.length >= 1);
            return;
          }
          await assert.rejects(run, (e: unknown) => {
            assert.ok(isPglensError(e), String(e));
            assert.equal(e.code, 'refused');
            assert.match(e.message, expected.refused);
            assert.deepEqual(e.unverifiedFunctions, expected.unverified?.map((f) => `${s}.${f}`));
            return true;
          });
        });
      }
    }

    it('runs an unverified function the user allows by name, and only that one', async () => {
      const r = await conn.explain(`SELECT ${s}.dyn()`, { analyze: true, timeoutMs: 10_000, allowFunctions: [`${s}.dyn`] });
      assert.equal(r.analyzed, true);
      await assert.rejects(conn.explain(`SELECT 1 WHERE 1 OPERATOR(${s}.===) 2`, { analyze: true, timeoutMs: 10_000, allowFunctions: [`${s}.dyn`] }), /op_fn/);
    });

    it('never runs a refused built-in, whatever the user allows', async () => {
      await assert.rejects(
        conn.explain(`SELECT * FROM ${s}.v_kill`, { analyze: true, timeoutMs: 10_000, allowFunctions: [`${s}.killer`, 'pg_terminate_backend', 'pg_catalog.pg_terminate_backend'] }),
        /pg_terminate_backend/,
      );
    });
  });
}

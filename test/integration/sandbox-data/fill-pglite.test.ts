import * as assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import { pgliteExtensionsFor } from '../../../src/core/db/sandbox-build';
import { fillDatabase, type FillOptions } from '../../../src/core/sandbox-data';
import { contractFill, orphanCounts, validateContract, type Session } from './fill-contract';

/** The generator on PGlite, in memory: the contract schema, determinism, stats, failures, every type. */

async function open(extensions: string[] = []): Promise<{ db: PGlite; s: Session }> {
  const loaded = extensions.length ? (await pgliteExtensionsFor(extensions.map((e) => `CREATE EXTENSION ${e}`))).loaded : {};
  const db = await PGlite.create({ extensions: loaded });
  return { db, s: { query: async (q) => (await db.query<Record<string, unknown>>(q)).rows, exec: async (q) => void (await db.exec(q)) } };
}

async function one(s: Session, sql: string): Promise<number> {
  return Number(Object.values((await s.query(sql))[0] ?? {})[0] ?? 0);
}

/** A digest of every table's rows, in a stable order. */
async function digest(s: Session): Promise<string> {
  const tables = await s.query(`SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname = 'shop' ORDER BY 1`);
  const parts: string[] = [];
  for (const { t } of tables) {
    const row = await s.query(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${String(t)} x`);
    parts.push(`${String(t)}:${String(row[0].h)}`);
  }
  return parts.join('\n');
}

/**
 * A table the fill left empty looks empty: no page left by the failed attempts (so Explain on the
 * sandbox says the table is empty) and 0 rows in its statistics, where a table never analyzed is
 * planned as ten pages of rows (and an Explain Analyze would show a misestimate of thousands).
 */
async function assertPlannedEmpty(s: Session, tables: string[]): Promise<void> {
  for (const t of tables) {
    const [c] = await s.query(`SELECT relpages, reltuples::float8 AS n, pg_relation_size('${t}')::float8 AS bytes FROM pg_class WHERE relname = '${t}'`);
    assert.deepEqual({ relpages: Number(c.relpages), n: Number(c.n), bytes: Number(c.bytes) }, { relpages: 0, n: 0, bytes: 0 }, t);
    const [p] = await s.query(`EXPLAIN (FORMAT JSON) SELECT * FROM ${t}`);
    const plan = p['QUERY PLAN'] as Array<{ Plan: { 'Plan Rows': number } }>;
    assert.equal(plan[0].Plan['Plan Rows'], 1, `${t}: planned as empty`);
  }
}

describe('sandbox data on PGlite', function () {
  this.timeout(300_000);

  it('fills the contract schema: every table, no orphan, no duplicate, CHECKs and NOT NULL hold, ANALYZEd', async () => {
    const { db, s } = await open();
    try {
      const report = await contractFill(s);
      await validateContract(s, report);
      assert.deepEqual(report.unsupported, []);
      assert.equal(report.triggersDisabled, true);
      assert.deepEqual(report.deferredForeignKeys.sort(), ['shop.customers(referred_by) → shop.customers', 'shop.teams(owner_id) → shop.members']);
      assert.ok(report.tables.every((t) => t.status === 'filled' || t.status === 'kept'), JSON.stringify(report.tables.filter((t) => t.status !== 'filled')));
      assert.equal(report.rows, report.tables.reduce((n, t) => n + t.rows, 0));
      // Triggers are back on for the session afterwards.
      assert.equal(String((await s.query('SHOW session_replication_role'))[0].session_replication_role), 'origin');
    } finally {
      await db.close();
    }
  });

  it('is deterministic: same seed, same rows; another seed, other rows; a second run keeps what is there', async () => {
    const runs: string[] = [];
    // 2^32 + 1: folded into 32 bits it was seed 1 again, the same rows.
    for (const seed of [0, 0, 1, 2 ** 32 + 1]) {
      const { db, s } = await open();
      try {
        await contractFill(s, { rowsPerTable: 500, seed });
        runs.push(await digest(s));
        if (runs.length === 1) {
          const again = await fillDatabase(s.query, s.exec, { rowsPerTable: 500 });
          assert.equal(again.rows, 0);
          assert.ok(again.tables.every((t) => t.status === 'kept'));
          assert.equal(await digest(s), runs[0]);
        }
      } finally {
        await db.close();
      }
    }
    assert.equal(runs[0], runs[1]);
    assert.notEqual(runs[0], runs[2]);
    assert.notEqual(runs[2], runs[3], 'seeds 1 and 2^32 + 1 give other rows');
    const { db, s } = await open();
    try {
      await assert.rejects(contractFill(s, { rowsPerTable: 10, seed: 2 ** 53 }), /data seed must be a whole number from 0 to 9007199254740991/);
    } finally {
      await db.close();
    }
  });

  it('honours per-table counts and per-column stats: NULL fraction, MCVs, distinct count, histogram', async () => {
    const { db, s } = await open();
    try {
      await s.exec(`CREATE TABLE stats_t (id int PRIMARY KEY, status text NOT NULL, country text, score int, created date)`);
      const options: FillOptions = {
        stats: {
          tables: {
            'public.stats_t': {
              rows: 20_000,
              columns: {
                status: { mcv: { values: ['paid', 'new'], freqs: [0.6, 0.3] }, nDistinct: 5 },
                country: { nullFrac: 0.4, nDistinct: 12 },
                score: { histogram: ['0', '10', '20', '1000'] },
                created: { correlation: 0.99 },
              },
            },
          },
        },
      };
      const report = await fillDatabase(s.query, s.exec, options);
      assert.equal(report.tables[0].tier, 'stats');
      assert.equal(await one(s, 'SELECT count(*)::float8 FROM stats_t'), 20_000);
      const share = (where: string) => one(s, `SELECT (count(*) FILTER (WHERE ${where}))::float8 / count(*) FROM stats_t`);
      assert.ok(Math.abs((await share(`status = 'paid'`)) - 0.6) < 0.02);
      assert.ok(Math.abs((await share(`status = 'new'`)) - 0.3) < 0.02);
      assert.ok((await one(s, 'SELECT count(DISTINCT status)::float8 FROM stats_t')) <= 5);
      assert.ok(Math.abs((await share('country IS NULL')) - 0.4) < 0.02);
      assert.ok((await one(s, 'SELECT count(DISTINCT country)::float8 FROM stats_t')) <= 12);
      // Equi-depth: each bucket a third of the rows.
      assert.ok(Math.abs((await share('score < 10')) - 1 / 3) < 0.03);
      assert.ok(Math.abs((await share('score >= 20')) - 1 / 3) < 0.03);
      assert.ok((await one(s, 'SELECT max(score)::float8 FROM stats_t')) <= 1000);
      const corr = await one(s, `SELECT correlation::float8 FROM pg_stats WHERE tablename = 'stats_t' AND attname = 'created'`);
      assert.ok(corr > 0.9, `correlation ${corr}`);
    } finally {
      await db.close();
    }
  });

  it('scales a stats file as a whole: small tables at their size, FKs at their share of the parent, children in their parents\' order, amounts that repeat', async () => {
    const { db, s } = await open();
    try {
      await s.exec(`
        CREATE TABLE kinds (id int PRIMARY KEY, name text NOT NULL);
        CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
        CREATE TABLE bills (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts, kind_id int NOT NULL REFERENCES kinds, amount numeric(10, 2) NOT NULL)`);
      const stats = {
        tables: {
          'public.kinds': { rows: 200 },
          'public.accounts': { rows: 50_000 },
          'public.bills': {
            rows: 400_000,
            columns: {
              // 20,000 of the 50,000 accounts have bills (ANALYZE writes a count: 5 % of the rows), stored account after account.
              account_id: { nDistinct: 20_000, correlation: 0.98 },
              // 150 of the 200 kinds are used: a count, not a fraction of the rows.
              kind_id: { nDistinct: 150 },
              amount: { nDistinct: -0.1, histogram: ['1.00', '50.00', '100.00', '1000.00'] },
            },
          },
        },
      };
      const report = await fillDatabase(s.query, s.exec, { stats, scale: 0.1, maxTotalRows: 30_000 });
      const t = (name: string) => report.tables.find((r) => r.table === `public.${name}`)!;
      assert.equal(t('kinds').rows, 200, 'a lookup table is not cut to 20 kinds');
      assert.match(t('kinds').notes.join('\n'), /kept at its production size \(200 rows/);
      assert.equal(t('accounts').rows, 5000);
      assert.equal(t('bills').rows, 40_000);
      const distinct = (col: string) => one(s, `SELECT count(DISTINCT ${col})::float8 FROM bills`);
      // 40 % of the accounts, as in the source: 2,000 of 5,000, not 20,000 (every account, a tenth of the bills each).
      assert.ok(Math.abs((await distinct('account_id')) - 2000) < 60, `accounts: ${await distinct('account_id')}`);
      assert.ok(Math.abs((await distinct('kind_id')) - 150) <= 2, `kinds: ${await distinct('kind_id')}`);
      assert.ok(Math.abs((await distinct('amount')) - 4000) < 200, `amounts: ${await distinct('amount')}`);
      const corr = await one(s, `SELECT correlation::float8 FROM pg_stats WHERE tablename = 'bills' AND attname = 'account_id'`);
      assert.ok(corr > 0.9, `account_id follows the rows: correlation ${corr}`);
      const nd = await one(s, `SELECT n_distinct::float8 FROM pg_stats WHERE tablename = 'bills' AND attname = 'amount'`);
      const share = nd > 0 ? nd / 40_000 : -nd;
      assert.ok(Math.abs(share - 0.1) < 0.01, `amount n_distinct ${nd}: the source's tenth of the rows`);
    } finally {
      await db.close();
    }
  });

  it('reports what it cannot fill, with the constraint and Postgres\'s error, and fills the rest', async () => {
    const { db, s } = await open();
    try {
      await s.exec(`
        CREATE TYPE pair AS (a int, b text);
        CREATE TABLE ok_t (id int PRIMARY KEY, name text NOT NULL);
        CREATE TABLE impossible (id int PRIMARY KEY, x int NOT NULL, CONSTRAINT never CHECK (x > 10 AND x < 5));
        CREATE TABLE json_shape (id int PRIMARY KEY, v jsonb NOT NULL, CONSTRAINT has_raw CHECK (v ? 'raw'));
        CREATE TABLE needs_pair (id int PRIMARY KEY, p pair NOT NULL);
        CREATE TABLE below_pair (id int PRIMARY KEY, pair_id int NOT NULL REFERENCES needs_pair);
        CREATE TABLE nullable_pair (id int PRIMARY KEY, p pair);
        CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no rows here'; END $$;
        CREATE TABLE guarded (id int PRIMARY KEY);
        CREATE TRIGGER guarded_boom BEFORE INSERT ON guarded FOR EACH ROW EXECUTE FUNCTION boom();`);
      const report = await fillDatabase(s.query, s.exec, { rowsPerTable: 500 });
      const t = (name: string) => report.tables.find((r) => r.table === `public.${name}`)!;
      assert.equal(t('ok_t').status, 'filled');
      assert.equal(t('impossible').status, 'failed');
      assert.match(t('impossible').cause!, /CHECK never \(0% of generated rows pass\)/);
      assert.equal(t('json_shape').status, 'failed');
      assert.match(t('json_shape').cause!, /CHECK has_raw/);
      assert.equal(t('needs_pair').status, 'skipped');
      assert.match(t('needs_pair').cause!, /column p of type pair cannot be generated/);
      assert.equal(t('below_pair').status, 'skipped');
      assert.match(t('below_pair').cause!, /NOT NULL and public\.needs_pair has no rows/);
      assert.equal(t('nullable_pair').status, 'filled');
      assert.deepEqual(
        report.unsupported.map((u) => `${u.table}.${u.column}:${u.handling}`).sort(),
        ['public.needs_pair.p:table-skipped', 'public.nullable_pair.p:null'],
      );
      // Triggers are off while filling: a trigger that refuses rows does not fire.
      assert.equal(t('guarded').status, 'filled');
      await assertPlannedEmpty(s, ['impossible', 'json_shape', 'needs_pair', 'below_pair']);

      // With triggers on, its error is the cause, and the other tables are still filled.
      const { db: db2, s: s2 } = await open();
      try {
        await s2.exec(`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no rows here'; END $$;
          CREATE TABLE guarded (id int PRIMARY KEY);
          CREATE TRIGGER guarded_boom BEFORE INSERT ON guarded FOR EACH ROW EXECUTE FUNCTION boom();
          CREATE TABLE fine (id int PRIMARY KEY);`);
        const on = await fillDatabase(s2.query, s2.exec, { rowsPerTable: 100, disableTriggers: false });
        assert.equal(on.triggersDisabled, false);
        const guarded = on.tables.find((r) => r.table === 'public.guarded')!;
        assert.equal(guarded.status, 'failed');
        assert.match(guarded.cause!, /no rows here/);
        assert.ok(guarded.attempts.length >= 3);
        assert.equal(on.tables.find((r) => r.table === 'public.fine')!.status, 'filled');
        // Each attempt wrote rows before the trigger threw: VACUUM gave the pages back.
        await assertPlannedEmpty(s2, ['guarded']);
      } finally {
        await db2.close();
      }
    } finally {
      await db.close();
    }
  });

  it('closes a cycle of NOT NULL FKs with triggers off; with triggers on, reports it and skips', async () => {
    const schema = `
      CREATE TABLE a (id int PRIMARY KEY, b_id int NOT NULL);
      CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a);
      ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;
      CREATE TABLE tree (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent_id bigint NOT NULL REFERENCES tree);`;
    const off = await open();
    try {
      await off.s.exec(schema);
      const report = await fillDatabase(off.s.query, off.s.exec, { rowsPerTable: 1000 });
      assert.ok(report.notes.some((n) => /NOT NULL inside a cycle/.test(n)));
      assert.ok(report.tables.every((t) => t.status === 'filled'), JSON.stringify(report.tables));
      assert.deepEqual((await orphanCounts(off.s)).filter((o) => o.orphans > 0), []);
      // The self-reference is a tree: the root points at itself, every other row at an earlier one.
      assert.equal(await one(off.s, 'SELECT count(*)::float8 FROM tree WHERE parent_id > id'), 0);
      assert.equal(await one(off.s, 'SELECT count(*)::float8 FROM tree WHERE parent_id = id'), 1);
    } finally {
      await off.db.close();
    }
    const on = await open();
    try {
      await on.s.exec(schema);
      const report = await fillDatabase(on.s.query, on.s.exec, { rowsPerTable: 1000, disableTriggers: false });
      const skipped = report.tables.filter((t) => t.status === 'skipped');
      assert.ok(skipped.some((t) => /needs triggers off/.test(t.cause ?? '')), JSON.stringify(report.tables));
      assert.deepEqual((await orphanCounts(on.s)).filter((o) => o.orphans > 0), []);
    } finally {
      await on.db.close();
    }
  });

  it('handles odd names, column-less and all-default tables, DEFAULT, hash and two-level partitions', async () => {
    const { db, s } = await open();
    try {
      await s.exec(`
        CREATE SCHEMA "We""ird Schema";
        CREATE TABLE "We""ird Schema"."Order" ("g" int PRIMARY KEY, "s" text, "v" text NOT NULL, "k1" int, "select" boolean, "Mixed Case" varchar(5), "i" int UNIQUE);
        CREATE TABLE "We""ird Schema"."Line ""Item""" ("order" int NOT NULL REFERENCES "We""ird Schema"."Order", "p0" text, "f0" int);
        CREATE TABLE empty_cols ();
        CREATE TABLE only_serial (id serial PRIMARY KEY);
        CREATE TABLE with_default (id int, kind text NOT NULL) PARTITION BY LIST (kind);
        CREATE TABLE with_default_a PARTITION OF with_default FOR VALUES IN ('a');
        CREATE TABLE with_default_rest PARTITION OF with_default DEFAULT;
        CREATE TABLE hashed (id int PRIMARY KEY, v text) PARTITION BY HASH (id);
        CREATE TABLE hashed_0 PARTITION OF hashed FOR VALUES WITH (modulus 2, remainder 0);
        CREATE TABLE hashed_1 PARTITION OF hashed FOR VALUES WITH (modulus 2, remainder 1);
        CREATE TABLE two_level (id int, at date NOT NULL, k text NOT NULL) PARTITION BY RANGE (at);
        CREATE TABLE two_level_2024 PARTITION OF two_level FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (k);
        CREATE TABLE two_level_2024_x PARTITION OF two_level_2024 FOR VALUES IN ('x', 'y');
        CREATE TABLE no_parts (id int) PARTITION BY RANGE (id);`);
      const report = await fillDatabase(s.query, s.exec, { rowsPerTable: 300 });
      const status = Object.fromEntries(report.tables.map((t) => [t.table, `${t.status} ${t.rows}`]));
      assert.deepEqual(status, {
        'We"ird Schema.Order': 'filled 300',
        'We"ird Schema.Line "Item"': 'filled 300',
        'public.empty_cols': 'filled 300',
        'public.only_serial': 'filled 300',
        'public.with_default': 'filled 300',
        'public.hashed': 'filled 300',
        'public.two_level': 'filled 300',
        'public.no_parts': 'skipped 0',
      });
      assert.equal(report.tables.find((t) => t.table === 'public.no_parts')!.cause, 'a partitioned table without partitions');
      assert.ok((await one(s, 'SELECT count(*)::float8 FROM hashed_0')) > 0 && (await one(s, 'SELECT count(*)::float8 FROM hashed_1')) > 0);
      assert.deepEqual((await orphanCounts(s)).filter((o) => o.orphans > 0), []);
    } finally {
      await db.close();
    }
  });

  it('generates every supported type, unique where it is unique', async () => {
    const { db, s } = await open(['citext']);
    try {
      await s.exec(`
        CREATE EXTENSION citext;
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN pos_int AS integer CHECK (VALUE > 0);
        CREATE DOMAIN code3 AS varchar(3) CHECK (VALUE <> '');
        CREATE TABLE all_types (
          c_int2 smallint UNIQUE, c_int4 integer UNIQUE, c_int8 bigint UNIQUE, c_num numeric(5,2) UNIQUE, c_num_free numeric UNIQUE,
          c_real real UNIQUE, c_float float8 UNIQUE, c_money money, c_text text UNIQUE, c_varchar varchar(3) UNIQUE, c_char char(3) UNIQUE,
          c_citext citext UNIQUE, c_bool boolean, c_date date UNIQUE, c_ts timestamp(3) UNIQUE, c_tstz timestamptz UNIQUE, c_time time UNIQUE,
          c_timetz timetz, c_interval interval UNIQUE, c_uuid uuid UNIQUE, c_json json, c_jsonb jsonb UNIQUE, c_bytea bytea UNIQUE,
          c_inet inet UNIQUE, c_cidr cidr UNIQUE, c_mac macaddr UNIQUE, c_mac8 macaddr8 UNIQUE, c_bit bit(16) UNIQUE, c_varbit varbit UNIQUE,
          c_qchar "char", c_oid oid UNIQUE, c_lsn pg_lsn UNIQUE, c_tsv tsvector, c_tsq tsquery, c_jsonpath jsonpath, c_point point, c_box box,
          c_lseg lseg, c_line line, c_circle circle, c_polygon polygon, c_path path, c_i4r int4range UNIQUE, c_numr numrange, c_tstzr tstzrange,
          c_dater daterange, c_int_arr integer[] UNIQUE, c_text_arr text[], c_mood_arr mood[], c_uuid_arr uuid[], c_xid8 xid8 UNIQUE,
          c_snap pg_snapshot, c_mood mood, c_pos pos_int UNIQUE, c_code code3 UNIQUE, c_name name UNIQUE
        );`);
      const report = await fillDatabase(s.query, s.exec, { rowsPerTable: 5000 });
      assert.deepEqual(report.unsupported, []);
      assert.deepEqual(report.tables.map((t) => [t.status, t.rows]), [['filled', 5000]]);
      // Nothing came out NULL that could not be.
      const columns = (await s.query(`SELECT attname AS a FROM pg_attribute WHERE attrelid = 'all_types'::regclass AND attnum > 0`)).map((r) => String(r.a));
      for (const c of columns) assert.ok((await one(s, `SELECT count(${c})::float8 FROM all_types`)) > 0, c);
      assert.equal(await one(s, `SELECT count(DISTINCT c_mood)::float8 FROM all_types`), 3);
    } finally {
      await db.close();
    }
  });
});


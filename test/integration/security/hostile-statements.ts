/**
 * Issue 13's hostile statements: every row-changing, session-changing and server-changing
 * path we could find, each explained (plain and ANALYZE) and given to the index advisor by
 * `describeNoServerChange`. The objects they reach (side-effect functions, views, triggers,
 * rules, defaults, constraints, policies, operators, casts, foreign tables…) are built by
 * `fixture.ts` in one throwaway schema.
 *
 * A statement is never expected to succeed or to fail: pglens may refuse it, the server may
 * reject it, or it may run — in every case the server must look exactly as it did before.
 */

/** What a statement needs beyond plain PostgreSQL; rows whose need a target lacks are not registered there. */
export type Capability =
  /** The real server (not the embedded sandbox): replication, other databases, files on its disk. */
  | 'server'
  /** contrib dblink, installed by the suite when the server has it. */
  | 'dblink'
  /** contrib postgres_fdw with a loopback server. */
  | 'postgres_fdw'
  /** contrib adminpack (pg_file_write). */
  | 'adminpack';

export interface HostileContext {
  /** The test schema; every object the suite creates, and every object an attack creates, starts with this name. */
  s: string;
  /** A fresh directory the server can write to; no file may appear in it. */
  dir: string;
  /** libpq connection string of the test server, for dblink. */
  dsn: string;
  /** The channel the listener LISTENs on; no notification may arrive. */
  channel: string;
  /** The database the tests run in. */
  database: string;
  /** The role the suite creates (NOLOGIN), for RLS and SET ROLE. */
  role: string;
}

export interface HostileStatement {
  label: string;
  sql: (c: HostileContext) => string;
  /** Values for $1…$n: passed to Explain as parameters and to the advisor as `--param`s. */
  params?: string[];
  /** $1…$n without values: Explain asks for a generic plan (PREPARE … EXPLAIN EXECUTE with plan_cache_mode = force_generic_plan). */
  generic?: boolean;
  needs?: Capability[];
  /**
   * The documented exception: EXPLAIN ANALYZE of a writing statement advances the sequences
   * it uses itself — its serial/identity columns, an explicit nextval — (nextval is not
   * transactional). Names sequences of the test schema that may move forward for this
   * statement only; nothing else may change.
   */
  allowSequenceAdvance?: string[];
  /** Session state the statement needs, set on the connection under test before it and undone after (not an attack). */
  session?: { setup: (c: HostileContext) => string[]; teardown: string[] };
  /** The statement runs (or plans) far longer than this: the timeout must stop it, and nothing may keep running. */
  timeoutMs?: number;
}

const q = (text: string) => `'${text.replace(/'/g, "''")}'`;

export const HOSTILE_STATEMENTS: HostileStatement[] = [
  // ── Issue 13: quoting that pglens and the server read differently ────────────────────────
  {
    label: "advise injection from issue 13: E'\\'$1' … '; COMMIT; DROP TABLE audit; --'",
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = $1 AND v <> E'\\'$1' AND v <> '; COMMIT; DROP TABLE ${s}.audit; --'`,
    params: ['5'],
  },
  {
    label: "advise injection, working form: E'\\'\\$1; COMMIT; DROP TABLE audit; --'",
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = $1 AND v <> E'\\'\\$1; COMMIT; DROP TABLE ${s}.audit; --'`,
    params: ['5'],
  },
  {
    label: 'advise injection: a $1 inside an E string turns the rest into DELETE; COMMIT',
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = $1 OR v = E'\\'\\$1; DELETE FROM ${s}.accounts; COMMIT; --'`,
    params: ['5'],
  },
  {
    label: "standard_conforming_strings = off: 'a\\' hides DELETE; COMMIT",
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE v = 'a\\' AND v <> ' ; DELETE FROM ${s}.audit; COMMIT; -- '`,
    session: { setup: () => ['SET standard_conforming_strings = off'], teardown: ['SET standard_conforming_strings = on'] },
  },
  {
    label: 'standard_conforming_strings = off: a backslash-quoted IN list hides UPDATE; COMMIT',
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE v IN ('x\\', ' ) ; UPDATE ${s}.accounts SET balance = 0; COMMIT; -- ', 'y')`,
    session: { setup: () => ['SET standard_conforming_strings = off'], teardown: ['SET standard_conforming_strings = on'] },
  },
  {
    label: "standard strings: 'a\\' ends the string, a second statement follows",
    sql: ({ s }) => `SELECT 'a\\'; DELETE FROM ${s}.audit; --'`,
  },
  {
    label: 'two statements: SELECT; COMMIT; DROP TABLE',
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = 1; COMMIT; DROP TABLE ${s}.audit`,
  },
  {
    label: 'two statements: COMMIT first, then DELETE',
    sql: ({ s }) => `COMMIT; DELETE FROM ${s}.audit`,
  },
  {
    label: 'a line comment ended by a carriage return, then a second statement',
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = 1 -- note\r; DELETE FROM ${s}.audit; COMMIT`,
  },
  {
    label: 'a block comment, then a second statement',
    sql: ({ s }) => `SELECT id FROM ${s}.t /* note */; DELETE FROM ${s}.audit; COMMIT`,
  },
  {
    label: 'nested comments: the server sees one statement',
    sql: ({ s }) => `SELECT id FROM ${s}.t /* outer /* inner */ ; DELETE FROM ${s}.audit; COMMIT; */ WHERE id = 1`,
  },
  {
    label: 'a dollar-quoted string holding a quote and COMMIT',
    sql: ({ s }) => `SELECT $q$ '; COMMIT; DELETE FROM ${s}.audit; -- $q$ FROM ${s}.t WHERE id = 1`,
  },
  {
    label: 'a dollar-quoted string, then a real second statement',
    sql: ({ s }) => `SELECT $$ it's $$ FROM ${s}.t WHERE id = 1; COMMIT; DELETE FROM ${s}.audit`,
  },
  {
    label: "an E'' string with an escaped quote holding COMMIT",
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE v = E'\\'; COMMIT; DELETE FROM ${s}.audit; --'`,
  },
  {
    label: "an E'' string ending in an escaped backslash, then a second statement",
    sql: ({ s }) => `SELECT E'\\\\'; COMMIT; DELETE FROM ${s}.audit; --'`,
  },
  {
    label: "a U&'' string with a unicode-escaped quote holding COMMIT",
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE v = U&'\\0027; COMMIT; DELETE FROM ${s}.audit; --'`,
  },
  {
    label: "a U&'' string with UESCAPE holding COMMIT",
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE v = U&'!0027; COMMIT; DELETE FROM ${s}.audit; --' UESCAPE '!'`,
  },
  {
    label: 'a NUL byte before a second statement',
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = 1\u0000; COMMIT; DELETE FROM ${s}.audit`,
  },
  { label: 'psql meta-command \\! (shell)', sql: ({ dir }) => `\\! touch ${dir}/psql-shell` },
  { label: 'psql meta-command \\copy to a file', sql: ({ s, dir }) => `\\copy ${s}.audit TO '${dir}/psql-copy.csv'` },
  { label: 'psql meta-command \\gexec', sql: ({ s }) => `SELECT 'DELETE FROM ${s}.audit' \\gexec` },

  // ── Attribute notation: a function call the parse tree shows as a column ─────────────────
  {
    label: 'attribute notation: (pid).pg_terminate_backend on the victim',
    sql: ({ s }) => `SELECT (pid).pg_terminate_backend FROM pg_stat_activity WHERE pid = (SELECT victim_pid FROM ${s}.env)`,
  },
  { label: 'attribute notation: (1::bigint).pg_advisory_lock', sql: () => 'SELECT (1::bigint).pg_advisory_lock' },
  { label: 'attribute notation: (2::bigint).pg_try_advisory_lock', sql: () => 'SELECT (2::bigint).pg_try_advisory_lock' },
  { label: 'attribute notation: (3::bigint).pg_advisory_lock_shared', sql: () => 'SELECT (3::bigint).pg_advisory_lock_shared' },
  {
    label: "attribute notation: ('t'::regclass::oid).pg_stat_reset_single_table_counters",
    sql: ({ s }) => `SELECT ('${s}.t'::regclass::oid).pg_stat_reset_single_table_counters`,
  },
  { label: "attribute notation: ('seq'::regclass).nextval", sql: ({ s }) => `SELECT ('${s}.seq'::regclass).nextval` },
  { label: 'attribute notation: (pg_backend_pid()).pg_terminate_backend (its own backend)', sql: () => 'SELECT (pg_backend_pid()).pg_terminate_backend' },
  {
    label: 'attribute notation: (dsn).dblink_connect leaves a connection in the session',
    sql: ({ s }) => `SELECT (dsn).dblink_connect FROM ${s}.env`,
    needs: ['dblink'],
  },
  {
    label: "attribute notation: dblink_connect, then ('DELETE …').dblink_exec",
    sql: ({ s }) =>
      `WITH c AS MATERIALIZED (SELECT (dsn).dblink_connect AS ok FROM ${s}.env) SELECT ('DELETE FROM ${s}.audit'::text).dblink_exec FROM c`,
    needs: ['dblink'],
  },

  // ── Built-ins that run a SQL string ──────────────────────────────────────────────────────
  { label: "query_to_xml('select setval(…)')", sql: ({ s }) => `SELECT query_to_xml('SELECT setval(''${s}.seq'', 4201)', true, true, '')` },
  { label: 'query_to_xml with pg_advisory_lock', sql: () => `SELECT query_to_xml('SELECT pg_advisory_lock(4202)', true, true, '')` },
  {
    label: 'query_to_xml with pg_terminate_backend of the victim',
    sql: ({ s }) => `SELECT query_to_xml('SELECT pg_terminate_backend(victim_pid) FROM ${s}.env', true, true, '')`,
  },
  {
    label: 'query_to_xml with lo_export to a file',
    sql: ({ s, dir }) => `SELECT query_to_xml(format('SELECT lo_export(%s, %L)', lo_oid, '${dir}/qx.lo'), true, true, '') FROM ${s}.env`,
  },
  {
    label: 'query_to_xml with dblink_exec',
    sql: ({ s }) => `SELECT query_to_xml(format('SELECT dblink_exec(%L, %L)', dsn, 'DELETE FROM ${s}.audit'), true, true, '') FROM ${s}.env`,
    needs: ['dblink'],
  },
  {
    label: 'query_to_xml_and_xmlschema with setval',
    sql: ({ s }) => `SELECT query_to_xml_and_xmlschema('SELECT setval(''${s}.seq'', 4203)', true, true, '')`,
  },
  {
    label: 'query_to_xml creating a replication slot',
    sql: ({ s }) => `SELECT query_to_xml('SELECT pg_create_physical_replication_slot(''${s}_qxslot'')', true, true, '')`,
    needs: ['server'],
  },
  { label: "ts_stat('select … setval …')", sql: ({ s }) => `SELECT * FROM ts_stat('SELECT to_tsvector(setval(''${s}.seq'', 4204)::text)')` },
  { label: "ts_stat('select … pg_advisory_lock …')", sql: () => `SELECT * FROM ts_stat('SELECT to_tsvector(pg_advisory_lock(4205)::text)')` },
  {
    label: 'cursor_to_xml over a cursor opened on setval',
    sql: ({ s }) => `SELECT cursor_to_xml(${s}.open_cursor('SELECT setval(''${s}.seq'', 4206)'), 10, true, true, '')`,
  },
  { label: 'table_to_xml of a view that calls setval', sql: ({ s }) => `SELECT table_to_xml('${s}.v_setval'::regclass, true, true, '')` },
  {
    label: 'table_to_xml (STABLE) of a side-effect view in WHERE: the planner estimates it',
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE v = table_to_xml('${s}.v_setval'::regclass, true, true, '')::text`,
  },
  { label: 'schema_to_xml of the test schema runs every view', sql: ({ s }) => `SELECT schema_to_xml('${s}', true, true, '')` },

  // ── Built-ins called directly ────────────────────────────────────────────────────────────
  { label: 'nextval of a sequence in a SELECT', sql: ({ s }) => `SELECT nextval('${s}.seq')` },
  { label: 'setval', sql: ({ s }) => `SELECT setval('${s}.seq', 4210)` },
  { label: 'pg_catalog."setval" (qualified, quoted)', sql: ({ s }) => `SELECT pg_catalog."setval"('${s}.seq', 4211)` },
  { label: 'pg_advisory_lock', sql: () => 'SELECT pg_advisory_lock(4212)' },
  { label: 'pg_advisory_xact_lock (released by the rollback)', sql: () => 'SELECT pg_advisory_xact_lock(4213)' },
  { label: 'pg_try_advisory_lock_shared in FROM', sql: () => 'SELECT * FROM pg_try_advisory_lock_shared(4214)' },
  { label: 'pg_terminate_backend of the victim', sql: ({ s }) => `SELECT pg_terminate_backend(victim_pid) FROM ${s}.env` },
  { label: 'pg_stat_reset()', sql: () => 'SELECT pg_stat_reset()' },
  { label: "pg_stat_reset_shared('bgwriter')", sql: () => "SELECT pg_stat_reset_shared('bgwriter')" },
  {
    label: 'set_config(work_mem, search_path, is_local => false)',
    sql: () => "SELECT set_config('work_mem', '1234kB', false), set_config('search_path', 'pg_catalog', false)",
  },
  {
    label: 'set_config(default_transaction_read_only, session_replication_role, false)',
    sql: () => "SELECT set_config('default_transaction_read_only', 'on', false), set_config('session_replication_role', 'replica', false)",
  },
  { label: 'pg_notify on the listened channel', sql: ({ channel }) => `SELECT pg_notify('${channel}', 'direct')` },
  { label: 'lo_from_bytea creates a large object', sql: () => "SELECT lo_from_bytea(0, 'pglens-sec direct')" },
  { label: 'lo_unlink of an existing large object', sql: ({ s }) => `SELECT lo_unlink(lo_oid) FROM ${s}.env` },
  { label: 'lo_put into an existing large object', sql: ({ s }) => `SELECT lo_put(lo_oid, 0, 'XX') FROM ${s}.env` },
  { label: 'lo_export writes a file', sql: ({ s, dir }) => `SELECT lo_export(lo_oid, '${dir}/direct.lo') FROM ${s}.env`, needs: ['server'] },
  { label: 'dblink_exec', sql: ({ s }) => `SELECT dblink_exec(dsn, 'DELETE FROM ${s}.audit') FROM ${s}.env`, needs: ['dblink'] },
  {
    label: 'dblink() running setval',
    sql: ({ s }) => `SELECT * FROM ${s}.env, dblink(dsn, 'SELECT setval(''${s}.seq'', 4215)') AS r(v bigint)`,
    needs: ['dblink'],
  },
  { label: 'pg_file_write', sql: ({ dir }) => `SELECT pg_file_write('${dir}/direct.txt', 'pglens-sec', false)`, needs: ['adminpack'] },
  {
    label: 'pg_create_physical_replication_slot',
    sql: ({ s }) => `SELECT pg_create_physical_replication_slot('${s}_slot')`,
    needs: ['server'],
  },
  { label: 'pg_sleep past the timeout', sql: () => 'SELECT pg_sleep(30)', timeoutMs: 1500 },
  { label: 'a CPU-bound query past the timeout', sql: () => 'SELECT count(*) FROM generate_series(1, 100000000000)', timeoutMs: 1500 },

  // ── User functions: plpgsql, sql, VOLATILE and lying IMMUTABLE/STABLE ───────────────────
  { label: 'plpgsql function: setval', sql: ({ s }) => `SELECT ${s}.do_effect('setval', 'fn')` },
  { label: 'plpgsql function: nextval', sql: ({ s }) => `SELECT ${s}.do_effect('nextval', 'fn')` },
  { label: 'plpgsql function: pg_terminate_backend of the victim', sql: ({ s }) => `SELECT ${s}.do_effect('terminate', 'fn')` },
  { label: 'plpgsql function: pg_advisory_lock', sql: ({ s }) => `SELECT ${s}.do_effect('advisory', 'fn')` },
  { label: 'plpgsql function: lo_create + lo_export to a file', sql: ({ s }) => `SELECT ${s}.do_effect('lo_export', 'fn_lo')` },
  { label: 'plpgsql function: COPY TO a file via EXECUTE', sql: ({ s }) => `SELECT ${s}.do_effect('copy', 'fn_copy')` },
  { label: 'plpgsql function: pg_file_write', sql: ({ s }) => `SELECT ${s}.do_effect('file_write', 'fn_fw')`, needs: ['adminpack'] },
  { label: 'plpgsql function: dblink_exec', sql: ({ s }) => `SELECT ${s}.do_effect('dblink', 'fn')`, needs: ['dblink'] },
  { label: 'plpgsql function: EXECUTE of dynamic DDL', sql: ({ s }) => `SELECT ${s}.do_effect('ddl', 'fn')` },
  { label: 'plpgsql function: set_config(…, false)', sql: ({ s }) => `SELECT ${s}.do_effect('set_config', 'fn')` },
  { label: 'plpgsql function: pg_notify', sql: ({ s }) => `SELECT ${s}.do_effect('notify', 'fn')` },
  { label: 'plpgsql function: pg_stat_reset_single_table_counters', sql: ({ s }) => `SELECT ${s}.do_effect('stat_reset', 'fn')` },
  { label: "plpgsql function: pg_stat_reset_shared('bgwriter')", sql: ({ s }) => `SELECT ${s}.do_effect('stat_reset_shared', 'fn')`, needs: ['server'] },
  { label: 'plpgsql function: creates a replication slot', sql: ({ s }) => `SELECT ${s}.do_effect('slot', 'fn')`, needs: ['server'] },
  { label: 'sql function: setval', sql: ({ s }) => `SELECT ${s}.sql_setval()` },
  { label: 'sql function: pg_advisory_lock', sql: ({ s }) => `SELECT ${s}.sql_advisory()` },
  { label: 'sql function: pg_terminate_backend of the victim', sql: ({ s }) => `SELECT ${s}.sql_terminate()` },
  { label: 'lying IMMUTABLE function with setval (folded while planning)', sql: ({ s }) => `SELECT ${s}.imm('setval', 'imm')` },
  { label: 'lying IMMUTABLE function in WHERE: advisory lock', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = ${s}.imm('advisory', 'imm')` },
  { label: 'lying IMMUTABLE function in WHERE: terminates the victim', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = ${s}.imm('terminate', 'imm')` },
  { label: 'lying IMMUTABLE function: lo_export to a file', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = ${s}.imm('lo_export', 'imm_lo')` },
  { label: 'lying IMMUTABLE function: dblink_exec', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = ${s}.imm('dblink', 'imm')`, needs: ['dblink'] },
  { label: 'lying IMMUTABLE sql function with setval', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = ${s}.imm_sql_setval(1)` },
  { label: 'lying STABLE function in an index condition (selectivity estimate runs it)', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = ${s}.stab('setval', 'stab')` },
  { label: 'lying STABLE function: advisory lock while planning', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = ${s}.stab('advisory', 'stab')` },
  {
    label: 'lying IMMUTABLE function sleeping while planning (the timeout must stop it)',
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = ${s}.imm('sleep', 'imm')`,
    timeoutMs: 1500,
  },
  { label: 'dblink through a function: CREATE ROLE … SUPERUSER', sql: ({ s }) => `SELECT ${s}.run_remote('CREATE ROLE ${s}_evil SUPERUSER')`, needs: ['dblink'] },
  {
    label: 'dblink through a function: ALTER SYSTEM',
    sql: ({ s }) => `SELECT ${s}.run_remote('ALTER SYSTEM SET cursor_tuple_fraction = 0.0999')`,
    needs: ['dblink'],
  },
  { label: 'dblink through a function: CREATE DATABASE', sql: ({ s }) => `SELECT ${s}.run_remote('CREATE DATABASE ${s}_evil')`, needs: ['dblink'] },
  {
    label: 'dblink through a function: ALTER DATABASE … SET',
    sql: ({ s, database }) => `SELECT ${s}.run_remote(${q(`ALTER DATABASE "${database}" SET ${s}.marker = 'owned'`)})`,
    needs: ['dblink'],
  },
  { label: 'dblink through a function: NOTIFY', sql: ({ s, channel }) => `SELECT ${s}.run_remote(${q(`NOTIFY "${channel}", 'remote'`)})`, needs: ['dblink'] },
  { label: 'dblink through a function: GRANT', sql: ({ s }) => `SELECT ${s}.run_remote('GRANT ALL ON ${s}.audit TO PUBLIC')`, needs: ['dblink'] },

  // ── Views ────────────────────────────────────────────────────────────────────────────────
  { label: 'view calling setval', sql: ({ s }) => `SELECT * FROM ${s}.v_setval` },
  { label: 'view taking an advisory lock', sql: ({ s }) => `SELECT * FROM ${s}.v_advisory` },
  { label: 'view terminating the victim', sql: ({ s }) => `SELECT * FROM ${s}.v_terminate` },
  { label: 'view exporting a large object to a file', sql: ({ s }) => `SELECT * FROM ${s}.v_lo_export` },
  { label: 'view calling dblink_exec', sql: ({ s }) => `SELECT * FROM ${s}.v_dblink`, needs: ['dblink'] },
  { label: 'view over a lying IMMUTABLE function', sql: ({ s }) => `SELECT * FROM ${s}.v_imm` },

  // ── Triggers, rules, defaults, constraints, policies, operators, casts ───────────────────
  { label: 'INSERT: BEFORE ROW trigger calls setval', sql: ({ s }) => `INSERT INTO ${s}.trg_ins (id, v) VALUES (1, 'x')` },
  { label: 'UPDATE: AFTER STATEMENT trigger takes an advisory lock', sql: ({ s }) => `UPDATE ${s}.trg_upd SET v = 'y'` },
  { label: 'DELETE: AFTER ROW trigger terminates the victim', sql: ({ s }) => `DELETE FROM ${s}.trg_del` },
  { label: 'INSERT: BEFORE STATEMENT trigger runs dblink_exec', sql: ({ s }) => `INSERT INTO ${s}.trg_dblink VALUES (1)`, needs: ['dblink'] },
  { label: 'UPDATE: AFTER ROW triggers lo_export and COPY to files', sql: ({ s }) => `UPDATE ${s}.trg_file SET v = v || '!'` },
  { label: 'INSERT: deferred constraint trigger (fires only at COMMIT)', sql: ({ s }) => `INSERT INTO ${s}.trg_deferred VALUES (1)` },
  { label: 'INSERT into a view: INSTEAD OF trigger takes an advisory lock', sql: ({ s }) => `INSERT INTO ${s}.v_instead (id, v) VALUES (9, 'z')` },
  {
    label: 'MERGE into a table with a BEFORE ROW INSERT trigger',
    sql: ({ s }) => `MERGE INTO ${s}.trg_ins d USING (VALUES (7, 'm')) v(id, v) ON d.id = v.id WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.v)`,
  },
  {
    label: 'INSERT … ON CONFLICT DO UPDATE fires the UPDATE statement trigger',
    sql: ({ s }) => `INSERT INTO ${s}.trg_upd (id, v) VALUES (1, 'c') ON CONFLICT (id) DO UPDATE SET v = 'conflict'`,
  },
  {
    label: 'writable CTE inserting into a triggered table',
    sql: ({ s }) => `WITH x AS (INSERT INTO ${s}.trg_ins VALUES (2, 'cte') RETURNING id) SELECT id FROM x`,
  },
  { label: 'rule DO ALSO calls a function (INSERT)', sql: ({ s }) => `INSERT INTO ${s}.ruled VALUES (2, 'r')` },
  { label: 'rule DO ALSO takes an advisory lock (UPDATE)', sql: ({ s }) => `UPDATE ${s}.ruled SET v = 'u'` },
  { label: 'rule DO INSTEAD terminates the victim (DELETE)', sql: ({ s }) => `DELETE FROM ${s}.ruled_instead` },
  { label: 'rule DO ALSO NOTIFY (INSERT)', sql: ({ s }) => `INSERT INTO ${s}.ruled_notify VALUES (1)` },
  { label: 'column DEFAULT calls setval', sql: ({ s }) => `INSERT INTO ${s}.def_tab (id) VALUES (1)` },
  { label: 'column DEFAULT with a lying IMMUTABLE function (folded while planning)', sql: ({ s }) => `INSERT INTO ${s}.def_imm (id) VALUES (1)` },
  { label: 'GENERATED column with a lying IMMUTABLE function', sql: ({ s }) => `INSERT INTO ${s}.gen_tab (id) VALUES (1)` },
  { label: 'CHECK constraint calls a function taking an advisory lock', sql: ({ s }) => `INSERT INTO ${s}.chk_tab VALUES (1)` },
  { label: 'domain CHECK constraint calls setval', sql: ({ s }) => `SELECT 5::${s}.dom` },
  {
    label: 'RLS policy calls a SECURITY DEFINER function with setval (as a non-superuser role)',
    sql: ({ s }) => `SELECT * FROM ${s}.rls_tab`,
    session: { setup: ({ role }) => [`SET ROLE ${role}`], teardown: ['RESET ROLE'] },
  },
  { label: 'functional index on a lying IMMUTABLE function (INSERT)', sql: ({ s }) => `INSERT INTO ${s}.fidx VALUES (1)` },
  { label: 'user-defined operator whose function calls setval', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id OPERATOR(${s}.=#=) 5` },
  { label: 'user-defined operator with a lying IMMUTABLE function', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = 1 AND 1 OPERATOR(${s}.=#!) 1` },
  { label: 'user-defined cast calling setval', sql: ({ s }) => `SELECT id::${s}.tag FROM ${s}.t WHERE id < 3` },
  { label: 'user-defined cast with a lying IMMUTABLE function', sql: ({ s }) => `SELECT 5::${s}.tag_imm` },
  { label: 'ON DELETE CASCADE reaches a child with a setval trigger', sql: ({ s }) => `DELETE FROM ${s}.parent WHERE id = 1` },
  { label: 'ON UPDATE CASCADE reaches a child with an advisory-lock trigger', sql: ({ s }) => `UPDATE ${s}.parent SET id = 20 WHERE id = 2` },
  { label: 'event trigger on CREATE TABLE AS', sql: ({ s }) => `CREATE TABLE ${s}.ctas_evt AS SELECT 1 AS x` },
  { label: 'postgres_fdw: foreign table over a setval view', sql: ({ s }) => `SELECT * FROM ${s}.ft_setval`, needs: ['postgres_fdw'] },
  {
    label: 'postgres_fdw: foreign table over an advisory-lock view (the remote session keeps it)',
    sql: ({ s }) => `SELECT * FROM ${s}.ft_advisory`,
    needs: ['postgres_fdw'],
  },
  {
    label: 'postgres_fdw: INSERT into a remote table',
    sql: ({ s }) => `INSERT INTO ${s}.ft_audit (msg) VALUES ('fdw')`,
    needs: ['postgres_fdw'],
    allowSequenceAdvance: ['audit_id_seq'],
  },

  // ── Explainable writes, locks and DDL-as-query ───────────────────────────────────────────
  { label: 'DELETE of every row', sql: ({ s }) => `DELETE FROM ${s}.audit` },
  { label: 'UPDATE of every row', sql: ({ s }) => `UPDATE ${s}.accounts SET balance = 0` },
  { label: 'INSERT into a serial column (its own sequence may advance)', sql: ({ s }) => `INSERT INTO ${s}.ins_target (v) VALUES ('x')`, allowSequenceAdvance: ['ins_target_id_seq'] },
  {
    label: 'INSERT into an identity column (its own sequence may advance)',
    sql: ({ s }) => `INSERT INTO ${s}.ident (v) SELECT 'x' FROM generate_series(1, 10)`,
    allowSequenceAdvance: ['ident_id_seq'],
  },
  {
    // The statement's own nextval, like its serial columns': sequences are not transactional (SECURITY.md).
    label: 'INSERT with an explicit nextval of another sequence',
    sql: ({ s }) => `INSERT INTO ${s}.ins_target (id, v) VALUES (nextval('${s}.seq'), 'x')`,
    allowSequenceAdvance: ['seq'],
  },
  {
    label: 'MERGE updating and inserting',
    sql: ({ s }) =>
      `MERGE INTO ${s}.accounts a USING (VALUES (1, 5), (42, 7)) v(id, amt) ON a.id = v.id WHEN MATCHED THEN UPDATE SET balance = a.balance + v.amt WHEN NOT MATCHED THEN INSERT (owner, balance) VALUES ('new', v.amt)`,
    allowSequenceAdvance: ['accounts_id_seq'],
  },
  { label: 'writable CTE: DELETE … RETURNING', sql: ({ s }) => `WITH d AS (DELETE FROM ${s}.audit RETURNING id) SELECT count(*) FROM d` },
  {
    label: 'writable CTE: INSERT into a serial table',
    sql: ({ s }) => `WITH i AS (INSERT INTO ${s}.audit (msg) VALUES ('cte') RETURNING id) SELECT * FROM i`,
    allowSequenceAdvance: ['audit_id_seq'],
  },
  { label: 'SELECT … FOR UPDATE', sql: ({ s }) => `SELECT * FROM ${s}.accounts FOR UPDATE` },
  { label: 'SELECT … FOR SHARE', sql: ({ s }) => `SELECT * FROM ${s}.accounts FOR SHARE` },
  { label: 'SELECT … FOR NO KEY UPDATE SKIP LOCKED', sql: ({ s }) => `SELECT * FROM ${s}.accounts FOR NO KEY UPDATE SKIP LOCKED` },
  { label: 'SELECT … FOR KEY SHARE NOWAIT', sql: ({ s }) => `SELECT * FROM ${s}.accounts FOR KEY SHARE NOWAIT` },
  { label: 'CREATE TABLE AS calling a side-effect function', sql: ({ s }) => `CREATE TABLE ${s}.ctas AS SELECT ${s}.do_effect('advisory', 'ctas') AS x` },
  { label: 'SELECT INTO a new table', sql: ({ s }) => `SELECT ${s}.do_effect('setval', 'select_into') AS x INTO ${s}.select_into` },
  { label: 'CREATE MATERIALIZED VIEW AS calling setval', sql: ({ s }) => `CREATE MATERIALIZED VIEW ${s}.mv AS SELECT ${s}.do_effect('setval', 'mv') AS x` },
  { label: 'DECLARE CURSOR WITH HOLD over a side-effect function', sql: ({ s }) => `DECLARE c CURSOR WITH HOLD FOR SELECT ${s}.do_effect('advisory', 'cursor')` },
  { label: 'DECLARE SCROLL CURSOR over an attribute-notation advisory lock', sql: () => 'DECLARE c SCROLL CURSOR FOR SELECT (4::bigint).pg_advisory_lock' },
  { label: 'VALUES with a side-effect function', sql: ({ s }) => `VALUES (${s}.do_effect('setval', 'values'))` },
  { label: 'EXECUTE of a prepared statement that does not exist', sql: () => 'EXECUTE pglens_sec_no_such_statement' },
  { label: 'an EXPLAIN ANALYZE prefix already in the text', sql: ({ s }) => `EXPLAIN ANALYZE DELETE FROM ${s}.audit` },

  // ── Generic plans: $n without values, prepared and explained, never executed ─────────────
  { label: 'generic plan: DELETE with $1', sql: ({ s }) => `DELETE FROM ${s}.audit WHERE id > $1`, generic: true },
  {
    label: 'generic plan: UPDATE calling a side-effect function, $1 in the WHERE',
    sql: ({ s }) => `UPDATE ${s}.accounts SET balance = ${s}.do_effect('setval', 'generic') WHERE id = $1`,
    generic: true,
  },
  { label: 'generic plan: lying IMMUTABLE function folded while planning', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = $1 AND ${s}.imm('setval', 'generic_imm') = 1`, generic: true },
  { label: 'generic plan: INSERT with $1, $2 into a triggered table', sql: ({ s }) => `INSERT INTO ${s}.trg_ins VALUES ($1, $2)`, generic: true },
  { label: 'generic plan: writable CTE with $1', sql: ({ s }) => `WITH d AS (DELETE FROM ${s}.audit WHERE id = $1 RETURNING id) SELECT count(*) FROM d`, generic: true },
  {
    label: "generic plan: $1 next to E'\\'\\$1; COMMIT; DROP TABLE audit; --' (the text PREPARE receives)",
    sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = $1 AND v <> E'\\'\\$1; COMMIT; DROP TABLE ${s}.audit; --'`,
    generic: true,
  },
  { label: 'generic plan: a parameter of no inferable type (declared text, retried in a savepoint) next to nextval', sql: ({ s }) => `SELECT nextval('${s}.seq') WHERE $1 IS NULL`, generic: true },

  // ── Values bound to $n of a domain type: the domain's input runs its CHECK (fxb → setval) ─
  { label: 'a value bound to $1::dom (a domain whose CHECK calls setval)', sql: ({ s }) => `SELECT $1::${s}.dom`, params: ['5'] },
  { label: 'a value bound to $1::dom[] (an array of the domain)', sql: ({ s }) => `SELECT $1::${s}.dom[]`, params: ['{5,6}'] },
  { label: 'a value bound to $1::dom in a WHERE on an indexed column', sql: ({ s }) => `SELECT id FROM ${s}.t WHERE id = $1::${s}.dom`, params: ['5'] },
  { label: 'a value bound to $1::dom, $2 int in a writable CTE', sql: ({ s }) => `WITH d AS (DELETE FROM ${s}.audit WHERE id = $2 RETURNING id) SELECT $1::${s}.dom, (SELECT count(*) FROM d)`, params: ['5', '1'] },
  { label: 'CREATE TABLE AS with a value bound to $1::dom (not preparable: every domain is checked)', sql: ({ s }) => `CREATE TABLE ${s}.ctas_dom AS SELECT $1::${s}.dom AS x`, params: ['5'] },
  // The domain named by a column definition, not a cast: json_to_record's output is coerced to it (its CHECK runs), writable so not READ ONLY.
  {
    label: 'writable CTE next to json_to_record(…) AS x(a dom): a column definition list of the domain',
    sql: ({ s }) => `WITH d AS (DELETE FROM ${s}.audit WHERE id < 0 RETURNING id) SELECT x.a, (SELECT count(*) FROM d) FROM json_to_record('{"a": 5}') AS x(a ${s}.dom)`,
  },
  {
    label: 'writable CTE next to XMLTABLE(… COLUMNS a dom): a column of the domain',
    sql: ({ s }) => `WITH d AS (DELETE FROM ${s}.audit WHERE id < 0 RETURNING id) SELECT x.a, (SELECT count(*) FROM d) FROM XMLTABLE('/r' PASSING ('<r><a>5</a></r>'::xml) COLUMNS a ${s}.dom PATH 'a') AS x`,
  },
  {
    label: 'writable CTE next to JSON_TABLE(… COLUMNS (a dom)) (PostgreSQL 17+)',
    sql: ({ s }) => `WITH d AS (DELETE FROM ${s}.audit WHERE id < 0 RETURNING id) SELECT x.a, (SELECT count(*) FROM d) FROM JSON_TABLE('{"a": 5}'::jsonb, '$' COLUMNS (a ${s}.dom PATH '$.a')) AS x`,
  },

  // ── Not explainable: session- and server-changing commands ───────────────────────────────
  { label: 'DO block with setval', sql: ({ s }) => `DO $$ BEGIN PERFORM setval('${s}.seq', 4220); END $$` },
  { label: 'CALL of a procedure that COMMITs', sql: ({ s }) => `CALL ${s}.proc_commit()` },
  { label: 'PREPARE', sql: ({ s }) => `PREPARE pglens_sec_p AS DELETE FROM ${s}.audit` },
  { label: 'DEALLOCATE ALL', sql: () => 'DEALLOCATE ALL' },
  { label: 'SET work_mem', sql: () => "SET work_mem = '1234kB'" },
  { label: 'SET search_path', sql: () => 'SET search_path = pg_catalog' },
  { label: 'RESET ALL', sql: () => 'RESET ALL' },
  { label: 'SET ROLE', sql: ({ role }) => `SET ROLE ${role}` },
  { label: 'SET SESSION AUTHORIZATION', sql: ({ role }) => `SET SESSION AUTHORIZATION ${role}` },
  { label: 'SET standard_conforming_strings = off', sql: () => 'SET standard_conforming_strings = off' },
  { label: 'SET default_transaction_read_only', sql: () => 'SET default_transaction_read_only = on' },
  { label: 'LISTEN', sql: () => 'LISTEN pglens_sec_channel' },
  { label: 'NOTIFY', sql: ({ channel }) => `NOTIFY "${channel}", 'command'` },
  { label: 'DISCARD ALL', sql: () => 'DISCARD ALL' },
  { label: 'VACUUM', sql: ({ s }) => `VACUUM ${s}.t` },
  { label: 'VACUUM FULL', sql: ({ s }) => `VACUUM FULL ${s}.audit` },
  { label: 'ANALYZE (statistics)', sql: ({ s }) => `ANALYZE ${s}.t` },
  { label: 'CREATE INDEX CONCURRENTLY', sql: ({ s }) => `CREATE INDEX CONCURRENTLY audit_msg_idx ON ${s}.audit (msg)` },
  { label: 'REINDEX', sql: ({ s }) => `REINDEX TABLE ${s}.t` },
  { label: 'COPY … TO PROGRAM', sql: ({ s, dir }) => `COPY ${s}.audit TO PROGRAM 'cat > ${dir}/program.txt'` },
  { label: 'COPY … TO a file', sql: ({ s, dir }) => `COPY ${s}.audit TO '${dir}/copy.csv'` },
  { label: 'COPY … FROM a file', sql: ({ s }) => `COPY ${s}.audit (msg) FROM '/etc/hostname'` },
  { label: 'ALTER SYSTEM', sql: () => 'ALTER SYSTEM SET cursor_tuple_fraction = 0.0998' },
  { label: 'CREATE ROLE', sql: ({ s }) => `CREATE ROLE ${s}_cmd SUPERUSER` },
  { label: 'ALTER ROLE … SET', sql: ({ role }) => `ALTER ROLE ${role} SET work_mem = '77MB'` },
  { label: 'GRANT', sql: ({ s }) => `GRANT ALL ON ${s}.audit TO PUBLIC` },
  { label: 'DROP TABLE', sql: ({ s }) => `DROP TABLE ${s}.audit` },
  { label: 'TRUNCATE', sql: ({ s }) => `TRUNCATE ${s}.audit` },
  { label: 'CREATE EXTENSION', sql: ({ s }) => `CREATE EXTENSION pgcrypto SCHEMA ${s}` },
  { label: 'CHECKPOINT', sql: () => 'CHECKPOINT' },
  { label: 'LOCK TABLE', sql: ({ s }) => `LOCK TABLE ${s}.audit IN ACCESS EXCLUSIVE MODE` },
  { label: 'CREATE DATABASE', sql: ({ s }) => `CREATE DATABASE ${s}_cmd` },
  { label: 'ALTER TABLE', sql: ({ s }) => `ALTER TABLE ${s}.audit ADD COLUMN extra int` },
  { label: 'CREATE FUNCTION', sql: ({ s }) => `CREATE FUNCTION ${s}.made() RETURNS int LANGUAGE sql AS 'SELECT 1'` },
  { label: 'BEGIN', sql: () => 'BEGIN' },
  { label: 'COMMIT', sql: () => 'COMMIT' },
  { label: 'PREPARE TRANSACTION', sql: ({ s }) => `PREPARE TRANSACTION '${s}_gid'` },
  { label: 'LOAD', sql: () => "LOAD 'auto_explain'" },
];

import type { HostileContext } from './hostile-statements';

/**
 * The objects the hostile statements reach, all in the test schema `s`: tables with data,
 * a standalone sequence to watch, and every way a statement can run code it does not name —
 * functions (honest and lying about their volatility), views, triggers, rules, defaults,
 * generated columns, CHECK and domain constraints, an RLS policy, a functional index,
 * operators, casts, cascading foreign keys, an event trigger and foreign tables.
 *
 * Every side effect goes through `do_effect(effect, tag)`, so each is written once:
 *   setval / nextval         the sequence `s.seq`          (sequences are not transactional)
 *   terminate                the victim backend            (pg_terminate_backend)
 *   advisory                 a session advisory lock       (survives ROLLBACK)
 *   lo_export / copy / file_write   a file in `dir`        (the file system is not transactional;
 *                                                           lo_export writes the fixture's large object)
 *   dblink                   DELETE on `s.audit` through a second connection (commits)
 *   ddl                      DROP TABLE through EXECUTE
 *   set_config / notify      session setting / notification (transactional: must stay rolled back)
 *   stat_reset / stat_reset_shared   statistics resets      (immediate)
 *   slot                     a physical replication slot   (not transactional)
 *   sleep                    pg_sleep(30)
 */
export interface FixtureOptions {
  /** Schema holding the dblink functions when dblink is installed. */
  dblinkSchema?: string;
  /** postgres_fdw loopback target, when the extension is available. */
  fdw?: { host: string; port: number; database: string; user: string; password?: string; application: string };
  /** The victim backend's pid (server only). */
  victimPid?: number;
}

const lit = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function fixtureStatements(c: HostileContext, o: FixtureOptions): string[] {
  const { s, role } = c;
  const dl = o.dblinkSchema ? `${o.dblinkSchema}.` : '';
  const stmts: string[] = [
    `CREATE SCHEMA ${s}`,
    `CREATE TABLE ${s}.env (victim_pid int, dsn text, dir text, channel text, lo_oid oid)`,
    `INSERT INTO ${s}.env VALUES (${o.victimPid ?? 'NULL'}, ${lit(c.dsn)}, ${lit(c.dir)}, ${lit(c.channel)}, lo_from_bytea(0, 'pglens-sec fixture'))`,
    `CREATE SEQUENCE ${s}.seq`,
    `CREATE TABLE ${s}.t (id int PRIMARY KEY, v text NOT NULL)`,
    `INSERT INTO ${s}.t SELECT g, 'v' || g FROM generate_series(1, 2000) g`,
    `ANALYZE ${s}.t`,
    `CREATE TABLE ${s}.audit (id serial PRIMARY KEY, msg text NOT NULL)`,
    `INSERT INTO ${s}.audit (msg) VALUES ('seed 1'), ('seed 2'), ('seed 3')`,
    `CREATE TABLE ${s}.accounts (id serial PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL)`,
    `INSERT INTO ${s}.accounts (owner, balance) VALUES ('ann', 100), ('bob', 250.5), ('cyd', 0)`,
    `CREATE TABLE ${s}.ins_target (id serial PRIMARY KEY, v text)`,
    `CREATE TABLE ${s}.ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)`,

    // The one place side effects are written.
    `CREATE FUNCTION ${s}.do_effect(effect text, tag text) RETURNS int LANGUAGE plpgsql AS $fn$
     DECLARE e ${s}.env;
     BEGIN
       SELECT * INTO e FROM ${s}.env;
       CASE effect
         WHEN 'setval' THEN PERFORM setval('${s}.seq', 4242);
         WHEN 'nextval' THEN PERFORM nextval('${s}.seq');
         WHEN 'terminate' THEN PERFORM pg_terminate_backend(e.victim_pid);
         WHEN 'advisory' THEN PERFORM pg_advisory_lock(4243, hashtext(tag));
         WHEN 'lo_export' THEN PERFORM lo_export(e.lo_oid, e.dir || '/' || tag || '.lo');
         WHEN 'copy' THEN EXECUTE format('COPY (SELECT %L) TO %L', tag, e.dir || '/' || tag || '.csv');
         WHEN 'file_write' THEN PERFORM pg_file_write(e.dir || '/' || tag || '.txt', 'pglens-sec', false);
         WHEN 'dblink' THEN PERFORM ${dl}dblink_exec(e.dsn, 'DELETE FROM ${s}.audit');
         WHEN 'ddl' THEN EXECUTE 'DROP TABLE ${s}.audit'; EXECUTE 'CREATE TABLE ${s}.made_by_function (x int)';
         WHEN 'set_config' THEN PERFORM set_config('work_mem', '1234kB', false), set_config('search_path', 'pg_catalog', false);
         WHEN 'notify' THEN PERFORM pg_notify(e.channel, tag);
         WHEN 'stat_reset' THEN PERFORM pg_stat_reset_single_table_counters('${s}.t'::regclass);
         WHEN 'stat_reset_shared' THEN PERFORM pg_stat_reset_shared('bgwriter');
         WHEN 'slot' THEN PERFORM pg_create_physical_replication_slot('${s}_fnslot');
         WHEN 'sleep' THEN PERFORM pg_sleep(30);
       END CASE;
       RETURN 1;
     END $fn$`,
    // Lying about volatility: the planner evaluates these while planning a plain EXPLAIN.
    `CREATE FUNCTION ${s}.imm(effect text, tag text) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $fn$ BEGIN PERFORM ${s}.do_effect(effect, tag); RETURN 1; END $fn$`,
    `CREATE FUNCTION ${s}.stab(effect text, tag text) RETURNS int LANGUAGE plpgsql STABLE AS $fn$ BEGIN PERFORM ${s}.do_effect(effect, tag); RETURN 1; END $fn$`,
    `CREATE FUNCTION ${s}.imm_sql_setval(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $fn$ SELECT setval('${s}.seq', 4230 + x)::int $fn$`,
    `CREATE FUNCTION ${s}.imm_gen(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $fn$ BEGIN PERFORM ${s}.do_effect('setval', 'imm_gen'); RETURN x; END $fn$`,
    `CREATE FUNCTION ${s}.fxb(effect text, tag text) RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN PERFORM ${s}.do_effect(effect, tag); RETURN true; END $fn$`,
    `CREATE FUNCTION ${s}.fxb_definer() RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER AS $fn$ BEGIN PERFORM ${s}.do_effect('setval', 'rls'); RETURN true; END $fn$`,
    `CREATE FUNCTION ${s}.sql_setval() RETURNS bigint LANGUAGE sql AS $fn$ SELECT setval('${s}.seq', 4231) $fn$`,
    `CREATE FUNCTION ${s}.sql_advisory() RETURNS void LANGUAGE sql AS $fn$ SELECT pg_advisory_lock(4232) $fn$`,
    `CREATE FUNCTION ${s}.sql_terminate() RETURNS boolean LANGUAGE sql AS $fn$ SELECT pg_terminate_backend(victim_pid) FROM ${s}.env $fn$`,
    `CREATE FUNCTION ${s}.run_remote(cmd text) RETURNS text LANGUAGE plpgsql AS $fn$ BEGIN RETURN ${dl}dblink_exec((SELECT dsn FROM ${s}.env), cmd); END $fn$`,
    `CREATE FUNCTION ${s}.open_cursor(query text) RETURNS refcursor LANGUAGE plpgsql AS $fn$ DECLARE c refcursor := 'pglens_sec_cursor'; BEGIN OPEN c FOR EXECUTE query; RETURN c; END $fn$`,
    `CREATE PROCEDURE ${s}.proc_commit() LANGUAGE plpgsql AS $fn$ BEGIN DELETE FROM ${s}.audit; COMMIT; END $fn$`,
    `CREATE FUNCTION ${s}.tg_effect() RETURNS trigger LANGUAGE plpgsql AS $fn$
     BEGIN
       PERFORM ${s}.do_effect(TG_ARGV[0], TG_NAME);
       IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
       RETURN NEW;
     END $fn$`,

    // Views that run them.
    `CREATE VIEW ${s}.v_setval AS SELECT setval('${s}.seq', 4233) AS x`,
    `CREATE VIEW ${s}.v_advisory AS SELECT pg_advisory_lock(4234)::text AS x`,
    `CREATE VIEW ${s}.v_terminate AS SELECT pg_terminate_backend(victim_pid) AS x FROM ${s}.env`,
    `CREATE VIEW ${s}.v_lo_export AS SELECT ${s}.do_effect('lo_export', 'view_lo') AS x`,
    `CREATE VIEW ${s}.v_imm AS SELECT ${s}.imm('setval', 'view_imm') AS x`,

    // Triggers.
    `CREATE TABLE ${s}.trg_ins (id int, v text)`,
    `CREATE TRIGGER trg_ins_before BEFORE INSERT ON ${s}.trg_ins FOR EACH ROW EXECUTE FUNCTION ${s}.tg_effect('setval')`,
    `CREATE TABLE ${s}.trg_upd (id int PRIMARY KEY, v text)`,
    `INSERT INTO ${s}.trg_upd VALUES (1, 'a'), (2, 'b')`,
    `CREATE TRIGGER trg_upd_after AFTER UPDATE ON ${s}.trg_upd FOR EACH STATEMENT EXECUTE FUNCTION ${s}.tg_effect('advisory')`,
    `CREATE TABLE ${s}.trg_del (id int, v text)`,
    `INSERT INTO ${s}.trg_del VALUES (1, 'a')`,
    `CREATE TRIGGER trg_del_after AFTER DELETE ON ${s}.trg_del FOR EACH ROW EXECUTE FUNCTION ${s}.tg_effect('terminate')`,
    `CREATE TABLE ${s}.trg_dblink (id int)`,
    `CREATE TRIGGER trg_dblink_before BEFORE INSERT ON ${s}.trg_dblink FOR EACH STATEMENT EXECUTE FUNCTION ${s}.tg_effect('dblink')`,
    `CREATE TABLE ${s}.trg_file (id int, v text)`,
    `INSERT INTO ${s}.trg_file VALUES (1, 'a')`,
    `CREATE TRIGGER trg_file_lo AFTER UPDATE ON ${s}.trg_file FOR EACH ROW EXECUTE FUNCTION ${s}.tg_effect('lo_export')`,
    `CREATE TRIGGER trg_file_copy AFTER UPDATE ON ${s}.trg_file FOR EACH ROW EXECUTE FUNCTION ${s}.tg_effect('copy')`,
    `CREATE TABLE ${s}.trg_deferred (id int)`,
    `CREATE CONSTRAINT TRIGGER trg_deferred_commit AFTER INSERT ON ${s}.trg_deferred DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${s}.tg_effect('setval')`,
    `CREATE VIEW ${s}.v_instead AS SELECT id, v FROM ${s}.trg_ins`,
    `CREATE TRIGGER v_instead_ins INSTEAD OF INSERT ON ${s}.v_instead FOR EACH ROW EXECUTE FUNCTION ${s}.tg_effect('advisory')`,

    // Rules.
    `CREATE TABLE ${s}.ruled (id int, v text)`,
    `INSERT INTO ${s}.ruled VALUES (1, 'a')`,
    `CREATE RULE ruled_ins AS ON INSERT TO ${s}.ruled DO ALSO SELECT ${s}.do_effect('setval', 'rule')`,
    `CREATE RULE ruled_upd AS ON UPDATE TO ${s}.ruled DO ALSO SELECT pg_advisory_lock(4235)`,
    `CREATE TABLE ${s}.ruled_instead (id int)`,
    `INSERT INTO ${s}.ruled_instead VALUES (1)`,
    `CREATE RULE ruled_del AS ON DELETE TO ${s}.ruled_instead DO INSTEAD SELECT pg_terminate_backend(victim_pid) FROM ${s}.env`,
    `CREATE TABLE ${s}.ruled_notify (id int)`,
    `CREATE RULE ruled_notify_ins AS ON INSERT TO ${s}.ruled_notify DO ALSO NOTIFY "${c.channel}"`,

    // Defaults, generated columns, constraints, domains, a functional index.
    `CREATE TABLE ${s}.def_tab (id int, v int DEFAULT ${s}.do_effect('setval', 'default'))`,
    `CREATE TABLE ${s}.def_imm (id int, v int DEFAULT ${s}.imm('advisory', 'default_imm'))`,
    `CREATE TABLE ${s}.gen_tab (id int, g int GENERATED ALWAYS AS (${s}.imm_gen(id)) STORED)`,
    `CREATE TABLE ${s}.chk_tab (id int CHECK (${s}.fxb('advisory', 'check')))`,
    `CREATE DOMAIN ${s}.dom AS int CHECK (${s}.fxb('setval', 'domain'))`,
    `CREATE TABLE ${s}.fidx (id int)`,
    `CREATE INDEX fidx_expr ON ${s}.fidx ((${s}.imm_gen(id)))`,

    // Row-level security, for a role that is not a superuser.
    `CREATE TABLE ${s}.rls_tab (id int)`,
    `INSERT INTO ${s}.rls_tab VALUES (1), (2)`,
    `ALTER TABLE ${s}.rls_tab ENABLE ROW LEVEL SECURITY`,
    `CREATE POLICY rls_all ON ${s}.rls_tab USING (${s}.fxb_definer())`,
    `GRANT USAGE ON SCHEMA ${s} TO ${role}`,
    `GRANT SELECT ON ${s}.rls_tab, ${s}.env TO ${role}`,

    // Operators and casts.
    `CREATE FUNCTION ${s}.op_fn(a int, b int) RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN PERFORM ${s}.do_effect('setval', 'operator'); RETURN a = b; END $fn$`,
    `CREATE OPERATOR ${s}.=#= (LEFTARG = int, RIGHTARG = int, FUNCTION = ${s}.op_fn)`,
    `CREATE FUNCTION ${s}.op_imm(a int, b int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $fn$ BEGIN PERFORM ${s}.do_effect('advisory', 'operator_imm'); RETURN a = b; END $fn$`,
    `CREATE OPERATOR ${s}.=#! (LEFTARG = int, RIGHTARG = int, FUNCTION = ${s}.op_imm)`,
    `CREATE TYPE ${s}.tag AS (v int)`,
    `CREATE FUNCTION ${s}.to_tag(x int) RETURNS ${s}.tag LANGUAGE plpgsql AS $fn$ BEGIN PERFORM ${s}.do_effect('setval', 'cast'); RETURN ROW(x)::${s}.tag; END $fn$`,
    `CREATE CAST (int AS ${s}.tag) WITH FUNCTION ${s}.to_tag(int)`,
    `CREATE TYPE ${s}.tag_imm AS (v int)`,
    `CREATE FUNCTION ${s}.to_tag_imm(x int) RETURNS ${s}.tag_imm LANGUAGE plpgsql IMMUTABLE AS $fn$ BEGIN PERFORM ${s}.do_effect('advisory', 'cast_imm'); RETURN ROW(x)::${s}.tag_imm; END $fn$`,
    `CREATE CAST (int AS ${s}.tag_imm) WITH FUNCTION ${s}.to_tag_imm(int)`,

    // Cascading foreign keys into a child with side-effect triggers.
    `CREATE TABLE ${s}.parent (id int PRIMARY KEY)`,
    `INSERT INTO ${s}.parent VALUES (1), (2), (3)`,
    `CREATE TABLE ${s}.child (id int, parent_id int REFERENCES ${s}.parent ON DELETE CASCADE ON UPDATE CASCADE)`,
    `INSERT INTO ${s}.child VALUES (1, 1), (2, 2)`,
    `CREATE TRIGGER child_del AFTER DELETE ON ${s}.child FOR EACH ROW EXECUTE FUNCTION ${s}.tg_effect('setval')`,
    `CREATE TRIGGER child_upd AFTER UPDATE ON ${s}.child FOR EACH ROW EXECUTE FUNCTION ${s}.tg_effect('advisory')`,
  ];

  if (o.dblinkSchema) {
    stmts.push(`CREATE VIEW ${s}.v_dblink AS SELECT ${dl}dblink_exec(dsn, 'DELETE FROM ${s}.audit') AS x FROM ${s}.env`);
  }
  if (o.fdw) {
    const f = o.fdw;
    const userOptions = `user ${lit(f.user)}` + (f.password ? `, password ${lit(f.password)}` : '');
    stmts.push(
      `CREATE EXTENSION postgres_fdw SCHEMA ${s}`,
      `CREATE SERVER ${s}_loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host ${lit(f.host)}, port ${lit(String(f.port))}, dbname ${lit(f.database)}, application_name ${lit(f.application)})`,
      `CREATE USER MAPPING FOR CURRENT_USER SERVER ${s}_loop OPTIONS (${userOptions})`,
      `CREATE FOREIGN TABLE ${s}.ft_setval (x bigint) SERVER ${s}_loop OPTIONS (schema_name ${lit(s)}, table_name 'v_setval')`,
      `CREATE FOREIGN TABLE ${s}.ft_advisory (x text) SERVER ${s}_loop OPTIONS (schema_name ${lit(s)}, table_name 'v_advisory')`,
      `CREATE FOREIGN TABLE ${s}.ft_audit (msg text) SERVER ${s}_loop OPTIONS (schema_name ${lit(s)}, table_name 'audit')`,
    );
  }
  // Last, so the fixture's own DDL does not fire it. It acts only on objects of this schema.
  stmts.push(
    `CREATE FUNCTION ${s}.evt_fn() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
     BEGIN
       IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() WHERE schema_name = ${lit(s)}) THEN
         PERFORM ${s}.do_effect('setval', 'event_trigger');
       END IF;
     END $fn$`,
    `CREATE EVENT TRIGGER ${s}_evt ON ddl_command_end WHEN TAG IN ('CREATE TABLE AS', 'SELECT INTO', 'CREATE MATERIALIZED VIEW') EXECUTE FUNCTION ${s}.evt_fn()`,
  );
  return stmts;
}

/** Drops what `fixtureStatements` built (the event trigger goes with its function). */
export function dropFixtureStatements(s: string): string[] {
  return [`DROP EVENT TRIGGER IF EXISTS ${s}_evt`, `DROP SCHEMA IF EXISTS ${s} CASCADE`];
}

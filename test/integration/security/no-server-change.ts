import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { adviseIndexes } from '../../../src/core/advise/advise';
import type { Connection } from '../../../src/core/db/connection';
import { isPglensError } from '../../../src/core/errors';
import { requireServer, serverConfig, uniqueName } from '../db/test-env';
import { dropFixtureStatements, fixtureStatements, type FixtureOptions } from './fixture';
import { HOSTILE_STATEMENTS, type Capability, type HostileContext, type HostileStatement } from './hostile-statements';
import { diffSnapshots, takeSnapshot, type Querier, type Snapshot, type SnapshotScope } from './snapshot';

/**
 * Issue 13's contract, for every hostile statement: Explain (plain and ANALYZE) or the index
 * advisor either refuses/fails or succeeds, and in both cases the server looks exactly as it
 * did before — table contents, sequences, large objects, catalog objects, roles, settings,
 * configuration files, extensions, databases, replication state, statistics resets, other
 * backends, advisory locks, notifications, files, and the state of the connection itself
 * (the editor keeps one connection open for a whole session).
 *
 * On the server, the state is read through a separate observer connection; a victim backend
 * must survive, a listener must receive nothing, and a fresh directory the server can write
 * to must stay empty. A failing case prints what changed, then the damage is repaired (the
 * fixture rebuilt, the connection replaced) so the next case starts clean.
 */
export interface NoChangeTarget {
  /** 'server': the real PostgreSQL server, with every check; 'embedded': the sandbox, with the checks that apply there. */
  kind: 'server' | 'embedded';
  /** What is run on each statement: Explain (plain and ANALYZE) or adviseIndexes. */
  exercise: 'explain' | 'advise';
  /** How long opening the connection may take (a cold sandbox builds first). */
  startTimeoutMs: number;
  /** Opens the connection under test; on the server also called again to replace a damaged one. */
  open(): Promise<Connection>;
  /** advise: the connection's statement_timeout (the CLI's --timeout), which must stop long statements. */
  statementTimeoutMs?: number;
}

interface Outcome {
  kind: 'resolved' | 'refused' | 'failed';
  detail: string;
}

const EXPLAIN_TIMEOUT_MS = 5000;
/** How much longer than its timeout a long statement may take to come back. */
const TIMEOUT_SLACK_MS = 4000;
const SERVER_ONLY: Capability[] = ['server', 'dblink', 'postgres_fdw', 'adminpack'];

/** The catalogs that building and dropping the fixture (and repairing after each damaging case) fill with dead rows. */
const BLOATED_CATALOGS = [
  'pg_class', 'pg_attribute', 'pg_attrdef', 'pg_depend', 'pg_shdepend', 'pg_type', 'pg_proc', 'pg_constraint', 'pg_rewrite', 'pg_trigger',
  'pg_index', 'pg_namespace', 'pg_policy', 'pg_cast', 'pg_operator', 'pg_sequence', 'pg_init_privs', 'pg_event_trigger', 'pg_statistic',
  'pg_largeobject', 'pg_largeobject_metadata', 'pg_foreign_table', 'pg_foreign_server', 'pg_user_mapping', 'pg_extension', 'pg_authid', 'pg_auth_members',
];

/** The application_name of every connection a hostile statement opens through dblink or postgres_fdw. */
const REMOTE_APPLICATION = 'pglens-sec-remote';

const lit = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function describeNoServerChange(name: string, target: NoChangeTarget): void {
  describe(`No server change: ${name}`, function () {
    const server = target.kind === 'server';
    const s = uniqueName('pglens_sec');
    const ctx: HostileContext = {
      s,
      dir: path.join(os.tmpdir(), `pglens-sec-${process.pid}-not-created`),
      dsn: '',
      channel: `${s}_chan`,
      database: '',
      role: `${s}_user`,
    };
    let conn: Connection | undefined;
    let observer: Client | undefined;
    let victim: { client: Client; pid: number } | undefined;
    let listener: Client | undefined;
    const received: string[] = [];
    const fixture: FixtureOptions = {};
    const caps = { dblink: false, postgres_fdw: false, adminpack: false, hypopg: false };
    const createdExtensions: string[] = [];
    const initial = { largeObjects: new Set<string>(), extensions: new Set<string>(), autoConf: new Set<string>() };
    const results: { title: string; outcome: Outcome; changed: boolean; ms: { snapshots: number; run: number } }[] = [];
    let ready = false;
    /**
     * The last clean case's "after" picture. Nothing runs between two cases, so it is the
     * next case's "before" too (half the snapshots); dropped after a repair or a session setup.
     */
    let lastClean: Snapshot | undefined;

    /** Sandbox: the case set session state (a role) that the snapshot must read around. */
    let asSessionUser = false;
    /** Where state is read: the observer on the server; on the sandbox, its only connection. */
    const db = (): Querier => {
      if (observer) return { query: (sql, name) => observer!.query(name ? { name, text: sql } : sql) };
      if (!asSessionUser) return { query: (sql) => current().query(sql) };
      // The sandbox has no second connection: while a case has SET ROLE to a restricted role, read
      // as the session user inside a transaction that is rolled back, which restores the role.
      return {
        query: async (sql) => {
          await current().query('BEGIN');
          try {
            await current().query('SET LOCAL ROLE NONE');
            return await current().query(sql);
          } finally {
            await current().query('ROLLBACK');
          }
        },
      };
    };
    const current = (): Connection => {
      if (!conn) throw new Error('the connection under test is not open');
      return conn;
    };

    function sideClient(application: string): Client {
      const c = serverConfig();
      const client = new Client({
        connectionString: c.connectionString,
        host: c.host,
        port: c.port,
        user: c.user,
        database: c.database,
        password: c.password,
        application_name: application,
        connectionTimeoutMillis: 10_000,
      });
      // A terminated backend must fail its next query, not crash the test process.
      client.on('error', () => undefined);
      return client;
    }

    async function openVictim(): Promise<void> {
      const client = sideClient('pglens-sec-victim');
      await client.connect();
      const pid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      victim = { client, pid };
      fixture.victimPid = pid;
    }

    before(async function () {
      this.timeout(target.startTimeoutMs + 60_000);
      if (server) {
        await requireServer(this, `security suite (${name})`);
        observer = sideClient('pglens-sec-observer');
        await observer.connect();
        const o = observer as unknown as { host: string; port: number; database: string; user: string; password?: string | null };
        ctx.database = o.database;
        const password = o.password ? ` password=${o.password}` : '';
        ctx.dsn = `host=${o.host} port=${o.port} dbname=${o.database} user=${o.user}${password} application_name=${REMOTE_APPLICATION}`;
        ctx.dir = mkdtempSync(path.join(os.tmpdir(), `pglens-sec-${process.pid}-`));
        chmodSync(ctx.dir, 0o777); // the server (user postgres) must be able to write here, so an attack could

        const ext = await observer.query<{ name: string; schema: string | null }>(
          `SELECT a.name, (SELECT e.extnamespace::regnamespace::text FROM pg_extension e WHERE e.extname = a.name) AS schema
             FROM pg_available_extensions a WHERE a.name IN ('dblink', 'postgres_fdw', 'adminpack', 'hypopg')`,
        );
        const available = new Map(ext.rows.map((r) => [r.name, r.schema]));
        for (const [extension, schema] of [['dblink', 'public'], ['adminpack', 'pg_catalog']] as const) {
          if (!available.has(extension)) continue;
          if (available.get(extension) === null) {
            await observer.query(`CREATE EXTENSION ${extension}${extension === 'dblink' ? ` SCHEMA ${schema}` : ''}`);
            createdExtensions.push(extension);
          }
          caps[extension] = true;
        }
        if (caps.dblink) fixture.dblinkSchema = available.get('dblink') ?? 'public';
        // postgres_fdw goes into the test schema (dropped with it); one installed elsewhere is not touched.
        caps.postgres_fdw = available.has('postgres_fdw') && available.get('postgres_fdw') === null;
        caps.hypopg = available.has('hypopg');
        if (caps.postgres_fdw) {
          fixture.fdw = { host: o.host, port: o.port, database: o.database, user: o.user, password: o.password ?? undefined, application: REMOTE_APPLICATION };
        }

        listener = sideClient('pglens-sec-listener');
        await listener.connect();
        listener.on('notification', (n) => received.push(`${n.channel}: ${n.payload ?? ''}`));
        await listener.query(`LISTEN "${ctx.channel}"`);
        await openVictim();

        const lo = await observer.query<{ oid: string }>('SELECT oid::text FROM pg_largeobject_metadata');
        for (const r of lo.rows) initial.largeObjects.add(r.oid);
        const ex = await observer.query<{ extname: string }>('SELECT extname FROM pg_extension');
        for (const r of ex.rows) initial.extensions.add(r.extname);
        const auto = await observer.query<{ name: string }>(`SELECT name FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf'`);
        for (const r of auto.rows) initial.autoConf.add(r.name);
      }
      conn = await target.open();
      await buildFixture();
      ready = true;
    });

    after(async function () {
      this.timeout(60_000);
      if (results.length > 0) printSummary();
      try {
        if (server && observer) {
          await conn?.close().catch(() => undefined);
          conn = undefined;
          await repairServer();
          await runAll(observer, dropFixtureStatements(s));
          await dropOurRoles();
          for (const extension of createdExtensions.reverse()) await observer.query(`DROP EXTENSION IF EXISTS ${extension} CASCADE`).catch(() => undefined);
          // Hundreds of fixture objects built and dropped leave dead catalog rows; with autovacuum off
          // (as on the test server) they slow every catalog query that comes after, this suite's own included.
          await observer.query(`VACUUM ${BLOATED_CATALOGS.map((c) => `pg_catalog.${c}`).join(', ')}`).catch(() => undefined);
        } else if (conn) {
          await runAll(conn, [...dropFixtureStatements(s), `DROP ROLE IF EXISTS ${ctx.role}`]).catch(() => undefined);
        }
      } finally {
        await conn?.close().catch(() => undefined);
        await victim?.client.end().catch(() => undefined);
        await listener?.end().catch(() => undefined);
        await observer?.end().catch(() => undefined);
        if (server) rmSync(ctx.dir, { recursive: true, force: true });
      }
    });

    async function runAll(q: { query(sql: string): Promise<unknown> }, statements: string[]): Promise<void> {
      await q.query(statements.join(';\n'));
    }

    async function buildFixture(): Promise<void> {
      await runAll(db(), [`CREATE ROLE ${ctx.role} NOLOGIN`, ...fixtureStatements(ctx, fixture)]);
      // The statistics of the seeded tables must be visible: a reset has to show as counters going down.
      if (observer) await observer.query('SELECT pg_stat_force_next_flush()');
      if (observer) await observer.query('SELECT 1');
    }

    const scope = (): SnapshotScope => ({ contentSchemas: [s], catalogSchemas: [s, 'public'], server, ownPid: process.pid });

    /** The connection under test, as it sees itself and (server) as the observer sees it. */
    async function connectionState(): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      let pid: number | undefined;
      try {
        const r = await current().query(
          `SELECT pg_backend_pid()::text AS pid,
                  current_setting('work_mem') AS work_mem, current_setting('search_path') AS search_path, current_setting('role') AS role,
                  current_setting('session_authorization') AS session_authorization,
                  current_setting('standard_conforming_strings') AS standard_conforming_strings,
                  current_setting('default_transaction_read_only') AS default_transaction_read_only,
                  current_setting('default_transaction_isolation') AS default_transaction_isolation,
                  current_setting('session_replication_role') AS session_replication_role,
                  current_setting('statement_timeout') AS statement_timeout, current_setting('lock_timeout') AS lock_timeout,
                  current_setting('client_encoding') AS client_encoding, current_setting('row_security') AS row_security,
                  CASE WHEN now() = statement_timestamp() THEN 'no' ELSE 'yes: a transaction is still open' END AS in_transaction,
                  (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory')::text AS advisory_locks_held,
                  (SELECT count(*) FROM pg_prepared_statements)::text AS prepared_statements,
                  (SELECT count(*) FROM pg_cursors)::text AS open_cursors,
                  (SELECT count(*) FROM pg_listening_channels())::text AS listening_channels,
                  (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema())::text AS temporary_relations`,
        );
        for (const [k, v] of Object.entries(r.rows[0] ?? {})) out[k] = String(v);
        pid = Number(out.pid);
      } catch (e) {
        out.state = `unusable: ${(e as Error).message.split('\n')[0]}`;
      }
      if (observer && pid !== undefined) {
        const r = await observer.query<{ state: string | null; xid: string | null; locks: string | null }>(
          `SELECT a.state, a.backend_xid::text AS xid,
                  (SELECT string_agg(l.locktype || ' ' || l.mode, ', ' ORDER BY 1) FROM pg_locks l WHERE l.pid = a.pid) AS locks
             FROM pg_stat_activity a WHERE a.pid = ${pid}`,
        );
        const row = r.rows[0];
        out['seen by the server'] = row ? `state=${row.state} xid=${row.xid ?? '-'} locks=${row.locks ?? 'none'}` : 'no such backend';
      }
      return out;
    }

    /** Other backends (server): the victim must be alive, and nothing of ours may still be running. */
    async function backends(connPid: string | undefined): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      const v = victim;
      if (v) {
        const listed = await observer!.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ${v.pid}`).then((r) => r.rows.length > 0);
        const answers = await Promise.race([
          v.client.query('SELECT 1').then(
            () => 'answers',
            (e: Error) => `fails: ${e.message.split('\n')[0]}`,
          ),
          new Promise<string>((resolve) => setTimeout(() => resolve('does not answer within 2 s'), 2000)),
        ]);
        out.victim = listed && answers === 'answers' ? 'alive' : `terminated (${listed ? 'listed' : 'not in pg_stat_activity'}, SELECT 1 ${answers})`;
      }
      const exclude = [victim?.pid, (listener as unknown as { processID?: number })?.processID].filter((p): p is number => typeof p === 'number');
      // Remote ends of dblink and postgres_fdw connect as REMOTE_APPLICATION: one still there is a connection the
      // statement left open. One that is closing may still be listed for a moment: ask again before reporting it.
      const activity = () =>
        observer!.query<{ pid: number; app: string; state: string; query: string }>(
          `SELECT pid, application_name AS app, state, left(regexp_replace(query, '\\s+', ' ', 'g'), 120) AS query FROM pg_stat_activity
            WHERE pid <> pg_backend_pid() ${exclude.length ? `AND pid NOT IN (${exclude.join(', ')})` : ''} AND backend_type = 'client backend'
              AND (application_name = '${REMOTE_APPLICATION}'
                   OR state IS DISTINCT FROM 'idle' AND (${connPid && /^\d+$/.test(connPid) ? `pid = ${connPid} OR ` : ''}query LIKE ${lit(`%${s}%`)}))`,
        );
      let r = await activity();
      for (let i = 0; i < 10 && r.rows.length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        r = await activity();
      }
      for (const row of r.rows) {
        const what = row.app === REMOTE_APPLICATION ? 'remote session left open' : 'still running';
        out[`${what}: pid ${row.pid} (${row.app || 'no application name'})`] = `${row.state}: ${row.query}`;
      }
      return out;
    }

    function files(): Record<string, string> {
      const out: Record<string, string> = {};
      for (const f of readdirSync(ctx.dir)) out[path.join(ctx.dir, f)] = `${statSync(path.join(ctx.dir, f)).size} bytes`;
      return out;
    }

    async function notifications(): Promise<Record<string, string>> {
      // A round trip delivers any notification the server has queued for the listener.
      await listener!.query('SELECT 1').catch(() => undefined);
      return { [`received on ${ctx.channel}`]: received.length ? received.join(' | ') : 'none' };
    }

    async function snapshot(): Promise<Snapshot> {
      const state = await connectionState();
      const snap = await takeSnapshot(db(), scope());
      snap.sections['connection under test'] = state;
      if (server) {
        snap.sections['other backends'] = await backends(state.pid);
        snap.sections['files written by the server'] = files();
        snap.sections.notifications = await notifications();
      }
      return snap;
    }

    async function exercise(row: HostileStatement, sql: string, analyze: boolean): Promise<Outcome> {
      try {
        if (target.exercise === 'explain') {
          const r = await current().explain(sql, {
            analyze,
            timeoutMs: row.timeoutMs ?? EXPLAIN_TIMEOUT_MS,
            ...(row.params ? { params: row.params } : {}),
            ...(row.generic ? { genericPlan: true } : {}),
          });
          return { kind: 'resolved', detail: `plan returned (analyzed=${r.analyzed})` };
        }
        const r = await adviseIndexes(current(), sql, { params: row.params });
        return { kind: 'resolved', detail: r.summary };
      } catch (e) {
        const code = isPglensError(e) ? e.code : 'unexpected';
        const message = (e as Error).message?.split('\n')[0] ?? String(e);
        return { kind: code === 'refused' || code === 'syntax-error' || code === 'bad-input' ? 'refused' : 'failed', detail: `${code}: ${message}` };
      }
    }

    /** Undoes whatever a failing case did, so the next case starts from the same clean state. */
    async function repair(): Promise<void> {
      if (server) {
        // A fresh session drops the old one's locks, dblink/postgres_fdw connections and settings.
        await conn?.close().catch(() => undefined);
        conn = undefined;
        await repairServer();
        conn = await target.open();
      } else {
        await current().query('ROLLBACK').catch(() => undefined);
        await current().query('DISCARD ALL').catch(() => undefined);
        await runAll(current(), [`SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE convert_from(lo_get(oid), 'UTF8') LIKE 'pglens-sec%'`]).catch(() => undefined);
        await runAll(current(), [...dropFixtureStatements(s), `DROP ROLE IF EXISTS ${ctx.role}`]);
      }
      await buildFixture();
    }

    async function repairServer(): Promise<void> {
      const o = observer!;
      const pattern = lit(`${s}%`);
      // Backends still running something of ours (a remote end of postgres_fdw or dblink).
      await o.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND pid NOT IN (${victim?.pid ?? 0}, ${(listener as unknown as { processID?: number }).processID ?? 0})
            AND backend_type = 'client backend' AND (query LIKE ${lit(`%${s}%`)} OR application_name = '${REMOTE_APPLICATION}')`,
      );
      // Their session locks go with them; wait until the server has let go.
      for (let i = 0; i < 30; i++) {
        const r = await o.query(`SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND (a.application_name IN ('pglens', '${REMOTE_APPLICATION}'))`);
        if (r.rows.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await runAll(o, dropFixtureStatements(s));
      await dropOurRoles();
      const dbs = await o.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE ${pattern}`);
      for (const d of dbs.rows) await o.query(`DROP DATABASE IF EXISTS "${d.datname}" WITH (FORCE)`);
      await o.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE ${pattern} AND NOT active`);
      await o.query(`SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname LIKE ${pattern}`);
      const gids = await o.query<{ gid: string }>(`SELECT gid FROM pg_prepared_xacts WHERE gid LIKE ${pattern}`);
      for (const g of gids.rows) await o.query(`ROLLBACK PREPARED ${lit(g.gid)}`);
      const auto = await o.query<{ name: string }>(`SELECT name FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf'`);
      const added = auto.rows.map((r) => r.name).filter((n) => !initial.autoConf.has(n));
      for (const n of added) await o.query(`ALTER SYSTEM RESET ${n}`);
      if (added.length > 0) await o.query('SELECT pg_reload_conf()');
      await o.query(`ALTER DATABASE "${ctx.database}" RESET ${s}.marker`);
      const ex = await o.query<{ extname: string }>('SELECT extname FROM pg_extension');
      for (const r of ex.rows) {
        if (!initial.extensions.has(r.extname) && !createdExtensions.includes(r.extname)) await o.query(`DROP EXTENSION IF EXISTS "${r.extname}" CASCADE`);
      }
      const known = [...initial.largeObjects].join(', ') || '0';
      await o.query(
        `SELECT lo_unlink(oid) FROM pg_largeobject_metadata WHERE oid NOT IN (${known}) AND convert_from(lo_get(oid), 'UTF8') LIKE 'pglens-sec%'`,
      );
      for (const f of readdirSync(ctx.dir)) rmSync(path.join(ctx.dir, f), { recursive: true, force: true });
      const alive = victim ? await victim.client.query('SELECT 1').then(() => true, () => false) : false;
      if (!alive) {
        await victim?.client.end().catch(() => undefined);
        await openVictim();
      }
      received.length = 0;
    }

    async function dropOurRoles(): Promise<void> {
      const roles = await observer!.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE ${lit(`${s}%`)}`);
      for (const r of roles.rows) await observer!.query(`DROP ROLE IF EXISTS "${r.rolname}"`);
    }

    async function unavailable(ctxMocha: Mocha.Context, what: string): Promise<void> {
      const line = `${what} — this case cannot run here`;
      if (process.env.CI === 'true') throw new Error(`${line}; CI=true requires it (install the PostgreSQL contrib modules)`);
      console.log(`\n  *** SKIPPED: ${line} ***\n`);
      ctxMocha.skip();
    }

    function printSummary(): void {
      const count = (k: Outcome['kind']) => results.filter((r) => r.outcome.kind === k).length;
      const changed = results.filter((r) => r.changed);
      console.log(
        `\n  ${name}: ${results.length} cases — ${count('resolved')} ran, ${count('refused')} refused by pglens, ${count('failed')} failed on the server; ` +
          `${changed.length} changed the server`,
      );
      const total = (k: 'snapshots' | 'run') => Math.round(results.reduce((sum, r) => sum + r.ms[k], 0) / 1000);
      console.log(`  time: ${total('snapshots')} s taking snapshots, ${total('run')} s running the statements`);
      if (process.env.PGLENS_SEC_VERBOSE) for (const r of results) console.log(`    ${r.changed ? 'CHANGED' : 'ok     '} ${r.title} → ${r.outcome.kind}: ${r.outcome.detail.slice(0, 160)}`);
    }

    const modes: { label: string; analyze: boolean }[] =
      target.exercise === 'explain'
        ? [
            { label: 'EXPLAIN', analyze: false },
            { label: 'EXPLAIN ANALYZE', analyze: true },
          ]
        : [{ label: 'advise', analyze: false }];

    HOSTILE_STATEMENTS.forEach((row, index) => {
      if (!server && row.needs?.some((n) => SERVER_ONLY.includes(n))) return;
      for (const mode of modes) {
        const title = `#${String(index + 1).padStart(3, '0')} ${row.label} — ${mode.label}`;
        it(title, async function () {
          this.timeout(60_000);
          if (!ready) throw new Error('the suite setup failed');
          for (const need of row.needs ?? []) {
            if (need !== 'server' && !caps[need]) await unavailable(this, `${need} is not available on this server`);
          }
          if (target.exercise === 'advise' && !caps.hypopg) await unavailable(this, 'HypoPG is not available on this server (apt-get install postgresql-15-hypopg)');

          const sql = row.sql(ctx);
          let outcome: Outcome = { kind: 'failed', detail: 'not run' };
          let changes: string[] = [];
          let elapsed = 0;
          if (row.session) lastClean = undefined;
          asSessionUser = !server && row.session !== undefined;
          for (const st of row.session?.setup(ctx) ?? []) await current().query(st);
          const t0 = performance.now();
          let snapshotMs = 0;
          let after: Snapshot | undefined;
          try {
            const before = lastClean ?? (await snapshot());
            lastClean = undefined;
            const started = performance.now();
            outcome = await exercise(row, sql, mode.analyze);
            elapsed = performance.now() - started;
            after = await snapshot();
            snapshotMs = performance.now() - t0 - elapsed;
            changes = diffSnapshots(before, after, {
              allowSequenceAdvance: row.allowSequenceAdvance?.map((n) => `${s}.${n}`),
              // The sandbox ends a statement past its timeout by killing its process; recovery
              // moves sequences on by up to 32 (WAL prefetch) in its working copy. Documented in SECURITY.md.
              allowAnySequenceAdvance: !server && row.timeoutMs !== undefined && mode.analyze,
            });
          } finally {
            for (const st of row.session?.teardown ?? []) await conn?.query(st).catch(() => undefined);
            asSessionUser = false;
          }
          if (row.timeoutMs !== undefined) {
            const timeout = target.exercise === 'advise' ? target.statementTimeoutMs ?? row.timeoutMs : row.timeoutMs;
            if (elapsed > timeout + TIMEOUT_SLACK_MS) {
              changes.unshift(`  timeout:`, `    ~ the ${timeout} ms timeout did not stop it: it came back after ${Math.round(elapsed)} ms`);
            }
          }
          results.push({ title, outcome, changed: changes.length > 0, ms: { snapshots: snapshotMs, run: elapsed } });
          if (changes.length === 0 && !row.session) lastClean = after;
          if (changes.length > 0) {
            await repair();
            assert.fail(
              [
                `${mode.label === 'advise' ? 'the index advisor' : mode.label} changed the server (${outcome.kind}: ${outcome.detail.slice(0, 300)})`,
                ...changes,
                `  statement: ${JSON.stringify(sql)}${row.params ? ` params: ${JSON.stringify(row.params)}` : ''}`,
              ].join('\n'),
            );
          }
        });
      }
    });
  });
}

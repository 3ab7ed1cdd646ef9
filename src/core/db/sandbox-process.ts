import { promises as fs } from 'node:fs';
import type { PGlite, Results } from '@electric-sql/pglite';
import { PglensError } from '../errors';
import type { QueryResult } from './connection';
import { toPglensError } from './db-error';
import { formatVersion, runExplain, type SqlSession } from './explain-runner';
import { openSandbox } from './sandbox-build';
import type { FromSandbox, ToSandbox, WireError } from './sandbox-protocol';
import { sandboxDataNote, type SandboxReport } from './sandbox-report';

/**
 * Entry of the sandbox child process (bundled as dist/sandbox-process.js): owns PGlite, so
 * its 450–600 MB go back to the system when the process ends. Requests run one at a time.
 */
let db: PGlite | undefined;
let report: SandboxReport | undefined;
let workDir: string | undefined;
let queue: Promise<void> = Promise.resolve();
let notices: string[] = [];
/** Copies for the next start, made while this session runs (see OpenedSandbox.prepareNextStart). */
let background: Promise<void> = Promise.resolve();
let closing: Promise<void> | undefined;

function send(message: FromSandbox): void {
  if (process.connected) process.send?.(message);
}

function wire(e: unknown): WireError {
  const err = toPglensError(e, { target: 'the embedded sandbox' });
  return { code: err.code, message: messageOf(err), hint: err.hint, position: err.position, unverifiedFunctions: err.unverifiedFunctions };
}

/** PglensError.message already carries the hint; send the cause alone so the parent rebuilds it once. */
function messageOf(err: PglensError): string {
  return err.hint && err.message.endsWith(` — ${err.hint}`) ? err.message.slice(0, -(err.hint.length + 3)) : err.message;
}

function lastResult(results: Results[]): Results {
  return results[results.length - 1] ?? { rows: [], fields: [], affectedRows: 0 };
}

async function run(sql: string, params?: unknown[]): Promise<Results> {
  if (!db) throw new PglensError('sandbox-failed', 'the sandbox database is not open', 'restart the sandbox');
  const onNotice = (n: { message?: string }) => notices.push(n.message ?? String(n));
  // Without parameters, the simple protocol: like `pg`, it accepts several statements.
  return params && params.length > 0 ? db.query(sql, params, { onNotice }) : lastResult(await db.exec(sql, { onNotice }));
}

/** PGlite's query() always takes the extended protocol, which allows one statement only. */
async function runSingle(sql: string, params: unknown[]): Promise<Results> {
  if (!db) throw new PglensError('sandbox-failed', 'the sandbox database is not open', 'restart the sandbox');
  const onNotice = (n: { message?: string }) => notices.push(n.message ?? String(n));
  return db.query(sql, params, { onNotice });
}

async function versionNum(): Promise<number> {
  const r = await run('SHOW server_version_num');
  return Number((r.rows[0] as { server_version_num: string }).server_version_num);
}

async function handle(msg: ToSandbox): Promise<void> {
  switch (msg.type) {
    case 'init': {
      workDir = msg.options.workDir;
      try {
        const opened = await openSandbox(msg.options, (message) => send({ type: 'progress', message }));
        db = opened.db;
        report = opened.report;
        send({ type: 'ready', report: opened.report });
        background = opened.prepareNextStart().catch(() => undefined);
      } catch (e) {
        send({ type: 'init-failed', error: { code: 'sandbox-failed', message: `the embedded sandbox could not start: ${(e as Error).message ?? String(e)}`, hint: 'check the cache directory is writable, or connect to a server' } });
      }
      return;
    }
    case 'query': {
      try {
        notices = [];
        const r = msg.single ? await runSingle(msg.sql, msg.params ?? []) : await run(msg.sql, msg.params);
        const value: QueryResult = {
          rows: r.rows as Record<string, unknown>[],
          fields: r.fields.map((f) => ({ name: f.name })),
          rowCount: r.affectedRows || r.rows.length,
        };
        send({ type: 'result', id: msg.id, value });
      } catch (e) {
        send({ type: 'error', id: msg.id, error: wire(e) });
      }
      return;
    }
    case 'explain': {
      const session: SqlSession = { run, runSingle, versionNum, takeNotices: () => notices.splice(0) };
      try {
        const value = await runExplain(session, msg.sql, msg.options, {
          setStatementTimeout: false,
          errorContext: () => ({ target: 'the embedded sandbox' }),
        });
        value.notices.push(...(await dataNotices(value.plan)));
        send({ type: 'result', id: msg.id, value });
      } catch (e) {
        send({ type: 'error', id: msg.id, error: wire(e) });
      }
      return;
    }
    case 'version': {
      try {
        send({ type: 'result', id: msg.id, value: formatVersion(await versionNum()) });
      } catch (e) {
        send({ type: 'error', id: msg.id, error: wire(e) });
      }
      return;
    }
    case 'close':
      await shutdown();
  }
}

/**
 * What the plan's numbers rest on: the note on the sandbox's generated data, and each table
 * the plan reads that has no data at all (no page on disk) — its plan says nothing about real
 * data, and it is better said than shown as a fast Seq Scan.
 */
async function dataNotices(plan: unknown[]): Promise<string[]> {
  const notes = [sandboxDataNote(report?.data)];
  const names = [...relationNames(plan)].slice(0, 50);
  if (!db || names.length === 0) return notes;
  try {
    // From the files' sizes, never by reading the tables: a read would run their row-level
    // security policies, which may call anything, outside Explain's rolled-back transaction.
    // A partition counts as its whole tree (rows of a filled parent may all land in other
    // partitions); without VERBOSE a plan names no schema, so a name is empty only where every
    // table of that name is.
    const found = await db.query<{ name: string; t: string; has: boolean }>(
      `WITH r AS (
         SELECT c.oid, c.relname, c.relkind, format('%I.%I', n.nspname, c.relname) AS t,
                CASE WHEN c.relispartition THEN pg_partition_root(c.oid) ELSE c.oid END AS root
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%')
       SELECT relname AS name, t,
              coalesce(CASE WHEN relkind = 'p' OR root <> oid THEN (SELECT sum(pg_relation_size(p.relid)) FROM pg_partition_tree(root) p) ELSE pg_relation_size(oid) END, 0) > 0 AS has
       FROM r`,
      [names],
    );
    const byName = new Map<string, Array<{ t: string; has: boolean }>>();
    for (const r of found.rows) byName.set(r.name, [...(byName.get(r.name) ?? []), { t: r.t, has: r.has === true }]);
    for (const [name, tables] of byName) {
      if (tables.some((x) => x.has)) continue;
      const keys = new Set(tables.map((x) => x.t.replace(/"/g, '')));
      const problem = report?.data?.problems.find((p) => keys.has(p.table));
      const why = problem ? `the generator could not fill it: ${problem.cause}` : report?.data ? 'nothing was generated for it' : 'no data is generated: sandbox.data is false, or --no-data';
      notes.push(`table ${name} is empty in the sandbox (${why}): this plan shows nothing of how the query behaves on real data — fix the cause, or connect to a database with data`);
    }
  } catch {
    // The check is advice; the plan stands without it.
  }
  return notes;
}

/** "Relation Name" of every node of an EXPLAIN (FORMAT JSON) result. */
function relationNames(plan: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o['Relation Name'] === 'string') out.add(o['Relation Name']);
      for (const k of ['Plan', 'Plans']) if (k in o) walk(o[k]);
    }
  };
  walk(plan);
  return out;
}

/** Closes the database at once; the copy for the next start, if still running, is finished before the process ends. */
function shutdown(): Promise<void> {
  closing ??= (async () => {
    await db?.close().catch(() => undefined);
    db = undefined;
    // Before the slow part: the parent ends us after a grace period if this does not come.
    send({ type: 'closed' });
    if (workDir) await fs.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    await background;
    process.exit(0);
  })();
  return closing;
}

process.on('message', (msg: ToSandbox) => {
  queue = queue.then(() => handle(msg));
});
// The editor or CLI went away: nothing else will ever talk to us.
process.on('disconnect', () => void shutdown());

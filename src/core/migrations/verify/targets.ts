import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { toPglensError } from '../../db/db-error';
import { redactSecrets } from '../../db/redact';
import { loadSqlParser } from '../../sql/parse';
import { parseStatements } from '../../sql/parse-statements';
import { pgliteExtensionsFor } from '../../db/sandbox-build';
import { PglensError, errorMessage } from '../../errors';
import { withoutClientEncoding, type SqlSession } from './apply';
import { checkServerUrl } from './server-url';
import type { VerifyTarget } from './verify';

/**
 * Where rollback verification runs: the embedded PGlite (in memory, a new instance per
 * database) or a fresh database on a disposable server, created per open and dropped at close.
 */

export interface TargetOptions {
  /** Told what pglens left out or found as it was (a `SET client_encoding`, a role the setup finds existing), with where when in a migration. */
  onNote?(message: string, at?: { file: string; line: number }): void;
}

const setupError = (e: unknown): PglensError =>
  new PglensError('bad-input', `the sandbox setup SQL fails: ${errorMessage(e)}`, 'fix the file .pglens.json "sandbox": { "setup": … } names');

/** Runs the setup SQL on a new database; a failure there is the setup's, said so. */
async function runSetup(session: SqlSession, setup: string | undefined): Promise<void> {
  if (!setup) return;
  try {
    await session.exec(withoutClientEncoding(setup).text);
  } catch (e) {
    await session.close().catch(() => undefined);
    throw setupError(e);
  }
}

/**
 * `CREATE ROLE | USER | GROUP name`: roles belong to the whole server, so on a --db server the
 * setup's roles are there from the previous run (or were made by hand). The name, unquoted.
 */
function createdRole(statement: string): string | undefined {
  const m = /^\s*CREATE\s+(?:ROLE|USER(?!\s+MAPPING\b)|GROUP)\s+("(?:[^"]|"")+"|[^\s;]+)/i.exec(statement.replace(/^(?:\s*--[^\n]*\n|\s*\/\*[\s\S]*?\*\/)*/, ''));
  if (!m) return undefined;
  return m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1].toLowerCase();
}

/**
 * The setup on a server database, statement by statement: a `CREATE ROLE` whose role exists
 * already (SQLSTATE 42710, duplicate_object: a previous run's, or made by hand) is skipped with
 * a note — the role is used as it is. Any other failure is the setup's.
 */
async function runServerSetup(session: SqlSession, setup: string | undefined, notes: Set<string>, onNote?: TargetOptions['onNote']): Promise<void> {
  if (!setup) return;
  try {
    await loadSqlParser();
    const text = withoutClientEncoding(setup).text;
    for (const s of parseStatements(text)) {
      const role = createdRole(s.text);
      try {
        await session.exec(s.text);
        if (role !== undefined && !notes.has(`created ${role}`)) {
          notes.add(`created ${role}`);
          onNote?.(`the sandbox setup created role ${role} on the --db server: roles belong to the whole server and stay after the verification (the next run uses it as it is)`);
        }
      } catch (e) {
        if (role === undefined || (e as { code?: string }).code !== '42710') throw e;
        if (!notes.has(`exists ${role}`)) {
          notes.add(`exists ${role}`);
          if (!notes.has(`created ${role}`)) onNote?.(`role ${role} exists already on the --db server: the sandbox setup's CREATE ROLE is skipped and the role used as it is`);
        }
      }
    }
  } catch (e) {
    await session.close().catch(() => undefined);
    throw setupError(e);
  }
}

/** The embedded PGlite, in memory: a fresh instance per database (a rebuild starts a new one). */
export async function pgliteTarget(texts: string[], setup: string | undefined, options: TargetOptions = {}): Promise<VerifyTarget> {
  const { loaded } = await pgliteExtensionsFor([...texts, setup ?? '']);
  return {
    async open() {
      const db = await PGlite.create({ extensions: loaded });
      const session: SqlSession = {
        exec: async (sql) => {
          await db.exec(sql);
        },
        query: async (sql) => (await db.query<Record<string, unknown>>(sql)).rows,
        inTransaction: async () => db.isInTransaction(),
        close: () => db.close(),
        ...(options.onNote && { note: options.onNote }),
      };
      await runSetup(session, setup);
      return session;
    },
  };
}

/** A fresh database on the server `url` names, created per open and dropped at close; the URL's own database is never touched. */
export async function serverTarget(url: string, setup: string | undefined, options: TargetOptions = {}): Promise<VerifyTarget> {
  checkServerUrl(url);
  let admin: URL;
  try {
    admin = new URL(url);
  } catch {
    throw new PglensError('bad-input', '--db is not a postgresql:// URL', 'pass --db postgresql://user@host:5432/postgres');
  }
  const where = `${admin.hostname || 'localhost'}${admin.port ? `:${admin.port}` : ''}/${decodeURIComponent(admin.pathname.slice(1)) || '(default database)'}`;
  const user = decodeURIComponent(admin.username) || undefined;
  /** Per run, not per database: what the setup said once is not said again at each rebuild. */
  const notes = new Set<string>();
  return {
    async open() {
      const name = `pglens_verify_${randomBytes(6).toString('hex')}`;
      const control = new Client({ connectionString: admin.toString() });
      // A migration may end connections (pg_terminate_backend): an 'error' event must not crash the process.
      control.on('error', () => undefined);
      try {
        await control.connect();
      } catch (e) {
        await control.end().catch(() => undefined);
        const err = toPglensError(e, { target: where, ...(user && { user }), database: decodeURIComponent(admin.pathname.slice(1)) });
        throw new PglensError(err.code, `cannot connect to the --db server: ${err.message}`);
      }
      try {
        await control.query(`CREATE DATABASE ${name}`);
      } catch (e) {
        await control.end().catch(() => undefined);
        // Only a refusal to create databases is a matter of CREATEDB.
        if ((e as { code?: string }).code === '42501') {
          throw new PglensError(
            'refused',
            `the --db role${user ? ` ${user}` : ''} may not create databases (${errorMessage(e)}): pglens verifies in a scratch database it creates and drops`,
            'use a role with CREATEDB on a disposable server (ALTER ROLE … CREATEDB)',
          );
        }
        throw new PglensError('connection-failed', `cannot create a scratch database on the --db server: ${redactSecrets(errorMessage(e))}`);
      }
      const target = new URL(admin.toString());
      target.pathname = `/${name}`;
      const client = new Client({ connectionString: target.toString() });
      client.on('error', () => undefined);
      let open = false;
      // The scratch database goes whatever happened to the control connection: a fresh one when it was ended.
      const drop = async (): Promise<void> => {
        const dropWith = async (c: InstanceType<typeof Client>): Promise<void> => {
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => c.query(`DROP DATABASE IF EXISTS ${name}`));
        };
        try {
          await dropWith(control);
        } catch {
          const fresh = new Client({ connectionString: admin.toString() });
          fresh.on('error', () => undefined);
          await fresh.connect().then(() => dropWith(fresh)).catch(() => undefined);
          await fresh.end().catch(() => undefined);
        }
        await control.end().catch(() => undefined);
      };
      let pid: number | undefined;
      try {
        await client.connect();
        open = true;
        pid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
      } catch (e) {
        if (open) await client.end().catch(() => undefined);
        await drop();
        throw new PglensError('connection-failed', `cannot connect to the scratch database: ${redactSecrets(errorMessage(e))}`, 'check the --db URL');
      }
      let inTx = false;
      const session: SqlSession = {
        exec: async (sql) => {
          await client.query(sql);
        },
        query: async (sql) => (await client.query(sql)).rows as Array<Record<string, unknown>>,
        inTransaction: async () => {
          // pg does not expose the session's transaction status: ask the server.
          const r = await client.query<{ t: boolean }>("SELECT now() <> statement_timestamp() AS t").catch(() => undefined);
          inTx = r === undefined ? true : Boolean(r.rows[0]?.t);
          return inTx;
        },
        close: async () => {
          if (open) await client.end().catch(() => undefined);
          open = false;
          await drop();
        },
        // From the control connection (same role: allowed to cancel its own sessions).
        cancel: async () => {
          if (!open || !pid) return;
          await control.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
        },
        ...(options.onNote && { note: options.onNote }),
      };
      await runServerSetup(session, setup, notes, options.onNote);
      return session;
    },
  };
}


/**
 * Statements that reach past the scratch database to the whole server: roles, server settings,
 * other databases, tablespaces, other sessions. On a --db server they would outlive the scratch
 * database (a role created by an up stays; ALTER SYSTEM persists), so a folder holding them is
 * verified on the embedded PGlite only.
 */
const CLUSTER_WIDE = /\b(?:(?:CREATE|ALTER|DROP)\s+(?:ROLE|USER|GROUP|DATABASE|TABLESPACE)|ALTER\s+SYSTEM|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|lo_export|COPY\b[^;]*\bPROGRAM)\b/i;

/** A part of the migrations, or the setup SQL (`setup: true`), as the --db guard reads it. */
export interface GuardedPart {
  file: string;
  line: number;
  text: string;
  /**
   * The `.pglens.json` sandbox setup: it may create roles (what migrations GRANT to), which is
   * what it is for. They stay on the server, said so when the setup runs; a later run finds
   * them there and uses them.
   */
  setup?: boolean;
}

export function clusterWideStatements(parts: GuardedPart[]): string[] {
  const found: string[] = [];
  const all = new RegExp(CLUSTER_WIDE.source, 'gi');
  for (const part of parts) {
    const lines = part.text.split(/\r\n|\n|\r/);
    lines.forEach((l, i) => {
      const code = l.replace(/--.*$/, '');
      for (const m of code.matchAll(all)) {
        if (part.setup && /^CREATE\s+(?:ROLE|USER|GROUP)$/i.test(m[0]) && !/^\s*MAPPING\b/i.test(code.slice(m.index + m[0].length))) continue;
        found.push(`${part.file}:${part.line + i + 1} (${m[0].replace(/\s+/g, ' ')})`);
        break;
      }
    });
  }
  return found;
}

/** Refuses a --db verification whose migrations (or setup) would change the server beyond the scratch database. */
export function refuseClusterWide(parts: GuardedPart[]): void {
  const found = clusterWideStatements(parts);
  if (found.length === 0) return;
  throw new PglensError(
    'bad-input',
    `these migrations change the server beyond the scratch database pglens would create (${found.slice(0, 3).join(', ')}${found.length > 3 ? `, and ${found.length - 3} more` : ''}): on a --db server that would outlive the verification`,
    'verify them on the embedded PGlite (leave --db out)',
  );
}

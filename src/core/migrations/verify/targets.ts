import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { pgliteExtensionsFor } from '../../db/sandbox-build';
import { PglensError, errorMessage } from '../../errors';
import type { SqlSession } from './apply';
import type { VerifyTarget } from './verify';

/**
 * Where rollback verification runs: the embedded PGlite (in memory, a new instance per
 * database) or a fresh database on a disposable server, created per open and dropped at close.
 */

/** Runs the setup SQL on a new database; a failure there is the setup's, said so. */
async function runSetup(session: SqlSession, setup: string | undefined): Promise<void> {
  if (!setup) return;
  try {
    await session.exec(setup);
  } catch (e) {
    await session.close().catch(() => undefined);
    throw new PglensError('bad-input', `the sandbox setup SQL fails: ${errorMessage(e)}`, 'fix the file .pglens.json "sandbox": { "setup": … } names');
  }
}

/** The embedded PGlite, in memory: a fresh instance per database (a rebuild starts a new one). */
export async function pgliteTarget(texts: string[], setup: string | undefined): Promise<VerifyTarget> {
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
      };
      await runSetup(session, setup);
      return session;
    },
  };
}

/** A fresh database on the server `url` names, created per open and dropped at close; the URL's own database is never touched. */
export async function serverTarget(url: string, setup: string | undefined): Promise<VerifyTarget> {
  let admin: URL;
  try {
    admin = new URL(url);
  } catch {
    throw new PglensError('bad-input', '--db is not a postgresql:// URL', 'pass --db postgresql://user@host:5432/postgres');
  }
  return {
    async open() {
      const name = `pglens_verify_${randomBytes(6).toString('hex')}`;
      const control = new Client({ connectionString: admin.toString() });
      // A migration may end connections (pg_terminate_backend): an 'error' event must not crash the process.
      control.on('error', () => undefined);
      try {
        await control.connect();
        await control.query(`CREATE DATABASE ${name}`);
      } catch (e) {
        await control.end().catch(() => undefined);
        throw new PglensError('connection-failed', `cannot create a scratch database on the --db server: ${errorMessage(e)}`, 'use a role with CREATEDB on a disposable server');
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
      try {
        await client.connect();
        open = true;
      } catch (e) {
        await drop();
        throw new PglensError('connection-failed', `cannot connect to the scratch database: ${errorMessage(e)}`, 'check the --db URL');
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
      };
      await runSetup(session, setup);
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

export function clusterWideStatements(parts: Array<{ file: string; line: number; text: string }>): string[] {
  const found: string[] = [];
  for (const part of parts) {
    const lines = part.text.split(/\r\n|\n|\r/);
    lines.forEach((l, i) => {
      const code = l.replace(/--.*$/, '');
      const m = CLUSTER_WIDE.exec(code);
      if (m) found.push(`${part.file}:${part.line + i + 1} (${m[0].replace(/\s+/g, ' ')})`);
    });
  }
  return found;
}

/** Refuses a --db verification whose migrations (or setup) would change the server beyond the scratch database. */
export function refuseClusterWide(parts: Array<{ file: string; line: number; text: string }>): void {
  const found = clusterWideStatements(parts);
  if (found.length === 0) return;
  throw new PglensError(
    'bad-input',
    `these migrations change the server beyond the scratch database pglens would create (${found.slice(0, 3).join(', ')}${found.length > 3 ? `, and ${found.length - 3} more` : ''}): on a --db server that would outlive the verification`,
    'verify them on the embedded PGlite (leave --db out)',
  );
}

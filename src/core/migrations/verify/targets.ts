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
      let open = false;
      const drop = async (): Promise<void> => {
        await control.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => control.query(`DROP DATABASE IF EXISTS ${name}`)).catch(() => undefined);
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


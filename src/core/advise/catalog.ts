/**
 * The advisor's reads of a database's catalog: HypoPG's state and schema, the extensions and
 * operator classes the candidates need, and the READ ONLY transaction the reads before a
 * session run in (with its lock_timeout, said in words when it strikes).
 */
import type { Connection } from '../db/connection';
import { LOCK_TIMEOUT_MS } from '../db/explain-runner';
import { PglensError, errorMessage } from '../errors';
import { quoteIdent } from '../sql/quote-ident';
import type { IndexCandidate } from './candidates';
import type { ExtensionNeed } from './types';

export async function hypopgState(conn: Connection): Promise<{ installed: boolean; available: boolean }> {
  const r = await conn.query<{ installed: boolean; available: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'hypopg') AS installed,
            EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'hypopg') AS available`,
  );
  return { installed: r.rows[0]?.installed === true, available: r.rows[0]?.available === true };
}

/**
 * The schema HypoPG's functions live in (pg_extension.extnamespace), quoted, to qualify every
 * call: it may be installed in a schema off the search_path (CREATE EXTENSION hypopg SCHEMA x).
 */
export async function hypopgSchema(conn: Connection): Promise<string> {
  const r = await conn.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'hypopg'`,
  );
  const schema = r.rows[0]?.schema;
  if (schema === undefined) throw new PglensError('refused', 'HypoPG is not installed in this database', 'ask an administrator to run CREATE EXTENSION hypopg, or run with --embedded');
  return quoteIdent(schema);
}

/** Whether each extension is installed, or at least available, on this database. */
export async function extensionStates(conn: Connection, names: string[]): Promise<Map<string, ExtensionNeed>> {
  const out = new Map<string, ExtensionNeed>();
  if (names.length === 0) return out;
  const r = await conn.query<{ name: string; installed: boolean }>(
    'SELECT name, installed_version IS NOT NULL AS installed FROM pg_available_extensions WHERE name = ANY($1::text[])',
    [names],
  );
  for (const name of names) {
    const row = r.rows.find((x) => x.name === name);
    out.set(name, { name, installed: row?.installed === true, available: row !== undefined });
  }
  return out;
}

/**
 * The schema of each operator class the candidates name, from this database's catalog: an
 * extension's (gin_trgm_ops lives where pg_trgm was installed, maybe a schema off the
 * search_path), none for pg_catalog's. Per candidate, keyed by its object.
 */
export async function opclassSchemas(conn: Connection, candidates: IndexCandidate[]): Promise<Map<IndexCandidate, (string | undefined)[]>> {
  const out = new Map<IndexCandidate, (string | undefined)[]>();
  const names = [...new Set(candidates.flatMap((c) => (c.opclasses ?? []).filter((o): o is string => o !== undefined)))];
  if (names.length === 0) return out;
  const r = await conn.query<{ name: string; method: string; schema: string; extension: string | null }>(
    `SELECT oc.opcname AS name, am.amname AS method, n.nspname AS schema, e.extname AS extension
       FROM pg_catalog.pg_opclass oc
       JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod
       JOIN pg_catalog.pg_namespace n ON n.oid = oc.opcnamespace
       LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_opclass'::regclass AND d.objid = oc.oid AND d.deptype = 'e'
       LEFT JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
      WHERE oc.opcname = ANY($1::text[])`,
    [names],
  );
  for (const c of candidates) {
    if (!c.opclasses) continue;
    const method = c.using ?? 'btree';
    const schemas = c.opclasses.map((name) => {
      if (name === undefined) return undefined;
      const rows = r.rows.filter((x) => x.name === name && x.method === method);
      // The candidate's extension's, else pg_catalog's, else the only one there is.
      const row = rows.find((x) => c.extension !== undefined && x.extension === c.extension) ?? rows.find((x) => x.schema === 'pg_catalog') ?? rows[0];
      return row && row.schema !== 'pg_catalog' ? row.schema : undefined;
    });
    if (schemas.some((x) => x !== undefined)) out.set(c, schemas);
  }
  return out;
}

/** The candidate with its operator classes qualified as `schemas` says (none: as written). */
export function qualified(c: IndexCandidate, schemas: Map<IndexCandidate, (string | undefined)[]>): IndexCandidate {
  const { opclassSchemas: _, ...bare } = c;
  const found = schemas.get(c);
  return found ? { ...bare, opclassSchemas: found } : bare;
}

/**
 * The advisor's catalog reads before its session, on a server inside a READ ONLY transaction
 * with the same lock_timeout as the session (LOCK_TIMEOUT_MS): deparsing an index or a
 * predicate opens the table, which waits behind an ALTER TABLE's lock — the read fails after
 * that much waiting instead of hanging until the statement timeout. Always rolled back.
 */
export async function catalogReads<T>(conn: Connection, read: () => Promise<T>): Promise<T> {
  if (conn.kind !== 'server') return read();
  await conn.query('BEGIN TRANSACTION READ ONLY');
  try {
    await conn.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
    return await read();
  } catch (e) {
    throw lockTimeoutError(e) ?? e;
  } finally {
    await conn.query('ROLLBACK').catch(() => undefined);
  }
}

/** A lock_timeout (55P03) in words: another session holds a lock on a table the statement reads. */
export function lockTimeoutError(e: unknown): PglensError | undefined {
  if (!/lock timeout/i.test(errorMessage(e))) return undefined;
  return new PglensError(
    'sql-error',
    `the advisor waited over ${LOCK_TIMEOUT_MS / 1000} s for a lock on a table the statement reads (another session holds one that conflicts: ALTER TABLE, VACUUM FULL, a long DDL transaction…) and gave up`,
    'run advise again once that session is done (pg_locks shows who holds it)',
  );
}

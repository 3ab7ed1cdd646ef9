import { randomBytes } from 'node:crypto';
import { Client, type ClientConfig } from 'pg';
import type { Migration, MigrationSet, RunnerId } from '../../../src/core/migrations/migration';
import { parseSql } from '../../../src/core/sql/parse';
import { serverConfig } from '../db/test-env';

/**
 * Replays the ups of migration sets on a real server the way their runners do
 * (src/core/migrations/migration.ts), and stops at the first failure, as a deploy does.
 *
 * - 'per-migration': the up in one transaction (BEGIN; the text as one query; COMMIT). An up
 *   that holds its own BEGIN/COMMIT (sqitch's scripts, a hand-written block) runs as psql
 *   runs it: statement by statement, its own transaction control included, nothing added.
 * - 'none': each statement on its own, autocommitted (split at the parser's statement
 *   ranges; goose/sql-migrate StatementBegin…End blocks are one statement for the parser).
 *   dbmate (`transaction:false`) and diesel (`run_in_transaction = false`) are the
 *   exception: they send the whole up as one string (dbmate's `sqlDB.Exec(up)`, diesel's
 *   `batch_execute`), so Postgres runs it as one implicit transaction when it holds several
 *   statements. See `noneAsOneString`.
 * - 'all-pending' (drizzle-kit): every up in one transaction, each `--> statement-breakpoint`
 *   chunk sent on its own (a file's own COMMIT ends the transaction and what follows
 *   autocommits, as with drizzle). A failure rolls the batch back; the migrations that ran
 *   before it still count as reached, so both runs compare on how far they got.
 * - Prisma and golang-migrate send a file as one string; their reader already turns that
 *   into 'none' (one statement) or 'per-migration' (several), and the modes above give the
 *   same result. Plain folders (no runner recognised: pglens assumes `psql -f`, as its
 *   linter does unless `.pglens.json` says `transactional`) and the Supabase CLI (≥ 2.109 runs
 *   a statement that cannot run in a transaction on its own): statement by statement.
 */

/** Runners whose 'none' parts go to the server as one string (an implicit transaction when it holds several statements). */
export const NONE_AS_ONE_STRING: ReadonlySet<RunnerId> = new Set(['dbmate', 'diesel']);

/** Runners whose files run statement by statement, whatever the model's mode (psql -f). */
const STATEMENT_BY_STATEMENT: ReadonlySet<RunnerId> = new Set(['plain', 'supabase']);

export interface MigrationFailure {
  /** Position of the failed migration in the replay order (over every set). */
  index: number;
  id: string;
  /** Relative to the folder read. */
  file: string;
  mode: string;
  error: string;
  /** The statement Postgres reported (when it could be located), trimmed. */
  statement?: string;
}

export interface ReplayResult {
  /** Every migration in replay order: `<folder>:<id>`. */
  ids: string[];
  /** How many ran to the end before the first failure (all of them when none failed). */
  reached: number;
  failure?: MigrationFailure;
  /** With `keepGoing`: every failure, the first included. */
  failures: MigrationFailure[];
  ms: number;
}

export interface ReplayOptions {
  /** Runners whose 'none' parts run as one string (default NONE_AS_ONE_STRING); an empty set runs every 'none' part statement by statement. */
  noneAsOneString?: ReadonlySet<RunnerId>;
  /** Per statement (default 120 s): a hung lock wait fails the migration instead of the suite. */
  statementTimeoutMs?: number;
  /** Go on after a failure (no runner does: for diagnosing which migrations fail, not for comparing). */
  keepGoing?: boolean;
}

/** Connection settings for database `name` on the test server (test-env's DATABASE_URL or PG* variables). */
export function databaseConfig(name?: string): ClientConfig {
  const c = serverConfig();
  if (c.connectionString) {
    if (!name) return { connectionString: c.connectionString };
    const url = new URL(c.connectionString);
    url.pathname = `/${encodeURIComponent(name)}`;
    return { connectionString: url.toString() };
  }
  return { host: c.host, port: c.port, user: c.user, password: c.password, database: name ?? c.database };
}

/**
 * Runs `use` on a new, empty database `<prefix>_<random>` and drops it afterwards (also when
 * `use` throws). The database comes from template0: nothing any other test left in template1.
 */
export async function withFreshDatabase<T>(prefix: string, use: (client: Client, name: string) => Promise<T>, options: ReplayOptions = {}): Promise<T> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ ...databaseConfig(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
    const client = new Client({ ...databaseConfig(name), connectionTimeoutMillis: 5000, statement_timeout: options.statementTimeoutMs ?? 120_000 });
    // A server error on an idle client (a terminated backend) must not crash mocha.
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await use(client, name);
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

interface PgError {
  message?: string;
  code?: string;
  position?: string;
}

/** A statement of a part: its text and where it starts in the part. */
interface Chunk {
  text: string;
  offset: number;
}

/** The part's statements, at the parser's ranges (statements that failed to parse keep their range: the server will say why). */
export function statementsOf(text: string): Chunk[] {
  return parseSql(text, { cache: false }).statements.map((s) => ({ text: text.slice(s.range.startOffset, s.range.endOffset), offset: s.range.startOffset }));
}

function hasTransactionControl(text: string): boolean {
  return parseSql(text, { cache: false }).statements.some((s) => s.kind === 'TransactionStmt');
}

/** drizzle-kit's split: the file's text between `--> statement-breakpoint` markers, each sent as it is. */
export function drizzleChunks(text: string): Chunk[] {
  const out: Chunk[] = [];
  let at = 0;
  for (const piece of text.split('--> statement-breakpoint')) {
    if (piece.trim()) out.push({ text: piece, offset: at });
    at += piece.length + '--> statement-breakpoint'.length;
  }
  return out;
}

/**
 * The statement of the chunk Postgres complained about: the one holding the 1-based character
 * `position` it gave; without one (a statement refusing a transaction block: "DROP INDEX
 * CONCURRENTLY cannot run inside a transaction block"), the first whose words start as the
 * message does; else the chunk itself.
 */
function culprit(chunk: Chunk, err: PgError): string {
  const statements = statementsOf(chunk.text);
  const p = Number(err.position);
  if (err.position && Number.isFinite(p) && p >= 1) {
    const at = p - 1;
    const hit = statements.find((s) => at >= s.offset && at <= s.offset + s.text.length);
    if (hit) return hit.text.trim();
  }
  const words = /^(.*?) cannot /.exec(err.message ?? '')?.[1].toUpperCase().split(/\s+/).filter((w) => /^[A-Z]+$/.test(w));
  if (words?.length) {
    const named = statements.find((s) => {
      const upper = s.text.toUpperCase();
      let from = 0;
      return words.every((w) => (from = upper.indexOf(w, from)) >= 0);
    });
    if (named) return named.text.trim();
  }
  return chunk.text.trim();
}

function short(text: string, max = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

async function rollback(client: Client): Promise<void> {
  await client.query('ROLLBACK').catch(() => undefined);
}

/** Runs `chunks` one by one; the first error is thrown with the statement it hit. */
async function runChunks(client: Client, chunks: Chunk[]): Promise<void> {
  for (const c of chunks) {
    try {
      await client.query(c.text);
    } catch (e) {
      throw Object.assign(e as object, { statement: culprit(c, e as PgError) });
    }
  }
}

/** Applies one up (not drizzle's) with its runner's semantics; throws on the first error. */
async function applyUp(client: Client, runner: RunnerId, m: Migration, options: ReplayOptions): Promise<void> {
  const text = m.up.text;
  if (!text.trim()) return;
  const whole: Chunk = { text, offset: 0 };
  const oneString = m.transaction === 'none' && (options.noneAsOneString ?? NONE_AS_ONE_STRING).has(runner);
  if (oneString) {
    try {
      await runChunks(client, [whole]);
    } catch (e) {
      // An error inside a string that opened its own BEGIN leaves the session in it.
      await rollback(client);
      throw e;
    }
    return;
  }
  if (m.transaction === 'none' || STATEMENT_BY_STATEMENT.has(runner) || hasTransactionControl(text)) {
    try {
      await runChunks(client, statementsOf(text));
    } catch (e) {
      await rollback(client);
      throw e;
    }
    return;
  }
  await client.query('BEGIN');
  try {
    await runChunks(client, [whole]);
    await client.query('COMMIT');
  } catch (e) {
    await rollback(client);
    throw e;
  }
}

/**
 * Replays every set's ups in order on `client` (a fresh database), stopping at the first
 * migration that fails. Sets are replayed one after the other, in the order given.
 */
export async function replayUps(client: Client, sets: readonly MigrationSet[], options: ReplayOptions = {}): Promise<ReplayResult> {
  const started = Date.now();
  const all = sets.flatMap((s) => s.migrations.map((m) => ({ set: s, m })));
  const ids = all.map(({ set, m }) => `${set.folder}:${m.id}`);
  let reached = 0;
  const failures: MigrationFailure[] = [];
  // drizzle's open batch: the transaction every pending migration shares.
  let batchOpen = false;
  for (let i = 0; i < all.length && (failures.length === 0 || options.keepGoing); i++) {
    const { set, m } = all[i];
    try {
      if (m.transaction === 'all-pending') {
        if (!batchOpen) {
          await client.query('BEGIN');
          batchOpen = true;
        }
        await runChunks(client, drizzleChunks(m.up.text));
        // drizzle commits once, after the last pending migration of the set.
        if (all[i + 1]?.m.transaction !== 'all-pending' || all[i + 1].set !== set) {
          await client.query('COMMIT');
          batchOpen = false;
        }
      } else {
        await applyUp(client, set.runner, m, options);
      }
      if (failures.length === 0) reached++;
    } catch (e) {
      const err = e as PgError & { statement?: string };
      if (batchOpen) {
        await rollback(client);
        batchOpen = false;
      }
      failures.push({
        index: i,
        id: m.id,
        file: m.up.file,
        mode: m.transaction,
        error: `${err.code ? `${err.code} ` : ''}${err.message ?? String(e)}`,
        ...(err.statement !== undefined && { statement: short(err.statement) }),
      });
    }
  }
  return { ids, reached, ...(failures.length > 0 && { failure: failures[0] }), failures, ms: Date.now() - started };
}

/**
 * The migration runner model: what a runner executes, in which order, and how. Consumers
 * (the sandbox today) read ups and downs from here instead of replaying whole files.
 */

export const RUNNER_IDS = [
  'prisma',
  'drizzle-kit',
  'goose',
  'golang-migrate',
  'dbmate',
  'sql-migrate',
  'diesel',
  'flyway',
  'liquibase',
  'sqitch',
  'popx',
  'supabase',
  'plain',
] as const;

export type RunnerId = (typeof RUNNER_IDS)[number];

/**
 * How the runner executes a part:
 * - 'per-migration': the whole part in one transaction, rolled back as a whole on failure;
 * - 'none': each statement autocommits (CREATE INDEX CONCURRENTLY can run);
 * - 'all-pending': every pending migration in one transaction (drizzle).
 */
export type TransactionMode = 'per-migration' | 'none' | 'all-pending';

/**
 * Runners that send a part to the server as ONE string (the simple query protocol): Postgres
 * runs a string of several statements as one implicit transaction, so such a part runs
 * outside a transaction only while it holds a single statement — a fix must not add one to
 * it if anything in it has to run outside a transaction. (goose, sql-migrate and Flyway split
 * statements and send each on its own.)
 */
export const ONE_STRING_RUNNERS: ReadonlySet<RunnerId> = new Set<RunnerId>(['prisma', 'golang-migrate', 'dbmate', 'diesel']);

/** A contiguous slice of one file that the runner executes as the up (or down) of a migration. */
export interface MigrationPart {
  /** Relative to the workspace root (or the folder read), '/'-separated. */
  file: string;
  /**
   * The SQL, from `offset` of the file. Sections of the other direction that sit inside the
   * slice (a goose Down between two Ups) are blanked to spaces, newlines kept, so offsets hold.
   */
  text: string;
  /** Character offset of `text` in the file. */
  offset: number;
  /** 0-based line and character of `offset`. */
  line: number;
  character: number;
}

export interface Migration {
  /** The runner's identity of the migration: version, change name, changeset id… */
  id: string;
  up: MigrationPart;
  down?: MigrationPart;
  /** How the up runs. */
  transaction: TransactionMode;
  /** How the down runs, when there is one and it differs from the up's (sql-migrate, dbmate). */
  downTransaction?: TransactionMode;
}

/** One folder's migrations, in the order its runner applies them. */
export interface MigrationSet {
  runner: RunnerId;
  /** The folder, relative to the workspace root ('' for the root itself), '/'-separated. */
  folder: string;
  migrations: Migration[];
}

/**
 * The part of `text` (the whole file) between `start` and `end`, with its position; `body`,
 * when given, is what the part holds instead (the same length, some of it blanked — or, for a
 * quoted YAML scalar, its value with the escapes resolved).
 */
export function sliceOf(file: string, text: string, start = 0, end = text.length, body?: string): MigrationPart {
  // `\r\n`, `\n` and a lone `\r` each end a line, as in the editor and the lint engine's line index.
  let line = 0;
  let lineStart = 0;
  // Fast path: no \r before the part, only \n ends lines there.
  if (start === 0 || text.lastIndexOf('\r', start - 1) < 0) {
    for (let i = text.indexOf('\n'); i >= 0 && i < start; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { file, text: body ?? text.slice(start, end), offset: start, line, character: start - lineStart };
  }
  for (let i = 0; i < start; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    if (c === 13 && text.charCodeAt(i + 1) === 10) {
      if (i + 1 >= start) break;
      i++;
    }
    line++;
    lineStart = i + 1;
  }
  return { file, text: body ?? text.slice(start, end), offset: start, line, character: start - lineStart };
}

/** `text` with [start, end) replaced by spaces, line ends (`\r`, `\n`) kept: offsets and lines stay valid. */
export function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end);
}

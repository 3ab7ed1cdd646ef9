/**
 * The rollback verification child: `node verify-process.js` with one JSON request on stdin,
 * one JSON answer on stdout, progress lines on stderr. PGlite runs here, not in the CLI's
 * process (which runs its bundle from a V8 code cache, where PGlite's module loading fails)
 * nor in the editor's extension host. SIGINT/SIGTERM stop it after the current migration;
 * the answer then holds what was verified.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadSqlParser } from '../../sql/parse';
import { PglensError, errorMessage, isPglensError } from '../../errors';
import { loadConfig } from '../../config';
import { runnerSetOfFile, runnerSetsUnder } from '../../lint/migration-lint';
import type { Migration, MigrationPart, MigrationSet, RunnerId } from '../migration';
import { listSqlFiles } from '../read';
import { applyPart, type PartFailure } from './apply';
import { describeDifference, diffSnapshots } from './diff';
import { generateDown, judgeGeneratedDown, readDefinitions, readUpHints } from './generate-down';
import { snapshotCatalog } from './snapshot';
import { announcePart, DEFAULT_PART_TIMEOUT_SECONDS, exitWithParent, readSetup } from './child';
import { pgliteTarget, refuseClusterWide, serverTarget, type GuardedPart, type TargetOptions } from './targets';
import type { HungMigration, SchemaDifference } from './types';
import { formatSeconds, RUNNERS_WITH_DOWNS, verifyMigrations, type VerdictKind, type VerifyReport, type VerifyTarget } from './verify';
import type { SqlSession } from './apply';
import { applyEdits, writeDown, type DownPlacement } from './write-down';

export interface VerifyRequest {
  kind?: 'verify';
  /** The folder to verify (absolute). */
  dir: string;
  /** An explicit .pglens.json (absolute); default: the nearest above `dir`. */
  config?: string;
  /** A server to create the scratch databases on (the caller has the user's confirmation). */
  db?: string;
  /** How messages name `dir` (what the user typed). */
  label?: string;
  /** Limit of one part of a migration, in seconds (default 60): on a server its statement is cancelled at the limit. */
  timeoutSeconds?: number;
  /** Parts an earlier run of this request was ended in by the parent's watchdog: not run again. */
  hung?: HungMigration[];
}

export type VerifyAnswer = { report: VerifyReport } | { error: { code: string; message: string } };

/** `pglens migrations down FILE`: generate the down of the migration whose up is in `file`. */
export interface DownRequest {
  kind: 'down';
  /** Where the command was given FILE from (absolute): the config is looked up from here. */
  dir: string;
  /** The migration's up (or its down, to regenerate), absolute. */
  file: string;
  /** The migration, when the file holds several (Liquibase changesets, dbmate sections). */
  id?: string;
  config?: string;
  db?: string;
  timeoutSeconds?: number;
}

export interface DownReport {
  id: string;
  runner: RunnerId;
  /** The folder the set was read from (absolute): the root of every file path below. */
  root: string;
  /** The up's file, relative to `root`. */
  upFile: string;
  /** Where the migration's existing down is, when it has one (nothing is placed then). */
  existingDown?: { file: string; line: number };
  sql: string;
  irreversible: string[];
  renames: string[];
  /** Where the down goes in the runner's format; absent when the migration has a down already. */
  placement?: DownPlacement;
  verification: {
    /** The down passed up → down → up (differences only where it says it cannot reverse). */
    ok: boolean;
    verdict: VerdictKind;
    note?: string;
    failure?: PartFailure;
    /** Differences the down leaves that it did not declare, described. */
    unexpected: string[];
    differences: SchemaDifference[];
    database: string;
    ms: number;
  };
}

export type DownAnswer = { down: DownReport } | { error: { code: string; message: string } };

/**
 * Notes of the targets on stderr, each once (the same statement is applied up to three times);
 * `show` names a migration's file (as the migration names it) for the user.
 */
export function noteOnce(show: (file: string) => string = (f) => f): NonNullable<TargetOptions['onNote']> {
  const said = new Set<string>();
  return (message, at) => {
    const line = at ? `${show(at.file)}:${at.line}: ${message}` : message;
    if (said.has(line)) return;
    said.add(line);
    process.stderr.write(`pglens: ${line}\n`);
  };
}

/** `label/file`, '/'-separated: a file of the folder the user named `label`. */
const under = (label: string | undefined, file: string): string => (label && label !== '.' ? `${label.replace(/[\\/]+$/, '')}/${file}` : file);

async function run(request: VerifyRequest): Promise<VerifyAnswer> {
  const config = loadConfig(request.dir, request.config);
  const sets = runnerSetsUnder(request.dir, { config }).map((rs) => rs.set).filter((s) => s.migrations.length > 0);
  if (sets.length === 0) throw new PglensError('bad-input', `no migrations under ${request.label ?? request.dir}`, 'pass the folder your migration runner reads');
  const setup = readSetup(config);
  const texts = sets.flatMap((s) => s.migrations.flatMap((m) => [m.up.text, m.down?.text ?? '']));
  if (request.db) refuseClusterWide(partsOf(sets, setup));
  const onNote = noteOnce((file) => under(request.label, file));
  const target = request.db ? await serverTarget(request.db, setup, { onNote }) : await pgliteTarget(texts, setup, { onNote });
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const report = await verifyMigrations(sets, {
    target,
    snapshot: snapshotCatalog,
    diff: diffSnapshots,
    signal: controller.signal,
    onProgress: (m) => process.stderr.write(`${m}\n`),
    partTimeoutMs: (request.timeoutSeconds ?? DEFAULT_PART_TIMEOUT_SECONDS) * 1000,
    ...(request.hung?.length && { hung: request.hung }),
    onPart: announcePart,
  });
  announcePart(undefined);
  return { report };
}

/**
 * While `work` runs on `session`: a fired `signal` cancels its running statement (a server:
 * again every second, a cancel landing between two statements misses), and so does a part
 * running past `limitMs` (`timedOut` then says so). PGlite cannot be interrupted: its parent's
 * watchdog ends the process instead.
 */
async function guarded<T>(session: SqlSession, signal: AbortSignal, limitMs: number, work: (timedOut: () => boolean) => Promise<T>): Promise<T> {
  let repeat: NodeJS.Timeout | undefined;
  let late = false;
  const cancel = (): void => {
    void session.cancel?.().catch(() => undefined);
    repeat ??= setInterval(() => void session.cancel?.().catch(() => undefined), 1000);
  };
  const timer = session.cancel
    ? setTimeout(() => {
        late = true;
        cancel();
      }, limitMs)
    : undefined;
  signal.addEventListener('abort', cancel);
  if (signal.aborted) cancel();
  try {
    return await work(() => late);
  } finally {
    clearTimeout(timer);
    clearInterval(repeat);
    signal.removeEventListener('abort', cancel);
  }
}

let onServer = false;
const CANCELLED = (): PglensError =>
  new PglensError(
    'cancelled',
    `the down was not generated: interrupted${onServer ? ' (the statement running on the --db server was cancelled and rolled back, and the scratch databases dropped)' : ''}`,
    'run it again when ready',
  );

/**
 * The down of one migration: every earlier up of its set replayed on an empty database, the
 * schema snapshotted, the up applied, snapshotted again; the down generated from the two, put
 * in the runner's place (in memory: the set is read again through the edits, so the runner's
 * reader finds it), and verified up → down → up on a fresh database.
 */
/** Every part of the sets (and the setup SQL), with its location, for the --db guard. */
function partsOf(sets: MigrationSet[], setup: string | undefined): GuardedPart[] {
  const parts: GuardedPart[] = sets.flatMap((s) => s.migrations.flatMap((m) => (m.down ? [m.up, m.down] : [m.up])));
  return setup ? [...parts, { file: 'sandbox.setup', line: 0, text: setup, setup: true }] : parts;
}


export async function runDown(request: DownRequest, signal: AbortSignal = new AbortController().signal): Promise<DownReport> {
  const config = loadConfig(request.dir, request.config);
  const found = runnerSetOfFile(request.file, { config });
  const shown = path.relative(request.dir, request.file) || request.file;
  if (!found) throw new PglensError('bad-input', `${shown} is not a migration pglens can read`, 'pass the file of the migration (its up) inside its runner folder');
  const { root, set } = found.rs;
  const rel = path.relative(root, request.file).split(path.sep).join('/');
  let candidates = set.migrations.filter((m) => m.up.file === rel || m.down?.file === rel);
  if (request.id !== undefined) candidates = candidates.filter((m) => m.id === request.id);
  if (candidates.length > 1) {
    const without = candidates.filter((m) => !m.down);
    if (without.length === 1) candidates = without;
  }
  if (candidates.length === 0) {
    throw new PglensError('bad-input', request.id !== undefined ? `no migration ${request.id} in ${shown}` : `${shown} holds no migration ${set.runner} runs`, 'pass the file of the migration (its up)');
  }
  if (candidates.length > 1) {
    throw new PglensError('bad-input', `${shown} holds ${candidates.length} migrations (${candidates.map((m) => m.id).join(', ')})`, 'pick one with --id');
  }
  const migration = candidates[0];
  const index = set.migrations.indexOf(migration);
  const earlier = set.migrations.slice(0, index);
  const setup = readSetup(config);
  const texts = set.migrations.slice(0, index + 1).map((m) => m.up.text);
  if (request.db) refuseClusterWide(partsOf([{ ...set, migrations: set.migrations.slice(0, index + 1) }], setup));
  const onNote = noteOnce((file) => {
    const from = path.relative(request.dir, path.join(root, ...file.split('/')));
    return from.startsWith('..') || path.isAbsolute(from) ? file : from.split(path.sep).join('/');
  });
  onServer = request.db !== undefined;
  const makeTarget = async (extra: string[]): Promise<VerifyTarget> =>
    request.db ? serverTarget(request.db, setup, { onNote }) : pgliteTarget([...texts, ...extra], setup, { onNote });
  const limitSeconds = request.timeoutSeconds ?? DEFAULT_PART_TIMEOUT_SECONDS;
  const limitMs = limitSeconds * 1000;

  // The schema before and after the up.
  const session = await (await makeTarget([])).open();
  let before;
  let after;
  let definitions;
  try {
    for (const [i, m] of earlier.entries()) {
      if (signal.aborted) throw CANCELLED();
      announcePart({ index: i, folder: set.folder, id: m.id, part: 'up' });
      const f = await guarded(session, signal, limitMs, async (late) => {
        const failure = await applyPart(session, m.up, m.transaction, set.runner);
        if (failure && signal.aborted) throw CANCELLED();
        if (failure && late()) throw new PglensError('timeout', `an earlier migration, ${m.id}, ran longer than ${formatSeconds(limitSeconds)} and was stopped`, 'raise the limit with --timeout SECONDS');
        return failure;
      });
      if (f) throw new PglensError('bad-input', `an earlier migration, ${m.id}, does not apply on an empty database (${f.file}:${f.line}: ${f.message})`, 'give what it needs from outside the folder in .pglens.json "sandbox": { "setup": FILE }');
    }
    before = await snapshotCatalog(session.query);
    definitions = await readDefinitions(session.query);
    if (signal.aborted) throw CANCELLED();
    announcePart({ index: earlier.length, folder: set.folder, id: migration.id, part: 'up' });
    const f = await guarded(session, signal, limitMs, async (late) => {
      const failure = await applyPart(session, migration.up, migration.transaction, set.runner);
      if (failure && signal.aborted) throw CANCELLED();
      if (failure && late()) throw new PglensError('timeout', `the up of ${migration.id} ran longer than ${formatSeconds(limitSeconds)} and was stopped`, 'raise the limit with --timeout SECONDS');
      return failure;
    });
    if (f) throw new PglensError('bad-input', `the up of ${migration.id} does not apply (${f.file}:${f.line}: ${f.message})`, 'fix the up first; a down is generated from what it does');
    after = await snapshotCatalog(session.query);
    announcePart(undefined);
  } finally {
    await session.close().catch(() => undefined);
  }

  await loadSqlParser();
  const generated = generateDown(before, after, { hints: readUpHints(migration.up.text), definitions });
  const readRel = (file: string): string | undefined => {
    try {
      return readFileSync(path.join(root, ...file.split('/')), 'utf8');
    } catch {
      return undefined;
    }
  };

  // In place: the set read again through the edits, the migration's down as the runner finds it.
  let placement: DownPlacement | undefined;
  let placed: Migration | undefined;
  if (!migration.down) {
    placement = writeDown(set, migration, generated, {
      read: readRel,
      header: [`Down of ${migration.id}, generated by pglens from the schema before and after the up.`],
      // Paths in the words as from where the request came (the CLI's current folder): where the files are.
      show: (file) => {
        const abs = path.join(root, ...file.split('/'));
        const from = path.relative(request.dir, abs);
        return (from.startsWith('..') || path.isAbsolute(from) ? abs : from).split(path.sep).join('/');
      },
    });
    // Read back only where the runner reads downs (Prisma's down.sql is run by hand).
    if (placement.edits.length && RUNNERS_WITH_DOWNS.has(set.runner)) {
      const edited = applyEdits(placement.edits, readRel);
      const created = placement.edits.filter((e) => e.kind === 'create').map((e) => e.file);
      const files = [...new Set([...listSqlFiles(root), ...created.filter((f) => /\.sql$/i.test(f))])];
      const again = runnerSetsUnder(root, { config, read: (abs) => edited.get(path.relative(root, abs).split(path.sep).join('/')) }, files);
      placed = again.map((rs) => rs.set).find((s) => s.folder === set.folder)?.migrations.find((m) => m.id === migration.id);
      if (!placed?.down) {
        throw new PglensError('bad-input', `placed as ${placement.where}, the down of ${migration.id} is not read back by the ${set.runner} reader`, 'report this with the folder; use the printed SQL by hand meanwhile');
      }
    }
  }
  if (!placed) {
    const part: MigrationPart = { file: placement?.edits[0]?.file ?? `${migration.up.file} (generated down)`, text: generated.sql, offset: 0, line: 0, character: 0 };
    placed = { ...migration, down: part, downTransaction: migration.transaction === 'all-pending' ? 'per-migration' : migration.transaction };
  }

  // Up → down → up, the earlier migrations replayed as history.
  const verifySet: MigrationSet = {
    runner: set.runner,
    folder: set.folder,
    migrations: [...earlier.map((m) => ({ ...m, down: undefined, downTransaction: undefined })), placed],
  };
  if (signal.aborted) throw CANCELLED();
  const report = await verifyMigrations([verifySet], {
    target: await makeTarget([generated.sql]),
    snapshot: snapshotCatalog,
    diff: diffSnapshots,
    signal,
    partTimeoutMs: limitMs,
    onPart: announcePart,
  });
  announcePart(undefined);
  if (report.cancelled) throw CANCELLED();
  const verdict = report.verdicts[report.verdicts.length - 1];
  const judged = judgeGeneratedDown(generated, verdict);
  return {
    id: migration.id,
    runner: set.runner,
    root,
    upFile: migration.up.file,
    ...(migration.down && { existingDown: { file: migration.down.file, line: migration.down.line + 1 } }),
    sql: generated.sql,
    irreversible: generated.irreversible,
    renames: generated.renames,
    ...(placement && { placement }),
    verification: {
      ok: judged.ok,
      verdict: verdict.kind,
      ...(judged.note && { note: judged.note }),
      ...(verdict.failure && { failure: verdict.failure }),
      unexpected: judged.unexpected.map(describeDifference),
      differences: verdict.differences ?? [],
      database: request.db ? 'server' : 'embedded PGlite',
      ms: report.ms,
    },
  };
}

async function main(): Promise<void> {
  exitWithParent();
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  let answer: VerifyAnswer | DownAnswer;
  try {
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as VerifyRequest | DownRequest;
    if (request.kind === 'down') {
      // A first Ctrl-C cancels what runs (on a server: the statement too) and drops the scratch databases before answering.
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      answer = { down: await runDown(request, controller.signal) };
    } else answer = await run(request);
  } catch (e) {
    answer = isPglensError(e)
      ? // The message already ends with the hint (PglensError joins them).
        { error: { code: e.code, message: e.message } }
      : { error: { code: 'internal', message: errorMessage(e) } };
  }
  process.stdout.write(JSON.stringify(answer));
}

if (require.main === module) void main();

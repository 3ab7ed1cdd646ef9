/**
 * The rollback verification child: `node verify-process.js` with one JSON request on stdin,
 * one JSON answer on stdout, progress lines on stderr. PGlite runs here, not in the CLI's
 * process (which runs its bundle from a V8 code cache, where PGlite's module loading fails)
 * nor in the editor's extension host. SIGINT/SIGTERM stop it after the current migration;
 * the answer then holds what was verified.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ensureParser } from '../../db/pg-parser';
import { PglensError, errorMessage, isPglensError } from '../../errors';
import { loadConfig } from '../../lint/config';
import { runnerSetOfFile, runnerSetsUnder } from '../../lint/migration-lint';
import type { Migration, MigrationPart, MigrationSet, RunnerId } from '../migration';
import { listSqlFiles } from '../read';
import { applyPart, type PartFailure } from './apply';
import { describeDifference, diffSnapshots } from './diff';
import { generateDown, judgeGeneratedDown, readDefinitions, readUpHints } from './generate-down';
import { snapshotCatalog } from './snapshot';
import { exitWithParent, readSetup } from './child';
import { pgliteTarget, refuseClusterWide, serverTarget } from './targets';
import type { SchemaDifference } from './types';
import { RUNNERS_WITH_DOWNS, verifyMigrations, type VerdictKind, type VerifyReport, type VerifyTarget } from './verify';
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

async function run(request: VerifyRequest): Promise<VerifyAnswer> {
  const config = loadConfig(request.dir, request.config);
  const sets = runnerSetsUnder(request.dir, { config }).map((rs) => rs.set).filter((s) => s.migrations.length > 0);
  if (sets.length === 0) throw new PglensError('bad-input', `no migrations under ${request.label ?? request.dir}`, 'pass the folder your migration runner reads');
  const setup = readSetup(config);
  const texts = sets.flatMap((s) => s.migrations.flatMap((m) => [m.up.text, m.down?.text ?? '']));
  if (request.db) refuseClusterWide(partsOf(sets, setup));
  const target = request.db ? await serverTarget(request.db, setup) : await pgliteTarget(texts, setup);
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
  });
  return { report };
}


/**
 * The down of one migration: every earlier up of its set replayed on an empty database, the
 * schema snapshotted, the up applied, snapshotted again; the down generated from the two, put
 * in the runner's place (in memory: the set is read again through the edits, so the runner's
 * reader finds it), and verified up → down → up on a fresh database.
 */
/** Every part of the sets (and the setup SQL), with its location, for the --db guard. */
function partsOf(sets: MigrationSet[], setup: string | undefined): Array<{ file: string; line: number; text: string }> {
  const parts = sets.flatMap((s) => s.migrations.flatMap((m) => (m.down ? [m.up, m.down] : [m.up])));
  return setup ? [...parts, { file: 'sandbox.setup', line: 0, text: setup }] : parts;
}


export async function runDown(request: DownRequest): Promise<DownReport> {
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
  const makeTarget = async (extra: string[]): Promise<VerifyTarget> => (request.db ? serverTarget(request.db, setup) : pgliteTarget([...texts, ...extra], setup));

  // The schema before and after the up.
  const session = await (await makeTarget([])).open();
  let before;
  let after;
  let definitions;
  try {
    for (const m of earlier) {
      const f = await applyPart(session, m.up, m.transaction, set.runner);
      if (f) throw new PglensError('bad-input', `an earlier migration, ${m.id}, does not apply on an empty database (${f.file}:${f.line}: ${f.message})`, 'give what it needs from outside the folder in .pglens.json "sandbox": { "setup": FILE }');
    }
    before = await snapshotCatalog(session.query);
    definitions = await readDefinitions(session.query);
    const f = await applyPart(session, migration.up, migration.transaction, set.runner);
    if (f) throw new PglensError('bad-input', `the up of ${migration.id} does not apply (${f.file}:${f.line}: ${f.message})`, 'fix the up first; a down is generated from what it does');
    after = await snapshotCatalog(session.query);
  } finally {
    await session.close().catch(() => undefined);
  }

  await ensureParser();
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
  const report = await verifyMigrations([verifySet], { target: await makeTarget([generated.sql]), snapshot: snapshotCatalog, diff: diffSnapshots });
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
      // A down takes seconds: a first Ctrl-C lets it finish, so its scratch databases are dropped.
      const wait = (): void => void process.stderr.write('pglens: finishing the down to drop its scratch databases (Ctrl-C again to kill)\n');
      process.on('SIGINT', wait);
      process.on('SIGTERM', wait);
      answer = { down: await runDown(request) };
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

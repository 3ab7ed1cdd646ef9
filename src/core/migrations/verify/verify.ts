import type { Migration, MigrationSet, RunnerId } from '../migration';
import { applyNested, applyPart, nestable, type PartFailure, type SqlSession } from './apply';
import { lexTokens } from '../../sql/tokens';
import type { CatalogSnapshot, HungMigration, PartName, PartStart, QueryRows, SchemaDifference } from './types';

/**
 * Rollback verification: every migration with a down is applied up → down → up on an empty
 * database (the embedded PGlite or a disposable server database), in the runners' order, with
 * the catalog snapshotted before the up and after the down. A down that does not restore the
 * schema, fails, or leaves something the second up trips over is reported at its line.
 */

/** Runners whose migrations can carry a down part (a migration without one gets `missing-down-migration`). */
export const RUNNERS_WITH_DOWNS: ReadonlySet<RunnerId> = new Set<RunnerId>([
  'goose',
  'golang-migrate',
  'dbmate',
  'sql-migrate',
  'diesel',
  'flyway',
  'liquibase',
  'sqitch',
  'popx',
]);

export interface VerifyTarget {
  /** A fresh, empty database (the setup SQL, if any, already run). */
  open(): Promise<SqlSession>;
}

export interface VerifyOptions {
  target: VerifyTarget;
  snapshot(query: QueryRows): Promise<CatalogSnapshot>;
  diff(before: CatalogSnapshot, after: CatalogSnapshot): SchemaDifference[];
  onProgress?(message: string): void;
  /**
   * Stops between migrations; what was verified so far is reported. On a session that can
   * cancel (a server), the statement running when it fires is cancelled too: that migration is
   * reported as not verified, never as failing.
   */
  signal?: AbortSignal;
  /**
   * Keep the database for a next verification (the editor's warm session): the last migration,
   * when it runs in one transaction, is verified and rolled back, and instead of closing the
   * session this receives it with how many migrations (from the first) it holds applied.
   */
  keepSession?(session: SqlSession, applied: number): void;
  /**
   * A part (the up, the down, the up again — each with the snapshot next to it) running longer
   * than this is stopped where the session can cancel its statement (a server) and the
   * migration reported as unverifiable: "ran longer than N s". Where it cannot (PGlite blocks
   * its process while a statement runs), the verification child's parent ends the child and
   * asks again with `hung`. Default: no limit here.
   */
  partTimeoutMs?: number;
  /** Parts an earlier run was stopped in for running too long: not run again, reported as such. */
  hung?: HungMigration[];
  /** Told when each part starts: the parent's watchdog counts from it. */
  onPart?(start: PartStart): void;
}

export type VerdictKind =
  /** The down restores the schema exactly and the up applies again. */
  | 'verified'
  /** The down runs but the schema differs from before the up. */
  | 'incomplete'
  /** The down fails. */
  | 'down-fails'
  /** The down runs, but the up then fails: the down left something behind. */
  | 'reapply-fails'
  /** No down, where the runner supports one. */
  | 'no-down'
  /** The up itself fails on an empty database: nothing after it can be verified. */
  | 'unverifiable'
  /** Not verified: an earlier migration does not apply (or the run was cancelled). */
  | 'skipped';

export interface PartLocation {
  file: string;
  /** 1-based. */
  line: number;
}

export interface MigrationVerdict {
  id: string;
  runner: RunnerId;
  folder: string;
  up: PartLocation;
  down?: PartLocation;
  kind: VerdictKind;
  /** Schema before the up vs after the down ('incomplete', and 'reapply-fails' when the down ran). */
  differences?: SchemaDifference[];
  /** The differences that destroy data that existed before the up (a table or column the down drops). */
  dataLoss?: SchemaDifference[];
  failure?: PartFailure;
  /** Why it was skipped or cannot be verified. */
  reason?: string;
  /** The part that ran longer than the limit (`seconds`) and was stopped: the migration cannot be verified. */
  timedOut?: { part: PartName; seconds: number };
  /** The down holds no statement (only comments, or nothing): it undoes nothing. */
  emptyDown?: boolean;
}

export interface VerifyReport {
  verdicts: MigrationVerdict[];
  ms: number;
  cancelled: boolean;
}

const location = (p: Migration['up']): PartLocation => ({ file: p.file, line: p.line + 1 });

/**
 * Tables and columns that existed before the up and that the down itself drops: missing after
 * the down AND named by a DROP TABLE / DROP COLUMN of the down. (One the up renamed and the
 * down did not rename back is missing too, but its data is still there, under the new name.)
 */
const lostData = (differences: SchemaDifference[], downText: string): SchemaDifference[] =>
  differences.filter((d) => {
    if (d.change !== 'missing') return false;
    // DROP SCHEMA … CASCADE takes the tables in it; DROP TYPE … CASCADE the columns of that type.
    if (d.kind === 'schema') return new RegExp(`\\bDROP\\s+SCHEMA\\b[^;]*\\b${d.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b[^;]*\\bCASCADE\\b`, 'i').test(downText);
    if (d.kind === 'column' && /\bDROP\s+TYPE\b[^;]*\bCASCADE\b/i.test(downText)) return true;
    if (d.kind !== 'table' && d.kind !== 'column') return false;
    const last = d.name.slice(d.name.lastIndexOf('.') + 1).replace(/^"|"$/g, '');
    const escaped = last.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const verb = d.kind === 'table' ? 'DROP\\s+TABLE' : 'DROP\\s+(?:COLUMN\\s+)?';
    return new RegExp(`\\b${verb}[^;]*?"?\\b${escaped}\\b"?`, 'i').test(downText);
  });

/** Whether a part holds no statement at all: only blanks, comments and semicolons. */
export function isEmptyPart(text: string): boolean {
  return lexTokens(text).every((t) => t.kind === 'comment' || (t.kind === 'punct' && t.text === ';'));
}

const PART_WORDS: Record<PartName, string> = { up: 'its up', down: 'its down', 'up again': 'its up, applied again after the down,' };

/** The verdict of a migration one part of which ran longer than the limit and was stopped. */
function timedOutVerdict(base: Omit<MigrationVerdict, 'kind'>, part: PartName, seconds: number): MigrationVerdict {
  return { ...base, kind: 'unverifiable', timedOut: { part, seconds }, reason: `${PART_WORDS[part]} ran longer than ${formatSeconds(seconds)} and was stopped` };
}

export function formatSeconds(seconds: number): string {
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/**
 * up → down → up inside one transaction of the verifier's, each part a savepoint: a failing
 * down or second up rolls back to the state right after the first up, and the next migration
 * goes on from there — no rebuild. The state after the up is committed at the end.
 */
async function verifyNested(
  session: SqlSession,
  m: Migration,
  base: Omit<MigrationVerdict, 'kind'>,
  options: Pick<VerifyOptions, 'snapshot' | 'diff'>,
  enter: (part: PartName) => void,
  /** End by rolling everything back (the state stays as before the up) instead of committing the up. */
  rollback = false,
): Promise<MigrationVerdict> {
  const end = async (): Promise<void> => {
    if (rollback) await session.exec('ROLLBACK');
    else {
      await session.exec('ROLLBACK TO SAVEPOINT pglens_after_up');
      await session.exec('COMMIT');
    }
  };
  await session.exec('BEGIN');
  try {
    const before = await options.snapshot(session.query);
    const upFailure = await applyNested(session, m.up, 'pglens_up');
    if (upFailure) {
      await session.exec('ROLLBACK');
      return { ...base, kind: 'unverifiable', failure: upFailure, reason: `its up fails on an empty database: ${upFailure.message}` };
    }
    await session.exec('SAVEPOINT pglens_after_up');
    enter('down');
    const downFailure = await applyNested(session, m.down!, 'pglens_down');
    if (downFailure) {
      await end();
      return { ...base, kind: 'down-fails', failure: downFailure };
    }
    const after = await options.snapshot(session.query);
    const differences = options.diff(before, after);
    const dataLoss = lostData(differences, m.down!.text);
    enter('up again');
    const again = await applyNested(session, m.up, 'pglens_up_again');
    if (again) {
      await end();
      return { ...base, kind: 'reapply-fails', failure: again, differences, dataLoss };
    }
    await session.exec(rollback ? 'ROLLBACK' : 'COMMIT');
    return { ...base, kind: differences.length > 0 ? 'incomplete' : 'verified', differences, dataLoss };
  } catch (e) {
    if (await session.inTransaction().catch(() => true)) await session.exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** What verifying one migration gave, and what the loop does next. */
interface Step {
  verdict: MigrationVerdict;
  /** Nothing after it can be verified: why. */
  stop?: string;
  /** The database is in an unknown state: rebuild it from the ups applied so far. */
  rebuild?: boolean;
  /** Not reported: a migration without a down, of a runner that has none. */
  silent?: boolean;
}

export async function verifyMigrations(sets: MigrationSet[], options: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const verdicts: MigrationVerdict[] = [];
  const all = sets.flatMap((set) => set.migrations.map((m) => ({ m, runner: set.runner, folder: set.folder })));
  /** Ups applied so far, to rebuild the database when a down leaves it in an unknown state. */
  const history: typeof all = [];
  let session = await options.target.open();
  let stop: string | undefined;
  let cancelled = false;
  const limitMs = options.partTimeoutMs;
  const limitSeconds = (limitMs ?? 0) / 1000;

  /**
   * The migration being verified: which part runs, whether it ran past the limit, whether the
   * signal fired during it. Either way the running statement is cancelled (again every second:
   * a cancel that lands between two statements misses).
   */
  let current: { part: PartName; timedOut?: PartName; cancelled: boolean } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let repeat: NodeJS.Timeout | undefined;
  const interrupt = (): void => {
    void session.cancel?.().catch(() => undefined);
    if (!repeat) repeat = setInterval(() => void session.cancel?.().catch(() => undefined), 1000);
  };
  const settle = (): void => {
    clearTimeout(timer);
    clearInterval(repeat);
    timer = undefined;
    repeat = undefined;
  };
  const onAbort = (): void => {
    if (!current || !session.cancel) return;
    current.cancelled = true;
    interrupt();
  };
  options.signal?.addEventListener('abort', onAbort);

  /** The part announced last: said again at each step of a rebuild, so a parent's watchdog does not take a long replay for a hung part. */
  let announced: PartStart | undefined;
  const rebuild = async (): Promise<string | undefined> => {
    await session.close().catch(() => undefined);
    session = await options.target.open();
    for (const h of history) {
      if (announced) options.onPart?.(announced);
      const f = await applyPart(session, h.m.up, h.m.transaction, h.runner);
      if (f) return `rebuilding the database after a failed rollback, ${h.m.id} did not apply again: ${f.message}`;
    }
    return undefined;
  };

  /** One migration, its parts announced through `enter`. */
  const verifyOne = async (i: number, base: Omit<MigrationVerdict, 'kind'>, enter: (part: PartName) => void): Promise<Step> => {
    const { m, runner, folder } = all[i];
    const hung = options.hung?.find((h) => h.folder === folder && h.id === m.id);
    if (hung) {
      // An earlier run was stopped in this part: it is not run again.
      if (hung.part === 'up') return { verdict: timedOutVerdict(base, 'up', hung.seconds), stop: `an earlier migration (${m.id}) ran longer than ${formatSeconds(hung.seconds)}` };
      enter('up');
      const f = await applyPart(session, m.up, m.transaction, runner);
      if (f) return { verdict: { ...base, kind: 'unverifiable', failure: f, reason: `its up fails on an empty database: ${f.message}` }, stop: `an earlier migration (${m.id}) does not apply` };
      history.push(all[i]);
      return { verdict: timedOutVerdict(base, hung.part, hung.seconds) };
    }
    enter('up');
    const downMode = m.downTransaction ?? m.transaction;
    if (m.down && nestable(m.up.text, m.transaction) && nestable(m.down.text, downMode)) {
      const last = options.keepSession !== undefined && i === all.length - 1;
      let verdict: MigrationVerdict;
      try {
        verdict = await verifyNested(session, m, base, options, enter, last);
      } catch (e) {
        if (current?.timedOut || current?.cancelled) throw e;
        // The migration ended the verifier's own transaction (a COMMIT pglens did not see): it cannot be verified this way.
        verdict = { ...base, kind: 'unverifiable', reason: `it ends or opens transactions pglens cannot follow (${(e as Error).message})` };
      }
      if (!last) history.push(all[i]);
      return { verdict, ...(verdict.kind === 'unverifiable' && { stop: `an earlier migration (${m.id}) does not apply` }) };
    }
    const before = m.down ? await options.snapshot(session.query) : undefined;
    const upFailure = await applyPart(session, m.up, m.transaction, runner);
    if (upFailure) {
      return { verdict: { ...base, kind: 'unverifiable', failure: upFailure, reason: `its up fails on an empty database: ${upFailure.message}` }, stop: `an earlier migration (${m.id}) does not apply` };
    }
    history.push(all[i]);
    if (!m.down || !before) {
      return { verdict: { ...base, kind: 'no-down' }, silent: !RUNNERS_WITH_DOWNS.has(runner) };
    }
    enter('down');
    const downFailure = await applyPart(session, m.down, downMode, runner);
    if (downFailure) {
      // A down that ran in a transaction rolled back to the state after the up; any other may have half run.
      return { verdict: { ...base, kind: 'down-fails', failure: downFailure }, rebuild: downMode === 'none' };
    }
    const after = await options.snapshot(session.query);
    const differences = options.diff(before, after);
    const dataLoss = lostData(differences, m.down!.text);
    enter('up again');
    const again = await applyPart(session, m.up, m.transaction, runner);
    if (again) return { verdict: { ...base, kind: 'reapply-fails', failure: again, differences, dataLoss }, rebuild: true };
    return { verdict: { ...base, kind: differences.length > 0 ? 'incomplete' : 'verified', differences, dataLoss } };
  };

  try {
    for (let i = 0; i < all.length; i++) {
      const { m, runner, folder } = all[i];
      const base = {
        id: m.id,
        runner,
        folder,
        up: location(m.up),
        ...(m.down && { down: location(m.down) }),
        ...(m.down && isEmptyPart(m.down.text) && { emptyDown: true }),
      };
      if (!stop && options.signal?.aborted) {
        cancelled = true;
        stop = 'the verification was cancelled';
      }
      if (stop) {
        verdicts.push({ ...base, kind: 'skipped', reason: stop });
        continue;
      }
      if (i > 0 && i % 25 === 0) options.onProgress?.(`verifying rollbacks: ${i}/${all.length}`);
      // PGlite answers in microtasks: without a turn of the event loop a Ctrl-C would wait for the whole folder.
      await new Promise((resolve) => setImmediate(resolve));
      const state: { part: PartName; timedOut?: PartName; cancelled: boolean } = { part: 'up', cancelled: false };
      current = state;
      const enter = (part: PartName): void => {
        state.part = part;
        announced = { index: i, folder, id: m.id, part };
        options.onPart?.(announced);
        if (state.timedOut || !limitMs || !session.cancel) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          state.timedOut = state.part;
          interrupt();
        }, limitMs);
      };
      let step: Step | undefined;
      let thrown: unknown;
      try {
        step = await verifyOne(i, base, enter);
      } catch (e) {
        thrown = e;
      } finally {
        settle();
        current = undefined;
      }
      const failed = step === undefined || ['unverifiable', 'down-fails', 'reapply-fails'].includes(step.verdict.kind);
      if (state.cancelled && failed) {
        // The statement the signal cancelled: not a failure of the migration.
        verdicts.push({ ...base, kind: 'skipped', reason: 'the verification was cancelled' });
        cancelled = true;
        stop = 'the verification was cancelled';
        continue;
      }
      if (state.timedOut && failed) {
        verdicts.push(timedOutVerdict(base, state.timedOut, limitSeconds));
        if (state.timedOut === 'up') stop = `an earlier migration (${m.id}) ran longer than ${formatSeconds(limitSeconds)}`;
        else {
          // Its up is part of the state the next migrations need; the cancelled part may have left anything.
          if (!history.includes(all[i])) history.push(all[i]);
          stop = await rebuild();
        }
        continue;
      }
      if (thrown !== undefined || !step) throw thrown;
      if (!step.silent) verdicts.push(step.verdict);
      if (step.stop) stop = step.stop;
      else if (step.rebuild) stop = await rebuild();
    }
  } catch (e) {
    options.signal?.removeEventListener('abort', onAbort);
    await session.close().catch(() => undefined);
    throw e;
  }
  options.signal?.removeEventListener('abort', onAbort);
  if (options.keepSession && !stop) options.keepSession(session, history.length);
  else await session.close().catch(() => undefined);
  return { verdicts, ms: Date.now() - started, cancelled };
}

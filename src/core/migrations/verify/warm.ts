import { createHash } from 'node:crypto';
import type { Migration, MigrationSet } from '../migration';
import type { SqlSession } from './apply';
import type { HungMigration } from './types';
import { verifyMigrations, type MigrationVerdict, type VerifyOptions, type VerifyReport } from './verify';

/**
 * Rollback verification that stays warm between runs (the editor's child process): the
 * database is kept with every migration but the last applied, and the verdicts of those. When
 * only the last migration changed since the previous run — the one being written — only it is
 * verified again (in a transaction rolled back at the end): a fraction of a second instead of
 * replaying the folder. Any other change runs everything again from an empty database.
 */
export class WarmVerifier {
  private session: SqlSession | undefined;
  /** Keys of the migrations the session holds applied, from the first. */
  private applied: string[] = [];
  private verdicts: MigrationVerdict[] = [];

  constructor(private readonly options: VerifyOptions) {}

  /** `hung`: parts an earlier child was ended in (see VerifyOptions.hung): verified from an empty database, without running them. */
  async verify(sets: MigrationSet[], signal?: AbortSignal, hung?: HungMigration[]): Promise<VerifyReport & { warm: boolean }> {
    const all = sets.flatMap((set) => set.migrations.map((m) => ({ m, runner: set.runner, folder: set.folder })));
    const keys = chainKeys(all.map((x) => x.m), sets.map((s) => s.runner));
    const n = all.length;
    const session = this.session;
    const prefixHeld = !hung?.length && session !== undefined && n > 0 && this.applied.length === n - 1 && this.applied.every((k, i) => k === keys[i]);
    if (prefixHeld && session) {
      // Only the last one is new: verify it alone on the database the others built.
      const started = Date.now();
      const last = all[n - 1];
      const report = await verifyMigrations([{ runner: last.runner, folder: last.folder, migrations: [last.m] }], {
        ...this.options,
        ...(signal && { signal }),
        target: { open: async () => session },
        keepSession: (kept, applied) => {
          this.session = kept;
          // The last was rolled back (applied 0): the held prefix is unchanged. Applied 1: it is now part of it.
          if (applied === 1) this.applied = keys.slice(0, n);
        },
      });
      if (report.verdicts.some((v) => v.kind === 'unverifiable' || v.kind === 'skipped')) await this.reset();
      const verdicts = [...this.verdicts, ...report.verdicts];
      if (this.applied.length === n) this.verdicts = verdicts;
      return { verdicts, ms: Date.now() - started, cancelled: report.cancelled, warm: true };
    }
    await this.reset();
    const report = await verifyMigrations(sets, {
      ...this.options,
      ...(signal && { signal }),
      ...(hung?.length && { hung }),
      keepSession: (kept, applied) => {
        this.session = kept;
        this.applied = keys.slice(0, applied);
      },
    });
    // The verdicts of the applied prefix, kept for the next warm run.
    this.verdicts = report.verdicts.slice(0, this.applied.length);
    if (report.cancelled) await this.reset();
    return { ...report, warm: false };
  }

  async reset(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.applied = [];
    this.verdicts = [];
    await session?.close().catch(() => undefined);
  }
}

/** Per migration, a key over everything that decides its state: itself and every migration before it. */
function chainKeys(migrations: Migration[], runners: string[]): string[] {
  const keys: string[] = [];
  let previous = runners.join(',');
  for (const m of migrations) {
    previous = createHash('sha256')
      .update(previous)
      .update('\0')
      .update(`${m.transaction}\0${m.downTransaction ?? ''}\0${m.up.text}\0${m.down?.text ?? ''}`)
      .digest('hex');
    keys.push(previous);
  }
  return keys;
}

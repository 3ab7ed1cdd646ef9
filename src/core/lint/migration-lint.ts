import * as path from 'node:path';
import type { MigrationSet, RunnerId } from '../migrations/migration';
import { isRunnerFolder, listSqlFiles, readMigrationSets } from '../migrations/read';
import type { Finding } from '../types';
import { matchesGlob } from '../glob';
import type { PglensConfig } from '../config';
import { lintMigrations, lintSqlFile, type LintOptions } from './engine';

/**
 * One way from files to findings for the CLI and the editor: a folder is read as its runner
 * runs it (src/core/migrations), a file is linted with the migration set it belongs to.
 */

/** A migration set found on disk, ready to lint: its folder (absolute) and what its runner runs. */
export interface RunnerSet {
  /** Absolute folder the set was read from (the root of `set`'s relative paths). */
  root: string;
  set: MigrationSet;
  /** Absolute paths of the set's files that hold an up or a down. */
  files: string[];
  /** Absolute paths of `.sql` files in the folder that the runner never runs (not linted as migrations). */
  notRun: string[];
}

export interface ReadOptions {
  config: PglensConfig;
  /** Text of an absolute path before the disk is tried (unsaved editor documents, the CLI's checked reads). */
  read?: (file: string) => string | undefined;
}

/** Every migration set under `dir` (absolute), in folder order. */
export function runnerSetsUnder(dir: string, options: ReadOptions, files?: string[]): RunnerSet[] {
  const rel = files ?? listSqlFiles(dir);
  return readSets(dir, rel, options);
}

function readSets(root: string, rel: string[], options: ReadOptions): RunnerSet[] {
  const abs = (f: string): string => path.join(root, ...f.split('/'));
  const read = options.read && ((f: string) => options.read!(abs(f)));
  const sets = readMigrationSets(root, { files: rel, overrides: options.config.migrations, overridesRoot: options.config.root, read });
  return sets.map((set) => {
    const files = new Set<string>();
    for (const m of set.migrations) {
      files.add(m.up.file);
      if (m.down) files.add(m.down.file);
    }
    const prefix = set.folder ? `${set.folder}/` : '';
    const inFolder = rel.filter((f) => (prefix ? f.startsWith(prefix) : true));
    // Files of nested folders belong to their own set.
    const mine = inFolder.filter((f) => sets.every((other) => other === set || !other.folder.startsWith(prefix) || other.folder.length <= set.folder.length || !f.startsWith(`${other.folder}/`)));
    return { root, set, files: [...files].map(abs), notRun: mine.filter((f) => !files.has(f)).map(abs) };
  });
}

/**
 * The migration set `file` (absolute) belongs to, read from the folder its runner works in:
 * the topmost folder within three levels above it holding a plan or journal (sqitch, drizzle,
 * Liquibase), else the folder above `<name>/migration.sql` or `<name>/up.sql`, else its own
 * folder. Undefined when the file is not a migration: its folder has no runner and no
 * `migrations` segment, or its runner does not run it.
 */
export function runnerSetForFile(file: string, options: ReadOptions): RunnerSet | undefined {
  const found = runnerSetOfFile(file, options);
  return found?.runs ? found.rs : undefined;
}

/**
 * The migration set `file` sits in, and whether its runner runs it (`runs` false: a sqitch
 * verify script, a drizzle file missing from the journal…). Undefined when the file is not in
 * a migration folder at all.
 */
export function runnerSetOfFile(file: string, options: ReadOptions): { rs: RunnerSet; runs: boolean } | undefined {
  const dir = path.dirname(file);
  let root = dir;
  const base = path.basename(file);
  if (['migration.sql', 'up.sql', 'down.sql'].includes(base)) root = path.dirname(dir);
  let up = dir;
  for (let i = 0; i < 3; i++) {
    if (isRunnerFolder(up)) root = up;
    const parent = path.dirname(up);
    if (parent === up) break;
    up = parent;
  }
  const sets = runnerSetsUnder(root, options);
  const running = sets.find((s) => s.files.includes(file));
  if (running) {
    if (running.set.runner === 'plain' && !isMigrationPath(file) && !forced(file, options.config)) return undefined;
    return { rs: running, runs: true };
  }
  const holding = sets.find((s) => s.notRun.includes(file));
  if (!holding || holding.set.runner === 'plain') return undefined;
  return { rs: holding, runs: false };
}

/**
 * Whether a set found under a folder holds migrations rather than loose queries: a runner's
 * folder, or a plain folder named `migrations` (or named by `.pglens.json` `migrations[]`),
 * as runnerSetForFile decides for one of its files.
 */
export function isMigrationSet(rs: RunnerSet, config: PglensConfig): boolean {
  if (rs.set.migrations.length === 0) return false;
  if (rs.set.runner !== 'plain') return true;
  const probe = path.join(rs.root, ...rs.set.folder.split('/').filter(Boolean), 'migration.sql');
  return isMigrationPath(probe) || forced(probe, config);
}

/** A `migrations` (or `migration`) folder segment: how pglens told migrations from queries before it knew runners. */
function isMigrationPath(file: string): boolean {
  return path.dirname(file).split(path.sep).some((seg) => /^migrations?$/i.test(seg));
}

/** A `.pglens.json` `migrations[]` entry names the file or its folder. */
function forced(file: string, config: PglensConfig): boolean {
  if (config.migrations.length === 0) return false;
  const rel = (p: string): string => path.relative(config.root, p).split(path.sep).join('/') || '.';
  const candidates = [rel(file), rel(path.dirname(file))];
  return config.migrations.some((m) => candidates.some((c) => matchesGlob(c, m.path)));
}

/** Lints one runner set; `read` gives a file's text (absolute path). */
export function lintRunnerSet(rs: RunnerSet, read: (file: string) => string, config: PglensConfig, options: LintOptions = {}): Finding[] {
  const abs = (f: string): string => path.join(rs.root, ...f.split('/'));
  return lintMigrations(rs.set, (f) => read(abs(f)), config, options, abs);
}

/**
 * Lints `file` (absolute) as its runner runs it, with its whole migration set as context and
 * findings of that file only; a file that is not a migration is linted on its own.
 */
export function lintFileInContext(file: string, read: (file: string) => string, config: PglensConfig, options: LintOptions = {}): { findings: Finding[]; set?: RunnerSet } {
  const rs = runnerSetForFile(file, { config, read: (f) => (f === file ? read(f) : undefined) });
  if (!rs) return { findings: lintSqlFile(file, read(file), config, options) };
  return { findings: lintRunnerSet(rs, read, config, { ...options, onlyFile: file }), set: rs };
}

export type { RunnerId };

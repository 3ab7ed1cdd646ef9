import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { matchesGlob } from '../glob';
import { readDbmate } from './dbmate';
import { detectRunner } from './detect';
import { readDiesel } from './diesel';
import { DRIZZLE_JOURNAL, readDrizzle } from './drizzle';
import { readFlyway } from './flyway';
import { baseName, compareCodePoints, createFolder, dirName, type MigrationFolder } from './folder';
import { readGolangMigrate } from './golang-migrate';
import { readGoose } from './goose';
import { liquibaseReach, ROOT_CHANGELOGS, readLiquibase, rootChangelog } from './liquibase';
import type { Migration, MigrationSet, RunnerId } from './migration';
import { readPlain } from './plain';
import { readPopx } from './popx';
import { readPrisma } from './prisma';
import { isSqitchPlan, readSqitch, SQITCH_PLAN, sqitchReach } from './sqitch';
import { readSqlMigrate } from './sql-migrate';

/** `.pglens.json` `migrations[]`: forces the runner and/or the transaction mode of the folders its glob matches. */
export interface FolderOverride {
  /** Glob relative to `overridesRoot`; matches a folder, a file in it, or a folder above. */
  path: string;
  runner?: RunnerId;
  transactional?: boolean;
}

export interface ReadMigrationsOptions {
  /** Candidate files relative to the root, '/'-separated (default: every `.sql` file under it). */
  files?: string[];
  overrides?: FolderOverride[];
  /** Where override globs are relative to (the config file's folder; default: the root). */
  overridesRoot?: string;
  /** Reads a file (relative to the root) before the disk is tried: unsaved editor text, the CLI's checked reads. */
  read?: (file: string) => string | undefined;
}

const READERS: Record<RunnerId, (folder: MigrationFolder) => Migration[]> = {
  prisma: readPrisma,
  'drizzle-kit': readDrizzle,
  goose: readGoose,
  'golang-migrate': readGolangMigrate,
  dbmate: readDbmate,
  'sql-migrate': readSqlMigrate,
  diesel: readDiesel,
  flyway: readFlyway,
  liquibase: readLiquibase,
  sqitch: readSqitch,
  popx: readPopx,
  supabase: readPlain,
  plain: readPlain,
};

/**
 * The migrations under `root` as their runners apply them: the candidate files grouped into
 * migration folders (by path, see `groupFolders`), each folder's runner detected (or forced)
 * and its migrations listed in that runner's order, with ups and downs apart. A Liquibase
 * folder whose migrations are all inline in its changelog is read too, with no candidate file.
 */
export function readMigrationSets(root: string, options: ReadMigrationsOptions = {}): MigrationSet[] {
  const listed = options.files === undefined ? listFiles(root) : undefined;
  const files = options.files ?? listed!.sql;
  const readText = cachedReader(root, options.read);
  const groups = groupFolders(root, files, { ...options, read: readText }, listed?.changelogDirs);
  return [...groups.keys()].sort(compareCodePoints).flatMap((rel) => {
    const own = groups.get(rel)!;
    const folder = createFolder(root, rel, own, readText);
    const override = findOverride(options, root, rel, folder.files.map(folder.path));
    const runner = override?.runner ?? detectRunner(folder);
    let migrations = READERS[runner](folder);
    // A folder held for its changelog alone: a set only when the changelog runs something.
    if (own.length === 0 && migrations.length === 0) return [];
    if (override?.transactional !== undefined) {
      const mode = override.transactional ? 'per-migration' : 'none';
      migrations = migrations.map((m) => ({ ...m, transaction: mode, ...(m.down && { downTransaction: mode }) }));
    }
    return [{ runner, folder: rel, migrations }];
  });
}

/** Every migration of the sets, in replay order. */
export function allMigrations(sets: MigrationSet[]): Migration[] {
  return sets.flatMap((s) => s.migrations);
}

/** The runners whose plan, journal or changelog marks the folder that holds it. */
type Marker = 'sqitch' | 'drizzle-kit' | 'liquibase';

/**
 * The runner a folder's side file names outright: a `sqitch.plan` that is a plan, a drizzle
 * journal, a Liquibase root changelog that is a changelog (see `isLiquibaseChangelog`).
 * `read` reads a side file relative to the folder.
 */
function markerOf(read: (file: string) => string | undefined): Marker | undefined {
  const plan = read(SQITCH_PLAN);
  if (plan !== undefined && isSqitchPlan(plan)) return 'sqitch';
  if (read(DRIZZLE_JOURNAL) !== undefined) return 'drizzle-kit';
  if (rootChangelog({ readOptional: read }) !== undefined) return 'liquibase';
  return undefined;
}

/** Whether the folder (absolute) holds a runner's plan, journal or root changelog — real ones, not look-alikes. */
export function isRunnerFolder(dir: string): boolean {
  return markerOf((f) => readDisk(path.join(dir, ...f.split('/')))) !== undefined;
}

/**
 * The migration folder of each file (relative to the root, '/'-separated):
 * - the topmost folder above it whose runner (sqitch plan, drizzle journal, Liquibase root
 *   changelog) runs it: a script the plan names, a file in the journal's folder, a file the
 *   changelog reaches through its includes;
 * - else its own folder (the folder above a per-migration folder: `<name>/migration.sql`,
 *   `<name>/up.sql`) — when that folder's runner is another one than the marked folder's
 *   above it (goose files under a Liquibase project), or is a plan/journal/changelog of its
 *   own the one above does not include;
 * - else (plain SQL, or files of the same runner it does not run) the topmost marked folder
 *   above it, as a file its runner does not run.
 * Marked folders with no file of their own are kept (empty) when nothing above includes them:
 * a Liquibase changelog may run inline SQL alone.
 */
export function groupFolders(root: string, files: string[], options: ReadMigrationsOptions = {}, changelogDirs: string[] = []): Map<string, string[]> {
  const readText = cachedReader(root, options.read);
  const sideReader = (dir: string) => (f: string) => readText(dir ? `${dir}/${f}` : f);
  const markers = new Map<string, Marker | undefined>();
  const marker = (dir: string): Marker | undefined => {
    if (!markers.has(dir)) markers.set(dir, markerOf(sideReader(dir)));
    return markers.get(dir);
  };
  const chainOf = (dir: string): string[] => {
    const parts = dir ? dir.split('/') : [];
    const chain: string[] = [];
    for (let i = 0; i <= parts.length; i++) {
      const candidate = parts.slice(0, i).join('/');
      if (marker(candidate)) chain.push(candidate);
    }
    return chain;
  };
  const inside = (dir: string, f: string): boolean => dir === '' || f.startsWith(`${dir}/`);
  const relTo = (dir: string, f: string): string => (dir ? f.slice(dir.length + 1) : f);
  const folderOf = (dir: string, own: string[]) => createFolder(root, dir, own, readText);
  // What each marked folder's runner runs (paths relative to it), read once.
  const reaches = new Map<string, Set<string>>();
  const reach = (dir: string): Set<string> => {
    let r = reaches.get(dir);
    if (!r) {
      const folder = folderOf(dir, files.filter((f) => inside(dir, f)).map((f) => relTo(dir, f)));
      const kind = marker(dir);
      if (kind === 'liquibase') r = liquibaseReach(folder) ?? new Set();
      else if (kind === 'sqitch') r = sqitchReach(folder);
      else r = new Set([DRIZZLE_JOURNAL, ...folder.files.filter((f) => !f.includes('/'))]);
      reaches.set(dir, r);
    }
    return r;
  };
  const markerFile = (dir: string): string => {
    const kind = marker(dir);
    if (kind === 'sqitch') return SQITCH_PLAN;
    if (kind === 'drizzle-kit') return DRIZZLE_JOURNAL;
    return rootChangelog({ readOptional: sideReader(dir) }) ?? '';
  };
  /** Whether marked `outer` runs what marked `inner` (below it) marks: its changelog is included, its plan read. */
  const includes = (outer: string, inner: string): boolean => reach(outer).has(relTo(outer, inner ? `${inner}/${markerFile(inner)}` : markerFile(inner)));
  const forced = (dir: string, own: string[]) => findOverride(options, root, dir, own.map((f) => (dir ? `${dir}/${f}` : f)))?.runner;

  const groups = new Map<string, string[]>();
  const add = (dir: string, f: string) => {
    const list = groups.get(dir) ?? [];
    list.push(relTo(dir, f));
    groups.set(dir, list);
  };
  const pending = new Map<string, Array<{ file: string; chain: string[] }>>();
  for (const f of files) {
    const dir = dirName(f);
    const chain = chainOf(dir);
    const owner = chain.find((m) => reach(m).has(relTo(m, f)));
    if (owner !== undefined) {
      add(owner, f);
      continue;
    }
    const natural = ['migration.sql', 'up.sql', 'down.sql'].includes(baseName(f)) && dir ? dirName(dir) : dir;
    const list = pending.get(natural) ?? [];
    list.push({ file: f, chain });
    pending.set(natural, list);
  }
  const runners = new Map<string, RunnerId>();
  const runnerOf = (dir: string, own: string[]): RunnerId => {
    if (!runners.has(dir)) runners.set(dir, forced(dir, own) ?? detectRunner(folderOf(dir, own)));
    return runners.get(dir)!;
  };
  for (const [natural, list] of pending) {
    const ownFiles = list.map((x) => relTo(natural, x.file));
    for (const { file, chain } of list) {
      let target = natural;
      let runner = chain.length ? runnerOf(natural, ownFiles) : 'plain';
      for (const m of [...chain].reverse()) {
        if (m === target) continue;
        const markedRunner = forced(m, []) ?? marker(m)!;
        // A marked folder below the natural one (`<marked>/migration.sql`): the file is its.
        if (inside(target, m)) {
          target = m;
          runner = markedRunner;
          continue;
        }
        const separate = runner !== 'plain' && (runner !== markedRunner || (marker(target) !== undefined && !includes(m, target)));
        if (!separate) {
          target = m;
          runner = markedRunner;
        }
      }
      add(target, file);
    }
  }
  // Marked folders without a file of their own (inline changelogs), unless one above runs them.
  const seen = new Set<string>([...groups.keys(), ...files.flatMap((f) => chainOf(dirName(f)))]);
  for (const dir of ['', ...changelogDirs]) if (marker(dir)) seen.add(dir);
  for (const dir of seen) {
    if (groups.has(dir) || !marker(dir)) continue;
    const above = chainOf(dir === '' ? '' : dirName(dir)).filter((m) => m !== dir && inside(m, dir));
    if (!above.some((m) => includes(m, dir))) groups.set(dir, []);
  }
  return groups;
}

/**
 * The folder a file belongs to (see `groupFolders`). With the candidate files, as
 * `readMigrationSets` groups them; without, each file judged with its own folder's files
 * unknown (the side files above it are read once per finder).
 */
export function folderFinder(root: string, files?: string[], options: ReadMigrationsOptions = {}): (file: string) => string {
  const read = cachedReader(root, options.read);
  const locate = (within: string[]) => {
    const of = new Map<string, string>();
    for (const [dir, own] of groupFolders(root, within, { ...options, read })) for (const f of own) of.set(dir ? `${dir}/${f}` : f, dir);
    return of;
  };
  const all = files && locate(files);
  return (file) => (all ?? locate([file])).get(file) ?? dirName(file);
}

/** Reads a file relative to the root, `read` first, each file once. */
function cachedReader(root: string, read?: (file: string) => string | undefined): (file: string) => string | undefined {
  const texts = new Map<string, string | undefined>();
  return (file) => {
    if (!texts.has(file)) texts.set(file, read?.(file) ?? readDisk(path.join(root, ...file.split('/').filter(Boolean))));
    return texts.get(file);
  };
}

function readDisk(abs: string): string | undefined {
  try {
    return existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

function findOverride(options: ReadMigrationsOptions, root: string, folder: string, files: string[]): FolderOverride | undefined {
  if (!options.overrides?.length) return undefined;
  const base = options.overridesRoot ?? root;
  const rel = (p: string) => {
    const r = path.relative(base, path.join(root, ...p.split('/').filter(Boolean))).split(path.sep).join('/');
    return r === '' ? '.' : r;
  };
  const candidates = [folder, ...files].map(rel);
  return options.overrides.find((o) => candidates.some((c) => matchesGlob(c, o.path)));
}

/** Every `.sql` file under `root`, skipping node_modules and dot-folders. */
export function listSqlFiles(root: string): string[] {
  return listFiles(root).sql;
}

/** The `.sql` files under `root`, and the folders holding a root changelog name (skipping node_modules and dot-folders). */
function listFiles(root: string): { sql: string[]; changelogDirs: string[] } {
  const found: string[] = [];
  const changelogDirs: string[] = [];
  const walk = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(path.join(dir, e.name), childRel);
      } else if (e.isFile() && e.name.toLowerCase().endsWith('.sql')) found.push(childRel);
      else if (e.isFile() && ROOT_CHANGELOGS.includes(e.name) && !changelogDirs.includes(rel)) changelogDirs.push(rel);
    }
  };
  walk(root, '');
  return { sql: found.sort(compareCodePoints), changelogDirs };
}

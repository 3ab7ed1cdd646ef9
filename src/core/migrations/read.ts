import { existsSync, readdirSync } from 'node:fs';
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
import { ROOT_CHANGELOGS, readLiquibase } from './liquibase';
import type { Migration, MigrationSet, RunnerId } from './migration';
import { readPlain } from './plain';
import { readPopx } from './popx';
import { readPrisma } from './prisma';
import { readSqitch, SQITCH_PLAN } from './sqitch';
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
 * migration folders (by path), each folder's runner detected (or forced) and its migrations
 * listed in that runner's order, with ups and downs apart.
 */
export function readMigrationSets(root: string, options: ReadMigrationsOptions = {}): MigrationSet[] {
  const files = options.files ?? listSqlFiles(root);
  const folders = new Map<string, string[]>();
  const folderOf = folderFinder(root);
  for (const f of files) {
    const folder = folderOf(f);
    const list = folders.get(folder) ?? [];
    list.push(folder ? f.slice(folder.length + 1) : f);
    folders.set(folder, list);
  }
  return [...folders.keys()].sort(compareCodePoints).map((rel) => {
    const folder = createFolder(root, rel, folders.get(rel)!, options.read);
    const override = findOverride(options, root, rel, folder.files.map(folder.path));
    const runner = override?.runner ?? detectRunner(folder);
    let migrations = READERS[runner](folder);
    if (override?.transactional !== undefined) {
      const mode = override.transactional ? 'per-migration' : 'none';
      migrations = migrations.map((m) => ({ ...m, transaction: mode, ...(m.down && { downTransaction: mode }) }));
    }
    return { runner, folder: rel, migrations };
  });
}

/** Every migration of the sets, in replay order. */
export function allMigrations(sets: MigrationSet[]): Migration[] {
  return sets.flatMap((s) => s.migrations);
}

/**
 * The migration folder a file belongs to: the topmost folder above it that holds a runner's
 * plan or journal (sqitch, drizzle, Liquibase), else the folder above a per-migration
 * folder (`<name>/migration.sql`, `<name>/up.sql`), else its own folder.
 */
export function folderFinder(root: string): (file: string) => string {
  const marked = new Map<string, boolean>();
  const isMarked = (dir: string): boolean => {
    let hit = marked.get(dir);
    if (hit === undefined) {
      const abs = path.join(root, ...dir.split('/').filter(Boolean));
      hit = [SQITCH_PLAN, DRIZZLE_JOURNAL, ...ROOT_CHANGELOGS].some((f) => existsSync(path.join(abs, ...f.split('/'))));
      marked.set(dir, hit);
    }
    return hit;
  };
  return (file) => {
    const dir = dirName(file);
    const parts = dir ? dir.split('/') : [];
    for (let i = 0; i <= parts.length; i++) {
      const candidate = parts.slice(0, i).join('/');
      if (isMarked(candidate)) return candidate;
    }
    if (['migration.sql', 'up.sql', 'down.sql'].includes(baseName(file)) && dir) return dirName(dir);
    return dir;
  };
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
  const found: string[] = [];
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
    }
  };
  walk(root, '');
  return found.sort(compareCodePoints);
}


import { globToRegExp } from '../glob';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Where the sandbox looks for migrations unless configured (pglens.sandbox.migrations): any
 * `migrations` folder, Flyway's default `db/migration`, drizzle-kit's default `drizzle/`.
 */
export const DEFAULT_MIGRATION_GLOBS = ['**/migrations/**/*.sql', 'prisma/migrations/*/migration.sql', '**/db/migration/*.sql', 'drizzle/*.sql'];

/**
 * Migration files under `root` matching any of `globs` (relative, `/`-separated, with `*`,
 * `**`, `?` and `{a,b}`), skipping node_modules and dot-directories. Absolute paths, by path
 * relative to `root`, compared by code point; the runner model (src/core/migrations) decides
 * which parts of them replay, and in what order.
 */
export async function findMigrationFiles(root: string, globs: string[] = DEFAULT_MIGRATION_GLOBS): Promise<string[]> {
  const matchers = globs.map(globToRegExp);
  const found: string[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (skippedDir(entry.name)) continue;
        await walk(path.join(dir, entry.name), childRel);
      } else if (entry.isFile() && matchers.some((m) => m.test(childRel))) {
        found.push(childRel);
      }
    }
  }
  await walk(root, '');
  found.sort(compareCodePoints);
  return found.map((rel) => path.join(root, ...rel.split('/')));
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Directories the sandbox never looks in for migrations. */
function skippedDir(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

/** Whether a file (relative to the workspace root, `/`-separated) is one findMigrationFiles would find. */
export function isMigrationFile(rel: string, globs: string[] = DEFAULT_MIGRATION_GLOBS): boolean {
  const parts = rel.split('/');
  if (parts.some((p) => p === '..') || parts.slice(0, -1).some(skippedDir)) return false;
  return globs.some((g) => globToRegExp(g).test(rel));
}

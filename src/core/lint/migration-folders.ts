import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Which files form a migration set with `file`: the `.sql` files of its folder when the
 * folder is a migrations folder (a `migrations` segment in its path), or Prisma's
 * `<migrations>/<name>/migration.sql` siblings. Otherwise the file stands alone. The CLI's
 * directory argument and the editor agree on this, so both see the same schema context.
 */
export function migrationSetFor(file: string): string[] | undefined {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const parent = path.dirname(dir);
  if (base === 'migration.sql' && /migrations$/i.test(parent)) {
    return listDirs(parent)
      .map((d) => path.join(parent, d, 'migration.sql'))
      .filter(isFile);
  }
  if (!dir.split(path.sep).some((seg) => /^migrations?$/i.test(seg))) return undefined;
  return listFiles(dir)
    .filter((f) => f.toLowerCase().endsWith('.sql'))
    .map((f) => path.join(dir, f));
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

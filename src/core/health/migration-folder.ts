import * as path from 'node:path';
import { folderFinder } from '../migrations/read';

/**
 * The folder new migrations go to, from the workspace's migration files (absolute): the
 * migration folder holding the most of them, on a tie the shallower path. A file counts for
 * the folder its runner works in (the runner model's folderFinder): the folder above
 * Prisma's `<timestamp>_<name>/migration.sql` and diesel's `<version>_<name>/up.sql`, the
 * folder of a sqitch plan (not its `deploy/`), of a drizzle journal or of a Liquibase root
 * changelog. Plans and changelogs are looked for up to the workspace folder holding the file
 * (`roots`; else the file system's root). Undefined when there are none.
 */
export function chooseMigrationFolder(files: string[], roots: string[] = []): string | undefined {
  const finders = new Map<string, (file: string) => string>();
  const counts = new Map<string, number>();
  for (const file of files) {
    const root = rootOf(file, roots);
    let finder = finders.get(root);
    if (!finder) finders.set(root, (finder = folderFinder(root)));
    const rel = finder(path.relative(root, file).split(path.sep).join('/'));
    const folder = path.join(root, ...rel.split('/').filter(Boolean));
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [folder, n] of counts) {
    const bestN = best === undefined ? -1 : (counts.get(best) ?? 0);
    if (n > bestN || (n === bestN && best !== undefined && folder.length < best.length)) best = folder;
  }
  return best;
}

/** The deepest of `roots` holding `file`, else the root of its file system. */
function rootOf(file: string, roots: string[]): string {
  const holding = roots.filter((r) => {
    const rel = path.relative(r, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
  return holding.sort((a, b) => b.length - a.length)[0] ?? path.parse(file).root;
}

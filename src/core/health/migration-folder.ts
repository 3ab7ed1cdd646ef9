import * as path from 'node:path';

/**
 * The folder new migrations go to, from the workspace's migration files: the folder holding
 * the most of them (Prisma's `<timestamp>_<name>/migration.sql` count for the folder above
 * the timestamped ones); on a tie, the shallower path. Undefined when there are none.
 */
export function chooseMigrationFolder(files: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const file of files) {
    const dir = path.dirname(file);
    const folder = path.basename(file) === 'migration.sql' && /^\d{14}_/.test(path.basename(dir)) ? path.dirname(dir) : dir;
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [folder, n] of counts) {
    const bestN = best === undefined ? -1 : (counts.get(best) ?? 0);
    if (n > bestN || (n === bestN && best !== undefined && folder.length < best.length)) best = folder;
  }
  return best;
}

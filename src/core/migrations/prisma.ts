import type { MigrationFolder } from './folder';
import { baseName, dirName } from './folder';
import { sliceOf, type Migration } from './migration';
import { statementCount } from './statements';

/**
 * Prisma Migrate: `<timestamp>_<name>/migration.sql`, by folder name. Prisma adds no BEGIN:
 * the file goes as one string, an implicit transaction when it holds several statements and
 * none when it holds one (so a lone CREATE INDEX CONCURRENTLY runs). No downs.
 */
export function readPrisma(folder: MigrationFolder): Migration[] {
  return folder.files
    .filter((f) => baseName(f) === 'migration.sql' && dirName(f) !== '')
    .map((f) => {
      const text = folder.read(f);
      return { id: baseName(dirName(f)), up: sliceOf(folder.path(f), text), transaction: statementCount(text) > 1 ? 'per-migration' : 'none' };
    });
}

import type { MigrationFolder } from './folder';
import { baseName, compareCodePoints, compareDigits } from './folder';
import type { Migration } from './migration';
import { sectionedMigration } from './sections';

export const SQL_MIGRATE_MARKER = /^--[^\S\r\n]*\+migrate[^\S\r\n]+(up|down)\b([^\r\n]*)/gim;

/**
 * sql-migrate: `-- +migrate Up` / `-- +migrate Down` (a file may hold several Up sections,
 * all one migration); one transaction per direction unless a marker of it says
 * `notransaction`. Ordered by the numeric prefix of the name, then by name, as sql-migrate does.
 */
export function readSqlMigrate(folder: MigrationFolder): Migration[] {
  const files = folder.files.filter((f) => /\.sql$/i.test(f));
  files.sort((a, b) => {
    const x = /^\d+/.exec(baseName(a))?.[0];
    const y = /^\d+/.exec(baseName(b))?.[0];
    return x && y && x !== y ? compareDigits(x, y) : compareCodePoints(baseName(a), baseName(b));
  });
  return files.map((f) => sectionedMigration(folder, f, SQL_MIGRATE_MARKER, /\bnotransaction\b/i));
}

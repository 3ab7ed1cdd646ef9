import type { MigrationFolder } from './folder';
import { baseName, compareDigits } from './folder';
import type { Migration } from './migration';
import { sectionedMigration } from './sections';

export const DBMATE_MARKER = /^--\s*migrate:(up|down)\b([^\n]*)$/gim;

/**
 * dbmate: `<version>_<name>.sql` with `-- migrate:up` / `-- migrate:down`, in version order;
 * each direction in one transaction unless its marker says `transaction:false` — and then
 * sent as one string (`Exec(up)`), so outside a transaction only when it holds one statement.
 */
export function readDbmate(folder: MigrationFolder): Migration[] {
  const files = folder.files.filter((f) => /^\d+.*\.sql$/i.test(baseName(f)));
  files.sort((a, b) => compareDigits(/^(\d+)/.exec(baseName(a))![1], /^(\d+)/.exec(baseName(b))![1]));
  return files.map((f) => sectionedMigration(folder, f, DBMATE_MARKER, /\btransaction:\s*false\b/i, true));
}

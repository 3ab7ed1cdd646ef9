import type { MigrationFolder } from './folder';
import { baseName, compareDigits } from './folder';
import type { Migration } from './migration';
import { splitSections } from './sections';

export const GOOSE_MARKER = /^--[^\S\r\n]*\+goose[^\S\r\n]+(up|down)\b([^\r\n]*)/gim;
const NO_TRANSACTION = /^--[^\S\r\n]*\+goose[^\S\r\n]+no[^\S\r\n]+transaction\b/im;

/**
 * goose: `<version>_<name>.sql` with `-- +goose Up` / `-- +goose Down` sections, in version
 * order; one transaction per file unless it says `-- +goose NO TRANSACTION` (both directions).
 */
export function readGoose(folder: MigrationFolder): Migration[] {
  const files = folder.files.filter((f) => /^\d+_.*\.sql$/i.test(baseName(f)));
  files.sort((a, b) => compareDigits(version(a), version(b)));
  return files.map((f) => {
    const text = folder.read(f);
    const { up, down } = splitSections(folder.path(f), text, GOOSE_MARKER);
    const transaction = NO_TRANSACTION.test(text) ? 'none' : 'per-migration';
    return { id: baseName(f).replace(/\.sql$/i, ''), up: up.part, down: down?.part, transaction, downTransaction: down && transaction };
  });
}

function version(file: string): string {
  return /^(\d+)/.exec(baseName(file))![1];
}

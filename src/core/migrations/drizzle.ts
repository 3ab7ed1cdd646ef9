import type { MigrationFolder } from './folder';
import { baseName, compareCodePoints, dirName } from './folder';
import { sliceOf, type Migration } from './migration';

export const DRIZZLE_JOURNAL = 'meta/_journal.json';

/**
 * drizzle-kit: `meta/_journal.json` lists the migrations that run, in order (a `.sql` file
 * it does not list never runs); without a journal, the `.sql` files by name. The migrator
 * runs all pending migrations in one transaction, statement by statement
 * (`--> statement-breakpoint` separates them). No downs.
 */
export function readDrizzle(folder: MigrationFolder): Migration[] {
  const sql = folder.files.filter((f) => dirName(f) === '' && f.toLowerCase().endsWith('.sql'));
  const tags = journalTags(folder.readOptional(DRIZZLE_JOURNAL));
  const ordered = tags ? tags.map((t) => `${t}.sql`).filter((f) => sql.includes(f)) : [...sql].sort(compareCodePoints);
  return ordered.map((f) => ({ id: baseName(f).replace(/\.sql$/i, ''), up: sliceOf(folder.path(f), folder.read(f)), transaction: 'all-pending' }));
}

function journalTags(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  try {
    const journal = JSON.parse(text) as { entries?: Array<{ idx?: number; tag?: unknown }> };
    if (!Array.isArray(journal.entries)) return undefined;
    return [...journal.entries]
      .sort((a, b) => (a.idx ?? 0) - (b.idx ?? 0))
      .map((e) => e.tag)
      .filter((t): t is string => typeof t === 'string');
  } catch {
    return undefined;
  }
}

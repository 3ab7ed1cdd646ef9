import type { MigrationFolder } from './folder';
import { sliceOf, type Migration } from './migration';

/**
 * Plain ordered `.sql` files (and the Supabase CLI's `supabase/migrations`): each file is one
 * migration, by path, in one transaction.
 */
export function readPlain(folder: MigrationFolder): Migration[] {
  return folder.files
    .filter((f) => f.toLowerCase().endsWith('.sql'))
    .map((f) => ({ id: f.replace(/\.sql$/i, ''), up: sliceOf(folder.path(f), folder.read(f)), transaction: 'per-migration' }));
}

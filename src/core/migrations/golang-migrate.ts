import type { MigrationFolder } from './folder';
import { baseName, compareDigits } from './folder';
import { sliceOf, type Migration } from './migration';
import { statementCount } from './statements';

export const GOLANG_MIGRATE_FILE = /^(\d+)_(.*)\.(up|down)\.sql$/i;

/**
 * golang-migrate: `<version>_<name>.up.sql` and `.down.sql`, by version. The postgres driver
 * sends a file as one Exec: one implicit transaction when it holds several statements, none
 * for a single one.
 */
export function readGolangMigrate(folder: MigrationFolder): Migration[] {
  const byVersion = new Map<string, { up?: string; down?: string }>();
  for (const f of folder.files) {
    const m = GOLANG_MIGRATE_FILE.exec(baseName(f));
    if (!m) continue;
    const entry = byVersion.get(m[1]) ?? {};
    entry[m[3].toLowerCase() as 'up' | 'down'] = f;
    byVersion.set(m[1], entry);
  }
  return [...byVersion.entries()]
    .filter(([, e]) => e.up)
    .sort(([a], [b]) => compareDigits(a, b))
    .map(([, e]) => {
      const upText = folder.read(e.up!);
      const downText = e.down === undefined ? undefined : folder.read(e.down);
      const mode = (text: string) => (statementCount(text) > 1 ? 'per-migration' : 'none') as 'per-migration' | 'none';
      return {
        id: baseName(e.up!).replace(/\.up\.sql$/i, ''),
        up: sliceOf(folder.path(e.up!), upText),
        down: downText === undefined ? undefined : sliceOf(folder.path(e.down!), downText),
        transaction: mode(upText),
        downTransaction: downText === undefined ? undefined : mode(downText),
      };
    });
}

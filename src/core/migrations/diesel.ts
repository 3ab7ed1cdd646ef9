import type { MigrationFolder } from './folder';
import { baseName, compareCodePoints, dirName, joinRel } from './folder';
import { sliceOf, type Migration } from './migration';

/**
 * diesel: `<version>_<name>/up.sql` and `down.sql`, by version (the name up to its first `_`,
 * dashes dropped, compared as text); each in one transaction unless the folder's
 * `metadata.toml` says `run_in_transaction = false`.
 */
export function readDiesel(folder: MigrationFolder): Migration[] {
  const dirs = [...new Set(folder.files.filter((f) => /^(up|down)\.sql$/.test(baseName(f)) && dirName(f) !== '').map(dirName))];
  const version = (dir: string) => baseName(dir).split('_')[0].replace(/-/g, '');
  dirs.sort((a, b) => compareCodePoints(version(a), version(b)) || compareCodePoints(a, b));
  const files = new Set(folder.files);
  return dirs
    .filter((d) => files.has(joinRel(d, 'up.sql')))
    .map((d) => {
      const metadata = folder.readOptional(joinRel(d, 'metadata.toml')) ?? '';
      const transaction = /^\s*run_in_transaction\s*=\s*false\b/m.test(metadata) ? 'none' : 'per-migration';
      const down = joinRel(d, 'down.sql');
      const hasDown = files.has(down);
      return {
        id: baseName(d),
        up: sliceOf(folder.path(joinRel(d, 'up.sql')), folder.read(joinRel(d, 'up.sql'))),
        down: hasDown ? sliceOf(folder.path(down), folder.read(down)) : undefined,
        transaction,
        downTransaction: hasDown ? transaction : undefined,
      };
    });
}

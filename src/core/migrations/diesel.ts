import { statementCount } from './statements';
import type { MigrationFolder } from './folder';
import { baseName, compareCodePoints, dirName, joinRel } from './folder';
import { sliceOf, type TransactionMode, type Migration } from './migration';

/**
 * diesel: `<version>_<name>/up.sql` and `down.sql`, by version (the name up to its first `_`,
 * dashes dropped, compared as text); each in one transaction unless the folder's
 * `metadata.toml` says `run_in_transaction = false` — and then sent as one string
 * (batch_execute), so outside a transaction only when it holds one statement.
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
      const optOut = /^\s*run_in_transaction\s*=\s*false\b/m.test(metadata);
      // diesel sends the file as one string (batch_execute): several statements are one implicit transaction.
      const mode = (text: string): TransactionMode => (optOut && statementCount(text) <= 1 ? 'none' : 'per-migration');
      const down = joinRel(d, 'down.sql');
      const hasDown = files.has(down);
      const upText = folder.read(joinRel(d, 'up.sql'));
      const downText = hasDown ? folder.read(down) : undefined;
      return {
        id: baseName(d),
        up: sliceOf(folder.path(joinRel(d, 'up.sql')), upText),
        down: downText === undefined ? undefined : sliceOf(folder.path(down), downText),
        transaction: mode(upText),
        downTransaction: downText === undefined ? undefined : mode(downText),
      };
    });
}

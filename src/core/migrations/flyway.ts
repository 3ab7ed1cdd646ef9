import type { MigrationFolder } from './folder';
import { baseName, compareCodePoints, compareDigits } from './folder';
import { sliceOf, type Migration, type TransactionMode } from './migration';
import { hasWord } from './statements';

/** `V<version>__<description>.sql`, `U<version>__…` (undo), `R__<description>.sql` (repeatable). */
export const FLYWAY_FILE = /^([VUR])(\d+(?:[._]\d+)*)?__(.+)\.sql$/;

/**
 * Flyway: versioned migrations by version (compared numerically, part by part), then the
 * repeatable ones by description; `U<version>__` is the undo of that version. One
 * transaction per migration unless its `<file>.conf` sets `executeInTransaction=false`, or it
 * holds a statement Flyway's PostgreSQL parser runs outside a transaction (CONCURRENTLY,
 * VACUUM…), which makes Flyway run the whole migration without one.
 */
export function readFlyway(folder: MigrationFolder): Migration[] {
  const versioned = new Map<string, { up?: string; down?: string; description: string }>();
  const repeatable: Array<{ file: string; description: string }> = [];
  for (const f of folder.files) {
    const m = FLYWAY_FILE.exec(baseName(f));
    if (!m) continue;
    if (m[1] === 'R') {
      if (!m[2]) repeatable.push({ file: f, description: m[3] });
      continue;
    }
    if (!m[2]) continue;
    const version = m[2].replace(/_/g, '.').split('.').map((p) => p.replace(/^0+(?=\d)/, '')).join('.');
    const entry = versioned.get(version) ?? { description: m[3] };
    if (m[1] === 'V') {
      entry.up = f;
      entry.description = m[3];
    } else entry.down = f;
    versioned.set(version, entry);
  }
  const migrations: Migration[] = [...versioned.entries()]
    .filter(([, e]) => e.up)
    .sort(([a], [b]) => compareVersions(a, b))
    .map(([version, e]) => ({
      id: `${version}__${e.description}`,
      up: sliceOf(folder.path(e.up!), folder.read(e.up!)),
      down: e.down === undefined ? undefined : sliceOf(folder.path(e.down), folder.read(e.down)),
      transaction: mode(folder, e.up!),
      downTransaction: e.down === undefined ? undefined : mode(folder, e.down),
    }));
  repeatable.sort((a, b) => compareCodePoints(a.description, b.description));
  for (const r of repeatable) migrations.push({ id: `R__${r.description}`, up: sliceOf(folder.path(r.file), folder.read(r.file)), transaction: mode(folder, r.file) });
  return migrations;
}

function compareVersions(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const c = compareDigits(x[i] ?? '0', y[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

function mode(folder: MigrationFolder, file: string): TransactionMode {
  const conf = folder.readOptional(`${file}.conf`);
  if (conf !== undefined && /^\s*(?:flyway\.)?executeInTransaction\s*=\s*false\b/im.test(conf)) return 'none';
  const text = folder.read(file);
  return hasWord(text, 'CONCURRENTLY') || hasWord(text, 'VACUUM') ? 'none' : 'per-migration';
}

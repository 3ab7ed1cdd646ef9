import type { MigrationFolder } from './folder';
import { baseName, compareDigits } from './folder';
import { sliceOf, type Migration } from './migration';

/** ory/x popx: `<version>_<name>[.<dialect>][.autocommit].(up|down).sql` (its match.go). */
export const POPX_FILE = /^(\d+)_([^.]+)(\.[a-z0-9]+)?(\.autocommit)?\.(up|down)\.sql$/;
const POSTGRES = new Set(['postgres', 'postgresql', 'pg']);

interface PopxFile {
  file: string;
  specific: boolean;
  autocommit: boolean;
}

/**
 * popx (Ory Kratos, Hydra, Keto): per version and direction, the postgres file, else the
 * dialect-less one; mysql, sqlite and cockroach files are skipped. One transaction per file
 * unless it is named `.autocommit.`.
 */
export function readPopx(folder: MigrationFolder): Migration[] {
  const byVersion = new Map<string, { name: string; up?: PopxFile; down?: PopxFile }>();
  for (const f of folder.files) {
    const m = POPX_FILE.exec(baseName(f));
    if (!m) continue;
    const autocommitAsDialect = m[3] === '.autocommit';
    const dialect = autocommitAsDialect || !m[3] ? undefined : m[3].slice(1);
    if (dialect && !POSTGRES.has(dialect)) continue;
    const entry = byVersion.get(m[1]) ?? { name: m[2] };
    const dir = m[5] as 'up' | 'down';
    const candidate = { file: f, specific: dialect !== undefined, autocommit: autocommitAsDialect || m[4] !== undefined };
    if (!entry[dir] || (candidate.specific && !entry[dir]!.specific)) entry[dir] = candidate;
    byVersion.set(m[1], entry);
  }
  return [...byVersion.entries()]
    .filter(([, e]) => e.up)
    .sort(([a], [b]) => compareDigits(a, b))
    .map(([version, e]) => ({
      id: `${version}_${e.name}`,
      up: sliceOf(folder.path(e.up!.file), folder.read(e.up!.file)),
      down: e.down && sliceOf(folder.path(e.down.file), folder.read(e.down.file)),
      transaction: e.up!.autocommit ? 'none' : 'per-migration',
      downTransaction: e.down && (e.down.autocommit ? 'none' : 'per-migration'),
    }));
}

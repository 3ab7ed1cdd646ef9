import { statementCount } from './statements';
import type { MigrationFolder } from './folder';
import { baseName } from './folder';
import { nextLineStart } from './lines';
import { blank, sliceOf, type Migration, type MigrationPart, type TransactionMode } from './migration';

/** One direction of a file that marks its sections with comment lines (goose, dbmate, sql-migrate). */
export interface Section {
  part: MigrationPart;
  /** What followed the direction on each of its marker lines (`notransaction`, `transaction:false`). */
  options: string[];
}

/**
 * Splits `text` at the marker lines `marker` matches (group 1: the direction, group 2: its
 * options). A direction's part runs from its first section to the end of its last; sections
 * of the other direction inside that span are blanked. Text before the first marker belongs
 * to neither; a file with a down only has an empty up. A file without any marker is all up (the runner would refuse it; replaying it
 * whole is what pglens did before it knew the runner).
 */
export function splitSections(file: string, text: string, marker: RegExp): { up: Section; down?: Section } {
  const spans: Array<{ dir: 'up' | 'down'; markerStart: number; start: number; end: number; options: string }> = [];
  const re = new RegExp(marker.source, marker.flags.includes('g') ? marker.flags : `${marker.flags}g`);
  for (const m of text.matchAll(re)) {
    const markerStart = m.index ?? 0;
    // The section starts on the line after its marker (`\r\n`, `\n` or a lone `\r` ends it).
    const start = nextLineStart(text, markerStart);
    if (spans.length) spans[spans.length - 1].end = markerStart;
    spans.push({ dir: m[1].toLowerCase() === 'up' ? 'up' : 'down', markerStart, start, end: text.length, options: (m[2] ?? '').trim() });
  }
  if (spans.length === 0) return { up: { part: sliceOf(file, text), options: [] } };
  const build = (dir: 'up' | 'down'): Section | undefined => {
    const mine = spans.filter((s) => s.dir === dir);
    if (mine.length === 0) return undefined;
    const from = mine[0].start;
    const to = mine[mine.length - 1].end;
    let body = text;
    // The other direction's sections inside the span, marker lines and all, become blanks.
    for (const s of spans) if (s.dir !== dir && s.markerStart < to && s.end > from) body = blank(body, s.markerStart, s.end);
    return { part: sliceOf(file, body, from, to), options: mine.map((s) => s.options) };
  };
  // Only a down: the up is empty, where the file starts.
  return { up: build('up') ?? { part: sliceOf(file, text, 0, 0), options: [] }, down: build('down') };
}

/**
 * One file of a runner whose markers carry a per-direction opt-out of the transaction
 * (dbmate `transaction:false`, sql-migrate `notransaction`): each direction runs in one
 * transaction unless one of its markers holds `optOut` — and, for a runner that sends the
 * part as one string (`oneString`: dbmate's `Exec(up)`), unless it holds several statements,
 * which Postgres runs as one implicit transaction.
 */
export function sectionedMigration(folder: MigrationFolder, file: string, marker: RegExp, optOut: RegExp, oneString = false): Migration {
  const { up, down } = splitSections(folder.path(file), folder.read(file), marker);
  // A runner sending the part as one string (dbmate) runs several statements as one implicit transaction.
  const mode = (options: string[], part: MigrationPart): TransactionMode =>
    options.some((o) => optOut.test(o)) && (!oneString || statementCount(part.text) <= 1) ? 'none' : 'per-migration';
  return {
    id: baseName(file).replace(/\.sql$/i, ''),
    up: up.part,
    down: down?.part,
    transaction: mode(up.options, up.part),
    downTransaction: down && mode(down.options, down.part),
  };
}

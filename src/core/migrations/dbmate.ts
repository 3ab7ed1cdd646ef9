import type { MigrationFolder } from './folder';
import { baseName, compareDigits } from './folder';
import { lineEnd, nextLineStart } from './lines';
import { sliceOf, type Migration, type MigrationPart, type TransactionMode } from './migration';
import { sectionedMigration } from './sections';
import { statementCount } from './statements';

/** A dbmate directive line (for detection): `-- migrate:up` / `-- migrate:down`, case as dbmate spells it. */
export const DBMATE_MARKER = /^--[^\S\r\n]*migrate:(up|down)(?=\s|$)([^\r\n]*)/gm;
const UP = /^--[^\S\r\n]*migrate:up(?=\s|$)/gm;
const DOWN = /^--[^\S\r\n]*migrate:down(?=\s|$)/gm;

/**
 * dbmate: `<version>_<name>.sql` with `-- migrate:up` / `-- migrate:down`, in version order;
 * each direction in one transaction unless its directive line says `transaction:false` — and
 * then sent as one string (`Exec(up)`), so outside a transaction only when it holds one
 * statement.
 *
 * Each `-- migrate:up` starts a section of its own (dbmate's `getMigrationSectionSubstrings`,
 * amacneil/dbmate#620): the section's up runs to its first `-- migrate:down` (found with
 * `FindStringIndex`), its down from there to the next section, each with the options of its
 * own directive line only (the block's first line), each executed on its own. A file's later
 * sections are migrations `<id>#2`, `<id>#3`… (dbmate records them under the file's one
 * version; amacneil/dbmate#820: recording it again fails the later sections on PostgreSQL).
 * Before multi-section files, a later `-- migrate:up` was text of the first down: either way
 * it never changes the first up's transaction.
 */
export function readDbmate(folder: MigrationFolder): Migration[] {
  const files = folder.files.filter((f) => /^\d+.*\.sql$/i.test(baseName(f)));
  files.sort((a, b) => compareDigits(/^(\d+)/.exec(baseName(a))![1], /^(\d+)/.exec(baseName(b))![1]));
  return files.flatMap((f) => dbmateSections(folder, f));
}

function dbmateSections(folder: MigrationFolder, file: string): Migration[] {
  const text = folder.read(file);
  const ups = [...text.matchAll(UP)].map((m) => m.index!);
  // No up directive: dbmate refuses the file; read it as pglens always did (all up, or a down only).
  if (ups.length === 0) return [sectionedMigration(folder, file, DBMATE_MARKER, /(?:^|\s)transaction:false(?=\s|$)/, true)];
  const id = baseName(file).replace(/\.sql$/i, '');
  const where = folder.path(file);
  return ups.map((at, i) => {
    const end = i + 1 < ups.length ? ups[i + 1] : text.length;
    DOWN.lastIndex = at;
    const found = DOWN.exec(text);
    const downAt = found && found.index < end ? found.index : undefined;
    const upEnd = downAt ?? end;
    const up = sliceOf(where, text, Math.min(nextLineStart(text, at), upEnd), upEnd);
    const down = downAt === undefined ? undefined : sliceOf(where, text, Math.min(nextLineStart(text, downAt), end), end);
    return {
      id: i === 0 ? id : `${id}#${i + 1}`,
      up,
      down,
      transaction: mode(text, at, up),
      downTransaction: down && mode(text, downAt!, down),
    } satisfies Migration;
  });
}

/**
 * dbmate's `parseMigrationOptions`: the directive line after `-- migrate:up|down`, split on
 * whitespace into `key:value` pairs; `transaction:false` (exactly) opts out. A part sent as one
 * string runs its statements as one implicit transaction when it holds several.
 */
function mode(text: string, directive: number, part: MigrationPart): TransactionMode {
  const line = text.slice(directive, lineEnd(text, directive)).replace(/^--\s*migrate:(?:up|down)/, '').trim();
  const options = new Map<string, string>();
  for (const pair of line ? line.split(/\s+/) : []) {
    const kv = pair.split(':');
    if (kv.length === 2) options.set(kv[0], kv[1]);
  }
  return options.get('transaction') === 'false' && statementCount(part.text) <= 1 ? 'none' : 'per-migration';
}

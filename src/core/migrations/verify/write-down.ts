import { baseName, dirName } from '../folder';
import type { Migration, MigrationSet, RunnerId } from '../migration';
import { renderDown, type GeneratedDown } from './generate-down';

/**
 * Placing a generated down where the migration's runner reads it (issue #15): a section of the
 * same file (goose, dbmate, sql-migrate), a file beside it (golang-migrate, popx, diesel,
 * Flyway's undo script, sqitch's revert script), `--rollback` lines in a Liquibase formatted SQL
 * changeset; for runners without downs, a `down.sql` to run by hand beside a Prisma migration,
 * or nothing. Pure: the edits are returned, the CLI writes them.
 */

/** One change to a file, its path as the migration names it (relative to the folder read, '/'-separated). */
export type FileEdit =
  | { kind: 'create'; file: string; text: string }
  /** Insert `text` at `offset` of the file, which had `length` characters when the edit was made. */
  | { kind: 'insert'; file: string; offset: number; length: number; text: string };

export interface DownPlacement {
  runner: RunnerId;
  /** The edits that put the down in place; none when the runner has no place for it. */
  edits: FileEdit[];
  /** Where it goes, in words: "a `-- +goose Down` section at the end of db/00002_x.sql" (paths as `show` gives them). */
  where: string;
  /** What goes in: the section, or the whole new file. */
  text: string;
  /** For a runner without downs (or a changeset pglens cannot edit): what to do with the SQL instead. */
  note?: string;
}

export interface WriteDownOptions {
  /** The text of a file (path as the migration names it); undefined when it does not exist. */
  read(file: string): string | undefined;
  /** Comment lines above the statements (without `-- `): who generated it, from what. */
  header?: string[];
  /**
   * How `where` and `note` name a file (its path as the migration names it): default as is.
   * The CLI gives paths from the current folder, so what it prints is where the file is.
   */
  show?(file: string): string;
}

/** What each runner's down looks like, for messages. */
const NO_DOWNS: Partial<Record<RunnerId, string>> = {
  'drizzle-kit': 'drizzle-kit runs no down migrations',
  supabase: 'the Supabase CLI runs no down migrations',
  plain: 'plain SQL files have no down migrations',
};

/**
 * The edits that give `migration` (of `set`) the generated down, in its runner's format.
 * Throws when the migration already has a down: pglens does not replace one.
 */
export function writeDown(set: MigrationSet, migration: Migration, down: GeneratedDown, options: WriteDownOptions): DownPlacement {
  if (migration.down) throw new Error(`${migration.id} already has a down (${migration.down.file}:${migration.down.line + 1}); pglens does not replace it`);
  const runner = set.runner;
  const upFile = migration.up.file;
  const show = options.show ?? ((f: string) => f);
  const header = (options.header ?? []).map((l) => `-- ${l}`.trimEnd());
  const body = (wrap?: (s: string) => string) => [...header, renderDown(down.statements, wrap).trimEnd()].join('\n') + '\n';
  const create = (file: string, text: string, where: string, note?: string): DownPlacement => {
    if (options.read(file) !== undefined) throw new Error(`${file} exists already; pglens does not overwrite it`);
    return { runner, edits: [{ kind: 'create', file, text }], where, text, ...(note && { note }) };
  };

  switch (runner) {
    case 'goose':
    case 'sql-migrate': {
      const tool = runner === 'goose' ? '+goose' : '+migrate';
      const wrap = (s: string) => (needsStatementBlock(s) ? `-- ${tool} StatementBegin\n${s}\n-- ${tool} StatementEnd` : s);
      const section = `-- ${tool} Down\n${body(wrap)}`;
      return append(runner, upFile, options, section, `a \`-- ${tool} Down\` section at the end of ${show(upFile)}`);
    }
    case 'dbmate': {
      const text = options.read(upFile) ?? '';
      const end = migration.up.offset + migration.up.text.length;
      const eol = lineEnding(text);
      let section = `${leadFor(text.slice(0, end), eol)}-- migrate:down\n${body()}`;
      // Another section follows: a blank line before it.
      if (end < text.length) section += '\n';
      section = withEol(section, eol);
      return {
        runner,
        edits: [{ kind: 'insert', file: upFile, offset: end, length: text.length, text: section }],
        where: `a \`-- migrate:down\` section after the up of ${migration.id} in ${show(upFile)}`,
        text: section.replace(/^(\r?\n)+/, ''),
      };
    }
    case 'golang-migrate':
    case 'popx': {
      const file = upFile.replace(/\.up\.sql$/i, (m) => (m === m.toUpperCase() ? '.DOWN.SQL' : '.down.sql'));
      return create(file, body(), `a new file ${show(file)} beside ${show(upFile)}`);
    }
    case 'diesel': {
      const file = `${dirName(upFile) ? `${dirName(upFile)}/` : ''}down.sql`;
      return create(file, body(), `a new file ${show(file)} beside ${show(upFile)}`);
    }
    case 'flyway': {
      const file = `${dirName(upFile) ? `${dirName(upFile)}/` : ''}${baseName(upFile).replace(/^V/, 'U')}`;
      return create(file, body(), `the undo script ${show(file)} beside ${show(upFile)}`, 'Flyway runs undo scripts with `flyway undo` (Flyway Teams / Enterprise); Community edition ignores them.');
    }
    case 'sqitch': {
      const file = revertPath(upFile);
      if (!file) return none(runner, down, header, `${show(upFile)} is not under a deploy/ folder: put the revert script in revert/ by hand`);
      const text = [`-- Revert ${migration.id} from pg`, ...header, '', 'BEGIN;', '', renderDown(down.statements).trimEnd(), '', 'COMMIT;', ''].join('\n');
      return create(file, text, `the revert script ${show(file)}`);
    }
    case 'liquibase': {
      const text = options.read(upFile);
      if (text === undefined || !/\.sql$/i.test(upFile) || !/^\s*--\s*liquibase\s*formatted/i.test(text)) {
        return none(runner, down, header, `${migration.id} is not a changeset of a formatted SQL file: add a rollback to its changeSet in the changelog by hand`);
      }
      const eol = lineEnding(text);
      const end = migration.up.offset + migration.up.text.replace(/\s+$/, '').length;
      const lines = body()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => `--rollback ${l}`);
      const insert = withEol(`\n${lines.join('\n')}`, eol);
      return {
        runner,
        edits: [{ kind: 'insert', file: upFile, offset: end, length: text.length, text: insert }],
        where: `\`--rollback\` lines at the end of changeset ${migration.id} in ${show(upFile)}`,
        text: `${lines.join('\n')}\n`,
      };
    }
    case 'prisma': {
      const file = `${dirName(upFile) ? `${dirName(upFile)}/` : ''}down.sql`;
      return create(
        file,
        body(),
        `a new file ${show(file)} beside ${show(upFile)}`,
        `Prisma Migrate runs no downs: to roll back, run \`prisma db execute --file ${show(file)} --schema prisma/schema.prisma\`, then \`prisma migrate resolve --rolled-back ${migration.id}\`.`,
      );
    }
    default:
      return none(runner, down, header, `${NO_DOWNS[runner] ?? `${runner} runs no down migrations`}: keep this SQL as a script to run by hand (psql -f)`);
  }
}

function none(runner: RunnerId, down: GeneratedDown, header: string[], note: string): DownPlacement {
  return { runner, edits: [], where: 'nowhere the runner reads', text: [...header, renderDown(down.statements).trimEnd()].join('\n') + '\n', note };
}

/** A section appended at the end of the up's file, a blank line before it. */
function append(runner: RunnerId, file: string, options: WriteDownOptions, section: string, where: string): DownPlacement {
  const text = options.read(file) ?? '';
  const eol = lineEnding(text);
  const insert = withEol(leadFor(text, eol) + section, eol);
  return { runner, edits: [{ kind: 'insert', file, offset: text.length, length: text.length, text: insert }], where, text: section };
}

/** A statement goose / sql-migrate would split wrongly: a semicolon or a dollar quote inside. */
function needsStatementBlock(statement: string): boolean {
  const body = statement.replace(/;\s*$/, '');
  return body.includes(';') || /\$[A-Za-z_]*\$/.test(body);
}

/** What goes before a new section after `before`: nothing after a blank line, else enough line ends to make one. */
function leadFor(before: string, eol: string): string {
  if (before === '' || /(\r?\n|\r)[^\S\r\n]*(\r?\n|\r)$/.test(before)) return '';
  return /(\r?\n|\r)$/.test(before) ? eol : eol + eol;
}

function lineEnding(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function withEol(text: string, eol: string): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, eol);
}

/** `…/deploy/<change>.sql` → `…/revert/<change>.sql`. */
function revertPath(deploy: string): string | undefined {
  const m = /^(.*?)(^|\/)deploy\/(?!.*\/deploy\/)(.*)$/.exec(deploy);
  return m ? `${m[1]}${m[2]}revert/${m[3]}` : undefined;
}

/**
 * The files' new texts once `edits` are made (`read` gives the current ones). Throws when a
 * file to insert into changed since the edit was made, or one to create exists.
 */
export function applyEdits(edits: FileEdit[], read: (file: string) => string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const inserts = edits.filter((e): e is Extract<FileEdit, { kind: 'insert' }> => e.kind === 'insert').sort((a, b) => b.offset - a.offset);
  for (const e of edits) {
    if (e.kind !== 'create') continue;
    if (read(e.file) !== undefined || out.has(e.file)) throw new Error(`${e.file} exists already`);
    out.set(e.file, e.text);
  }
  for (const e of inserts) {
    const text = out.get(e.file) ?? read(e.file);
    if (text === undefined) throw new Error(`${e.file} does not exist`);
    if (!out.has(e.file) && text.length !== e.length) throw new Error(`${e.file} changed since the down was generated`);
    out.set(e.file, text.slice(0, e.offset) + e.text + text.slice(e.offset));
  }
  return out;
}

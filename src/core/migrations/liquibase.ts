import type { MigrationFolder } from './folder';
import { compareCodePoints, dirName, joinRel } from './folder';
import { sliceOf, type Migration } from './migration';

export const LIQUIBASE_HEADER = /^\s*--\s*liquibase\s+formatted\s+sql\b/i;
const CHANGESET = /^--\s*changeset\s+([^:\s]+):(\S+)([^\n]*)$/gim;
const ROLLBACK = /^--\s*rollback\b ?/i;
/** Root changelogs, in the order Liquibase projects usually name them. */
export const ROOT_CHANGELOGS = ['changelog.yml', 'changelog.yaml', 'db.changelog-master.yaml', 'db.changelog-master.yml', 'changelog.xml', 'db.changelog-master.xml'];

/**
 * Liquibase formatted SQL: the files the root changelog includes (`include`, `includeAll`),
 * in its order, each split into `--changeset author:id` changesets — one transaction each
 * unless `runInTransaction:false`; `--rollback` lines are the down. One-line `sql:` changes of
 * YAML changeSets are migrations too. Without a root changelog: every formatted SQL file, by path.
 */
export function readLiquibase(folder: MigrationFolder): Migration[] {
  const root = rootChangelog(folder);
  const migrations: Migration[] = [];
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = folder.readOptional(file);
    if (text === undefined) return;
    if (/\.(ya?ml|xml)$/i.test(file)) {
      for (const item of changelogItems(folder, file, text)) {
        if (item.kind === 'file') visit(item.file);
        else migrations.push(item.migration);
      }
    } else if (file.toLowerCase().endsWith('.sql')) migrations.push(...changesets(folder.path(file), text));
  };
  if (root) visit(root);
  else for (const f of folder.files.filter((f) => LIQUIBASE_HEADER.test(folder.read(f)))) visit(f);
  return migrations;
}

/** The changesets of one formatted SQL file; those for another DBMS only are left out. */
export function changesets(file: string, text: string): Migration[] {
  const heads = [...text.matchAll(CHANGESET)];
  return heads.flatMap((m, i) => {
    const attributes = m[3];
    const dbms = /\bdbms:(\S+)/i.exec(attributes)?.[1].toLowerCase().split(',');
    if (dbms && !dbms.some((d) => d === 'postgresql' || d === 'all') ) return [];
    if (dbms?.includes('!postgresql')) return [];
    const lineEnd = text.indexOf('\n', m.index!);
    const start = lineEnd < 0 ? text.length : lineEnd + 1;
    const end = i + 1 < heads.length ? heads[i + 1].index! : text.length;
    // Per line of the changeset: a `--rollback` line goes to the down (its SQL is the comment's
    // text: the prefix is blanked), any other line to the up; each side blanks the other's.
    const up: string[] = [];
    const down: string[] = [];
    let first = -1;
    let last = -1;
    for (let at = start; at < end; ) {
      const nl = text.indexOf('\n', at);
      const stop = nl < 0 || nl >= end ? end : nl + 1;
      const line = text.slice(at, stop);
      const r = ROLLBACK.exec(line);
      if (r) {
        up.push(spaces(line));
        down.push(spaces(line.slice(0, r[0].length)) + line.slice(r[0].length));
        if (first < 0) first = at;
        last = stop;
      } else {
        up.push(line);
        down.push(spaces(line));
      }
      at = stop;
    }
    const downText = first < 0 ? '' : down.join('').slice(first - start, last - start);
    const transaction = /\brunInTransaction:\s*false\b/i.test(attributes) ? 'none' : 'per-migration';
    return [{
      id: `${m[1]}:${m[2]}`,
      up: sliceOf(file, text, start, end, up.join('')),
      down: first < 0 ? undefined : sliceOf(file, text, first, last, downText),
      transaction,
      downTransaction: first < 0 ? undefined : transaction,
    } satisfies Migration];
  });
}

function spaces(line: string): string {
  return line.replace(/[^\n]/g, ' ');
}

type ChangelogItem = { kind: 'file'; file: string } | { kind: 'migration'; migration: Migration };

/**
 * The entries of a YAML or XML changelog, in order. A small reader for the shapes changelogs
 * use (`- include: file:`, `- includeAll: path:`, `<include file=…/>`, one-line `- sql:`
 * changes), not a YAML parser.
 */
function changelogItems(folder: MigrationFolder, file: string, text: string): ChangelogItem[] {
  const here = dirName(file);
  const resolve = (p: string, relative: boolean) => joinRel(relative ? here : '', p);
  const items: ChangelogItem[] = [];
  if (file.toLowerCase().endsWith('.xml')) {
    for (const m of text.matchAll(/<include(All)?\b([^>]*)>/g)) {
      const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`).exec(m[2])?.[1];
      const relative = attr('relativeToChangelogFile') === 'true';
      if (m[1]) items.push(...includeAll(folder, resolve(attr('path') ?? '', relative), {}));
      else if (attr('file')) items.push({ kind: 'file', file: resolve(attr('file')!, relative) });
    }
    return items;
  }
  const starts = [...text.matchAll(/^[ \t]{0,4}- (?=(?:include|includeAll|changeSet):)/gm)].map((m) => m.index! + m[0].length);
  for (const [i, entryStart] of starts.entries()) {
    const entry = text.slice(entryStart, i + 1 < starts.length ? starts[i + 1] : text.length);
    const value = (key: string) => new RegExp(`^\\s*${key}:\\s*(.+?)\\s*$`, 'm').exec(entry)?.[1].replace(/^['"]|['"]$/g, '');
    const relative = value('relativeToChangelogFile') === 'true';
    if (entry.startsWith('includeAll:')) {
      items.push(...includeAll(folder, resolve(value('path') ?? '', relative), {
        endsWith: value('endsWithFilter'),
        minDepth: Number(value('minDepth') ?? 1),
        maxDepth: Number(value('maxDepth') ?? Infinity),
        reverse: /reverseOrder/.test(value('resourceComparator') ?? ''),
      }));
    } else if (entry.startsWith('include:')) {
      const f = value('file');
      if (f) items.push({ kind: 'file', file: resolve(f, relative) });
    } else {
      const id = `${value('author') ?? ''}:${value('id') ?? ''}`;
      const transaction = value('runInTransaction') === 'false' ? 'none' : 'per-migration';
      let n = 0;
      for (const m of entry.matchAll(/^\s*(?:- )?sql:[ \t]*(?:\n\s*sql:[ \t]*)?([^|>\s\n][^\n]*)$/gm)) {
        const at = entryStart + m.index! + m[0].length - m[1].length;
        items.push({ kind: 'migration', migration: { id: `${id}#${++n}`, up: sliceOf(folder.path(file), text, at, at + m[1].trimEnd().length), transaction } });
      }
    }
  }
  return items;
}

function includeAll(
  folder: MigrationFolder,
  dir: string,
  options: { endsWith?: string; minDepth?: number; maxDepth?: number; reverse?: boolean },
): ChangelogItem[] {
  const prefix = dir ? `${dir}/` : '';
  const depthOf = (f: string) => f.slice(prefix.length).split('/').length;
  const files = folder.files
    .filter((f) => f.startsWith(prefix) && f.toLowerCase().endsWith('.sql'))
    .filter((f) => !options.endsWith || f.endsWith(options.endsWith))
    .filter((f) => depthOf(f) >= (options.minDepth ?? 1) && depthOf(f) <= (options.maxDepth ?? Infinity))
    .sort(compareCodePoints);
  if (options.reverse) files.reverse();
  return files.map((file) => ({ kind: 'file', file }));
}

/** The changelog Liquibase starts from in this folder, if it has one. */
export function rootChangelog(folder: Pick<MigrationFolder, 'readOptional'>): string | undefined {
  return ROOT_CHANGELOGS.find((f) => folder.readOptional(f) !== undefined);
}

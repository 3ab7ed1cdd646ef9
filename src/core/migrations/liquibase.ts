import type { MigrationFolder } from './folder';
import { compareCodePoints, dirName, joinRel } from './folder';
import { lineEnd, linesOf, nextLineStart, type LineSpan } from './lines';
import { sliceOf, type Migration, type MigrationPart, type TransactionMode } from './migration';

export const LIQUIBASE_HEADER = /^\s*--\s*liquibase\s+formatted\s+sql\b/i;
/** `--changeset author:id attributes…` on one line (Liquibase's CHANGE_SET_REGEX: the author may hold spaces). */
const CHANGESET = /^\s*--\s*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+)(.*)$/i;
/** `--rollback <sql>` (Liquibase's ROLLBACK_REGEX wants the space). */
const ROLLBACK = /^\s*--\s*rollback /i;
/** `/* liquibase rollback` … `*\/`: a multi-line rollback. */
const ROLLBACK_BLOCK_START = /^\s*\/\*\s*liquibase\s*rollback\s*$/i;
const ROLLBACK_BLOCK_END = /\*\/\s*$/;
/** `--ignoreLines:start` … `--ignoreLines:end`, or `--ignoreLines:<count>`: lines Liquibase skips. */
const IGNORE_LINES = /^--\s*ignoreLines:(\w+)\s*$/i;
/** What Liquibase's formatted SQL parser wants on the first non-blank line. */
const FORMATTED_FIRST_LINE = /^\s*--\s*liquibase\s*formatted/i;
/** Root changelogs, in the order Liquibase projects usually name them. */
export const ROOT_CHANGELOGS = [
  'changelog.yml',
  'changelog.yaml',
  'db.changelog-master.yaml',
  'db.changelog-master.yml',
  'changelog.xml',
  'db.changelog-master.xml',
  'changelog.json',
  'db.changelog-master.json',
];

/**
 * Whether a changelog file really is one: YAML or JSON with a top-level `databaseChangeLog`
 * key, XML whose root element is `<databaseChangeLog>`. A `changelog.yml` of release notes
 * is not Liquibase's.
 */
export function isLiquibaseChangelog(file: string, text: string): boolean {
  if (/\.xml$/i.test(file)) {
    // The root element: after the prolog, comments, processing instructions and the doctype.
    const body = text.replace(/^\uFEFF/, '').replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>/gi, '').trimStart();
    return /^<(?:[\w.-]+:)?databaseChangeLog\b/.test(body);
  }
  const json = jsonChangelog(text);
  if (json) return true;
  // YAML: the key at column 0 (quoted or not), or a flow mapping opening with it.
  return /^(?:["']?databaseChangeLog["']?[^\S\r\n]*:|\{\s*["']?databaseChangeLog["']?\s*:)/m.test(text.replace(/^\uFEFF/, ''));
}

/** The changelog Liquibase starts from in this folder, if it has one that really is a changelog. */
export function rootChangelog(folder: Pick<MigrationFolder, 'readOptional'>): string | undefined {
  return ROOT_CHANGELOGS.find((f) => {
    const text = folder.readOptional(f);
    return text !== undefined && isLiquibaseChangelog(f, text);
  });
}

/**
 * Liquibase formatted SQL: the files the root changelog includes (`include`, `includeAll`,
 * `sqlFile`), in its order, each split into `--changeset author:id` changesets — one
 * transaction each unless `runInTransaction:false`; `--rollback` lines are the down. An
 * included .sql file that is not formatted SQL is one raw changeset, as a `sqlFile` is. `sql:`
 * changes of YAML changeSets are migrations too. Without a root changelog: every formatted
 * SQL file, by path.
 */
export function readLiquibase(folder: MigrationFolder): Migration[] {
  return walkLiquibase(folder).migrations;
}

/**
 * The files of the folder (relative to it) that the root changelog reaches: formatted SQL and
 * `sqlFile`s it runs, and the changelogs in between. Undefined without a root changelog.
 */
export function liquibaseReach(folder: MigrationFolder): Set<string> | undefined {
  return rootChangelog(folder) === undefined ? undefined : walkLiquibase(folder).visited;
}

function walkLiquibase(folder: MigrationFolder): { migrations: Migration[]; visited: Set<string> } {
  const root = rootChangelog(folder);
  const migrations: Migration[] = [];
  const visited = new Set<string>();
  const visit = (file: string): void => {
    if (visited.has(file)) return;
    const text = folder.readOptional(file);
    if (text === undefined) return;
    visited.add(file);
    if (/\.(ya?ml|xml|json)$/i.test(file)) {
      for (const item of changelogItems(folder, file, text)) {
        if (item.kind === 'file') visit(item.file);
        else if (item.kind === 'raw') {
          if (!visited.has(item.file) && folder.readOptional(item.file) !== undefined) {
            visited.add(item.file);
            const raw = folder.read(item.file);
            migrations.push({ id: item.id, up: sliceOf(folder.path(item.file), raw), transaction: item.transaction });
          }
        } else migrations.push(item.migration);
      }
    } else if (file.toLowerCase().endsWith('.sql')) {
      // Liquibase's SqlChangeLogParser: a .sql file that is not formatted SQL is one raw changeset, in a transaction.
      if (FORMATTED_FIRST_LINE.test(text)) migrations.push(...changesets(folder.path(file), text));
      else if (text.trim()) migrations.push({ id: `includeAll:raw@${file}`, up: sliceOf(folder.path(file), text), transaction: 'per-migration' });
    }
  };
  if (root) visit(root);
  else for (const f of folder.files.filter((f) => LIQUIBASE_HEADER.test(folder.read(f)))) visit(f);
  return { migrations, visited };
}

/** The changesets of one formatted SQL file; those for another DBMS only are left out. */
export function changesets(file: string, text: string): Migration[] {
  const lines = [...linesOf(text)];
  const heads: Array<{ line: number; m: RegExpExecArray }> = [];
  lines.forEach((l, i) => {
    const m = CHANGESET.exec(text.slice(l.start, l.end));
    if (m) heads.push({ line: i, m });
  });
  return heads.flatMap(({ line, m }, h) => {
    const attributes = m[3];
    if (excludedDbms(/\bdbms:(\S+)/i.exec(attributes)?.[1])) return [];
    const body = lines.slice(line + 1, h + 1 < heads.length ? heads[h + 1].line : lines.length);
    const start = lines[line].next;
    const { up, down, rollback } = splitChangeset(file, text, body, line + 1, start);
    const transaction = /\brunInTransaction:\s*false\b/i.test(attributes) ? 'none' : 'per-migration';
    const id = `${unquote(m[1])}:${unquote(m[2])}`;
    // Liquibase's handleRollbackSequence: `not required…` / `empty…` (the whole rollback, one
    // line) is an empty change, `changesetId:…` reuses another changeset's changes; neither is SQL.
    const trimmed = rollback.trim().toLowerCase();
    const sqlDown = down && !/^(?:not required|empty)[^\r\n\u0085\u2028\u2029]*$/.test(trimmed) && !trimmed.includes('changesetid');
    return [{
      id,
      up: { file, text: up, offset: start, line: line + 1, character: 0 },
      down: sqlDown ? down : undefined,
      transaction,
      downTransaction: sqlDown ? transaction : undefined,
    } satisfies Migration];
  });
}

/**
 * Per line of a changeset: `--rollback` lines (and `/* liquibase rollback … *\/` blocks) go to
 * the down (the SQL after the prefix), lines `--ignoreLines` skips to neither, any other line
 * to the up; each side blanks what is not its own, line ends kept.
 */
function splitChangeset(file: string, text: string, body: LineSpan[], firstLine: number, start: number): { up: string; down?: MigrationPart; rollback: string } {
  const up: string[] = [];
  const down: string[] = [];
  const rollback: string[] = [];
  let first = -1;
  let firstIndex = -1;
  let last = -1;
  let i = 0;
  const toDown = (l: LineSpan, from: number, to = l.end): void => {
    up.push(spaces(text.slice(l.start, l.next)));
    down.push(spaces(text.slice(l.start, from)) + text.slice(from, to) + spaces(text.slice(to, l.next)));
    rollback.push(text.slice(from, to));
    if (first < 0) {
      first = l.start;
      firstIndex = i;
    }
    last = l.next;
  };
  const toNeither = (l: LineSpan): void => {
    up.push(spaces(text.slice(l.start, l.next)));
    down.push(spaces(text.slice(l.start, l.next)));
  };
  for (; i < body.length; i++) {
    const l = body[i];
    const content = text.slice(l.start, l.end);
    const r = ROLLBACK.exec(content);
    const ignore = IGNORE_LINES.exec(content);
    if (r) toDown(l, l.start + r[0].length);
    else if (ROLLBACK_BLOCK_START.test(content)) {
      toNeither(l);
      for (i++; i < body.length; i++) {
        const b = body[i];
        const closing = ROLLBACK_BLOCK_END.exec(text.slice(b.start, b.end));
        if (closing) {
          toDown(b, b.start, b.start + closing.index);
          break;
        }
        toDown(b, b.start);
      }
    } else if (ignore && /^start$/i.test(ignore[1])) {
      toNeither(l);
      for (i++; i < body.length; i++) {
        toNeither(body[i]);
        if (/^end$/i.test(IGNORE_LINES.exec(text.slice(body[i].start, body[i].end))?.[1] ?? '')) break;
      }
    } else if (ignore && /^\d+$/.test(ignore[1])) {
      toNeither(l);
      for (let n = Number(ignore[1]); n > 0 && i + 1 < body.length; n--) toNeither(body[++i]);
    } else {
      up.push(text.slice(l.start, l.next));
      down.push(spaces(text.slice(l.start, l.next)));
    }
  }
  return {
    up: up.join(''),
    down: first < 0 ? undefined : { file, text: down.join('').slice(first - start, last - start), offset: first, line: firstLine + firstIndex, character: 0 },
    rollback: rollback.join('\n'),
  };
}

function spaces(line: string): string {
  return line.replace(/[^\r\n]/g, ' ');
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

type ChangelogItem =
  | { kind: 'file'; file: string }
  | { kind: 'raw'; file: string; id: string; transaction: TransactionMode }
  | { kind: 'migration'; migration: Migration };

interface IncludeAllOptions {
  endsWith?: string;
  minDepth?: number;
  maxDepth?: number;
  reverse?: boolean;
}

/**
 * The entries of a YAML, JSON or XML changelog, in order. A small reader for the shapes
 * changelogs use (`include`, `includeAll`, `sqlFile`, YAML `sql:` changes), not a full
 * YAML or XML parser.
 */
function changelogItems(folder: MigrationFolder, file: string, text: string): ChangelogItem[] {
  const here = dirName(file);
  const resolve = (p: string, relative: boolean) => joinRel(relative ? here : '', p);
  if (/\.xml$/i.test(file)) return xmlItems(folder, text, resolve);
  const json = jsonChangelog(text);
  if (json) return jsonItems(folder, json, resolve);
  return yamlItems(folder, file, text, resolve);
}

/**
 * An XML changelog's `<include file=…/>`, `<includeAll path=…/>` and `<sqlFile path=…/>` (in
 * its `<changeSet>`), attributes in either quote. Inline `<sql>` changes are not read.
 */
function xmlItems(folder: MigrationFolder, text: string, resolve: (p: string, relative: boolean) => string): ChangelogItem[] {
  const items: ChangelogItem[] = [];
  // Comments and CDATA hold no includes.
  const live = text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  let changeSet = new Map<string, string>();
  let n = 0;
  for (const m of live.matchAll(/<(?:[\w.-]+:)?(changeSet|include(?:All)?|sqlFile)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/g)) {
    const attrs = new Map<string, string>();
    for (const a of m[2].matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs.set(a[1], xmlText(a[2] ?? a[3]));
    const relative = attrs.get('relativeToChangelogFile') === 'true';
    if (m[1] === 'changeSet') {
      changeSet = attrs;
      n = 0;
    } else if (m[1] === 'includeAll') items.push(...includeAll(folder, resolve(attrs.get('path') ?? '', relative), includeAllOptions((k) => attrs.get(k))));
    else if (m[1] === 'include' && attrs.get('file')) items.push({ kind: 'file', file: resolve(attrs.get('file')!, relative) });
    else if (m[1] === 'sqlFile' && attrs.get('path') && !excludedDbms(changeSet.get('dbms')) && !excludedDbms(attrs.get('dbms'))) {
      const transaction: TransactionMode = changeSet.get('runInTransaction') === 'false' ? 'none' : 'per-migration';
      items.push({ kind: 'raw', file: resolve(attrs.get('path')!, relative), id: `${changeSet.get('author') ?? ''}:${changeSet.get('id') ?? ''}#${++n}`, transaction });
    }
  }
  return items;
}

function xmlText(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}

function includeAllOptions(value: (key: string) => string | undefined): IncludeAllOptions {
  return {
    endsWith: value('endsWithFilter'),
    minDepth: Number(value('minDepth') ?? 1),
    maxDepth: Number(value('maxDepth') ?? Infinity),
    reverse: /reverseOrder/.test(value('resourceComparator') ?? ''),
  };
}

function jsonChangelog(text: string): unknown[] | undefined {
  const t = text.replace(/^\uFEFF/, '').trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(t) as { databaseChangeLog?: unknown };
    return Array.isArray(parsed?.databaseChangeLog) ? parsed.databaseChangeLog : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON changelog's includes (its inline changes are not read: their text has no place to lint in). */
function jsonItems(folder: MigrationFolder, entries: unknown[], resolve: (p: string, relative: boolean) => string): ChangelogItem[] {
  const items: ChangelogItem[] = [];
  for (const entry of entries) {
    if (!entry || typeof entry !== 'object') continue;
    const { include, includeAll: all } = entry as Record<string, Record<string, unknown> | undefined>;
    const str = (o: Record<string, unknown> | undefined, k: string) => (o && o[k] !== undefined ? String(o[k]) : undefined);
    if (include && str(include, 'file')) items.push({ kind: 'file', file: resolve(str(include, 'file')!, str(include, 'relativeToChangelogFile') === 'true') });
    if (all) items.push(...includeAll(folder, resolve(str(all, 'path') ?? '', str(all, 'relativeToChangelogFile') === 'true'), includeAllOptions((k) => str(all, k))));
  }
  return items;
}

function yamlItems(folder: MigrationFolder, file: string, text: string, resolve: (p: string, relative: boolean) => string): ChangelogItem[] {
  const items: ChangelogItem[] = [];
  const starts = [...text.matchAll(/^[ \t]{0,4}- +(?=(?:include|includeAll|changeSet):)/gm)].map((m) => m.index! + m[0].length);
  for (const [i, entryStart] of starts.entries()) {
    const entryEnd = i + 1 < starts.length ? lineStartOf(text, starts[i + 1]) : text.length;
    const entry = text.slice(entryStart, entryEnd);
    const value = (key: string) => {
      const m = new RegExp(`^[^\\S\\r\\n]*${key}:[^\\S\\r\\n]*(\\S[^\\r\\n]*)$`, 'm').exec(entry);
      return m ? scalarValue(m[1]) : undefined;
    };
    const relative = value('relativeToChangelogFile') === 'true';
    if (entry.startsWith('includeAll:')) {
      items.push(...includeAll(folder, resolve(value('path') ?? '', relative), includeAllOptions(value)));
    } else if (entry.startsWith('include:')) {
      const f = value('file');
      if (f) items.push({ kind: 'file', file: resolve(f, relative) });
    } else items.push(...yamlChangeSet(folder.path(file), text, entryStart, entryEnd, resolve));
  }
  return items;
}

function lineStartOf(text: string, at: number): number {
  let i = at;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function indentOf(text: string, l: LineSpan): number {
  let i = l.start;
  while (i < l.end && (text[i] === ' ' || text[i] === '\t')) i++;
  return i - l.start;
}

function isBlank(text: string, l: LineSpan): boolean {
  const content = text.slice(l.start, l.end).trim();
  return content === '' || content.startsWith('#');
}

/**
 * One YAML changeSet: its `sql:` changes (each a migration `<author>:<id>#<n>`, in the
 * changeSet's transaction) and its `sqlFile:` changes. Only keys under the changeSet's
 * `changes:` count: `rollback:` and `preConditions:` hold SQL that is no up.
 */
function yamlChangeSet(file: string, text: string, from: number, to: number, resolve: (p: string, relative: boolean) => string): ChangelogItem[] {
  const lines = [...linesOf(text, nextLineStart(text, from), to)];
  const keyIndent = lines.find((l) => !isBlank(text, l)) ? indentOf(text, lines.find((l) => !isBlank(text, l))!) : 0;
  const own = new Map<string, string>();
  const changes: LineSpan[] = [];
  let section = '';
  for (const l of lines) {
    // A key of the changeSet (a list may sit at its key's indent: `changes:` then `- sql:`).
    if (!isBlank(text, l) && indentOf(text, l) <= keyIndent && !/^[ \t]*-(?:\s|$)/.test(text.slice(l.start, l.end))) {
      const m = /^[ \t]*([\w-]+):[^\S\r\n]*([^\r\n]*)/.exec(text.slice(l.start, l.end));
      section = m?.[1] ?? '';
      if (m && m[2]) own.set(m[1], scalarValue(m[2]));
      continue;
    }
    if (section === 'changes') changes.push(l);
  }
  if (excludedDbms(own.get('dbms'))) return [];
  const id = `${own.get('author') ?? ''}:${own.get('id') ?? ''}`;
  const transaction: TransactionMode = own.get('runInTransaction') === 'false' ? 'none' : 'per-migration';
  const items: ChangelogItem[] = [];
  let n = 0;
  // The changes: a list of one-key mappings (`- sql: …`, `- sqlFile: …`).
  const first = changes.find((l) => !isBlank(text, l));
  const dash = first ? indentOf(text, first) : 0;
  for (let i = 0; i < changes.length; i++) {
    const l = changes[i];
    const item = /^([ \t]*- +)(sql|sqlFile):[^\S\r\n]*/.exec(text.slice(l.start, l.end));
    if (!item || indentOf(text, l) !== dash) continue;
    let j = i + 1;
    while (j < changes.length && (isBlank(text, changes[j]) || indentOf(text, changes[j]) > dash)) j++;
    const block = changes.slice(i, j);
    const valueAt = l.start + item[0].length;
    const keyCol = item[1].length;
    if (item[2] === 'sql') {
      // `- sql: <scalar>`, or `- sql:` over a mapping of the change's attributes (`sql:`, `dbms:`…).
      let part = scalarAt(file, text, valueAt, keyCol, to);
      if (!part) {
        const attrs = mappingOf(text, block.slice(1));
        if (excludedDbms(attrs.get('dbms')?.value)) continue;
        const sql = attrs.get('sql');
        part = sql ? scalarAt(file, text, sql.at, sql.indent, to) : undefined;
      }
      if (part && part.text.trim()) items.push({ kind: 'migration', migration: { id: `${id}#${++n}`, up: part, transaction } });
    } else {
      const attrs = mappingOf(text, block.slice(1));
      const p = attrs.get('path')?.value;
      if (p && !excludedDbms(attrs.get('dbms')?.value)) {
        items.push({ kind: 'raw', file: resolve(p, attrs.get('relativeToChangelogFile')?.value === 'true'), id: `${id}#${++n}`, transaction });
      }
    }
  }
  return items;
}

/** A `dbms` list that leaves PostgreSQL out (`mysql`, `!postgresql`; `!mysql` and `all` keep it). */
function excludedDbms(dbms: string | undefined): boolean {
  if (!dbms) return false;
  const list = dbms.toLowerCase().split(',').map((d) => d.trim()).filter(Boolean);
  const named = list.filter((d) => !d.startsWith('!'));
  return list.includes('!postgresql') || (named.length > 0 && !named.some((d) => d === 'postgresql' || d === 'all'));
}

/** The keys of a block mapping (its lines at the first line's indent): where each value starts, and its scalar. */
function mappingOf(text: string, lines: LineSpan[]): Map<string, { at: number; indent: number; value: string }> {
  const keys = new Map<string, { at: number; indent: number; value: string }>();
  const first = lines.find((l) => !isBlank(text, l));
  if (!first) return keys;
  const indent = indentOf(text, first);
  for (const l of lines) {
    if (isBlank(text, l) || indentOf(text, l) !== indent) continue;
    const m = /^[ \t]*([\w-]+):[^\S\r\n]*/.exec(text.slice(l.start, l.end));
    if (m && !keys.has(m[1])) keys.set(m[1], { at: l.start + m[0].length, indent, value: scalarValue(text.slice(l.start + m[0].length, l.end)) });
  }
  return keys;
}

/** A one-line scalar's value: quotes and escapes resolved, a plain one's comment dropped. */
function scalarValue(raw: string): string {
  const s = raw.trim();
  if (s.startsWith('"')) return unescapeDouble(s.slice(1, s.lastIndexOf('"') > 0 ? s.lastIndexOf('"') : undefined));
  if (s.startsWith("'")) return s.slice(1, s.lastIndexOf("'") > 0 ? s.lastIndexOf("'") : undefined).replace(/''/g, "'");
  return s.replace(/\s+#.*$/, '');
}

/**
 * The YAML scalar whose text starts at `at` (after `key:` and its spaces), as a part in place:
 * a quoted one with its quotes blanked and its escapes resolved; a block one (`|`, `>`) as
 * its lines, indentation kept; a plain one up to a ` #` comment, over the more indented lines
 * after it. Line breaks stay line breaks (SQL reads them as the space YAML folds them into).
 * Undefined when no scalar starts there (a nested mapping or list follows).
 */
function scalarAt(file: string, text: string, at: number, keyCol: number, limit: number): MigrationPart | undefined {
  const c = text[at];
  if (c === '"' || c === "'") {
    let i = at + 1;
    for (; i < limit; i++) {
      if (c === '"' && text[i] === '\\') i++;
      else if (text[i] === c) {
        if (c === "'" && text[i + 1] === "'") i++;
        else break;
      }
    }
    const inner = text.slice(at + 1, Math.min(i, limit));
    const body = c === '"' ? unescapeDouble(inner) : inner.replace(/''/g, "'");
    return sliceOf(file, text, at, Math.min(i + 1, limit), ` ${body} `);
  }
  const after = (from: number) => [...linesOf(text, from, limit)];
  if (c === '|' || c === '>') {
    const rest = after(nextLineStart(text, at));
    let contentIndent = -1;
    let last: LineSpan | undefined;
    let firstLine: LineSpan | undefined;
    for (const l of rest) {
      const blankLine = text.slice(l.start, l.end).trim() === '';
      if (blankLine) continue;
      const ind = indentOf(text, l);
      if (contentIndent < 0) {
        if (ind <= keyCol) break;
        contentIndent = ind;
        firstLine = l;
      } else if (ind < contentIndent) break;
      last = l;
    }
    if (!firstLine || !last) return undefined;
    return sliceOf(file, text, firstLine.start, last.end);
  }
  // A plain scalar, on this line or (when this one is empty) the next ones.
  const own = text.slice(at, lineEnd(text, at));
  const comment = /(^|\s)#/.exec(own);
  const firstText = (comment ? own.slice(0, comment.index) : own).trimEnd();
  let start = firstText ? at : -1;
  let end = at + firstText.length;
  if (comment && firstText) return sliceOf(file, text, start, end);
  for (const l of after(nextLineStart(text, at))) {
    const content = text.slice(l.start, l.end);
    if (content.trim() === '') continue;
    if (indentOf(text, l) <= keyCol) break;
    const body = content.trimStart();
    // A nested mapping or list, not a scalar.
    if (start < 0 && (/^[\w-]+:(\s|$)/.test(body) || /^-(\s|$)/.test(body))) return undefined;
    const hash = /(^|\s)#/.exec(content);
    const kept = (hash ? content.slice(0, hash.index) : content).trimEnd();
    if (kept.trim()) {
      if (start < 0) start = l.start + indentOf(text, l);
      end = l.start + kept.length;
    }
    if (hash) break;
  }
  return start < 0 ? undefined : sliceOf(file, text, start, end);
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

/** A YAML double-quoted scalar's escapes; an escaped line break joins the lines. */
function unescapeDouble(s: string): string {
  return s.replace(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(\r\n|\r|\n)[ \t]*|(.))/g, (whole, x?: string, u?: string, U?: string, br?: string, ch?: string) => {
    const hex = x ?? u ?? U;
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    if (br !== undefined) return '';
    return ch !== undefined && ch in ESCAPES ? ESCAPES[ch] : whole;
  });
}

function includeAll(folder: MigrationFolder, dir: string, options: IncludeAllOptions): ChangelogItem[] {
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

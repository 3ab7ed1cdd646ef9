import type { SourceRange } from '../types';
import type { Column, Index, Table } from './model';
import type { SchemaIndex } from './schema-index';
import type { OtherRelation } from './sql-names';
import { codeSpan, escapeMarkdown } from './markdown-safe';

/**
 * The hover text of a table, column or relation (Markdown): what it is, where it is defined,
 * and what the model knows of it. Plain text from the files is escaped; `link` turns a file
 * position into a link the editor opens.
 */
export interface HoverTextOptions {
  /** How a file position is written (a Markdown link the editor opens); default `file:line`. */
  link?: (file: string, range: SourceRange) => string;
  /** How a file is named in the default `file:line` (a workspace-relative path). */
  display?: (file: string) => string;
}

/** At most this many columns are listed in a table's hover. */
const MAX_COLUMNS = 40;

export function columnTypeText(column: Column): string {
  const mods = column.typeModifiers.length ? `(${column.typeModifiers.join(',')})` : '';
  return `${column.type}${mods}${column.isArray ? '[]' : ''}`;
}

/** Text from a file as code (a name, a type, an expression): a span the text cannot close. */
const code = (text: string): string => codeSpan(text);
/** Code in a table cell: pipes escaped too. */
const cellCode = (text: string): string => codeSpan(text, true);
/** Plain text from a file (a comment, a schema name, a path): no markup. */
const escape = escapeMarkdown;

function where(index: SchemaIndex, file: string, range: SourceRange, options: HoverTextOptions): string {
  if (options.link) return options.link(file, range);
  const shown = options.display ?? index.display;
  return escape(`${shown ? shown(file) : file}:${range.start.line + 1}`);
}

function qualified(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

function indexText(i: Index): string {
  const kind = i.primary ? 'primary key' : i.unique ? 'unique' : '';
  const extra = [kind, i.method !== 'btree' ? escape(i.method) : '', i.where ? `WHERE ${code(i.where)}` : '', i.valid ? '' : 'invalid'].filter(Boolean).join(', ');
  const list = (names: string[]): string => names.map(escape).join(', ');
  return `${code(i.name)} (${list(i.columns)}${i.include.length ? `) INCLUDE (${list(i.include)}` : ''})${extra ? ` ${extra}` : ''}`;
}

/** PK, NOT NULL, UNIQUE, FK and default of a column, as short badges. */
function columnBadges(table: Table, column: Column): string[] {
  const out: string[] = [];
  if (table.primaryKey?.columns.includes(column.name)) out.push('PK');
  if (column.notNull) out.push('NOT NULL');
  if (table.indexes.some((i) => i.unique && !i.primary && i.columns.length === 1 && i.columns[0] === column.name)) out.push('UNIQUE');
  for (const fk of table.foreignKeys) {
    const at = fk.columns.indexOf(column.name);
    if (at >= 0) out.push(`FK → ${escape(qualified(fk.refSchema, fk.refTable))}${fk.refColumns[at] ? `(${escape(fk.refColumns[at])})` : ''}`);
  }
  if (column.identity) out.push(`identity ${escape(column.identity)}`);
  else if (column.serial) out.push('serial');
  return out;
}

function definedIn(index: SchemaIndex, object: Table | Column, options: HoverTextOptions): string[] {
  const lines: string[] = [];
  const source = object.source;
  if (source && index.kind === 'migrations') lines.push(`Defined in ${where(index, source.file, source.range, options)}`);
  for (const step of index.renames.get(object) ?? []) {
    lines.push(`Renamed from ${code(step.from)} to ${code(step.to)} in ${where(index, step.source.file, step.source.range, options)}`);
  }
  return lines;
}

export function tableHover(index: SchemaIndex, table: Table, options: HoverTextOptions = {}): string {
  const out: string[] = [];
  const flags = [table.partitioned ? 'partitioned' : '', table.unlogged ? 'unlogged' : '', table.temporary ? 'temporary' : ''].filter(Boolean);
  out.push(`**${escape(qualified(table.schema, table.name))}** — ${flags.length ? `${flags.join(', ')} ` : ''}table`);
  if (table.comment?.trim()) out.push(`*${escape(table.comment.trim())}*`);
  if (table.columns.length > 0) {
    const rows = table.columns.slice(0, MAX_COLUMNS).map((c) => `| ${cellCode(c.name)} | ${cellCode(columnTypeText(c))} | ${columnBadges(table, c).join(' · ')} |`);
    const more = table.columns.length > MAX_COLUMNS ? `\n\n… and ${table.columns.length - MAX_COLUMNS} more columns` : '';
    out.push(`| column | type | |\n|:--|:--|:--|\n${rows.join('\n')}${more}`);
  } else if (index.partialColumns.has(table)) {
    out.push('Columns: not known (the table inherits them, or was created from a query)');
  }
  if (index.partialColumns.has(table) && table.columns.length > 0) out.push('More columns may come from its parent tables (INHERITS).');
  if (table.indexes.length) out.push(`**Indexes:** ${table.indexes.map(indexText).join(' · ')}`);
  const referencedBy: string[] = [];
  for (const other of index.schema.tables.values()) {
    for (const fk of other.foreignKeys) {
      if (fk.refSchema === table.schema && fk.refTable === table.name) referencedBy.push(`${qualified(other.schema, other.name)}(${fk.columns.join(', ')})`);
    }
  }
  if (referencedBy.length) out.push(`**Referenced by:** ${referencedBy.map(code).join(', ')}`);
  if (table.rowSecurity?.enabled) out.push(`Row-level security enabled${table.rowSecurity.forced ? ' (forced)' : ''}`);
  const lines = definedIn(index, table, options);
  const prisma = index.prisma?.get(`${table.schema}.${table.name}`);
  if (prisma) lines.push(`Prisma model ${code(prisma.model.name)} in ${where(index, prisma.model.file, prisma.model.range, options)}`);
  if (lines.length) out.push(lines.join('  \n'));
  return out.join('\n\n');
}

export function columnHover(index: SchemaIndex, table: Table, column: Column, options: HoverTextOptions = {}): string {
  const out: string[] = [];
  out.push(`**${escape(qualified(table.schema, table.name))}.${escape(column.name)}** — column ${code(columnTypeText(column))}`);
  if (column.comment?.trim()) out.push(`*${escape(column.comment.trim())}*`);
  const badges = columnBadges(table, column);
  if (column.default !== undefined && !column.serial) badges.push(`DEFAULT ${code(column.default)}`);
  if (badges.length) out.push(badges.join(' · '));
  const indexes = table.indexes.filter((i) => i.columns.includes(column.name) || i.include.includes(column.name));
  if (indexes.length) out.push(`**Indexes:** ${indexes.map(indexText).join(' · ')}`);
  const lines = definedIn(index, column, options);
  const field = index.prisma?.get(`${table.schema}.${table.name}`)?.fields.get(column.name);
  if (field) lines.push(`Prisma field ${code(field.name)} in ${where(index, field.file, field.range, options)}`);
  if (lines.length) out.push(lines.join('  \n'));
  return out.join('\n\n');
}

export function relationHover(index: SchemaIndex, relation: OtherRelation, options: HoverTextOptions = {}): string {
  const out = [`**${escape(qualified(relation.schema, relation.name))}** — ${relation.kind}`];
  if (relation.columns?.length) out.push(`Columns: ${relation.columns.map(code).join(', ')}`);
  if (relation.source) out.push(`Defined in ${where(index, relation.source.file, relation.source.range, options)}`);
  return out.join('\n\n');
}

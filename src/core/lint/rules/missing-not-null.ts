import type { Rule, SchemaContext } from '../rule';
import type { Column, Index, SchemaModel, Table } from '../../schema/model';
import { isRunnerTable } from './support/runner-tables';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';

/**
 * missing-not-null (opt-in): a column that is never NULL by design but allows it, in the final
 * schema. "By design" is read from the schema, nothing else:
 * - `default`: a DEFAULT that is not NULL (`created_at timestamptz DEFAULT now()`, `is_active boolean
 *   DEFAULT false`, `count int DEFAULT 0`): rows get a value unless a writer sends NULL on purpose;
 * - `flag`: a boolean named as a yes/no flag (`is_…`, `has_…`, `can_…`) with no default: NULL makes a third state;
 * - `unique-key`: a column of a multi-column UNIQUE key: NULLs are distinct, so rows with NULL escape the key.
 * Left alone: foreign-key columns (nullable-foreign-key's), primary-key, identity and generated
 * columns, DEFAULT NULL, a CHECK testing the column for NULL, columns some migration sets to NULL
 * (`UPDATE … SET col = NULL`) or relaxes (`DROP NOT NULL`), partitions (their parent is reported),
 * temporary and migration runners' tables.
 *
 * Exported for the Prisma face: `missingNotNullColumns(schema, skip)`.
 */
export type MissingNotNullReason = 'default' | 'flag' | 'unique-key';

export interface MissingNotNull {
  table: Table;
  column: Column;
  reason: MissingNotNullReason;
  /** The unique key, for `unique-key`. */
  key?: Index;
}

const FLAG_NAME = /^(?:is|has|can|should|allow|allows|needs|must)_[a-z0-9_]+$|^(?:is|has|can|should|allow|allows|needs|must)[A-Z]/;

/** A DEFAULT that gives a value: not absent, not NULL (`NULL`, `NULL::text`, `(NULL)`, `CAST(NULL AS text)`). */
export function nonNullDefault(expression: string | undefined): boolean {
  if (expression === undefined) return false;
  const e = expression.trim();
  return !/^\(*\s*null\s*\)*(?:\s*::\s*[\w\s."[\]()]+)?$/i.test(e) && !/^\(*\s*cast\s*\(\s*\(*\s*null\s*\)*\s+as\s+[\w\s."[\]()]+\)\s*\)*$/i.test(e);
}

export function missingNotNullColumns(schema: SchemaModel, skip: (column: Column, reason: MissingNotNullReason, table: Table) => boolean = () => false): MissingNotNull[] {
  const out: MissingNotNull[] = [];
  for (const table of schema.tables.values()) {
    if (table.temporary || table.partitionOf !== undefined || isRunnerTable(table)) continue;
    const keyColumns = new Set([...(table.primaryKey?.columns ?? []), ...table.foreignKeys.flatMap((fk) => fk.columns)]);
    const nullTested = new Set([...(table.nullTests ?? []).flatMap((t) => t.columns), ...(table.notNullChecks ?? []).filter((c) => c.valid).map((c) => c.column)]);
    for (const column of table.columns) {
      if (column.notNull || column.identity || column.serial || keyColumns.has(column.name) || nullTested.has(column.name)) continue;
      let reason: MissingNotNullReason | undefined;
      let key: Index | undefined;
      if (nonNullDefault(column.default)) reason = 'default';
      else if (column.default === undefined && column.type === 'boolean' && !column.isArray && FLAG_NAME.test(column.name)) reason = 'flag';
      else if (column.default === undefined && !/^(?:timestamp|timestamptz|date)$/.test(column.type)) {
        key = table.indexes.find((i) => i.unique && !i.primary && i.valid && i.where === undefined && i.columns.length > 1 && i.columns.includes(column.name) && !i.columns.some((c) => c.startsWith('(')));
        // One finding per key, on its first nullable column: the message names them all.
        if (key && !out.some((f) => f.key === key)) reason = 'unique-key';
      }
      if (reason === undefined || skip(column, reason, table)) continue;
      out.push({ table, column, reason, ...(key && { key }) });
    }
  }
  return out;
}

/**
 * Columns some statement of the set makes NULL on purpose: `UPDATE … SET col = NULL` and
 * `ALTER … col DROP NOT NULL` (by name, whatever the table: a miss only silences a finding).
 */
function nulledColumnNames(context: SchemaContext): Set<string> {
  const names = new Set<string>();
  const add = (raw: string): void => {
    names.add(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase());
  };
  for (const file of context.files?.() ?? []) {
    const text = context.textAt?.(file, 0, Number.MAX_SAFE_INTEGER);
    if (!text || !/null/i.test(text)) continue;
    for (const m of text.matchAll(/\bALTER\s+(?:COLUMN\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s+DROP\s+NOT\s+NULL\b/gi)) add(m[1]);
    for (const m of text.matchAll(/("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*=\s*NULL\b/gi)) {
      const before = text.slice(Math.max(0, text.lastIndexOf(';', m.index) + 1), m.index);
      if (/\bUPDATE\b[\s\S]*\bSET\b/i.test(before)) add(m[1]);
    }
  }
  return names;
}

/**
 * A column definition that says NULL outright (`hash int NULL`, not `NOT NULL`, `DEFAULT NULL` or
 * `IS NULL`): the author chose to allow it.
 */
export function explicitNull(definition: string): boolean {
  const code = definition.replace(/'(?:[^']|'')*'/g, "''");
  return /(?<!\bNOT\s{1,20})(?<!\bDEFAULT\s{1,20})(?<!\bIS\s{1,20})(?<![(=,:<>]\s{0,20})\bNULL\b(?!\s*::)/i.test(code);
}

/** Whether any file of the set inserts or copies rows into the table (then NOT NULL in its CREATE could make that fail). */
function rowsWrittenIn(context: SchemaContext, table: Table): boolean {
  const name = table.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`\\b(?:INSERT\\s+INTO|COPY)\\s+(?:[\\w"]+\\.)?"?${name}"?(?![\\w$])`, 'i');
  for (const file of context.files?.() ?? []) {
    const text = context.textAt?.(file, 0, Number.MAX_SAFE_INTEGER);
    if (text && re.test(text)) return true;
  }
  return false;
}

export const rule: Rule = {
  id: 'missing-not-null',
  kind: 'schema',
  defaultSeverity: 'off',
  fixable: true,
  docs: {
    description:
      'A column that is never NULL by design (a non-null DEFAULT, a yes/no flag, part of a unique key) but allows NULL: one writer sending NULL leaves rows every query and the key get wrong.',
  },
  check(context) {
    let nulled: Set<string> | undefined;
    const seen = new Set<string>();
    const skip = (column: Column, reason: MissingNotNullReason): boolean => {
      if (!column.source) return true;
      const text = context.textAt?.(column.source.file, column.source.range.startOffset, column.source.range.endOffset);
      // An explicit NULL with no default says NULL is meant; with a default (`text NULL DEFAULT ''`) the default says otherwise.
      if (text !== undefined && (/\bGENERATED\s+ALWAYS\s+AS\s*\(/i.test(text) || (reason !== 'default' && explicitNull(text)))) return true;
      nulled ??= nulledColumnNames(context);
      return nulled.has(column.name);
    };
    for (const found of missingNotNullColumns(context.schema, skip)) {
      const { table, column } = found;
      const source = column.source;
      if (!source) continue;
      const key = `${source.file}\0${source.range.startOffset}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const definition = context.textAt?.(source.file, source.range.startOffset, source.range.endOffset);
      // NOT NULL goes into the column's own definition only in the CREATE TABLE of this table, with its DEFAULT there,
      // and no migration writing rows into it: nobody has rows yet, and a later statement cannot meet a NULL it wrote.
      // A definition saying NULL outright would conflict with it ("conflicting NULL/NOT NULL declarations").
      const inCreate =
        table.source !== undefined &&
        table.source.file === source.file &&
        table.source.statementRange !== undefined &&
        source.statementRange?.startOffset === table.source.statementRange.startOffset;
      const fixable = found.reason === 'default' && inCreate && definition !== undefined && /\bDEFAULT\b/i.test(definition) && !explicitNull(definition) && !rowsWrittenIn(context, table);
      context.report({
        file: source.file,
        range: source.range,
        message: missingNotNullMessage(found, inCreate ? (fixable ? 'fix' : 'create') : undefined),
        fix: fixable
          ? {
              title: `Make ${column.name} NOT NULL`,
              edits: [{ range: { startOffset: source.range.endOffset, endOffset: source.range.endOffset, start: source.range.end, end: { ...source.range.end } }, newText: ' NOT NULL' }],
            }
          : undefined,
      });
    }
  },
};

/** The key's columns that allow NULL (and are not foreign keys), the reported one first. */
function nullableKeyColumns(found: MissingNotNull): string[] {
  const fkColumns = new Set(found.table.foreignKeys.flatMap((fk) => fk.columns));
  const others = (found.key?.columns ?? []).filter((name) => name !== found.column.name && !fkColumns.has(name) && found.table.columns.some((c) => c.name === name && !c.notNull));
  return [found.column.name, ...others];
}

/** The finding's text: why the column is never NULL by design, and the migration that says so safely. */
export function missingNotNullMessage(found: MissingNotNull, inCreate?: 'fix' | 'create'): string {
  const { table, column, reason } = found;
  const t = qualifiedName(table.schema, table.name);
  const c = quoteIdent(column.name);
  const columns = reason === 'unique-key' ? nullableKeyColumns(found) : [column.name];
  const several = columns.length > 1;
  const why =
    reason === 'default'
      ? `has DEFAULT ${column.default} but allows NULL: an INSERT that sends NULL (an ORM writing every field, a copy from another table) stores NULL instead of the default`
      : reason === 'flag'
        ? `is a yes/no flag that allows NULL: NULL is a third state, and WHERE NOT ${c} skips those rows`
        : `${several ? `and ${columns.slice(1).map(quoteIdent).join(', ')} are` : 'is'} part of the unique key (${(found.key?.columns ?? []).map(quoteIdent).join(', ')}) but allow${several ? '' : 's'} NULL: ` +
          'NULLs are distinct, so rows with NULL there escape the key and duplicates go in';
  const it = several ? 'them' : 'it';
  const declare = reason === 'flag' ? 'NOT NULL DEFAULT false' : 'NOT NULL';
  const here = inCreate ? `if this migration has not been deployed, declare ${it} ${declare} in the CREATE TABLE${inCreate === 'fix' ? ' (the fix)' : ''}; once deployed, ` : '';
  const backfill =
    reason === 'default'
      ? `UPDATE ${t} SET ${c} = ${column.default} WHERE ${c} IS NULL; `
      : reason === 'flag'
        ? `UPDATE ${t} SET ${c} = false WHERE ${c} IS NULL; ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT false; `
        : '';
  const steps = columns
    .map((name) => {
      const col = quoteIdent(name);
      const check = quoteIdent(`${table.name}_${name}_not_null`.slice(0, 63));
      return (
        `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID; ALTER TABLE ${t} VALIDATE CONSTRAINT ${check}; ` +
        `ALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL; ALTER TABLE ${t} DROP CONSTRAINT ${check}`
      );
    })
    .join('; ');
  const alternative = reason === 'unique-key' ? ' (or, if NULL is a real value there, make the key UNIQUE NULLS NOT DISTINCT on Postgres 15+)' : '';
  return (
    `${t}.${c} ${why}; ${here}make ${it} NOT NULL${alternative} in a new migration without a long ACCESS EXCLUSIVE scan: ` +
    backfill +
    steps +
    (reason === 'unique-key' ? ` (first give the rows with NULL there a value)` : '') +
    ' (on a big table, backfill in batches, and VALIDATE in a migration of its own when the runner wraps each file in a transaction)'
  );
}

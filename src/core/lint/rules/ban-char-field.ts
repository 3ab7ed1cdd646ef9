import type { Report, Rule, StatementContext } from '../rule';
import type { Statement } from '../../sql/statement';
import { columnDefinitions, type ColumnDefinition } from './support/column-definitions';
import { keyConstraints, sameTable } from './support/key-constraints';
import { rule as preferUuidType } from './prefer-uuid-type';

/**
 * ban-char-field: `char(n)` / `character(n)` (blank-padded). The single-byte internal type
 * `"char"` is not reported, and neither is a fixed-length identifier, whose values fill the
 * width so that char(n) pads nothing (a DBA review of real projects: 549 of 554 findings were
 * ULIDs, hex ids, UUIDs and digests):
 * - a key column (PRIMARY KEY or UNIQUE), a foreign key column or a column a foreign key
 *   references, declared by this statement, a later one of the file, or the schema before it;
 * - a column named as an identifier or digest (`id`, `user_id`, `orgId`, `api_key`,
 *   `tokenhash`, `sha1`, …);
 * - the widths of ULID (26), hex md5/uuid (32), UUID (36), sha1 (40) and sha256 (64) text;
 * - a column prefer-uuid-type reports (a UUID generator default or a UUID CHECK): one finding
 *   for the column, that one.
 */
const ID_WIDTHS = new Set([26, 32, 36, 40, 64]);
/** Words of a column name that say identifier or digest. */
const ID_WORDS = new Set(['id', 'uuid', 'guid', 'ulid', 'hash', 'sha', 'digest', 'token', 'code', 'key']);
/** The same words as the end of a longer word (`orguuid`, `tokenhash`, `apikey`); `id` is left out (`valid`, `paid`). */
const ID_SUFFIXES = [...ID_WORDS].filter((w) => w.length > 2);

export function namesIdentifier(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean)
    // Plurals: `line_ids`, `api_keys`, `hashes`.
    .map((w) => (ID_WORDS.has(w.replace(/e?s$/, '')) ? w.replace(/e?s$/, '') : ID_WORDS.has(w.replace(/s$/, '')) ? w.replace(/s$/, '') : w));
  return words.some((w) => ID_WORDS.has(w) || ID_SUFFIXES.some((s) => w.endsWith(s)));
}



/** The column is a key, a foreign key column or a foreign key's target: in this or a later statement of the file, or in the schema. */
function isKeyColumn(context: StatementContext, col: ColumnDefinition, statements: readonly Statement[]): boolean {
  if (col.primaryKey) return true;
  for (const statement of statements) {
    for (const k of keyConstraints(statement.ast)) {
      if (sameTable(k.table, col.table) && k.columns.includes(col.column)) return true;
      if (k.refTable && sameTable(k.refTable, col.table) && k.refColumns?.includes(col.column)) return true;
    }
  }
  const table = context.table(col.table);
  if (table) {
    if (table.primaryKey?.columns.includes(col.column)) return true;
    if (table.indexes.some((i) => i.unique && i.columns.includes(col.column))) return true;
    if (table.foreignKeys.some((f) => f.columns.includes(col.column))) return true;
    for (const other of context.schema.tables.values()) {
      for (const f of other.foreignKeys) {
        if (f.refSchema !== table.schema || f.refTable !== table.name) continue;
        const refColumns = f.refColumns.length ? f.refColumns : (table.primaryKey?.columns ?? []);
        if (refColumns.includes(col.column)) return true;
      }
    }
  }
  return false;
}

/** The columns of this statement prefer-uuid-type reports (by the start of their definition). */
function uuidReported(context: StatementContext): Set<number> {
  const starts = new Set<number>();
  const capture: StatementContext = Object.create(context, {
    report: { value: (r: Report) => starts.add(r.range.startOffset) },
    options: { value: {} },
  });
  if (preferUuidType.kind === 'statement') preferUuidType.check(capture);
  return starts;
}

export const rule: Rule = {
  id: 'ban-char-field',
  kind: 'statement',
  defaultSeverity: 'info',
  fixable: true,
  docs: {
    description: 'char(n) pads values with blanks: = ignores the padding, LIKE and clients see it.',
  },
  check(context) {
    let later: readonly Statement[] | undefined;
    let uuid: Set<number> | undefined;
    for (const col of columnDefinitions(context.statement, context.schema)) {
      const internalChar = col.typeNames.length === 1 && col.typeNames[0] === 'char';
      if (col.type !== 'char' || internalChar) continue;
      const n = col.typeModifiers[0] ?? 1;
      if (ID_WIDTHS.has(n) || namesIdentifier(col.column)) continue;
      later ??= context.statements.slice(context.statement.index);
      if (isKeyColumn(context, col, later)) continue;
      uuid ??= uuidReported(context);
      if (uuid.has(col.range.startOffset)) continue;
      context.report({
        message:
          `"${col.column}" is char(${n}): every value is blank-padded to ${n} characters, so clients read the padding back, ` +
          "LIKE sees the padding while = ignores it ('ab' = 'ab' but not LIKE 'ab'), and it is no faster than text; use text or varchar",
        range: col.range,
        fix: { title: `Use varchar(${n})`, edits: [{ range: col.typeRange, newText: `varchar(${n})` }] },
      });
    }
  },
};

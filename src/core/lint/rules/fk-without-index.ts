import type { Rule, SchemaContext } from '../rule';
import type { SourceRange } from '../../types';
import type { ForeignKey, Index, Table } from '../../schema/model';
import { MAX_IDENTIFIER_BYTES, identifierByteLength } from './identifier-too-long';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';

/**
 * fk-without-index: a foreign key whose columns are not the leading columns of an index on
 * the referencing table.
 *
 * Exported for the Prisma and live-catalog checks, with the same semantics:
 * - `indexServesColumns(index, columns)`: a valid, non-partial b-tree index whose first
 *   `columns.length` key columns are exactly `columns`, in any order.
 * - `unindexedForeignKeys(table)`: the table's foreign keys no index (primary key and unique
 *   constraints included) serves, in definition order.
 * - `foreignKeyIndexName(fk)`: the name the fix gives the new index.
 */
export function indexServesColumns(index: Pick<Index, 'columns' | 'method' | 'where' | 'valid'>, columns: string[]): boolean {
  if (!index.valid || index.where !== undefined || (index.method || 'btree') !== 'btree') return false;
  if (columns.length === 0 || index.columns.length < columns.length) return false;
  const leading = new Set(index.columns.slice(0, columns.length));
  return columns.every((c) => leading.has(c));
}

export function unindexedForeignKeys(table: Table): ForeignKey[] {
  const candidates: Array<Pick<Index, 'columns' | 'method' | 'where' | 'valid'>> = [...table.indexes];
  if (table.primaryKey) candidates.push({ columns: table.primaryKey.columns, method: 'btree', valid: true });
  return table.foreignKeys.filter((fk) => !candidates.some((index) => indexServesColumns(index, fk.columns)));
}

export function foreignKeyIndexName(fk: Pick<ForeignKey, 'table' | 'columns'>): string {
  let name = `${fk.table}_${fk.columns.join('_')}`;
  while (identifierByteLength(`${name}_idx`) > MAX_IDENTIFIER_BYTES) name = name.slice(0, -1);
  return `${name}_idx`;
}

export const rule: Rule = {
  id: 'fk-without-index',
  kind: 'schema',
  defaultSeverity: 'warning',
  fixable: true,
  docs: {
    description:
      'A foreign key without an index on its columns: every delete or key update of a referenced row scans the whole referencing table.',
  },
  check(context) {
    for (const table of context.schema.tables.values()) {
      for (const fk of unindexedForeignKeys(table)) {
        if (!fk.source) continue;
        const cols = fk.columns.join(', ');
        const target = qualifiedName(table.schema, table.name);
        const after = fk.source.statementRange;
        // CONCURRENTLY fails inside a transaction (a Prisma migration, BEGIN … COMMIT). There a table
        // created in the same file, which nobody reads yet, gets a plain CREATE INDEX; any other gets no fix.
        const inTransaction = after !== undefined && context.inTransactionAt?.(fk.source.file, after.startOffset) === true;
        const newTable = table.source?.file === fk.source.file;
        // The index goes where the key is declared, so the names must be the ones it had there: a
        // table or column renamed by a later migration would make the CREATE INDEX fail.
        const sameNames = after !== undefined && namesAt(context, fk.source.file, after, table.name, fk.columns);
        const fixable = after !== undefined && sameNames && (!inTransaction || newTable);
        // A table created in the same file has no readers yet: a plain CREATE INDEX, which also runs in a transaction.
        const concurrently = !inTransaction && !newTable;
        const create =
          `CREATE INDEX${concurrently ? ' CONCURRENTLY' : ''} ${quoteIdent(foreignKeyIndexName(fk))} ` +
          `ON ${target} (${fk.columns.map(quoteIdent).join(', ')})`;
        context.report({
          file: fk.source.file,
          message:
            `foreign key ${fk.name ? `${fk.name} ` : ''}${table.name}(${cols}) → ${fk.refTable}(${fk.refColumns.join(', ')}) has no index on ${table.name}(${cols}): ` +
            `every DELETE or key UPDATE on ${fk.refTable} scans all of ${table.name} to find referencing rows, ` +
            `and joins from ${fk.refTable} read it sequentially; add an index on (${cols})`,
          range: fk.source.range,
          // Inserted before the defining statement's own ';', so it ends up as a statement of its own either way.
          fix: fixable
            ? {
                title: `Create index on ${table.name} (${cols})${concurrently ? ' concurrently' : ''}`,
                edits: [{ range: collapsedAt(after), newText: `;\n${create}` }],
              }
            : undefined,
        });
      }
    }
  },
};

/** Whether the statement declaring the key names the table and columns as the final schema does (no later rename). */
function namesAt(context: SchemaContext, file: string, range: SourceRange, table: string, columns: string[]): boolean {
  const text = context.textAt?.(file, range.startOffset, range.endOffset);
  if (text === undefined) return true;
  const words = new Set((text.match(/"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*/g) ?? []).map((w) => (w.startsWith('"') ? w.slice(1, -1).replace(/""/g, '"') : w.toLowerCase())));
  return [table, ...columns].every((name) => words.has(name));
}

function collapsedAt(range: SourceRange): SourceRange {
  return { startOffset: range.endOffset, endOffset: range.endOffset, start: range.end, end: range.end };
}

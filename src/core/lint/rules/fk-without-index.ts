import type { Rule, SchemaContext } from '../rule';
import type { SourceRange } from '../../types';
import { foreignKeyIndexNamer, relationNamesIn, unindexedForeignKeys } from '../../schema/foreign-key-indexes';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';
import { addStatementsAfterIn } from '../rule-helpers';

/**
 * fk-without-index: a foreign key whose columns are not the leading columns of an index on
 * the referencing table.
 */
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
    // The fix runs where the key is declared; the names checked are those of the final schema (views and
    // sequences are not modelled). A name taken only in between makes the plain CREATE INDEX fail, never pass silently.
    const indexName = foreignKeyIndexNamer((schema) => relationNamesIn(context.schema, schema));
    for (const table of context.schema.tables.values()) {
      for (const fk of unindexedForeignKeys(table)) {
        if (!fk.source) continue;
        const cols = fk.columns.join(', ');
        const after = fk.source.statementRange;
        // CONCURRENTLY fails inside a transaction (a Prisma migration, BEGIN … COMMIT). There a table
        // created in the same file, which nobody reads yet, gets a plain CREATE INDEX; any other gets no fix.
        const inTransaction = after !== undefined && context.inTransactionAt?.(fk.source.file, after.startOffset) === true;
        const newTable = table.source?.file === fk.source.file;
        // The index goes where the key is declared, so the names must be the ones it had there: a
        // table or column renamed by a later migration would make the CREATE INDEX fail.
        const sameNames = after !== undefined && namesAt(context, fk.source.file, after, table.name, fk.columns);
        // Named as the statement names it: a table moved to another schema later (SET SCHEMA) was elsewhere there.
        const target = after !== undefined ? targetAt(context, fk.source.file, after, table.schema, table.name) : undefined;
        const fixable = after !== undefined && sameNames && target !== undefined && (!inTransaction || newTable);
        // A table created in the same file has no readers yet: a plain CREATE INDEX, which also runs in a transaction.
        const concurrently = !inTransaction && !newTable;
        const create = fixable
          ? `CREATE INDEX${concurrently ? ' CONCURRENTLY' : ''} ${quoteIdent(indexName(fk))} ON ${target} (${fk.columns.map(quoteIdent).join(', ')})`
          : '';
        context.report({
          file: fk.source.file,
          message:
            `foreign key ${fk.name ? `${fk.name} ` : ''}${table.name}(${cols}) → ${fk.refTable}(${fk.refColumns.join(', ')}) has no index on ${table.name}(${cols}): ` +
            `every DELETE or key UPDATE on ${fk.refTable} scans all of ${table.name} to find referencing rows, ` +
            `and joins from ${fk.refTable} read it sequentially; add an index on (${cols})`,
          range: fk.source.range,
          // A statement of its own right after the defining statement's ';' (or its last token).
          fix: fixable
            ? {
                title: `Create index on ${table.name} (${cols})${concurrently ? ' concurrently' : ''}`,
                edits: [addStatementsAfterIn(context, fk.source.file, after, create)],
              }
            : undefined,
        });
      }
    }
  },
};

/**
 * The table as the fix names it right after the statement declaring the key: qualified when the
 * statement qualifies it with the table's final schema; unqualified when the statement leaves it
 * unqualified (the fix then resolves as the statement did, whatever schema the table moved to
 * later); undefined when the statement only names it in another schema (moved since).
 */
function targetAt(context: SchemaContext, file: string, range: SourceRange, schema: string, table: string): string | undefined {
  const text = context.textAt?.(file, range.startOffset, range.endOffset);
  if (text === undefined) return qualifiedName(schema, table);
  const unquote = (w: string): string => (w.startsWith('"') ? w.slice(1, -1).replace(/""/g, '"') : w.toLowerCase());
  const qualifiers = new Set<string>();
  for (const m of text.matchAll(/(?:("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*\.\s*)?("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)/g)) {
    if (unquote(m[2]) === table) qualifiers.add(m[1] === undefined ? '' : unquote(m[1]));
  }
  if (qualifiers.has(schema)) return qualifiedName(schema, table);
  if (qualifiers.has('')) return schema === 'public' ? qualifiedName(schema, table) : quoteIdent(table);
  return qualifiers.size === 0 ? qualifiedName(schema, table) : undefined;
}

/** Whether the statement declaring the key names the table and columns as the final schema does (no later rename). */
function namesAt(context: SchemaContext, file: string, range: SourceRange, table: string, columns: string[]): boolean {
  const text = context.textAt?.(file, range.startOffset, range.endOffset);
  if (text === undefined) return true;
  const words = new Set((text.match(/"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*/g) ?? []).map((w) => (w.startsWith('"') ? w.slice(1, -1).replace(/""/g, '"') : w.toLowerCase())));
  return [table, ...columns].every((name) => words.has(name));
}

import { createHash } from 'node:crypto';
import type { Rule, SchemaContext } from '../rule';
import type { SourceRange } from '../../types';
import type { ForeignKey, Index, SchemaModel, Table } from '../../schema/model';
import { MAX_IDENTIFIER_BYTES, identifierByteLength } from './identifier-too-long';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';
import { addStatementsAfterIn } from '../rule-helpers';

/**
 * fk-without-index: a foreign key whose columns are not the leading columns of an index on
 * the referencing table.
 *
 * Exported for the Prisma and live-catalog checks, with the same semantics:
 * - `indexServesColumns(index, columns)`: a valid b-tree index whose first `columns.length` key
 *   columns are exactly `columns`, in any order, and which is not partial — or partial only on key
 *   columns being NOT NULL, which every lookup of the key implies.
 * - `unindexedForeignKeys(table)`: the table's foreign keys no index (primary key and unique
 *   constraints included) serves, in definition order.
 * - `foreignKeyIndexName(fk, taken)`: the name the fix gives the new index, never one of `taken`.
 * - `relationNamesIn(model, schema)`: the relation names a model knows in a schema (what `taken` holds).
 * - `foreignKeyIndexNamer(takenIn)`: names for every fix of one run (see there).
 */
export function indexServesColumns(index: Pick<Index, 'columns' | 'method' | 'where' | 'valid'>, columns: string[]): boolean {
  if (!index.valid || (index.method || 'btree') !== 'btree') return false;
  if (index.where !== undefined && !onlyKeyNotNull(index.where, columns)) return false;
  if (columns.length === 0 || index.columns.length < columns.length) return false;
  const leading = new Set(index.columns.slice(0, columns.length));
  return columns.every((c) => leading.has(c));
}

/**
 * A predicate that only says key columns are not null (`fk IS NOT NULL`, `(a IS NOT NULL) AND (b IS
 * NOT NULL)`): every lookup of the key (`fk = $1`, as the referential checks and actions run it)
 * implies it, `=` being strict, and the planner proves that, generic plans included. Anything else
 * is not trusted.
 */
function onlyKeyNotNull(where: string, columns: string[]): boolean {
  const terms = where.trim().split(/\s+AND\s+/i);
  return terms.every((term) => {
    const m = /^\(*\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s+IS\s+NOT\s+NULL\s*\)*$/i.exec(term.trim());
    if (!m) return false;
    const name = m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1].toLowerCase();
    return columns.includes(name);
  });
}

export function unindexedForeignKeys(table: Table): ForeignKey[] {
  const candidates: Array<Pick<Index, 'columns' | 'method' | 'where' | 'valid'>> = [...table.indexes];
  if (table.primaryKey) candidates.push({ columns: table.primaryKey.columns, method: 'btree', valid: true });
  return table.foreignKeys.filter((fk) => !candidates.some((index) => indexServesColumns(index, fk.columns)));
}

/**
 * `<table>_<columns>_idx`, as Prisma and most people name it — unless that name is taken or longer
 * than 63 bytes: then, as the index advisor names its indexes (advise/candidates.ts `indexName`),
 * it ends in a hash of the whole name instead (`<table>_<columns, cut>_<8 hex>_idx`), cut by code
 * points, never inside a multi-byte character. Indexes share their schema's namespace with tables,
 * sequences and views: a name already there would make `CREATE INDEX` fail, or with `IF NOT EXISTS`
 * do nothing and leave the key unindexed.
 */
export function foreignKeyIndexName(fk: Pick<ForeignKey, 'table' | 'columns'>, taken: ReadonlySet<string> = new Set()): string {
  const name = `${fk.table}_${fk.columns.join('_')}_idx`;
  if (identifierByteLength(name) <= MAX_IDENTIFIER_BYTES && !taken.has(name)) return name;
  const head = Array.from(name.slice(0, -'_idx'.length));
  for (let attempt = 0; ; attempt++) {
    // The advisor's hash input, so both name one key's index alike; a further attempt only on a hash collision.
    const input = `${name}\0${fk.columns.join('\0')}${attempt > 0 ? `\0${attempt}` : ''}`;
    const end = `_${createHash('sha1').update(input).digest('hex').slice(0, 8)}_idx`;
    let keep = head.length;
    while (keep > 0 && identifierByteLength(head.slice(0, keep).join('') + end) > MAX_IDENTIFIER_BYTES) keep--;
    const candidate = head.slice(0, keep).join('') + end;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Every relation name the model knows in `schema`: tables and their indexes, primary-key and unique
 * constraints (whose indexes bear their names). The SchemaModel holds no views or sequences; a live
 * catalog adds them (health/findings.ts).
 */
export function relationNamesIn(model: SchemaModel, schema: string): Set<string> {
  const names = new Set<string>();
  for (const table of model.tables.values()) {
    if (table.schema !== schema) continue;
    names.add(table.name);
    if (table.primaryKey?.name) names.add(table.primaryKey.name);
    for (const index of table.indexes) names.add(index.name);
  }
  return names;
}

/**
 * Names for the indexes of one run of fixes: each avoids `takenIn(schema)` (read once per schema) and
 * the names given before in the run, so two fixes never create the same name; a second key on the
 * same table and columns gets the same name again (one index serves both).
 */
export function foreignKeyIndexNamer(takenIn: (schema: string) => Iterable<string>): (fk: Pick<ForeignKey, 'schema' | 'table' | 'columns'>) => string {
  const taken = new Map<string, Set<string>>();
  const given = new Map<string, string>();
  return (fk) => {
    const key = [fk.schema, fk.table, ...fk.columns].join('\0');
    const again = given.get(key);
    if (again !== undefined) return again;
    let names = taken.get(fk.schema);
    if (!names) taken.set(fk.schema, (names = new Set(takenIn(fk.schema))));
    const name = foreignKeyIndexName(fk, names);
    names.add(name);
    given.set(key, name);
    return name;
  };
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

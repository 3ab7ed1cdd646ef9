import { createHash } from 'node:crypto';
import type { ForeignKey, Index, SchemaModel, Table } from './model';
import { identifierByteLength, MAX_IDENTIFIER_BYTES } from './identifier-length';

/**
 * Indexes serving foreign keys, for the fk-without-index rule (SQL and Prisma), the live-catalog
 * check and the ERD:
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

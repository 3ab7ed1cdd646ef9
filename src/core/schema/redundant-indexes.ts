import type { Index, IndexKeyOptions, Table } from './model';

/**
 * Redundant indexes of a table, for the duplicate-index rule (SQL and Prisma) and the live-catalog
 * check:
 * - `coversIndex(redundant, by)`: `by` answers every lookup `redundant` can: same method and
 *   same partial predicate (both none, or the same text), `redundant`'s key columns (expressions
 *   compared by their text) are a leading prefix of `by`'s with the same operator classes and
 *   collations, in the same order or all reversed (a b-tree reads backwards as well), and its
 *   INCLUDE columns are all in `by`. A `text_pattern_ops` or `COLLATE "C"` index on a column
 *   serves LIKE prefixes and byte-order sorts the plain one cannot: not a duplicate.
 * - `redundantIndexes(table)`: each redundant index with the index that covers it (an exact
 *   equal preferred, then the earliest), in `table.indexes` order.
 */
export function coversIndex(redundant: Index, by: Index): boolean {
  if (redundant === by || redundant.unique || redundant.primary || redundant.constraint) return false;
  if ((redundant.method || 'btree') !== (by.method || 'btree')) return false;
  if (normalisePredicate(redundant.where) !== normalisePredicate(by.where)) return false;
  if (!by.valid || redundant.columns.length === 0 || redundant.columns.length > by.columns.length) return false;
  if (!redundant.columns.every((c, i) => c === by.columns[i])) return false;
  if (!sameKeyOptions(redundant, by)) return false;
  const byColumns = new Set([...by.columns, ...by.include]);
  return redundant.include.every((c) => byColumns.has(c));
}

function sameKeyOptions(redundant: Index, by: Index): boolean {
  const key = (index: Index, i: number): IndexKeyOptions => index.keyOptions?.[i] ?? {};
  let forward = true;
  let backward = true;
  for (let i = 0; i < redundant.columns.length; i++) {
    const a = key(redundant, i);
    const b = key(by, i);
    if ((a.opclass ?? '') !== (b.opclass ?? '') || (a.collation ?? '') !== (b.collation ?? '')) return false;
    const [aDesc, aNullsFirst] = [Boolean(a.descending), a.nullsFirst ?? Boolean(a.descending)];
    const [bDesc, bNullsFirst] = [Boolean(b.descending), b.nullsFirst ?? Boolean(b.descending)];
    forward &&= aDesc === bDesc && aNullsFirst === bNullsFirst;
    backward &&= aDesc !== bDesc && aNullsFirst !== bNullsFirst;
  }
  return forward || backward;
}

export function redundantIndexes(table: Table): { redundant: Index; coveredBy: Index }[] {
  const out: { redundant: Index; coveredBy: Index }[] = [];
  table.indexes.forEach((index, position) => {
    const covering = table.indexes.filter((other, otherPosition) => {
      if (!coversIndex(index, other)) return false;
      // Of two identical non-unique indexes only the later one is redundant.
      return !(isIdentical(index, other) && !other.unique && otherPosition > position);
    });
    if (covering.length === 0) return;
    const exact = covering.find((c) => c.columns.length === index.columns.length);
    out.push({ redundant: index, coveredBy: exact ?? covering[0] });
  });
  return out;
}

function isIdentical(a: Index, b: Index): boolean {
  return a.columns.length === b.columns.length && a.include.length === b.include.length && a.include.every((c) => b.include.includes(c));
}

function normalisePredicate(where: string | undefined): string | undefined {
  return where?.replace(/\s+/g, ' ').trim().toLowerCase();
}

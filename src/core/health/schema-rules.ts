import type { ForeignKey, Index, Table } from '../schema/model';

/** What the linter's schema rules (RULES.md) find on one table of the live catalog. */
export interface SchemaRuleViolations {
  missingPrimaryKey: boolean;
  unindexedForeignKeys: ForeignKey[];
  redundantIndexes: { index: Index; coveredBy: Index }[];
}

export function schemaRuleViolations(table: Table): SchemaRuleViolations {
  return {
    missingPrimaryKey: !table.primaryKey,
    unindexedForeignKeys: unindexedForeignKeys(table),
    redundantIndexes: redundantIndexes(table),
  };
}

/** fk-without-index: the FK columns are not the leading columns (any order) of some valid index, primary key or unique constraint. */
function unindexedForeignKeys(table: Table): ForeignKey[] {
  const leading = table.indexes.filter((i) => i.valid && !i.where).map((i) => i.columns);
  if (table.primaryKey) leading.push(table.primaryKey.columns);
  return table.foreignKeys.filter(
    (fk) => !leading.some((cols) => cols.length >= fk.columns.length && fk.columns.every((c) => cols.slice(0, fk.columns.length).includes(c))),
  );
}

/**
 * duplicate-index: a non-unique index whose columns equal, or are a leading prefix of,
 * another index's on the same table; of two identical ones, the later is reported.
 */
function redundantIndexes(table: Table): { index: Index; coveredBy: Index }[] {
  const out: { index: Index; coveredBy: Index }[] = [];
  const candidates = table.indexes.filter((i) => i.valid);
  candidates.forEach((index, position) => {
    if (index.unique || index.primary || index.constraint) return;
    const coveredBy = candidates.find((other, otherPosition) => {
      if (other === index || other.method !== index.method || (other.where ?? '') !== (index.where ?? '')) return false;
      if (other.columns.length < index.columns.length) return false;
      if (!index.columns.every((c, k) => other.columns[k] === c)) return false;
      const identical = other.columns.length === index.columns.length;
      // Of two identical plain indexes, the one defined later is redundant; a unique one always wins.
      return !identical || other.unique || other.primary || other.constraint || otherPosition < position;
    });
    if (coveredBy) out.push({ index, coveredBy });
  });
  return out;
}

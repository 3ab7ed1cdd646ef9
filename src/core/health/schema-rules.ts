import { unindexedForeignKeys } from '../schema/foreign-key-indexes';
import { hasPrimaryKey } from '../schema/primary-key';
import { redundantIndexes } from '../schema/redundant-indexes';
import type { ForeignKey, Index, Table } from '../schema/model';

/** What the linter's schema rules find on one table of the live catalog: the linter's own predicates, so semantics match. */
export interface SchemaRuleViolations {
  missingPrimaryKey: boolean;
  unindexedForeignKeys: ForeignKey[];
  redundantIndexes: { redundant: Index; coveredBy: Index }[];
}

export function schemaRuleViolations(table: Table): SchemaRuleViolations {
  return {
    missingPrimaryKey: !hasPrimaryKey(table),
    unindexedForeignKeys: unindexedForeignKeys(table),
    redundantIndexes: redundantIndexes(table),
  };
}

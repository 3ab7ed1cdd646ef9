import type { Rule } from '../rule';
import { redundantIndexes } from '../../schema/redundant-indexes';
import { qualifiedName } from '../../sql/quote-ident';

/**
 * duplicate-index: a non-unique index whose key columns equal, or are a leading prefix of,
 * another index's on the same table. Reported once, on the redundant index; of two identical
 * indexes, the one defined later (later in `table.indexes`).
 */
export const rule: Rule = {
  id: 'duplicate-index',
  kind: 'schema',
  defaultSeverity: 'warning',
  docs: {
    description: 'An index whose columns another index already leads with: every write maintains both, for no read it can serve better.',
  },
  check(context) {
    for (const table of context.schema.tables.values()) {
      for (const { redundant, coveredBy } of redundantIndexes(table)) {
        if (!redundant.source) continue;
        const same = redundant.columns.length === coveredBy.columns.length;
        context.report({
          file: redundant.source.file,
          message:
            `index ${redundant.name} (${redundant.columns.join(', ')}) is redundant: ${coveredBy.name} (${coveredBy.columns.join(', ')}) ` +
            `${same ? 'has the same columns' : 'starts with the same columns'} and serves the same lookups, ` +
            `yet every INSERT, UPDATE and DELETE on ${table.name} maintains both and both take memory and disk; ` +
            `drop it with DROP INDEX CONCURRENTLY ${qualifiedName(redundant.schema, redundant.name)}`,
          range: redundant.source.range,
        });
      }
    }
  },
};

import { relationName } from '../../sql/ast';
import type { Index } from '../../schema/model';
import { qualifiedName } from '../../sql/quote-ident';
import type { StatementRule } from '../rule';
import { findWord } from '../rule-helpers';
import { nodeOf } from '../../sql/nodes';

/**
 * matview-refresh-needs-unique-index: `REFRESH MATERIALIZED VIEW CONCURRENTLY` on a view that has,
 * at that point of the migration set, no unique index Postgres accepts for it. The refresh fails
 * and the migration aborts. Views the set does not create (made by hand, by another tool, or in a
 * DO block) are not judged: their indexes are unknown.
 *
 * Exported for the live-catalog check: `isRefreshKey(index)`, a unique index REFRESH … CONCURRENTLY
 * accepts: valid, on plain columns only (an expression key appears as `(…)`), without WHERE.
 */
export function isRefreshKey(index: Index): boolean {
  return index.unique && index.valid && index.where === undefined && index.columns.length > 0 && index.columns.every((c) => !c.startsWith('('));
}

export const rule: StatementRule = {
  id: 'matview-refresh-needs-unique-index',
  kind: 'statement',
  defaultSeverity: 'error',
  docs: {
    description: 'REFRESH MATERIALIZED VIEW CONCURRENTLY on a view without a unique index on plain columns fails: the migration aborts.',
  },
  check(context) {
    const node = nodeOf(context.statement.ast, 'RefreshMatViewStmt');
    // CONCURRENTLY with WITH NO DATA fails anyway: require-concurrent-refresh says so.
    if (!node?.concurrent || node.skipData) return;
    const rel = relationName(node.relation);
    const view = rel && context.materializedView(rel);
    if (!view || view.maybeOlder || view.indexes.some(isRefreshKey)) return;
    const statement = context.statement;
    const word = findWord(statement, ['CONCURRENTLY']);
    const name = qualifiedName(view.schema, view.name);
    const unusable = view.indexes.filter((i) => i.unique);
    context.report({
      message:
        `REFRESH MATERIALIZED VIEW CONCURRENTLY ${name} fails with "cannot refresh materialized view "${view.schema}.${view.name}" concurrently": ` +
        `${name} has no unique index on plain columns without WHERE` +
        (unusable.length > 0 ? ` (${unusable.map((i) => i.name).join(', ')} ${unusable.length === 1 ? 'is' : 'are'} partial or on expressions, which does not count)` : '') +
        `; create one first on the columns that identify a row of the view (CREATE UNIQUE INDEX ON ${name} (…)), or refresh without CONCURRENTLY. This migration aborts.`,
      range: word ? statement.rangeOf(word.start, word.end) : statement.range,
    });
  },
};

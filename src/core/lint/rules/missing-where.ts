import type { Rule } from '../rule';
import { nameRange, tokenIndexAt } from '../../sql/ast';
import type { DeleteStmt, UpdateStmt } from '../../sql/nodes';
import { forEachNode } from './support/query-walk';

/**
 * missing-where: UPDATE or DELETE without WHERE, at top level or in a WITH clause. In a query
 * file it is an error (a forgotten WHERE); in a migration it is a deliberate backfill, and the
 * warning is about running it on an existing table inside the deploy.
 */
export const rule: Rule = {
  id: 'missing-where',
  kind: 'statement',
  defaultSeverity: 'error',
  docs: {
    description: 'UPDATE or DELETE without WHERE touches every row of the table.',
  },
  check(context) {
    const { statement } = context;
    const visit = (verb: 'UPDATE' | 'DELETE') => (node: UpdateStmt | DeleteStmt) => {
      if (node.whereClause || !node.relation) return;
      const table = node.relation.relname;
      const name = nameRange(statement, node.relation.location);
      const tokens = statement.tokens();
      let i = tokenIndexAt(tokens, name.startOffset);
      while (i > 0 && tokens[i].word !== verb && name.startOffset - tokens[i].start < 64) i--;
      const start = tokens[i]?.word === verb ? tokens[i].start : name.startOffset;
      if (context.migration) {
        // A migration's backfill is deliberate: a table it created has no traffic yet; on an
        // existing one the risk is the deploy's long transaction, not the missing WHERE.
        if (!context.isExistingTable(node.relation.schemaname, table)) return;
        const scope = context.inTransaction ? "in the migration's transaction" : 'in one statement';
        context.report({
          severity: 'warning',
          message:
            verb === 'DELETE'
              ? `This DELETE removes every row of existing table ${table} ${scope} during the deploy: each deleted row stays locked (writes to it wait) until it commits, ` +
                'with row triggers and foreign-key checks for each. Use TRUNCATE when emptying the table is the intent; otherwise delete in batches outside the deploy.'
              : `This backfill rewrites every row of existing table ${table} ${scope} during the deploy: every row stays locked until it commits (writes to ${table} wait), ` +
                'the table doubles in size until vacuum, and replicas lag. Update in batches (by key ranges, each committed) outside the migration, or as a background job.',
          range: statement.rangeOf(start, name.endOffset),
        });
        return;
      }
      context.report({
        message:
          verb === 'DELETE'
            ? `DELETE without WHERE removes every row of ${table}, firing row triggers and foreign-key checks for each, in one transaction; ` +
              'add a WHERE clause (or use TRUNCATE when emptying the table is the intent)'
            : `UPDATE without WHERE rewrites every row of ${table}: a new version of each row (the table doubles in size until vacuum), ` +
              'every row locked until commit, every index updated; add a WHERE clause',
        range: statement.rangeOf(start, name.endOffset),
      });
    };
    forEachNode(statement.ast, 'UpdateStmt', visit('UPDATE'));
    forEachNode(statement.ast, 'DeleteStmt', visit('DELETE'));
  },
};

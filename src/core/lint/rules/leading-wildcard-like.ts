import type { Rule } from '../rule';
import { stringList } from '../../sql/ast';
import { nodeOf } from '../../sql/nodes';
import { forEachNode, stringConstant } from './support/query-walk';

/**
 * leading-wildcard-like: LIKE / ILIKE / NOT LIKE (or the ~~ operators) with a pattern literal
 * starting with '%', anywhere in the statement (subqueries, CTEs, UPDATE/DELETE filters).
 */
const LIKE_OPERATORS: Record<string, string> = { '~~': 'LIKE', '~~*': 'ILIKE', '!~~': 'NOT LIKE', '!~~*': 'NOT ILIKE' };

export const rule: Rule = {
  id: 'leading-wildcard-like',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: {
    description: "A LIKE pattern starting with '%' cannot use a b-tree index: every row is read and tested.",
  },
  check(context) {
    forEachNode(context.statement.ast, 'A_Expr', (expr) => {
      if (expr.kind !== 'AEXPR_LIKE' && expr.kind !== 'AEXPR_ILIKE' && expr.kind !== 'AEXPR_OP') return;
      const operator = LIKE_OPERATORS[stringList(expr.name)[0] ?? ''];
      const pattern = stringConstant(expr.rexpr);
      if (!operator || !pattern || !pattern.value.startsWith('%')) return;
      const column = stringList(nodeOf(expr.lexpr, 'ColumnRef')?.fields);
      const on = column.length ? ` on ${column.join('.')}` : '';
      context.report({
        message:
          `${operator} '${pattern.value}' starts with a wildcard: no b-tree index can serve it, so Postgres reads every row and tests the pattern${on} ` +
          '(a full scan that grows with the table); a pg_trgm GIN index (USING gin (col gin_trgm_ops)) can serve it',
        range: context.statement.locate(pattern.location),
      });
    });
  },
};

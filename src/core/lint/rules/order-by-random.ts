import type { Rule } from '../rule';
import { tokenIndexAt } from '../../sql/ast';
import { nodeOf } from '../../sql/nodes';
import { closingParen } from './support/column-definitions';
import { forEachSelect, functionName, integerLiteral } from './support/query-walk';

/** order-by-random: `ORDER BY random()` in any SELECT of the statement. */
export const rule: Rule = {
  id: 'order-by-random',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: {
    description: 'ORDER BY random() reads and sorts every row of the input to return a few: cost grows with the table.',
  },
  check(context) {
    const { statement } = context;
    forEachSelect(statement.ast, (select) => {
      for (const sort of select.sortClause ?? []) {
        const call = nodeOf(nodeOf(sort, 'SortBy')?.node, 'FuncCall');
        if (!call || functionName(call) !== 'random' || (call.args ?? []).length > 0) continue;
        const limit = integerLiteral(select.limitCount);
        const tokens = statement.tokens();
        const first = tokenIndexAt(tokens, statement.offsetOf(call.location));
        let open = first;
        while (open < tokens.length && tokens[open].text !== '(') open++;
        const close = closingParen(tokens, open);
        const range = close > 0 ? statement.rangeOf(tokens[first].start, tokens[close].end) : statement.locate(call.location);
        context.report({
          message:
            `ORDER BY random() computes random() for every row of the input and sorts them all${limit !== undefined ? ` to return ${limit}` : ''}: ` +
            'the cost grows with the table, not the result; sample with TABLESAMPLE SYSTEM/BERNOULLI, or pick random key values and fetch those',
          range,
        });
      }
    });
  },
};

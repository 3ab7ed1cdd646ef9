import type { StatementRule } from '../rule';
import { findWord } from '../rule-helpers';
import { nodeOf } from '../../sql/nodes';

/** TRUNCATE … CASCADE also empties every table that references the truncated ones, transitively. */
export const rule: StatementRule = {
  id: 'ban-truncate-cascade',
  kind: 'statement',
  defaultSeverity: 'error',
  docs: { description: 'TRUNCATE … CASCADE silently empties every table with a foreign key to the truncated ones.' },
  check(context) {
    const node = nodeOf(context.statement.ast, 'TruncateStmt');
    if (!node || node.behavior !== 'DROP_CASCADE') return;
    const word = findWord(context.statement, ['CASCADE']);
    context.report({
      message:
        'TRUNCATE … CASCADE also empties every table that references these, and the tables referencing those, under ACCESS EXCLUSIVE locks. ' +
        'Name each table to truncate explicitly.',
      range: word ? context.statement.rangeOf(word.start, word.end) : context.statement.range,
    });
  },
};

import type { Rule } from '../rule';
import { columnDefinitions } from './support/column-definitions';

/**
 * ban-char-field: `char(n)` / `character(n)` (blank-padded). The single-byte internal type
 * `"char"` is a different type and is not reported.
 */
export const rule: Rule = {
  id: 'ban-char-field',
  kind: 'statement',
  defaultSeverity: 'info',
  fixable: true,
  docs: {
    description: 'char(n) pads values with blanks: = ignores the padding, LIKE and clients see it.',
  },
  check(context) {
    for (const col of columnDefinitions(context.statement, context.schema)) {
      const internalChar = col.typeNames.length === 1 && col.typeNames[0] === 'char';
      if (col.type !== 'char' || internalChar) continue;
      const n = col.typeModifiers[0] ?? 1;
      context.report({
        message:
          `"${col.column}" is char(${n}): every value is blank-padded to ${n} characters, so clients read the padding back, ` +
          "LIKE sees the padding while = ignores it ('ab' = 'ab' but not LIKE 'ab'), and it is no faster than text; use text or varchar",
        range: col.range,
        fix: { title: `Use varchar(${n})`, edits: [{ range: col.typeRange, newText: `varchar(${n})` }] },
      });
    }
  },
};

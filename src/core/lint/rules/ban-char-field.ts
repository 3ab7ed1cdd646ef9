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
    description: 'char(n) pads values with blanks: trailing spaces vanish in comparisons but not in lengths, LIKE or clients.',
  },
  check(context) {
    for (const col of columnDefinitions(context.statement, context.schema)) {
      const internalChar = col.typeNames.length === 1 && col.typeNames[0] === 'char';
      if (col.type !== 'char' || internalChar) continue;
      const n = col.typeModifiers[0] ?? 1;
      context.report({
        message:
          `"${col.column}" is char(${n}): every value is blank-padded to ${n} characters, so clients read the padding back, ` +
          'LIKE and casts to text disagree with = about trailing spaces, and it is no faster than text; use text or varchar',
        range: col.range,
        fix: { title: `Use varchar(${n})`, edits: [{ range: col.typeRange, newText: `varchar(${n})` }] },
      });
    }
  },
};

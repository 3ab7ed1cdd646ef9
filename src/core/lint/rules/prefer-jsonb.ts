import type { Rule } from '../rule';
import { columnDefinitions } from './support/column-definitions';

/** prefer-jsonb: `json` columns (text kept verbatim and re-parsed on every access). */
export const rule: Rule = {
  id: 'prefer-jsonb',
  kind: 'statement',
  defaultSeverity: 'info',
  fixable: true,
  docs: {
    description: 'json is stored as text and re-parsed on every access; it has no GIN index support and no equality operator.',
  },
  check(context) {
    for (const col of columnDefinitions(context.statement, context.schema)) {
      if (col.type !== 'json') continue;
      context.report({
        message:
          `"${col.column}" is json: the text is re-parsed on every ->/->> access, it cannot have a GIN index for @> or ? lookups, ` +
          'and it has no equality operator (DISTINCT, GROUP BY and UNION on it fail); use jsonb',
        range: col.range,
        fix: { title: 'Use jsonb', edits: [{ range: col.typeRange, newText: 'jsonb' }] },
      });
    }
  },
};

import type { Rule } from '../rule';
import { columnDefinitions } from './support/column-definitions';

/** prefer-timestamptz: `timestamp` (without time zone) columns; the fix keeps the precision. */
export const rule: Rule = {
  id: 'prefer-timestamptz',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: {
    description:
      'timestamp without time zone stores wall-clock time with no zone: values shift by hours between sessions and servers with different TimeZone.',
  },
  check(context) {
    for (const col of columnDefinitions(context.statement, context.schema)) {
      if (col.type !== 'timestamp') continue;
      const precision = col.typeModifiers.length === 1 ? `(${col.typeModifiers[0]})` : '';
      context.report({
        message:
          `"${col.column}" is timestamp without time zone: it stores wall-clock time with no zone, so now() is recorded in the session's ` +
          'TimeZone, clients in other zones read it hours off, and the DST fall-back hour is ambiguous; use timestamptz (same 8 bytes)',
        range: col.range,
        fix: { title: `Use timestamptz${precision}`, edits: [{ range: col.typeRange, newText: `timestamptz${precision}` }] },
      });
    }
  },
};

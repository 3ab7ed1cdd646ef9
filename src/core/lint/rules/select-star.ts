import type { Rule } from '../rule';
import type { Statement } from '../../sql/statement';
import { tokenIndexAt } from '../../sql/ast';
import { nodeOf } from '../../sql/nodes';
import type { SourceRange } from '../../types';
import { findTable, fromTables, outputSelects } from './support/query-walk';
import { quoteIdent } from '../../sql/quote-ident';

/**
 * select-star: `*` or `t.*` in the output list of a top-level query (each arm of a UNION,
 * the final SELECT after WITH). Stars inside EXISTS, subqueries and CTE bodies, and
 * `count(*)`, are not the result's shape and are left alone. When the star's table is known
 * from the schema and it is the only table, the fix lists its columns.
 */
export const rule: Rule = {
  id: 'select-star',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: {
    description: 'SELECT * ties the result to the table layout: a new column changes what every client receives and drags wide values over the wire.',
  },
  check(context) {
    const { statement } = context;
    for (const select of outputSelects(statement.ast)) {
      const tables = fromTables(select);
      for (const target of select.targetList ?? []) {
        const ref = nodeOf(nodeOf(target, 'ResTarget')?.val, 'ColumnRef');
        const fields = ref?.fields ?? [];
        if (!ref || fields.length === 0 || !fields[fields.length - 1].A_Star) continue;
        const qualifier = fields.length >= 2 ? nodeOf(fields[fields.length - 2], 'String')?.sval : undefined;
        const written = qualifier ? `${qualifier}.*` : '*';
        const from = qualifier ? tables.filter((t) => t.refName === qualifier) : tables.length === 1 && (select.fromClause ?? []).length === 1 ? tables : [];
        const found = from.length === 1 ? findTable(context.schema, from[0]) : undefined;
        // A table whose columns the model does not know (CREATE TABLE AS) is treated as unknown.
        const table = found && found.columns.length > 0 ? found : undefined;
        const columns = table?.columns.map((c) => c.name) ?? [];
        const range = starRange(statement, ref.location);
        const what = table ? `all ${columns.length} columns of ${table.name}` : 'every column';
        context.report({
          message:
            `SELECT ${written} returns ${what}: adding, dropping or reordering a column changes what every client receives, ` +
            'wide and TOASTed values are read and sent even when unused, and index-only scans are impossible; list the columns the code needs',
          range,
          fix:
            table
              ? {
                  title: `List the ${columns.length} columns of ${table.name}`,
                  edits: [{ range, newText: columns.map((c) => (qualifier ? `${quoteIdent(qualifier)}.${quoteIdent(c)}` : quoteIdent(c))).join(', ') }],
                }
              : undefined,
        });
      }
    }
  },
};

/** From the ColumnRef's start to its '*'. */
function starRange(statement: Statement, location: number | undefined): SourceRange {
  const tokens = statement.tokens();
  let i = tokenIndexAt(tokens, statement.offsetOf(location));
  const first = i;
  while (i < tokens.length && tokens[i].text !== '*') i++;
  if (i >= tokens.length) return statement.locate(location);
  return statement.rangeOf(tokens[first].start, tokens[i].end);
}

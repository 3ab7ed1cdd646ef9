import type { Rule } from '../rule';
import { nameRange, stringList, walk, type Node } from '../../sql/ast';
import type { Table } from '../../schema/model';
import { findTable, fromTables, functionName, outputSelects, type FromTable } from './support/query-walk';
import { nodeOf, type SelectStmt } from '../../sql/nodes';

/**
 * unbounded-select (off by default): a top-level SELECT from a table with no LIMIT, no
 * aggregate and no equality on a key. A key is the primary key or a non-partial unique index
 * of a table in FROM, all of whose columns are compared with `=` (or IN / = ANY) to values
 * that do not come from another column. A table the schema does not know counts as keyed by
 * an `id` column.
 */
const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'json_object_agg',
  'jsonb_object_agg', 'bool_and', 'bool_or', 'every', 'bit_and', 'bit_or', 'xmlagg', 'stddev', 'variance',
  'percentile_cont', 'percentile_disc', 'mode',
]);

export const rule: Rule = {
  id: 'unbounded-select',
  kind: 'statement',
  defaultSeverity: 'off',
  docs: {
    description: 'A SELECT with no LIMIT, aggregate or key lookup returns the whole table: its time and memory grow with the data.',
  },
  check(context) {
    const { statement } = context;
    const root = nodeOf(statement.ast, 'SelectStmt');
    if (!root || hasLimit(root) || root.intoClause) return;
    for (const select of outputSelects(statement.ast)) {
      if (hasLimit(select) || select.groupClause || hasAggregate(select.targetList)) continue;
      const tables = fromTables(select);
      if (tables.length === 0) continue;
      const equated = equatedColumns(select.whereClause);
      if (tables.some((t) => isKeyed(t, findTable(context.schema, t), equated))) continue;
      const first = tables[0];
      context.report({
        message:
          `SELECT from ${first.name} has no LIMIT, no aggregate and no equality on a key: it returns every matching row, ` +
          'so its time, memory and network use grow with the table (and clients buffer the whole result); add a LIMIT or filter on a key',
        range: nameRange(statement, first.node.location),
      });
    }
  },
};

function hasLimit(select: SelectStmt): boolean {
  const count = select.limitCount;
  return count !== undefined && !nodeOf(count, 'A_Const')?.isnull;
}

/** An aggregate call in the output list; scalar subqueries there aggregate their own rows, not these. */
function hasAggregate(node: unknown): boolean {
  let found = false;
  walk(node, (value, key) => {
    if (key === 'SubLink') return 'skip';
    if (key === 'FuncCall' && !value.over && (value.agg_star || AGGREGATES.has(functionName(value)))) {
      found = true;
      return 'stop';
    }
  });
  return found;
}

/** Columns (qualifier, name) compared with = / IN / = ANY to a value from no column, in the WHERE's top-level ANDs. */
function equatedColumns(where: Node | undefined): Array<{ qualifier?: string; name: string }> {
  const out: Array<{ qualifier?: string; name: string }> = [];
  const and = nodeOf(where, 'BoolExpr');
  const conjuncts = and?.boolop === 'AND_EXPR' ? and.args : where ? [where] : [];
  for (const c of conjuncts) {
    const e = nodeOf(c, 'A_Expr');
    if (!e || stringList(e.name)[0] !== '=' || !['AEXPR_OP', 'AEXPR_IN', 'AEXPR_OP_ANY'].includes(e.kind)) continue;
    for (const [col, value] of [[e.lexpr, e.rexpr], [e.rexpr, e.lexpr]]) {
      const fields = stringList(nodeOf(col, 'ColumnRef')?.fields);
      if (fields.length === 0 || referencesColumn(value)) continue;
      out.push({ qualifier: fields.length > 1 ? fields[fields.length - 2] : undefined, name: fields[fields.length - 1] });
    }
  }
  return out;
}

function referencesColumn(node: Node | undefined): boolean {
  if (!node) return true;
  if (node.ColumnRef) return true;
  let found = false;
  walk(node, (_n, key) => {
    if (key === 'ColumnRef') found = true;
  });
  return found;
}

function isKeyed(from: FromTable, table: Table | undefined, equated: Array<{ qualifier?: string; name: string }>): boolean {
  const names = new Set(equated.filter((e) => !e.qualifier || e.qualifier === from.refName).map((e) => e.name));
  if (!table) return names.has('id');
  const keys: string[][] = [];
  if (table.primaryKey) keys.push(table.primaryKey.columns);
  for (const index of table.indexes) if (index.unique && index.where === undefined) keys.push(index.columns);
  return keys.some((key) => key.length > 0 && key.every((c) => names.has(c)));
}

import { serialBaseType } from '../../schema/type-names';
import { nodeOf } from '../../sql/nodes';
import type { StatementRule } from '../rule';
import { alterTable, qualified, addedColumns } from '../rule-helpers';

/** ADD COLUMN … NOT NULL without a DEFAULT fails on any table that has rows. */
export const rule: StatementRule = {
  id: 'adding-required-field',
  kind: 'statement',
  defaultSeverity: 'error',
  docs: { description: 'ADD COLUMN … NOT NULL without DEFAULT fails on a table with rows ("column contains null values").' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    for (const def of addedColumns(target)) {
      const kinds = new Set((def.constraints ?? []).map((c) => nodeOf(c, 'Constraint')?.contype));
      const required = def.is_not_null || kinds.has('CONSTR_NOTNULL') || kinds.has('CONSTR_PRIMARY');
      // `DEFAULT NULL` fills nothing: the NOT NULL still fails on the first row.
      const nullDefault = (def.constraints ?? []).some((c) => {
        const con = nodeOf(c, 'Constraint');
        return con?.contype === 'CONSTR_DEFAULT' && nodeOf(con.raw_expr, 'A_Const')?.isnull;
      });
      const filled = (kinds.has('CONSTR_DEFAULT') && !nullDefault) || kinds.has('CONSTR_IDENTITY') || kinds.has('CONSTR_GENERATED');
      const typeNames = def.typeName?.names ?? [];
      const serial = typeNames.length === 1 && serialBaseType(nodeOf(typeNames[0], 'String')?.sval ?? '') !== undefined;
      if (!required || filled || serial) continue;
      context.report({
        message:
          `Adding NOT NULL column ${def.colname} without a DEFAULT to existing table ${qualified(target.relation)} fails ` +
          '("column contains null values") as soon as the table has rows. Add a constant DEFAULT (no rewrite since Postgres 11), ' +
          'or add the column nullable, backfill it, then SET NOT NULL.',
        range: context.statement.constructRange(def.location),
      });
    }
  },
};

import { constInt, stringList, type Node } from '../../sql/ast';
import type { Column } from '../../schema/model';
import { canonicalFromNames } from '../../schema/type-names';
import type { StatementRule } from '../rule';
import { alterTable, qualified } from '../rule-helpers';

/** ALTER COLUMN … TYPE rewrites the table and its indexes, except for a few binary-compatible widenings. */
export const rule: StatementRule = {
  id: 'changing-column-type',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'ALTER COLUMN … TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock.' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    const table = context.table(target.relation);
    for (const { cmd, range } of target.commands) {
      const typeName: Node | undefined = cmd.subtype === 'AT_AlterColumnType' ? cmd.def?.ColumnDef?.typeName : undefined;
      if (!typeName) continue;
      const column = table?.columns.find((c) => c.name === cmd.name);
      const newType = canonicalFromNames(stringList(typeName.names));
      const mods = (typeName.typmods ?? []).map((m: Node) => constInt(m));
      const isArray = Array.isArray(typeName.arrayBounds) && typeName.arrayBounds.length > 0;
      if (column && !cmd.def.ColumnDef.raw_default && rewriteFree(column, newType, mods, isArray)) continue;
      context.report({
        message:
          `Changing the type of ${cmd.name} rewrites all of ${qualified(target.relation)} and rebuilds its indexes under an ACCESS EXCLUSIVE lock: ` +
          'reads and writes wait for the whole rewrite. Add a new column, backfill it in batches, and switch reads over.',
        range,
      });
    }
  },
};

/**
 * varchar(n) → varchar(m ≥ n), unbounded varchar or text; numeric(p,s) → numeric(q ≥ p, s) or
 * unconstrained numeric: catalog-only changes (Postgres checks the typmod, no rewrite).
 */
function rewriteFree(column: Column, newType: string, mods: Array<number | undefined>, isArray: boolean): boolean {
  if (column.isArray !== isArray) return false;
  if (column.type === 'numeric' && newType === 'numeric') {
    if (mods.length === 0) return true;
    const [oldPrecision, oldScale = 0] = column.typeModifiers;
    const [precision, scale = 0] = mods;
    return oldPrecision !== undefined && precision !== undefined && precision >= oldPrecision && scale === oldScale;
  }
  if (column.type === 'varchar' || column.type === 'text') {
    if (newType === 'text') return true;
    if (newType !== 'varchar') return false;
    if (mods.length === 0) return true;
    if (column.type === 'text') return false;
    const oldLength = column.typeModifiers[0];
    return oldLength !== undefined && mods[0] !== undefined && mods[0] >= oldLength;
  }
  return false;
}

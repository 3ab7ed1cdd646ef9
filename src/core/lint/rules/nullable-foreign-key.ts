import type { Rule } from '../rule';
import type { ForeignKey, Table } from '../../schema/model';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';

/**
 * nullable-foreign-key (opt-in): a foreign key whose columns all allow NULL although nothing
 * says the relation is optional. A row with a NULL key has no parent (for a composite key,
 * MATCH SIMPLE skips the whole check as soon as one column is NULL), and every join to the
 * parent needs LEFT JOIN to keep it.
 *
 * Left out, as nullable by design: keys with ON DELETE SET NULL (or SET DEFAULT), self-references
 * (the roots of a tree), and keys whose columns a CHECK constraint of the table tests with IS NULL
 * or IS NOT NULL. No fix: SET NOT NULL scans the table under an ACCESS EXCLUSIVE lock (see
 * set-not-null-scan for the CHECK … NOT VALID recipe).
 *
 * Exported: `nullableForeignKeys(table)`, the keys the rule reports, in definition order.
 */
export function nullableForeignKeys(table: Table): ForeignKey[] {
  if (table.temporary) return [];
  return table.foreignKeys.filter((fk) => {
    if (fk.columns.length === 0 || fk.onDeleteSetNull) return false;
    if (fk.refSchema === table.schema && fk.refTable === table.name) return false;
    const columns = fk.columns.map((name) => table.columns.find((c) => c.name === name));
    if (columns.some((c) => c === undefined || c.notNull)) return false;
    if (table.primaryKey?.columns.some((c) => fk.columns.includes(c))) return false;
    if (fk.columns.some((c) => table.nullTests?.some((t) => t.columns.includes(c)))) return false;
    // A validated CHECK (col IS NOT NULL) already keeps NULLs out.
    if (fk.columns.some((c) => table.notNullChecks?.some((n) => n.column === c && n.valid))) return false;
    return true;
  });
}

export const rule: Rule = {
  id: 'nullable-foreign-key',
  kind: 'schema',
  defaultSeverity: 'off',
  docs: {
    description:
      'A foreign key whose columns allow NULL although nothing says the relation is optional: rows may have no parent, and every join to it needs LEFT JOIN.',
  },
  check(context) {
    for (const table of context.schema.tables.values()) {
      for (const fk of nullableForeignKeys(table)) {
        if (!fk.source) continue;
        const target = qualifiedName(table.schema, table.name);
        const cols = fk.columns.map(quoteIdent);
        const parent = qualifiedName(fk.refSchema, fk.refTable);
        const composite =
          fk.columns.length > 1
            ? ` (with the default MATCH SIMPLE the whole key is not checked as soon as any of ${cols.join(', ')} is NULL)`
            : '';
        context.report({
          file: fk.source.file,
          message:
            `foreign key ${fk.name ? `${quoteIdent(fk.name)} ` : ''}${target}(${cols.join(', ')}) → ${parent} allows NULL${composite}: ` +
            `rows of ${target} may have no ${parent} row, and every join to ${parent} needs LEFT JOIN to keep them; ` +
            `if every row has a parent, make it NOT NULL (ALTER TABLE ${target} ${cols.map((c) => `ALTER COLUMN ${c} SET NOT NULL`).join(', ')}; ` +
            `on a big table add CHECK (… IS NOT NULL) NOT VALID and VALIDATE it first, see set-not-null-scan), ` +
            `otherwise say why it is optional (ON DELETE SET NULL, a CHECK … IS NULL)`,
          range: fk.source.range,
        });
      }
    }
  },
};

import { relationName } from '../../sql/ast';
import { nodeOf, type Constraint } from '../../sql/nodes';
import type { StatementRule } from '../rule';
import { addedColumns, alterTable, qualified } from '../rule-helpers';

/**
 * ADD COLUMN with an inline UNIQUE / PRIMARY KEY, CHECK, or REFERENCES on a column that gets
 * values: the constraint is built or checked over every row inside the ALTER TABLE, under the
 * ACCESS EXCLUSIVE lock ADD COLUMN takes. Unlike ADD CONSTRAINT, the inline form has no
 * USING INDEX or NOT VALID, so the safe way is to add the column alone and the constraint after.
 */
export const rule: StatementRule = {
  id: 'adding-column-with-constraint',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'ADD COLUMN … UNIQUE/PRIMARY KEY/CHECK (or REFERENCES with a DEFAULT) reads the whole table under an ACCESS EXCLUSIVE lock.' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    const statement = context.statement;
    const table = qualified(target.relation);
    for (const def of addedColumns(target)) {
      const constraints = (def.constraints ?? []).map((c) => nodeOf(c, 'Constraint')).filter((c): c is Constraint => c !== undefined);
      // Postgres skips validating an inline foreign key when the new column has no DEFAULT (it is all NULL);
      // a DEFAULT (even DEFAULT NULL) or a stored generated expression makes it check every row.
      const filled = constraints.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_GENERATED');
      for (const con of constraints) {
        const column = def.colname;
        let message: string | undefined;
        if (con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_PRIMARY') {
          const kind = con.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
          message =
            `Adding column ${column} with ${kind} to existing table ${table} builds its unique index inside the ALTER TABLE, under an ACCESS EXCLUSIVE lock: ` +
            'reads and writes wait while the whole table is read to build it, even though the column is new. ' +
            `Add the column alone, CREATE UNIQUE INDEX CONCURRENTLY on it, then ADD CONSTRAINT … ${kind} USING INDEX.`;
        } else if (con.contype === 'CONSTR_CHECK') {
          message =
            `Adding column ${column} with a CHECK to existing table ${table} checks every row inside the ALTER TABLE, under an ACCESS EXCLUSIVE lock: ` +
            'reads and writes wait for the whole scan, even when the new column is all NULL. ' +
            'Add the column alone, then ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT (no write lock).';
        } else if (con.contype === 'CONSTR_FOREIGN' && filled) {
          const referenced = qualified(relationName(con.pktable) ?? { name: '?' });
          message =
            `Adding column ${column} with a DEFAULT and REFERENCES ${referenced} to existing table ${table} checks every row against ${referenced} ` +
            `inside the ALTER TABLE: ${table} stays under an ACCESS EXCLUSIVE lock (reads and writes wait) and ${referenced} under SHARE ROW EXCLUSIVE ` +
            '(writes wait) for the whole scan. Add the column alone, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT (no write lock).';
        }
        if (message) context.report({ message, range: statement.constructRange(con.location) });
      }
    }
  },
};

import type { StatementRule } from '../rule';
import { addedConstraints, alterTable, qualified } from '../rule-helpers';

/** ADD CONSTRAINT … EXCLUDE builds its index under an ACCESS EXCLUSIVE lock, and Postgres offers no online way. */
export const rule: StatementRule = {
  id: 'exclusion-constraint-locks',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'ADD CONSTRAINT … EXCLUDE builds its index under an ACCESS EXCLUSIVE lock, with no concurrent alternative.' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    for (const con of addedConstraints(target)) {
      if (con.contype !== 'CONSTR_EXCLUSION') continue;
      const name = con.conname ? `${con.conname} ` : '';
      const method = con.access_method ? `${con.access_method} ` : '';
      context.report({
        message:
          `Adding exclusion constraint ${name}to existing table ${qualified(target.relation)} builds its ${method}index and checks every row against the others ` +
          'under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole build (minutes on millions of rows). ' +
          'An exclusion constraint cannot be built CONCURRENTLY, added NOT VALID, or attached USING INDEX: ' +
          'run it in a maintenance window, or create a new table with the constraint, copy the rows into it, and swap the names.',
        range: context.statement.constructRange(con.location),
      });
    }
  },
};

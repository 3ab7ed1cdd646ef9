import type { StatementRule } from '../rule';
import { alterTable, qualified } from '../rule-helpers';

/** Dropping a column breaks deployed code that still reads or writes it. */
export const rule: StatementRule = {
  id: 'ban-drop-column',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'DROP COLUMN breaks every running query that still uses the column, and the data is gone.' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    for (const { cmd, range } of target.commands) {
      if (cmd.subtype !== 'AT_DropColumn') continue;
      context.report({
        message:
          `Dropping column ${cmd.name} of ${qualified(target.relation)} breaks the application version still running (queries that name it fail) ` +
          'and deletes its data for good. Stop using the column in code first, deploy, then drop it in a later migration.',
        range,
      });
    }
  },
};

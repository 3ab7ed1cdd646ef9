import { relationName, stringList } from '../../sql/ast';
import type { Fix } from '../../types';
import type { StatementRule } from '../rule';
import { addStatementsAfter, alterTable, ident, qualified, qualifiedIdent, addedConstraints } from '../rule-helpers';

/** Adding a FOREIGN KEY or CHECK validates every row while holding a lock that blocks writes. */
export const rule: StatementRule = {
  id: 'constraint-missing-not-valid',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'ADD CONSTRAINT … FOREIGN KEY/CHECK without NOT VALID scans the table while blocking writes.' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    const statement = context.statement;
    for (const con of addedConstraints(target)) {
      if (con.skip_validation) continue;
      if (con.contype !== 'CONSTR_FOREIGN' && con.contype !== 'CONSTR_CHECK') continue;
      const range = statement.constructRange(con.location);
      const table = qualified(target.relation);
      const message =
        con.contype === 'CONSTR_FOREIGN'
          ? `Adding foreign key ${con.conname ?? ''} checks every row of ${table} while holding SHARE ROW EXCLUSIVE locks on ${table} and ` +
            `${qualified(relationName(con.pktable) ?? { name: '?' })}: writes to both wait for the scan. Add it NOT VALID, then VALIDATE CONSTRAINT separately (no write lock).`
          : `Adding CHECK constraint ${con.conname ?? ''} scans every row of ${table} under an ACCESS EXCLUSIVE lock: reads and writes wait. ` +
            'Add it NOT VALID, then VALIDATE CONSTRAINT separately (no write lock).';
      const name: string | undefined =
        con.conname ?? (con.contype === 'CONSTR_FOREIGN' ? `${target.relation.name}_${stringList(con.fk_attrs).join('_')}_fkey` : undefined);
      let fix: Fix | undefined;
      // In one transaction the lock NOT VALID takes is held until COMMIT, through the VALIDATE's
      // scan: the gain needs the VALIDATE in a transaction of its own (the next migration).
      // A one-string part (a one-statement Prisma file…) becomes one implicit transaction once the VALIDATE is added.
      const sameTransaction = context.inTransaction || context.singleStatement;
      if (sameTransaction) {
        fix = {
          title: 'Add the constraint NOT VALID (VALIDATE it in the next migration)',
          edits: [{ range: statement.rangeOf(range.endOffset, range.endOffset), newText: ' NOT VALID' }],
        };
      } else if (name && name.length <= 63) {
        const validate = addStatementsAfter(context.text, statement.range, `ALTER TABLE ${qualifiedIdent(target.relation)} VALIDATE CONSTRAINT ${ident(name)}`, (s, e) =>
          statement.rangeOf(s, e),
        );
        // Terminated even after an unterminated last statement.
        if (!validate.newText.endsWith(';')) validate.newText += ';';
        fix = {
          title: 'Add the constraint NOT VALID and VALIDATE it separately',
          edits: [{ range: statement.rangeOf(range.endOffset, range.endOffset), newText: ' NOT VALID' }, validate],
        };
      }
      const inTx = sameTransaction
        ? ` This migration runs in one transaction, where a VALIDATE would still scan under the lock NOT VALID took: put ALTER TABLE … VALIDATE CONSTRAINT ${name ?? '…'} in the next migration.`
        : '';
      context.report({ message: message.replace(/ {2}/g, ' ') + inTx, range, fix });
    }
  },
};

import type { StatementRule } from '../rule';
import { alterTable, ident, indentOf, lineBreakOf, qualified, qualifiedIdent, statementEndWithSemicolon } from '../rule-helpers';

/** SET NOT NULL scans every row under ACCESS EXCLUSIVE, unless a valid CHECK (col IS NOT NULL) already proves it. */
export const rule: StatementRule = {
  id: 'set-not-null-scan',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'ALTER COLUMN … SET NOT NULL scans the whole table while holding an ACCESS EXCLUSIVE lock.' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    const single = target.commands.length === 1;
    const table = context.table(target.relation);
    for (const { cmd, range } of target.commands) {
      if (cmd.subtype !== 'AT_SetNotNull' || typeof cmd.name !== 'string') continue;
      const column: string = cmd.name;
      // The recommended sequence itself (CHECK … NOT VALID, VALIDATE, then SET NOT NULL) ends here: no scan.
      if (context.postgresVersion >= 12 && table?.notNullChecks?.some((c) => c.column === column && c.valid)) continue;
      const tableSql = qualifiedIdent(target.relation);
      const check = ident(`${target.relation.name}_${column}_not_null`.slice(0, 63));
      // Postgres 12+ skips the scan when a validated CHECK (col IS NOT NULL) exists.
      // In one transaction the CHECK's ACCESS EXCLUSIVE lock is held through the VALIDATE's scan:
      // the sequence only helps across two migrations, which a text edit of this file cannot make.
      const oneTransaction = context.inTransaction || context.singleStatement;
      const fixable = single && context.postgresVersion >= 12 && !oneTransaction;
      const indent = indentOf(context);
      const rewrite = [
        `ALTER TABLE ${tableSql} ADD CONSTRAINT ${check} CHECK (${ident(column)} IS NOT NULL) NOT VALID;`,
        `ALTER TABLE ${tableSql} VALIDATE CONSTRAINT ${check};`,
        `ALTER TABLE ${tableSql} ALTER COLUMN ${ident(column)} SET NOT NULL;`,
        `ALTER TABLE ${tableSql} DROP CONSTRAINT ${check};`,
      ].join(`${lineBreakOf(context.text, context.statement.range.startOffset)}${indent}`);
      const start = context.statement.range.startOffset;
      context.report({
        message:
          `SET NOT NULL on ${column} scans all of ${qualified(target.relation)} while holding an ACCESS EXCLUSIVE lock: reads and writes wait. ` +
          (oneTransaction
            ? `This migration runs in one transaction, where that lock would be held through a VALIDATE's scan too: add CHECK (${ident(column)} IS NOT NULL) NOT VALID in this migration, ` +
              'then VALIDATE it, SET NOT NULL (no scan) and drop the check in the next one.'
            : 'Add CHECK (… IS NOT NULL) NOT VALID, VALIDATE it (no exclusive lock), then SET NOT NULL skips the scan.'),
        range,
        fix: fixable
          ? {
              title: 'Use CHECK … NOT VALID, VALIDATE, then SET NOT NULL',
              edits: [{ range: context.statement.rangeOf(start, statementEndWithSemicolon(context)), newText: rewrite }],
            }
          : undefined,
      });
    }
  },
};

import { stringList } from '../../sql/ast';
import type { Fix } from '../../types';
import type { StatementRule } from '../rule';
import { alterTable, ident, lineBreakOf, qualified, qualifiedIdent, statementEndWithSemicolon, addedConstraints, outsideTransactionWayOut } from '../rule-helpers';

/** ADD UNIQUE / PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock. */
export const rule: StatementRule = {
  id: 'unique-constraint-locks',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'ADD CONSTRAINT … UNIQUE/PRIMARY KEY builds an index while holding an ACCESS EXCLUSIVE lock.' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    const statement = context.statement;
    // A partitioned parent refuses both CREATE INDEX CONCURRENTLY and ADD CONSTRAINT … USING INDEX.
    const partitioned = context.table(target.relation)?.partitioned === true;
    for (const con of addedConstraints(target)) {
      if (con.indexname || (con.contype !== 'CONSTR_UNIQUE' && con.contype !== 'CONSTR_PRIMARY')) continue;
      const primary = con.contype === 'CONSTR_PRIMARY';
      const columns = stringList(con.keys);
      const kind = primary ? 'PRIMARY KEY' : 'UNIQUE';
      const name: string = con.conname ?? (primary ? `${target.relation.name}_pkey` : `${target.relation.name}_${columns.join('_')}_key`);
      let fix: Fix | undefined;
      // The rewrite must keep what the constraint says: INCLUDE, WITH (…) and USING INDEX TABLESPACE have no place in it, so no fix.
      const faithful = !con.including && !con.options?.length && !con.indexspace;
      if (target.commands.length === 1 && columns.length > 0 && name.length <= 63 && !context.inTransaction && !context.singleStatement && !partitioned && faithful) {
        const table = qualifiedIdent(target.relation);
        const indexName = ident(name);
        const nulls = con.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '';
        const timing = con.deferrable ? ` DEFERRABLE${con.initdeferred ? ' INITIALLY DEFERRED' : ''}` : '';
        fix = {
          title: `Build the index CONCURRENTLY, then add the ${kind} USING INDEX`,
          edits: [
            {
              range: statement.rangeOf(statement.range.startOffset, statementEndWithSemicolon(context)),
              newText:
                `CREATE UNIQUE INDEX CONCURRENTLY ${indexName} ON ${table} (${columns.map(ident).join(', ')})${nulls};${lineBreakOf(context.text, statement.range.startOffset)}` +
                `ALTER TABLE ${table} ADD CONSTRAINT ${indexName} ${kind} USING INDEX ${indexName}${timing};`,
            },
          ],
        };
      }
      context.report({
        message:
          `Adding ${kind} to existing table ${qualified(target.relation)} builds its index under an ACCESS EXCLUSIVE lock: ` +
          'reads and writes wait for the whole build. Create the unique index CONCURRENTLY first, then ADD CONSTRAINT … USING INDEX.' +
          (context.inTransaction || context.singleStatement
            ? ` The CREATE UNIQUE INDEX CONCURRENTLY cannot share this migration: ${outsideTransactionWayOut(context, true)} Then ADD CONSTRAINT … USING INDEX in the next one.`
            : ''),
        range: statement.constructRange(con.location),
        fix,
      });
    }
  },
};

import { strongLockTargets, type LockTarget } from '../locks';
import type { StatementContext, StatementRule } from '../rule';
import { findWord, qualified } from '../rule-helpers';
import type { SchemaModel } from '../../schema/model';
import type { Statement } from '../../sql/statement';

/**
 * A statement waiting for an ACCESS EXCLUSIVE (or SHARE ROW EXCLUSIVE) lock queues every
 * later query on the table behind it; lock_timeout bounds that wait.
 */
export const rule: StatementRule = {
  id: 'require-lock-timeout',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'A strong lock without lock_timeout can queue all traffic on the table behind one slow query.' },
  check(context) {
    if (context.lockTimeoutSet) return;
    const targets = lockTargets(context.statement, context.schema).filter((t) => context.isExistingTable(t.relation.schema, t.relation.name));
    if (targets.length === 0) return;
    const first = targets[0];
    const tables = [...new Set(targets.map((t) => qualified(t.relation)))].join(', ');
    const statement = context.statement;
    const firstLocking = firstLockingStatement(context);
    const at = firstLocking?.range.startOffset ?? statement.range.startOffset;
    const verbEnd = findWord(statement, ['TABLE', 'INDEX', 'DATABASE', 'TRIGGER', 'FULL', 'CLUSTER', 'TRUNCATE', 'LOCK'])?.end;
    // SHARE ROW EXCLUSIVE conflicts with writes only: plain SELECTs keep running past a waiting one.
    const blocksReads = targets.some((t) => t.lock === 'ACCESS EXCLUSIVE');
    context.report({
      message:
        `This takes ${/^[AEIOU]/.test(first.lock) ? 'an' : 'a'} ${first.lock} lock on ${tables} with no lock_timeout set: while it waits behind a long-running query, ` +
        `${blocksReads ? 'every read and write' : 'every write (INSERT, UPDATE, DELETE)'} of the table queues behind it. Run SET lock_timeout (e.g. '5s') first and retry on timeout.`,
      range: statement.rangeOf(statement.range.startOffset, verbEnd ?? statement.range.endOffset),
      // One shared edit: whichever finding's fix is applied, it covers them all.
      fix: {
        title: "Set lock_timeout before the first locking statement",
        edits: [{ range: statement.rangeOf(at, at), newText: "SET lock_timeout = '5s';\n" }],
      },
    });
  },
};

/** The first statement of the file that this rule would flag; the fix goes above it. */
function firstLockingStatement(context: StatementContext): Statement | undefined {
  for (const s of context.statements) {
    if (s.index >= context.statement.index) return undefined;
    if (s.ast?.VariableSetStmt?.name === 'lock_timeout') return undefined;
    if (lockTargets(s, context.schema).some((t) => context.isExistingTable(t.relation.schema, t.relation.name))) return s;
  }
  return undefined;
}

/**
 * Each flagged statement rescans the earlier ones, so their targets are kept per statement.
 * DROP INDEX resolves its table in the schema, which changes as statements apply: never kept.
 */
const targetsByStatement = new WeakMap<Statement, LockTarget[]>();

function lockTargets(statement: Statement, schema: SchemaModel): LockTarget[] {
  if (statement.kind === 'DropStmt') return strongLockTargets(statement, schema);
  let targets = targetsByStatement.get(statement);
  if (!targets) targetsByStatement.set(statement, (targets = strongLockTargets(statement, schema)));
  return targets;
}

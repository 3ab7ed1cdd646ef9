import { strongLockTargets, type LockTarget } from '../locks';
import type { StatementContext, StatementRule } from '../rule';
import { findWord, lineBreakOf, qualified } from '../rule-helpers';
import type { SchemaModel } from '../../schema/model';
import type { Statement } from '../../sql/statement';
import { nodeOf } from '../../sql/nodes';

/**
 * A statement waiting for an ACCESS EXCLUSIVE (or SHARE ROW EXCLUSIVE) lock queues every
 * later query on the table behind it; lock_timeout bounds that wait.
 */
const ID = 'require-lock-timeout';

export const rule: StatementRule = {
  id: ID,
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'A strong lock without lock_timeout can queue all traffic on the table behind one slow query.' },
  check(context) {
    if (context.lockTimeoutSet) return;
    // Once per part (a migration's up or down: one transaction, or one autocommit file): the
    // first unprotected locking statement reports, listing what the part locks up to where a
    // lock_timeout is set; a later unprotected stretch reports again.
    const covered = context.memo.get(ID) as number | undefined;
    if (covered !== undefined && context.statement.index < covered) return;
    const targets = lockTargets(context.statement, context.schema).filter((t) => context.isExistingTable(t.relation.schema, t.relation.name));
    if (targets.length === 0) return;
    const statement = context.statement;
    const later = laterLocks(context);
    context.memo.set(ID, later.until);
    const all = [...targets, ...later.targets];
    // Each table under the strongest lock the part takes on it: "an ACCESS EXCLUSIVE lock on users and a SHARE ROW EXCLUSIVE lock on orgs".
    const strongest = new Map<string, LockTarget['lock']>();
    for (const t of all) {
      const name = qualified(t.relation);
      if (strongest.get(name) !== 'ACCESS EXCLUSIVE') strongest.set(name, t.lock);
    }
    const locks = (['ACCESS EXCLUSIVE', 'SHARE ROW EXCLUSIVE'] as const)
      .map((lock) => ({ lock, tables: [...strongest].filter(([, l]) => l === lock).map(([name]) => name) }))
      .filter((g) => g.tables.length > 0)
      .map((g) => `${g.lock === 'ACCESS EXCLUSIVE' ? 'an' : 'a'} ${g.lock} lock on ${g.tables.join(', ')}`)
      .join(' and ');
    const verbEnd = findWord(statement, ['TABLE', 'INDEX', 'DATABASE', 'TRIGGER', 'FULL', 'CLUSTER', 'TRUNCATE', 'LOCK'])?.end;
    // SHARE ROW EXCLUSIVE conflicts with writes only: plain SELECTs keep running past a waiting one.
    const blocksReads = all.some((t) => t.lock === 'ACCESS EXCLUSIVE');
    const scope = context.transactionMode === 'none' ? 'this file' : 'this migration';
    // A one-statement part the runner sends as one string runs outside a transaction only while
    // it stays one statement: a SET before a statement that is (or may be made) CONCURRENTLY breaks it.
    const oneString = context.singleStatement && mayNeedAutocommit(statement);
    const more = later.statements > 0 ? ` (and ${later.statements} later statement${later.statements === 1 ? '' : 's'} of ${scope} lock${later.statements === 1 ? 's' : ''} too)` : '';
    context.report({
      message:
        `This takes ${locks}${more} with no lock_timeout set: while a lock waits behind a long-running query, ` +
        `${blocksReads ? 'every read and write' : 'every write (INSERT, UPDATE, DELETE)'} of the table queues behind it. ` +
        (oneString
          ? `${context.runner} runs this one-statement migration outside a transaction, and a SET before it would make both one transaction (where CONCURRENTLY fails): ` +
            "set lock_timeout for the migration's connection instead (ALTER ROLE <migration role> SET lock_timeout = '5s', or options=-c lock_timeout=5s in its connection string)."
          : "Run SET lock_timeout (e.g. '5s') first and retry on timeout."),
      range: statement.rangeOf(statement.range.startOffset, verbEnd ?? statement.range.endOffset),
      fix: oneString
        ? undefined
        : {
            title: 'Set lock_timeout before the first locking statement',
            edits: [{ range: statement.rangeOf(statement.range.startOffset, statement.range.startOffset), newText: `SET lock_timeout = '5s';${lineBreakOf(context.text, statement.range.startOffset)}` }],
          },
    });
  },
};

/** A statement that must (CONCURRENTLY) or may, once fixed, run outside a transaction. */
function mayNeedAutocommit(statement: Statement): boolean {
  const ast = statement.ast;
  if (!ast) return false;
  if (nodeOf(ast, 'DropStmt')?.removeType === 'OBJECT_INDEX' || ast.ReindexStmt || ast.RefreshMatViewStmt || ast.IndexStmt || ast.VacuumStmt) return true;
  return (nodeOf(ast, 'AlterTableStmt')?.cmds ?? []).some((c) => nodeOf(c, 'AlterTableCmd')?.subtype === 'AT_DetachPartition');
}

/**
 * The locks of the part's later statements, up to the first that sets lock_timeout: what the
 * one finding covers. Tables the part creates on the way are new, not existing.
 */
function laterLocks(context: StatementContext): { targets: LockTarget[]; statements: number; until: number } {
  const created = new Set<string>();
  const targets: LockTarget[] = [];
  let statements = 0;
  let until = context.statements.length;
  for (const s of context.statements) {
    if (s.index <= context.statement.index || !s.ast) continue;
    if (nodeOf(s.ast, 'VariableSetStmt')?.name === 'lock_timeout' || (s.kind === 'SelectStmt' && /set_config\s*\(\s*'lock_timeout'/i.test(s.text))) {
      until = s.index;
      break;
    }
    const createdRel = nodeOf(s.ast, 'CreateStmt')?.relation?.relname;
    if (createdRel) created.add(createdRel.toLowerCase());
    const found = lockTargets(s, context.schema).filter(
      (t) => !created.has(t.relation.name.toLowerCase()) && context.isExistingTable(t.relation.schema, t.relation.name),
    );
    if (found.length > 0) {
      statements++;
      targets.push(...found);
    }
  }
  return { targets, statements, until };
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

import { relationName, type RelationName } from '../../sql/ast';
import type { SqlToken } from '../../sql/tokens';
import { tableOfIndex } from '../locks';
import type { StatementRule } from '../rule';
import { insertFix, qualified, outsideTransactionWayOut } from '../rule-helpers';
import { nodeOf, type DefElem } from '../../sql/nodes';

const KINDS: Record<string, string> = {
  REINDEX_OBJECT_INDEX: 'INDEX',
  REINDEX_OBJECT_TABLE: 'TABLE',
  REINDEX_OBJECT_SCHEMA: 'SCHEMA',
  REINDEX_OBJECT_DATABASE: 'DATABASE',
  REINDEX_OBJECT_SYSTEM: 'SYSTEM',
};

/** A boolean option as Postgres reads it: `CONCURRENTLY`, `(CONCURRENTLY)`, `(CONCURRENTLY true)`, but not `(CONCURRENTLY off)`. */
function optionOn(def: DefElem | undefined): boolean {
  const arg = def?.arg;
  if (!arg) return true;
  const integer = nodeOf(arg, 'Integer');
  if (integer) return (integer.ival ?? 0) !== 0;
  const boolean = nodeOf(arg, 'Boolean');
  if (boolean) return boolean.boolval === true;
  const s = String(nodeOf(arg, 'String')?.sval ?? '').toLowerCase();
  return !['false', 'off', 'f', 'no', 'n', '0'].includes(s);
}

/** The INDEX/TABLE/SCHEMA/DATABASE/SYSTEM word, after `REINDEX` and its optional `( … )` options. */
function kindToken(tokens: SqlToken[]): SqlToken | undefined {
  const code = tokens.filter((t) => t.kind !== 'comment');
  let i = 1;
  if (code[i]?.text === '(') {
    let depth = 0;
    for (; i < code.length; i++) {
      if (code[i].text === '(') depth++;
      else if (code[i].text === ')' && --depth === 0) break;
    }
    i++;
  }
  return code[i];
}

/**
 * REINDEX without CONCURRENTLY locks the table (SHARE) and its indexes (ACCESS EXCLUSIVE) for
 * the whole rebuild; the planner opens every index of a table, so reads wait too.
 */
export const rule: StatementRule = {
  id: 'require-concurrent-reindex',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'REINDEX without CONCURRENTLY locks the table and its indexes: reads and writes wait for the whole rebuild.' },
  check(context) {
    const node = nodeOf(context.statement.ast, 'ReindexStmt');
    if (!node) return;
    const kind = KINDS[node.kind as string];
    if (!kind) return;
    const statement = context.statement;
    const concurrentOptions = (node.params ?? []).map((p) => nodeOf(p, 'DefElem')).filter((d) => d?.defname === 'concurrently');
    const concurrent = concurrentOptions.some(optionOn);
    const kindWord = kindToken(statement.tokens());
    const range = statement.rangeOf(statement.range.startOffset, kindWord?.end ?? statement.range.endOffset);

    // The table whose reads and writes the rebuild blocks (INDEX, TABLE), when the schema knows it.
    let table: RelationName | undefined;
    const rel = relationName(node.relation);
    if (kind === 'TABLE') table = rel;
    else if (kind === 'INDEX' && rel) {
      table = tableOfIndex(context.schema, rel.schema ?? 'public', rel.name);
    }
    // The table named as the statement names the index: unqualified when it is.
    const tableName = table && (kind === 'INDEX' && !rel?.schema ? table.name : qualified(table));
    const partitioned = table !== undefined && context.table(table)?.partitioned === true;

    const moveOut = outsideTransactionWayOut(context, true);
    if (kind === 'SYSTEM' && concurrent) {
      context.report({
        message: 'REINDEX SYSTEM CONCURRENTLY fails with "cannot reindex system catalogs concurrently", so this migration aborts. Remove it from the migration.',
        range,
      });
      return;
    }
    if (context.inTransaction && (concurrent || kind === 'SCHEMA' || kind === 'DATABASE' || kind === 'SYSTEM' || partitioned)) {
      const what = concurrent ? 'REINDEX CONCURRENTLY' : partitioned ? `REINDEX ${kind} of the partitioned table ${tableName}` : `REINDEX ${kind}`;
      context.report({
        message: `${what} inside a transaction fails with "cannot run inside a transaction block", so this migration aborts. ${moveOut}`,
          severity: 'error',
        range,
      });
      return;
    }
    if (concurrent) return;
    if (kind === 'SYSTEM') {
      context.report({
        message:
          'REINDEX SYSTEM rebuilds the indexes of the system catalogs the way a plain REINDEX TABLE does (SHARE on each catalog, ACCESS EXCLUSIVE on its indexes), and cannot run CONCURRENTLY: ' +
          'DDL waits, and so do queries that have to read those catalogs. ' +
          'Run it by hand in a maintenance window, not in a migration.',
        range,
      });
      return;
    }
    // An index or table created earlier in this file has no readers yet.
    if (table && !context.isExistingTable(table.schema, table.name)) return;

    const lock =
      kind === 'INDEX'
        ? `takes an ACCESS EXCLUSIVE lock on ${rel ? qualified(rel) : 'the index'} and a SHARE lock on ${tableName ?? 'its table'}: ` +
          'writes to the table wait, and so does every query on it (the planner opens all of its indexes), until the index is rebuilt.'
        : kind === 'TABLE'
          ? `takes a SHARE lock on ${rel ? qualified(rel) : 'the table'} and an ACCESS EXCLUSIVE lock on each of its indexes: ` +
            'every read and write of the table waits until all of them are rebuilt.'
          : `rebuilds every index of every table in ${kind === 'SCHEMA' ? `schema ${node.name}` : 'the database'}, one table at a time, ` +
            'each under a SHARE lock and its indexes under ACCESS EXCLUSIVE: reads and writes of each table wait while its indexes are rebuilt.';
    const wayOut =
      context.postgresVersion < 12
        ? 'Postgres before 12 has no REINDEX CONCURRENTLY: build a replacement with CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY the old one and rename the new one.'
        : `Use REINDEX ${kind} CONCURRENTLY` + (context.inTransaction ? `, which cannot run inside this migration's transaction. ${moveOut}` : '.');
    context.report({
      message: `REINDEX ${kind} without CONCURRENTLY ${lock} ${wayOut}`,
      range,
      fix:
        // `(CONCURRENTLY false)` written out is a choice the fix leaves to the author.
        kindWord && concurrentOptions.length === 0 && !context.inTransaction && context.postgresVersion >= 12
          ? insertFix(statement, `Reindex the ${kind.toLowerCase()} CONCURRENTLY`, kindWord.end, ' CONCURRENTLY')
          : undefined,
    });
  },
};

import { dropObjectNames, relationName } from '../../sql/ast';
import type { StatementContext, StatementRule } from '../rule';
import { findWord, insertFix } from '../rule-helpers';
import { currentDefaultSchema, forEachEarlierStatement, qualify, sameName, type QualifiedName } from './support/earlier-in-file';
import { nodeOf } from '../../sql/nodes';

/** What this file did to the materialized view before the REFRESH (the schema model does not keep materialized views). */
interface ViewHistory {
  /** Created in this file (so it has no readers yet, and every index of it is in this file too). */
  createdHere: boolean;
  /** Created with IF NOT EXISTS: an older view of that name may be the one refreshed, with indexes and data of its own. */
  maybeOlder: boolean;
  /** Holds data: created without WITH NO DATA, or refreshed since; unknown for a view of an earlier file. */
  populated: boolean | undefined;
  /** Unique indexes of plain columns without WHERE created on it in this file: what REFRESH … CONCURRENTLY needs. */
  uniqueIndexes: Set<string>;
}

function viewHistory(context: StatementContext, view: QualifiedName): ViewHistory {
  const history: ViewHistory = { createdHere: false, maybeOlder: false, populated: undefined, uniqueIndexes: new Set() };
  forEachEarlierStatement(context, (statement, schema) => {
    const ast = statement.ast;
    const created = nodeOf(ast, 'CreateTableAsStmt');
    if (created?.objtype === 'OBJECT_MATVIEW' && sameName(qualify(relationName(created.into?.rel), schema), view)) {
      history.createdHere = true;
      history.maybeOlder = created.if_not_exists === true;
      history.populated = created.into?.skipData !== true;
      history.uniqueIndexes = new Set();
    }
    const refresh = nodeOf(ast, 'RefreshMatViewStmt');
    if (refresh && sameName(qualify(relationName(refresh.relation), schema), view)) history.populated = refresh.skipData !== true;
    const index = nodeOf(ast, 'IndexStmt');
    if (index?.unique && !index.whereClause && index.idxname && sameName(qualify(relationName(index.relation), schema), view)) {
      if ((index.indexParams ?? []).every((p) => typeof nodeOf(p, 'IndexElem')?.name === 'string')) history.uniqueIndexes.add(index.idxname);
    }
    const drop = nodeOf(ast, 'DropStmt');
    if (drop?.removeType === 'OBJECT_INDEX') for (const n of dropObjectNames(drop.objects)) history.uniqueIndexes.delete(n.name);
    if (drop?.removeType === 'OBJECT_MATVIEW' && dropObjectNames(drop.objects).some((n) => sameName(qualify(n, schema), view))) {
      history.createdHere = false;
      history.maybeOlder = false;
      history.populated = undefined;
      history.uniqueIndexes = new Set();
    }
  });
  return history;
}

/** REFRESH MATERIALIZED VIEW without CONCURRENTLY holds ACCESS EXCLUSIVE on the view for the whole refresh query. */
export const rule: StatementRule = {
  id: 'require-concurrent-refresh',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY takes an ACCESS EXCLUSIVE lock: every reader of the view waits for the whole refresh.' },
  check(context) {
    const node = nodeOf(context.statement.ast, 'RefreshMatViewStmt');
    if (!node) return;
    const rel = relationName(node.relation);
    const view = qualify(rel, currentDefaultSchema(context));
    if (!rel || !view) return;
    const statement = context.statement;
    const history = viewHistory(context, view);
    const name = rel.schema ? `${rel.schema}.${rel.name}` : rel.name;
    const viewWord = findWord(statement, ['VIEW']);
    const range = statement.rangeOf(statement.range.startOffset, viewWord?.end ?? statement.range.endOffset);
    const uniqueHint = 'create a unique index on plain columns of the view, without WHERE (CREATE UNIQUE INDEX CONCURRENTLY), first';

    if (node.concurrent) {
      const concurrentlyWord = findWord(statement, ['CONCURRENTLY']);
      const at = concurrentlyWord ? statement.rangeOf(concurrentlyWord.start, concurrentlyWord.end) : range;
      let failure: string | undefined;
      if (node.skipData) failure = 'fails with "CONCURRENTLY and WITH NO DATA options cannot be used together". Drop one of them.';
      else if (history.createdHere && !history.maybeOlder && history.populated === false) {
        failure = `fails with "CONCURRENTLY cannot be used when the materialized view is not populated": ${name} was created WITH NO DATA. Refresh it without CONCURRENTLY the first time (it has no readers yet).`;
      }
      // A view without a suitable unique index: matview-refresh-needs-unique-index, which sees the whole set.
      if (failure) context.report({ message: `REFRESH MATERIALIZED VIEW CONCURRENTLY ${failure} This migration aborts.`, range: at });
      return;
    }
    // A view created earlier in this file has no readers yet; WITH NO DATA runs no query (it empties the view at once).
    if (history.createdHere || node.skipData) return;
    const [index] = history.uniqueIndexes;
    context.report({
      message:
        `REFRESH MATERIALIZED VIEW ${name} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on it: every query reading ${name} waits until the refresh query has run to the end. ` +
        'Use REFRESH MATERIALIZED VIEW CONCURRENTLY, which lets readers keep the old contents meanwhile' +
        (index ? ` (it uses the unique index ${index}).` : `; it needs a unique index, so ${uniqueHint}.`),
      range,
      fix: index && viewWord ? insertFix(statement, 'Refresh the view CONCURRENTLY', viewWord.end, ' CONCURRENTLY') : undefined,
    });
  },
};

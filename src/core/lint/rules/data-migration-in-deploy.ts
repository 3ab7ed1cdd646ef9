import { nameRange, relationName, type Node, type RelationName } from '../../sql/ast';
import { nodeOf, type SelectStmt } from '../../sql/nodes';
import type { StatementContext, StatementRule } from '../rule';
import { qualified } from '../rule-helpers';
import { currentDefaultSchema, forEachEarlierStatement, qualify, sameName, type QualifiedName } from './support/earlier-in-file';

interface Source {
  relation: RelationName;
  location: number | undefined;
}

/**
 * The tables a query reads its rows from: FROM items, joins, FROM subqueries and the CTEs
 * they name, set-operation arms. Subqueries in WHERE or the select list only filter or add a
 * value; they are not what is copied.
 */
function rowSources(select: SelectStmt | undefined, ctes: Map<string, SelectStmt | undefined>, out: Source[], seen = new Set<SelectStmt>()): void {
  if (!select || seen.has(select)) return;
  seen.add(select);
  const scope = new Map(ctes);
  for (const c of select.withClause?.ctes ?? []) {
    const cte = nodeOf(c, 'CommonTableExpr');
    if (cte?.ctename) scope.set(cte.ctename, nodeOf(cte.ctequery, 'SelectStmt'));
  }
  if (select.op && select.op !== 'SETOP_NONE') {
    rowSources(select.larg, scope, out, seen);
    rowSources(select.rarg, scope, out, seen);
    return;
  }
  const fromItem = (item: Node | undefined): void => {
    const rv = nodeOf(item, 'RangeVar');
    const join = nodeOf(item, 'JoinExpr');
    const subselect = nodeOf(item, 'RangeSubselect');
    if (rv) {
      if (!rv.schemaname && scope.has(rv.relname)) {
        rowSources(scope.get(rv.relname), scope, out, seen);
        return;
      }
      const relation = relationName(rv);
      if (relation) out.push({ relation, location: rv.location });
    } else if (join) {
      fromItem(join.larg);
      fromItem(join.rarg);
    } else if (subselect) {
      rowSources(nodeOf(subselect.subquery, 'SelectStmt'), scope, out, seen);
    }
  };
  for (const item of select.fromClause ?? []) fromItem(item);
}

/** Catalog and information_schema reads copy metadata, not data. */
function isCatalog(rel: RelationName): boolean {
  return rel.schema === 'pg_catalog' || rel.schema === 'information_schema' || (!rel.schema && rel.name.startsWith('pg_'));
}

/** What the statement is, and the query whose rows it writes; undefined for other statements. */
function copyOf(ast: Node | undefined): { verb: string; query: SelectStmt | undefined; ctes: Node[] } | undefined {
  const createAs = nodeOf(ast, 'CreateTableAsStmt');
  if (createAs) {
    // WITH NO DATA copies the shape only.
    if (createAs.into?.skipData) return undefined;
    if (createAs.objtype === 'OBJECT_MATVIEW') return { verb: 'CREATE MATERIALIZED VIEW … AS SELECT', query: nodeOf(createAs.query, 'SelectStmt'), ctes: [] };
    if (createAs.objtype && createAs.objtype !== 'OBJECT_TABLE') return undefined;
    return { verb: 'CREATE TABLE … AS SELECT', query: nodeOf(createAs.query, 'SelectStmt'), ctes: [] };
  }
  const select = nodeOf(ast, 'SelectStmt');
  if (select?.intoClause) return { verb: 'SELECT … INTO', query: select, ctes: [] };
  const insert = nodeOf(ast, 'InsertStmt');
  if (insert?.selectStmt) return { verb: 'INSERT … SELECT', query: nodeOf(insert.selectStmt, 'SelectStmt'), ctes: insert.withClause?.ctes ?? [] };
  return undefined;
}

/** Tables this file filled earlier with SELECT … INTO or CREATE MATERIALIZED VIEW, which the schema model does not keep. */
function filledEarlier(context: StatementContext): QualifiedName[] {
  const out: QualifiedName[] = [];
  forEachEarlierStatement(context, (statement, defaultSchema) => {
    const createAs = nodeOf(statement.ast, 'CreateTableAsStmt');
    const rel = nodeOf(statement.ast, 'SelectStmt')?.intoClause?.rel ?? (createAs?.objtype === 'OBJECT_MATVIEW' ? createAs.into?.rel : undefined);
    const name = qualify(relationName(rel), defaultSchema);
    if (name) out.push(name);
  });
  return out;
}

/** A migration that copies rows out of existing tables runs a data migration inside the deploy. */
export const rule: StatementRule = {
  id: 'data-migration-in-deploy',
  kind: 'statement',
  defaultSeverity: 'info',
  docs: { description: 'A migration copying rows out of an existing table runs the whole copy inside the deploy, as one long transaction.' },
  check(context) {
    if (!context.migration) return;
    const copy = copyOf(context.statement.ast);
    if (!copy?.query) return;
    const ctes = new Map<string, SelectStmt | undefined>();
    for (const c of copy.ctes) {
      const cte = nodeOf(c, 'CommonTableExpr');
      if (cte?.ctename) ctes.set(cte.ctename, nodeOf(cte.ctequery, 'SelectStmt'));
    }
    const sources: Source[] = [];
    rowSources(copy.query, ctes, sources);
    let filled: QualifiedName[] | undefined;
    let defaultSchema: string | undefined;
    const existing = sources.filter(({ relation }) => {
      if (isCatalog(relation) || !context.isExistingTable(relation.schema, relation.name)) return false;
      filled ??= filledEarlier(context);
      defaultSchema ??= currentDefaultSchema(context);
      const name = qualify(relation, defaultSchema);
      return !filled.some((f) => sameName(f, name));
    });
    if (existing.length === 0) return;
    const names = [...new Set(existing.map((s) => qualified(s.relation)))];
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    // Outside a transaction (sql-migrate `notransaction`, dbmate `transaction:false`…) the copy is one statement of its own: no earlier lock is held.
    const scope = !context.inTransaction
      ? 'one statement that commits only when it ends'
      : context.transactionMode === 'all-pending'
        ? 'in the one transaction of every pending migration, which keeps every lock taken before it'
        : 'in one transaction that keeps every lock taken before it';
    context.report({
      message:
        `${copy.verb} copies the rows of ${list} inside the migration: the deploy waits for the whole copy, ${scope}, ` +
        'stops vacuum from removing dead rows anywhere in the database while it runs, and writes all of it to WAL at once (replicas lag). ' +
        'On a large table, run the copy as a background job in batches (by key range, one transaction per batch) instead of in the migration.',
      range: nameRange(context.statement, existing[0].location),
    });
  },
};

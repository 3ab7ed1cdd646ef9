import type { Rule, StatementContext } from '../rule';
import { nameRange, stringList, walk, walkNodesOf, type Node } from '../../sql/ast';
import { canonicalFromNames } from '../../schema/type-names';
import { tableKey, type PartitionKey, type Table } from '../../schema/model';
import { qualifiedName, quoteIdent } from '../../sql/quote-ident';
import { parseSql } from '../../sql/parse';
import { findTable, fromTables } from './support/query-walk';
import { nodeOf, type CommonTableExpr, type DeleteStmt, type MergeStmt, type RangeVar, type SelectStmt, type TypeCast, type UpdateStmt, type WithClause } from '../../sql/nodes';

/**
 * partitioned-table-without-partition-key-filter: a SELECT, UPDATE, DELETE or MERGE reads a table the
 * schema knows is partitioned, and nothing in its scope compares the partition key in a way
 * Postgres prunes with, so every partition is scanned.
 *
 * What counts (Postgres's partition pruning, src/backend/partitioning/partprune.c): the key
 * column (or the key expression, written the same way) compared with =, <, <=, >, >=, BETWEEN,
 * IN, = ANY or IS NULL to a value that reads no column of the same table: a literal, a
 * parameter, a stable function (now()), a subquery, or a column of another table (an equality
 * to a joined table's column prunes through the join's equivalence, or at run time). An OR
 * counts when each arm does. Range partitioning needs the first key column; hash needs an
 * equality on every key column. A condition of an outer query on a column of that name counts
 * for the tables of a subquery in FROM or a CTE (Postgres may push it down; not into a
 * MATERIALIZED CTE, one read twice, or past LIMIT or a window function): this side errs towards
 * silence. A cast of the key to its own type is the key.
 *
 * EXPLAIN is judged as the query it explains. INSERT, view and materialized view definitions are
 * not judged; UPDATE and DELETE without any WHERE are missing-where's; ONLY (no partitions read)
 * is skipped. MERGE is judged on its ON condition. Conditions inside EXISTS / IN (SELECT …) on
 * the outer table's columns alone, or equating one to the subquery's, count for it (a semi-join,
 * pruned like the join), as does key IN (SELECT …); a constant false condition leaves no scan.
 */
export const rule: Rule = {
  id: 'partitioned-table-without-partition-key-filter',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: {
    description:
      'A query on a partitioned table with no condition on the partition key that Postgres can prune with: every partition is scanned.',
  },
  check(context) {
    // EXPLAIN of a query is judged as the query (EXPLAIN ANALYZE runs it).
    const ast: Node | undefined = nodeOf(context.statement.ast, 'ExplainStmt')?.query ?? context.statement.ast;
    if (nodeOf(ast, 'SelectStmt')?.intoClause) return;
    new Checker(context).sub(ast, new Set(), new Set());
  },
};

type Verb = 'SELECT' | 'UPDATE' | 'DELETE' | 'MERGE';
/** One query level: a SELECT body, an UPDATE or a DELETE, whose clauses are read alike. */
type QueryLevel = Partial<SelectStmt & UpdateStmt & DeleteStmt>;
type Part = PartitionKey['parts'][number];
/** A key part and what prunes on it ('null': only IS NULL, a later column of a range key). */
interface Level {
  strategy: PartitionKey['strategy'] | 'null';
  part: Part;
}

const PRUNING_OPS = new Set(['=', '<', '<=', '>', '>=']);

interface InScope {
  rv: RangeVar;
  table: Table;
  key: PartitionKey;
  refName: string;
}

class Checker {
  constructor(private readonly context: StatementContext) {}

  /**
   * One query level: a SELECT body (or a set operation of them), an UPDATE or a DELETE.
   * `outer`: column names an enclosing query compares with a value (they may be pushed down into a FROM subquery or CTE).
   * `ctes`: names WITH clauses define here, which hide tables of that name.
   */
  private query(q: QueryLevel, verb: Verb, outer: Set<string>, ctes: Set<string>): void {
    const names = new Set(ctes);
    for (const c of q.withClause?.ctes ?? []) {
      const name = nodeOf(c, 'CommonTableExpr')?.ctename;
      if (name) names.add(name);
    }
    if (q.op && q.op !== 'SETOP_NONE') {
      this.withBodies(q, outer, ctes);
      if (q.larg) this.query(q.larg, verb, outer, names);
      if (q.rarg) this.query(q.rarg, verb, outer, names);
      return;
    }
    const conjuncts: Node[] = [...andParts(q.whereClause)];
    const from: Node[] = [...(q.fromClause ?? []), ...(q.usingClause ?? [])];
    const rangeVars: RangeVar[] = [];
    const collect = (item: Node | undefined): void => {
      const rv = nodeOf(item, 'RangeVar');
      const join = nodeOf(item, 'JoinExpr');
      if (rv) rangeVars.push(rv);
      else if (join) {
        collect(join.larg);
        collect(join.rarg);
        conjuncts.push(...andParts(join.quals));
      }
    };
    for (const item of from) collect(item);
    // EXISTS (…) and IN (SELECT …) become semi-joins: their conditions on this level's columns restrict its tables too.
    for (const c of [...conjuncts]) {
      const link = nodeOf(c, 'SubLink');
      const inner = nodeOf(link?.subselect, 'SelectStmt');
      if (!link || !inner || (link.subLinkType !== 'EXISTS_SUBLINK' && link.subLinkType !== 'ANY_SUBLINK')) continue;
      // Only conditions on this level's names alone (a name the subquery defines again is its own table).
      const own = new Set(fromTables(inner).map((t) => t.refName));
      for (const item of inner.fromClause ?? []) {
        const alias = nodeOf(item, 'RangeSubselect')?.alias?.aliasname;
        if (alias) own.add(alias);
      }
      // And an equality of an outer column to the subquery's: the semi-join is pruned at run time like the join it is.
      conjuncts.push(...andParts(inner.whereClause).filter((w) => onlyOuterColumns(w, own) || outerEquality(w, own)));
    }
    // UPDATE/DELETE without WHERE is missing-where's finding; the table it changes is still judged with one.
    if (verb !== 'SELECT' && q.whereClause !== undefined && q.relation) rangeVars.unshift(q.relation);
    const scope = rangeVars.map((rv) => this.partitioned(rv, names)).filter((s): s is InScope => s !== undefined);
    for (const s of scope) this.judge(s, conjuncts, outer, verb);
    // Subqueries in FROM and CTE bodies may receive this level's conditions; other subqueries judge their own.
    const pushed = new Set([...outer, ...comparedColumns(conjuncts)]);
    this.withBodies(q, pushed, ctes);
    const rest: Node = { ...q, withClause: undefined };
    this.nested(rest, pushed, names);
  }

  /**
   * The CTE bodies of a WITH clause. Without RECURSIVE a body sees only the CTEs before it: a
   * table it names like its own CTE (or a later one) is the table itself.
   */
  private withBodies(q: { withClause?: WithClause }, pushed: Set<string>, ctes: Set<string>): void {
    const withClause = q.withClause;
    const visible = new Set(ctes);
    const list = withClause?.ctes ?? [];
    const cteName = (c: Node): string | undefined => nodeOf(c, 'CommonTableExpr')?.ctename;
    if (withClause?.recursive) for (const c of list) if (cteName(c)) visible.add(cteName(c)!);
    for (const c of list) {
      // Outer conditions reach only a CTE Postgres inlines: not MATERIALIZED, not recursive, read once (or NOT MATERIALIZED).
      const cte: CommonTableExpr = nodeOf(c, 'CommonTableExpr') ?? {};
      const inlined =
        !withClause?.recursive &&
        cte.ctematerialized !== 'CTEMaterializeAlways' &&
        (cte.ctematerialized === 'CTEMaterializeNever' || references(q, cte.ctename) <= 1);
      this.nested(c, inlined ? pushed : new Set(), new Set(visible));
      if (cteName(c)) visible.add(cteName(c)!);
    }
  }

  /** MERGE: the target is read through the ON condition (the source is a table, a subquery or a CTE of the statement). */
  private merge(m: MergeStmt, ctes: Set<string>): void {
    const names = new Set(ctes);
    for (const c of m.withClause?.ctes ?? []) {
      const name = nodeOf(c, 'CommonTableExpr')?.ctename;
      if (name) names.add(name);
    }
    const conjuncts = andParts(m.joinCondition);
    const rangeVars = [m.relation as RangeVar | undefined, nodeOf(m.sourceRelation, 'RangeVar')].filter((rv): rv is RangeVar => rv !== undefined);
    for (const s of rangeVars.map((rv) => this.partitioned(rv, names)).filter((s): s is InScope => s !== undefined)) this.judge(s, conjuncts, new Set(), 'MERGE');
    const pushed = new Set(comparedColumns(conjuncts));
    this.withBodies(m, pushed, ctes);
    this.nested({ ...m, withClause: undefined, relation: undefined }, pushed, names);
  }

  /** Visits the query levels directly below `node`, without descending into them. */
  private nested(node: unknown, pushed: Set<string>, ctes: Set<string>): void {
    walk(node, (value, key) => {
      if (key === 'SubLink') {
        this.nested(value.testexpr, pushed, ctes);
        this.sub(value.subselect, new Set(), ctes);
      } else if (key === 'RangeSubselect') this.sub(value.subquery, pushdownSafe(value.subquery) ? pushed : new Set(), ctes);
      else if (key === 'CommonTableExpr') this.sub(value.ctequery, pushed, ctes);
      else return;
      return 'skip';
    });
  }

  /** A statement node: a SELECT, UPDATE, DELETE or MERGE is judged, anything else (INSERT) is not. */
  sub(node: Node | undefined, outer: Set<string>, ctes: Set<string>): void {
    const select = nodeOf(node, 'SelectStmt');
    const update = nodeOf(node, 'UpdateStmt');
    const del = nodeOf(node, 'DeleteStmt');
    const merge = nodeOf(node, 'MergeStmt');
    if (select) this.query(select, 'SELECT', outer, ctes);
    else if (update) this.query(update, 'UPDATE', outer, ctes);
    else if (del) this.query(del, 'DELETE', outer, ctes);
    else if (merge) this.merge(merge, ctes);
  }

  /** The RangeVar's table, when the schema knows it is partitioned and knows its key. */
  private partitioned(rv: RangeVar, ctes: Set<string>): InScope | undefined {
    if (rv.inh !== true || (!rv.schemaname && ctes.has(rv.relname))) return undefined;
    const rel = { schema: rv.schemaname, name: rv.relname };
    const table = this.context.table(rel) ?? (this.context.workspaceSchema ? findTable(this.context.workspaceSchema, rel) : undefined);
    if (!table?.partitioned || !table.partitionKey) return undefined;
    return { rv, table, key: table.partitionKey, refName: rv.alias?.aliasname ?? rv.relname };
  }

  private judge(s: InScope, conjuncts: Node[], outer: Set<string>, verb: Verb): void {
    const { key } = s;
    // A condition that is constant false (WHERE false, WHERE 1 = 0) leaves no scan; WHERE 1 = 1 or WHERE $1 still reads every partition when true.
    if (conjuncts.some(constantFalse)) return;
    const needed = key.strategy === 'hash' ? key.parts : key.parts.slice(0, 1);
    const pushed = (part: Part): boolean => ('column' in part ? outer.has(part.column) : part.columns.some((c) => outer.has(c)));
    if (needed.every((part) => pushed(part) || conjuncts.some((c) => this.prunes(c, [{ strategy: key.strategy, part }], s)))) return;
    // A condition on the key of a level above or below (a named partition's parent, a sub-partitioned
    // partition) prunes some partitions too; and IS NULL on any range key column leaves only the default.
    const levels = this.otherLevels(s.table);
    if (key.strategy !== 'hash' || key.parts.length === 1) levels.push({ strategy: key.strategy, part: key.parts[0] });
    if (key.strategy === 'range') levels.push(...key.parts.slice(1).map((part) => ({ strategy: 'null' as const, part })));
    if (levels.length > 0 && conjuncts.some((c) => this.prunes(c, levels, s))) return;
    const { statement } = this.context;
    const name = qualifiedName(s.table.schema, s.table.name);
    const partitions = this.partitionCount(s.table);
    const keyText = key.parts.map((p) => ('column' in p ? quoteIdent(p.column) : p.expression)).join(', ');
    const expression = needed.find((p): p is { expression: string; columns: string[] } => 'expression' in p);
    const wrapped = needed.flatMap((p) => ('column' in p ? [p.column] : [])).filter((col) => conjuncts.some((c) => mentions(c, col, s))).map(quoteIdent);
    const how =
      key.strategy === 'hash'
        ? `compare ${needed.length === 1 ? 'the key' : 'every key column'} with = or IN`
        : `add a condition on ${'column' in needed[0] ? quoteIdent(needed[0].column) : needed[0].expression} (=, <, >, BETWEEN, IN)`;
    this.context.report({
      message:
        `this ${verb} reads ${name}, partitioned by ${key.strategy.toUpperCase()} (${keyText}), with no condition on the partition key ` +
        `that Postgres can prune with: every partition${partitions > 1 ? ` (${partitions} in the migrations)` : ''} is scanned` +
        (expression
          ? `; a condition on ${expression.columns.map(quoteIdent).join(', ') || 'its columns'} alone does not prune, only one on the key expression ${expression.expression} itself`
          : '') +
        (wrapped.length > 0
          ? `; the condition on ${wrapped.join(', ')} is not one pruning can use (a function or cast around the key, an OR with another column, or a comparison with a column of the same table)`
          : '') +
        `; ${how} so it reads only the partitions that can hold the rows`,
      range: nameRange(statement, s.rv.location),
    });
  }

  private partitionCount(table: Table): number {
    const key = tableKey(table.schema, table.name);
    let n = 0;
    for (const t of this.context.schema.tables.values()) if (t.partitionOf === key) n++;
    if (n === 0 && this.context.workspaceSchema) for (const t of this.context.workspaceSchema.tables.values()) if (t.partitionOf === key) n++;
    return n;
  }

  /** The keys of the partitioned tables above (a partition named in the query) and below (sub-partitioned partitions). */
  private otherLevels(table: Table): Level[] {
    const out: Level[] = [];
    const tables = [...this.context.schema.tables.values(), ...(this.context.workspaceSchema?.tables.values() ?? [])];
    const add = (t: Table): void => {
      if (t.partitionKey) out.push(...(t.partitionKey.strategy === 'hash' && t.partitionKey.parts.length > 1 ? [] : [{ strategy: t.partitionKey.strategy, part: t.partitionKey.parts[0] }]));
    };
    const seen = new Set<string>([tableKey(table.schema, table.name)]);
    for (let up = table.partitionOf; up && !seen.has(up); ) {
      seen.add(up);
      const parent = tables.find((t) => tableKey(t.schema, t.name) === up);
      if (!parent) break;
      add(parent);
      up = parent.partitionOf;
    }
    const below = [tableKey(table.schema, table.name)];
    while (below.length > 0) {
      const key = below.pop()!;
      for (const t of tables) {
        if (t.partitionOf !== key || seen.has(tableKey(t.schema, t.name))) continue;
        seen.add(tableKey(t.schema, t.name));
        add(t);
        below.push(tableKey(t.schema, t.name));
      }
    }
    return out;
  }

  /** Whether one conjunct restricts one of the key parts in a way partition pruning uses. */
  private prunes(c: Node, levels: Level[], s: InScope): boolean {
    const bool = nodeOf(c, 'BoolExpr');
    if (bool?.boolop === 'OR_EXPR') return (bool.args ?? []).every((arm) => andParts(arm).some((a) => this.prunes(a, levels, s)));
    if (bool?.boolop === 'AND_EXPR') return (bool.args ?? []).some((a) => this.prunes(a, levels, s));
    // NOT of a boolean key, or of a comparison pruning can use once Postgres inverts it (NOT (a < b) is a >= b; NOT (a = b) is a <> b).
    if (bool?.boolop === 'NOT_EXPR') {
      const negated = negate(bool.args?.[0]);
      return levels.some((l) => this.isKey(bool.args?.[0], l.part, s)) || (negated !== undefined && this.prunes(negated, levels, s));
    }
    return levels.some((level) => this.prunesLevel(c, level, s));
  }

  private prunesLevel(c: Node, { strategy, part }: Level, s: InScope): boolean {
    const isKey = (n: Node | undefined): boolean => this.isKey(n, part, s);
    const nullTest = nodeOf(c, 'NullTest');
    if (nullTest) return (nullTest.nulltesttype === 'IS_NULL' || strategy === 'list') && isKey(nullTest.arg);
    if (strategy === 'null') return false;
    if (c.BooleanTest || c.ColumnRef) return isKey(c.BooleanTest?.arg ?? c);
    // key IN (SELECT …) / key = ANY (SELECT …): a semi-join on the key, pruned at run time like an equality to a joined column.
    const link = nodeOf(c, 'SubLink');
    if (link) return link.subLinkType === 'ANY_SUBLINK' && (stringList(link.operName)[0] ?? '=') === '=' && isKey(link.testexpr);
    const e = nodeOf(c, 'A_Expr');
    if (!e) return false;
    const op = stringList(e.name)[0];
    // Hash partitions answer equality only; list partitions also <> (NOT IN), which can leave some out.
    const usable = strategy === 'hash' ? op === '=' : PRUNING_OPS.has(op) || (strategy === 'list' && op === '<>');
    switch (e.kind) {
      case 'AEXPR_OP':
        return usable && ((isKey(e.lexpr) && this.isValue(e.rexpr, s)) || (isKey(e.rexpr) && this.isValue(e.lexpr, s)));
      case 'AEXPR_IN':
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL':
        return (op === '=' || (strategy === 'list' && op === '<>')) && isKey(e.lexpr) && this.isValue(e.rexpr, s);
      case 'AEXPR_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      // NOT BETWEEN is key < x OR key > y: both arms prune.
      case 'AEXPR_NOT_BETWEEN':
        return strategy !== 'hash' && isKey(e.lexpr) && this.isValue(e.rexpr, s);
      default:
        return false;
    }
  }

  /** The expression is the key column of this table (qualified by its alias, or unqualified), or the key expression as written. */
  private isKey(node: Node | undefined, part: Part, s: InScope): boolean {
    // An explicit COLLATE on the key (pruning needs the key's collation; the query asked for one on purpose).
    for (let collate = nodeOf(node, 'CollateClause'); collate; collate = nodeOf(node, 'CollateClause')) node = collate.arg;
    // A cast of the key column to its own type (or varchar to text) changes nothing Postgres prunes on: d::date, code::text.
    const cast = nodeOf(node, 'TypeCast');
    if (cast && 'column' in part && this.noOpCast(cast, part.column, s)) return this.isKey(cast.arg, part, s);
    if (!node) return false;
    if ('column' in part) {
      const fields = stringList(nodeOf(node, 'ColumnRef')?.fields);
      return fields.length > 0 && fields[fields.length - 1] === part.column && (fields.length === 1 || fields[fields.length - 2] === s.refName);
    }
    const key = keyExpressionShape(part.expression);
    if (key === undefined) return false;
    // A boolean key written as NOT col or col IS TRUE: Postgres also prunes on comparisons of the column itself.
    if (node.ColumnRef && part.columns.length === 1 && /^\{"(BoolExpr|BooleanTest)"/.test(key)) return this.isKey(node, { column: part.columns[0] }, s);
    return shape(node, s.refName) === key;
  }

  /** A cast that leaves the key column's value and type as they are (no type modifier, no array). */
  private noOpCast(cast: TypeCast, column: string, s: InScope): boolean {
    const type = s.table.columns.find((c) => c.name === column)?.type;
    const target = cast.typeName;
    if (!type || !target || target.typmods?.length || target.arrayBounds?.length) return false;
    const to = canonicalFromNames(stringList(target.names));
    return to === type || (to === 'text' && type === 'varchar');
  }

  /** A value pruning can use: it reads no column of the table itself (a subquery's columns are its own). */
  private isValue(node: Node | undefined, s: InScope): boolean {
    if (!node) return false;
    let self = false;
    walk(node, (v, k) => {
      if (k === 'SubLink') return 'skip';
      if (k !== 'ColumnRef') return;
      const fields = stringList(v.fields);
      const name = fields[fields.length - 1];
      if (fields.length === 1 ? s.table.columns.some((c) => c.name === name) || s.table.columns.length === 0 : fields[fields.length - 2] === s.refName) {
        self = true;
        return 'stop';
      }
      return 'skip';
    });
    return !self;
  }
}

/** How many times the statement reads a CTE of that name (FROM items without a schema). */
function references(q: { withClause?: WithClause }, name: string | undefined): number {
  let n = 0;
  const count = (rv: RangeVar): void => {
    if (!rv.schemaname && rv.relname === name) n++;
  };
  walkNodesOf({ ...q, withClause: undefined }, 'RangeVar', count);
  for (const c of q.withClause?.ctes ?? []) walkNodesOf(c, 'RangeVar', count);
  return n;
}

/** Whether Postgres pushes an outer condition into a subquery in FROM: not past LIMIT/OFFSET or a window function. */
function pushdownSafe(subquery: Node | undefined): boolean {
  const select = nodeOf(subquery, 'SelectStmt');
  if (!select) return true;
  if (select.limitCount || select.limitOffset) return false;
  let windowed = false;
  walkNodesOf(select.targetList, 'FuncCall', (call) => {
    if (call.over) windowed = true;
  });
  return !windowed;
}

/** `outer.col = expression`: an equality one side of which is a column of the query around the subquery. */
function outerEquality(node: Node, inner: Set<string>): boolean {
  const e = nodeOf(node, 'A_Expr');
  if (e?.kind !== 'AEXPR_OP' || stringList(e.name)[0] !== '=') return false;
  const outer = (side: Node | undefined): boolean => {
    const fields = stringList(nodeOf(side, 'ColumnRef')?.fields);
    return fields.length >= 2 && !inner.has(fields[fields.length - 2]);
  };
  return outer(e.lexpr) || outer(e.rexpr);
}

/** Every column the condition reads is qualified, by a name the subquery does not define (columns of the query around it). */
function onlyOuterColumns(node: Node, inner: Set<string>): boolean {
  let ok = true;
  walkNodesOf(node, 'ColumnRef', (ref) => {
    const fields = stringList(ref.fields);
    if (fields.length < 2 || inner.has(fields[fields.length - 2])) ok = false;
  });
  return ok;
}

/** A condition that is false whatever the row: `false`, NULL, or two unequal literals compared with = (WHERE 1 = 0). */
function constantFalse(node: Node): boolean {
  const literal = (n: Node | undefined): string | undefined => {
    const c = n?.A_Const;
    if (!c || c.isnull) return undefined;
    return JSON.stringify(c.ival ?? c.fval ?? c.sval ?? c.boolval ?? {});
  };
  if (node.A_Const) return node.A_Const.isnull === true || (node.A_Const.boolval !== undefined && node.A_Const.boolval.boolval !== true);
  const cast = node.TypeCast;
  if (cast?.arg?.A_Const?.sval && stringList(cast.typeName?.names).pop() === 'bool') return /^(f|false|no|n|off|0)$/i.test(cast.arg.A_Const.sval.sval.trim());
  const e = node.A_Expr;
  if (e?.kind !== 'AEXPR_OP' || stringList(e.name)[0] !== '=') return false;
  const [l, r] = [literal(e.lexpr), literal(e.rexpr)];
  return l !== undefined && r !== undefined && l !== r && !!e.lexpr.A_Const.ival === !!e.rexpr.A_Const.ival;
}

const NEGATED: Record<string, string> = { '=': '<>', '<>': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>' };

/** The condition NOT inverts into, as Postgres rewrites it (negate_clause), or undefined when it keeps the NOT. */
function negate(node: Node | undefined): Node | undefined {
  const e = node?.A_Expr;
  const op = stringList(e?.name)[0];
  if ((e?.kind === 'AEXPR_OP' || e?.kind === 'AEXPR_IN') && NEGATED[op]) return { A_Expr: { ...e, name: [{ String: { sval: NEGATED[op] } }] } };
  if (e?.kind === 'AEXPR_BETWEEN' || e?.kind === 'AEXPR_NOT_BETWEEN') return { A_Expr: { ...e, kind: e.kind === 'AEXPR_BETWEEN' ? 'AEXPR_NOT_BETWEEN' : 'AEXPR_BETWEEN' } };
  // De Morgan: NOT (a OR b) is NOT a AND NOT b.
  const bool = node?.BoolExpr;
  if (bool?.boolop === 'OR_EXPR' || bool?.boolop === 'AND_EXPR') {
    const args = (bool.args ?? []).map(negate);
    if (args.some((a: Node | undefined) => a === undefined)) return undefined;
    return { BoolExpr: { boolop: bool.boolop === 'OR_EXPR' ? 'AND_EXPR' : 'OR_EXPR', args } };
  }
  if (bool?.boolop === 'NOT_EXPR') return bool.args?.[0];
  const t = node?.NullTest;
  if (t) return { NullTest: { ...t, nulltesttype: t.nulltesttype === 'IS_NULL' ? 'IS_NOT_NULL' : 'IS_NULL' } };
  return undefined;
}

/** The conjuncts of a condition (its top-level ANDs; a row equality `(a, b) = (x, y)` is a = x AND b = y, as Postgres reads it). */
function andParts(node: Node | undefined): Node[] {
  if (!node) return [];
  if (node.BoolExpr?.boolop === 'AND_EXPR') return (node.BoolExpr.args ?? []).flatMap(andParts);
  const e = node.A_Expr;
  const [left, right]: Node[][] = [e?.lexpr?.RowExpr?.args ?? [], e?.rexpr?.RowExpr?.args ?? []];
  if (e?.kind === 'AEXPR_OP' && stringList(e.name)[0] === '=' && left.length > 0 && left.length === right.length) {
    return left.map((l, i) => ({ A_Expr: { kind: 'AEXPR_OP', name: e.name, lexpr: l, rexpr: right[i] } }));
  }
  return [node];
}

/** Names of columns the conditions compare with something (for subqueries and CTEs they may be pushed into). */
function comparedColumns(conjuncts: Node[]): string[] {
  const out: string[] = [];
  for (const c of conjuncts) {
    const e = nodeOf(c, 'A_Expr');
    for (const side of [e?.lexpr, e?.rexpr, nodeOf(c, 'NullTest')?.arg]) {
      const fields = stringList(nodeOf(side, 'ColumnRef')?.fields);
      if (fields.length > 0) out.push(fields[fields.length - 1]);
    }
  }
  return out;
}

/** Whether a conjunct reads the column of this table at all (to say a function or cast hides it). */
function mentions(node: Node, column: string, s: InScope): boolean {
  let found = false;
  walk(node, (v, k) => {
    if (k === 'SubLink') return 'skip';
    if (k !== 'ColumnRef') return;
    const fields = stringList(v.fields);
    if (fields[fields.length - 1] === column && (fields.length === 1 || fields[fields.length - 2] === s.refName)) {
      found = true;
      return 'stop';
    }
    return 'skip';
  });
  return found;
}

/** Parsed key expressions by their text: a few per schema, parsed once. */
const keyShapes = new Map<string, string | undefined>();

function keyExpressionShape(expression: string): string | undefined {
  if (!keyShapes.has(expression)) {
    const target = nodeOf(parseSql(`SELECT ${expression}`).statements[0]?.ast, 'SelectStmt')?.targetList;
    keyShapes.set(expression, target?.length === 1 ? shape(nodeOf(target[0], 'ResTarget')?.val, undefined) : undefined);
  }
  return keyShapes.get(expression);
}

/** An expression tree as text, locations left out and columns of the table unqualified, so two writings of one expression compare equal. */
function shape(node: Node | undefined, refName: string | undefined): string {
  while (node?.CollateClause) node = node.CollateClause.arg;
  return JSON.stringify(node, (key, value) => {
    if (key === 'location') return undefined;
    if (key === 'ColumnRef' && value && Array.isArray(value.fields) && value.fields.length === 2 && value.fields[0]?.String?.sval === refName) {
      return { ...value, fields: value.fields.slice(1) };
    }
    return value;
  });
}

import type { Node } from './ast';
import { parseSync } from './pg-query';
import { scanTokens } from './tokens';

/**
 * A statement that fetches or changes the rows of one table by equality on parameters:
 * `SELECT … FROM posts WHERE author_id = $1`, `UPDATE posts SET … WHERE id = $2`. Run once per
 * element of a list, it is the statement an N+1 loop sends; the batched form (`= ANY($1)`,
 * `IN (…)`, a join) is not one.
 */
export interface KeyLookup {
  kind: 'select' | 'update' | 'delete';
  /** As written: unquoted names folded to lower case, as Postgres does. */
  table: { schema?: string; name: string };
  /** The columns compared with `= $n` (or `$n = col`), in the order written, without duplicates. */
  columns: string[];
}

/**
 * The key lookup `sql` is, or undefined: one statement on one table (no join, subquery in FROM,
 * CTE or set operation) whose WHERE is `col = $n`, alone or ANDed with other conditions (`AND
 * deleted_at IS NULL`). A constant compared instead of a parameter counts as one: pg_stat_statements
 * shows every constant as `$n`. SQL that does not parse is no lookup. Needs the SQL parser loaded.
 */
export function keyLookup(sql: string): KeyLookup | undefined {
  let stmts: Node[];
  try {
    stmts = (parseSync(sql) as { stmts?: Node[] }).stmts ?? [];
  } catch {
    return undefined;
  }
  if (stmts.length !== 1) return undefined;
  const stmt = stmts[0].stmt as Node | undefined;
  if (!stmt) return undefined;
  let kind: KeyLookup['kind'];
  let relation: Node | undefined;
  let where: Node | undefined;
  if (stmt.SelectStmt) {
    const s = stmt.SelectStmt as Node;
    if (s.op !== 'SETOP_NONE' || s.withClause || s.valuesLists || !Array.isArray(s.fromClause) || s.fromClause.length !== 1) return undefined;
    relation = s.fromClause[0].RangeVar;
    where = s.whereClause;
    kind = 'select';
  } else if (stmt.UpdateStmt) {
    const s = stmt.UpdateStmt as Node;
    if (s.withClause || (Array.isArray(s.fromClause) && s.fromClause.length > 0)) return undefined;
    relation = s.relation;
    where = s.whereClause;
    kind = 'update';
  } else if (stmt.DeleteStmt) {
    const s = stmt.DeleteStmt as Node;
    if (s.withClause || (Array.isArray(s.usingClause) && s.usingClause.length > 0)) return undefined;
    relation = s.relation;
    where = s.whereClause;
    kind = 'delete';
  } else {
    return undefined;
  }
  if (!relation || typeof relation.relname !== 'string' || !where) return undefined;
  const columns: string[] = [];
  for (const condition of conjuncts(where)) {
    const column = equalityColumn(condition);
    if (column !== undefined && !columns.includes(column)) columns.push(column);
  }
  if (columns.length === 0) return undefined;
  const table = typeof relation.schemaname === 'string' ? { schema: relation.schemaname, name: relation.relname } : { name: relation.relname };
  return { kind, table, columns };
}

/** The conditions a WHERE ANDs together (nested ANDs flattened); an OR at the top is one condition. */
function conjuncts(where: Node): Node[] {
  const b = where.BoolExpr as Node | undefined;
  if (b && b.boolop === 'AND_EXPR' && Array.isArray(b.args)) return (b.args as Node[]).flatMap(conjuncts);
  return [where];
}

/** `col = $n` or `$n = col` (either side may be cast): the column's name, else undefined. */
function equalityColumn(condition: Node): string | undefined {
  const e = condition.A_Expr as Node | undefined;
  if (!e || e.kind !== 'AEXPR_OP' || !Array.isArray(e.name) || e.name.length !== 1 || e.name[0]?.String?.sval !== '=') return undefined;
  const left = uncast(e.lexpr);
  const right = uncast(e.rexpr);
  if (isParam(right)) return columnName(left);
  if (isParam(left)) return columnName(right);
  return undefined;
}

function uncast(n: Node | undefined): Node | undefined {
  let x = n;
  while (x?.TypeCast) x = x.TypeCast.arg as Node | undefined;
  return x;
}

function isParam(n: Node | undefined): boolean {
  return Boolean(n?.ParamRef);
}

/** The column of a reference (`author_id`, `p.author_id`, `"public"."Post"."authorId"`). */
function columnName(n: Node | undefined): string | undefined {
  const fields = n?.ColumnRef?.fields as Node[] | undefined;
  const last = fields?.[fields.length - 1]?.String?.sval;
  return typeof last === 'string' ? last : undefined;
}

/**
 * A statement's text with what pg_stat_statements normalises away made equal: comments and
 * whitespace gone, constants and parameters all `?`, unquoted names and keywords in lower case.
 * Two texts with the same shape are the same statement as pg_stat_statements counts it
 * (`WHERE id = 5` in the code and `WHERE id = $1` in the view). Needs the SQL parser loaded.
 */
export function statementShape(sql: string): string {
  const out: string[] = [];
  for (const t of scanTokens(sql)) {
    if (t.kind === 'comment') continue;
    if (t.kind === 'string' || t.kind === 'number' || t.kind === 'param') out.push('?');
    else if (t.kind === 'ident' && t.text.startsWith('"')) out.push(t.text.slice(1, -1).replace(/""/g, '"'));
    else out.push(t.text.toLowerCase());
  }
  while (out[out.length - 1] === ';') out.pop();
  return out.join(' ');
}

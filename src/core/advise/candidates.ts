import { quoteIdent } from '../sql/quote-ident';
import type { QueryScope, RelationRef } from './predicates';

/** A table the query reads, as the catalog knows it. */
export interface TableInfo {
  schema: string;
  name: string;
  columns: string[];
  estimatedRows: number;
  /** pg_stats.n_distinct per column (negative = fraction of rows, as Postgres stores it). */
  nDistinct: Record<string, number>;
  indexes: ExistingIndex[];
}

export interface ExistingIndex {
  name: string;
  /** Key columns (expressions as pg_get_indexdef prints them). */
  columns: string[];
  /** Included (non-key) columns. */
  include: string[];
  predicate?: string;
  valid: boolean;
}

export interface IndexCandidate {
  schema: string;
  table: string;
  columns: string[];
  /** Per key column: sort descending (only set when directions are mixed). */
  descending: boolean[];
  include: string[];
  where?: string;
  name: string;
  /** Why it was proposed, for the report. */
  reason: string;
}

const MAX_IDENTIFIER = 63;


export function candidateDdl(c: IndexCandidate, concurrently: boolean): string {
  const keys = c.columns.map((col, i) => `${quoteIdent(col)}${c.descending[i] ? ' DESC' : ''}`).join(', ');
  const include = c.include.length > 0 ? ` INCLUDE (${c.include.map(quoteIdent).join(', ')})` : '';
  const where = c.where ? ` WHERE ${c.where}` : '';
  const head = concurrently ? 'CREATE INDEX CONCURRENTLY IF NOT EXISTS' : 'CREATE INDEX';
  return `${head} ${quoteIdent(c.name)} ON ${quoteIdent(c.schema)}.${quoteIdent(c.table)} (${keys})${include}${where}`;
}

function indexName(table: string, columns: string[], suffix: string): string {
  const name = `${table}_${columns.join('_')}${suffix}_idx`;
  return name.length <= MAX_IDENTIFIER ? name : name.slice(0, MAX_IDENTIFIER);
}

/** How many distinct values a column has (pg_stats convention: negative is a fraction of the rows). */
function distinctValues(table: TableInfo, column: string): number | undefined {
  const d = table.nDistinct[column];
  if (d === undefined) return undefined;
  return d < 0 ? -d * Math.max(table.estimatedRows, 1) : d;
}

/** True when an existing valid index already serves these keys (same leading columns and predicate). */
export function isCovered(c: Pick<IndexCandidate, 'columns' | 'include' | 'where'>, table: TableInfo, equalityOnly: boolean): boolean {
  const norm = (s: string | undefined) => (s ?? '').replace(/[\s()]/g, '').toLowerCase();
  return table.indexes.some((idx) => {
    if (!idx.valid) return false;
    if (idx.predicate && norm(idx.predicate) !== norm(c.where)) return false;
    if (idx.columns.length < c.columns.length) return false;
    const lead = idx.columns.slice(0, c.columns.length);
    const sameKeys = equalityOnly ? lead.every((col) => c.columns.includes(col)) : lead.every((col, i) => col === c.columns[i]);
    if (!sameKeys) return false;
    const all = new Set([...idx.columns, ...idx.include]);
    return c.include.every((col) => all.has(col));
  });
}

/** Qualified columns belong to the relation with that alias; unqualified ones to the table that has the column (Postgres rejects ambiguity). */
function resolve(qualifier: string | undefined, column: string, rel: RelationRef, table: TableInfo): boolean {
  if (qualifier !== undefined) return qualifier === rel.alias;
  return table.columns.includes(column);
}

/**
 * Candidate indexes for one table of one query scope: equality columns first (most
 * selective first), then one range column, or the ORDER BY columns under a LIMIT; a
 * partial index when a low-cardinality column is compared with a constant; an INCLUDE
 * variant for an index-only scan when the query reads few columns. Existing and covered
 * indexes are left out. Verification, not this function, decides which ones help.
 */
export function candidatesFor(scope: QueryScope, rel: RelationRef, table: TableInfo): IndexCandidate[] {
  const mine = scope.predicates.filter((p) => resolve(p.qualifier, p.column, rel, table) && table.columns.includes(p.column));
  const bySelectivity = (a: string, b: string) => (distinctValues(table, b) ?? Number.MAX_SAFE_INTEGER) - (distinctValues(table, a) ?? Number.MAX_SAFE_INTEGER);
  const unique = (cols: string[]) => [...new Set(cols)];
  const eq = unique(mine.filter((p) => p.kind === 'eq' || p.kind === 'in' || p.kind === 'null').map((p) => p.column)).sort(bySelectivity);
  const joins = unique(mine.filter((p) => p.kind === 'join').map((p) => p.column)).filter((c) => !eq.includes(c));
  const ranges = unique(mine.filter((p) => p.kind === 'range').map((p) => p.column)).filter((c) => !eq.includes(c));
  const sort = scope.limitedSort.every((s) => resolve(s.qualifier, s.column, rel, table) && table.columns.includes(s.column)) ? scope.limitedSort : [];
  const sortCols = sort.map((s) => s.column).filter((c) => !eq.includes(c));
  const mixed = sort.some((s) => s.descending) && sort.some((s) => !s.descending);
  const sortDesc = sort.filter((s) => !eq.includes(s.column)).map((s) => mixed && s.descending);

  const out: IndexCandidate[] = [];
  const add = (columns: string[], descending: boolean[], reason: string, where?: string, include: string[] = []) => {
    if (columns.length === 0) return;
    const c: IndexCandidate = {
      schema: table.schema,
      table: table.name,
      columns,
      descending: columns.map((_, i) => descending[i] ?? false),
      include,
      where,
      name: indexName(table.name, columns, `${where !== undefined ? '_partial' : ''}${include.length > 0 ? '_covering' : ''}`),
      reason,
    };
    const equalityOnly = columns.every((col) => eq.includes(col) || joins.includes(col));
    if (isCovered(c, table, equalityOnly)) return;
    const key = candidateDdl(c, false).replace(/^CREATE INDEX \S+ /, '');
    if (out.some((o) => candidateDdl(o, false).replace(/^CREATE INDEX \S+ /, '') === key)) return;
    out.push(c);
  };

  const base = ranges.length > 0 ? [...eq, ranges[0]] : eq;
  add(base, [], ranges.length > 0 ? `equality on ${eq.join(', ') || '—'} then range on ${ranges[0]}` : `equality on ${eq.join(', ')}`);
  if (sortCols.length > 0) {
    add([...eq, ...sortCols], [...eq.map(() => false), ...sortDesc], `rows in ORDER BY order under LIMIT${eq.length ? ` after equality on ${eq.join(', ')}` : ''}`);
  }
  if (joins.length > 0) add([...eq, ...joins], [], `join lookups on ${joins.join(', ')}`);

  for (const p of mine) {
    if (p.kind !== 'eq' || !p.constantSql) continue;
    const distinct = distinctValues(table, p.column);
    if (distinct !== undefined && distinct > 50) continue;
    const rest = base.filter((c) => c !== p.column);
    const keys = rest.length > 0 ? rest : sortCols.length > 0 ? sortCols : [];
    add(keys, keys === sortCols ? sortDesc : [], `partial index: only rows where ${p.constantSql}`, p.constantSql);
  }

  const referenced = scope.referenced;
  if (referenced && out.length > 0) {
    const cols = new Set<string>();
    for (const [qualifier, set] of referenced) {
      for (const col of set) if (resolve(qualifier || undefined, col, rel, table) && table.columns.includes(col)) cols.add(col);
    }
    const best = out[0];
    const include = [...cols].filter((c) => !best.columns.includes(c));
    if (include.length > 0 && include.length <= 4) {
      add(best.columns, best.descending, `${best.reason}, INCLUDE for an index-only scan`, best.where, include);
    }
  }
  return out;
}

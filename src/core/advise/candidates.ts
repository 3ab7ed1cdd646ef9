import { quoteIdent } from '../sql/quote-ident';
import type { QueryScope, RelationRef } from './predicates';
import {
  indexName,
  isCovered,
  nameStem,
  resolve,
  takenIn,
  takenNamesFor,
  type IndexCandidate,
  type PartitionInfo,
  type TableInfo,
} from './candidate-model';
import { typedCandidates, plainBtreeServes } from './typed-candidates';

export { indexName, isCovered, resolve, takenNamesFor } from './candidate-model';
export type { ColumnType, ExistingIndex, IndexCandidate, PartitionInfo, QualifiedName, SelectivityTest, TableInfo } from './candidate-model';

/** More leaf partitions than this: plain CREATE INDEX on the parent (a lock) rather than a recipe of hundreds of statements. */
export const MAX_RECIPE_PARTITIONS = 100;


/** One key of the index: a quoted column or a parenthesized expression, then its operator class (schema-qualified when not in pg_catalog) and order. */
function keySql(c: IndexCandidate, i: number): string {
  const col = c.columns[i];
  const key = c.expressions?.[i] ? `(${col})` : quoteIdent(col);
  const schema = c.opclassSchemas?.[i];
  const opclass = c.opclasses?.[i] ? ` ${schema ? `${quoteIdent(schema)}.` : ''}${c.opclasses[i]}` : '';
  return `${key}${opclass}${c.descending[i] ? ' DESC' : ''}`;
}

/** `USING … (keys) INCLUDE (…) WHERE …`: what follows the table name. */
function indexBody(c: IndexCandidate): string {
  const keys = c.columns.map((_, i) => keySql(c, i)).join(', ');
  const include = c.include.length > 0 ? ` INCLUDE (${c.include.map(quoteIdent).join(', ')})` : '';
  const where = c.where ? ` WHERE ${c.where}` : '';
  const using = c.using && c.using !== 'btree' ? ` USING ${c.using}` : '';
  return `${using} (${keys})${include}${where}`;
}

/**
 * One CREATE INDEX: `CREATE INDEX name ON table …` (to test it, inside a transaction), or with
 * `concurrently` the form a migration runs — CONCURRENTLY, except on a partitioned table, where
 * PostgreSQL refuses CONCURRENTLY: there it is the plain CREATE INDEX on the parent (see
 * partitionedRecipe for the form without the long lock). Never IF NOT EXISTS: the name is one
 * no relation of the schema had when the advice was made, and should one take it before the
 * migration runs (another index, a sequence, a leftover invalid build), IF NOT EXISTS would
 * skip the statement with a notice and leave the index silently missing; a clash must fail.
 */
export function candidateDdl(c: IndexCandidate, concurrently: boolean): string {
  const head = !concurrently ? 'CREATE INDEX' : c.partitions ? 'CREATE INDEX' : 'CREATE INDEX CONCURRENTLY';
  return `${head} ${quoteIdent(c.name)} ON ${quoteIdent(c.schema)}.${quoteIdent(c.table)}${indexBody(c)}`;
}

/**
 * The name of the candidate's index on one partition: the partition's name in place of the
 * table's, free among the partition's indexes, the relations of its schema and `used` (the
 * names the recipe gave already, as `schema\0name`).
 */
export function partitionIndexName(c: IndexCandidate, p: PartitionInfo, used: Iterable<string> = []): string {
  const table = nameStem(c.table);
  const stem = c.name.startsWith(`${table}_`) && c.name.endsWith('_idx') ? c.name.slice(table.length + 1, -'_idx'.length) : c.name;
  const taken = takenIn(p.schema, c.takenNames, used);
  for (const i of p.indexes) taken.add(i);
  return indexName(p.name, [stem], '', taken);
}

/**
 * Whether the partitioned table's index can be built without locking the table for the whole
 * build: every partition can hold an index (no foreign table), and there are not so many that
 * the recipe would run to hundreds of statements.
 */
function recipeApplies(partitions: PartitionInfo[]): boolean {
  return !partitions.some((p) => p.kind === 'f') && partitions.filter((p) => p.kind !== 'p').length <= MAX_RECIPE_PARTITIONS;
}

/**
 * PostgreSQL's recipe for indexing a partitioned table without a long lock ("cannot create index
 * on partitioned table concurrently"): CREATE INDEX … ON ONLY the parent (invalid, nothing
 * built), then per partition CREATE INDEX CONCURRENTLY and ALTER INDEX … ATTACH PARTITION — a
 * sub-partitioned partition gets its own ON ONLY index, its partitions', then is attached. The
 * parent's index turns valid when its last partition is attached; a partition created later
 * gets its index with CREATE TABLE … PARTITION OF. Undefined when the recipe does not apply.
 */
export function partitionedRecipe(c: IndexCandidate): string[] | undefined {
  const partitions = c.partitions;
  if (!partitions || !recipeApplies(partitions)) return undefined;
  const qualified = (schema: string, name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const out: string[] = [`CREATE INDEX ${quoteIdent(c.name)} ON ONLY ${qualified(c.schema, c.table)}${indexBody(c)}`];
  const used = new Set<string>([`${c.schema}\0${c.name}`]);
  const visit = (schema: string, table: string, index: string) => {
    for (const p of partitions.filter((x) => x.parentSchema === schema && x.parent === table)) {
      const name = partitionIndexName(c, p, used);
      used.add(`${p.schema}\0${name}`);
      if (p.kind === 'p') {
        out.push(`CREATE INDEX ${quoteIdent(name)} ON ONLY ${qualified(p.schema, p.name)}${indexBody(c)}`);
        visit(p.schema, p.name, name);
      } else {
        out.push(`CREATE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${qualified(p.schema, p.name)}${indexBody(c)}`);
      }
      out.push(`ALTER INDEX ${qualified(schema, index)} ATTACH PARTITION ${qualified(p.schema, name)}`);
    }
  };
  visit(c.schema, c.table, c.name);
  return out;
}

/**
 * The SQL a user runs to create the index, statements ending in `;`, one per line: CREATE INDEX
 * CONCURRENTLY, or on a partitioned table the recipe (else CREATE INDEX on the parent, which
 * locks writes for the build: partitionLockNote says so).
 */
export function emittedDdl(c: IndexCandidate): string {
  const statements = partitionedRecipe(c) ?? [candidateDdl(c, true)];
  return statements.map((s) => `${s};`).join('\n');
}

/**
 * The statements of an emitted DDL (emittedDdl: each ends in `;`, one per line), split only at
 * a `;` and newline outside quotes: a quoted identifier may itself hold `;` or a newline.
 */
export function ddlStatements(ddl: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < ddl.length; i++) {
    const ch = ddl[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '\n' && ddl[i - 1] === ';') {
      out.push(ddl.slice(start, i));
      start = i + 1;
    }
  }
  if (start < ddl.length) out.push(ddl.slice(start));
  return out;
}

/** For a partitioned table: how its index is built, and what that locks. */
export function partitionNote(c: IndexCandidate): string | undefined {
  const partitions = c.partitions;
  if (!partitions) return undefined;
  const leaves = partitions.filter((p) => p.kind !== 'p').length;
  if (recipeApplies(partitions)) {
    return `${c.table} is partitioned, where CREATE INDEX CONCURRENTLY fails: the index is made ON ONLY ${c.table} (invalid until complete), built CONCURRENTLY on each of its ${leaves} partition(s) and attached; run the statements in order, outside a transaction`;
  }
  const why = partitions.some((p) => p.kind === 'f') ? 'a foreign-table partition cannot hold an index' : `${leaves} partitions would take ${leaves * 2 + 1} statements`;
  return `${c.table} is partitioned and CREATE INDEX CONCURRENTLY fails there; ${why}, so this is a plain CREATE INDEX on the parent: it blocks writes to every partition until the whole index is built — run it when that is acceptable, or build it partition by partition (CREATE INDEX ON ONLY, then CONCURRENTLY per partition and ALTER INDEX … ATTACH PARTITION)`;
}

/** How many distinct values a column has (pg_stats convention: negative is a fraction of the rows). */
function distinctValues(table: TableInfo, column: string): number | undefined {
  const d = table.nDistinct[column];
  if (d === undefined) return undefined;
  return d < 0 ? -d * Math.max(table.estimatedRows, 1) : d;
}

/**
 * Candidate indexes for one table of one query scope: equality columns first (most
 * selective first), then one range column, or the ORDER BY columns under a LIMIT; a
 * partial index when a low-cardinality column is compared with a constant; an INCLUDE
 * variant for an index-only scan when the query reads few columns. Existing and covered
 * indexes are left out. Verification, not this function, decides which ones help.
 */
export function candidatesFor(scope: QueryScope, rel: RelationRef, table: TableInfo): IndexCandidate[] {
  // A predicate the plain B-tree cannot serve (LIKE 'x%' under a non-C collation, a type-changing cast) proposes none.
  const mine = scope.predicates.filter((p) => resolve(p.qualifier, p.column, rel, table) && table.columns.includes(p.column) && plainBtreeServes(p, table));
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
      name: indexName(table.name, columns, `${where !== undefined ? '_partial' : ''}${include.length > 0 ? '_covering' : ''}`, takenNamesFor(table)),
      reason,
      ...(table.partitions ? { partitions: table.partitions } : {}),
      ...(table.takenNames && table.takenNames.length > 0 ? { takenNames: table.takenNames } : {}),
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
  const typed = typedCandidates(scope, rel, table, eq).filter((t) => !out.some((o) => candidateDdl(o, false) === candidateDdl(t, false)));
  return [...out, ...typed];
}

import { createHash } from 'node:crypto';
import { quoteIdent } from '../sql/quote-ident';
import type { IndexMethod } from './index-types';
import type { QueryScope, RelationRef } from './predicates';
import { typedCandidates, plainBtreeServes } from './typed-candidates';

/** A column's type as the catalog knows it (what decides which index serves an operator). */
export interface ColumnType {
  /** format_type(): `text`, `jsonb`, `integer[]`, `tstzrange`, `geometry`… */
  name: string;
  /** pg_type.typcategory: S string, A array, R range, G geometric, U user (jsonb is U), D date/time, N numeric… */
  category: string;
  /** Whether comparisons use the C collation (byte order), under which a plain B-tree serves LIKE 'x%'. */
  cCollation?: boolean;
}

/** A table the query reads, as the catalog knows it. */
export interface TableInfo {
  schema: string;
  name: string;
  columns: string[];
  estimatedRows: number;
  /** pg_stats.n_distinct per column (negative = fraction of rows, as Postgres stores it). */
  nDistinct: Record<string, number>;
  indexes: ExistingIndex[];
  /** Per column, when the catalog was asked (candidates of other index types need it). */
  types?: Record<string, ColumnType>;
  /** pg_stats.correlation per column: how closely the physical row order follows the column's order (±1 = exactly). */
  correlation?: Record<string, number>;
  /** Rows inserted, updated and deleted since the statistics were reset (pg_stat_user_tables): append-only or not. */
  writes?: { inserted: number; updated: number; deleted: number };
  /** Whether the database's default collation is C (what `->>` and other collation-less text results use). */
  defaultCCollation?: boolean;
  /** A partitioned table's partitions, every level, parents before their children (absent: not partitioned). */
  partitions?: PartitionInfo[];
  /** pg_stats.most_common_freqs[1] per column: the share of the rows its most common value holds. */
  topFrequency?: Record<string, number>;
  /**
   * Relations named `…_idx` (any kind: tables, sequences, views, other tables' indexes) in the
   * table's schema and its partitions': index names share that namespace, so a new one must not take one.
   */
  takenNames?: QualifiedName[];
}

export interface QualifiedName {
  schema: string;
  name: string;
}

/** One partition of a partitioned table (at any level). */
export interface PartitionInfo {
  schema: string;
  name: string;
  /** pg_class.relkind: `r` a table, `p` itself partitioned, `f` a foreign table (no index can be built on it). */
  kind: string;
  /** The partitioned table it is a partition of. */
  parentSchema: string;
  parent: string;
  /** Its indexes' names (a new one must not take one). */
  indexes: string[];
}

export interface ExistingIndex {
  name: string;
  /** Key columns (expressions as pg_get_indexdef prints them). */
  columns: string[];
  /** Included (non-key) columns. */
  include: string[];
  predicate?: string;
  valid: boolean;
  /** Access method (default btree). */
  method?: string;
  /** Operator class per key column, when known. */
  opclasses?: string[];
  /** Per key column, whether its operator class is the type's default (text_pattern_ops and jsonb_path_ops are not: they serve fewer operators). */
  defaultOpclasses?: boolean[];
}

export interface IndexCandidate {
  schema: string;
  table: string;
  /** Key columns, or expressions' SQL where `expressions[i]` is set. */
  columns: string[];
  /** Per key column: sort descending (only set when directions are mixed). */
  descending: boolean[];
  include: string[];
  where?: string;
  name: string;
  /** Why it was proposed, for the report. */
  reason: string;
  /** Access method; absent means btree. */
  using?: IndexMethod;
  /** Per key: an operator class other than the default (`gin_trgm_ops`, `jsonb_path_ops`, `text_pattern_ops`). */
  opclasses?: (string | undefined)[];
  /** Per key: the key is an expression (`lower(email)`), written in parentheses. */
  expressions?: boolean[];
  /** The extension whose operator class or access method the index needs (`pg_trgm`, `btree_gist`, `vector`, `postgis`). */
  extension?: string;
  /** What the query must look like for the index to serve it, when it does not already (`= ANY(tags)` → `tags @> ARRAY[…]`). */
  rewrite?: string;
  /** Per key, the schema of its operator class when not pg_catalog (where its extension was installed), from the catalog. */
  opclassSchemas?: (string | undefined)[];
  /** The table is partitioned: these are its partitions (the DDL builds the index partition by partition). */
  partitions?: PartitionInfo[];
  /**
   * The predicates on expressions the index serves, to be tested on the column's statistics
   * (pg_stats): the planner has none for an expression until an index on it is analyzed, so its
   * cost of the index rests on a guessed selectivity.
   */
  tests?: SelectivityTest[];
  /** Considered but not worth trying, and why (a BRIN on a column out of physical order): reported, never built. */
  notTried?: string;
  /** Names already taken in the schemas of the table and its partitions (the recipe's partition indexes must avoid them too). */
  takenNames?: QualifiedName[];
}

/** A predicate on an expression of one column, as parsed, to run on that column's pg_stats values. */
export interface SelectivityTest {
  column: string;
  /** The predicate's parse tree. */
  node: Record<string, any>;
  /** The expression, as the report quotes it. */
  shown: string;
  /**
   * Set when the expression reads several columns (`n - id`): pg_stats keeps statistics per
   * column, so nothing can tell its selectivity — the candidate's cost rests on the planner's guess.
   */
  columns?: string[];
}

/** More leaf partitions than this: plain CREATE INDEX on the parent (a lock) rather than a recipe of hundreds of statements. */
export const MAX_RECIPE_PARTITIONS = 100;

const MAX_IDENTIFIER = 63;

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

/** Names taken in one schema: its `…_idx` relations of `taken`, and `also` (names as `schema\0name`). */
function takenIn(schema: string, taken: readonly QualifiedName[] | undefined, also: Iterable<string> = []): Set<string> {
  const out = new Set<string>();
  for (const t of taken ?? []) if (t.schema === schema) out.add(t.name);
  for (const key of also) {
    const [s, n] = key.split('\0');
    if (s === schema) out.add(n);
  }
  return out;
}

/** The names a new index on the table must not take: its own indexes' and every `…_idx` relation of its schema. */
export function takenNamesFor(table: TableInfo): Set<string> {
  const out = takenIn(table.schema, table.takenNames);
  for (const i of table.indexes) out.add(i.name);
  return out;
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

/**
 * Control, format (bidirectional: U+202E…) and line/paragraph separator characters: a table's
 * name may hold them, a generated index name never copies them (it would read otherwise than it is).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** A table's name as the start of an index name: without its control and bidirectional characters. */
function nameStem(table: string): string {
  return table.replace(INVISIBLE, '');
}

/**
 * `<table>_<keys><suffix>_idx`, expressions reduced to their words (letters of any script
 * kept), the table's name without control or bidirectional characters. Postgres cuts names at
 * 63 bytes, so a longer one — or one already taken (`taken`: the table's indexes, and every
 * relation of the schema the caller found, since an index name shares the schema's namespace
 * with tables, sequences, views and other tables' indexes) — ends in a hash of the whole name
 * instead, rehashed until free: two candidates never share a name, and none is a name the
 * schema already has (the DDL has no IF NOT EXISTS to hide a clash: it would fail).
 */
export function indexName(table: string, columns: string[], suffix: string, taken: ReadonlySet<string> = new Set()): string {
  // A column keeps its spelling ("authorId"); an expression becomes its lower-case words.
  const words = columns.map((c) =>
    /^[\p{L}_][\p{L}\p{N}_]*$/u.test(c) ? c : c.replace(/[^\p{L}\p{N}_]+/gu, '_').replace(/^_+|_+$/g, '').replace(/_+/g, '_').toLowerCase(),
  );
  const name = `${nameStem(table)}_${words.join('_')}${suffix}_idx`;
  if (Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER && !taken.has(name)) return name;
  for (let attempt = 0; ; attempt++) {
    const hash = createHash('sha1')
      .update(`${name}\0${columns.join('\0')}${attempt > 0 ? `\0${attempt}` : ''}`)
      .digest('hex')
      .slice(0, 8);
    const end = `_${hash}_idx`;
    let head = name.slice(0, -'_idx'.length);
    // Cut by code points, never inside a multi-byte character.
    while (Buffer.byteLength(head + end, 'utf8') > MAX_IDENTIFIER) head = Array.from(head).slice(0, -1).join('');
    if (!taken.has(head + end)) return head + end;
  }
}

/** How many distinct values a column has (pg_stats convention: negative is a fraction of the rows). */
function distinctValues(table: TableInfo, column: string): number | undefined {
  const d = table.nDistinct[column];
  if (d === undefined) return undefined;
  return d < 0 ? -d * Math.max(table.estimatedRows, 1) : d;
}

/**
 * A key as a comparable string: pg_get_indexdef prints `(doc ->> 'k'::text)` and
 * `lower((email)::text)` for what the query wrote as `doc->>'k'` and `lower(email)`.
 */
function normKey(s: string): string {
  return s
    .replace(/('(?:[^']|'')*')::[a-z_ ]+/gi, '$1')
    .replace(/::text\b/gi, '')
    .replace(/pg_catalog\./gi, '')
    .replace(/[\s()"]/g, '')
    .toLowerCase();
}

/**
 * An existing key serves the candidate's operator class: the same one by name, or — for a
 * candidate on the type's default class — a default one. A non-default class serves fewer
 * operators (text_pattern_ops no `<` in the collation's order, jsonb_path_ops no `?`).
 */
function opclassServes(wanted: string | undefined, existing: string | undefined, existingIsDefault: boolean | undefined): boolean {
  if (wanted === undefined) return existing === undefined || existingIsDefault !== false;
  return existing === undefined ? existingIsDefault !== false : wanted === existing;
}

/** True when an existing valid index already serves these keys (same method, leading keys, operator classes and predicate). */
export function isCovered(
  c: Pick<IndexCandidate, 'columns' | 'include' | 'where'> & Partial<Pick<IndexCandidate, 'using' | 'opclasses'>>,
  table: TableInfo,
  equalityOnly: boolean,
): boolean {
  const norm = (s: string | undefined) => (s ?? '').replace(/[\s()]/g, '').toLowerCase();
  const method = c.using ?? 'btree';
  const keys = c.columns.map(normKey);
  return table.indexes.some((idx) => {
    if (!idx.valid) return false;
    if ((idx.method ?? 'btree') !== method) return false;
    if (idx.predicate && norm(idx.predicate) !== norm(c.where)) return false;
    if (idx.columns.length < c.columns.length) return false;
    const lead = idx.columns.slice(0, c.columns.length).map(normKey);
    // Only a B-tree's key order matters; other methods answer for any of their keys.
    const sameKeys = equalityOnly || method !== 'btree' ? lead.every((col) => keys.includes(col)) : lead.every((col, i) => col === keys[i]);
    if (!sameKeys) return false;
    if (!c.columns.every((_, i) => opclassServes(c.opclasses?.[i], idx.opclasses?.[lead.indexOf(keys[i])], idx.defaultOpclasses?.[lead.indexOf(keys[i])]))) return false;
    const all = new Set([...idx.columns, ...idx.include].map(normKey));
    return c.include.every((col) => all.has(normKey(col)));
  });
}

/** Qualified columns belong to the relation with that alias; unqualified ones to the table that has the column (Postgres rejects ambiguity). */
export function resolve(qualifier: string | undefined, column: string, rel: RelationRef, table: TableInfo): boolean {
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

/**
 * What index advice reasons about — the table as the catalog describes it, a candidate index —
 * and the helpers both the plain and the typed candidate generators use: index naming, whether
 * an existing index already covers a candidate, which relation a column belongs to.
 */
import { createHash } from 'node:crypto';
import type { Node } from '../sql/ast';
import type { IndexMethod } from './index-types';
import type { RelationRef } from './predicates';

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
  node: Node;
  /** The expression, as the report quotes it. */
  shown: string;
  /**
   * Set when the expression reads several columns (`n - id`): pg_stats keeps statistics per
   * column, so nothing can tell its selectivity — the candidate's cost rests on the planner's guess.
   */
  columns?: string[];
}
const MAX_IDENTIFIER = 63;

/** Names taken in one schema: its `…_idx` relations of `taken`, and `also` (names as `schema\0name`). */
export function takenIn(schema: string, taken: readonly QualifiedName[] | undefined, also: Iterable<string> = []): Set<string> {
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
 * Control, format (bidirectional: U+202E…) and line/paragraph separator characters: a table's
 * name may hold them, a generated index name never copies them (it would read otherwise than it is).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** A table's name as the start of an index name: without its control and bidirectional characters. */
export function nameStem(table: string): string {
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

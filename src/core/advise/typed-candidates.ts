import type { Node } from '../sql/ast';
import { quoteIdent } from '../sql/quote-ident';
import { indexName, isCovered, resolve, takenNamesFor, type ColumnType, type IndexCandidate, type SelectivityTest, type TableInfo } from './candidate-model';
import type { IndexMethod } from './index-types';
import { isPrefixPattern, type ColumnPredicate, type IndexedOperand, type OperatorPredicate, type QueryScope, type RelationRef } from './predicates';

/**
 * Candidates a plain B-tree on a column cannot be: per predicate kind, the index type, operator
 * class and extension that serve it (the index-strategy table of the README):
 * - LIKE/ILIKE with a leading wildcard, `~`, `~*`, `%`, similarity() → GIN `gin_trgm_ops` (pg_trgm);
 * - LIKE 'x%' under a non-C collation → B-tree `text_pattern_ops`;
 * - jsonb `@>`, `@?`, `@@` → GIN `jsonb_path_ops`; with `?`, `?|`, `?&` too → GIN `jsonb_ops`;
 * - `f(col) = …` (lower, date_trunc, casts, coalesce, `->>`) → B-tree on exactly that expression;
 * - `to_tsvector(cfg, col) @@ …` → GIN on that expression; `tsv @@ …` → GIN on the column;
 * - range and geometric operators, PostGIS predicates → GiST (SP-GiST too for points);
 * - array `@>`, `<@`, `&&` (and `= ANY`, once rewritten) → GIN;
 * - `ORDER BY col <-> v LIMIT n` → GiST (trigram, geometric, btree_gist) or HNSW for pgvector;
 * - a large append-only table filtered on a column in physical order → BRIN.
 * Verification decides which of them help; this only proposes what can.
 */

const TRIGRAM_OPERATORS = new Set(['~~', '~~*', '~', '~*', '%', '<%', '%>', '<<%', '%>>', 'similarity()', 'word_similarity()', 'strict_word_similarity()']);
const JSONB_PATH_OPERATORS = new Set(['@>', '@?', '@@']);
const JSONB_OPERATORS = new Set(['@>', '@?', '@@', '?', '?|', '?&']);
const ARRAY_OPERATORS = new Set(['@>', '<@', '&&', '= ANY']);
const RANGE_OPERATORS = new Set(['&&', '@>', '<@', '-|-', '<<', '>>', '&<', '&>']);
const GEOMETRIC_OPERATORS = new Set(['&&', '@>', '<@', '~=', '<<', '>>', '&<', '&>', '<<|', '|>>', '&<|', '|&>', '<^', '>^', '?#', '~', '@']);
const INET_OPERATORS = new Set(['<<', '<<=', '>>', '>>=', '&&']);
const POSTGIS_TYPES = new Set(['geometry', 'geography']);
/** pgvector's distance operators and the HNSW operator class each needs. */
const VECTOR_OPCLASS: Record<string, string> = { '<->': 'vector_l2_ops', '<=>': 'vector_cosine_ops', '<#>': 'vector_ip_ops', '<+>': 'vector_l1_ops' };
/** Types whose `<->` distance btree_gist provides, for k-NN on a scalar column. */
const BTREE_GIST_CATEGORIES = new Set(['N', 'D', 'T']);

/** A BRIN pays off on a table this large whose column follows the physical order this closely. */
export const BRIN_MIN_ROWS = 100_000;
export const BRIN_MIN_CORRELATION = 0.95;
/**
 * …and that has at least this many distinct values: a near-constant column has a correlation
 * of ±1 (its sorted order is the physical order), yet every block range holds the same value or
 * two, so a BRIN can skip nothing.
 */
export const BRIN_MIN_DISTINCT = 100;
/**
 * …and whose most common value holds less than this share of the rows: a value most rows hold
 * sits in nearly every block range, so each range's min–max summary stretches to it and a range
 * predicate on the other values matches most ranges (n_distinct may be high: the rare values).
 */
export const BRIN_MAX_TOP_FREQUENCY = 0.5;
/** Updates and deletes, as a share of inserts, under which a table counts as append-only. */
const BRIN_MAX_CHURN = 0.1;

const STRING_TYPES = /^(text|character varying|varchar|character|bpchar|char|name|citext)\b/;

/** The type of an operand: a column's from the catalog; an expression's from its head where that tells. */
function operandType(operand: IndexedOperand, table: TableInfo): ColumnType | undefined {
  if (operand.expression === undefined) return table.types?.[operand.refs[0].column];
  const head = operand.head ?? '';
  // A text function's result takes its argument's collation; `->>` gives the database's default.
  const collation = operand.refs.length === 1 ? table.types?.[operand.refs[0].column]?.cCollation : undefined;
  if (['lower', 'upper', 'unaccent', 'concat', 'concat_ws', 'btrim', 'trim', '||'].includes(head)) return { name: 'text', category: 'S', ...(collation !== undefined ? { cCollation: collation } : {}) };
  if (head === '->>' || head === '#>>') return { name: 'text', category: 'S', ...(table.defaultCCollation !== undefined ? { cCollation: table.defaultCCollation } : {}) };
  if (head === '->' || head === '#>') return { name: 'jsonb', category: 'U' };
  if (head === 'to_tsvector') return { name: 'tsvector', category: 'U' };
  if (head.startsWith('::')) return { name: head.slice(2), category: STRING_TYPES.test(head.slice(2)) ? 'S' : '' };
  return undefined;
}

function isString(t: ColumnType | undefined): boolean {
  return t !== undefined && (t.category === 'S' || STRING_TYPES.test(t.name));
}

/** The operand's key and the SQL text the report quotes. */
function keyOf(operand: IndexedOperand): { key: string; expression: boolean; shown: string } {
  if (operand.expression !== undefined) return { key: operand.expression, expression: true, shown: operand.expression };
  const col = operand.refs[0].column;
  return { key: col, expression: false, shown: quoteIdent(col) };
}

function mine(operand: IndexedOperand, rel: RelationRef, table: TableInfo): boolean {
  return operand.refs.every((r) => resolve(r.qualifier, r.column, rel, table) && table.columns.includes(r.column));
}

/** Whether a plain B-tree on the column serves a column predicate (false for LIKE 'x%' under a non-C collation, or a cast that changes the type). */
export function plainBtreeServes(p: ColumnPredicate, table: TableInfo): boolean {
  const type = table.types?.[p.column];
  if (!type) return true;
  if (p.operator === '~~' && type.cCollation === false) return false;
  if (p.castTo !== undefined && !castRelabels(type, p.castTo)) return false;
  return true;
}

/** A cast between string types (varchar → text) keeps the column's order: its index still serves. */
function castRelabels(type: ColumnType, target: string): boolean {
  const t = target.toLowerCase();
  if (type.name === t || type.name.startsWith(`${t}(`)) return true;
  return isString(type) && STRING_TYPES.test(t === 'varchar' ? 'varchar' : t);
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function describe(p: OperatorPredicate, shown: string): string {
  const name: Record<string, string> = { '~~': 'LIKE', '~~*': 'ILIKE' };
  const op = name[p.operator] ?? p.operator;
  if (p.operator.endsWith('()')) return `${p.operator.slice(0, -2)}(${shown}, …)`;
  if (p.operator === '= ANY') return `… = ANY(${shown})`;
  return `${shown} ${op} ${p.literal !== undefined ? quoteLiteral(p.literal) : '…'}`;
}

interface Draft {
  keys: { key: string; expression: boolean; opclass?: string }[];
  using: IndexMethod;
  suffix: string;
  reason: string;
  extension?: string;
  rewrite?: string;
  tests?: SelectivityTest[];
  notTried?: string;
}

/**
 * The predicate as a selectivity test, when it reads an expression (the planner has no
 * statistics on it): of one column, tested on that column's pg_stats; of several, marked as one
 * no statistics can judge (`columns`).
 */
function testOf(operand: IndexedOperand, node: Node | undefined): SelectivityTest[] {
  if (operand.expression === undefined || operand.refs.length === 0 || !node) return [];
  const columns = [...new Set(operand.refs.map((r) => r.column))];
  if (columns.length > 1) return [{ column: columns[0], node, shown: operand.expression, columns }];
  return [{ column: columns[0], node, shown: operand.expression }];
}

/**
 * The candidates of other index types for one table of one scope. `eqColumns`: the scope's
 * equality columns on this table, most selective first (a pattern B-tree can lead with them).
 */
export function typedCandidates(scope: QueryScope, rel: RelationRef, table: TableInfo, eqColumns: string[]): IndexCandidate[] {
  const drafts: Draft[] = [];
  const operators = scope.operators.filter((p) => mine(p.operand, rel, table));

  // jsonb: one GIN per operand, its operator class from every operator the query applies to it.
  const jsonbOps = new Map<string, { operand: IndexedOperand; ops: Set<string>; shown: string[] }>();

  for (const p of operators) {
    const type = operandType(p.operand, table);
    const k = keyOf(p.operand);
    const text = describe(p, k.shown);
    const typeName = type?.name ?? '';
    // Without the catalog's types, LIKE, ILIKE and % still say "text"; `~` is also a geometric operator.
    if (TRIGRAM_OPERATORS.has(p.operator) && (isString(type) || (type === undefined && p.operator !== '~'))) {
      if (p.operator === '~~' && p.literal !== undefined && isPrefixPattern(p.literal)) {
        // A fixed prefix is a B-tree range: under the C collation a plain B-tree serves it (candidatesFor
        // proposes it for a column, this for an expression); under another, only text_pattern_ops does.
        if (type?.cCollation !== false && p.operand.expression !== undefined) {
          drafts.push({
            keys: [...eqColumns.map((c) => ({ key: c, expression: false })), k],
            using: 'btree',
            suffix: '',
            reason: `prefix search ${text}: a B-tree on exactly that expression ranges over the prefix (C collation)`,
            tests: testOf(p.operand, p.node),
          });
        } else if (type?.cCollation === false) {
          drafts.push({
            keys: [...eqColumns.map((c) => ({ key: c, expression: false })), { ...k, opclass: 'text_pattern_ops' }],
            using: 'btree',
            suffix: '_pattern',
            reason: `prefix search ${text}: under a non-C collation a plain B-tree cannot range over a LIKE prefix; text_pattern_ops compares byte by byte`,
            tests: testOf(p.operand, p.node),
          });
        }
        continue;
      }
      const similarity = p.operator.endsWith('()');
      drafts.push({
        keys: [{ ...k, opclass: 'gin_trgm_ops' }],
        using: 'gin',
        suffix: '_trgm',
        reason: `trigram search ${text}: a GIN index of pg_trgm trigrams serves LIKE/ILIKE at any position, regular expressions and similarity`,
        extension: 'pg_trgm',
        ...(similarity ? { rewrite: `${p.operator.slice(0, -2)}() is a function no index serves: write ${k.shown} ${p.operator === 'similarity()' ? '%' : '<%'} ${p.literal !== undefined ? quoteLiteral(p.literal) : '…'} (it compares with pg_trgm.similarity_threshold)` } : {}),
      });
      continue;
    }
    if (p.operator === '@@' && (p.operand.head === 'to_tsvector' || typeName === 'tsvector')) {
      const configured = p.operand.expression === undefined || p.operand.firstLiteral !== undefined;
      drafts.push({
        keys: [k],
        using: 'gin',
        suffix: '_fts',
        reason:
          p.operand.expression === undefined
            ? `full-text search on the stored tsvector ${k.shown}: a GIN index of its lexemes`
            : `full-text search ${text}: a GIN index on the same to_tsvector expression, with the same configuration${p.operand.firstLiteral ? ` ('${p.operand.firstLiteral}')` : ''}`,
        ...(configured ? {} : { rewrite: `to_tsvector(text) without a configuration depends on default_text_search_config, so no index can hold it: name one, to_tsvector('english', …), in the query and the index` }),
      });
      continue;
    }
    if (typeName === 'jsonb' && JSONB_OPERATORS.has(p.operator)) {
      const entry = jsonbOps.get(k.key) ?? { operand: p.operand, ops: new Set<string>(), shown: [] };
      entry.ops.add(p.operator);
      entry.shown.push(text);
      jsonbOps.set(k.key, entry);
      continue;
    }
    if (type?.category === 'A' && ARRAY_OPERATORS.has(p.operator)) {
      drafts.push({
        keys: [k],
        using: 'gin',
        suffix: '_gin',
        reason: `array ${p.operator === '= ANY' ? 'membership' : 'containment/overlap'} ${text}: a GIN index of the array elements`,
        ...(p.operator === '= ANY' ? { rewrite: `value = ANY(${k.shown}) cannot use an index: write ${k.shown} @> ARRAY[value] (same rows), which the GIN index serves` } : {}),
      });
      continue;
    }
    if (type?.category === 'R' && RANGE_OPERATORS.has(p.operator)) {
      drafts.push({ keys: [k], using: 'gist', suffix: '_gist', reason: `range ${text}: a GiST index serves overlap, containment and adjacency of ranges` });
      continue;
    }
    if (type?.category === 'G' && GEOMETRIC_OPERATORS.has(p.operator)) {
      drafts.push({ keys: [k], using: 'gist', suffix: '_gist', reason: `geometric ${text}: a GiST index of bounding boxes` });
      if (typeName === 'point') drafts.push({ keys: [k], using: 'spgist', suffix: '_spgist', reason: `geometric ${text}: an SP-GiST quad-tree of the points` });
      continue;
    }
    if (type?.category === 'I' && INET_OPERATORS.has(p.operator)) {
      drafts.push({ keys: [{ ...k, opclass: 'inet_ops' }], using: 'gist', suffix: '_gist', reason: `network ${text}: a GiST inet_ops index serves subnet containment and overlap` });
      continue;
    }
    if (POSTGIS_TYPES.has(typeName) && (p.operator.startsWith('st_') || GEOMETRIC_OPERATORS.has(p.operator))) {
      drafts.push({ keys: [k], using: 'gist', suffix: '_gist', reason: `spatial ${text}: a GiST index of bounding boxes (PostGIS)`, extension: 'postgis' });
    }
  }

  for (const { operand, ops, shown } of jsonbOps.values()) {
    const k = keyOf(operand);
    const pathOnly = [...ops].every((o) => JSONB_PATH_OPERATORS.has(o));
    drafts.push({
      keys: [{ ...k, ...(pathOnly ? { opclass: 'jsonb_path_ops' } : {}) }],
      using: 'gin',
      suffix: '_gin',
      reason: pathOnly
        ? `jsonb containment ${shown.join(', ')}: GIN jsonb_path_ops (smaller and faster than jsonb_ops; serves @>, @? and @@)`
        : `jsonb ${shown.join(', ')}: GIN jsonb_ops (the key-existence operators ?, ?| and ?& need it)`,
    });
  }

  const distance = scope.distanceSort && mine(scope.distanceSort.operand, rel, table) ? scope.distanceSort : undefined;
  if (distance) {
    const type = operandType(distance.operand, table);
    const k = keyOf(distance.operand);
    const text = `ORDER BY ${k.shown} ${distance.operator} … LIMIT`;
    if (type?.name.startsWith('vector') && VECTOR_OPCLASS[distance.operator]) {
      drafts.push({ keys: [{ ...k, opclass: VECTOR_OPCLASS[distance.operator] }], using: 'hnsw', suffix: '_hnsw', reason: `nearest neighbours ${text}: an HNSW index (pgvector) returns approximate neighbours in order`, extension: 'vector' });
    } else if (distance.operator === '<->' && isString(type)) {
      drafts.push({ keys: [{ ...k, opclass: 'gist_trgm_ops' }], using: 'gist', suffix: '_trgm_gist', reason: `nearest by trigram distance ${text}: a GiST gist_trgm_ops index returns rows in distance order (GIN cannot)`, extension: 'pg_trgm' });
    } else if (distance.operator === '<->' && (type?.category === 'G' || POSTGIS_TYPES.has(type?.name ?? ''))) {
      drafts.push({ keys: [k], using: 'gist', suffix: '_gist', reason: `nearest neighbours ${text}: a GiST index returns rows in distance order`, ...(POSTGIS_TYPES.has(type?.name ?? '') ? { extension: 'postgis' } : {}) });
    } else if (distance.operator === '<->' && type && BTREE_GIST_CATEGORIES.has(type.category)) {
      drafts.push({ keys: [k], using: 'gist', suffix: '_gist', reason: `nearest values ${text}: a GiST index with btree_gist's distance operator`, extension: 'btree_gist' });
    }
  }

  drafts.push(...expressionDrafts(scope, rel, table, eqColumns));
  drafts.push(...brinDrafts(scope.predicates, rel, table));

  const out: IndexCandidate[] = [];
  for (const d of drafts) {
    const c: IndexCandidate = {
      schema: table.schema,
      table: table.name,
      columns: d.keys.map((k) => k.key),
      descending: d.keys.map(() => false),
      include: [],
      name: indexName(table.name, d.keys.map((k) => k.key), d.suffix, takenNamesFor(table)),
      reason: d.reason,
      ...(d.using !== 'btree' ? { using: d.using } : {}),
      ...(d.keys.some((k) => k.opclass) ? { opclasses: d.keys.map((k) => k.opclass) } : {}),
      ...(d.keys.some((k) => k.expression) ? { expressions: d.keys.map((k) => k.expression) } : {}),
      ...(d.extension ? { extension: d.extension } : {}),
      ...(d.rewrite ? { rewrite: d.rewrite } : {}),
      ...(d.tests && d.tests.length > 0 ? { tests: d.tests } : {}),
      ...(d.notTried ? { notTried: d.notTried } : {}),
      ...(table.partitions ? { partitions: table.partitions } : {}),
      ...(table.takenNames && table.takenNames.length > 0 ? { takenNames: table.takenNames } : {}),
    };
    if (coveredByExisting(c, table)) continue;
    if (out.some((o) => o.name === c.name || sameIndex(o, c))) continue;
    out.push(c);
  }
  return out;
}

function sameIndex(a: IndexCandidate, b: IndexCandidate): boolean {
  return (a.using ?? 'btree') === (b.using ?? 'btree') && a.columns.join('\0') === b.columns.join('\0') && (a.opclasses ?? []).join() === (b.opclasses ?? []).join();
}

/**
 * An existing index that serves the same predicates: same method and keys, and an operator
 * class at least as capable (jsonb_ops serves what jsonb_path_ops does; a GiST trigram index
 * serves LIKE like the GIN one).
 */
function coveredByExisting(c: IndexCandidate, table: TableInfo): boolean {
  if (isCovered(c, table, false)) return true;
  if (c.opclasses?.[0] === 'jsonb_path_ops' && isCovered({ ...c, opclasses: ['jsonb_ops'] }, table, false)) return true;
  if (c.opclasses?.[0] === 'gin_trgm_ops' && isCovered({ ...c, using: 'gist', opclasses: ['gist_trgm_ops'] }, table, false)) return true;
  if (c.using === 'brin' && isCovered({ ...c, using: undefined }, table, false)) return true;
  return false;
}

/** B-tree on exactly the expressions the query compares (`lower(email)`, `(doc ->> 'k')`, `created_at::date`). */
function expressionDrafts(scope: QueryScope, rel: RelationRef, table: TableInfo, eqColumns: string[]): Draft[] {
  const exprs = scope.expressions.filter((e) => e.operand.expression !== undefined && mine(e.operand, rel, table));
  const usable = exprs.filter((e) => {
    // A cast that only relabels (varchar → text) is served by the column's own B-tree.
    const head = e.operand.head ?? '';
    if (!head.startsWith('::') || e.operand.refs.length !== 1) return true;
    const type = table.types?.[e.operand.refs[0].column];
    return type === undefined || !castRelabels(type, head.slice(2).replace(/\(.*$/, ''));
  });
  if (usable.length === 0) return [];
  const eq = [...new Map(usable.filter((e) => e.kind !== 'range').map((e) => [e.operand.expression!, e])).values()];
  const range = usable.find((e) => e.kind === 'range' && !eq.some((q) => q.operand.expression === e.operand.expression));
  const keys = [...eq, ...(range ? [range] : [])];
  const shown = keys.map((e) => e.operand.expression!).join(', ');
  const zoneDependent = keys.some((e) => zoneDependentOn(e.operand, table));
  return [
    {
      keys: [...eqColumns.map((c) => ({ key: c, expression: false })), ...keys.map((e) => ({ key: e.operand.expression!, expression: true }))],
      using: 'btree',
      suffix: '',
      reason: `expression index on exactly what the query compares (${shown}): an index on the bare column cannot serve a function of it`,
      tests: keys.flatMap((e) => testOf(e.operand, e.node)),
      ...(zoneDependent
        ? { rewrite: `on timestamptz, date_trunc() and ::date depend on the TimeZone setting, so no index can hold them: compare the column with a range instead (col >= '2024-01-01' AND col < '2024-01-02'), which a B-tree on the column serves, or use date_trunc('day', col AT TIME ZONE 'UTC')` }
        : {}),
    },
  ];
}

function zoneDependentOn(operand: IndexedOperand, table: TableInfo): boolean {
  const tz = operand.refs.some((r) => table.types?.[r.column]?.name === 'timestamp with time zone');
  return tz && (operand.head === 'date_trunc' || operand.head === '::date') && !/timezone\(/i.test(operand.expression ?? '');
}

/**
 * BRIN on a large, append-only table's column whose values follow the physical row order and
 * are not nearly constant. A column the query filters that fails one of those gets a draft that
 * is not tried, saying which (so "why no BRIN?" has an answer).
 */
function brinDrafts(predicates: ColumnPredicate[], rel: RelationRef, table: TableInfo): Draft[] {
  if (table.estimatedRows < BRIN_MIN_ROWS) return [];
  const w = table.writes;
  const churn = !w || w.inserted === 0 ? 0 : (w.updated + w.deleted) / w.inserted;
  const mine = predicates.filter((p) => (p.kind === 'range' || p.kind === 'eq') && p.castTo === undefined && p.operator === undefined && resolve(p.qualifier, p.column, rel, table));
  const ranged = new Set(mine.filter((p) => p.kind === 'range').map((p) => p.column));
  const cols = [...new Set(mine.map((p) => p.column))];
  const drafts = cols.map((col): Draft => {
    const draft = { keys: [{ key: col, expression: false }], using: 'brin' as const, suffix: '_brin' };
    const correlation = table.correlation?.[col];
    const nd = table.nDistinct[col];
    const distinct = nd === undefined ? undefined : nd < 0 ? -nd * table.estimatedRows : nd;
    const top = table.topFrequency?.[col];
    const shown = quoteIdent(col);
    const notTried =
      correlation === undefined
        ? `no BRIN on ${shown}: pg_stats has no correlation for it (run ANALYZE), and a BRIN index only helps a column that follows the physical row order`
        : Math.abs(correlation) < BRIN_MIN_CORRELATION
          ? `no BRIN on ${shown}: its physical correlation is ${correlation.toFixed(2)} (pg_stats), and a BRIN index needs |correlation| ≥ ${BRIN_MIN_CORRELATION}: rows of one value range are spread over the whole table, so every block range would match`
          : distinct !== undefined && distinct < BRIN_MIN_DISTINCT
            ? `no BRIN on ${shown}: it has only ${Math.round(distinct)} distinct value(s) (pg_stats n_distinct; a BRIN needs ≥ ${BRIN_MIN_DISTINCT}): every block range holds the same few values, so a BRIN skips almost nothing — a B-tree or a partial index suits such a column`
            : top !== undefined && top >= BRIN_MAX_TOP_FREQUENCY
              ? `no BRIN on ${shown}: its most common value holds ${formatShare(top)} of the rows (pg_stats most_common_freqs; a BRIN needs under ${Math.round(BRIN_MAX_TOP_FREQUENCY * 100)}%): that value sits in nearly every block range, stretching each range's min–max summary across it, so a BRIN skips almost nothing — a B-tree or a partial index on the other values suits such a column`
              : churn > BRIN_MAX_CHURN
              ? `no BRIN on ${shown}: the table is not append-only (updates and deletes are ${Math.round(churn * 100)}% of inserts; BRIN wants ≤ ${Math.round(BRIN_MAX_CHURN * 100)}%): moved rows widen the block ranges' summaries until they skip nothing`
              : undefined;
    if (notTried) return { ...draft, reason: notTried, notTried };
    return {
      ...draft,
      reason: `block-range index: ${shown} follows the physical row order (correlation ${correlation!.toFixed(2)}, ${distinct !== undefined ? `~${formatDistinct(distinct)} distinct values` : 'distinct values unknown'}) on a large append-only table, so a BRIN index a fraction of a B-tree's size skips the blocks outside the range`,
    };
  });
  // Why no BRIN is said for range filters (what a BRIN is for) and for a near-constant column in
  // physical order (which a BRIN would otherwise seem to suit); an equality on an unordered column
  // never called for one.
  return drafts.filter((d, i) => !d.notTried || ranged.has(cols[i]) || Math.abs(table.correlation?.[cols[i]] ?? 0) >= BRIN_MIN_CORRELATION);
}

function formatShare(share: number): string {
  return share >= 0.995 && share < 1 ? `${(share * 100).toFixed(1)}%` : `${Math.round(share * 100)}%`;
}

function formatDistinct(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}k` : String(Math.round(n));
}

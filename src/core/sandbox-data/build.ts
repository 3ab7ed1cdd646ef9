import type { Catalog, ColumnInfo, ForeignKeyInfo, TableInfo, TypeInfo } from './catalog';
import { quoteIdent, quoteLiteral } from './catalog';
import { emptyShapes, readCheck, type CheckShapes, type Restriction } from './checks';
import type { ColumnStats, TableStats, UnsupportedColumn } from './types';
import {
  capacity,
  defaultDistinct,
  interpolable,
  interpolate,
  MOSTLY_NULL,
  orderable,
  plusStep,
  specFor,
  UNBOUNDED,
  uniqueStride,
  valueSql,
  type Spec,
} from './values';

/**
 * One table's fill as a single set-based statement:
 *
 *   INSERT INTO t (cols)
 *   SELECT cols FROM (
 *     SELECT <values from keys> FROM (
 *       SELECT g, <keys, null flags, FK picks> FROM generate_series(a, b) AS gs(g) OFFSET 0) s
 *     LEFT JOIN pg_temp.<numbered keys of the referenced table> f0 ON f0.i = s.p0 …
 *     OFFSET 0) v
 *   WHERE (<each CHECK>) IS NOT FALSE AND (<partition bounds>) …
 *
 * Keys are hashes of the row number g (hashint8extended), so a value depends on g and the
 * seed only, not on the order rows are made in.
 */

/**
 * A referenced table's keys, numbered 1..count in a temp table (i, k1, k2, … in the FK's
 * column order). Grouped (`groupBy`: indexes into the FK's columns): numbered 1..c within each
 * group, with the group sizes in `counts` (k<group columns>, c).
 */
export interface KeyTable {
  temp: string;
  count: number;
  groupBy?: number[];
  counts?: string;
  /** Integer keys min..min+count-1 without a gap (a fresh identity): key i is min + i - 1, no temp table, no join. */
  denseMin?: number;
}

/**
 * Which FKs drive their columns and which share some with an FK placed before them (widest
 * first): a multi-tenant `(org_id, project_id) → projects` next to `(org_id) → orgs` picks its
 * project among the org's. `shared`: indexes of the FK's columns already driven. An FK whose
 * columns are all taken is checked by a filter instead.
 */
export function fkLayout(table: TableInfo, deferred: Set<ForeignKeyInfo>): Map<ForeignKeyInfo, { role: 'primary' | 'dependent' | 'secondary'; shared: number[] }> {
  const out = new Map<ForeignKeyInfo, { role: 'primary' | 'dependent' | 'secondary'; shared: number[] }>();
  const taken = new Set<string>();
  for (const fk of sortFks(table.foreignKeys)) {
    if (fk.refOid === table.oid || deferred.has(fk)) continue;
    const shared = fk.columns.map((c, i) => (taken.has(c) ? i : -1)).filter((i) => i >= 0);
    const role = shared.length === 0 ? 'primary' : shared.length === fk.columns.length ? 'secondary' : 'dependent';
    out.set(fk, { role, shared });
    for (const c of fk.columns) taken.add(c);
  }
  return out;
}

function sortFks(fks: ForeignKeyInfo[]): ForeignKeyInfo[] {
  return [...fks].sort((a, b) => b.columns.length - a.columns.length || a.name.localeCompare(b.name));
}

export interface PlanContext {
  table: TableInfo;
  catalog: Catalog;
  /** Rows wanted. */
  rows: number;
  /** Rows already there: g runs from offset + 1. */
  offset: number;
  seed: number;
  nullFrac: number;
  skew: number;
  stats?: TableStats;
  /** The numbered keys of each FK's referenced table (undefined: empty or unknown); grouped for a dependent FK (see fkLayout). */
  keys: (fk: ForeignKeyInfo) => KeyTable | undefined;
  /** Stats of the column a one-column FK references (its key range in the source database), if the stats file has them. */
  refStats?: (fk: ForeignKeyInfo) => ColumnStats | undefined;
  /** Rows of the table an FK references in the source database (its stats' row count), if the stats file has them. */
  refRows?: (fk: ForeignKeyInfo) => number | undefined;
  /** FK edges broken for a cycle: filled afterwards by UPDATE. */
  deferred: Set<ForeignKeyInfo>;
  triggersDisabled: boolean;
  /** 'simple': no stats, nullable non-key columns left NULL; 'minimal': every nullable column left out. */
  mode: 'full' | 'simple' | 'minimal';
  capabilities: { xml: boolean };
}

export interface TablePlan {
  /** The INSERT (without ON CONFLICT); undefined when the table cannot be filled. */
  sql?: string;
  /** Rows the statement generates before filters. */
  rows: number;
  /** Why the table cannot be filled. */
  fatal?: string;
  notes: string[];
  unsupported: UnsupportedColumn[];
  /** FKs of this table to fill by UPDATE once the referenced rows exist (self-references, cycles). */
  later: Array<{ fk: ForeignKeyInfo; notNull: boolean }>;
  /** The statement may drop rows (CHECK, partition, overlapping FK filters). */
  filtered: boolean;
  /** A unique key's rows may repeat (its FKs each drawn by their stats): insert with ON CONFLICT DO NOTHING. */
  conflicts?: boolean;
  /** The generated rows of a sample, and each filter by name: to tell which one drops rows. */
  probe?: { sample: string; filters: Array<{ name: string; sql: string }> };
}

type KeyGen =
  | { kind: 'g'; stride: number }
  | { kind: 'digit'; div: number; mod: number; stride: number }
  | { kind: 'draw'; distinct: number; skew: number }
  | { kind: 'ordered'; distinct: number; reverse: boolean };

interface Col {
  info: ColumnInfo;
  /** The type values are built as (a domain's base type). */
  castType: string;
  type: TypeInfo;
  spec: Spec;
  notNull: boolean;
  kind: 'omit' | 'value' | 'fk' | 'null';
  fk?: Fk;
  key?: KeyGen;
  nullFrac: number;
  stats?: ColumnStats;
  derived?: { low: Col; strict: boolean };
  /** Histogram values in this many steps per bucket (see histogramSteps). */
  steps?: number;
  /** num_nonnulls group: this column is the `index`-th of `size` that take turns being non-null. */
  turn?: { group: number; index: number; size: number };
  /** Domain CHECKs, VALUE replaced by the column, and their names. */
  domainChecks: string[];
  domainNames: string[];
  /** Slot in the key subquery. */
  slot: number;
}

interface Fk {
  fk: ForeignKeyInfo;
  cols: Col[];
  keys: KeyTable;
  mode: 'draw' | 'inj' | 'digit' | 'dependent';
  /** Dependent: the shared columns (driven by earlier FKs) and their index in this FK. */
  shared?: Array<{ col: Col; index: number }>;
  digit?: { div: number; mod: number };
  nullable: boolean;
  nullFrac: number;
  alias: string;
  stats?: ColumnStats;
}

/**
 * A deterministic seed for one purpose (`text`) from the user's seed, a whole number below
 * 2^53: FNV-1a of the text started from the seed's low 32 bits, its high bits on top. One-to-one
 * in the seed for a given text — every step of FNV is — so two seeds never give the same data,
 * where folding the seed into 32 bits made 1 and 2^32 + 1 the same. Below 2^53, so the SQL
 * (hashint8extended's int8 seed) and JavaScript read the same number.
 */
export function seedOf(text: string, seed = 0): number {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`the data seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, not ${seed}`);
  const high = Math.floor(seed / 2 ** 32);
  let h = 0x811c9dc5 ^ (seed % 2 ** 32);
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return high * 2 ** 32 + (h >>> 0);
}

/**
 * How much of a column's physical order its stats' correlation asks for: `share` of the rows get
 * their value from their position in the table (the rest at random), reversed for a negative
 * correlation. pg_stats' correlation ranks equal values by their position, so a column in random
 * order whose non-null values have frequencies f_i already shows a correlation of about Σ f_i²
 * (0.87 for a status that is 93 % one value): only the part above that is order. With a share
 * p ordered, the correlation comes out about p + (1 - p)·Σ f_i² (and -p + (1 - p)·Σ f_i²
 * reversed).
 */
export function physicalOrder(stats: ColumnStats): { share: number; reverse: boolean } {
  const corr = stats.correlation ?? 0;
  const nonNull = Math.max(1e-9, 1 - (stats.nullFrac ?? 0));
  const freqs = stats.mcv?.freqs ?? stats.mcvFreqs ?? [];
  const ties = Math.min(1, freqs.reduce((a, f) => a + (f / nonNull) ** 2, 0));
  if (corr >= ties) return { share: ties >= 1 ? 0 : clamp01((corr - ties) / (1 - ties)), reverse: false };
  return { share: clamp01((ties - corr) / (1 + ties)), reverse: true };
}

function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}

function round6(x: number): number {
  return Number(x.toFixed(6));
}

/**
 * A uniform `u` (SQL) that follows the row order as much as the stats' correlation asks (see
 * physicalOrder): the row's position for that share of the rows, `u` for the rest.
 */
export function orderedUnit(stats: ColumnStats, u: string, rows: number, offset: number, seed: (purpose: string) => number): string {
  if (stats.correlation === undefined) return u;
  const order = physicalOrder(stats);
  if (order.share < 0.05) return u;
  const pos = positionSql(rows, offset, order.reverse, seed('j'));
  return order.share >= 0.995 ? pos : `CASE WHEN ${unitSql(seed('o'))} < ${round6(order.share)} THEN ${pos} ELSE ${u} END`;
}

/** The row's place in the batch, 0..1, with jitter within its step (SQL): values drawn from it follow the row order. */
export function positionSql(rows: number, offset: number, reverse: boolean, seed: number): string {
  const n = Math.max(rows, 1);
  const i = reverse ? `(${offset + n} - g)` : `(g - ${offset + 1})`;
  return `least(0.999999999, (${i}::float8 + ${unitSql(seed)}) / ${n})`;
}

/**
 * A one-column FK's pick shaped by its stats (SQL of a key number 1..count, keys numbered in key
 * order). Each most common value keeps its frequency (of the non-null rows) on a key of its own,
 * at the same place in the key order as in the source: for numbers, where the value lies between
 * the lowest and highest referenced key (`ref`'s histogram and MCVs, else the column's own);
 * otherwise (or values left out) spread evenly. The other rows are uniform over as many keys
 * as n_distinct says less the common ones (every key without it), spread evenly over the key
 * order: the uniformity Postgres's planner assumes outside the MCV list. The histogram of key
 * values is not followed: n_distinct is what the source's planner believes (estimated on a
 * sample: a Zipf-like column can have twice as many), and a histogram-shaped tail ANALYZEd
 * whole, as a small sandbox table is, would show its true count instead, with join and
 * equality estimates off by as much (measured in bench/sandbox-fidelity.mjs).
 * `u`, `u2`: independent uniforms.
 */
export function fkStatsPick(o: {
  count: number;
  rows: number;
  stats: ColumnStats;
  numeric: boolean;
  ref?: ColumnStats;
  source?: { rows: number; refRows: number };
  u: string;
  u2: string;
}): string {
  const { count, stats } = o;
  const nonNull = Math.max(1e-9, 1 - (stats.nullFrac ?? 0));
  const values = stats.mcv && stats.mcv.values.length === stats.mcv.freqs.length ? stats.mcv.values : undefined;
  const freqs = (values ? stats.mcv!.freqs : (stats.mcvFreqs ?? [])).slice(0, count);
  const n = freqs.length;
  const all = fkDistinct(stats.nDistinct, o.rows, count, o.source);
  const d = all === undefined ? count : Math.max(1, Math.min(count, Math.round(all) - n));
  const spread = (over: number, k: number) => (k >= over ? `floor(${o.u2} * ${over})::int8` : `(floor(${o.u2} * ${k})::int8 * ${over}) / ${k}`);
  if (n === 0) return `(1 + ${spread(count, d)})`;
  // Where each common value sits in the key order (0..1): a number between the lowest and highest key.
  const range = o.numeric && values ? (numberRange(o.ref) ?? numberRange(stats)) : undefined;
  const place = (i: number) => {
    const v = range && values ? Number(values[i]) : NaN;
    return range && Number.isFinite(v) ? clamp01((v - range[0]) / (range[1] - range[0])) : (i + 0.5) / n;
  };
  const taken = new Set<number>();
  const keys = freqs.map((_, i) => {
    const want = 1 + Math.round(place(i) * (count - 1));
    for (let step = 0; step < 2 * count; step++) {
      const k = want + (step % 2 ? -1 : 1) * Math.ceil(step / 2);
      if (k >= 1 && k <= count && !taken.has(k)) {
        taken.add(k);
        return k;
      }
    }
    return want;
  });
  // The rest on keys of their own too, the common ones skipped: the q-th free key (from 0) is
  // q + 1 + the common keys at or before it, those whose count of free keys below them (key − rank)
  // is at most q (width_bucket over those counts, non-decreasing). n_distinct keys in all.
  const common = [...new Set(keys)].sort((a, b) => a - b);
  const free = count - common.length;
  const q = free < 1 ? '' : `(${spread(free, Math.min(free, d))})`;
  const rest = free < 1 ? `(1 + ${spread(count, d)})` : `(1 + ${q} + width_bucket(${q}, ARRAY[${common.map((k, i) => k - 1 - i).join(', ')}]::int8[]))`;
  let cum = 0;
  const cums = freqs.map((f) => snapToRows((cum += f / nonNull), o.rows));
  // width_bucket: how many cumulative frequencies u has passed; past the last one, NULL: the rest.
  return `coalesce((ARRAY[${keys.join(', ')}]::int8[])[1 + width_bucket(${o.u}, ARRAY[${cums.join(', ')}]::float8[])], ${rest})`;
}

/**
 * How many keys an FK column's rows point at. In the source the column referenced a share of
 * the parent's rows (n_distinct over the parent's row count, whichever way n_distinct is
 * written: a positive count is a fixed number of values only for a category, not for a
 * reference); the same share of the keys here, so the fan-out per parent scales with the
 * child's rows and the parent's, each at its own size. Without the sizes of the source: as
 * pg_stats says, a count as is, a fraction of these rows.
 */
export function fkDistinct(nDistinct: number | undefined, rows: number, count: number, source?: { rows: number; refRows: number }): number | undefined {
  if (nDistinct === undefined) return undefined;
  if (source && source.rows > 0 && source.refRows > 0) {
    const absolute = nDistinct > 0 ? nDistinct : -nDistinct * source.rows;
    return Math.min(1, absolute / source.refRows) * count;
  }
  return nDistinct > 0 ? nDistinct : -nDistinct * rows;
}

/** The lowest and highest number a column's stats show (histogram bounds and most common values). */
function numberRange(s: ColumnStats | undefined): [number, number] | undefined {
  const xs = [...(s?.histogram ?? []), ...(s?.mcv?.values ?? [])].map(Number).filter((x) => Number.isFinite(x));
  if (xs.length < 2) return undefined;
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  return hi > lo ? [lo, hi] : undefined;
}

/**
 * A stratified uniform in [0, 1) (SQL): row i of the batch's n gets ((i·m) mod n + jitter) / n,
 * so each stratum 1/n holds one row and a value drawn with frequency f gets f·n rows to within
 * one, where independent draws would give f·n ± √(f·n) (a 0.2 % value of a 10,000-row table: 20
 * rows, not anything from 12 to 28). m is prime to n and far from small fractions of n (see
 * strideFor): the values have no trend along the rows.
 */
export function strataSql(rows: number, offset: number, seed: number, jitter = true): string {
  const n = Math.max(1, Math.round(rows));
  if (n < 3) return unitSql(seed);
  // Without jitter, the middle of each stratum: evenly spaced, so no step of a histogram wider than a stratum goes empty.
  return `least(0.999999999, ((((g - ${offset + 1}) * ${strideFor(n, seed)}) % ${n})::float8 + ${jitter ? unitSql(seed) : '0.5'}) / ${n})`;
}

/**
 * A cumulative frequency (0..1) as a whole number of the batch's `rows`, as a fraction again:
 * compared with a stratified uniform (strataSql: one row per stratum 1/rows), each value then
 * gets round(cum_i·rows) − round(cum_(i−1)·rows) rows — its frequency to the nearest row,
 * the same every time — where the raw bounds leave the row of a cut stratum to the jitter (a
 * 0.99 % category of 1,000 rows: 9 or 10 rows by chance, estimated as 0.9 % or 1 %).
 */
export function snapToRows(cum: number, rows: number): number {
  const n = Math.max(1, Math.round(rows));
  if (n < 3) return Number(Math.min(cum, 1).toPrecision(12));
  return Math.min(1, Math.round(Math.min(cum, 1) * n) / n);
}

/**
 * A multiplier m for strataSql, prime to n: from the seed, the first candidate whose m/n is no
 * closer than 1/(8q) to a fraction p/q with q ≤ 20 (otherwise rows q apart get nearly the same
 * stratum: runs and waves instead of an even spread). Falls back to n·(golden ratio − 1).
 */
export function strideFor(n: number, seed: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const good = (m: number) => {
    if (m <= 0 || m >= n || gcd(m, n) !== 1) return false;
    for (let q = 1; q <= 20 && q < n; q++) {
      const x = (q * m) / n;
      if (Math.abs(x - Math.round(x)) < 1 / (8 * q)) return false;
    }
    return true;
  };
  let h = seed >>> 0 || 1;
  for (let attempt = 0; attempt < 64; attempt++) {
    h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    const m = 1 + Math.floor((h / 2 ** 32) * (n - 1));
    if (good(m)) return m;
  }
  for (let m = Math.round(n * 0.6180339887); m < n; m++) if (gcd(m, n) === 1) return m;
  return 1;
}

/** A uniform value in [0, 1) from g and a seed (SQL). */
export function unitSql(seed: number, g = 'g'): string {
  return `((hashint8extended(${g}, ${seed}) & 4503599627370495)::float8 / 4503599627370496)`;
}

/** A key in [0, distinct): uniform for skew 1, more and more concentrated near 0 above (SQL). */
export function drawSql(distinct: number, skew: number, seed: number, g = 'g'): string {
  if (distinct <= 1) return '0::int8';
  const u = unitSql(seed, g);
  return skew === 1 ? `floor(${distinct} * ${u})::int8` : `floor(${distinct} * power(${u}, ${skew}))::int8`;
}

function keySql(key: KeyGen, seed: number, rows: number, offset: number): string {
  const row = offset ? `(g - 1 + ${offset})` : '(g - 1)';
  switch (key.kind) {
    case 'g':
      return key.stride === 1 ? row : `(${row} * ${key.stride})`;
    case 'digit': {
      const m = digitSql(row, key.div, key.mod, seed);
      return key.stride === 1 ? m : `(${m} * ${key.stride})`;
    }
    case 'draw':
      return drawSql(key.distinct, key.skew, seed);
    case 'ordered': {
      // Follows g (physical order), with jitter within one step.
      const step = key.distinct / Math.max(rows, 1);
      const k = `least(${key.distinct - 1}, floor((g - 1) * ${step} + ${unitSql(seed)} * ${Math.max(step, 1)})::int8)`;
      return key.reverse ? `(${key.distinct - 1} - ${k})` : k;
    }
  }
}

/**
 * Digit `row / div mod mod` of a mixed radix over a unique key's parts. Above the first, the
 * digit is shifted by a hash of the lower ones: still one-to-one for each lower prefix (the
 * key stays unique), but each order gets its own products, not products 1 and 2 all.
 */
export function digitSql(row: string, div: number, mod: number, seed: number): string {
  if (div === 1) return `(${row} % ${mod})`;
  return `((${row} / ${div} + (hashint8extended(${row} % ${div}, ${seed}) & 4503599627370495)) % ${mod})`;
}

/** Replaces the domain's VALUE with the column, outside quotes. */
export function replaceValue(expr: string, column: string): string {
  return expr.replace(/('(?:[^']|'')*')|("(?:[^"]|"")*")|\bVALUE\b/g, (m, s, q) => (s || q ? m : quoteIdent(column)));
}

/** Partition bound text → lower/upper literals (range) or listed values. */
export function parseBound(bound: string): { from?: string[]; to?: string[]; in?: string[]; isDefault?: boolean } {
  if (/^\s*DEFAULT\s*$/i.test(bound)) return { isDefault: true };
  const lit = (s: string) => [...s.matchAll(/'((?:[^']|'')*)'|([-+\w.:]+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2]));
  const range = /FOR VALUES FROM \((.*)\) TO \((.*)\)\s*$/is.exec(bound);
  if (range) return { from: lit(range[1]), to: lit(range[2]) };
  const list = /FOR VALUES IN \((.*)\)\s*$/is.exec(bound);
  if (list) return { in: lit(list[1]) };
  return {};
}

export function planTable(ctx: PlanContext): TablePlan {
  const { table, catalog } = ctx;
  const plan: TablePlan = { rows: ctx.rows, notes: [], unsupported: [], later: [], filtered: false };
  const fail = (why: string): TablePlan => ({ ...plan, sql: undefined, fatal: why });

  // CHECK shapes, table and domain, then partition bounds.
  const shapes: CheckShapes = emptyShapes();
  for (const c of table.checks) readCheck(c.expr, shapes);
  const cols: Col[] = [];
  const byName = new Map<string, Col>();
  let slot = 0;
  for (const info of table.columns) {
    if (info.generated) continue;
    let type = catalog.types.get(info.typeOid);
    if (!type) return fail(`type of column ${info.name} not found`);
    let castType = info.type;
    let notNull = info.notNull;
    const domainChecks: string[] = [];
    const domainNames: string[] = [];
    for (let depth = 0; type.kind === 'd' && type.base && depth < 10; depth++) {
      for (const c of type.checks) {
        domainChecks.push(replaceValue(c.expr, info.name));
        domainNames.push(c.name);
        readCheck(c.expr, shapes, info.name);
      }
      notNull ||= type.notNull;
      castType = type.baseName ?? castType;
      const base = catalog.types.get(type.base);
      if (!base) return fail(`base type of domain ${type.name} not found`);
      type = base;
    }
    const col: Col = {
      info,
      castType,
      type,
      spec: { t: 'unknown', type: info.type },
      notNull,
      kind: 'value',
      nullFrac: 0,
      stats: ctx.mode === 'full' ? ctx.stats?.columns?.[info.name] : undefined,
      domainChecks,
      domainNames,
      slot: slot++,
    };
    const defaultFills = info.identity || /\bnextval\(/i.test(info.default ?? '');
    if (defaultFills) col.kind = 'omit';
    cols.push(col);
    byName.set(info.name, col);
  }
  if (table.partition) partitionShapes(table, shapes, plan);
  for (const col of cols) {
    if (col.kind === 'omit') continue;
    const restriction: Restriction = shapes.columns.get(col.info.name) ?? {};
    if (restriction.notNull) col.notNull = true;
    col.spec = specFor({
      type: col.type,
      typmod: col.castType === col.info.type ? col.info.typmod : typmodOfDomain(col, catalog),
      castType: col.castType,
      column: col.info.name,
      restriction,
      types: catalog.types,
      salt: `${table.key}.${col.info.name}:${ctx.seed}`,
      capabilities: ctx.capabilities,
    });
    if (col.spec.t === 'unknown') {
      if (col.info.default !== undefined) {
        col.kind = 'omit';
        plan.unsupported.push({ table: table.key, column: col.info.name, type: col.info.type, handling: 'default' });
      } else if (!col.notNull) {
        col.kind = 'null';
        plan.unsupported.push({ table: table.key, column: col.info.name, type: col.info.type, handling: 'null' });
      } else {
        plan.unsupported.push({ table: table.key, column: col.info.name, type: col.info.type, handling: 'table-skipped' });
        return fail(`column ${col.info.name} of type ${col.info.type} cannot be generated (NOT NULL, no default)`);
      }
    }
  }

  // Foreign keys: widest first; a column already driven by another FK is checked by a filter instead.
  const fks: Fk[] = [];
  const secondary: ForeignKeyInfo[] = [];
  for (const fk of sortFks(table.foreignKeys)) {
    const fcols = fk.columns.map((n) => byName.get(n));
    if (fcols.some((c) => !c || c.kind === 'omit')) {
      plan.notes.push(`FK ${fk.name}: a column is filled by its default; not generated`);
      continue;
    }
    const fc = fcols as Col[];
    const notNull = fc.some((c) => c.notNull);
    const self = fk.refOid === table.oid;
    if (self || ctx.deferred.has(fk)) {
      if (fc.some((c) => c.kind === 'fk')) continue;
      if (notNull && !ctx.triggersDisabled) {
        return fail(`FK ${fk.name} is NOT NULL and part of a ${self ? 'self-reference' : 'cycle'}: it needs triggers off (superuser) to fill`);
      }
      // NULL now (or a temporary key, NOT NULL with triggers off), the real keys by UPDATE later.
      for (const c of fc) if (!notNull) c.kind = 'null';
      plan.later.push({ fk, notNull });
      continue;
    }
    const sharedIdx = fc.map((c, i) => (c.kind === 'fk' ? i : -1)).filter((i) => i >= 0);
    const keys = sharedIdx.length < fc.length ? ctx.keys(fk) : undefined;
    const grouped = keys?.groupBy?.length === sharedIdx.length && sharedIdx.every((i, j) => keys.groupBy![j] === i) && keys.counts;
    if (sharedIdx.length === fc.length || (sharedIdx.length > 0 && !grouped)) {
      secondary.push(fk);
      continue;
    }
    if (!keys || keys.count === 0) {
      const ref = catalog.tables.find((t) => t.oid === fk.refOid)?.key ?? catalog.outside.get(fk.refOid)?.key ?? `oid ${fk.refOid}`;
      if (notNull) return fail(`FK ${fk.name} is NOT NULL and ${ref} has no rows`);
      for (const c of fc) c.kind = 'null';
      plan.notes.push(`FK ${fk.name}: ${ref} has no rows; left NULL`);
      continue;
    }
    const own = fc.filter((_, i) => !sharedIdx.includes(i));
    const f: Fk = {
      fk,
      cols: own,
      keys,
      mode: sharedIdx.length ? 'dependent' : 'draw',
      shared: sharedIdx.length ? sharedIdx.map((i) => ({ col: fc[i], index: i })) : undefined,
      nullable: !notNull,
      nullFrac: 0,
      alias: `f${fks.length}`,
      stats: fc.length === 1 ? fc[0].stats : undefined,
    };
    for (const c of own) {
      c.kind = 'fk';
      c.fk = f;
    }
    fks.push(f);
  }

  if (ctx.mode === 'minimal') {
    for (const c of cols) if (!c.notNull && c.kind === 'value') c.kind = 'null';
    for (const f of fks) {
      if (f.nullable) {
        for (const c of f.cols) c.kind = 'null';
        f.cols = [];
      }
    }
  }

  // Unique keys: one injective part per key (the row number), or a mixed radix over its parts.
  let rows = ctx.rows;
  const injective = new Set<Col | Fk>();
  const keys = [...table.uniques].sort((a, b) => a.columns.length - b.columns.length || Number(b.primary) - Number(a.primary));
  const uniqueCols = new Set<Col>();
  for (const u of keys) {
    const parts: Array<Col | Fk> = [];
    let satisfied = false;
    for (const name of u.columns) {
      const c = byName.get(name);
      if (!c) continue;
      uniqueCols.add(c);
      if (c.kind === 'null' || (c.kind === 'omit' && (c.info.identity || /\bnextval\(/i.test(c.info.default ?? '')))) {
        satisfied = true; // a sequence default, or all NULLs (never equal)
        continue;
      }
      if (c.kind === 'omit') continue;
      const part = c.kind === 'fk' ? c.fk! : c;
      if (injective.has(part)) satisfied = true;
      if (!parts.includes(part)) parts.push(part);
    }
    if (satisfied || parts.length === 0) continue;
    const cap = (p: Col | Fk) => (isFk(p) ? p.keys.count : capacity(p.spec));
    const free = parts.filter((p) => (isFk(p) ? p.mode === 'draw' : !p.key));
    const best = [...free].sort((a, b) => cap(b) - cap(a))[0];
    if (best && cap(best) >= rows) {
      assignInjective(best);
      continue;
    }
    // A partial index (… WHERE status = 'running') binds only some rows: no mixed radix, no
    // lower target; a conflict drops the row (ON CONFLICT DO NOTHING on the retry).
    if (u.partial) {
      plan.notes.push(`partial unique index ${u.name}: rows that collide in it are dropped`);
      continue;
    }
    if (free.length === 0) {
      plan.notes.push(`unique key ${u.name}: its columns are taken by other keys; duplicates are dropped`);
      continue;
    }
    // A key of FKs that each follow their stats (an order's items: order and product): each
    // drawn by its own, where a mixed radix of them would lose both (every order as many items,
    // every product as common, the items out of their orders' order) — when so few rows draw a
    // pair twice that dropping them costs nothing.
    if (free.length === parts.length && free.every((p) => isFk(p) && p.mode === 'draw' && statsDrawn(p.stats))) {
      const share = duplicateShare(
        (free as Fk[]).map((f) => keyConcentration(f.stats!, f.keys.count, rows, ctx.stats && ctx.refRows?.(f.fk) !== undefined ? { rows: ctx.stats.rows, refRows: ctx.refRows(f.fk)! } : undefined)),
        rows,
      );
      if (share <= MAX_DUPLICATE_SHARE) {
        plan.conflicts = true;
        plan.notes.push(`unique key ${u.name}: its FKs follow their stats; the ${share < 0.001 ? 'under 0.1' : (share * 100).toFixed(1)} % of rows that repeat a key are dropped`);
        continue;
      }
    }
    let div = 1;
    for (const p of free) {
      const m = Math.max(1, Math.min(cap(p), UNBOUNDED));
      if (isFk(p)) {
        p.mode = 'digit';
        p.digit = { div, mod: m };
      } else {
        p.key = { kind: 'digit', div, mod: m, stride: uniqueStride(p.spec) };
      }
      div *= m;
      if (div >= rows) break;
    }
    if (div < rows) {
      plan.notes.push(`unique key ${u.name} allows ${div} distinct rows; target ${rows} lowered`);
      rows = div;
    }
  }
  function assignInjective(p: Col | Fk): void {
    injective.add(p);
    if (isFk(p)) p.mode = 'inj';
    else p.key = { kind: 'g', stride: uniqueStride(p.spec) };
  }
  if (rows < 1) return fail('no rows fit its unique keys');
  plan.rows = rows;

  // Nulls and draws for everything else.
  for (const c of cols) {
    if (c.kind !== 'value') continue;
    const nullable = !c.notNull && !uniqueCols.has(c);
    if (ctx.mode === 'simple' && nullable && !c.key) {
      c.kind = 'null';
      continue;
    }
    const s = c.stats;
    // Stats describe the column: no nullFrac there means no NULLs.
    c.nullFrac = nullable ? (s ? (s.nullFrac ?? 0) : MOSTLY_NULL.test(c.info.name.toLowerCase()) ? 0.9 : ctx.nullFrac) : 0;
    if (c.key) continue;
    const d = defaultDistinct(c.spec, c.info.name, rows);
    let distinct = d.distinct;
    if (s?.nDistinct !== undefined) distinct = Math.max(1, Math.min(capacity(c.spec), Math.round(s.nDistinct > 0 ? s.nDistinct : -s.nDistinct * rows)));
    // The keys make the values outside the MCV list: the distinct count less the common values
    // the rows here can show (one at 0.04 % of 1,000 rows is in 0.4 rows, not always a value).
    const freqs = s?.mcv?.freqs ?? s?.mcvFreqs ?? [];
    const common = freqs.reduce((a, f) => a + Math.min(1, f * rows), 0);
    if (freqs.length) distinct = Math.max(1, Math.round(distinct - common));
    const hist = s?.histogram?.length ?? 0;
    if (s?.nDistinct !== undefined && hist >= 2 && interpolable(c.spec) && statsShaped(c)) {
      const share = freqs.reduce((a, f) => a + f, 0) / Math.max(1e-9, 1 - c.nullFrac);
      c.steps = histogramSteps(distinct, hist - 1, rows * (1 - c.nullFrac) * Math.max(0, 1 - share));
    }
    const order = s?.correlation !== undefined ? physicalOrder(s) : undefined;
    if (order ? order.share >= 0.8 : d.ordered) c.key = { kind: 'ordered', distinct, reverse: order?.reverse ?? false };
    else c.key = { kind: 'draw', distinct, skew: d.uniform || s?.nDistinct !== undefined ? 1 : ctx.skew };
  }
  // A unique text key stored in its order ('SKU-000001', 'SKU-000002', …): zero-padded numbers,
  // so the text order is the row order, where plain ones sort 1, 10, 100, 11 (correlation ~0.8,
  // what a source with plain numbers shows: those stay plain).
  for (const c of cols) {
    if (c.kind !== 'value' || c.key?.kind !== 'g' || c.spec.t !== 'text' || c.spec.long || !c.stats || physicalOrder(c.stats).share < 0.9 || physicalOrder(c.stats).reverse) continue;
    const width = c.spec.prefix.length + c.spec.suffix.length + String(ctx.offset + rows).length;
    if (width <= c.spec.maxLength && (c.spec.prefix || c.spec.suffix)) c.spec = { ...c.spec, minLength: Math.max(c.spec.minLength, width) };
  }
  for (const f of fks) {
    if (!f.nullable || f.cols.length === 0) continue;
    const names = f.cols.map((c) => c.info.name.toLowerCase());
    f.nullFrac = ctx.mode === 'simple' ? 1 : f.stats ? (f.stats.nullFrac ?? 0) : names.some((n) => MOSTLY_NULL.test(n)) ? 0.9 : ctx.nullFrac;
  }

  // CHECK (low < high) between columns: high = low + a positive step.
  for (const o of shapes.orders) {
    const low = byName.get(o.low);
    const high = byName.get(o.high);
    if (!low || !high || low === high || low.kind !== 'value' || high.kind !== 'value') continue;
    if (high.derived || injective.has(high) || high.key?.kind === 'digit' || high.stats) continue;
    if (low.spec.t !== high.spec.t || !orderable(low.spec) || derivesFrom(low, high)) continue;
    high.derived = { low, strict: o.strict };
  }
  // num_nonnulls(a, b, …) = 1: the columns take turns.
  shapes.nonNulls.forEach((g, group) => {
    const members = g.columns.map((n) => byName.get(n));
    if (members.some((c) => !c || c.notNull || (c.kind !== 'value' && c.kind !== 'fk')) || g.max < 1 || g.min > 1) return;
    members.forEach((c, index) => (c!.turn = { group, index, size: members.length }));
  });

  return { ...plan, ...build(ctx, cols, fks, secondary, rows) };
}

/** At most this share of a batch dropped as duplicates when a unique key's FKs follow their stats. */
export const MAX_DUPLICATE_SHARE = 0.01;

/** Whether an FK's pick follows its stats (fkStatsPick). */
function statsDrawn(stats: ColumnStats | undefined): boolean {
  return Boolean(stats && (stats.nDistinct !== undefined || stats.mcv?.values.length || stats.mcvFreqs?.length));
}

/**
 * The chance that two non-null rows pick the same key (Σ p², over the keys fkStatsPick gives):
 * the most common values with their frequencies, the rest spread evenly over the distinct keys.
 */
export function keyConcentration(stats: ColumnStats, count: number, rows: number, source?: { rows: number; refRows: number }): number {
  if (count < 1) return 1;
  const nonNull = Math.max(1e-9, 1 - (stats.nullFrac ?? 0));
  const values = stats.mcv && stats.mcv.values.length === stats.mcv.freqs.length ? stats.mcv.freqs : (stats.mcvFreqs ?? []);
  const freqs = values.slice(0, count).map((f) => Math.min(1, f / nonNull));
  const all = fkDistinct(stats.nDistinct, rows, count, source);
  const d = all === undefined ? count : Math.max(1, Math.min(count, Math.round(all) - freqs.length));
  const rest = Math.max(0, 1 - freqs.reduce((a, f) => a + f, 0));
  return Math.min(1, freqs.reduce((a, f) => a + f * f, 0) + (rest * rest) / d);
}

/** The expected share of `rows` rows that repeat a key drawn part by part (independent parts of these concentrations). */
export function duplicateShare(concentrations: number[], rows: number): number {
  return Math.min(1, (Math.max(0, rows - 1) / 2) * concentrations.reduce((a, c) => a * c, 1));
}

function isFk(p: Col | Fk): p is Fk {
  return 'keys' in p;
}

function typmodOfDomain(col: Col, catalog: Catalog): number {
  let t = catalog.types.get(col.info.typeOid);
  let typmod = col.info.typmod;
  for (let d = 0; t && t.kind === 'd' && d < 10; d++) {
    typmod = t.baseTypmod ?? -1;
    t = t.base ? catalog.types.get(t.base) : undefined;
  }
  return typmod;
}

function derivesFrom(a: Col, b: Col): boolean {
  for (let c: Col | undefined = a, i = 0; c && i < 20; c = c.derived?.low, i++) if (c === b) return true;
  return false;
}

/** Every level of a partition tree: the table's own key and bounds, then each partitioned partition's. */
function partitionLevels(table: TableInfo): Array<{ strategy: string; column: string; bounds: ReturnType<typeof parseBound>[] }> {
  const p = table.partition;
  if (!p) return [];
  return [{ strategy: p.strategy, keyColumns: p.keyColumns, bounds: p.bounds }, ...p.sublevels]
    .filter((l) => l.keyColumns.length === 1 && l.keyColumns[0] !== undefined)
    .map((l) => ({ strategy: l.strategy, column: l.keyColumns[0]!, bounds: l.bounds.map(parseBound) }));
}

/** List partitions of a one-column key (at any level) become its allowed values; range bounds: see rangesOf. */
function partitionShapes(table: TableInfo, shapes: CheckShapes, plan: TablePlan): void {
  const lists = new Map<string, string[]>();
  for (const level of partitionLevels(table)) {
    // A DEFAULT partition takes any value: nothing to shape at that level.
    if (level.strategy !== 'l' || level.bounds.some((b) => b.isDefault)) continue;
    const values = level.bounds.flatMap((b) => b.in ?? []).filter((v) => v.toUpperCase() !== 'NULL');
    lists.set(level.column, [...(lists.get(level.column) ?? []), ...values]);
  }
  for (const [column, values] of lists) {
    if (!values.length) continue;
    const r = shapes.columns.get(column) ?? {};
    r.values = [...new Set(values)];
    shapes.columns.set(column, r);
  }
  if (table.partition?.strategy === 'r' && rangesOf(table).size === 0) plan.notes.push('range partitions are unbounded; rows that fit no partition are dropped');
}

/** The pieces of the statement. */
function build(ctx: PlanContext, cols: Col[], fks: Fk[], secondary: ForeignKeyInfo[], rows: number): Pick<TablePlan, 'sql' | 'filtered' | 'probe' | 'fatal'> {
  const { table } = ctx;
  const seed = (purpose: string) => seedOf(`${table.key}:${purpose}`, ctx.seed);
  const inner: string[] = ['g'];
  const ranges = findRanges(ctx, cols);

  // Keys, null flags and uniforms, computed once per row in the innermost subquery.
  const turnSql = (t: NonNullable<Col['turn']>) => `(floor(${unitSql(seed(`turn${t.group}`))} * ${t.size})::int4 <> ${t.index})`;
  for (const c of cols) {
    if (c.kind !== 'value' || !c.key) continue;
    inner.push(`${keySql(c.key, seed(`k.${c.info.name}`), rows, ctx.offset)} AS k${c.slot}`);
    if (c.turn) inner.push(`${turnSql(c.turn)} AS z${c.slot}`);
    else if (c.nullFrac > 0) inner.push(`(${unitSql(seed(`z.${c.info.name}`))} < ${c.nullFrac}) AS z${c.slot}`);
    if ((statsShaped(c) || ranges.has(c)) && !c.derived) {
      // Stratified: each most common value gets its share of the rows to a row or so, not a draw's.
      const u = statsShaped(c) ? strataSql(rows, ctx.offset, seed(`u.${c.info.name}`), c.steps === undefined) : unitSql(seed(`u.${c.info.name}`));
      // Stats-shaped values follow the row order as much as their correlation says (see physicalOrder).
      inner.push(`${statsShaped(c) ? orderedUnit(c.stats!, u, rows, ctx.offset, (p) => seed(`${p}.${c.info.name}`)) : u} AS u${c.slot}`);
    }
    if (c.derived) inner.push(`${drawSql(1_000_000, 1, seed(`d.${c.info.name}`))} AS d${c.slot}`);
  }
  fks.forEach((f, i) => {
    if (f.cols.length === 0) return;
    const count = f.keys.count;
    let pick: string;
    const row = ctx.offset ? `(g - 1 + ${ctx.offset})` : '(g - 1)';
    if (f.mode === 'dependent') pick = f.stats?.nDistinct === undefined ? `power(${unitSql(seed(`fk.${f.fk.name}`))}, ${ctx.skew})` : unitSql(seed(`fk.${f.fk.name}`));
    else if (f.mode === 'inj') pick = `(1 + ${row} % ${count})`;
    else if (f.mode === 'digit') pick = `(1 + ${digitSql(row, f.digit!.div, f.digit!.mod, seed(`fk.${f.fk.name}`))})`;
    else if (f.stats && (f.stats.nDistinct !== undefined || f.stats.mcv?.values.length || f.stats.mcvFreqs?.length)) {
      const c = f.cols[0];
      pick = fkStatsPick({
        count,
        rows,
        stats: f.stats,
        numeric: c.spec.t === 'int' || c.spec.t === 'numeric' || c.spec.t === 'float',
        ref: ctx.refStats?.(f.fk),
        source: ctx.stats && ctx.refRows?.(f.fk) !== undefined ? { rows: ctx.stats.rows, refRows: ctx.refRows(f.fk)! } : undefined,
        u: strataSql(rows, ctx.offset, seed(`fk.${f.fk.name}`)),
        // Children stored in their parents' order (items after their order): keys follow the rows.
        u2: orderedUnit(f.stats, unitSql(seed(`fk2.${f.fk.name}`)), rows, ctx.offset, (p) => seed(`${p}.fk.${f.fk.name}`)),
      });
    } else {
      pick = `(1 + ${drawSql(count, ctx.skew, seed(`fk.${f.fk.name}`))})`;
    }
    const turn = f.cols.find((c) => c.turn)?.turn;
    if (turn) pick = `CASE WHEN ${turnSql(turn)} THEN NULL ELSE ${pick} END`;
    else if (f.nullable && f.nullFrac >= 1) pick = f.mode === 'dependent' ? 'NULL::float8' : 'NULL::int8';
    else if (f.nullable && f.nullFrac > 0) pick = `CASE WHEN ${unitSql(seed(`fz.${f.fk.name}`))} < ${f.nullFrac} THEN NULL ELSE ${pick} END`;
    inner.push(`${pick} AS p${i}`);
  });

  // Values.
  const memo = new Map<Col, string>();
  const bare = (c: Col): string => {
    const hit = memo.get(c);
    if (hit) return hit;
    let v: string;
    const k = `s.k${c.slot}`;
    if (c.derived) v = plusStep(c.spec, bare(c.derived.low), `s.d${c.slot}`);
    else if (statsShaped(c)) v = statsValue(c, k, `s.u${c.slot}`, rows);
    else if (ranges.has(c)) v = rangeValue(c, ranges.get(c)!, `s.u${c.slot}`);
    else v = valueSql(c.spec, k, c.key?.kind === 'g' || c.key?.kind === 'digit');
    v = `(${v})::${c.castType}`;
    memo.set(c, v);
    return v;
  };
  // v holds every column the filters may read (NULL ones too); the INSERT takes those to write.
  const insertCols: string[] = [];
  const selectExprs: string[] = [];
  const inV = new Set<string>();
  for (const c of cols) {
    if (c.kind === 'omit') continue;
    const name = quoteIdent(c.info.name);
    inV.add(c.info.name);
    if (c.kind === 'null') {
      selectExprs.push(`NULL::${c.castType} AS ${name}`);
      // Left out when its default is NULL anyway; an explicit NULL beats any other default.
      if (c.info.default !== undefined) insertCols.push(name);
      continue;
    }
    let expr: string;
    if (c.kind === 'fk') {
      const f = c.fk!;
      const at = fks.indexOf(f);
      expr = f.keys.denseMin !== undefined ? `(${f.keys.denseMin - 1} + s.p${at})::${c.castType}` : `${f.alias}.k${f.fk.columns.indexOf(c.info.name) + 1}::${c.castType}`;
    } else {
      expr = bare(c);
      if (c.turn || c.nullFrac > 0) expr = `CASE WHEN s.z${c.slot} THEN NULL ELSE ${expr} END`;
    }
    insertCols.push(name);
    selectExprs.push(`${expr} AS ${name}`);
  }
  const driver = (c: Col) =>
    c.fk!.keys.denseMin !== undefined ? `(${c.fk!.keys.denseMin - 1} + s.p${fks.indexOf(c.fk!)})::${c.castType}` : `${c.fk!.alias}.k${c.fk!.fk.columns.indexOf(c.info.name) + 1}::${c.castType}`;
  const joins = fks.flatMap((f, i) => {
    if (f.cols.length === 0 || f.keys.denseMin !== undefined) return [];
    const temp = `pg_temp.${quoteIdent(f.keys.temp)}`;
    if (f.mode !== 'dependent') return [`LEFT JOIN ${temp} AS ${f.alias} ON ${f.alias}.i = s.p${i}`];
    // Among the keys of the group the shared columns name: group size first, then the key.
    const on = (alias: string) => f.shared!.map((x) => `${alias}.k${x.index + 1}::${x.col.castType} = ${driver(x.col)}`).join(' AND ');
    const c = `${f.alias}c`;
    return [
      `LEFT JOIN pg_temp.${quoteIdent(f.keys.counts!)} AS ${c} ON ${on(c)}`,
      `LEFT JOIN ${temp} AS ${f.alias} ON ${on(f.alias)} AND ${f.alias}.i = 1 + floor(${c}.c * s.p${i})::int8`,
    ];
  });

  // Filters: every CHECK that reads only generated columns, domain CHECKs, partition bounds, overlapping FKs.
  const filters: Array<{ name: string; sql: string }> = [];
  for (const c of table.checks) if (c.columns.length && c.columns.every((n) => inV.has(n))) filters.push({ name: `CHECK ${c.name}`, sql: `(${c.expr}) IS NOT FALSE` });
  for (const c of cols) {
    if (!inV.has(c.info.name)) continue;
    c.domainChecks.forEach((d, i) => filters.push({ name: `domain CHECK ${c.domainNames[i]} on ${c.info.name}`, sql: `(${d}) IS NOT FALSE` }));
  }
  const leaves = table.partition?.leafConstraints ?? [];
  if (table.partition && leaves.length === 0) return { sql: undefined, filtered: false, fatal: 'a partitioned table without partitions' };
  if (leaves.length && leaves.every((l) => l !== null)) {
    const keyCols = table.partition!.keyColumns;
    if (keyCols.every((k) => k !== undefined && inV.has(k))) filters.push({ name: 'partition bounds', sql: `(${leaves.map((l) => `(${l})`).join(' OR ')})` });
  }
  for (const f of fks) {
    // A group without keys leaves a dependent FK NULL: a NOT NULL one drops the row.
    if (f.mode !== 'dependent' || f.nullable) continue;
    filters.push({ name: `FK ${f.fk.name} (no key in the group)`, sql: f.cols.map((c) => `v.${quoteIdent(c.info.name)} IS NOT NULL`).join(' AND ') });
  }
  for (const fk of secondary) {
    const ref = ctx.catalog.tables.find((t) => t.oid === fk.refOid)?.sql ?? ctx.catalog.outside.get(fk.refOid)?.sql;
    if (!ref || !fk.columns.every((n) => inV.has(n))) continue;
    const anyNull = fk.columns.map((n) => `v.${quoteIdent(n)} IS NULL`).join(' OR ');
    const match = fk.columns.map((n, i) => `r.${quoteIdent(fk.refColumns[i])} = v.${quoteIdent(n)}`).join(' AND ');
    filters.push({ name: `FK ${fk.name}`, sql: `(${anyNull} OR EXISTS (SELECT 1 FROM ${ref} AS r WHERE ${match}))` });
  }

  const valuesOf = (count: number) => {
    const from = `generate_series(${ctx.offset + 1}::int8, ${ctx.offset + count}::int8) AS gs(g)`;
    const keysSelect = `SELECT ${inner.join(', ')} FROM ${from} OFFSET 0`;
    return `SELECT ${selectExprs.join(', ') || 'NULL AS "?"'} FROM (${keysSelect}) AS s${joins.length ? ` ${joins.join(' ')}` : ''} OFFSET 0`;
  };
  const where = filters.length ? ` WHERE ${filters.map((f) => f.sql).join(' AND ')}` : '';
  const target = insertCols.length ? `${table.sql} (${insertCols.join(', ')})` : table.sql;
  const outer = insertCols.length ? insertCols.map((c) => `v.${c}`).join(', ') : '';
  const sql = `INSERT INTO ${target} SELECT ${outer} FROM (${valuesOf(rows)}) AS v${where}`;
  return { sql, filtered: filters.length > 0, probe: { sample: valuesOf(Math.min(rows, 1000)), filters } };
}

function findRanges(ctx: PlanContext, cols: Col[]): Map<Col, Array<[string, string]>> {
  const out = new Map<Col, Array<[string, string]>>();
  for (const [column, ranges] of rangesOf(ctx.table)) {
    const c = cols.find((x) => x.info.name === column);
    if (c && c.kind === 'value' && c.key?.kind !== 'g' && c.key?.kind !== 'digit' && !c.derived && interpolable(c.spec)) out.set(c, ranges);
  }
  return out;
}

/** Range partition bounds [from, to) by key column, at every level without a DEFAULT partition. */
function rangesOf(table: TableInfo): Map<string, Array<[string, string]>> {
  const out = new Map<string, Array<[string, string]>>();
  const unbounded = (v: string) => /^(MINVALUE|MAXVALUE)$/i.test(v);
  for (const level of partitionLevels(table)) {
    if (level.strategy !== 'r' || level.bounds.some((b) => b.isDefault)) continue;
    const ranges = level.bounds
      .filter((b) => b.from && b.to && b.from.length === 1 && !unbounded(b.from[0]) && !unbounded(b.to![0]))
      .map((b) => [b.from![0], b.to![0]] as [string, string]);
    if (ranges.length) out.set(level.column, [...(out.get(level.column) ?? []), ...ranges]);
  }
  return out;
}

/** A value inside one of the partitions' [from, to) ranges, the partition picked by `u`. */
function rangeValue(c: Col, ranges: Array<[string, string]>, u: string): string {
  const kind = interpolable(c.spec)!;
  const arr = (xs: string[]) => `(ARRAY[${xs.map(quoteLiteral).join(', ')}]::${c.castType}[])`;
  const n = ranges.length;
  const i = `(1 + floor(${u} * ${n})::int4)`;
  const f = `(${u} * ${n} - floor(${u} * ${n}))`;
  const lo = `${arr(ranges.map((r) => r[0]))}[${i}]`;
  const hi = `${arr(ranges.map((r) => r[1]))}[${i}]`;
  const scale = c.spec.t === 'numeric' ? c.spec.scale : 0;
  // hi is exclusive: interpolate short of it.
  return interpolate(kind, lo, hi, `(${f} * 0.999)`, scale);
}

/**
 * Distinct values per histogram bucket for `distinct` values over `buckets` buckets and `rows`
 * rows outside the most common values: undefined (interpolate freely, every row its own value)
 * unless that is under one value per row, as for prices or amounts that repeat (a total with
 * n_distinct −0.26: a quarter as many values as rows). The rows of a bucket are spread evenly
 * over it (stratified, without jitter), so each step gets its share and the count comes out as
 * asked.
 */
export function histogramSteps(distinct: number, buckets: number, rows: number): number | undefined {
  if (!(distinct > 0) || buckets < 1 || distinct >= 0.99 * rows) return undefined;
  return Math.max(1, Math.round(distinct / buckets));
}

/**
 * Whether a column's values follow its stats (most common values, histogram). Not for a
 * column that makes a unique key one-to-one (row number or a digit of it): drawn from the
 * stats, its values would collide and the rows be dropped.
 */
function statsShaped(c: Col): boolean {
  if (c.key?.kind === 'g' || c.key?.kind === 'digit') return false;
  return Boolean(c.stats?.mcv?.values.length || c.stats?.mcvFreqs?.length || c.stats?.histogram?.length);
}

/**
 * Most common values by frequency, the rest from the histogram (interpolated) or drawn keys.
 * Most common values whose values were left out (`mcvFreqs`) are invented: the keys just past
 * the drawn ones, so they differ from the rest where the type has room. Interpolated values
 * come in as many steps per bucket as the distinct count asks (see histogramSteps). The
 * cumulative frequencies are snapped to whole rows of the batch (see snapToRows): `u` is
 * stratified, so each value gets its frequency to the nearest row, every time.
 */
function statsValue(c: Col, k: string, u: string, rows: number): string {
  const s = c.stats!;
  const scale = c.spec.t === 'numeric' ? c.spec.scale : 0;
  const nonNull = Math.max(1e-9, 1 - (c.nullFrac || 0));
  const whens: string[] = [];
  let cum = 0;
  const mcv = s.mcv && s.mcv.values.length === s.mcv.freqs.length ? s.mcv : undefined;
  for (let i = 0; mcv && i < mcv.values.length; i++) {
    cum += mcv.freqs[i] / nonNull;
    whens.push(`WHEN ${u} < ${snapToRows(cum, rows)} THEN ${quoteLiteral(mcv.values[i])}::${c.castType}`);
  }
  const drawn = c.key?.kind === 'draw' || c.key?.kind === 'ordered' ? c.key.distinct : 0;
  for (let i = 0; !mcv && s.mcvFreqs && i < s.mcvFreqs.length; i++) {
    cum += s.mcvFreqs[i] / nonNull;
    whens.push(`WHEN ${u} < ${snapToRows(cum, rows)} THEN (${valueSql(c.spec, String(drawn + i))})::${c.castType}`);
  }
  cum = snapToRows(cum, rows);
  let rest: string;
  const hist = s.histogram ?? [];
  const kind = interpolable(c.spec);
  if (hist.length >= 2) {
    const arr = `(ARRAY[${hist.map(quoteLiteral).join(', ')}]::${c.castType}[])`;
    const m = hist.length - 1;
    // Re-spread u over the rest: (u - cum) / (1 - cum).
    const v = cum > 0 && cum < 1 ? `((${u} - ${cum}) / ${1 - cum})` : u;
    const i = `(1 + least(${m - 1}, floor(${v} * ${m})::int4))`;
    if (kind) {
      let f = `(${v} * ${m} - floor(${v} * ${m}))`;
      if (c.steps !== undefined) f = `((floor(${f} * ${c.steps}) + 0.5) / ${c.steps})`;
      rest = interpolate(kind, `${arr}[${i}]`, `${arr}[${i} + 1]`, f, scale);
    } else {
      rest = `${arr}[${i}]`;
    }
  } else {
    rest = valueSql(c.spec, k);
  }
  return whens.length ? `CASE ${whens.join(' ')} ELSE (${rest})::${c.castType} END` : rest;
}


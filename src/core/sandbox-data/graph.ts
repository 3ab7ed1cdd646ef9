import type { ForeignKeyInfo, TableInfo } from './catalog';
import type { FillOptions, TableFillReport } from './types';

/**
 * Fill order and sizes: referenced tables before the tables that reference them; a cycle is
 * broken at its nullable FKs (filled by UPDATE afterwards), a cycle of NOT NULL FKs at one of
 * them (a temporary key, then UPDATE, which needs triggers off).
 */

export interface FillOrder {
  order: TableInfo[];
  /** Edges filled after every table: nullable cycle edges, and the NOT NULL ones `forced`. */
  deferred: Set<ForeignKeyInfo>;
  /** NOT NULL edges broken to end a cycle. */
  forced: ForeignKeyInfo[];
}

function notNullFk(t: TableInfo, fk: ForeignKeyInfo): boolean {
  return fk.columns.some((n) => t.columns.find((c) => c.name === n)?.notNull);
}

export function fillOrder(tables: TableInfo[]): FillOrder {
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const deferred = new Set<ForeignKeyInfo>();
  const forced: ForeignKeyInfo[] = [];
  const edges = (t: TableInfo) => t.foreignKeys.filter((fk) => fk.refOid !== t.oid && byOid.has(fk.refOid) && !deferred.has(fk));

  // Break cycles: nullable edges inside a strongly connected component first, then one NOT NULL edge at a time.
  for (let round = 0; round < tables.length + 1; round++) {
    const cyclic = components(tables, (t) => edges(t).map((fk) => byOid.get(fk.refOid)!)).filter((c) => c.length > 1);
    if (cyclic.length === 0) break;
    let changed = false;
    for (const comp of cyclic) {
      const inside = new Set(comp.map((t) => t.oid));
      for (const t of comp) {
        for (const fk of edges(t)) {
          if (inside.has(fk.refOid) && !notNullFk(t, fk)) {
            deferred.add(fk);
            changed = true;
          }
        }
      }
    }
    if (changed) continue;
    // Only NOT NULL edges left in these cycles: break the first (by name) of each.
    for (const comp of cyclic) {
      const inside = new Set(comp.map((t) => t.oid));
      const candidates = comp
        .flatMap((t) => edges(t).filter((fk) => inside.has(fk.refOid)).map((fk) => ({ t, fk })))
        .sort((a, b) => a.t.key.localeCompare(b.t.key) || a.fk.name.localeCompare(b.fk.name));
      if (candidates[0]) {
        deferred.add(candidates[0].fk);
        forced.push(candidates[0].fk);
      }
    }
  }

  // Depth-first, referenced tables first; ties in name order (deterministic).
  const order: TableInfo[] = [];
  const state = new Map<number, 1 | 2>();
  const visit = (t: TableInfo) => {
    if (state.get(t.oid)) return;
    state.set(t.oid, 1);
    for (const fk of [...edges(t)].sort((a, b) => byOid.get(a.refOid)!.key.localeCompare(byOid.get(b.refOid)!.key))) visit(byOid.get(fk.refOid)!);
    state.set(t.oid, 2);
    order.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.key.localeCompare(b.key))) visit(t);
  return { order, deferred, forced };
}

/** Tarjan's strongly connected components. */
function components(tables: TableInfo[], next: (t: TableInfo) => TableInfo[]): TableInfo[][] {
  let index = 0;
  const idx = new Map<TableInfo, number>();
  const low = new Map<TableInfo, number>();
  const stack: TableInfo[] = [];
  const on = new Set<TableInfo>();
  const out: TableInfo[][] = [];
  const strong = (v: TableInfo) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: TableInfo[] = [];
      let w: TableInfo;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp);
    }
  };
  for (const t of tables) if (!idx.has(t)) strong(t);
  return out;
}

/**
 * A table this small in the stats keeps its production size at any scale: a lookup or
 * dimension table (countries, statuses, plans, categories) is a set of values, not a volume.
 * Scaled down, a 250-row countries table would leave 25 countries for every FK into it to
 * share, and each FK's distinct count and most common values would collapse onto them.
 */
export const SMALL_TABLE_ROWS = 1000;

const LOOKUP_NAME = /(^|_)(types?|kinds?|status(es)?|states?|categor(y|ies)|roles?|countr(y|ies)|currenc(y|ies)|languages?|locales?|plans?|tiers?|levels?|regions?|tags?|labels?|settings?|permissions?|scopes?)$/;

/** How many rows each table gets, and why. */
export function targets(tables: TableInfo[], options: FillOptions): Map<TableInfo, { rows: number; tier: TableFillReport['tier']; full?: true }> {
  const scale = options.scale ?? 1;
  const perTable = options.rowsPerTable ?? 20_000;
  const lookup = options.lookupRows ?? Math.min(1000, Math.max(100, Math.round(perTable / 20)));
  const cap = options.maxRowsPerTable ?? 5_000_000;
  const referencedBy = new Map<number, Set<number>>();
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      if (fk.refOid === t.oid) continue;
      if (!referencedBy.has(fk.refOid)) referencedBy.set(fk.refOid, new Set());
      referencedBy.get(fk.refOid)!.add(t.oid);
    }
  }
  const out = new Map<TableInfo, { rows: number; tier: TableFillReport['tier']; full?: true }>();
  const small: Array<{ t: TableInfo; rows: number }> = [];
  for (const t of tables) {
    const size = (n: number) => Math.max(1, Math.min(cap, Math.round(n * scale)));
    const explicit = options.tableRows?.[t.key] ?? options.tableRows?.[t.name];
    if (explicit !== undefined) {
      out.set(t, { rows: explicit === 0 ? 0 : size(explicit), tier: 'explicit' });
      continue;
    }
    const stats = options.stats?.tables[t.key];
    if (stats) {
      out.set(t, { rows: size(stats.rows), tier: 'stats' });
      if (stats.rows > 0 && stats.rows <= SMALL_TABLE_ROWS && size(stats.rows) !== stats.rows) small.push({ t, rows: stats.rows });
      continue;
    }
    // Embeddings: an HNSW index build costs seconds per thousand rows in PGlite.
    if (t.columns.some((c) => /^(public\.)?(vector|halfvec|sparsevec)\b/.test(c.type))) {
      out.set(t, { rows: size(Math.min(perTable, lookup)), tier: 'regular' });
      continue;
    }
    const data = t.columns.filter((c) => !c.generated && !c.identity && !/\bnextval\(/i.test(c.default ?? '')).length;
    const outgoing = new Set(t.foreignKeys.filter((fk) => fk.refOid !== t.oid).map((fk) => fk.refOid)).size;
    const incoming = referencedBy.get(t.oid)?.size ?? 0;
    if (incoming > 0 && outgoing === 0 && (data <= 3 || (LOOKUP_NAME.test(t.name.toLowerCase()) && data <= 8))) {
      out.set(t, { rows: size(data <= 2 ? Math.min(lookup, 100) : lookup), tier: 'lookup' });
    } else if (incoming === 0 && outgoing >= 2) {
      out.set(t, { rows: size(perTable * 2), tier: 'fact' });
    } else {
      out.set(t, { rows: size(perTable), tier: 'regular' });
    }
  }
  // Small tables at their production size, smallest first, the rows this adds within the budget.
  let extra = 0;
  for (const { t, rows } of small.sort((a, b) => a.rows - b.rows || a.t.key.localeCompare(b.t.key))) {
    const more = rows - out.get(t)!.rows;
    if (more > 0 && options.maxTotalRows !== undefined && extra + more > options.maxTotalRows) continue;
    extra += Math.max(0, more);
    out.set(t, { rows, tier: 'stats', full: true });
  }
  // A schema of hundreds of tables at the per-table defaults would take minutes to fill:
  // within the budget, the defaulted tables shrink in proportion (explicit and stats counts stay).
  const budget = options.maxTotalRows;
  if (budget !== undefined) {
    let fixed = 0;
    let flexible = 0;
    for (const v of out.values()) {
      if (v.tier === 'explicit' || v.tier === 'stats') fixed += v.rows;
      else flexible += v.rows;
    }
    if (flexible > 0 && fixed + flexible > budget) {
      const factor = Math.max(0, budget - fixed) / flexible;
      for (const [t, v] of out) if (v.tier !== 'explicit' && v.tier !== 'stats') out.set(t, { ...v, rows: Math.max(Math.min(v.rows, 10), Math.round(v.rows * factor)) });
    }
  }
  return out;
}

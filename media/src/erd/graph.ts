/**
 * What the diagram draws of a model, and the questions the toolbar asks of it (search, focus):
 * plain functions over the DiagramModel, no DOM, so they are tested and benched in Node.
 */
import type { DiagramModel, DiagramRelation, DiagramTable, OutsideReference } from '../../../src/core/erd/diagram';

/** Tables and relations as drawn: an implicit join table (`_AToB`) is its N:M relation; an explicit one is a table with its two keys. */
export interface DrawnGraph {
  tables: DiagramTable[];
  relations: DiagramRelation[];
}

/**
 * With `only` (a focus), a table's keys to tables left out are added to its `outside` (reason
 * `hidden`), so the picture says where they lead instead of dropping them.
 */
export function drawnGraph(model: DiagramModel, only?: ReadonlySet<string>): DrawnGraph {
  const hidden = new Set(model.tables.filter((t) => t.joinTable?.implicit).map((t) => t.id));
  const shown = (id: string): boolean => !hidden.has(id) && (!only || only.has(id));
  const leaving = new Map<string, OutsideReference[]>();
  const relations = model.relations.filter((r) => {
    if (!shown(r.from) || !shown(r.to)) {
      if (only && r.cardinality !== 'N:M' && shown(r.from) && !hidden.has(r.to)) {
        let list = leaving.get(r.from);
        if (!list) leaving.set(r.from, (list = []));
        list.push({ to: r.to, columns: r.columns, refColumns: r.refColumns, ...(r.name !== undefined && { name: r.name }), reason: 'hidden' });
      }
      return false;
    }
    return r.cardinality !== 'N:M' || hidden.has(r.via ?? '');
  });
  const tables = model.tables.filter((t) => shown(t.id)).map((t) => {
    const more = leaving.get(t.id);
    return more ? { ...t, outside: [...(t.outside ?? []), ...more] } : t;
  });
  return { tables, relations };
}

/** Tables within `depth` relations of `id` (either direction; an N:M counts as one step), `id` included. */
export function neighbourhood(model: DiagramModel, id: string, depth: number): Set<string> {
  const { relations } = drawnGraph(model);
  const adjacent = new Map<string, string[]>();
  const link = (a: string, b: string): void => {
    let list = adjacent.get(a);
    if (!list) adjacent.set(a, (list = []));
    list.push(b);
  };
  for (const r of relations) {
    link(r.from, r.to);
    link(r.to, r.from);
  }
  const seen = new Set([id]);
  let frontier = [id];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (const n of adjacent.get(t) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

/** A precomputed lower-case text per table, so a keystroke is one pass of `includes`. */
export interface SearchIndex {
  ids: string[];
  names: string[];
  columns: string[];
}

export function searchIndex(tables: readonly DiagramTable[]): SearchIndex {
  return {
    ids: tables.map((t) => t.id),
    names: tables.map((t) => `${t.schema}.${t.name}`.toLowerCase()),
    columns: tables.map((t) => t.columns.map((c) => c.name.toLowerCase()).join('\n')),
  };
}

/**
 * Tables whose name (or `schema.name`) holds the query, then those with a column that does;
 * empty for an empty query. Case-insensitive.
 */
export function searchTables(index: SearchIndex, query: string): { byName: string[]; byColumn: string[] } {
  const q = query.trim().toLowerCase();
  const byName: string[] = [];
  const byColumn: string[] = [];
  if (q === '') return { byName, byColumn };
  for (let i = 0; i < index.ids.length; i++) {
    if (index.names[i].includes(q)) byName.push(index.ids[i]);
    else if (index.columns[i].includes(q)) byColumn.push(index.ids[i]);
  }
  return { byName, byColumn };
}

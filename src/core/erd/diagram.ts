import type { Finding, SourceRange } from '../types';
import { tablePolicies, type Column, type SchemaModel, type Table } from '../schema/model';

/**
 * The ER diagram of one schema model — replayed migrations, a schema.prisma or the live
 * catalog, drawn the same way whatever it came from: tables grouped by schema, columns with
 * their keys, relations with their cardinality, and the lint findings that concern each table.
 * Plain JSON, so it travels to the webview as it is.
 */
export type DiagramSourceKind = 'migrations' | 'prisma' | 'live';

/** Where an object is defined: a file of `DiagramModel.files`, 0-based lines and characters. */
export interface DiagramLocation {
  file: number;
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
}

export interface DiagramColumn {
  name: string;
  /** As Postgres prints it: `numeric(12,2)`, `text[]`, `double precision`. */
  type: string;
  pk: boolean;
  fk: boolean;
  notNull: boolean;
  /** A unique constraint or unique index on this column alone (the primary key is not counted). */
  unique: boolean;
  definition?: DiagramLocation;
}

export interface DiagramFinding {
  ruleId: string;
  severity: Finding['severity'];
  message: string;
  location?: DiagramLocation;
  /** The editor offers a quick fix at the location. */
  hasFix: boolean;
}

export interface DiagramTable {
  /** `schema.name`, the model's table key. */
  id: string;
  schema: string;
  name: string;
  columns: DiagramColumn[];
  comment?: string;
  /** The CREATE TABLE (its name) or the Prisma model. */
  definition?: DiagramLocation;
  findings: DiagramFinding[];
  /**
   * A join table: its primary key is made of two foreign keys (or it is Prisma's implicit
   * `_AToB`). `implicit` ones are not drawn: their N:M relation is drawn instead.
   */
  joinTable?: { relation: string; implicit: boolean };
  /**
   * Foreign keys of this table whose referenced table is not in the picture: the source has no
   * such table, or a filter (schemas, focus) left it out. Said on the table, not dropped silently.
   */
  outside?: OutsideReference[];
  /**
   * A partitioned table: the names of its partitions (sub-partitions included), which are not
   * drawn — their relations and findings are the parent's.
   */
  partitions?: string[];
}

/** A foreign key to a table the picture does not draw. */
export interface OutsideReference {
  /** The referenced table, `schema.name`. */
  to: string;
  columns: string[];
  refColumns: string[];
  name?: string;
  /** `missing`: the source has no such table (created elsewhere, or dropped); `hidden`: left out of this picture (a schema filter, a focus). */
  reason: 'missing' | 'hidden';
}

/**
 * `1:1` and `1:N` are foreign keys from `from` (the referencing table) to `to`; `N:M` joins
 * `from` and `to` through the join table `via`.
 */
export type Cardinality = '1:1' | '1:N' | 'N:M';

export interface DiagramRelation {
  id: string;
  from: string;
  to: string;
  cardinality: Cardinality;
  /** Foreign key columns (in `from`) and the columns they reference (in `to`); for N:M, those of the join table's two keys. */
  columns: string[];
  refColumns: string[];
  /** Constraint name (or the join table's name for N:M). */
  name?: string;
  /** A referencing column allows NULL: a row may have no parent. */
  optional: boolean;
  /** The foreign key columns are part of the referencing table's primary key. */
  identifying: boolean;
  via?: string;
}

export interface DiagramModel {
  source: { kind: DiagramSourceKind; label: string };
  /** Schemas in display order (`public` first): the groups of the picture. */
  schemas: string[];
  tables: DiagramTable[];
  relations: DiagramRelation[];
  /** Absolute paths that locations point into. */
  files: string[];
  /** What the picture may miss (syntax errors, a replay that did not finish), for a banner. */
  notes: string[];
}

export interface BuildDiagramOptions {
  source: DiagramModel['source'];
  /** Lint findings of the source; each is put on the table whose definition holds its range. */
  findings?: readonly Finding[];
  /** Findings already attached to tables (the live catalog has no locations): by table id. */
  tableFindings?: ReadonlyMap<string, DiagramFinding[]>;
  /** Tables that are Prisma's implicit many-to-many join tables (`_AToB`), by id. */
  implicitJoinTables?: ReadonlySet<string>;
  /** A wider definition than the table's SourceRef, for attaching findings (a whole Prisma model block). */
  tableExtent?: (table: Table) => { file: string; start: number; end: number } | undefined;
  /** Where a click on the table leads, when not its SourceRef (the Prisma model's header). */
  tableDefinition?: (table: Table) => { file: string; range: SourceRange } | undefined;
  notes?: string[];
}

/** The diagram of a schema model. Pure: same model, same diagram. */
export function buildDiagram(schema: SchemaModel, options: BuildDiagramOptions): DiagramModel {
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const location = (file: string, range: SourceRange): DiagramLocation => {
    let i = fileIndex.get(file);
    if (i === undefined) {
      i = files.length;
      files.push(file);
      fileIndex.set(file, i);
    }
    return { file: i, line: range.start.line, character: range.start.character, endLine: range.end.line, endCharacter: range.end.character };
  };

  const tables: DiagramTable[] = [];
  const relations: DiagramRelation[] = [];
  const byId = new Map<string, DiagramTable>();
  const fold = partitionRoots(schema);
  const drawnId = (id: string): string => fold.get(id) ?? id;
  for (const [id, table] of schema.tables) {
    if (fold.has(id)) continue;
    const pk = new Set(primaryKeyColumns(table));
    const fkColumns = new Set(table.foreignKeys.flatMap((fk) => fk.columns));
    const uniqueAlone = new Set(
      table.indexes.filter((i) => i.unique && !i.primary && i.valid && i.where === undefined && i.columns.length === 1).map((i) => i.columns[0]),
    );
    const def = options.tableDefinition?.(table) ?? table.source;
    const diagramTable: DiagramTable = {
      id,
      schema: table.schema,
      name: table.name,
      columns: table.columns.map((c) => ({
        name: c.name,
        type: displayType(c),
        pk: pk.has(c.name),
        fk: fkColumns.has(c.name),
        notNull: c.notNull || pk.has(c.name),
        unique: uniqueAlone.has(c.name),
        ...(c.source && { definition: location(c.source.file, c.source.range) }),
      })),
      ...(table.comment !== undefined && { comment: table.comment }),
      ...(def && { definition: location(def.file, def.range) }),
      findings: [...(options.tableFindings?.get(id) ?? [])],
    };
    tables.push(diagramTable);
    byId.set(id, diagramTable);
  }
  for (const [id, root] of fold) {
    const parent = byId.get(root)!;
    const part = schema.tables.get(id)!;
    (parent.partitions ??= []).push(part.schema === parent.schema ? part.name : `${part.schema}.${part.name}`);
    parent.findings.push(...(options.tableFindings?.get(id) ?? []));
  }

  const seen = new Set<string>();

  for (const [id, table] of schema.tables) {
    const from = drawnId(id);
    table.foreignKeys.forEach((fk, n) => {
      const to = drawnId(`${fk.refSchema}.${fk.refTable}`);
      const key = JSON.stringify([from, to, fk.columns, fk.refColumns]);
      if (seen.has(key)) return;
      seen.add(key);
      if (!byId.has(to)) {
        const outside: OutsideReference = { to, columns: [...fk.columns], refColumns: [...fk.refColumns], ...(fk.name !== undefined && { name: fk.name }), reason: 'missing' };
        (byId.get(from)!.outside ??= []).push(outside);
        return;
      }
      relations.push({
        id: `${id}#${n}`,
        from,
        to,
        cardinality: columnsAreUnique(table, fk.columns) ? '1:1' : '1:N',
        columns: [...fk.columns],
        refColumns: [...fk.refColumns],
        ...(fk.name !== undefined && { name: fk.name }),
        optional: fk.columns.some((c) => !table.columns.find((col) => col.name === c)?.notNull && !primaryKeyColumns(table).includes(c)),
        identifying: fk.columns.length > 0 && fk.columns.every((c) => primaryKeyColumns(table).includes(c)),
      });
    });
  }

  for (const [id, table] of schema.tables) {
    if (fold.has(id)) continue;
    const join = joinTableKeys(table, options.implicitJoinTables?.has(id) === true);
    if (!join) continue;
    const [a, b] = join.keys;
    const from = drawnId(`${a.refSchema}.${a.refTable}`);
    const to = drawnId(`${b.refSchema}.${b.refTable}`);
    if (!byId.has(from) || !byId.has(to)) continue;
    const relationId = `${id}#N:M`;
    relations.push({
      id: relationId,
      from,
      to,
      cardinality: 'N:M',
      columns: [...a.columns],
      refColumns: [...b.columns],
      name: table.name,
      optional: true,
      identifying: false,
      via: id,
    });
    byId.get(id)!.joinTable = { relation: relationId, implicit: join.implicit };
  }

  if (options.findings?.length) attachFindings(schema, byId, options.findings, location, options.tableExtent, drawnId);

  return {
    source: options.source,
    schemas: orderSchemas(tables.map((t) => t.schema)),
    tables,
    relations,
    files,
    notes: options.notes ?? [],
  };
}

/**
 * The picture of some of the model's tables (a schema filter, a focus): the relations among
 * them, and each foreign key from a kept table to a table left out said on that table
 * (`outside`, reason `hidden`). An N:M goes when either end or its join table goes.
 */
export function diagramSubset(model: DiagramModel, keep: ReadonlySet<string>): DiagramModel {
  const hiddenRefs = new Map<string, OutsideReference[]>();
  for (const r of model.relations) {
    if (r.cardinality === 'N:M' || !keep.has(r.from) || keep.has(r.to)) continue;
    let list = hiddenRefs.get(r.from);
    if (!list) hiddenRefs.set(r.from, (list = []));
    list.push({ to: r.to, columns: [...r.columns], refColumns: [...r.refColumns], ...(r.name !== undefined && { name: r.name }), reason: 'hidden' });
  }
  const tables = model.tables.filter((t) => keep.has(t.id)).map((t) => {
    const more = hiddenRefs.get(t.id);
    return more ? { ...t, outside: [...(t.outside ?? []), ...more] } : t;
  });
  return {
    ...model,
    schemas: model.schemas.filter((s) => tables.some((t) => t.schema === s)),
    tables,
    relations: model.relations.filter((r) => keep.has(r.from) && keep.has(r.to) && (r.via === undefined || keep.has(r.via))),
  };
}

/** `→ billing.accounts (not shown)`: how the picture says a key leaves it. */
export function outsideLabel(o: OutsideReference): string {
  const to = o.to.startsWith('public.') ? o.to.slice('public.'.length) : o.to;
  return `→ ${to} (${o.reason === 'missing' ? 'not defined here' : 'not shown'})`;
}

/**
 * Each partition of the model (a partition of a partition too) with the table it is folded
 * into: the topmost parent that is not itself a partition. A cycle or a parent missing from the
 * model leaves the table drawn.
 */
function partitionRoots(schema: SchemaModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, table] of schema.tables) {
    let parent = table.partitionOf;
    let root: string | undefined;
    const path = new Set([id]);
    while (parent !== undefined && schema.tables.has(parent) && !path.has(parent)) {
      root = parent;
      path.add(parent);
      parent = schema.tables.get(parent)!.partitionOf;
    }
    if (parent !== undefined && path.has(parent)) continue;
    if (root !== undefined) out.set(id, root);
  }
  return out;
}

/** `numeric(12,2)`, `varchar(80)[]`: the canonical name with its modifiers, as `\d` shows it. */
export function displayType(c: Pick<Column, 'type' | 'typeModifiers' | 'isArray'>): string {
  const mods = c.typeModifiers.length > 0 ? `(${c.typeModifiers.join(',')})` : '';
  return `${c.type}${mods}${c.isArray ? '[]' : ''}`;
}

function primaryKeyColumns(table: Table): string[] {
  return table.primaryKey?.columns ?? table.indexes.find((i) => i.primary)?.columns ?? [];
}

/**
 * At most one row per value of these columns: the primary key or a unique index (valid, not
 * partial) lies within them. A foreign key on such columns is one-to-one.
 */
export function columnsAreUnique(table: Table, columns: readonly string[]): boolean {
  if (columns.length === 0) return false;
  const within = (key: readonly string[]): boolean => key.length > 0 && key.every((c) => columns.includes(c));
  if (within(primaryKeyColumns(table))) return true;
  return table.indexes.some((i) => i.unique && i.valid && i.where === undefined && within(i.columns));
}

/**
 * The two foreign keys of a join table: its primary key is exactly the columns of two foreign
 * keys. Prisma's implicit `_AToB` tables qualify too when older migrations gave them a unique
 * index on (A, B) instead of a primary key.
 */
function joinTableKeys(table: Table, implicit: boolean): { keys: [Table['foreignKeys'][number], Table['foreignKeys'][number]]; implicit: boolean } | undefined {
  if (table.foreignKeys.length !== 2) return undefined;
  const [a, b] = table.foreignKeys;
  const keyColumns = [...a.columns, ...b.columns];
  if (new Set(keyColumns).size !== keyColumns.length) return undefined;
  const sameSet = (x: readonly string[]): boolean => x.length === keyColumns.length && x.every((c) => keyColumns.includes(c));
  const prismaShape = /^_./.test(table.name) && table.columns.length === 2 && sameSet(table.columns.map((c) => c.name)) && sameSet(['A', 'B']);
  const keyed = sameSet(primaryKeyColumns(table)) || (prismaShape && table.indexes.some((i) => i.unique && sameSet(i.columns)));
  if (!keyed) return undefined;
  // Column A references the model first in name order: keep that order for the relation.
  const ordered: [typeof a, typeof b] = prismaShape && a.columns[0] === 'B' ? [b, a] : [a, b];
  return { keys: ordered, implicit: implicit || prismaShape };
}

/** `public` first, then by name. */
function orderSchemas(names: string[]): string[] {
  return [...new Set(names)].sort((x, y) => (x === 'public' ? -1 : y === 'public' ? 1 : x < y ? -1 : x > y ? 1 : 0));
}

interface Extent {
  start: number;
  end: number;
  table: string;
}

/**
 * Puts each finding on the table whose definition holds it: the narrowest of the table's own
 * objects (the CREATE TABLE statement, a column, a key, an index, an RLS switch, a policy)
 * whose range meets the finding's. Findings about no table (a DROP, a data migration) are left out.
 */
function attachFindings(
  schema: SchemaModel,
  byId: Map<string, DiagramTable>,
  findings: readonly Finding[],
  location: (file: string, range: SourceRange) => DiagramLocation,
  tableExtent: BuildDiagramOptions['tableExtent'],
  drawnId: (id: string) => string,
): void {
  const extents = new Map<string, Extent[]>();
  const add = (file: string | undefined, start: number, end: number, table: string): void => {
    if (file === undefined) return;
    let list = extents.get(file);
    if (!list) extents.set(file, (list = []));
    list.push({ start, end, table });
  };
  const addRef = (ref: { file: string; range: SourceRange; statementRange?: SourceRange } | undefined, table: string): void => {
    if (!ref) return;
    add(ref.file, ref.range.startOffset, ref.range.endOffset, table);
    if (ref.statementRange) add(ref.file, ref.statementRange.startOffset, ref.statementRange.endOffset, table);
  };
  for (const [id, table] of schema.tables) {
    addRef(table.source, id);
    const wide = tableExtent?.(table);
    if (wide) add(wide.file, wide.start, wide.end, id);
    addRef(table.primaryKey?.source, id);
    addRef(table.rowSecurity?.source, id);
    for (const c of table.columns) addRef(c.source, id);
    for (const fk of table.foreignKeys) addRef(fk.source, id);
    for (const i of table.indexes) addRef(i.source, id);
    for (const p of tablePolicies(schema, table)) addRef(p.source, id);
  }
  for (const f of findings) {
    let best: Extent | undefined;
    for (const e of extents.get(f.file) ?? []) {
      const { startOffset: s, endOffset: t } = f.range;
      const meets = s === t ? e.start <= s && s <= e.end : e.start < t && s < e.end;
      if (meets && (!best || e.end - e.start < best.end - best.start)) best = e;
    }
    const table = best && byId.get(drawnId(best.table));
    if (!table) continue;
    table.findings.push({ ruleId: f.ruleId, severity: f.severity, message: f.message, location: location(f.file, f.range), hasFix: f.fix !== undefined });
  }
}

import type { CatalogSnapshot, QueryRows, SnapshotObject } from './types';
import { quoteLiteral as literal } from '../../sql/quote-ident';

/**
 * Reads the user-visible schema of a database from pg_catalog (issue #15: the state before an
 * up and after its down are compared). One statement of eight sub-queries, each returning every
 * object of a kind as JSON; the same SQL runs on PGlite (PostgreSQL 18) and on PostgreSQL 11+,
 * the few newer catalog columns behind a version check.
 *
 * What is left out, so that two databases built by the same DDL compare equal:
 * - pg_catalog, information_schema, pg_toast*, pg_temp*; objects that belong to an extension
 *   (pg_depend deptype 'e'): the extension itself is reported (name, schema; not its version);
 * - OIDs, owners, tablespaces, statistics, comments, column positions: a down that re-adds a
 *   dropped column puts it at the end of the table, which is a correct rollback, so columns
 *   are keyed by name and their position is not compared;
 * - what Postgres derives from another object: indexes that back a primary key / unique /
 *   exclusion constraint (the constraint is compared), indexes, constraints, triggers and
 *   columns a partition or inheritance child gets from its parent, internal triggers (foreign
 *   keys), NOT NULL constraints (PG 18 catalogs them; the column's nullability is compared),
 *   array types and table row types.
 *
 * Naming rule. Indexes and constraints are keyed by their table and their definition (the index
 * name replaced by nothing, `CREATE INDEX ON public.t USING btree (c)`), not by name, so a down
 * that recreates an unnamed index or constraint under a different generated name (`…_idx1`)
 * compares equal. The name is kept as the `name` attribute, and so compared, only when it is not
 * one Postgres generates (`<table>_<columns>_idx|key|pkey|fkey|check|excl`, with an optional
 * number): a down that recreates `CREATE INDEX by_user ON orders (user_id)` as an unnamed index
 * reports the lost name, one that recreates an unnamed index does not. The same rule applies to
 * the sequences of serial / identity columns, keyed by their column (`<table>_<column>_seq`),
 * and a serial default `nextval('public.t_id_seq'::regclass)` reads `nextval(<owned sequence>)`.
 * Triggers and policies are keyed by their (always explicit) name, functions by their argument
 * types (`public.f(integer)`: argument names and defaults are compared attributes), function
 * bodies compared as text up to line endings and trailing blanks.
 *
 * The session's search_path is set to pg_catalog while reading (so every user object is
 * rendered schema-qualified whatever path the migration set) and restored afterwards.
 */
export async function snapshotCatalog(query: QueryRows): Promise<CatalogSnapshot> {
  const [settings] = await query(`SELECT current_setting('server_version_num') AS v, current_setting('search_path') AS sp`);
  const version = Number(settings?.v ?? 0);
  if (!(version >= 110000)) throw new Error(`the catalog snapshot needs PostgreSQL 11 or later (server_version_num ${String(settings?.v)})`);
  const savedPath = String(settings.sp ?? '');
  await query(`SELECT set_config('search_path', 'pg_catalog', false)`);
  try {
    // One statement, each kind aggregated to JSON: PGlite spends more on handing rows over than
    // on running these queries, so a handful of rows of JSON text is several times faster.
    const kinds = {
      namespaces: NAMESPACES_SQL,
      relations: RELATIONS_SQL,
      columns: COLUMNS_SQL,
      indexes: INDEXES_SQL,
      constraints: CONSTRAINTS_SQL,
      types: TYPES_SQL,
      functions: functionsSql(version),
      triggers: triggersAndPoliciesSql(version),
    };
    const sql = `SELECT ${Object.entries(kinds)
      .map(([name, q]) => `(SELECT coalesce(json_agg(q), '[]'::json)::text FROM (${q}) q) AS ${name}`)
      .join(',\n')}`;
    const [row] = await query(sql);
    const rows = (name: keyof typeof kinds): Row[] => JSON.parse(String(row?.[name] ?? '[]')) as Row[];
    const b = new Builder();
    readNamespaces(b, rows('namespaces'));
    const composites = readRelations(b, rows('relations'), rows('columns'));
    readIndexes(b, rows('indexes'));
    readConstraints(b, rows('constraints'));
    readTypes(b, rows('types'), composites);
    readFunctions(b, rows('functions'));
    readTriggersAndPolicies(b, rows('triggers'));
    return { objects: b.objects };
  } finally {
    await query(`SELECT set_config('search_path', ${literal(savedPath)}, false)`);
  }
}

// ---------------------------------------------------------------------------------------------
// SQL. Every value is returned as text (or a JSON array as text) so that PGlite and `pg` give
// the same JavaScript values.

const USER_NS = (n: string) =>
  `${n}.nspname NOT IN ('pg_catalog', 'information_schema') AND ${n}.nspname NOT LIKE 'pg\\_toast%' AND ${n}.nspname NOT LIKE 'pg\\_temp%'`;
const NOT_EXTENSION_MEMBER = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;
const QNAME = (n: string, c: string, col = 'relname') => `quote_ident(${n}.nspname) || '.' || quote_ident(${c}.${col})`;

const NAMESPACES_SQL = `
SELECT 'schema' AS kind, quote_ident(n.nspname) AS name, NULL AS schema
  FROM pg_namespace n
 WHERE ${USER_NS('n')} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}
UNION ALL
SELECT 'extension', quote_ident(x.extname), quote_ident(n.nspname)
  FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace`;

const RELATIONS_SQL = `
SELECT c.oid::text AS oid, c.relkind::text AS relkind, quote_ident(n.nspname) AS nsp, c.relname::text AS relname,
       ${QNAME('n', 'c')} AS qname, c.relpersistence::text AS persistence,
       c.relrowsecurity::text AS rls, c.relforcerowsecurity::text AS rls_forced,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
       CASE WHEN c.relispartition THEN (
         SELECT ${QNAME('pn', 'pc')} FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
           JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid) END AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partbound,
       CASE WHEN NOT c.relispartition AND c.relkind IN ('r', 'p', 'f') THEN (
         SELECT to_json(array_agg(${QNAME('pn', 'pc')} ORDER BY i.inhseqno))::text FROM pg_inherits i
           JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
          WHERE i.inhrelid = c.oid) END AS inherits,
       to_json(c.reloptions)::text AS options,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS viewdef,
       CASE WHEN c.relacl IS NOT NULL
             AND c.relacl::text <> acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)::text
            THEN to_json(c.relacl::text[])::text END AS acl,
       format_type(s.seqtypid, NULL) AS seqtype, s.seqstart::text AS seqstart, s.seqincrement::text AS seqincrement,
       s.seqmin::text AS seqmin, s.seqmax::text AS seqmax, s.seqcache::text AS seqcache, s.seqcycle::text AS seqcycle,
       own.owner_table, own.owner_relname, own.owner_column, own.deptype AS owner_deptype
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_sequence s ON s.seqrelid = c.oid
  LEFT JOIN LATERAL (
    SELECT ${QNAME('tn', 'tc')} AS owner_table, tc.relname::text AS owner_relname, quote_ident(a.attname) AS owner_column, d.deptype::text AS deptype
      FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
      JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
     WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
       AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
     LIMIT 1) own ON true
 WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND ${USER_NS('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`;

// Columns of tables (own, not inherited from a parent) and attributes of standalone composite types.
const COLUMNS_SQL = `
SELECT a.attrelid::text AS reloid, c.relkind::text AS relkind, quote_ident(a.attname) AS col, a.attnum::text AS num,
       format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull::text AS notnull,
       pg_get_expr(ad.adbin, ad.adrelid) AS expr, a.attidentity::text AS identity, a.attgenerated::text AS generated,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ${QNAME('cn', 'co', 'collname')} END AS collation
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f', 'c')
   AND (a.attislocal OR c.relkind = 'c') AND ${USER_NS('n')}`;

// Indexes, without those backing a constraint and the per-partition children of a partitioned index.
const INDEXES_SQL = `
SELECT c.relkind::text AS relkind, ${QNAME('n', 'c')} AS rel, c.relname::text AS tname, i.relname::text AS iname,
       quote_ident(i.relname) AS qiname, pg_get_indexdef(i.oid) AS def, x.indisunique::text AS isunique,
       x.indisvalid::text AS isvalid
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class c ON c.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE ${USER_NS('n')} AND NOT i.relispartition AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
   AND x.indexrelid NOT IN (SELECT k.conindid FROM pg_constraint k WHERE k.contype IN ('p', 'u', 'x'))`;

// Table constraints, without NOT NULL ('n', PG 18), constraint triggers ('t', compared as
// triggers) and those a partition or child inherits.
const CONSTRAINTS_SQL = `
SELECT c.relkind::text AS relkind, ${QNAME('n', 'c')} AS rel, c.relname::text AS tname, k.conname::text AS cname,
       quote_ident(k.conname) AS qcname, k.contype::text AS contype, pg_get_constraintdef(k.oid) AS def,
       k.condeferrable::text AS deferrable, k.condeferred::text AS deferred, k.convalidated::text AS validated
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE k.contype NOT IN ('n', 't') AND k.conislocal AND k.conparentid = 0
   AND ${USER_NS('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`;

// Enums, domains, ranges and standalone composite types (the attributes come with COLUMNS_SQL).
const TYPES_SQL = `
SELECT t.typtype::text AS typtype, ${QNAME('n', 't', 'typname')} AS qname, t.typname::text AS tname, t.typrelid::text AS reloid,
       CASE WHEN t.typtype = 'e' THEN (SELECT to_json(array_agg(e.enumlabel::text ORDER BY e.enumsortorder))::text
                                         FROM pg_enum e WHERE e.enumtypid = t.oid) END AS enum_values,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base,
       t.typnotnull::text AS notnull, pg_get_expr(t.typdefaultbin, 0) AS def,
       CASE WHEN t.typtype = 'd' THEN (
         SELECT to_json(array_agg(json_build_array(k.conname::text, quote_ident(k.conname), pg_get_constraintdef(k.oid)) ORDER BY pg_get_constraintdef(k.oid), k.conname))::text
           FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') END AS checks,
       CASE WHEN t.typtype = 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) END AS subtype
  FROM pg_type t
  JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE ${USER_NS('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
   AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class rc WHERE rc.oid = t.typrelid AND rc.relkind = 'c')))`;

function functionsSql(version: number): string {
  // SQL-standard bodies (BEGIN ATOMIC …, PG 14+) have no prosrc.
  const body = version >= 140000 ? `CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE p.prosrc END` : 'p.prosrc';
  return `
SELECT ${QNAME('n', 'p', 'proname')} AS qname, p.oid::regprocedure::text AS signature,
       pg_get_function_arguments(p.oid) AS args, p.prokind::text AS prokind, pg_get_function_result(p.oid) AS result,
       l.lanname::text AS language, p.provolatile::text AS volatility, p.proisstrict::text AS strict,
       p.prosecdef::text AS secdef, p.proparallel::text AS parallel, to_json(p.proconfig)::text AS config, ${body} AS body
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
 WHERE ${USER_NS('n')} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}`;
}

function triggersAndPoliciesSql(version: number): string {
  // Triggers a partition gets from its parent (PG 13+ records the parent).
  const notCloned = version >= 130000 ? 'AND g.tgparentid = 0' : '';
  return `
SELECT 'trigger' AS kind, c.relkind::text AS relkind, ${QNAME('n', 'c')} AS rel, quote_ident(g.tgname) AS name,
       pg_get_triggerdef(g.oid) AS def, g.tgenabled::text AS enabled,
       NULL AS cmd, NULL AS permissive, NULL AS roles, NULL AS qual, NULL AS withcheck
  FROM pg_trigger g
  JOIN pg_class c ON c.oid = g.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT g.tgisinternal ${notCloned} AND ${USER_NS('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
UNION ALL
SELECT 'policy', c.relkind::text, ${QNAME('n', 'c')}, quote_ident(p.polname), NULL, NULL,
       p.polcmd::text, p.polpermissive::text,
       (SELECT to_json(array_agg(CASE WHEN r = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(r)) END ORDER BY 1))::text FROM unnest(p.polroles) r),
       pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
  FROM pg_policy p
  JOIN pg_class c ON c.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE ${USER_NS('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`;
}

// ---------------------------------------------------------------------------------------------
// Building the objects.

type Row = Record<string, unknown>;

class Builder {
  readonly objects = new Map<string, SnapshotObject>();

  /** Adds an object; a second one with the same key (two identical indexes on a table) gets `#2`. */
  add(key: string, obj: SnapshotObject, parent?: string): string {
    let k = key;
    for (let i = 2; this.objects.has(k); i++) k = `${key} #${i}`;
    this.objects.set(k, parent ? { ...obj, parent } : obj);
    return k;
  }
}

const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const text = (v: unknown): string => str(v) ?? '';
const yes = (v: unknown): boolean => v === true || v === 't' || v === 'true';
const jsonList = (v: unknown): string[] => (v === null || v === undefined ? [] : (JSON.parse(String(v)) as unknown[] | null ?? []).map(String));

/** Drops undefined attributes, so "no default" and "default absent" are the same thing. */
function attrs(a: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) if (v !== undefined) out[k] = v;
  return out;
}

/** The key of the relation that owns an index, column, trigger…: a view (materialized) or a table. */
function relationKey(relkind: string, qname: string): string {
  return relkind === 'v' || relkind === 'm' ? `view ${qname}` : `table ${qname}`;
}

export function schemaKey(qschema: string): string {
  return `schema ${qschema}`;
}

/** The schema part of a schema-qualified, quote_ident'ed name. */
function schemaOf(qname: string): string {
  const m = /^("(?:[^"]|"")*"|[^."]+)\./.exec(qname);
  return m ? m[1] : qname;
}

/** An SQL string literal, standard_conforming_strings style. */
export { literal };

const GENERATED_SUFFIXES = ['idx', 'key', 'pkey', 'fkey', 'check', 'excl', 'seq', 'not_null'];

/**
 * Whether `name` (raw, unquoted) looks like one Postgres chose for an object of `table` (raw):
 * `<table>[_<columns>]_<label>[N]` with label idx, key, pkey, fkey, check, excl, seq. Postgres
 * truncates long names to 63 bytes, cutting the table part too: such names only have to begin
 * like the table.
 */
export function isGeneratedName(name: string, table: string): boolean {
  const m = new RegExp(`^(.*)_(${GENERATED_SUFFIXES.join('|')})\\d*$`).exec(name);
  if (!m) return false;
  const stem = m[1];
  if (stem === table || stem.startsWith(`${table}_`)) return true;
  return Buffer.byteLength(name) >= 60 && stem.length > 0 && table.startsWith(stem.slice(0, Math.min(stem.length, table.length, 8)));
}

function readNamespaces(b: Builder, rows: Row[]): void {
  for (const r of rows) {
    const name = text(r.name);
    if (r.kind === 'schema') b.add(schemaKey(name), { kind: 'schema', name, attributes: {} });
    else b.add(`extension ${name}`, { kind: 'extension', name, attributes: { schema: text(r.schema) } }, schemaKey(text(r.schema)));
  }
}

const PERSISTENCE: Record<string, string> = { p: 'permanent', u: 'unlogged', t: 'temporary' };
const TABLE_KIND: Record<string, string> = { r: 'table', p: 'partitioned table', f: 'foreign table' };

/** Reads tables, views, sequences, grants and columns; returns the attributes of composite types by type relation oid. */
function readRelations(b: Builder, relations: Row[], columns: Row[]): Map<string, string[]> {
  const byOid = new Map<string, Row>();
  for (const r of relations) byOid.set(text(r.oid), r);
  // Sequences owned by a column: keyed by the column, their defaults rewritten.
  const ownedSequences = new Map<string, string>(); // column qname → sequence qname
  for (const r of relations) if (r.relkind === 'S' && r.owner_table) ownedSequences.set(`${text(r.owner_table)}.${text(r.owner_column)}`, text(r.qname));

  for (const r of relations) {
    const relkind = text(r.relkind);
    const qname = text(r.qname);
    const schema = schemaKey(text(r.nsp));
    const options = jsonList(r.options).sort().join(', ') || undefined;
    if (relkind === 'v' || relkind === 'm') {
      b.add(`view ${qname}`, {
        kind: 'view',
        name: qname,
        attributes: attrs({ kind: relkind === 'm' ? 'materialized view' : 'view', definition: normaliseSpace(text(r.viewdef)), options }),
      }, schema);
    } else if (relkind === 'S') {
      const attributes = attrs({
        'data type': str(r.seqtype),
        increment: str(r.seqincrement),
        minimum: str(r.seqmin),
        maximum: str(r.seqmax),
        start: str(r.seqstart),
        cache: str(r.seqcache),
        cycle: yes(r.seqcycle) ? 'CYCLE' : 'NO CYCLE',
      });
      if (r.owner_table) {
        const column = `${text(r.owner_table)}.${text(r.owner_column)}`;
        if (!isGeneratedName(text(r.relname), text(r.owner_relname))) attributes.name = qname;
        attributes['owned by'] = `${column}${r.owner_deptype === 'i' ? ' (identity)' : ''}`;
        b.add(`sequence owned by ${column}`, { kind: 'sequence', name: qname, table: text(r.owner_table), attributes }, `column ${column}`);
      } else {
        b.add(`sequence ${qname}`, { kind: 'sequence', name: qname, attributes }, schema);
      }
    } else {
      b.add(`table ${qname}`, {
        kind: 'table',
        name: qname,
        attributes: attrs({
          kind: TABLE_KIND[relkind] ?? relkind,
          persistence: PERSISTENCE[text(r.persistence)] ?? text(r.persistence),
          'row level security': yes(r.rls) ? (yes(r.rls_forced) ? 'enabled, forced' : 'enabled') : yes(r.rls_forced) ? 'disabled, forced' : 'disabled',
          'partition key': str(r.partkey),
          'partition of': str(r.partition_of),
          'partition bound': str(r.partbound),
          inherits: jsonList(r.inherits).join(', ') || undefined,
          options,
        }),
      }, schema);
    }
    if (r.acl) {
      const grants: Record<string, string> = {};
      for (const item of jsonList(r.acl)) {
        const g = parseAclItem(item, relkind === 'S');
        if (g) grants[g.grantee] = grants[g.grantee] ? `${grants[g.grantee]}; ${g.privileges}` : g.privileges;
      }
      const owner = relkind === 'S' ? (r.owner_table ? `sequence owned by ${text(r.owner_table)}.${text(r.owner_column)}` : `sequence ${qname}`) : relationKey(relkind, qname);
      b.add(`grant ${qname}`, { kind: 'grant', name: qname, table: qname, attributes: grants }, owner);
    }
  }

  const composites = new Map<string, string[]>(); // composite type relation oid → attributes
  columns.sort((x, y) => cmp(text(x.reloid), text(y.reloid)) || Number(x.num) - Number(y.num));
  for (const c of columns) {
    const rel = byOid.get(text(c.reloid));
    if (c.relkind === 'c') {
      const list = composites.get(text(c.reloid)) ?? [];
      list.push(`${text(c.col)} ${text(c.type)}${c.collation ? ` COLLATE ${text(c.collation)}` : ''}`);
      composites.set(text(c.reloid), list);
      continue;
    }
    if (!rel) continue; // a table of an extension
    const table = text(rel.qname);
    const column = `${table}.${text(c.col)}`;
    const generated = text(c.generated);
    let expr = str(c.expr);
    const sequence = ownedSequences.get(column);
    if (expr && sequence) expr = expr.split(`nextval(${literal(sequence)}::regclass)`).join('nextval(<owned sequence>)');
    b.add(`column ${column}`, {
      kind: 'column',
      name: column,
      table,
      attributes: attrs({
        type: text(c.type),
        nullability: yes(c.notnull) ? 'NOT NULL' : 'nullable',
        default: generated ? undefined : expr,
        generated: generated ? `${expr ?? ''} ${generated === 'v' ? 'VIRTUAL' : 'STORED'}` : undefined,
        identity: c.identity === 'a' ? 'ALWAYS' : c.identity === 'd' ? 'BY DEFAULT' : undefined,
        collation: str(c.collation),
      }),
    }, `table ${table}`);
  }
  return composites;
}

function normaliseSpace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

const PRIVILEGES: Record<string, string> = {
  r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', D: 'TRUNCATE', x: 'REFERENCES', t: 'TRIGGER', m: 'MAINTAIN', U: 'USAGE',
};

/** An aclitem `grantee=privileges/grantor` → grantee (PUBLIC when empty) and `SELECT, INSERT WITH GRANT OPTION …`. */
function parseAclItem(item: string, sequence: boolean): { grantee: string; privileges: string } | undefined {
  const m = /^((?:"(?:[^"]|"")*"|[^="])*)=([A-Za-z*]*)\/(.*)$/.exec(item);
  if (!m) return undefined;
  const grantee = m[1] === '' ? 'PUBLIC' : m[1];
  const privs: string[] = [];
  const letters = m[2];
  for (let i = 0; i < letters.length; i++) {
    const ch = letters[i];
    if (ch === '*') continue;
    const word = ch === 'U' && !sequence ? 'USAGE' : PRIVILEGES[ch] ?? ch;
    privs.push(letters[i + 1] === '*' ? `${word} WITH GRANT OPTION` : word);
  }
  return { grantee, privileges: privs.join(', ') || 'none' };
}

function readIndexes(b: Builder, rows: Row[]): void {
  // Deterministic `#n` for identical definitions: by name.
  rows.sort((x, y) => cmp(text(x.iname), text(y.iname)));
  for (const r of rows) {
    const table = text(r.rel);
    const definition = indexWithoutName(text(r.def), text(r.qiname));
    b.add(`index ${table} ${definition}`, {
      kind: 'index',
      name: text(r.qiname),
      table,
      attributes: attrs({
        definition,
        state: yes(r.isvalid) ? 'valid' : 'INVALID',
        name: isGeneratedName(text(r.iname), text(r.tname)) ? undefined : text(r.qiname),
      }),
    }, relationKey(text(r.relkind), table));
  }
}

/** `CREATE INDEX users_email_idx ON public.users …` → `CREATE INDEX ON public.users …` (valid SQL: Postgres names it). */
export function indexWithoutName(def: string, quotedName: string): string {
  const m = /^CREATE (UNIQUE )?INDEX /.exec(def);
  if (!m) return def;
  const rest = def.slice(m[0].length);
  return rest.startsWith(`${quotedName} `) ? `${m[0]}${rest.slice(quotedName.length + 1)}` : def;
}

const CONTYPE: Record<string, string> = { p: 'primary key', u: 'unique', f: 'foreign key', c: 'check', x: 'exclusion' };

function readConstraints(b: Builder, rows: Row[]): void {
  rows.sort((x, y) => cmp(text(x.cname), text(y.cname)));
  for (const r of rows) {
    const table = text(r.rel);
    // pg_get_constraintdef appends DEFERRABLE, INITIALLY DEFERRED, NOT VALID: compared apart.
    let definition = text(r.def);
    for (const suffix of [' NOT VALID', ' INITIALLY DEFERRED', ' DEFERRABLE']) {
      if (definition.endsWith(suffix)) definition = definition.slice(0, -suffix.length);
    }
    b.add(`constraint ${table} ${definition}`, {
      kind: 'constraint',
      name: text(r.qcname),
      table,
      attributes: attrs({
        type: CONTYPE[text(r.contype)] ?? text(r.contype),
        definition,
        deferrable: yes(r.deferrable) ? (yes(r.deferred) ? 'DEFERRABLE INITIALLY DEFERRED' : 'DEFERRABLE') : 'NOT DEFERRABLE',
        validated: yes(r.validated) ? 'valid' : 'NOT VALID',
        name: isGeneratedName(text(r.cname), text(r.tname)) ? undefined : text(r.qcname),
      }),
    }, relationKey(text(r.relkind), table));
  }
}

function readTypes(b: Builder, rows: Row[], compositeAttributes: Map<string, string[]>): void {
  for (const r of rows) {
    const qname = text(r.qname);
    const schema = schemaKey(schemaOf(qname));
    const key = `type ${qname}`;
    switch (r.typtype) {
      case 'e': {
        const values = jsonList(r.enum_values);
        b.add(key, { kind: 'type', name: qname, attributes: { kind: 'enum', values: values.map(literal).join(', ') } }, schema);
        for (const v of values) {
          b.add(`enum-value ${qname} ${literal(v)}`, { kind: 'enum-value', name: `${qname} ${literal(v)}`, attributes: { type: qname, value: v } }, key);
        }
        break;
      }
      case 'd': {
        const checks = (str(r.checks) ? (JSON.parse(text(r.checks)) as Array<[string, string, string]>) : []).map(([name, quoted, def]) =>
          isGeneratedName(name, text(r.tname)) ? def : `CONSTRAINT ${quoted} ${def}`);
        b.add(key, {
          kind: 'type',
          name: qname,
          attributes: attrs({
            kind: 'domain',
            'base type': str(r.base),
            nullability: yes(r.notnull) ? 'NOT NULL' : 'nullable',
            default: str(r.def),
            constraints: checks.join('; ') || undefined,
          }),
        }, schema);
        break;
      }
      case 'r':
        b.add(key, { kind: 'type', name: qname, attributes: attrs({ kind: 'range', subtype: str(r.subtype) }) }, schema);
        break;
      case 'c':
        b.add(key, { kind: 'type', name: qname, attributes: { kind: 'composite', attributes: (compositeAttributes.get(text(r.reloid)) ?? []).join(', ') } }, schema);
        break;
    }
  }
}

const PROKIND: Record<string, string> = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window function' };
const VOLATILITY: Record<string, string> = { i: 'IMMUTABLE', s: 'STABLE', v: 'VOLATILE' };
const PARALLEL: Record<string, string> = { s: 'PARALLEL SAFE', r: 'PARALLEL RESTRICTED', u: 'PARALLEL UNSAFE' };

function readFunctions(b: Builder, rows: Row[]): void {
  for (const r of rows) {
    const qname = text(r.qname);
    // regprocedure: `public.f(integer)`, argument types only (what identifies a function);
    // argument names and defaults are the compared `arguments`.
    const signature = text(r.signature);
    const kind = PROKIND[text(r.prokind)] ?? text(r.prokind);
    b.add(`function ${signature}`, {
      kind: 'function',
      name: signature,
      attributes: attrs({
        kind,
        arguments: text(r.args),
        returns: str(r.result),
        language: text(r.language),
        volatility: VOLATILITY[text(r.volatility)],
        strict: yes(r.strict) ? 'STRICT' : 'CALLED ON NULL INPUT',
        security: yes(r.secdef) ? 'SECURITY DEFINER' : 'SECURITY INVOKER',
        parallel: PARALLEL[text(r.parallel)],
        config: jsonList(r.config).join(', ') || undefined,
        body: normaliseBody(text(r.body)),
      }),
    }, schemaKey(schemaOf(qname)));
  }
}

/**
 * Line endings, indentation and runs of blanks do not change what a body does (a down that
 * re-creates a function with tabs instead of spaces restores it); anything else does. Blanks
 * inside a string literal are folded too: a rare miss, against a common false difference.
 */
function normaliseBody(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .filter((l) => l !== '')
    .join('\n');
}

const POLCMD: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' };
const TGENABLED: Record<string, string> = { O: 'enabled', D: 'disabled', R: 'enabled on replica', A: 'enabled always' };

function readTriggersAndPolicies(b: Builder, rows: Row[]): void {
  for (const r of rows) {
    const table = text(r.rel);
    const name = text(r.name);
    const parent = relationKey(text(r.relkind), table);
    if (r.kind === 'trigger') {
      b.add(`trigger ${table} ${name}`, {
        kind: 'trigger',
        name,
        table,
        attributes: { definition: text(r.def), enabled: TGENABLED[text(r.enabled)] ?? text(r.enabled) },
      }, parent);
    } else {
      b.add(`policy ${table} ${name}`, {
        kind: 'policy',
        name,
        table,
        attributes: attrs({
          command: POLCMD[text(r.cmd)] ?? text(r.cmd),
          type: yes(r.permissive) ? 'PERMISSIVE' : 'RESTRICTIVE',
          roles: jsonList(r.roles).join(', '),
          using: str(r.qual),
          'with check': str(r.withcheck),
        }),
      }, parent);
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

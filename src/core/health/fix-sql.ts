/**
 * Migration text for health findings. Every statement is CONCURRENTLY (no write lock on a
 * live table) and idempotent (IF EXISTS / IF NOT EXISTS), so a rerun after a failure is safe.
 */

/** Keywords that cannot stand as a bare table or index name (PG 15 `pg_get_keywords()` categories R, T, C). */
const KEYWORDS = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast ' +
    'char character check coalesce collate collation column concurrently constraint create cross current_catalog ' +
    'current_date current_role current_schema current_time current_timestamp current_user dec decimal default deferrable ' +
    'desc distinct do else end except exists extract false fetch float for foreign freeze from full grant greatest group ' +
    'grouping having ilike in initially inner inout int integer intersect interval into is isnull join lateral leading ' +
    'least left like limit localtime localtimestamp national natural nchar none normalize not notnull null nullif numeric ' +
    'offset on only or order out outer overlaps overlay placing position precision primary real references returning ' +
    'right row select session_user setof similar smallint some substring symmetric table tablesample then time timestamp ' +
    'to trailing treat trim true union unique user using values varchar variadic verbose when where window with ' +
    'xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable'
  ).split(' '),
);

/** Quotes an identifier only when Postgres needs it (capitals, symbols, keywords). */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !KEYWORDS.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** Expression columns are already SQL text in parentheses; plain column names get quoted. */
function columnSql(column: string): string {
  return column.startsWith('(') ? column : quoteIdent(column);
}

const MAX_IDENTIFIER_BYTES = 63;

/** Truncates to `maxBytes` of UTF-8 on a character boundary, as Postgres does with long names. */
function truncateBytes(name: string, maxBytes: number): string {
  let out = name;
  while (Buffer.byteLength(out, 'utf8') > maxBytes) out = Array.from(out).slice(0, -1).join('');
  return out;
}

/** Postgres's own default name for `CREATE INDEX ON table (a, b)`: `table_a_b_idx`. */
export function defaultIndexName(table: string, columns: string[]): string {
  const parts = columns.map((c) => c.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'expr');
  const suffix = '_idx';
  return truncateBytes(`${table}_${parts.join('_')}`, MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
}

export function dropIndexSql(schema: string, index: string): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, index)};`;
}

export function createIndexSql(schema: string, table: string, columns: string[], name = defaultIndexName(table, columns)): string {
  return `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(name)} ON ${qualifiedName(schema, table)} (${columns.map(columnSql).join(', ')});`;
}

/**
 * `pg_get_indexdef` output as a concurrent, idempotent statement:
 * `CREATE UNIQUE INDEX i ON s.t USING btree (a)` → `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON …;`.
 */
export function concurrentDefinition(definition: string): string {
  const body = definition.trim().replace(/;$/, '');
  const rewritten = body.replace(/^CREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?/i, (_m, unique: string | undefined) =>
    `CREATE ${unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS `,
  );
  return `${rewritten};`;
}

/** An invalid index is rebuilt by dropping it and creating it again, both without blocking writes. */
export function rebuildIndexSql(schema: string, index: string, definition: string): string {
  return `${dropIndexSql(schema, index)}\n${concurrentDefinition(definition)}`;
}

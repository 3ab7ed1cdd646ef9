/**
 * Migration text for health findings. Every statement is CONCURRENTLY (no write lock on a
 * live table) and idempotent (IF EXISTS / IF NOT EXISTS), so a rerun after a failure is safe —
 * except a new index (createIndexSql), where IF NOT EXISTS would hide a name already taken.
 */
import { quoteIdent } from '../sql/quote-ident';
import { escapeControl } from '../escape-control';

/** Always schema-qualified: a migration must not depend on the runner's search_path. */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** Expression columns are already SQL text in parentheses; plain column names get quoted. */
function columnSql(column: string): string {
  return column.startsWith('(') ? column : quoteIdent(column);
}

export function dropIndexSql(schema: string, index: string): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(schema, index)};`;
}

/**
 * No IF NOT EXISTS: with it, a relation already bearing the name — another index, a leftover
 * INVALID one from a failed concurrent build, a table — makes the statement do nothing and the new
 * index silently missing. The caller picks a free name; a clash at run time fails loudly.
 */
export function createIndexSql(schema: string, table: string, columns: string[], name: string): string {
  return `CREATE INDEX CONCURRENTLY ${quoteIdent(name)} ON ${qualifiedName(schema, table)} (${columns.map(columnSql).join(', ')});`;
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

/**
 * Fix SQL as lines to print: it breaks only at newlines outside quotes (between statements), and
 * each line has its control characters spelled out, so a newline inside a quoted name or
 * literal shows as `\n` instead of starting a line. Quotes inside quotes are doubled in SQL, so
 * toggling on each quote character tracks them.
 */
export function sqlDisplayLines(sql: string): string[] {
  const lines: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === '"' || c === "'") quote = quote === undefined ? c : quote === c ? undefined : quote;
    else if (c === '\n' && quote === undefined) {
      lines.push(escapeControl(sql.slice(start, i)));
      start = i + 1;
    }
  }
  lines.push(escapeControl(sql.slice(start)));
  return lines;
}

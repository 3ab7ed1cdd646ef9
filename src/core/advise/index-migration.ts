import { toSlug, type MigrationSpec } from '../health/migration-file';
import { quoteIdent } from '../sql/quote-ident';
import { escapeControl } from '../escape-control';
import type { AdviceResult, Suggestion } from './types';

const CREATE_HEAD = /^CREATE INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?("(?:[^"]|"")+"|[^\s"]+) ON (?:ONLY )?("(?:[^"]|"")+"|[^\s".]+)\./;

/** `public.orders_status_idx` for the down migration, quoted as the DDL quotes it. */
export function suggestedIndexName(s: Suggestion): string {
  const m = CREATE_HEAD.exec(s.ddl);
  if (!m) throw new Error(`not an advised CREATE INDEX: ${s.ddl}`);
  return `${m[2]}.${m[1]}`;
}

function cost(n: number): string {
  return n.toFixed(1);
}

function ms(n: number | undefined): string | undefined {
  return n === undefined ? undefined : `${n.toFixed(n < 10 ? 2 : 1)} ms`;
}

/** One line on how the index was proven, for the migration's header and the editor's messages. */
export function evidenceLine(advice: Pick<AdviceResult, 'before'>, s: Suggestion): string {
  const base = s.before ?? advice.before;
  const costs = `cost ${cost(base.totalCost)} → ${cost(s.after.totalCost)} (${s.improvement.toFixed(1)}× cheaper)`;
  if (s.method === 'hypopg') return `verified with a HypoPG hypothetical index: ${costs}`;
  const before = ms(base.executionTimeMs);
  const after = ms(s.after.executionTimeMs);
  const timed = before && after ? `, measured ${before} → ${after}` : '';
  const buffers = base.buffers !== undefined && s.after.buffers !== undefined ? `, ${base.buffers} → ${s.after.buffers} buffers` : '';
  return `verified with a real index on the embedded sandbox (rolled back): ${costs}${timed}${buffers}`;
}

/** `11.2 MB`, `24 kB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(1)} GB`;
}

/** The index's size and what it costs each write, in one line (undefined when neither is known). */
export function costLine(s: Suggestion): string | undefined {
  const size = s.sizeBytes !== undefined ? `size ${formatBytes(s.sizeBytes)} (${s.method === 'hypopg' ? 'HypoPG estimate' : 'built on the sandbox'})` : undefined;
  const parts = [size, s.writeOverhead ? `writes: ${s.writeOverhead}` : undefined].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** The extension the migration must create first: the index needs it and the database that verified it did not have it installed. */
export function extensionToCreate(s: Suggestion): string | undefined {
  return s.extension && !s.extension.installed ? s.extension.name : undefined;
}

function commentLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map((l) => `-- ${l}`.trimEnd());
}

export interface IndexMigrationOptions {
  /**
   * false: `CREATE INDEX` without CONCURRENTLY, for a runner that would run the file in one
   * transaction (where CONCURRENTLY fails); the header says writes wait for the build.
   */
  concurrently?: boolean;
  /** false: leave out the CREATE EXTENSION (a migration of its own creates it first, see extensionMigrationSpec). */
  withExtension?: boolean;
}

/**
 * The migration that creates an advised index: a header saying why and how it was proven
 * (the query included as comments), then `CREATE EXTENSION IF NOT EXISTS` when the index needs
 * an extension the database did not have, then the DDL; the down file drops the index (never
 * the extension, which other objects may use).
 */
export function indexMigrationSpec(advice: Pick<AdviceResult, 'before' | 'query'>, s: Suggestion, options: IndexMigrationOptions = {}): MigrationSpec {
  const concurrently = options.concurrently ?? true;
  const partitioned = s.transactionalDdl !== undefined;
  const extension = options.withExtension === false ? undefined : extensionToCreate(s);
  const costs = costLine(s);
  const header = [
    // A name may hold a newline, which would end the comment and turn the rest into SQL: spelled out.
    `-- pglens: index suggested for ${escapeControl(`${s.schema}.${s.table}`)}`,
    ...commentLines(s.reason),
    ...commentLines(evidenceLine(advice, s)),
    ...(costs ? commentLines(costs) : []),
    '-- for the query:',
    ...commentLines(advice.query.trim()).map((l) => l.replace(/^-- /, '--   ')),
    ...(concurrently && partitioned && !/\bCONCURRENTLY\b/.test(s.ddl)
      ? [
          '-- Built without CONCURRENTLY: PostgreSQL cannot build an index on a partitioned table concurrently,',
          '-- so writes to every partition wait until the index is built. Run it when that is acceptable.',
        ]
      : concurrently && partitioned
        ? [
            '-- A partitioned table: the index is created ON ONLY the parent (invalid until complete), then built',
            '-- CONCURRENTLY on each partition and attached. Run the statements in order, each outside a',
            '-- transaction block (a runner that sends the whole file as one script needs one statement per file).',
          ]
        : concurrently
          ? [
              '-- CONCURRENTLY cannot run inside a transaction block: run this file outside one',
              '-- (a runner that sends the whole file as one script needs one statement per file).',
            ]
          : [
              '-- Built without CONCURRENTLY: this migration runs in one transaction, where CONCURRENTLY fails,',
              '-- so writes to the table wait until the index is built. Run it when that is acceptable.',
            ]),
  ];
  const ddl = concurrently ? s.ddl : (s.transactionalDdl ?? s.ddl.replace(/^CREATE INDEX CONCURRENTLY (IF NOT EXISTS )?/, 'CREATE INDEX $1'));
  // A partitioned index cannot be dropped CONCURRENTLY; dropping the parent's drops its partitions'.
  const dropConcurrently = concurrently && !partitioned;
  return {
    slug: toSlug(`add_index_${s.table}_${s.columns.join('_')}`),
    content: [...header, ...(extension ? [`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(extension)};`] : []), ddl, ''].join('\n'),
    downContent: [`-- pglens: undo the index suggested for ${escapeControl(`${s.schema}.${s.table}`)}`, `DROP INDEX${dropConcurrently ? ' CONCURRENTLY' : ''} IF EXISTS ${suggestedIndexName(s)};`, ''].join('\n'),
  };
}

/**
 * The extension alone, for a runner that cannot run CREATE EXTENSION and CREATE INDEX
 * CONCURRENTLY from one file (it sends the file as one string, one implicit transaction): this
 * migration first, then the index's own without it.
 */
export function extensionMigrationSpec(s: Suggestion): MigrationSpec | undefined {
  const name = extensionToCreate(s);
  if (!name) return undefined;
  return {
    slug: toSlug(`enable_${name}`),
    content: [`-- pglens: ${name} provides what the index on ${escapeControl(`${s.schema}.${s.table}`)} needs`, `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)};`, ''].join('\n'),
    downContent: [`-- pglens: ${name} is left installed: other objects may use it (DROP EXTENSION ${quoteIdent(name)}; when nothing does)`, ''].join('\n'),
  };
}

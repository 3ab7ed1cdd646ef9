import { toSlug, type MigrationSpec } from '../health/migration-file';
import type { AdviceResult, Suggestion } from './advise';

const CREATE_HEAD = /^CREATE INDEX CONCURRENTLY IF NOT EXISTS ("(?:[^"]|"")+"|[^\s"]+) ON ("(?:[^"]|"")+"|[^\s".]+)\./;

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
  const costs = `cost ${cost(advice.before.totalCost)} → ${cost(s.after.totalCost)} (${s.improvement.toFixed(1)}× cheaper)`;
  if (s.method === 'hypopg') return `verified with a HypoPG hypothetical index: ${costs}`;
  const before = ms(advice.before.executionTimeMs);
  const after = ms(s.after.executionTimeMs);
  const timed = before && after ? `, measured ${before} → ${after}` : '';
  return `verified with a real index on the embedded sandbox (rolled back): ${costs}${timed}`;
}

function commentLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map((l) => `-- ${l}`.trimEnd());
}

/**
 * The migration that creates an advised index: a header saying why and how it was proven
 * (the query included as comments), then the DDL; the down file drops it.
 */
export function indexMigrationSpec(advice: Pick<AdviceResult, 'before' | 'query'>, s: Suggestion): MigrationSpec {
  const header = [
    `-- pglens: index suggested for ${s.schema}.${s.table}`,
    ...commentLines(s.reason),
    ...commentLines(evidenceLine(advice, s)),
    '-- for the query:',
    ...commentLines(advice.query.trim()).map((l) => l.replace(/^-- /, '--   ')),
    '-- CONCURRENTLY cannot run inside a transaction block: run this file outside one',
    '-- (a runner that sends the whole file as one script needs one statement per file).',
  ];
  return {
    slug: toSlug(`add_index_${s.table}_${s.columns.join('_')}`),
    content: [...header, s.ddl, ''].join('\n'),
    downContent: [`-- pglens: undo the index suggested for ${s.schema}.${s.table}`, `DROP INDEX CONCURRENTLY IF EXISTS ${suggestedIndexName(s)};`, ''].join('\n'),
  };
}

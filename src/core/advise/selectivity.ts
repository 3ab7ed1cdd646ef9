/** How many rows an expression candidate's predicate matches, told from the column's pg_stats (HypoPG can only guess). */
import type { Connection } from '../db/connection';
import { errorMessage } from '../errors';
import { quoteIdent } from '../sql/quote-ident';
import type { IndexCandidate, TableInfo } from './candidates';
import { predicateSql } from './expression-sql';

/** How many of the table's rows the candidate's expression predicates match, from pg_stats; `share` undefined when that cannot be told. */
export interface Selectivity {
  share?: number;
  /** In words: `pg_stats of email: about 90% of the rows match lower(email) = 'x'`, or why it is unknown. */
  note: string;
}

export function percent(share: number): string {
  return share >= 0.095 ? `${Math.round(share * 100)}%` : share >= 0.0001 ? `${(share * 100).toFixed(share >= 0.01 ? 1 : 2)}%` : 'under 0.01%';
}

/**
 * The planner has no statistics on an expression until an index on it is analyzed, so HypoPG
 * costs an expression index on a guessed selectivity (0.5% for `=`): a predicate most rows
 * match looks cheap to serve. This estimates the real share from the column's own statistics:
 * the predicate is evaluated on pg_stats' most common values (weighted by their frequencies)
 * and histogram bounds (each bucket an equal share of the rest). Only the predicate's
 * functions run, on constants from the catalog, in the session's READ ONLY transaction — and
 * only when the statement's functions may all run (the EXPLAIN ANALYZE check).
 */
export async function estimateSelectivity(conn: Connection, c: IndexCandidate, table: TableInfo | undefined, params: (string | null)[]): Promise<Selectivity> {
  let share = 1;
  const notes: string[] = [];
  for (const test of c.tests ?? []) {
    if (test.columns) {
      return {
        note: `pg_stats cannot judge ${test.shown}: it reads several columns (${test.columns.join(', ')}), and the statistics are per column, so how many rows match is unknown`,
      };
    }
    const type = table?.types?.[test.column]?.name;
    if (!type) return { note: `the type of ${test.column} is unknown` };
    const values: unknown[] = [c.schema, c.table, test.column, table?.partitions !== undefined];
    const predicate = predicateSql(test.node, (n) => {
      values.push(params[n - 1] ?? null);
      return `$${values.length}`;
    });
    if (predicate === undefined) return { note: `pglens cannot test the predicate on ${test.shown} on sample values` };
    const col = quoteIdent(test.column);
    const sql = `WITH s AS (
        SELECT most_common_vals::text::${type}[] AS mcv, most_common_freqs AS freqs, histogram_bounds::text::${type}[] AS hist, null_frac
          FROM pg_catalog.pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = $3 AND inherited = $4)
      SELECT (SELECT count(*) FROM s)::int AS found,
             (SELECT coalesce(sum(m.f), 0) FROM s, unnest(s.mcv, s.freqs) AS m(${col}, f) WHERE ${predicate})::float8 AS mcv_match,
             (SELECT coalesce(sum(u.f), 0) FROM s, unnest(s.freqs) AS u(f))::float8 AS mcv_total,
             (SELECT count(*) FROM s, unnest(s.hist) AS h(${col}) WHERE ${predicate})::int AS hist_match,
             (SELECT count(*) FROM s, unnest(s.hist) AS h(${col}))::int AS hist_total,
             (SELECT null_frac FROM s)::float8 AS null_frac`;
    await conn.query('SAVEPOINT pglens_selectivity');
    let row: { found: number; mcv_match: number; mcv_total: number; hist_match: number; hist_total: number; null_frac: number | null } | undefined;
    try {
      row = (await conn.queryOne<NonNullable<typeof row>>(sql, values)).rows[0];
    } catch (e) {
      await conn.query('ROLLBACK TO SAVEPOINT pglens_selectivity');
      return { note: `its predicate could not be tested on the statistics of ${test.column} (${errorMessage(e).split('\n')[0]})` };
    }
    await conn.query('RELEASE SAVEPOINT pglens_selectivity');
    if (!row || row.found === 0) return { note: `pg_stats has no statistics on ${c.table}.${test.column} (ANALYZE has not run)` };
    const rest = Math.max(0, 1 - Number(row.mcv_total) - Number(row.null_frac ?? 0));
    if (row.hist_total === 0 && rest > 0.05) return { note: `pg_stats of ${test.column} covers only ${percent(1 - rest)} of the rows with its common values and has no histogram` };
    const one = Number(row.mcv_match) + (row.hist_total > 0 ? (rest * row.hist_match) / row.hist_total : 0);
    share *= Math.min(1, one);
    notes.push(test.shown);
  }
  return { share, note: `pg_stats of ${c.table}: about ${percent(share)} of the rows match the predicate on ${notes.join(', ')}` };
}

import { analyzeCalls, callRefusal, type CatalogQuery } from '../db/call-analysis';
import type { Connection } from '../db/connection';
import { classifyForExplain } from '../db/explain-safety';
import { readOnlyRefusal, refuseUnclearedBoundValues, requireStandardStrings, SESSION_RESET } from '../db/explain-runner';
import { PglensError, errorMessage } from '../errors';
import { createStatisticsSql, type StatisticsKind, type StatisticsProposal } from '../plan/findings';
import { formatCount } from '../plan/format';

/** The scan whose estimate the statistics should correct, as the measured plan showed it. */
export interface EstimatedScan {
  relation: string;
  alias?: string;
  /** Estimated rows per loop in the plan that was measured. */
  planRows: number;
  /** Actual rows per loop. */
  actualRows: number;
}

export interface StatisticsCheck {
  /** The node's estimate per loop with the statistics (the best of the kinds tried; undefined when the node is gone from the plan). */
  estimateAfter?: number;
  /** The estimate is at most half as far from the actual rows as before. */
  improved: boolean;
  /** The CREATE STATISTICS that improved it (the first of the kinds tried that did). */
  createStatistics?: string;
  /** One sentence for the finding: what was tried and what it did. */
  summary: string;
}

/** The kinds tried, the proposal's first: with both, the MCV list answers first and can hide what dependencies know. */
const KIND_SETS: StatisticsKind[][] = [['dependencies'], ['dependencies', 'mcv'], ['mcv']];

/** How many times apart two row counts are (0 counts as 1, as in the plan metrics). */
function factor(a: number, b: number): number {
  const ratio = Math.max(a, 1) / Math.max(b, 1);
  return ratio >= 1 ? ratio : 1 / ratio;
}

type Raw = Record<string, unknown>;

function findScan(node: Raw, scan: EstimatedScan): Raw | undefined {
  if (node['Relation Name'] === scan.relation && (scan.alias === undefined || node.Alias === scan.alias)) return node;
  for (const child of (node.Plans as Raw[] | undefined) ?? []) {
    const found = findScan(child, scan);
    if (found) return found;
  }
  return undefined;
}

/**
 * Proves a `CREATE STATISTICS` fix the way the index advisor proves an index on the sandbox: the
 * statistics object is created and the table analyzed inside a transaction that is rolled back,
 * the statement planned again (plain EXPLAIN, READ ONLY, after the same checks as Explain), and
 * the scan's new estimate compared with the rows it really returned. Only on the embedded
 * sandbox: on a server, ANALYZE would read the production table and CREATE STATISTICS take a
 * lock on it, so pglens never tries it there.
 */
export async function verifyStatistics(
  conn: Connection,
  sql: string,
  params: unknown[] | undefined,
  proposal: StatisticsProposal,
  scan: EstimatedScan,
  options: { allowFunctions?: string[] } = {},
): Promise<StatisticsCheck> {
  if (conn.kind !== 'embedded') {
    throw new PglensError('refused', 'pglens verifies statistics only on the embedded sandbox: on a server, ANALYZE reads the table and CREATE STATISTICS locks it', 'explain on the sandbox to verify the statistics');
  }
  const safety = await classifyForExplain(sql);
  if (!safety.explainAllowed || safety.statement === undefined) {
    throw new PglensError('refused', `pglens will not plan this statement: ${safety.reason ?? 'not explainable'}`, 'pass one SELECT, INSERT, UPDATE, DELETE or MERGE');
  }
  const values = (params ?? []).slice(0, safety.paramCount ?? 0);
  const tries = [proposal.kinds, ...KIND_SETS.filter((k) => k.join() !== proposal.kinds.join())];
  const before = factor(scan.planRows, scan.actualRows);
  await conn.query('BEGIN');
  try {
    await requireStandardStrings((text) => conn.query(text));
    const catalog: CatalogQuery = async (text, p) => (await conn.queryOne(text, p)).rows;
    const refusal = callRefusal(await analyzeCalls(catalog, safety.ast), { analyze: false, allowFunctions: options.allowFunctions });
    if (refusal) throw refusal;
    // The values are bound to the statement below: a domain CHECK they pass through runs while planning.
    await refuseUnclearedBoundValues(catalog, safety, values, { analyze: false, allowFunctions: options.allowFunctions });
    let best: { after: number; sql: string } | undefined;
    for (const kinds of tries) {
      const sql = createStatisticsSql(proposal, kinds);
      const after = await estimateWith(conn, sql, proposal.analyze, `EXPLAIN (FORMAT JSON) ${safety.statement}`, values, scan);
      if (after === undefined) continue;
      if (!best || factor(after, scan.actualRows) < factor(best.after, scan.actualRows)) best = { after, sql };
      if (factor(after, scan.actualRows) * 2 <= before) break;
    }
    if (!best) {
      return { improved: false, summary: `Tried on the sandbox: with the statistics the plan no longer scans ${scan.relation} the same way, so the estimate could not be compared; check it with EXPLAIN.` };
    }
    const improved = factor(best.after, scan.actualRows) * 2 <= before;
    const numbers = `${formatCount(scan.planRows)} → ${formatCount(best.after)} rows estimated, ${formatCount(scan.actualRows)} returned`;
    const tried = tries.map((k) => `(${k.join(', ')})`).join(', ');
    return {
      estimateAfter: best.after,
      improved,
      ...(improved ? { createStatistics: best.sql } : {}),
      summary: improved
        ? `Verified on the sandbox (created, analyzed and rolled back): ${numbers}.`
        : `Tried on the sandbox (created, analyzed and rolled back; ${tried}): the estimate barely moves (${numbers}), so extended statistics do not capture this correlation — dependencies cover only = and IN, mcv only common value combinations.`,
    };
  } catch (e) {
    if (e instanceof PglensError) throw e;
    throw new PglensError('sql-error', `the statistics could not be tried on the sandbox: ${errorMessage(e).split('\n')[0]}`, 'run the CREATE STATISTICS and ANALYZE yourself and check the estimate with EXPLAIN');
  } finally {
    await conn.query('ROLLBACK').catch(() => undefined);
    await conn.query(SESSION_RESET).catch(() => undefined);
  }
}

/**
 * One kind of statistics, inside a savepoint rolled back at once: created, the table analyzed
 * (pglens's own writes), then the statement planned READ ONLY — as Explain plans it.
 */
async function estimateWith(conn: Connection, createStatistics: string, analyze: string, explain: string, values: unknown[], scan: EstimatedScan): Promise<number | undefined> {
  await conn.query('SAVEPOINT pglens_statistics');
  try {
    await conn.query(createStatistics);
    await conn.query(analyze);
    await conn.query('SET TRANSACTION READ ONLY');
    const result = await conn.queryOne(explain, values).catch((e: unknown) => {
      throw readOnlyRefusal(e) ?? e;
    });
    const cell = Object.values(result.rows[0] ?? {})[0];
    const doc = (typeof cell === 'string' ? JSON.parse(cell) : cell) as Raw[];
    const node = findScan(doc[0].Plan as Raw, scan);
    return typeof node?.['Plan Rows'] === 'number' ? (node['Plan Rows'] as number) : undefined;
  } finally {
    await conn.query('ROLLBACK TO SAVEPOINT pglens_statistics');
  }
}

/**
 * Index advice for one statement, in stages, each in its own module: check the statement
 * (check.ts) → find candidates (find-candidates.ts) → verify them in rolled-back sessions
 * (verify.ts, session.ts; judged in verdicts.ts) → rank (rank.ts) → report (report.ts).
 */
import type { Connection } from '../db/connection';
import { TIMEOUT_HINT } from '../db/db-error';
import { PglensError, isPglensError } from '../errors';
import { lockTimeoutError } from './catalog';
import { checkStatement } from './check';
import { findCandidates } from './find-candidates';
import { rankVerdicts } from './rank';
import { report } from './report';
import type { AdviceResult, AdviseOptions } from './types';
import { MIN_COST_REDUCTION, Verdicts, type Thresholds } from './verdicts';
import { verifyCandidates } from './verify';

export type { AdviceResult, AdviseOptions, ExtensionNeed, Measurement, Suggestion, Unverified, VerifyMethod } from './types';
export { MIN_COST_REDUCTION, UNSELECTIVE_SHARE } from './verdicts';
export { rankSuggestions } from './rank';

/**
 * Proposes indexes for one statement and proves each: HypoPG's hypothetical indexes on a
 * server, or real indexes on the embedded sandbox — always inside a transaction that is
 * rolled back, so nothing is left behind. The candidates HypoPG cannot simulate (GIN, GiST…)
 * are built on `options.sandbox` when one is given, else reported unverified with the reason.
 * The statement passes the same checks as Explain (one explainable statement, standard
 * strings, every function it can reach) and is sent with its parameter values bound, never
 * spliced into its text. Keeps the candidates that cut the plan's cost by a clear margin, that
 * the plan uses where it was slow and, on the sandbox, that the run confirms — best first.
 */
export async function adviseIndexes(conn: Connection, sql: string, options: AdviseOptions = {}): Promise<AdviceResult> {
  try {
    return await advise(conn, sql, options);
  } catch (e) {
    throw adviseError(e);
  }
}

/** What to do about a timeout of the advisor: the shared hint speaks of Explain and ANALYZE, which advise does not run on a server. */
export const ADVISE_TIMEOUT_HINT =
  'raise --timeout SECONDS (CLI) or pglens.explain.statementTimeout (editor); advise plans the statement once per candidate, so a statement that is slow to plan, or the catalog of a busy server, can take that long';

/** The advisor's errors in its own words: a statement timeout with advise's hint, a lock timeout said plainly. */
function adviseError(e: unknown): unknown {
  const lock = isPglensError(e) && e.code === 'timeout' ? undefined : lockTimeoutError(e);
  if (lock) return lock;
  if (isPglensError(e) && e.code === 'timeout' && e.hint === TIMEOUT_HINT) {
    const message = e.message.endsWith(` — ${e.hint}`) ? e.message.slice(0, -` — ${e.hint}`.length) : e.message;
    return new PglensError('timeout', message, ADVISE_TIMEOUT_HINT);
  }
  return e;
}

/**
 * The advisor's stages: check the statement, find candidates, verify them (on the database,
 * then what it could not try on the sandbox), rank what helped, report.
 */
async function advise(conn: Connection, sql: string, options: AdviseOptions): Promise<AdviceResult> {
  const checked = await checkStatement(conn, sql, options);
  const found = await findCandidates(checked.conn, checked.scopes);
  const thresholds: Thresholds = { minImprovement: options.minImprovement ?? 0.2, minCostReduction: options.minCostReduction ?? MIN_COST_REDUCTION };
  const verdicts = new Verdicts(found, thresholds);
  const main = await verifyCandidates(checked, found, verdicts, options);
  const ranked = rankVerdicts(verdicts, main, thresholds);
  return report(checked, found, verdicts, main, ranked, thresholds);
}

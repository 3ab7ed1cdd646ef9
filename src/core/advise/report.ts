/** The advisor's last stage: the result, with its summary in plain words. */
import { ddlStatements } from './candidates';
import type { CheckedStatement } from './check';
import type { FoundCandidates } from './find-candidates';
import type { Ranked } from './rank';
import { measurement, type Measured, type SessionResult } from './session';
import type { AdviceResult } from './types';
import type { Thresholds, Verdicts } from './verdicts';

/** Stage 5: the result, with its summary in plain words. */
export function report(checked: CheckedStatement, found: FoundCandidates, verdicts: Verdicts, main: SessionResult, ranked: Ranked, thresholds: Thresholds): AdviceResult {
  const { suggestions, rejected, unverified } = verdicts;
  return {
    query: checked.statement.text,
    method: checked.method,
    ...(main.hypopg ? { hypopg: main.hypopg } : {}),
    before: measurement(main.before),
    suggestions,
    rejected,
    ...(unverified.length > 0 ? { unverified } : {}),
    ...(ranked.together ? { together: ranked.together } : {}),
    summary: summaryText(verdicts, main.before, ranked, found.candidates.length, thresholds.minImprovement),
  };
}

function summaryText(verdicts: Verdicts, before: Measured, ranked: Ranked, candidateCount: number, minImprovement: number): string {
  const { suggestions, unverified } = verdicts;
  const { together, bestAlone } = ranked;
  const tried = candidateCount - unverified.length;
  // A partitioned table's recipe runs to many statements: the summary names its first.
  const short = (ddl: string) => {
    const statements = ddlStatements(ddl);
    return statements.length > 1 ? `${statements[0]} … (${statements.length - 1} more statements, per partition)` : ddl;
  };
  const unverifiedNote = unverified.length > 0 ? `; ${unverified.length} candidate(s) could not be verified: ${unverified.map((u) => `${short(u.ddl)} (${u.reason})`).join('; ')}` : '';
  return (
    (together
      ? `${together.ddls.length} indexes together cut the plan's cost ${before.totalCost.toFixed(1)} → ${together.after.totalCost.toFixed(1)}, ` +
        `more than any one alone (best alone: ${bestAlone.toFixed(1)}): ${together.ddls.map(short).join(' ')}`
      : suggestions.length > 0
        ? `${suggestions.length} index(es) cut the plan's cost; best: ${short(suggestions[0].ddl)} (cost ${(suggestions[0].before ?? before).totalCost.toFixed(1)} → ${suggestions[0].after.totalCost.toFixed(1)}${suggestions[0].before ? ', on the sandbox' : ''})`
        : candidateCount === 0
          ? 'no index helps: the query has no filter, join or sort on a table column that an index could serve, or the right index exists already'
          : tried === 0
            ? 'no index could be verified'
            : `no index helps: ${tried} candidate(s) tried, none cut the cost by ${Math.round(minImprovement * 100)}% or more where the plan was slow`) + unverifiedNote
  );
}

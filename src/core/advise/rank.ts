/** The advisor's fourth stage: the suggestions best first, and whether the indexes verified together are worth keeping. */
import { emittedDdl, type IndexCandidate } from './candidates';
import { measurement, type SessionResult } from './session';
import type { AdviceResult, Suggestion } from './types';
import type { Thresholds, Verdicts } from './verdicts';

const SPECIALISED_MARGIN = 0.9;
const TIE = 1.05;

function specialised(s: Suggestion): boolean {
  return s.where !== undefined || s.include.length > 0;
}

/** Cost after as a share of the cost before, on the database that verified it: comparable across databases. */
function relativeCost(s: Suggestion): number {
  return 1 / Math.max(s.improvement, 0.001);
}

/**
 * Best first. A partial or INCLUDE index serves fewer queries than a plain one, so it is
 * kept only when it is clearly cheaper than the best plain index; costs within 5% are a
 * tie, won by the more general index (plain before specialised, fewer columns first).
 * Costs compare as shares of the plan before, so an index verified on the sandbox ranks
 * fairly with one HypoPG costed on the server.
 */
export function rankSuggestions(suggestions: Suggestion[]): Suggestion[] {
  const bestGeneral = Math.min(...suggestions.filter((s) => !specialised(s)).map(relativeCost));
  const kept = suggestions.filter((s) => !specialised(s) || relativeCost(s) <= bestGeneral * SPECIALISED_MARGIN);
  const generality = (s: Suggestion) => (specialised(s) ? 1000 : 0) + s.columns.length * 10 + s.include.length;
  return kept.sort((a, b) => {
    const [lo, hi] = relativeCost(a) <= relativeCost(b) ? [a, b] : [b, a];
    if (relativeCost(hi) <= relativeCost(lo) * TIE) return generality(a) - generality(b) || relativeCost(a) - relativeCost(b);
    return relativeCost(a) - relativeCost(b);
  });
}

/** The indexes to verify together: per table the first ranked suggestion (the choice the list already recommends), else the index it used at the lowest cost alone. */
export function jointMembers(verdicts: Verdicts): IndexCandidate[] {
  const kept = rankSuggestions([...verdicts.suggestions]);
  return [...verdicts.bestUsed.entries()].map(([key, best]) => {
    const top = kept.find((s) => `${s.schema}.${s.table}` === key);
    return (top && verdicts.candidateOf.get(top)) ?? best.candidate;
  });
}

export interface Ranked {
  /** The indexes verified together, when together they beat the best one alone by the thresholds. */
  together: AdviceResult['together'];
  /** The lowest cost one index reached alone (the plan's own cost when none was used). */
  bestAlone: number;
}

/** Stage 4: the suggestions best first (the simpler index wins a tie; the others are rejected), and whether the joint set is worth keeping. */
export function rankVerdicts(verdicts: Verdicts, main: SessionResult, thresholds: Thresholds): Ranked {
  const { before, together } = main;
  const kept = rankSuggestions(verdicts.suggestions);
  const bestAlone = Math.min(before.totalCost, ...[...verdicts.bestUsed.values()].map((b) => b.totalCost));
  const togetherKept =
    together && together.totalCost <= bestAlone * (1 - thresholds.minImprovement) && before.totalCost - together.totalCost >= thresholds.minCostReduction
      ? {
          ddls: together.candidates.map((c) => emittedDdl(c)),
          after: measurement(together),
          improvement: before.totalCost / Math.max(together.totalCost, 0.001),
        }
      : undefined;
  for (const s of verdicts.suggestions) {
    if (!kept.includes(s)) verdicts.rejected.push({ ddl: s.ddl, totalCost: s.after.totalCost, reason: 'a simpler index does as well (partial and INCLUDE variants must be 10% cheaper to be worth their narrower use)' });
  }
  verdicts.suggestions.splice(0, verdicts.suggestions.length, ...kept);
  return { together: togetherKept, bestAlone };
}

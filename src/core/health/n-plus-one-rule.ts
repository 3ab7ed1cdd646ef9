import type { Severity } from '../types';
import type { Thresholds } from './database/check';

/**
 * n-plus-one-candidate's metadata, apart from the reader (n-plus-one-candidates.ts) so the config
 * reader checks its options without loading it.
 */
export const N_PLUS_ONE_CANDIDATE = 'n-plus-one-candidate';
export const N_PLUS_ONE_CANDIDATE_SEVERITY: Severity = 'info';

/** Options of `"rules": { "n-plus-one-candidate": ["info", { … }] }` in `.pglens.json`. */
export const N_PLUS_ONE_CANDIDATE_DEFAULTS: Readonly<Thresholds> = {
  /** Run at least this many times since pg_stat_statements was reset. */
  minCalls: 1000,
  /** At most this many rows per call on average. */
  maxRowsPerCall: 2,
  /** List at most this many, most total time first. */
  maxCandidates: 20,
};

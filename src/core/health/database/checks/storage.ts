import type { DatabaseCheck } from '../check';

/** Checks on what the tables, sequences and the database keep: bloat, cache, keys, wraparound, statistics. */
export const STORAGE_CHECKS: DatabaseCheck<unknown>[] = [];

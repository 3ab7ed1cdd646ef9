import type { DatabaseCheck } from '../check';

/** Checks on what sessions are doing now: pg_stat_activity, pg_locks, connection slots. */
export const ACTIVITY_CHECKS: DatabaseCheck<unknown>[] = [];

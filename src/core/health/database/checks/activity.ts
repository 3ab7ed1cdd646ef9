import type { DatabaseCheck } from '../check';
import { blockingLocks } from './blocking-locks';
import { connections } from './connections';
import { idleInTransaction } from './idle-in-transaction';
import { longRunningQuery } from './long-running-query';

/** Checks on what sessions are doing now: pg_stat_activity, pg_locks, connection slots. */
export const ACTIVITY_CHECKS: DatabaseCheck<unknown>[] = [
  longRunningQuery as DatabaseCheck<unknown>,
  idleInTransaction as DatabaseCheck<unknown>,
  blockingLocks as DatabaseCheck<unknown>,
  connections as DatabaseCheck<unknown>,
];

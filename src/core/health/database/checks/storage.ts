import type { DatabaseCheck } from '../check';
import { cacheHitRatio } from './cache-hit-ratio';
import { intKeyOverflow } from './int-key-overflow';
import { missingStats } from './missing-stats';
import { sequenceExhaustion } from './sequence-exhaustion';
import { tableBloat } from './table-bloat';
import { unloggedTable } from './unlogged-table';
import { xidWraparound } from './xid-wraparound';

/** Checks on what the tables, sequences and the database keep: bloat, cache, keys, wraparound, statistics. */
export const STORAGE_CHECKS: DatabaseCheck<unknown>[] = [
  tableBloat,
  cacheHitRatio,
  sequenceExhaustion,
  intKeyOverflow,
  xidWraparound,
  missingStats,
  unloggedTable,
];

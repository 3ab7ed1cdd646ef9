import type { DatabaseCheck } from '../check';
import { ACTIVITY_CHECKS } from './activity';
import { STORAGE_CHECKS } from './storage';

/** Every database health check, in the order the report lists them. */
export const DATABASE_CHECKS: readonly DatabaseCheck<unknown>[] = [...STORAGE_CHECKS, ...ACTIVITY_CHECKS];

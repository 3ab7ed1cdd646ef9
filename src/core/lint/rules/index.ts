import type { Rule } from '../rule';
import { rule as requireConcurrentIndexCreation } from './require-concurrent-index-creation';

/** Every lint rule of RULES.md's statement and schema sections, in catalogue order. */
export const rules: Rule[] = [requireConcurrentIndexCreation];

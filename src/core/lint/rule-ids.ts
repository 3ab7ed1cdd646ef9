/**
 * Every rule id of docs/rules/, family by family: the light id lists config validation and the
 * literal id types (`PlanRuleId`, `DatabaseRuleId`, …) read without loading any rule. The rule
 * registry (src/core/rules/registry.ts) describes each rule in full; test/unit/rules/registry.test.ts
 * holds these lists equal to it, and `npm run docs:rules` generates docs/rules/README.md and the id
 * list of schemas/pglens-config.schema.json from it. A public contract: diagnostics, JSON,
 * suppressions and config use these ids.
 */
export const STATEMENT_RULE_IDS = [
  'require-concurrent-index-creation',
  'require-concurrent-index-deletion',
  'concurrent-index-in-transaction',
  'adding-required-field',
  'volatile-default-rewrite',
  'set-not-null-scan',
  'constraint-missing-not-valid',
  'unique-constraint-locks',
  'changing-column-type',
  'renaming-column',
  'renaming-table',
  'ban-drop-column',
  'ban-drop-table',
  'ban-drop-database',
  'ban-truncate-cascade',
  'require-lock-timeout',
  'prefer-repack',
  'require-concurrent-reindex',
  'require-concurrent-refresh',
  'require-concurrent-detach-partition',
  'domain-constraint-missing-not-valid',
  'money-as-float',
  'prefer-identity',
  'prefer-bigint-over-int',
  'prefer-timestamptz',
  'prefer-jsonb',
  'ban-char-field',
  'prefer-uuid-type',
  'identifier-too-long',
  'select-star',
  'leading-wildcard-like',
  'not-in-subquery',
  'missing-where',
  'renaming-enum-value',
  'adding-column-with-constraint',
  'exclusion-constraint-locks',
  'data-migration-in-deploy',
  'order-by-random',
  'large-in-list',
  'offset-pagination',
  'unbounded-select',
  'matview-refresh-needs-unique-index',
  'partitioned-table-without-partition-key-filter',
] as const;

export const SCHEMA_RULE_IDS = [
  'fk-without-index',
  'missing-primary-key',
  'duplicate-index',
  'nullable-foreign-key',
  'rls-enabled-without-policy',
  'policy-without-rls',
  'rls-policy-always-true',
  'tenant-table-without-rls',
  'naming-convention',
  'missing-not-null',
  'rls-forced',
] as const;

export const PLAN_RULE_IDS = [
  'seq-scan-filter',
  'index-filter',
  'misestimate',
  'sort-spill',
  'hash-batches',
  'lossy-bitmap',
  'heap-fetches',
  'nested-loop-seq-scan',
  'jit-overhead',
  'workers-not-launched',
  'io-bound',
  'hash-join-seq-scan',
  'no-partition-pruning',
] as const;

export const HEALTH_RULE_IDS = ['unused-index', 'invalid-index', 'seq-scan-heavy-table'] as const;

/** Database health checks (`pglens health`, the sidebar's Health node): src/core/health/database/checks. */
export const DATABASE_RULE_IDS = [
  'table-bloat',
  'cache-hit-ratio',
  'long-running-query',
  'idle-in-transaction',
  'blocking-locks',
  'connections',
  'sequence-exhaustion',
  'int-key-overflow',
  'xid-wraparound',
  'missing-stats',
  'unlogged-table',
] as const;

/** Statement statistics (`pglens queries`): what pg_stat_statements shows of the application's queries. */
export const QUERY_STATS_RULE_IDS = ['n-plus-one-candidate'] as const;

/** Rollback verification (`pglens migrations verify`): what applying up → down → up found. */
export const VERIFY_RULE_IDS = ['rollback-fails', 'rollback-incomplete', 'rollback-destroys-data', 'missing-down-migration', 'rollback-unverifiable'] as const;

/** Application code (TypeScript/JavaScript) rules: src/core/app-code/rules. */
export const APP_CODE_RULE_IDS = ['n-plus-one-query'] as const;

/** The finding a statement Postgres cannot parse becomes. */
export const SYNTAX_ERROR_RULE_ID = 'syntax-error';
export const SYNTAX_ERROR_DEFAULT_SEVERITY = 'error';

export const ALL_RULE_IDS: ReadonlySet<string> = new Set<string>([
  ...STATEMENT_RULE_IDS,
  ...SCHEMA_RULE_IDS,
  ...PLAN_RULE_IDS,
  ...HEALTH_RULE_IDS,
  ...DATABASE_RULE_IDS,
  ...QUERY_STATS_RULE_IDS,
  ...VERIFY_RULE_IDS,
  ...APP_CODE_RULE_IDS,
  SYNTAX_ERROR_RULE_ID,
]);

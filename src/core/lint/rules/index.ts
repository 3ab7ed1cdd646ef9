import type { Rule } from '../rule';
import { rule as requireConcurrentIndexCreation } from './require-concurrent-index-creation';
import { rule as requireConcurrentIndexDeletion } from './require-concurrent-index-deletion';
import { rule as concurrentIndexInTransaction } from './concurrent-index-in-transaction';
import { rule as addingRequiredField } from './adding-required-field';
import { rule as volatileDefaultRewrite } from './volatile-default-rewrite';
import { rule as setNotNullScan } from './set-not-null-scan';
import { rule as constraintMissingNotValid } from './constraint-missing-not-valid';
import { rule as uniqueConstraintLocks } from './unique-constraint-locks';
import { rule as changingColumnType } from './changing-column-type';
import { rule as renamingColumn } from './renaming-column';
import { rule as renamingTable } from './renaming-table';
import { rule as banDropColumn } from './ban-drop-column';
import { rule as banDropTable } from './ban-drop-table';
import { rule as banDropDatabase } from './ban-drop-database';
import { rule as banTruncateCascade } from './ban-truncate-cascade';
import { rule as requireLockTimeout } from './require-lock-timeout';
import { rule as preferRepack } from './prefer-repack';
import { rule as requireConcurrentReindex } from './require-concurrent-reindex';
import { rule as requireConcurrentRefresh } from './require-concurrent-refresh';
import { rule as requireConcurrentDetachPartition } from './require-concurrent-detach-partition';
import { rule as domainConstraintMissingNotValid } from './domain-constraint-missing-not-valid';
import { rule as moneyAsFloat } from './money-as-float';
import { rule as preferIdentity } from './prefer-identity';
import { rule as preferBigintOverInt } from './prefer-bigint-over-int';
import { rule as preferTimestamptz } from './prefer-timestamptz';
import { rule as preferJsonb } from './prefer-jsonb';
import { rule as banCharField } from './ban-char-field';
import { rule as preferUuidType } from './prefer-uuid-type';
import { rule as identifierTooLong } from './identifier-too-long';
import { rule as fkWithoutIndex } from './fk-without-index';
import { rule as missingPrimaryKey } from './missing-primary-key';
import { rule as duplicateIndex } from './duplicate-index';
import { rule as selectStar } from './select-star';
import { rule as leadingWildcardLike } from './leading-wildcard-like';
import { rule as notInSubquery } from './not-in-subquery';
import { rule as missingWhere } from './missing-where';
import { rule as renamingEnumValue } from './renaming-enum-value';
import { rule as addingColumnWithConstraint } from './adding-column-with-constraint';
import { rule as exclusionConstraintLocks } from './exclusion-constraint-locks';
import { rule as dataMigrationInDeploy } from './data-migration-in-deploy';
import { rule as orderByRandom } from './order-by-random';
import { rule as largeInList } from './large-in-list';
import { rule as offsetPagination } from './offset-pagination';
import { rule as unboundedSelect } from './unbounded-select';
import { rule as rlsEnabledWithoutPolicy } from './rls-enabled-without-policy';
import { rule as policyWithoutRls } from './policy-without-rls';
import { rule as rlsPolicyAlwaysTrue } from './rls-policy-always-true';
import { rule as tenantTableWithoutRls } from './tenant-table-without-rls';
import { rule as namingConvention } from './naming-convention';
import { rule as missingNotNull } from './missing-not-null';
import { rule as rlsForced } from './rls-forced';
import { rule as partitionedTableWithoutPartitionKeyFilter } from './partitioned-table-without-partition-key-filter';
import { rule as nullableForeignKey } from './nullable-foreign-key';
import { rule as matviewRefreshNeedsUniqueIndex } from './matview-refresh-needs-unique-index';

/** Every lint rule of docs/rules/README.md's "statement" and "schema" sections, in catalogue order. */
export const rules: Rule[] = [
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  concurrentIndexInTransaction,
  addingRequiredField,
  volatileDefaultRewrite,
  setNotNullScan,
  constraintMissingNotValid,
  uniqueConstraintLocks,
  changingColumnType,
  renamingColumn,
  renamingTable,
  banDropColumn,
  banDropTable,
  banDropDatabase,
  banTruncateCascade,
  requireLockTimeout,
  preferRepack,
  requireConcurrentReindex,
  requireConcurrentRefresh,
  requireConcurrentDetachPartition,
  domainConstraintMissingNotValid,
  moneyAsFloat,
  preferIdentity,
  preferBigintOverInt,
  preferTimestamptz,
  preferJsonb,
  banCharField,
  preferUuidType,
  identifierTooLong,
  fkWithoutIndex,
  missingPrimaryKey,
  duplicateIndex,
  nullableForeignKey,
  rlsEnabledWithoutPolicy,
  policyWithoutRls,
  rlsPolicyAlwaysTrue,
  tenantTableWithoutRls,
  namingConvention,
  missingNotNull,
  rlsForced,
  matviewRefreshNeedsUniqueIndex,
  selectStar,
  leadingWildcardLike,
  notInSubquery,
  missingWhere,
  renamingEnumValue,
  addingColumnWithConstraint,
  exclusionConstraintLocks,
  dataMigrationInDeploy,
  orderByRandom,
  largeInList,
  offsetPagination,
  unboundedSelect,
  partitionedTableWithoutPartitionKeyFilter,
];

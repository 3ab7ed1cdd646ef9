import type { PrismaRule } from '../prisma-rule';
import { rule as banCharField } from './ban-char-field';
import { rule as duplicateIndex } from './duplicate-index';
import { rule as fkWithoutIndex } from './fk-without-index';
import { rule as identifierTooLong } from './identifier-too-long';
import { rule as missingPrimaryKey } from './missing-primary-key';
import { rule as namingConvention } from './naming-convention';
import { rule as moneyAsFloat } from './money-as-float';
import { rule as preferBigintOverInt } from './prefer-bigint-over-int';
import { rule as preferJsonb } from './prefer-jsonb';
import { rule as preferTimestamptz } from './prefer-timestamptz';
import { rule as preferUuidType } from './prefer-uuid-type';

/** The Prisma faces of the schema and column-type rules of docs/rules/ (README.md "schema", "statement"), same ids. */
export const prismaRules: readonly PrismaRule[] = [
  fkWithoutIndex,
  missingPrimaryKey,
  duplicateIndex,
  moneyAsFloat,
  preferTimestamptz,
  preferBigintOverInt,
  preferUuidType,
  preferJsonb,
  banCharField,
  identifierTooLong,
  namingConvention,
];

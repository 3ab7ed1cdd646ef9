import { rule as sqlRule } from '../../lint/rules/missing-primary-key';
import { hasPrimaryKey } from '../../schema/primary-key';
import type { PrismaRule } from '../prisma-rule';

/**
 * missing-primary-key: a model with neither `@id` nor `@@id` (Prisma accepts a `@unique` in
 * its place, but the table then has no primary key). No fix: which field is the key is the
 * author's call.
 */
export const rule: PrismaRule = {
  id: 'missing-primary-key',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    for (const [model, table] of context.schema.tableOf) {
      if (hasPrimaryKey(table)) continue;
      context.report({
        file: model.file,
        range: model.nameRange,
        message:
          `model ${model.name} has no @id or @@id, so table ${table.name} has no primary key: with logical replication its UPDATEs and ` +
          'DELETEs fail, and duplicate rows cannot be told apart or removed one by one; mark its key field @id (or add @@id([…]))',
      });
    }
  },
};

import { rule as sqlRule } from '../../lint/rules/fk-without-index';
import { unindexedForeignKeys } from '../../schema/foreign-key-indexes';
import { addBlockAttribute } from '../fix-edits';
import type { PrismaRule } from '../prisma-rule';

/**
 * fk-without-index: relation scalar fields (`fields: [authorId]`) that no `@id`, `@unique`,
 * `@@id`, `@@unique` or `@@index` leads with. Prisma creates no index for them, in either
 * relation mode; the fix adds `@@index([…])` to the model.
 */
export const rule: PrismaRule = {
  id: 'fk-without-index',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    for (const relation of context.schema.relations) {
      const table = context.schema.tableOf.get(relation.model);
      if (!table) continue;
      const probe = { ...table, foreignKeys: [relation.foreignKey] };
      if (unindexedForeignKeys(probe).length === 0) continue;
      const fields = relation.scalarFields.map((f) => f.name);
      const list = fields.join(', ');
      const parent = relation.referencedModel.name;
      const enforcement = relation.emulated
        ? `with relationMode = "prisma" Prisma emulates the referential actions with queries on ${list} too`
        : `every delete or key update of a ${parent} makes Postgres check ${table.name} for referencing rows`;
      context.report({
        file: relation.model.file,
        range: relation.attribute.range,
        message:
          `${relation.model.name}.${list} has no index (Prisma creates none for relation fields): loading the ${relation.model.name} rows ` +
          `of a ${parent} (include, nested reads) scans all of ${table.name}, and ${enforcement}, scanning it again; add @@index([${list}])`,
        fix: {
          title: `Add @@index([${list}]) to ${relation.model.name}`,
          edits: [addBlockAttribute(context.lines(relation.model.file), relation.model, `@@index([${list}])`)],
        },
      });
    }
  },
};

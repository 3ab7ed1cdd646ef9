import { rule as sqlRule } from '../../lint/rules/duplicate-index';
import { redundantIndexes } from '../../schema/redundant-indexes';
import { rangeText, removeBlockAttribute } from '../fix-edits';
import type { PrismaRule } from '../prisma-rule';

/**
 * duplicate-index: an `@@index` whose fields another index, `@@unique`, `@unique` or the id
 * already leads with (the SQL rule's predicate on the model's table); the fix removes it.
 */
export const rule: PrismaRule = {
  id: 'duplicate-index',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    for (const [model, table] of context.schema.tableOf) {
      for (const { redundant, coveredBy } of redundantIndexes(table)) {
        const origin = context.schema.indexOrigins.get(redundant);
        if (!origin) continue;
        const by = context.schema.indexOrigins.get(coveredBy);
        const lines = context.lines(model.file);
        const byText = by ? `${rangeText(lines, by.attribute.range)}${by.field ? ` on ${by.field.name}` : ''}` : coveredBy.name;
        const same = redundant.columns.length === coveredBy.columns.length;
        context.report({
          file: model.file,
          range: origin.attribute.range,
          message:
            `this index on ${model.name} (${redundant.columns.join(', ')}) is redundant: ${byText} ${same ? 'covers the same columns' : 'starts with the same columns'} ` +
            `and serves the same lookups, yet every write to ${table.name} maintains both; remove it`,
          fix: { title: 'Remove the redundant index', edits: [removeBlockAttribute(lines, origin.attribute)] },
        });
      }
    }
  },
};

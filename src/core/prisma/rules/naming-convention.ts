import { rule as sqlRule } from '../../lint/rules/naming-convention';
import { namingConventionOptions, namingViolations, type NamingViolation } from '../../lint/rules/support/naming';
import type { Fix, SourceRange } from '../../types';
import { argument, blockAttributes, fieldAttribute, stringValue, type PrismaModel } from '../ast';
import { addBlockAttribute, replaceAttribute } from '../fix-edits';
import type { PrismaRule, PrismaRuleContext } from '../prisma-rule';

/**
 * naming-convention: the database names a schema.prisma gives (the model's `@@map`, the field's
 * `@map`, an index's `map:`), checked as the SQL rule checks migrations: a model `UserAccount`
 * with `@@map("user_accounts")` is fine. The fix adds or changes the `@@map`/`@map`/`map:`, so
 * the code keeps its names. Prisma's implicit many-to-many tables are Prisma's to name.
 */
export const rule: PrismaRule = {
  id: 'naming-convention',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    const options = namingConventionOptions(context.options);
    const modelOf = new Map([...context.schema.tableOf].map(([model, table]) => [table, model]));
    for (const v of namingViolations(context.schema.schema, options)) {
      const model = modelOf.get(v.table);
      if (!model) continue;
      const target = reportTarget(context, model, v);
      if (!target) continue;
      const better = v.suggestion !== undefined && v.suggestion !== v.name ? v.suggestion : undefined;
      const existing =
        v.kind === 'table' || v.kind === 'index'
          ? ''
          : ' On a table that exists, prisma migrate writes a changed @map as DROP COLUMN + ADD COLUMN: create the migration with --create-only and make it ALTER TABLE … RENAME COLUMN.';
      context.report({
        file: model.file,
        range: target.range,
        message:
          `${target.what} breaks the naming convention: ${v.rule}` +
          (better ? `; map it to "${better}" (${target.how}), so the code keeps its name.` : '.') +
          (v.kind === 'table' ? ' On a table that exists, prisma migrate writes a changed @@map as DROP TABLE + CREATE TABLE: create the migration with --create-only and make it ALTER TABLE … RENAME TO.' : existing),
        fix: better ? target.fix(better) : undefined,
      });
    }
  },
};

interface Target {
  what: string;
  how: string;
  range: SourceRange;
  fix(name: string): Fix | undefined;
}

function reportTarget(context: PrismaRuleContext, model: PrismaModel, v: NamingViolation): Target | undefined {
  const lines = context.lines(model.file);
  if (v.kind === 'table') {
    const map = blockAttributes(model, 'map')[0];
    return {
      what: `model ${model.name} (table "${v.name}")`,
      how: '@@map',
      range: map?.range ?? model.nameRange,
      fix: (name) => ({
        title: `Map ${model.name} to table "${name}"`,
        edits: [map ? replaceAttribute(map, `@@map(${JSON.stringify(name)})`) : addBlockAttribute(lines, model, `@@map(${JSON.stringify(name)})`)],
      }),
    };
  }
  if (v.kind === 'index') {
    const origin = v.index ? context.schema.indexOrigins.get(v.index) : undefined;
    if (!origin) return undefined;
    const attr = origin.attribute;
    const mapped = stringValue(argument(attr, 'map'));
    const closes = lines.text[attr.range.endOffset - 1] === ')';
    return {
      what: `${attr.block ? '@@' : '@'}${attr.name} of ${model.name} (index "${v.name}")`,
      how: 'map:',
      range: attr.range,
      // Adding `map:` renames the index: prisma migrate writes that as ALTER INDEX … RENAME.
      fix: (name) =>
        mapped !== undefined || !closes
          ? undefined
          : {
              title: `Name the index "${name}"`,
              edits: [{ range: lines.rangeOf(attr.range.endOffset - 1, attr.range.endOffset - 1), newText: `, map: ${JSON.stringify(name)}` }],
            },
    };
  }
  const column = v.table.columns.find((c) => c.name === v.name);
  const origin = column ? context.schema.columnOrigins.get(column) : undefined;
  if (!origin) return undefined;
  const { field } = origin;
  const map = fieldAttribute(field, 'map');
  return {
    what: `${model.name}.${field.name} (column "${v.name}")`,
    how: '@map',
    range: map?.range ?? field.nameRange,
    fix: (name) => ({
      title: `Map ${field.name} to column "${name}"`,
      edits: [map ? replaceAttribute(map, `@map(${JSON.stringify(name)})`) : { range: lines.rangeOf(field.range.endOffset, field.range.endOffset), newText: ` @map(${JSON.stringify(name)})` }],
    }),
  };
}

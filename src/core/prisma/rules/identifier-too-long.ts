import { rule as sqlRule } from '../../lint/rules/identifier-too-long';
import { identifierByteLength, MAX_IDENTIFIER_BYTES } from '../../schema/identifier-length';
import type { SourceRange } from '../../types';
import { argument, blockAttributes, fieldAttribute, stringValue, type PrismaAttribute } from '../ast';
import { truncateIdentifier } from '../constraint-names';
import type { PrismaRule } from '../prisma-rule';

/**
 * identifier-too-long: a table, column, enum or `map:` constraint name over 63 bytes, reported
 * on the `@@map`/`@map`/`map:` that gives it (or the name itself). Names Prisma derives are
 * already cut to fit, so only names the schema spells out can be too long.
 */
export const rule: PrismaRule = {
  id: 'identifier-too-long',
  defaultSeverity: sqlRule.defaultSeverity,
  check(context) {
    const check = (file: string, range: SourceRange, what: string, name: string | undefined): void => {
      if (name === undefined) return;
      const bytes = identifierByteLength(name);
      if (bytes <= MAX_IDENTIFIER_BYTES) return;
      context.report({
        file,
        range,
        message:
          `${what} "${name}" is ${bytes} bytes: Postgres silently truncates it to ${MAX_IDENTIFIER_BYTES} ("${truncateIdentifier(name)}"), ` +
          'so the database name differs from the schema and Prisma sees drift on every migrate diff, and two names sharing those first bytes collide',
      });
    };
    const mapped = (attr: PrismaAttribute | undefined): string | undefined => stringValue(argument(attr, 'map'));
    for (const [model, table] of context.schema.tableOf) {
      const map = blockAttributes(model, 'map')[0];
      check(model.file, map?.range ?? model.nameRange, 'table name', table.name);
      for (const field of model.fields) {
        const column = stringValue(argument(fieldAttribute(field, 'map'), 'name', 0)) ?? field.name;
        check(model.file, fieldAttribute(field, 'map')?.range ?? field.nameRange, 'column name', column);
        for (const attr of field.attributes) {
          if (attr.name === 'id' || attr.name === 'unique' || attr.name === 'relation') check(model.file, attr.range, 'constraint name', mapped(attr));
        }
      }
      for (const attr of model.attributes) {
        if (attr.name === 'id' || attr.name === 'unique' || attr.name === 'index') check(model.file, attr.range, 'index name', mapped(attr));
      }
    }
    for (const e of context.doc.enums) check(e.file, e.nameRange, 'enum type name', e.dbName);
  },
};

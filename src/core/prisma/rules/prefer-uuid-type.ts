import { rule as sqlRule } from '../../lint/rules/prefer-uuid-type';
import { isUuidDefault, namesOtherIdScheme, UUID_TEXT_LENGTH } from '../../schema/uuid-columns';
import { argument, fieldAttribute, functionName, nativeTypeAttribute, stringValue, type PrismaField } from '../ast';
import type { PrismaRule } from '../prisma-rule';
import { referencingFields } from '../to-schema';

/**
 * prefer-uuid-type: a `String` field holding UUIDs without `@db.Uuid`, so stored as text. Only
 * on positive evidence: `@default(uuid())` (any version) or `@default(dbgenerated("gen_random_uuid()"))`;
 * or, without a default, `@db.VarChar(36)`/`@db.Char(36)` on a field whose name does not say
 * another scheme. Any other default (`cuid()`, `cuid(2)`, `nanoid()`, `ulid()`, a literal)
 * means the ids are not UUIDs, and a uuid column would reject them: no finding.
 *
 * No fix: Prisma Migrate has no cast from text to uuid (prisma/orm#12559). For a field of an
 * existing table it drops and recreates the column (`DROP COLUMN "id", ADD COLUMN "id" UUID`),
 * losing every id, and the columns referencing it too; the message says what to write instead.
 */
const TEXT_TYPES = new Set(['text', 'varchar', 'char']);

const COSTS = '37 bytes per value instead of 16, compared as collated text';

export const rule: PrismaRule = {
  id: 'prefer-uuid-type',
  defaultSeverity: sqlRule.defaultSeverity,
  fixable: true,
  check(context) {
    for (const [column, { model, field }] of context.schema.columnOrigins) {
      if (field.type !== 'String' || field.list || !TEXT_TYPES.has(column.type)) continue;
      const hasDefault = fieldAttribute(field, 'default') !== undefined;
      const generator = uuidGenerator(field);
      const byLength =
        !hasDefault &&
        (column.type === 'varchar' || column.type === 'char') &&
        column.typeModifiers[0] === UUID_TEXT_LENGTH &&
        !namesOtherIdScheme(field.name) &&
        !namesOtherIdScheme(column.name);
      if (!generator && !byLength) continue;
      const refs = referencingFields(context.schema, model, field).filter((r) => nativeTypeAttribute(r.field)?.name !== 'db.Uuid');
      const names = [`${model.name}.${field.name}`, ...refs.map((r) => `${r.model.name}.${r.field.name}`)];
      const plural = refs.length > 0;
      const noCast =
        `No automatic fix: Prisma Migrate has no cast from text to uuid: it drops and recreates the column${plural ? 's' : ''} ` +
        '(DROP COLUMN, ADD COLUMN … UUID), losing every id, and refuses a required column of a table with rows. ' +
        `On a model not yet migrated, add @db.Uuid to ${names.join(' and ')}; on an existing table, write the migration with ` +
        'prisma migrate dev --create-only: drop the foreign keys, ALTER COLUMN … TYPE uuid USING …::uuid on the key and each referencing column, ' +
        'add the foreign keys back';
      const message = generator
        ? `${model.name}.${field.name} holds ${generator} values as ${column.type}: ${COSTS}, ` +
          `so its indexes${plural ? ' and those of the fields referencing it' : ''} are over twice as large and slower; ` +
          `add @db.Uuid to ${names.join(' and ')}. ${noCast}`
        : `${model.name}.${field.name} is ${column.type}(${UUID_TEXT_LENGTH}), the length of a UUID's text form: if every value is a UUID, ` +
          `use @db.Uuid (${COSTS} now, and any string is accepted); nothing here shows that every value is a UUID ` +
          `(cuid, nanoid or ulid ids would be rejected). ${noCast}`;
      context.report({ file: model.file, range: field.range, message });
    }
  },
};

/** `uuid()` (`uuid(7)`) or the generator in `dbgenerated("…")`, as the message names it; undefined for other defaults. */
function uuidGenerator(field: PrismaField): string | undefined {
  const value = argument(fieldAttribute(field, 'default'), 'value', 0);
  const fn = functionName(value);
  if (!value || typeof value !== 'object' || Array.isArray(value) || value.type !== 'function') return undefined;
  if (fn === 'uuid') return `uuid(${(value.params ?? []).map((p) => String(p)).join(', ')})`;
  if (fn !== 'dbgenerated') return undefined;
  const sql = stringValue(value.params?.[0]);
  return sql !== undefined && isUuidDefault(sql) ? sql : undefined;
}

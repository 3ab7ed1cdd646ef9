import type { Column } from './model';

/**
 * Columns holding UUIDs as text, for the prefer-uuid-type rule (SQL and Prisma):
 * - `isUuidDefault(expression)`: a default expression's SQL text is a UUID generator call
 *   (`gen_random_uuid()`, `uuid_generate_v1()`/`v4()`, `uuidv4()`, `uuidv7()`, Prisma's `uuid()`),
 *   optionally parenthesised and cast (`gen_random_uuid()::text`).
 * - `storesUuidAsText(column)`: canonical type text/varchar/char and `isUuidDefault(column.default)`.
 */
const UUID_FUNCTIONS = new Set(['gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'uuid']);
const TEXT_TYPES = new Set(['text', 'varchar', 'char']);
const UUID_DEFAULT = /^\(*\s*(?:[a-z_][a-z0-9_]*\.)?([a-z_][a-z0-9_]*)\s*\(\s*\)\s*\)*\s*(?:::\s*[a-z ]+(?:\(\s*\d+\s*\))?\s*)?$/i;

/** A canonical string type a UUID can be held in as text (text, varchar, char). */
export function isUuidTextType(type: string): boolean {
  return TEXT_TYPES.has(type);
}

/** A UUID generator's function name, in lower case (`gen_random_uuid`, `uuidv7`, Prisma's `uuid`). */
export function isUuidGenerator(name: string): boolean {
  return UUID_FUNCTIONS.has(name);
}

export function isUuidDefault(expression: string): boolean {
  const m = UUID_DEFAULT.exec(expression.trim());
  return m !== null && UUID_FUNCTIONS.has(m[1].toLowerCase());
}

export function storesUuidAsText(column: Pick<Column, 'type' | 'default'>): boolean {
  return isUuidTextType(column.type) && column.default !== undefined && isUuidDefault(column.default);
}

/** Words of a column name that name an id scheme other than UUID (`cuid`, `public_nanoid`, `externalUlid`). */
const OTHER_ID_SCHEMES = new Set(['cuid', 'nanoid', 'ulid', 'ksuid', 'snowflake', 'xid', 'hashid', 'objectid', 'slug', 'hash', 'sha']);

export function namesOtherIdScheme(name: string): boolean {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .some((w) => OTHER_ID_SCHEMES.has(w));
}

/** The length of a UUID's text form (`a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11`). */
export const UUID_TEXT_LENGTH = 36;

/** The generator's name in a default expression's SQL text (`gen_random_uuid()::text` → gen_random_uuid). */
export function uuidGeneratorName(expression: string): string | undefined {
  const m = UUID_DEFAULT.exec(expression.trim());
  return m && UUID_FUNCTIONS.has(m[1].toLowerCase()) ? m[1] : undefined;
}

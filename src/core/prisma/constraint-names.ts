import { identifierByteLength, MAX_IDENTIFIER_BYTES } from '../schema/identifier-length';

/**
 * The names Prisma Migrate gives keys, indexes and foreign keys when the schema has no `map:`
 * (Prisma's `ConstraintNames` for Postgres): `{table}_pkey`, `{table}_{columns}_key`,
 * `{table}_{columns}_idx`, `{table}_{columns}_fkey`, the stem cut so the whole name fits in
 * Postgres's 63 bytes. Always the database names of tables and columns.
 */
export function primaryKeyName(table: string): string {
  return `${truncateIdentifier(table, MAX_IDENTIFIER_BYTES - '_pkey'.length)}_pkey`;
}

export function indexName(table: string, columns: string[], unique: boolean): string {
  const suffix = unique ? '_key' : '_idx';
  return `${truncateIdentifier(`${table}_${columns.join('_')}`, MAX_IDENTIFIER_BYTES - suffix.length)}${suffix}`;
}

export function foreignKeyName(table: string, columns: string[]): string {
  return `${truncateIdentifier(`${table}_${columns.join('_')}`, MAX_IDENTIFIER_BYTES - '_fkey'.length)}_fkey`;
}

/** The first `maxBytes` bytes of a name, never splitting a character (as Postgres truncates at 63). */
export function truncateIdentifier(name: string, maxBytes = MAX_IDENTIFIER_BYTES): string {
  if (identifierByteLength(name) <= maxBytes) return name;
  let out = '';
  for (const ch of name) {
    if (identifierByteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  return out;
}

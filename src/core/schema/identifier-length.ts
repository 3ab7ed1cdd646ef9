/**
 * Postgres identifiers hold at most 63 bytes (NAMEDATALEN - 1) of UTF-8: `MAX_IDENTIFIER_BYTES` and
 * `identifierByteLength(name)`, for the identifier-too-long rule (SQL and Prisma), Prisma's
 * constraint names and the index names the fk-without-index fix gives.
 */
export const MAX_IDENTIFIER_BYTES = 63;

export function identifierByteLength(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

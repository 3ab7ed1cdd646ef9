/**
 * Canonical column type names, the vocabulary SchemaModel uses whatever the source (SQL,
 * Prisma, catalog): Postgres's internal names (int4, float8, bpchar) become the names a
 * person writes (integer, double precision, char).
 */
const CANONICAL: Record<string, string> = {
  int2: 'smallint',
  smallint: 'smallint',
  int4: 'integer',
  int: 'integer',
  integer: 'integer',
  int8: 'bigint',
  bigint: 'bigint',
  float4: 'real',
  real: 'real',
  float8: 'double precision',
  'double precision': 'double precision',
  float: 'double precision',
  numeric: 'numeric',
  decimal: 'numeric',
  bool: 'boolean',
  boolean: 'boolean',
  varchar: 'varchar',
  'character varying': 'varchar',
  bpchar: 'char',
  char: 'char',
  character: 'char',
  text: 'text',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  time: 'time',
  'time without time zone': 'time',
  timetz: 'timetz',
  'time with time zone': 'timetz',
  date: 'date',
  interval: 'interval',
  json: 'json',
  jsonb: 'jsonb',
  uuid: 'uuid',
  bytea: 'bytea',
  varbit: 'varbit',
  'bit varying': 'varbit',
  bit: 'bit',
  inet: 'inet',
  cidr: 'cidr',
  macaddr: 'macaddr',
  money: 'money',
  xml: 'xml',
  tsvector: 'tsvector',
  citext: 'citext',
};

const SERIALS: Record<string, string> = {
  smallserial: 'smallint',
  serial2: 'smallint',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
};

/** Canonical name for a type name as written or as stored (case-insensitive); unknown names (enums, domains) are kept lower-cased. */
export function canonicalTypeName(name: string): string {
  const lower = name.toLowerCase().trim();
  return CANONICAL[lower] ?? SERIALS[lower] ?? lower;
}

/** The integer type behind serial/bigserial/smallserial, or undefined for other names. */
export function serialBaseType(name: string): string | undefined {
  return SERIALS[name.toLowerCase()];
}

/**
 * Canonical name from libpg-query's TypeName `names` (e.g. ['pg_catalog', 'int4']).
 * The pg_catalog qualifier the grammar adds is dropped; a user schema qualifier is kept.
 */
export function canonicalFromNames(names: string[]): string {
  if (names.length === 0) return 'unknown';
  if (names.length >= 2 && names[0].toLowerCase() === 'pg_catalog') return canonicalTypeName(names[names.length - 1]);
  if (names.length === 1) return canonicalTypeName(names[0]);
  return names.map((n) => n.toLowerCase()).join('.');
}

const INT_KEY_LIMITS: Record<string, number> = { smallint: 32767, integer: 2147483647 };

/**
 * Largest value of a canonical type that is too narrow for a key (smallint, integer); undefined
 * otherwise. For the prefer-bigint-over-int rule (SQL and Prisma `Int @id`).
 */
export function intKeyLimit(type: string): number | undefined {
  return INT_KEY_LIMITS[type];
}

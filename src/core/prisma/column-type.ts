import { canonicalTypeName } from '../schema/type-names';
import { nativeTypeAttribute, type PrismaField } from './ast';

/**
 * The Postgres column type Prisma Migrate creates for a scalar field: the default per scalar
 * (as `prisma migrate` writes it: `DateTime` → `TIMESTAMP(3)`, `Decimal` → `DECIMAL(65,30)`),
 * or the `@db.*` native type when one is given (without arguments it takes Postgres's own
 * default, as Prisma writes it bare). Names are SchemaModel's canonical ones.
 */
export interface ColumnType {
  type: string;
  typeModifiers: number[];
}

const SCALAR_DEFAULTS: Record<string, ColumnType> = {
  String: { type: 'text', typeModifiers: [] },
  Boolean: { type: 'boolean', typeModifiers: [] },
  Int: { type: 'integer', typeModifiers: [] },
  BigInt: { type: 'bigint', typeModifiers: [] },
  Float: { type: 'double precision', typeModifiers: [] },
  Decimal: { type: 'numeric', typeModifiers: [65, 30] },
  DateTime: { type: 'timestamp', typeModifiers: [3] },
  Json: { type: 'jsonb', typeModifiers: [] },
  Bytes: { type: 'bytea', typeModifiers: [] },
};

/** `@db.X` → Postgres type name (before canonicalisation). */
const NATIVE: Record<string, string> = {
  Text: 'text',
  Char: 'char',
  VarChar: 'varchar',
  Bit: 'bit',
  VarBit: 'varbit',
  Uuid: 'uuid',
  Xml: 'xml',
  Inet: 'inet',
  Citext: 'citext',
  Boolean: 'boolean',
  Integer: 'integer',
  SmallInt: 'smallint',
  Oid: 'oid',
  BigInt: 'bigint',
  DoublePrecision: 'double precision',
  Real: 'real',
  Decimal: 'numeric',
  Money: 'money',
  Timestamp: 'timestamp',
  Timestamptz: 'timestamptz',
  Date: 'date',
  Time: 'time',
  Timetz: 'timetz',
  Json: 'json',
  JsonB: 'jsonb',
  ByteA: 'bytea',
};

export function isScalarType(type: string): boolean {
  return type in SCALAR_DEFAULTS;
}

/**
 * The column type of a scalar, enum or Unsupported field; undefined for relation fields and
 * unknown types. `enumDbName` is the database name of the field's enum, when it is one.
 */
export function columnType(field: PrismaField, enumDbName?: string): ColumnType | undefined {
  if (field.type === 'Unsupported') {
    const written = (field.unsupported ?? '').trim();
    const m = /^([^(]+?)\s*(?:\(([^)]*)\))?$/.exec(written);
    const inner = m?.[2];
    const mods = inner ? inner.split(',').map((s) => Number(s.trim())).filter((n) => Number.isFinite(n)) : [];
    return { type: canonicalTypeName(m?.[1] ?? written), typeModifiers: mods };
  }
  if (enumDbName !== undefined) return { type: enumDbName, typeModifiers: [] };
  const scalar = SCALAR_DEFAULTS[field.type];
  if (!scalar) return undefined;
  const native = nativeTypeAttribute(field);
  const nativeName = native?.name.slice('db.'.length);
  const pgName = nativeName ? NATIVE[nativeName] : undefined;
  if (!native || !nativeName || !pgName) return { type: scalar.type, typeModifiers: [...scalar.typeModifiers] };
  const mods = native.args
    .map((a) => (typeof a.value === 'string' || typeof a.value === 'number' ? Number(a.value) : NaN))
    .filter((n) => Number.isFinite(n));
  return { type: canonicalTypeName(pgName), typeModifiers: mods };
}

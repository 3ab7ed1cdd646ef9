import type { AttributeArgument, Value } from '@mrleebo/prisma-ast';
import type { Finding, SourceRange } from '../types';

/**
 * A parsed Prisma schema (one file or a multi-file `prisma/schema/` folder), with the source
 * range of every name, type and attribute, so findings and fixes land on exact characters.
 * Argument values are prisma-ast's own (`Value`): strings keep their quotes.
 */
export interface PrismaAttribute {
  /** Name without `@`/`@@`, with its group: `id`, `relation`, `db.Timestamptz`, `index`. */
  name: string;
  /** `@@` block attribute (as opposed to a `@` field attribute). */
  block: boolean;
  args: AttributeArgument[];
  /** From `@` to the closing `)` (or the end of the name when it has no arguments). */
  range: SourceRange;
}

export interface PrismaField {
  name: string;
  /** The type as written: `String`, `DateTime`, a model or enum name, or `Unsupported`. */
  type: string;
  /** The type text inside `Unsupported("…")`, without quotes. */
  unsupported?: string;
  optional: boolean;
  list: boolean;
  attributes: PrismaAttribute[];
  nameRange: SourceRange;
  /** The type name (`Float`), without `?` or `[]`. */
  typeRange: SourceRange;
  /** Offset just past the type and its `?`/`[]`: where an attribute added "after the type" goes. */
  typeEndOffset: number;
  /** From the name to the end of the last attribute. */
  range: SourceRange;
}

export interface PrismaModel {
  kind: 'model' | 'view';
  name: string;
  file: string;
  fields: PrismaField[];
  /** `@@…` attributes, in order. */
  attributes: PrismaAttribute[];
  nameRange: SourceRange;
  /** The `model Name {` header. */
  headerRange: SourceRange;
  /** Offset of the closing `}`. */
  closeOffset: number;
  /** Indentation of the block's first property (two spaces when it has none). */
  indent: string;
}

export interface PrismaEnum {
  name: string;
  file: string;
  values: { name: string; dbName: string }[];
  /** `@@map`, else the name. */
  dbName: string;
  /** `@@schema`, when given. */
  schema?: string;
  nameRange: SourceRange;
}

export interface PrismaDatasource {
  provider?: string;
  /** `relationMode` (or the older `referentialIntegrity`): `prisma` means no foreign keys in the database. */
  relationMode?: string;
  /** `schemas = [...]` of the multiSchema feature. */
  schemas: string[];
}

export interface PrismaSourceFile {
  file: string;
  /** The text as given (block comments are blanked only for parsing). */
  text: string;
}

export interface PrismaDocument {
  files: PrismaSourceFile[];
  models: PrismaModel[];
  enums: PrismaEnum[];
  /** Names of composite `type` blocks (MongoDB only; fields of those types are not columns). */
  compositeTypes: string[];
  datasource?: PrismaDatasource;
  /** Syntax errors, at most one per file; a file with one contributes no models. */
  diagnostics: Finding[];
}

/** Text of a string literal value without its quotes and escapes; undefined for other values. */
export function stringValue(value: Value | undefined): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('"')) return undefined;
  try {
    return JSON.parse(value) as string;
  } catch {
    return value.slice(1, -1);
  }
}

/** A keyed argument (`map: "x"`) by key, or the positional argument at `position`. */
export function argument(attr: PrismaAttribute | undefined, key: string, position?: number): Value | undefined {
  if (!attr) return undefined;
  for (const arg of attr.args) {
    const v = arg.value;
    if (isKeyValue(v) && v.key === key) return v.value;
  }
  if (position === undefined) return undefined;
  const positional = attr.args.filter((a) => !isKeyValue(a.value));
  const v = positional[position]?.value;
  return v === undefined || isKeyValue(v) ? undefined : (v as Value);
}

/**
 * Field names of a list argument such as `[authorId, createdAt(sort: Desc)]`, with the sort
 * order and the operator class (`ops: JsonbPathOps`, `ops: raw("text_pattern_ops")`, as
 * written) when one is given.
 */
export function fieldList(value: Value | undefined): { name: string; sort?: 'Asc' | 'Desc'; ops?: string }[] | undefined {
  if (!value) return undefined;
  // Prisma accepts one field without brackets: `@@index(orgId)`, `@@index(title(ops: …))`.
  const bare = (typeof value === 'string' && /^[A-Za-z_]\w*$/.test(value)) || (typeof value === 'object' && !Array.isArray(value) && value.type === 'function');
  const items = bare ? [value] : typeof value === 'object' && !Array.isArray(value) && value.type === 'array' ? (value.args ?? []) : undefined;
  if (!items) return undefined;
  const out: { name: string; sort?: 'Asc' | 'Desc'; ops?: string }[] = [];
  for (const item of items) {
    if (typeof item === 'string') out.push({ name: item });
    else if (item && typeof item === 'object' && !Array.isArray(item) && item.type === 'function') {
      const param = (key: string): Value | undefined => {
        const p = (item.params ?? []).find((q) => isKeyValue(q) && q.key === key);
        return p && isKeyValue(p) ? p.value : undefined;
      };
      const order = param('sort');
      const opsValue = param('ops');
      const ops = typeof opsValue === 'string' ? opsValue : rawText(opsValue);
      out.push({ name: item.name, sort: order === 'Desc' ? 'Desc' : order === 'Asc' ? 'Asc' : undefined, ...(ops ? { ops } : {}) });
    }
  }
  return out;
}

/** The string inside `raw("…")`, else undefined. */
function rawText(value: Value | undefined): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value.type !== 'function' || value.name !== 'raw') return undefined;
  return stringValue(value.params?.[0] as Value | undefined);
}

/** A function value's name (`autoincrement` for `autoincrement()`), else undefined. */
export function functionName(value: Value | undefined): string | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) && value.type === 'function' ? value.name : undefined;
}

function isKeyValue(v: unknown): v is { type: 'keyValue'; key: string; value: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { type?: string }).type === 'keyValue';
}

/** The field attribute with this name (`id`, `db.Uuid`), if present. */
export function fieldAttribute(field: PrismaField, name: string): PrismaAttribute | undefined {
  return field.attributes.find((a) => a.name === name);
}

/** The native type attribute (`@db.…`) of a field, if present. */
export function nativeTypeAttribute(field: PrismaField): PrismaAttribute | undefined {
  return field.attributes.find((a) => a.name.startsWith('db.'));
}

/** Block attributes of a model with this name (`index`, `unique`, `id`, `map`, `schema`). */
export function blockAttributes(model: PrismaModel, name: string): PrismaAttribute[] {
  return model.attributes.filter((a) => a.name === name);
}

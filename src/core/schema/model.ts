import type { SourceRef } from '../types';

/**
 * The schema as pglens understands it, whatever it came from: replayed migrations, a
 * schema.prisma, or the live catalog. Names are unquoted Postgres identifiers as stored
 * (lower-cased unless they were quoted). Every object carries a SourceRef when it came
 * from a file, so findings land on the definition they are about.
 */
export interface Column {
  name: string;
  /** Canonical Postgres type name without modifiers: 'integer', 'bigint', 'text', 'timestamp', 'timestamptz', 'numeric', 'double precision', 'real', 'uuid', 'jsonb', … */
  type: string;
  /** Type modifiers as written, e.g. [12, 2] for numeric(12,2); empty when none. */
  typeModifiers: number[];
  isArray: boolean;
  notNull: boolean;
  /** Default expression as SQL text, when known. */
  default?: string;
  identity?: 'always' | 'by default';
  /** Came from serial/bigserial/smallserial. */
  serial?: boolean;
  source?: SourceRef;
}

export interface Index {
  name: string;
  schema: string;
  table: string;
  /** Key columns in order; expressions appear as their SQL text in parentheses. */
  columns: string[];
  include: string[];
  unique: boolean;
  primary: boolean;
  /** Backs a UNIQUE / PRIMARY KEY constraint rather than a CREATE INDEX. */
  constraint: boolean;
  method: string;
  /** Predicate SQL of a partial index. */
  where?: string;
  valid: boolean;
  /**
   * Per key column, what sets it apart from a plain ascending key with its type's default
   * operator class and the column's collation; absent (or an empty object) when nothing does.
   */
  keyOptions?: IndexKeyOptions[];
  source?: SourceRef;
}

export interface IndexKeyOptions {
  /** A non-default operator class (`text_pattern_ops`, `jsonb_path_ops`). */
  opclass?: string;
  /** A collation other than the column's. */
  collation?: string;
  descending?: boolean;
  /** NULLS FIRST; when absent, the default for the direction (first when descending). */
  nullsFirst?: boolean;
}

export interface ForeignKey {
  name?: string;
  schema: string;
  table: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  source?: SourceRef;
}

/**
 * A `CHECK (col IS NOT NULL)` constraint: once validated, SET NOT NULL on Postgres 12+ trusts it
 * instead of scanning. One entry per column a CHECK proves (`a IS NOT NULL AND b IS NOT NULL`
 * gives two entries with the constraint's name).
 */
export interface NotNullCheck {
  name: string;
  column: string;
  /** False while it was added NOT VALID and not yet validated. */
  valid: boolean;
}

export interface Table {
  schema: string;
  name: string;
  columns: Column[];
  primaryKey?: { name?: string; columns: string[]; source?: SourceRef };
  indexes: Index[];
  foreignKeys: ForeignKey[];
  /** `CHECK (col IS NOT NULL)` constraints (other CHECKs are not modelled); absent when none is known. */
  notNullChecks?: NotNullCheck[];
  /** `PARTITION BY`: the parent of a partitioned table (Postgres refuses CREATE INDEX CONCURRENTLY on it). */
  partitioned?: boolean;
  /** CREATE TEMP TABLE: session-local, never replicated or read by other sessions. */
  temporary?: boolean;
  /** CREATE UNLOGGED TABLE (or SET UNLOGGED): not WAL-logged, so never in a publication or on a replica. */
  unlogged?: boolean;
  source?: SourceRef;
}

export interface SchemaModel {
  /** Keyed by `schema.table`. */
  tables: Map<string, Table>;
}

export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

export function emptySchema(): SchemaModel {
  return { tables: new Map() };
}

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
  /** COMMENT ON COLUMN, when set. */
  comment?: string;
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
  /** The referenced columns; for `REFERENCES t` without a list, t's primary key. Empty only when the model does not know them (t unknown or keyless). */
  refColumns: string[];
  /** ON DELETE SET NULL (or SET DEFAULT): the key is emptied by design when its parent goes; set only then. */
  onDeleteSetNull?: true;
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
  /** CHECK constraints that test columns with IS NULL / IS NOT NULL (a design that knows when the column is empty); set only when there are some. */
  nullTests?: { name: string; columns: string[] }[];
  /** `PARTITION BY`: the parent of a partitioned table (Postgres refuses CREATE INDEX CONCURRENTLY on it). */
  partitioned?: boolean;
  /** `PARTITION BY`'s strategy and key, when the source shows them (a replayed CREATE TABLE does). */
  partitionKey?: PartitionKey;
  /** A partition (`PARTITION OF` or `ATTACH PARTITION`): its parent's table key, `schema.name`. */
  partitionOf?: string;
  /** CREATE TEMP TABLE: session-local, never replicated or read by other sessions. */
  temporary?: boolean;
  /** CREATE UNLOGGED TABLE (or SET UNLOGGED): not WAL-logged, so never in a publication or on a replica. */
  unlogged?: boolean;
  /** Row-level security as the last ENABLE/DISABLE/FORCE/NO FORCE left it; absent when never set (off, Postgres's default). */
  rowSecurity?: RowSecurity;
  /**
   * Code the replay cannot read into (a DO block, a function it calls, an event trigger) may have
   * enabled row-level security or created policies on this table: what the model says of its
   * RLS is not the whole truth, so the RLS rules leave it alone.
   */
  rowSecurityOpaque?: boolean;
  /** COMMENT ON TABLE, when set. */
  comment?: string;
  source?: SourceRef;
}

/** A partitioned table's key: what a query must compare for Postgres to prune partitions. */
export interface PartitionKey {
  strategy: 'range' | 'list' | 'hash';
  /** In key order: a column, or an expression (its SQL text as written, and the columns it reads). */
  parts: Array<{ column: string } | { expression: string; columns: string[] }>;
}

export interface RowSecurity {
  /** ENABLE ROW LEVEL SECURITY (true) or DISABLE (false). */
  enabled: boolean;
  /** FORCE ROW LEVEL SECURITY: the owner is subject to the policies too. */
  forced: boolean;
  /** The last FORCE/NO FORCE was an explicit NO FORCE ROW LEVEL SECURITY: the owner's bypass is a decision. */
  forceTurnedOff?: boolean;
  /** The ALTER TABLE subcommand that last turned it on or off. */
  source?: SourceRef;
}

export type PolicyCommand = 'all' | 'select' | 'insert' | 'update' | 'delete';

/** A row-level security policy (CREATE POLICY), as later ALTER POLICYs left it. */
export interface Policy {
  /** As stored: lower-cased unless quoted (`"Users see own rows"` keeps its case and spaces). */
  name: string;
  schema: string;
  table: string;
  command: PolicyCommand;
  /** Roles it applies to: `public` (PUBLIC, the default), `current_user`, `session_user`, `current_role`, or a role name. */
  roles: string[];
  /** AS PERMISSIVE (the default; policies are OR-ed) or AS RESTRICTIVE (AND-ed). */
  permissive: boolean;
  /** The USING expression as written, without its parentheses; absent when there is none. */
  using?: string;
  /** The WITH CHECK expression as written, without its parentheses; absent when there is none. */
  withCheck?: string;
  /** The policy name in the CREATE POLICY (or the ALTER POLICY that last changed it); `statementRange` is that whole statement. */
  source?: SourceRef;
}

export interface MaterializedView {
  schema: string;
  name: string;
  /** Column names when the CREATE names them (`CREATE MATERIALIZED VIEW v (a, b) AS …`); empty otherwise. */
  columns: string[];
  /** Indexes created on the view (`table` is the view's name). */
  indexes: Index[];
  /** False after WITH NO DATA until a REFRESH fills it. */
  populated: boolean;
  /**
   * Created with IF NOT EXISTS while the model knew no view of that name: an older view made
   * outside the migrations, with indexes of its own, may be the one that exists.
   */
  maybeOlder?: boolean;
  source?: SourceRef;
}

export interface SchemaModel {
  /** Keyed by `schema.table`. */
  tables: Map<string, Table>;
  /**
   * Row-level security policies keyed by their table's `schema.table`, in creation order; also
   * for tables the model does not know (created by another tool, e.g. Supabase's storage.objects).
   * Absent when the source has none (a Prisma schema, a catalog read that does not ask).
   */
  policies?: Map<string, Policy[]>;
  /**
   * Row-level security switched on tables the model does not know, keyed like `tables`: another
   * tool's, or, for an unqualified name, a table in the schema the deploy's search_path picks.
   */
  rowSecurityOutside?: Map<string, RowSecurity>;
  /** Keyed by `schema.view`; absent when the source does not read them. */
  materializedViews?: Map<string, MaterializedView>;
}

export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

export function emptySchema(): SchemaModel {
  return { tables: new Map() };
}

/** The policies on a table (none when the model keeps no policies). */
export function tablePolicies(schema: SchemaModel, table: Pick<Table, 'schema' | 'name'>): Policy[] {
  return schema.policies?.get(tableKey(table.schema, table.name)) ?? [];
}

/**
 * Whether policies or RLS switches of the set name a table of this name that the model does not
 * know, in another schema. Migrations that write unqualified names and run with a search_path
 * the files never set (a Liquibase default schema, a role's setting) put them on this table at
 * deploy, while the replay put them in `public`: what the model says of its RLS may be incomplete.
 */
export function rowSecurityNamedElsewhere(schema: SchemaModel, table: Pick<Table, 'schema' | 'name'>): boolean {
  const elsewhere = (keys: Iterable<string>): boolean => {
    for (const key of keys) {
      if (schema.tables.has(key) || key === tableKey(table.schema, table.name)) continue;
      if (key.slice(key.indexOf('.') + 1) === table.name) return true;
    }
    return false;
  };
  return elsewhere(schema.policies?.keys() ?? []) || elsewhere(schema.rowSecurityOutside?.keys() ?? []);
}


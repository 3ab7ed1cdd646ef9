/**
 * Rollback verification (issue #15): the shapes shared by the catalog snapshot, its diff, the
 * driver that applies up → down → up, and the CLI / editor that report it.
 */

/** Runs one query (no parameters) and returns its rows: PGlite's `query`, a pg Client's, a Connection's. */
export type QueryRows = (sql: string) => Promise<Array<Record<string, unknown>>>;

/**
 * The user-visible schema of a database, read from pg_catalog, normalised so that two
 * databases built by the same DDL compare equal: objects keyed by schema-qualified name,
 * Postgres-generated names (constraints, indexes, sequences of serial/identity columns)
 * replaced by what they are attached to, no OIDs, stable ordering. Only schemas other than
 * pg_catalog, information_schema, pg_toast* and pg_temp*.
 */
export interface CatalogSnapshot {
  /** Every object, by key (`table public.users`, `column public.users.email`, `index public.users (email)` …). */
  objects: Map<string, SnapshotObject>;
}

export type ObjectKind =
  | 'schema'
  | 'extension'
  | 'table'
  | 'column'
  | 'index'
  | 'constraint'
  | 'sequence'
  | 'view'
  | 'type'
  | 'enum-value'
  | 'function'
  | 'trigger'
  | 'policy'
  | 'grant';

export interface SnapshotObject {
  kind: ObjectKind;
  /** Human name as a DBA writes it: `public.users.email`, `index users_email_idx on public.users`. */
  name: string;
  /** The table (schema-qualified) it belongs to, for columns, indexes, constraints, triggers, policies, grants. */
  table?: string;
  /** Attributes compared (type, default, nullability, identity, definition, RLS flag, enum order…). Values are strings. */
  attributes: Record<string, string>;
  /**
   * Key of the object this one goes with (column → its table, table → its schema, enum value →
   * its enum, owned sequence → its column): when that one is missing (or left behind) too, the
   * diff reports only it.
   */
  parent?: string;
}

/** One difference between the schema before an up and after its down. */
export interface SchemaDifference {
  /** 'missing': in before, not after (the down dropped or did not recreate it); 'extra': left behind; 'changed': attributes differ. */
  change: 'missing' | 'extra' | 'changed';
  kind: ObjectKind;
  name: string;
  table?: string;
  /**
   * For 'changed': the attributes that differ, attribute → [before, after]. For 'missing' and
   * 'extra': every attribute of the object, as [value, undefined] / [undefined, value], so the
   * report can show what was lost (the index definition, the column type…).
   */
  attributes?: Record<string, [before: string | undefined, after: string | undefined]>;
}

/** The three parts of one migration's verification, in order: the up, its down, the up again. */
export type PartName = 'up' | 'down' | 'up again';

/**
 * A part that ran longer than the limit and was stopped: by the verification child itself on a
 * server (the statement cancelled), or by its parent, which ends a child that stops answering
 * (PGlite has no statement timeout and blocks its process while a statement runs) and asks again
 * with this, so the part is not run a second time.
 */
export interface HungMigration {
  folder: string;
  id: string;
  part: PartName;
  /** The limit it ran past. */
  seconds: number;
}

/** What the verification child tells its parent when a part starts (the parent's watchdog counts from it). */
export interface PartStart {
  /** 0-based, over every migration of every set. */
  index: number;
  folder: string;
  id: string;
  part: PartName;
}

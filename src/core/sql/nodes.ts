import type { AstNode } from './statement';

/**
 * Types for the libpg-query parse-tree nodes pglens reads most, written by hand from
 * PostgreSQL's `parsenodes.h` as libpg-query serialises them: a node is wrapped in an object
 * keyed by its type (`{ RangeVar: {...} }`), and fields that are false, 0, empty or null are
 * omitted, hence optional. A field whose type is fixed holds the bare body (`relation:
 * RangeVar`, `typeName: TypeName`); children whose type varies are wrapped and stay `AstNode`.
 * `nodeOf` and `walkNodesOf` (sql/ast.ts) hand these out; other node kinds are read as `AstNode`.
 */

export type Alias = { aliasname: string; colnames?: AstNode[] };

export type RangeVar = {
  catalogname?: string;
  schemaname?: string;
  relname: string;
  /** Absent for `ONLY t` (libpg-query omits false). */
  inh?: boolean;
  /** 'p' permanent, 'u' unlogged, 't' temporary. */
  relpersistence?: string;
  alias?: Alias;
  location?: number;
};

export type ColumnRef = {
  /** `String` nodes, or an `A_Star` last for `t.*`. */
  fields: AstNode[];
  location?: number;
};

/** `$n`. */
export type ParamRef = { number: number; location?: number };

export type A_Expr = {
  /** 'AEXPR_OP', 'AEXPR_IN', 'AEXPR_LIKE', 'AEXPR_BETWEEN', … */
  kind: string;
  /** The operator as `String` nodes, possibly schema-qualified. */
  name?: AstNode[];
  lexpr?: AstNode;
  rexpr?: AstNode;
  location?: number;
};

export type BoolExpr = {
  boolop: 'AND_EXPR' | 'OR_EXPR' | 'NOT_EXPR';
  args: AstNode[];
  location?: number;
};

export type SelectStmt = {
  distinctClause?: AstNode[];
  intoClause?: AstNode;
  targetList?: AstNode[];
  fromClause?: AstNode[];
  whereClause?: AstNode;
  groupClause?: AstNode[];
  havingClause?: AstNode;
  valuesLists?: AstNode[];
  sortClause?: AstNode[];
  limitOffset?: AstNode;
  limitCount?: AstNode;
  limitOption?: string;
  lockingClause?: AstNode[];
  withClause?: AstNode;
  /** 'SETOP_NONE', or UNION/INTERSECT/EXCEPT with the arms in `larg`/`rarg` (bare bodies). */
  op?: string;
  all?: boolean;
  larg?: SelectStmt;
  rarg?: SelectStmt;
};

export type TypeName = {
  /** `String` nodes: ['pg_catalog', 'int4'], or the name as written. */
  names: AstNode[];
  typmods?: AstNode[];
  arrayBounds?: AstNode[];
  location?: number;
};

export type Constraint = {
  /** 'CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_FOREIGN', 'CONSTR_CHECK', 'CONSTR_NOTNULL', 'CONSTR_DEFAULT', … */
  contype: string;
  conname?: string;
  deferrable?: boolean;
  initdeferred?: boolean;
  /** NOT VALID sets this and leaves `initially_valid` absent. */
  skip_validation?: boolean;
  initially_valid?: boolean;
  raw_expr?: AstNode;
  keys?: AstNode[];
  including?: AstNode[];
  indexname?: string;
  pktable?: RangeVar;
  fk_attrs?: AstNode[];
  pk_attrs?: AstNode[];
  fk_upd_action?: string;
  fk_del_action?: string;
  location?: number;
};

export type ColumnDef = {
  colname: string;
  typeName?: TypeName;
  is_not_null?: boolean;
  raw_default?: AstNode;
  /** `Constraint` nodes written with the column. */
  constraints?: AstNode[];
  location?: number;
};

export type CreateStmt = {
  relation: RangeVar;
  /** `ColumnDef`, `Constraint` and `TableLikeClause` nodes. */
  tableElts?: AstNode[];
  inhRelations?: AstNode[];
  partbound?: AstNode;
  partspec?: AstNode;
  oncommit?: string;
  if_not_exists?: boolean;
};

export type AlterTableCmd = {
  /** 'AT_AddColumn', 'AT_AddConstraint', 'AT_AlterColumnType', 'AT_SetNotNull', … */
  subtype: string;
  /** The column or constraint the command names. */
  name?: string;
  def?: AstNode;
  behavior?: string;
  missing_ok?: boolean;
};

export type AlterTableStmt = {
  relation: RangeVar;
  /** `AlterTableCmd` nodes, in the order written. */
  cmds?: AstNode[];
  /** 'OBJECT_TABLE', 'OBJECT_INDEX', … */
  objtype?: string;
  missing_ok?: boolean;
};

export type IndexStmt = {
  idxname?: string;
  relation: RangeVar;
  accessMethod?: string;
  /** `IndexElem` nodes. */
  indexParams?: AstNode[];
  indexIncludingParams?: AstNode[];
  whereClause?: AstNode;
  unique?: boolean;
  primary?: boolean;
  concurrent?: boolean;
  if_not_exists?: boolean;
};

/** The typed node kinds, by the key libpg-query wraps them in. */
export interface TypedNodes {
  RangeVar: RangeVar;
  ColumnRef: ColumnRef;
  ParamRef: ParamRef;
  A_Expr: A_Expr;
  BoolExpr: BoolExpr;
  SelectStmt: SelectStmt;
  TypeName: TypeName;
  Constraint: Constraint;
  ColumnDef: ColumnDef;
  CreateStmt: CreateStmt;
  AlterTableCmd: AlterTableCmd;
  AlterTableStmt: AlterTableStmt;
  IndexStmt: IndexStmt;
}

export type TypedNodeKind = keyof TypedNodes;

/** The body of a wrapped node of that kind (`nodeOf({ RangeVar: x }, 'RangeVar')` is x); undefined for anything else. */
export function nodeOf<K extends TypedNodeKind>(node: unknown, kind: K): TypedNodes[K] | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const body = (node as AstNode)[kind] as unknown;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as TypedNodes[K]) : undefined;
}

/** Whether a key `walk` reports is a node type (`RangeVar`, `A_Expr`) rather than a field (`relation`, `args`). */
export function isNodeKey(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 65 && c <= 90;
}

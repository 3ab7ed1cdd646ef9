import type { AstNode } from './statement';

/**
 * Types for the libpg-query parse-tree nodes pglens reads most, written by hand from
 * PostgreSQL's `parsenodes.h` as libpg-query serialises them: a node is wrapped in an object
 * keyed by its type (`{ RangeVar: {...} }`), and fields that are false, 0, empty or null are
 * omitted, hence optional. A field whose type is fixed holds the bare body (`relation:
 * RangeVar`, `typeName: TypeName`); children whose type varies are wrapped and stay `AstNode`.
 * `nodeOf`, `walkNodesOf` (sql/ast.ts) and the rules' `forEachNode` hand these out; other node kinds
 * are read as `AstNode`. Field names follow libpg-query 18's JSON (as @pgsql/types lists them).
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
  /** Byte offsets of an IN list's '(' and ')'. */
  rexpr_list_start?: number;
  rexpr_list_end?: number;
  location?: number;
};

export type BoolExpr = {
  boolop: 'AND_EXPR' | 'OR_EXPR' | 'NOT_EXPR';
  args: AstNode[];
  location?: number;
};

export type SelectStmt = {
  distinctClause?: AstNode[];
  intoClause?: IntoClause;
  targetList?: AstNode[];
  fromClause?: AstNode[];
  whereClause?: AstNode;
  groupClause?: AstNode[];
  groupDistinct?: boolean;
  havingClause?: AstNode;
  windowClause?: AstNode[];
  valuesLists?: AstNode[];
  sortClause?: AstNode[];
  limitOffset?: AstNode;
  limitCount?: AstNode;
  limitOption?: string;
  lockingClause?: AstNode[];
  withClause?: WithClause;
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
  setof?: boolean;
  /** `%TYPE`. */
  pct_type?: boolean;
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
  is_no_inherit?: boolean;
  raw_expr?: AstNode;
  /** 'a' (ALWAYS) or 'd' (BY DEFAULT) for identity and generated columns. */
  generated_when?: string;
  /** 's' stored, 'v' virtual. */
  generated_kind?: string;
  nulls_not_distinct?: boolean;
  keys?: AstNode[];
  including?: AstNode[];
  /** EXCLUDE's elements: `List`s of an `IndexElem` and its operator. */
  exclusions?: AstNode[];
  /** `WITH (…)` storage parameters: `DefElem` nodes. */
  options?: AstNode[];
  /** USING INDEX's index. */
  indexname?: string;
  /** USING INDEX TABLESPACE's tablespace. */
  indexspace?: string;
  /** EXCLUDE USING's access method. */
  access_method?: string;
  where_clause?: AstNode;
  pktable?: RangeVar;
  fk_attrs?: AstNode[];
  pk_attrs?: AstNode[];
  fk_matchtype?: string;
  fk_upd_action?: string;
  fk_del_action?: string;
  fk_del_set_cols?: AstNode[];
  location?: number;
};

export type ColumnDef = {
  /** Absent in ALTER COLUMN … TYPE's definition (the command's `name` holds the column). */
  colname?: string;
  typeName?: TypeName;
  is_not_null?: boolean;
  raw_default?: AstNode;
  /** 'a' or 'd' for identity columns. */
  identity?: string;
  /** 's' for stored generated columns. */
  generated?: string;
  compression?: string;
  storage_name?: string;
  collClause?: CollateClause;
  /** `Constraint` nodes written with the column. */
  constraints?: AstNode[];
  location?: number;
};

export type CreateStmt = {
  relation: RangeVar;
  /** `ColumnDef`, `Constraint` and `TableLikeClause` nodes. */
  tableElts?: AstNode[];
  inhRelations?: AstNode[];
  partbound?: PartitionBoundSpec;
  partspec?: PartitionSpec;
  ofTypename?: TypeName;
  /** `WITH (…)` storage parameters: `DefElem` nodes. */
  options?: AstNode[];
  oncommit?: string;
  tablespacename?: string;
  accessMethod?: string;
  if_not_exists?: boolean;
};

export type AlterTableCmd = {
  /** 'AT_AddColumn', 'AT_AddConstraint', 'AT_AlterColumnType', 'AT_SetNotNull', … */
  subtype: string;
  /** The column or constraint the command names. */
  name?: string;
  /** The column's number, for `ALTER INDEX … ALTER COLUMN n SET STATISTICS`. */
  num?: number;
  newowner?: RoleSpec;
  def?: AstNode;
  behavior?: string;
  missing_ok?: boolean;
  recurse?: boolean;
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
  /** `WITH (…)` storage parameters: `DefElem` nodes. */
  options?: AstNode[];
  tableSpace?: string;
  whereClause?: AstNode;
  unique?: boolean;
  nulls_not_distinct?: boolean;
  primary?: boolean;
  isconstraint?: boolean;
  deferrable?: boolean;
  initdeferred?: boolean;
  concurrent?: boolean;
  if_not_exists?: boolean;
};

export type IndexElem = {
  /** The column, for a key that is a plain column. */
  name?: string;
  /** The expression, for an expression key. */
  expr?: AstNode;
  indexcolname?: string;
  collation?: AstNode[];
  opclass?: AstNode[];
  opclassopts?: AstNode[];
  /** 'SORTBY_DEFAULT', 'SORTBY_ASC', 'SORTBY_DESC'. */
  ordering?: string;
  nulls_ordering?: string;
};

/** A plain value node's body: `{ String: { sval } }`, `{ Integer: { ival } }` (0 is `{}`), `{ Float: { fval } }`, `{ Boolean: { boolval } }`. */
export type StringValue = { sval?: string };
export type IntegerValue = { ival?: number };
export type FloatValue = { fval?: string };
export type BooleanValue = { boolval?: boolean };

export type A_Const = {
  ival?: IntegerValue;
  fval?: FloatValue;
  boolval?: BooleanValue;
  sval?: StringValue;
  bsval?: { bsval?: string };
  isnull?: boolean;
  location?: number;
};

export type List = { items?: AstNode[] };

export type CollateClause = { arg?: AstNode; collname?: AstNode[]; location?: number };

export type RoleSpec = {
  /** 'ROLESPEC_CSTRING', 'ROLESPEC_CURRENT_USER', 'ROLESPEC_PUBLIC', … */
  roletype?: string;
  rolename?: string;
  location?: number;
};

export type WindowDef = {
  name?: string;
  refname?: string;
  partitionClause?: AstNode[];
  orderClause?: AstNode[];
  frameOptions?: number;
  location?: number;
};

export type FuncCall = {
  /** `String` nodes, possibly schema-qualified. */
  funcname?: AstNode[];
  args?: AstNode[];
  agg_order?: AstNode[];
  agg_filter?: AstNode;
  over?: WindowDef;
  agg_within_group?: boolean;
  agg_star?: boolean;
  agg_distinct?: boolean;
  func_variadic?: boolean;
  funcformat?: string;
  location?: number;
};

export type TypeCast = { arg?: AstNode; typeName?: TypeName; location?: number };

export type NullTest = {
  arg?: AstNode;
  /** 'IS_NULL' or 'IS_NOT_NULL'. */
  nulltesttype?: string;
  location?: number;
};

export type SubLink = {
  /** 'EXISTS_SUBLINK', 'ANY_SUBLINK' (IN), 'ALL_SUBLINK', 'EXPR_SUBLINK', 'ARRAY_SUBLINK', … */
  subLinkType?: string;
  testexpr?: AstNode;
  operName?: AstNode[];
  /** The subquery (a wrapped `SelectStmt`). */
  subselect?: AstNode;
  location?: number;
};

export type ResTarget = { name?: string; indirection?: AstNode[]; val?: AstNode; location?: number };

export type SortBy = {
  node?: AstNode;
  /** 'SORTBY_DEFAULT', 'SORTBY_ASC', 'SORTBY_DESC', 'SORTBY_USING'. */
  sortby_dir?: string;
  sortby_nulls?: string;
  useOp?: AstNode[];
  location?: number;
};

export type JoinExpr = {
  jointype?: string;
  isNatural?: boolean;
  larg?: AstNode;
  rarg?: AstNode;
  usingClause?: AstNode[];
  quals?: AstNode;
  alias?: Alias;
};

export type RangeSubselect = { lateral?: boolean; subquery?: AstNode; alias?: Alias };

export type CommonTableExpr = {
  ctename?: string;
  aliascolnames?: AstNode[];
  /** 'CTEMaterializeDefault', 'CTEMaterializeAlways', 'CTEMaterializeNever'. */
  ctematerialized?: string;
  ctequery?: AstNode;
  location?: number;
};

export type WithClause = {
  /** `CommonTableExpr` nodes. */
  ctes?: AstNode[];
  recursive?: boolean;
  location?: number;
};

export type DefElem = {
  defnamespace?: string;
  defname?: string;
  arg?: AstNode;
  defaction?: string;
  location?: number;
};

/** RETURNING (PostgreSQL 18: with its OLD/NEW aliases in `options`). */
export type ReturningClause = { options?: AstNode[]; exprs?: AstNode[] };

export type InsertStmt = {
  relation: RangeVar;
  cols?: AstNode[];
  selectStmt?: AstNode;
  onConflictClause?: AstNode;
  returningClause?: ReturningClause;
  withClause?: WithClause;
  override?: string;
};

export type UpdateStmt = {
  relation: RangeVar;
  targetList?: AstNode[];
  whereClause?: AstNode;
  fromClause?: AstNode[];
  returningClause?: ReturningClause;
  withClause?: WithClause;
};

export type DeleteStmt = {
  relation: RangeVar;
  usingClause?: AstNode[];
  whereClause?: AstNode;
  returningClause?: ReturningClause;
  withClause?: WithClause;
};

export type MergeStmt = {
  relation: RangeVar;
  /** The USING source: a `RangeVar`, a `RangeSubselect` or a join. */
  sourceRelation?: AstNode;
  joinCondition?: AstNode;
  /** `MergeWhenClause` nodes. */
  mergeWhenClauses?: AstNode[];
  returningClause?: ReturningClause;
  withClause?: WithClause;
};

export type DropStmt = {
  /** The names dropped: `List`s of `String` nodes (or `TypeName`s, `ObjectWithArgs`, … by kind). */
  objects?: AstNode[];
  /** 'OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', … */
  removeType?: string;
  /** 'DROP_RESTRICT' or 'DROP_CASCADE'. */
  behavior?: string;
  missing_ok?: boolean;
  concurrent?: boolean;
};

export type DropdbStmt = { dbname?: string; missing_ok?: boolean; options?: AstNode[] };

export type TruncateStmt = {
  /** `RangeVar` nodes. */
  relations?: AstNode[];
  restart_seqs?: boolean;
  behavior?: string;
};

export type RenameStmt = {
  /** 'OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_INDEX', … */
  renameType?: string;
  /** For a column: the kind of relation it belongs to. */
  relationType?: string;
  relation?: RangeVar;
  object?: AstNode;
  /** The old name, for a column, constraint or trigger. */
  subname?: string;
  newname?: string;
  behavior?: string;
  missing_ok?: boolean;
};

export type RefreshMatViewStmt = { concurrent?: boolean; skipData?: boolean; relation?: RangeVar };

export type ReindexStmt = {
  /** 'REINDEX_OBJECT_INDEX', 'REINDEX_OBJECT_TABLE', 'REINDEX_OBJECT_SCHEMA', … */
  kind?: string;
  relation?: RangeVar;
  /** The schema or database, for REINDEX SCHEMA / DATABASE / SYSTEM. */
  name?: string;
  /** `DefElem` nodes: CONCURRENTLY, VERBOSE, TABLESPACE. */
  params?: AstNode[];
};

export type VariableSetStmt = {
  /** 'VAR_SET_VALUE', 'VAR_SET_DEFAULT', 'VAR_SET_CURRENT', 'VAR_SET_MULTI', 'VAR_RESET', 'VAR_RESET_ALL'. */
  kind?: string;
  name?: string;
  args?: AstNode[];
  is_local?: boolean;
  location?: number;
};

export type TransactionStmt = {
  /** 'TRANS_STMT_BEGIN', 'TRANS_STMT_START', 'TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', … */
  kind?: string;
  options?: AstNode[];
  savepoint_name?: string;
  gid?: string;
  chain?: boolean;
  location?: number;
};

export type ExplainStmt = { query?: AstNode; options?: AstNode[] };

export type CreateEnumStmt = { typeName?: AstNode[]; vals?: AstNode[] };

export type AlterEnumStmt = {
  typeName?: AstNode[];
  /** For RENAME VALUE. */
  oldVal?: string;
  newVal?: string;
  newValNeighbor?: string;
  newValIsAfter?: boolean;
  skipIfNewValExists?: boolean;
};

export type CreateDomainStmt = { domainname?: AstNode[]; typeName?: TypeName; collClause?: CollateClause; constraints?: AstNode[] };

export type AlterDomainStmt = {
  /** 'T' default, 'N' DROP NOT NULL, 'O' SET NOT NULL, 'C' ADD CONSTRAINT, 'X' DROP CONSTRAINT, 'V' VALIDATE CONSTRAINT. */
  subtype?: string;
  typeName?: AstNode[];
  name?: string;
  def?: AstNode;
  behavior?: string;
  missing_ok?: boolean;
};

export type ObjectWithArgs = { objname?: AstNode[]; objargs?: AstNode[]; objfuncargs?: AstNode[]; args_unspecified?: boolean };

export type CreateFunctionStmt = {
  is_procedure?: boolean;
  replace?: boolean;
  funcname?: AstNode[];
  /** `FunctionParameter` nodes. */
  parameters?: AstNode[];
  returnType?: TypeName;
  /** `DefElem` nodes: language, volatility, the body (`as`), SET, … */
  options?: AstNode[];
  sql_body?: AstNode;
};

export type AlterFunctionStmt = {
  objtype?: string;
  func?: ObjectWithArgs;
  /** `DefElem` nodes. */
  actions?: AstNode[];
};

/** The target of CREATE TABLE AS, CREATE MATERIALIZED VIEW and SELECT … INTO. */
export type IntoClause = { rel?: RangeVar; colNames?: AstNode[]; accessMethod?: string; options?: AstNode[]; onCommit?: string; tableSpaceName?: string; skipData?: boolean };

export type CreateTableAsStmt = {
  query?: AstNode;
  into?: IntoClause;
  /** 'OBJECT_TABLE' or 'OBJECT_MATVIEW'. */
  objtype?: string;
  is_select_into?: boolean;
  if_not_exists?: boolean;
};

export type CreatePolicyStmt = {
  policy_name?: string;
  table?: RangeVar;
  /** 'all', 'select', 'insert', 'update', 'delete'. */
  cmd_name?: string;
  permissive?: boolean;
  /** `RoleSpec` nodes. */
  roles?: AstNode[];
  qual?: AstNode;
  with_check?: AstNode;
};

export type VacuumStmt = {
  /** `DefElem` nodes: FULL, FREEZE, VERBOSE, ANALYZE, … */
  options?: AstNode[];
  /** `VacuumRelation` nodes. */
  rels?: AstNode[];
  /** Absent (false) for ANALYZE. */
  is_vacuumcmd?: boolean;
};

export type VacuumRelation = { relation?: RangeVar; va_cols?: AstNode[] };

export type ClusterStmt = { relation?: RangeVar; indexname?: string; params?: AstNode[] };

export type PartitionBoundSpec = {
  /** 'l' list, 'r' range, 'h' hash. */
  strategy?: string;
  is_default?: boolean;
  modulus?: number;
  remainder?: number;
  listdatums?: AstNode[];
  lowerdatums?: AstNode[];
  upperdatums?: AstNode[];
  location?: number;
};

export type PartitionSpec = {
  /** 'PARTITION_STRATEGY_LIST', 'PARTITION_STRATEGY_RANGE', 'PARTITION_STRATEGY_HASH'. */
  strategy?: string;
  /** `PartitionElem` nodes. */
  partParams?: AstNode[];
  location?: number;
};

export type PartitionElem = { name?: string; expr?: AstNode; collation?: AstNode[]; opclass?: AstNode[]; location?: number };

export type CreateTrigStmt = {
  replace?: boolean;
  isconstraint?: boolean;
  trigname?: string;
  relation?: RangeVar;
  funcname?: AstNode[];
  args?: AstNode[];
  row?: boolean;
  timing?: number;
  events?: number;
  columns?: AstNode[];
  whenClause?: AstNode;
};

export type LockStmt = {
  /** `RangeVar` nodes. */
  relations?: AstNode[];
  /** 1 ACCESS SHARE … 8 ACCESS EXCLUSIVE. */
  mode?: number;
  nowait?: boolean;
};

/** ATTACH / DETACH PARTITION's definition. */
export type PartitionCmd = { name?: RangeVar; bound?: PartitionBoundSpec; concurrent?: boolean };

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
  IndexElem: IndexElem;
  String: StringValue;
  Integer: IntegerValue;
  Float: FloatValue;
  Boolean: BooleanValue;
  A_Const: A_Const;
  List: List;
  CollateClause: CollateClause;
  RoleSpec: RoleSpec;
  FuncCall: FuncCall;
  TypeCast: TypeCast;
  NullTest: NullTest;
  SubLink: SubLink;
  ResTarget: ResTarget;
  SortBy: SortBy;
  JoinExpr: JoinExpr;
  RangeSubselect: RangeSubselect;
  CommonTableExpr: CommonTableExpr;
  WithClause: WithClause;
  DefElem: DefElem;
  InsertStmt: InsertStmt;
  UpdateStmt: UpdateStmt;
  DeleteStmt: DeleteStmt;
  MergeStmt: MergeStmt;
  DropStmt: DropStmt;
  DropdbStmt: DropdbStmt;
  TruncateStmt: TruncateStmt;
  RenameStmt: RenameStmt;
  RefreshMatViewStmt: RefreshMatViewStmt;
  ReindexStmt: ReindexStmt;
  VariableSetStmt: VariableSetStmt;
  TransactionStmt: TransactionStmt;
  ExplainStmt: ExplainStmt;
  CreateEnumStmt: CreateEnumStmt;
  AlterEnumStmt: AlterEnumStmt;
  CreateDomainStmt: CreateDomainStmt;
  AlterDomainStmt: AlterDomainStmt;
  ObjectWithArgs: ObjectWithArgs;
  CreateFunctionStmt: CreateFunctionStmt;
  AlterFunctionStmt: AlterFunctionStmt;
  CreateTableAsStmt: CreateTableAsStmt;
  CreatePolicyStmt: CreatePolicyStmt;
  VacuumStmt: VacuumStmt;
  VacuumRelation: VacuumRelation;
  ClusterStmt: ClusterStmt;
  PartitionBoundSpec: PartitionBoundSpec;
  PartitionSpec: PartitionSpec;
  PartitionElem: PartitionElem;
  PartitionCmd: PartitionCmd;
  CreateTrigStmt: CreateTrigStmt;
  LockStmt: LockStmt;
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

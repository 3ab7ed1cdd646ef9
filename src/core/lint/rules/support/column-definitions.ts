import type { SourceRange } from '../../../types';
import type { Statement } from '../../../sql/statement';
import { relationName, stringList, tokenIndexAt, type RelationName } from '../../../sql/ast';
import { nodeOf, type ColumnDef, type Constraint, type TypeName } from '../../../sql/nodes';
import { canonicalFromNames } from '../../../schema/type-names';
import { tableKey, type SchemaModel } from '../../../schema/model';

/**
 * The places a statement gives a column its type: `CREATE TABLE` column definitions,
 * `ALTER TABLE … ADD COLUMN` and `ALTER COLUMN … TYPE`. The column-type rules report here,
 * on the definition, and rewrite only the type tokens.
 */
export interface ColumnDefinition {
  table: RelationName;
  column: string;
  origin: 'create' | 'add-column' | 'alter-type';
  /** The libpg-query ColumnDef node. */
  def: ColumnDef;
  /** Type names as the grammar produced them, e.g. ['pg_catalog', 'int4'] or ['serial']. */
  typeNames: string[];
  /** Canonical type name (schema/type-names), e.g. 'integer', 'timestamp', 'char'. */
  type: string;
  /** Type modifiers as integers, e.g. [12, 2]; empty when none or not literal. */
  typeModifiers: number[];
  isArray: boolean;
  /** Part of the primary key declared in this statement, or (for ALTER COLUMN TYPE) of the table's existing one. */
  primaryKey: boolean;
  identity: boolean;
  /** The whole column definition, where findings are reported. */
  readonly range: SourceRange;
  /** The type name tokens only (modifiers included, array brackets and constraints not): what fixes replace. */
  readonly typeRange: SourceRange;
}

/** The last computation: rules check one statement at a time (see query-walk.ts on WeakMaps). */
let cached: { statement: Statement; schema: SchemaModel | undefined; definitions: ColumnDefinition[] } | undefined;

/** The statement's column definitions; the eight column-type rules share one computation per statement and schema. */
export function columnDefinitions(statement: Statement, schema?: SchemaModel): ColumnDefinition[] {
  if (cached?.statement === statement && cached.schema === schema) return cached.definitions;
  const definitions = computeDefinitions(statement, schema);
  cached = { statement, schema, definitions };
  return definitions;
}

function computeDefinitions(statement: Statement, schema: SchemaModel | undefined): ColumnDefinition[] {
  const ast = statement.ast;
  const out: ColumnDefinition[] = [];
  const create = nodeOf(ast, 'CreateStmt');
  const alter = nodeOf(ast, 'AlterTableStmt');
  if (create) {
    const table = relationName(create.relation);
    if (!table) return out;
    const tablePk = new Set<string>();
    for (const elt of create.tableElts ?? []) {
      const c = nodeOf(elt, 'Constraint');
      if (c?.contype === 'CONSTR_PRIMARY') for (const k of stringList(c.keys)) tablePk.add(k);
    }
    for (const elt of create.tableElts ?? []) {
      const def = nodeOf(elt, 'ColumnDef');
      if (!def?.colname || !def.typeName) continue;
      out.push(site(statement, table, def.colname, 'create', def, def.typeName, tablePk.has(def.colname)));
    }
  } else if (alter) {
    const table = relationName(alter.relation);
    if (!table || alter.objtype !== 'OBJECT_TABLE') return out;
    for (const cmd of alter.cmds ?? []) {
      const c = nodeOf(cmd, 'AlterTableCmd');
      const def = nodeOf(c?.def, 'ColumnDef');
      if (!c || !def?.typeName) continue;
      if (c.subtype === 'AT_AddColumn' && def.colname) {
        out.push(site(statement, table, def.colname, 'add-column', def, def.typeName, false));
      } else if (c.subtype === 'AT_AlterColumnType' && c.name) {
        const existing = schema?.tables.get(tableKey(table.schema ?? 'public', table.name));
        const inPk = existing?.primaryKey?.columns.includes(c.name) ?? false;
        out.push(site(statement, table, c.name, 'alter-type', def, def.typeName, inPk));
      }
    }
  }
  return out;
}

function site(
  statement: Statement,
  table: RelationName,
  column: string,
  origin: ColumnDefinition['origin'],
  def: ColumnDef,
  typeName: TypeName,
  tablePk: boolean,
): ColumnDefinition {
  const typeNames = stringList(typeName.names);
  const constraints = (def.constraints ?? []).map((c) => nodeOf(c, 'Constraint')).filter((c): c is Constraint => c !== undefined);
  const typeModifiers: number[] = [];
  for (const m of typeName.typmods ?? []) {
    const v = nodeOf(m, 'A_Const')?.ival;
    if (v) typeModifiers.push(typeof v.ival === 'number' ? v.ival : 0);
  }
  return {
    table,
    column,
    origin,
    def,
    typeNames,
    type: canonicalFromNames(typeNames),
    typeModifiers,
    isArray: Array.isArray(typeName.arrayBounds) && typeName.arrayBounds.length > 0,
    primaryKey: tablePk || constraints.some((c) => c.contype === 'CONSTR_PRIMARY'),
    identity: constraints.some((c) => c.contype === 'CONSTR_IDENTITY'),
    // Ranges need the statement's tokens: computed only for the columns a rule reports.
    get range() {
      return statement.constructRange(def.location);
    },
    get typeRange() {
      return typeSpan(statement, typeName.location);
    },
  };
}

/** Words that continue a multi-word type name: `double precision`, `timestamp(3) with time zone`, `interval day to second`. */
const TYPE_CONTINUATION = new Set([
  'PRECISION', 'VARYING', 'WITH', 'WITHOUT', 'TIME', 'ZONE', 'CHARACTER', 'CHAR', 'VARCHAR',
  'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'TO',
]);

/** Range of the type name starting at a TypeName location: qualified name, modifiers and trailing type words. */
export function typeSpan(statement: Statement, byteLocation: number | undefined): SourceRange {
  const tokens = statement.tokens();
  let i = tokenIndexAt(tokens, statement.offsetOf(byteLocation));
  const first = tokens[i];
  if (!first) return statement.locate(byteLocation);
  let end = first.end;
  i++;
  while (i + 1 < tokens.length && tokens[i].text === '.' && tokens[i].kind === 'punct') {
    end = tokens[i + 1].end;
    i += 2;
  }
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.kind === 'comment') {
      i++;
    } else if (t.kind === 'punct' && t.text === '(') {
      const close = closingParen(tokens, i);
      if (close < 0) break;
      end = tokens[close].end;
      i = close + 1;
    } else if ((t.kind === 'keyword' || t.kind === 'ident') && t.word && TYPE_CONTINUATION.has(t.word)) {
      end = t.end;
      i++;
    } else break;
  }
  return statement.rangeOf(first.start, end);
}

/** Index of the ')' closing the '(' at `open`, or -1. */
export function closingParen(tokens: ReturnType<Statement['tokens']>, open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

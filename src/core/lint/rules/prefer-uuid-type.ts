import type { Rule, StatementContext } from '../rule';
import { stringList, walk, walkNodesOf, type Node, type RelationName } from '../../sql/ast';
import { nodeOf, type Constraint } from '../../sql/nodes';
import type { Statement } from '../../sql/statement';
import { canonicalFromNames } from '../../schema/type-names';
import { isUuidGenerator, isUuidTextType, namesOtherIdScheme, UUID_TEXT_LENGTH, uuidGeneratorName } from '../../schema/uuid-columns';
import { columnDefinitions, type ColumnDefinition } from './support/column-definitions';
import { foreignKeysOf, sameTable } from './support/key-constraints';

/**
 * prefer-uuid-type: a column holding UUIDs but stored as text. It reports only on positive
 * evidence of UUID content, never on a name alone (`id`, `*_id` columns hold cuid, nanoid,
 * ulid, snowflake… ids just as often, and a uuid column rejects those):
 * - a DEFAULT calling a UUID generator (possibly cast to text); any other DEFAULT
 *   (`nanoid()`, `generate_ulid()`, a literal) says another scheme and silences the rule;
 * - for ALTER COLUMN … TYPE, the existing column's DEFAULT, the same way;
 * - a CHECK matching the UUID text pattern or casting the column to uuid;
 * - a length of 36 (`varchar(36)`, `char(36)`), unless the name says another scheme
 *   (`cuid`, `nanoid`, `ulid`, `slug`…).
 * In Prisma: `String @default(uuid())` / `dbgenerated("gen_random_uuid()")` without `@db.Uuid`,
 * or `@db.VarChar(36)`/`@db.Char(36)` without a default.
 *
 * The fix (`uuid` in place of the type) is offered only where it cannot fail: a generator
 * DEFAULT without a cast, on a column created by this statement (CREATE TABLE / ADD COLUMN),
 * that is no foreign key itself, that no foreign key of this or a later statement of the file
 * references, and that no CHECK of the statement uses as text. On PG15 the type change fails
 * otherwise ("foreign key constraint … cannot be implemented … text and uuid", "default for
 * column … cannot be cast automatically to type uuid", "function length(uuid) does not exist").
 */
/** The generator's name when a DEFAULT expression node calls one, and whether it was cast. */
function uuidGenerator(expr: Node | undefined): { name: string; cast: boolean } | undefined {
  const typeCast = nodeOf(expr, 'TypeCast');
  const cast = typeCast !== undefined;
  const call = nodeOf(typeCast ? typeCast.arg : expr, 'FuncCall');
  if (!call || (call.args ?? []).length > 0) return undefined;
  const names = stringList(call.funcname);
  const name = names[names.length - 1]?.toLowerCase();
  return name && isUuidGenerator(name) ? { name, cast } : undefined;
}

type Evidence =
  | { kind: 'default'; name: string; cast: boolean }
  | { kind: 'existing-default'; name: string }
  | { kind: 'check' }
  | { kind: 'length' };

/** A regex literal of the UUID text form: 8-4-4-4-12 hex groups. */
const UUID_PATTERN = /\{8\}[\s\S]*\{4\}[\s\S]*\{12\}/;



/** The column is (part of) a foreign key: declared in this statement or a later one of the file, or already in the schema. */
function isForeignKeyColumn(context: StatementContext, col: ColumnDefinition): boolean {
  const declares = (ast: Node | undefined): boolean => foreignKeysOf(ast).some((fk) => sameTable(fk.table, col.table) && fk.columns.includes(col.column));
  if (context.statements.some((s) => s.index >= context.statement.index && declares(s.ast))) return true;
  return context.table(col.table)?.foreignKeys.some((fk) => fk.columns.includes(col.column)) === true;
}

function display(table: RelationName): string {
  return table.schema ? `${table.schema}.${table.name}` : table.name;
}

/** CHECK constraints of the statement that mention the column: its own, and the table's. */
function checksOn(statement: Statement, col: ColumnDefinition): Constraint[] {
  const ast = statement.ast;
  const isCheck = (c: Constraint | undefined): c is Constraint => c?.contype === 'CONSTR_CHECK';
  const own = (col.def.constraints ?? []).map((c) => nodeOf(c, 'Constraint')).filter(isCheck);
  const tableLevel: Constraint[] = [];
  for (const elt of nodeOf(ast, 'CreateStmt')?.tableElts ?? []) {
    const con = nodeOf(elt, 'Constraint');
    if (isCheck(con)) tableLevel.push(con);
  }
  for (const cmd of nodeOf(ast, 'AlterTableStmt')?.cmds ?? []) {
    const c = nodeOf(cmd, 'AlterTableCmd');
    const con = nodeOf(c?.def, 'Constraint');
    if (c?.subtype === 'AT_AddConstraint' && isCheck(con)) tableLevel.push(con);
  }
  return [...own, ...tableLevel.filter((c) => mentions(c, col.column))];
}

function mentions(node: object, column: string): boolean {
  let found = false;
  walkNodesOf(node, 'ColumnRef', (ref) => {
    const fields = stringList(ref.fields);
    if (fields.length > 0 && fields[fields.length - 1] === column) found = true;
  });
  return found;
}

/** A CHECK that holds the column to the UUID text pattern, or casts it to uuid. */
function isUuidCheck(check: Constraint, column: string): boolean {
  let found = false;
  walk(check, (n, key) => {
    const s = key === 'A_Const' ? n.sval?.sval : undefined;
    if (typeof s === 'string' && UUID_PATTERN.test(s)) found = true;
    if (key === 'TypeCast' && canonicalFromNames(stringList(n.typeName?.names)) === 'uuid' && mentions(n, column)) found = true;
  });
  return found;
}

/** What a uuid column would break in this file: foreign keys from and to it, CHECKs using it as text. */
function fixBlockers(context: StatementContext, col: ColumnDefinition, checks: Constraint[]): string[] {
  const blockers: string[] = [];
  for (const fk of foreignKeysOf(context.statement.ast)) {
    if (sameTable(fk.table, col.table) && fk.columns.includes(col.column)) {
      blockers.push(`it references ${display(fk.refTable)}${fk.refColumns.length ? ` (${fk.refColumns.join(', ')})` : ''}, whose type it must match`);
    }
  }
  const referencing = new Set<string>();
  for (const statement of context.statements.slice(context.statement.index)) {
    for (const fk of foreignKeysOf(statement.ast)) {
      if (!sameTable(fk.refTable, col.table)) continue;
      const cols = fk.refColumns.length ? fk.refColumns : col.primaryKey ? [col.column] : [];
      const i = cols.indexOf(col.column);
      if (i >= 0 && fk.columns[i] !== undefined && !(sameTable(fk.table, col.table) && fk.columns[i] === col.column)) {
        referencing.add(`${display(fk.table)}.${fk.columns[i]}`);
      }
    }
  }
  if (referencing.size) blockers.push(`${[...referencing].join(', ')} references it as text (a foreign key needs the same type on both sides)`);
  if (checks.length) blockers.push('a CHECK constraint uses it as text (a text pattern or function does not apply to uuid)');
  return blockers;
}

const COSTS = '37 bytes per value instead of 16, compared as collated text, so its indexes are over twice as large and slower, and any string is accepted';

export const rule: Rule = {
  id: 'prefer-uuid-type',
  kind: 'statement',
  defaultSeverity: 'info',
  fixable: true,
  docs: {
    description: 'UUIDs stored as text take 37 bytes instead of 16 and compare as collated strings: bigger, slower indexes.',
  },
  check(context) {
    for (const col of columnDefinitions(context.statement, context.schema)) {
      if (!isUuidTextType(col.type) || col.isArray) continue;
      const defaultExpr = (col.def.constraints ?? []).map((c) => nodeOf(c, 'Constraint')).find((c) => c?.contype === 'CONSTR_DEFAULT')?.raw_expr;
      const checks = checksOn(context.statement, col);
      let evidence: Evidence | undefined;
      if (defaultExpr) {
        // Any other default (nanoid(), generate_ulid(), a literal) says the values are not UUIDs.
        const generator = uuidGenerator(defaultExpr);
        if (!generator) continue;
        evidence = { kind: 'default', ...generator };
      } else {
        const existingDefault = col.origin === 'alter-type' ? context.table(col.table)?.columns.find((c) => c.name === col.column)?.default : undefined;
        if (existingDefault !== undefined) {
          const name = uuidGeneratorName(existingDefault);
          if (!name) continue;
          evidence = { kind: 'existing-default', name };
        } else if (namesOtherIdScheme(col.column)) {
          continue;
        } else if (checks.some((c) => isUuidCheck(c, col.column))) {
          evidence = { kind: 'check' };
        } else if (col.typeModifiers[0] === UUID_TEXT_LENGTH && (col.type === 'varchar' || col.type === 'char')) {
          // A foreign key column must keep the type of the key it references: the finding belongs on that key, once.
          if (isForeignKeyColumn(context, col)) continue;
          evidence = { kind: 'length' };
        } else continue;
      }

      let message: string;
      let fixable = false;
      const existing =
        col.origin === 'alter-type'
          ? `; no fix, as this is an existing column: ALTER COLUMN … TYPE uuid USING ${col.column}::uuid rewrites the table under an ACCESS EXCLUSIVE lock, ` +
            'and fails on a default cast to text (drop it and set it again), on every text foreign key referencing the column ' +
            '(drop those foreign keys, convert their columns too, add them back) and on any value that is not a UUID'
          : '';
      if (evidence.kind === 'default' || evidence.kind === 'existing-default') {
        message = `"${col.column}" holds ${evidence.name}() values as ${col.type}: ${COSTS}; use the uuid type`;
        if (existing) message += existing;
        else if (evidence.kind === 'default' && evidence.cast) {
          message += '; no fix: the default is cast to text and a uuid column rejects a text default ("cannot be cast automatically to type uuid"), so drop the cast as well';
        } else {
          const blockers = fixBlockers(context, col, checks);
          if (blockers.length) message += `; no fix, since changing this type alone would fail: ${blockers.join('; ')}. Change them together`;
          else fixable = true;
        }
      } else {
        const what =
          evidence.kind === 'length'
            ? `"${col.column}" is ${col.type}(${UUID_TEXT_LENGTH}), the length of a UUID's text form`
            : `"${col.column}" is checked against the UUID pattern but stored as ${col.type}`;
        message =
          `${what}: if every value is a UUID, use the uuid type (16 bytes instead of 37, smaller and faster indexes, malformed ids rejected` +
          (evidence.kind === 'check' ? ', so the CHECK can go: a text pattern does not apply to uuid' : '') +
          ')' +
          (existing || '; no fix, since nothing here shows that every value is a UUID (cuid, nanoid or ulid ids would be rejected) and the application must send UUIDs');
      }
      context.report({
        message,
        range: col.range,
        fix: fixable ? { title: 'Use uuid (a new column with a UUID generator default and no foreign keys)', edits: [{ range: col.typeRange, newText: 'uuid' }] } : undefined,
      });
    }
  },
};

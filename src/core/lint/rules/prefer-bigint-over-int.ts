import type { Rule, StatementContext } from '../rule';
import { relationName, stringList, walkNodesOf } from '../../sql/ast';
import { intKeyLimit, serialBaseType } from '../../schema/type-names';
import { columnDefinitions, type ColumnDefinition } from './support/column-definitions';
import { nodeOf } from '../../sql/nodes';

/**
 * prefer-bigint-over-int: a key column (primary key, serial or identity) of type smallint or
 * integer. A plain column of a composite primary key (an attempt number, a line number) counts
 * only when a sequence feeds it or a foreign key references the key: otherwise its values do not
 * grow with the table.
 */
/** 2147483647 → "2,147,483,647" (as en-US shows it): loading Intl's locale data costs tens of ms per process. */
const formatLimit = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

const WIDER_SERIAL: Record<string, string> = { serial: 'bigserial', serial4: 'bigserial', smallserial: 'bigserial', serial2: 'bigserial' };

export const rule: Rule = {
  id: 'prefer-bigint-over-int',
  kind: 'statement',
  defaultSeverity: 'info',
  fixable: true,
  docs: {
    description:
      'A 32-bit key runs out at 2,147,483,647: inserts then fail, and widening it rewrites the table and its foreign keys.',
  },
  check(context) {
    for (const col of columnDefinitions(context.statement, context.schema)) {
      const written = col.typeNames.length === 1 ? col.typeNames[0].toLowerCase() : '';
      const serial = serialBaseType(written) !== undefined;
      const limit = intKeyLimit(col.type);
      if (limit === undefined || col.isArray) continue;
      if (!col.primaryKey && !serial && !col.identity) continue;
      if (!serial && !col.identity && !countsAsKey(context, col)) continue;
      const role = col.primaryKey ? 'primary key' : serial ? 'serial column' : 'identity column';
      const shown = serial ? written : col.type;
      context.report({
        message:
          `${role} "${col.column}" is ${shown}: once it passes ${formatLimit(limit)} every insert fails ` +
          `("out of range"), and widening it later rewrites the table and every referencing foreign key under ACCESS EXCLUSIVE; use bigint`,
        range: col.range,
        fix: {
          title: serial ? 'Use bigserial' : 'Use bigint',
          edits: [{ range: col.typeRange, newText: serial ? WIDER_SERIAL[written] : 'bigint' }],
        },
      });
    }
  },
};

/**
 * A primary-key column that runs out: the key is that column alone, a sequence feeds it
 * (`DEFAULT nextval(…)`), or a foreign key references the key (this file or earlier migrations).
 */
function countsAsKey(context: StatementContext, col: ColumnDefinition): boolean {
  const keyColumns = primaryKeyColumns(context, col);
  if (keyColumns.length <= 1) return true;
  if (sequenceDefault(context, col)) return true;
  return referencedByForeignKey(context, col, keyColumns);
}

/** The primary key's columns as this statement declares it, or (ALTER COLUMN TYPE) as the table has it. */
function primaryKeyColumns(context: StatementContext, col: ColumnDefinition): string[] {
  if ((col.def.constraints ?? []).some((c) => nodeOf(c, 'Constraint')?.contype === 'CONSTR_PRIMARY')) return [col.column];
  if (col.origin === 'alter-type') return context.table(col.table)?.primaryKey?.columns ?? [col.column];
  for (const elt of nodeOf(context.statement.ast, 'CreateStmt')?.tableElts ?? []) {
    const con = nodeOf(elt, 'Constraint');
    if (con?.contype === 'CONSTR_PRIMARY') return stringList(con.keys);
  }
  return [col.column];
}

function sequenceDefault(context: StatementContext, col: ColumnDefinition): boolean {
  if (col.origin === 'alter-type') {
    const existing = context.table(col.table)?.columns.find((c) => c.name === col.column);
    return /\bnextval\s*\(/i.test(existing?.default ?? '');
  }
  let found = false;
  for (const c of col.def.constraints ?? []) {
    const con = nodeOf(c, 'Constraint');
    if (con?.contype !== 'CONSTR_DEFAULT') continue;
    walkNodesOf(con.raw_expr, 'FuncCall', (call) => {
      const names = stringList(call.funcname);
      if (names[names.length - 1]?.toLowerCase() === 'nextval') found = true;
    });
  }
  return found;
}

/** A foreign key (any table) whose referenced table is this one and whose referenced columns are the key (or omitted). */
function referencedByForeignKey(context: StatementContext, col: ColumnDefinition, keyColumns: string[]): boolean {
  const sameKey = (refColumns: string[]): boolean =>
    refColumns.length === 0 || (refColumns.length === keyColumns.length && refColumns.every((c) => keyColumns.includes(c)));
  const table = context.table(col.table);
  if (table) {
    for (const other of context.schema.tables.values()) {
      if (other.foreignKeys.some((fk) => fk.refSchema === table.schema && fk.refTable === table.name && sameKey(fk.refColumns))) return true;
    }
  }
  let found = false;
  for (const statement of context.statements) {
    if (found) break;
    walkNodesOf(statement.ast, 'Constraint', (con) => {
      if (found || con.contype !== 'CONSTR_FOREIGN') return;
      const ref = relationName(con.pktable);
      const sameTable = ref?.name === col.table.name && (ref.schema === undefined || col.table.schema === undefined || ref.schema === col.table.schema);
      if (sameTable && sameKey(stringList(con.pk_attrs))) found = true;
    });
  }
  return found;
}

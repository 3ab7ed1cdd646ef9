import type { Rule } from '../rule';
import type { Column } from '../../schema/model';
import { stringList, type Node } from '../../sql/ast';
import { columnDefinitions } from './support/column-definitions';

/**
 * prefer-uuid-type: a column filled with generated UUIDs but stored as text. In SQL, a
 * text/varchar/char column whose DEFAULT calls a UUID generator (possibly cast to text); in
 * Prisma, `String @id @default(uuid())` without `@db.Uuid`.
 *
 * Exported for the Prisma and live-catalog checks:
 * - `isUuidDefault(expression)`: a default expression's SQL text is a UUID generator call
 *   (`gen_random_uuid()`, `uuid_generate_v1()`/`v4()`, `uuidv4()`, `uuidv7()`, Prisma's `uuid()`),
 *   optionally parenthesised and cast (`gen_random_uuid()::text`).
 * - `storesUuidAsText(column)`: canonical type text/varchar/char and `isUuidDefault(column.default)`.
 */
const UUID_FUNCTIONS = new Set(['gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'uuid']);
const TEXT_TYPES = new Set(['text', 'varchar', 'char']);
const UUID_DEFAULT = /^\(*\s*(?:[a-z_][a-z0-9_]*\.)?([a-z_][a-z0-9_]*)\s*\(\s*\)\s*\)*\s*(?:::\s*[a-z ]+(?:\(\s*\d+\s*\))?\s*)?$/i;

export function isUuidDefault(expression: string): boolean {
  const m = UUID_DEFAULT.exec(expression.trim());
  return m !== null && UUID_FUNCTIONS.has(m[1].toLowerCase());
}

export function storesUuidAsText(column: Pick<Column, 'type' | 'default'>): boolean {
  return TEXT_TYPES.has(column.type) && column.default !== undefined && isUuidDefault(column.default);
}

/** The generator's name when a DEFAULT expression node calls one, and whether it was cast. */
function uuidGenerator(expr: Node | undefined): { name: string; cast: boolean } | undefined {
  const cast = expr?.TypeCast !== undefined;
  const call = (cast ? expr?.TypeCast.arg : expr)?.FuncCall;
  if (!call || (call.args ?? []).length > 0) return undefined;
  const names = stringList(call.funcname);
  const name = names[names.length - 1]?.toLowerCase();
  return name && UUID_FUNCTIONS.has(name) ? { name, cast } : undefined;
}

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
      if (!TEXT_TYPES.has(col.type) || col.isArray) continue;
      const defaultExpr = (col.def.constraints ?? [])
        .map((c: Node) => c.Constraint)
        .find((c: Node | undefined) => c?.contype === 'CONSTR_DEFAULT')?.raw_expr;
      const generator = uuidGenerator(defaultExpr);
      if (!generator) continue;
      context.report({
        message:
          `"${col.column}" holds ${generator.name}() values as ${col.type}: 37 bytes per value instead of 16, compared as collated text, ` +
          'so its indexes are over twice as large and slower, and any string is accepted; use the uuid type',
        range: col.range,
        // With a cast in the default, the type change alone would not run (text has no assignment cast to uuid).
        fix: generator.cast ? undefined : { title: 'Use uuid', edits: [{ range: col.typeRange, newText: 'uuid' }] },
      });
    }
  },
};

import type { Rule } from '../rule';
import { serialBaseType } from '../../schema/type-names';
import { columnDefinitions } from './support/column-definitions';

/**
 * prefer-bigint-over-int: a key column (primary key, serial or identity) of type smallint or
 * integer. Exported for Prisma (`Int @id`) and the live catalog: `intKeyLimit(type)`.
 */
const LIMITS: Record<string, number> = { smallint: 32767, integer: 2147483647 };

/** Largest value of a canonical type that is too narrow for a key (smallint, integer); undefined otherwise. */
export function intKeyLimit(type: string): number | undefined {
  return LIMITS[type];
}

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

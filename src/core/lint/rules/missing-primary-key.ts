import type { Rule } from '../rule';
import { tablesWithoutPrimaryKey } from '../../schema/primary-key';

/**
 * missing-primary-key: a table without a primary key. Temporary and unlogged tables are left
 * alone: Postgres refuses to add either to a publication ("This operation is not supported for
 * unlogged tables"), so logical replication never applies their UPDATEs and DELETEs, and even
 * under FOR ALL TABLES their UPDATEs without a replica identity succeed (checked on Postgres 15);
 * a temporary table also lives for one session.
 */
export const rule: Rule = {
  id: 'missing-primary-key',
  kind: 'schema',
  defaultSeverity: 'warning',
  docs: {
    description:
      'A table without a primary key: logical replication cannot apply its UPDATEs and DELETEs, and duplicate rows cannot be told apart.',
  },
  check(context) {
    for (const table of tablesWithoutPrimaryKey(context.schema)) {
      if (!table.source) continue;
      context.report({
        file: table.source.file,
        message:
          `table ${table.name} has no primary key: with logical replication (and tools built on it) its UPDATEs and DELETEs fail ` +
          '("cannot update table because it does not have a replica identity"), duplicate rows cannot be told apart or removed one by one, ' +
          'and ORMs cannot address a row; add a primary key',
        range: table.source.range,
      });
    }
  },
};

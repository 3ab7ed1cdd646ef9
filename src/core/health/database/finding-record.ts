import { SEVERITY_RANK } from '../../types';
import type { HealthFinding, HealthRuleId } from '../health-finding';
import type { DatabaseFinding, DatabaseRuleId } from './check';

/**
 * One finding of `pglens health`, whichever part of the report raised it: an index or schema
 * finding (about a table) or a database check (a table, a sequence, a session or the database).
 * The shape of `pglens health`'s JSON findings, where `ruleId` is written `rule` (docs/cli.md).
 */
export interface HealthFindingRecord extends Omit<DatabaseFinding, 'ruleId'> {
  ruleId: HealthRuleId | DatabaseRuleId;
  index?: string;
  columns?: string[];
}

/** Both kinds in one list, most severe first (each list keeps its own order within a severity). */
export function healthFindingRecords(indexFindings: readonly HealthFinding[], databaseFindings: readonly DatabaseFinding[]): HealthFindingRecord[] {
  const records: HealthFindingRecord[] = [
    ...indexFindings.map((f): HealthFindingRecord => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      schema: f.schema,
      table: f.table,
      ...(f.index !== undefined && { index: f.index }),
      ...(f.columns && { columns: f.columns }),
      ...(f.fixSql && { fixSql: f.fixSql }),
    })),
    ...databaseFindings.map((f): HealthFindingRecord => ({ ...f })),
  ];
  // Array.prototype.sort is stable: equal severities keep the order above.
  return records.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}

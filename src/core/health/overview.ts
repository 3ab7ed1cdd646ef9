import { tableKey } from '../schema/model';
import type { CatalogIndex, CatalogTable } from './catalog';
import type { HealthReport } from './findings';
import { formatBytes, formatCount, formatTimestamp } from './format';
import type { HealthFinding, HealthRuleId } from './health-finding';

/**
 * A health report grouped the way the sidebar walks it (schema → table → index), built once
 * per snapshot so expanding a node is a map lookup, never a query.
 */
export interface HealthOverview {
  report: HealthReport;
  tablesBySchema: Map<string, CatalogTable[]>;
  /** Keyed by `schema.table`. */
  indexesByTable: Map<string, CatalogIndex[]>;
  findingsByRule: Map<HealthRuleId, HealthFinding[]>;
  /** Keyed by `schema.table`. */
  findingsByTable: Map<string, HealthFinding[]>;
}

export function healthOverview(report: HealthReport): HealthOverview {
  const tablesBySchema = new Map<string, CatalogTable[]>(report.schemas.map((s) => [s, []]));
  for (const t of report.tables) {
    const list = tablesBySchema.get(t.schema);
    if (list) list.push(t);
    else tablesBySchema.set(t.schema, [t]);
  }
  const indexesByTable = new Map<string, CatalogIndex[]>();
  for (const i of report.indexes) push(indexesByTable, tableKey(i.schema, i.table), i);
  const findingsByRule = new Map<HealthRuleId, HealthFinding[]>();
  const findingsByTable = new Map<string, HealthFinding[]>();
  for (const f of report.findings) {
    push(findingsByRule, f.ruleId, f);
    push(findingsByTable, tableKey(f.schema, f.table), f);
  }
  return { report, tablesBySchema, indexesByTable, findingsByRule, findingsByTable };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** One line for a table: `~1.2k rows · 64 kB · seq 3 / idx 40 scans · 2 dead`. */
export function tableSummary(t: CatalogTable): string {
  const rows = t.estimatedRows ?? t.liveTuples;
  const parts = [`~${formatCount(rows)} rows`, formatBytes(t.totalBytes), `seq ${formatCount(t.seqScan)} / idx ${t.idxScan === null ? '–' : formatCount(t.idxScan)} scans`];
  if (t.deadTuples > 0) parts.push(`${formatCount(t.deadTuples)} dead`);
  return parts.join(' · ');
}

/** One line for an index: `12 scans · 16 kB · unique · INVALID`. */
export function indexSummary(i: CatalogIndex): string {
  const parts = [i.scans === null ? 'scans not counted' : `${formatCount(i.scans)} scans`, formatBytes(i.sizeBytes)];
  if (i.primary) parts.push('primary key');
  else if (i.unique) parts.push('unique');
  if (i.method !== 'btree') parts.push(i.method);
  if (i.predicate) parts.push('partial');
  if (!i.valid) parts.push('INVALID');
  return parts.join(' · ');
}

/** Most recent of manual and automatic ANALYZE, as text. */
export function lastAnalyzeText(t: CatalogTable): string {
  const times = [t.lastAnalyze, t.lastAutoanalyze].filter((x): x is string => x !== null).sort();
  const last = times[times.length - 1];
  return last ? formatTimestamp(last) : 'never';
}

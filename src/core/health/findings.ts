import { ruleSetting, type PglensConfig } from '../config';
import type { Connection, ConnectionKind } from '../db/connection';
import { tableKey, type SchemaModel, type Table } from '../schema/model';
import { SEVERITY_RANK } from '../types';
import { readCatalog, type CatalogIndex, type CatalogOptions, type CatalogSnapshot, type CatalogTable } from './catalog';
import { foreignKeyIndexNamer, relationNamesIn } from '../schema/foreign-key-indexes';
import { concurrentDefinition, createIndexSql, dropIndexSql, qualifiedName, rebuildIndexSql } from './fix-sql';
import { formatBytes, formatCount, statsSinceText } from './format';
import { INDEX_HEALTH_RULES, type HealthFinding } from './health-finding';
import { liveSchema } from './live-schema';
import { schemaRuleViolations } from './schema-rules';
import { DEFAULT_MIN_STATS_DAYS, unusedIndexFindings } from './unused-index';

export interface HealthConnectionInfo {
  kind: ConnectionKind;
  /** Never contains a password (Connection contract). */
  label: string;
  serverVersion: string;
  database: string;
}

export interface HealthReport {
  connection: HealthConnectionInfo;
  /** ISO time of the last statistics reset; null when none is recorded (see `statsSince`). */
  statsReset: string | null;
  /** Since when scans are counted, as a sentence. */
  statsSince: string;
  serverStarted: string | null;
  isReplica: boolean;
  schemas: string[];
  tables: CatalogTable[];
  indexes: CatalogIndex[];
  findings: HealthFinding[];
  /** What the report could not judge, and why (e.g. usage rules on the embedded sandbox). */
  notes: string[];
  catalog: CatalogSnapshot;
}

export interface HealthOptions extends CatalogOptions {
  /** seq-scan-heavy-table: minimum estimated rows (default: its `minRows` in INDEX_HEALTH_RULES). */
  seqScanMinRows?: number;
  /** seq-scan-heavy-table: rows read by sequential scans per row fetched by index scans (default: its `ratio`). */
  seqScanRatio?: number;
  /** unused-index: judge nothing while the usage statistics cover fewer days than this (default: its `minStatsDays`; 0 judges always). */
  unusedMinStatsDays?: number;
  /** `.pglens.json`: rule severities ('off' drops a rule), seq-scan-heavy-table's `minRows` / `ratio` and unused-index's `minStatsDays` options. */
  config?: PglensConfig;
}

/** Reads the catalog once and judges it: the core of the health view and `pglens indexes`. */
export async function healthReport(conn: Connection, options: HealthOptions = {}): Promise<HealthReport> {
  const catalog = await readCatalog(conn, options);
  const { findings, notes } = healthFindings(catalog, conn.kind, options);
  return {
    connection: { kind: conn.kind, label: conn.label, serverVersion: catalog.server.serverVersion, database: catalog.server.database },
    statsReset: catalog.server.statsReset,
    statsSince: statsSinceText(catalog.server.statsReset, catalog.server.serverStarted),
    serverStarted: catalog.server.serverStarted,
    isReplica: catalog.server.isReplica,
    schemas: catalog.schemas,
    tables: catalog.tables,
    indexes: catalog.indexes,
    findings,
    notes,
    catalog,
  };
}

/** All health findings of one snapshot, most severe first. Pure: unit-testable without a server. */
export function healthFindings(
  catalog: CatalogSnapshot,
  kind: ConnectionKind,
  options: HealthOptions = {},
): { findings: HealthFinding[]; notes: string[] } {
  if (options.config) {
    const heavy = options.config.rules['seq-scan-heavy-table']?.options ?? {};
    const unused = options.config.rules['unused-index']?.options ?? {};
    options = {
      ...options,
      seqScanMinRows: options.seqScanMinRows ?? numberOption(heavy.minRows),
      seqScanRatio: options.seqScanRatio ?? numberOption(heavy.ratio),
      unusedMinStatsDays: options.unusedMinStatsDays ?? numberOption(unused.minStatsDays),
    };
  }
  const model = liveSchema(catalog);
  const findings: HealthFinding[] = [...schemaFindings(model, catalog)];
  const notes: string[] = [];
  for (const index of catalog.indexes) {
    if (!index.valid) findings.push(invalidIndex(index, catalog.server.serverVersionNum));
  }
  if (kind === 'embedded') {
    notes.push('usage rules (unused-index, seq-scan-heavy-table) need real traffic: the embedded sandbox has none, so they were not checked');
  } else {
    // Judged only when the rule is on: its note would otherwise speak of a rule the config turned off.
    if (!options.config || ruleSetting(options.config, 'unused-index', INDEX_HEALTH_RULES['unused-index'].defaultSeverity)) {
      const unused = unusedIndexFindings(catalog, model, options.unusedMinStatsDays ?? DEFAULT_MIN_STATS_DAYS);
      findings.push(...unused.findings);
      notes.push(...unused.notes);
    }
    findings.push(...seqScanHeavyTables(catalog, options));
  }
  const configured = options.config ? applyRuleSettings(findings, options.config) : findings;
  // Plain code-point order: localeCompare costs ~0.3 s on 10,000 findings.
  configured.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      cmp(a.schema, b.schema) ||
      cmp(a.table, b.table) ||
      cmp(a.ruleId, b.ruleId) ||
      cmp(a.index ?? '', b.index ?? ''),
  );
  return { findings: configured, notes };
}

/** The same `"rules"` settings the linter reads: severity overrides, 'off' removes the finding. */
function applyRuleSettings(findings: HealthFinding[], config: PglensConfig): HealthFinding[] {
  const out: HealthFinding[] = [];
  for (const f of findings) {
    const setting = ruleSetting(config, f.ruleId, f.severity);
    if (setting) out.push(setting.severity === f.severity ? f : { ...f, severity: setting.severity });
  }
  return out;
}

/** An option the config reader has checked (a number ≥ 0); a config built in code may hold anything: the default then applies. */
function numberOption(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function q(schema: string, name: string): string {
  return `${schema}.${name}`;
}

function schemaFindings(model: SchemaModel, catalog: CatalogSnapshot): HealthFinding[] {
  const byName = new Map(catalog.indexes.map((i) => [`${i.schema}.${i.name}`, i]));
  const kinds = new Map(catalog.tables.map((t) => [tableKey(t.schema, t.name), t.kind]));
  const out: HealthFinding[] = [];
  // A new index's name must be free in its schema: tables and indexes are in the model, views, sequences… in otherRelations.
  const indexName = foreignKeyIndexNamer((schema) => [
    ...relationNamesIn(model, schema),
    ...(catalog.otherRelations ?? []).filter((r) => r.schema === schema).map((r) => r.name),
  ]);
  for (const table of model.tables.values()) {
    const kind = kinds.get(tableKey(table.schema, table.name));
    const v = schemaRuleViolations(table);
    // A materialized view cannot have a primary key; partitions inherit theirs from the parent.
    if (v.missingPrimaryKey && kind !== 'materialized view') out.push(missingPrimaryKey(table));
    for (const fk of v.unindexedForeignKeys) {
      const name = indexName(fk);
      out.push({
        ruleId: 'fk-without-index',
        severity: 'warning',
        message:
          `foreign key ${fk.name ?? ''} on ${q(table.schema, table.name)} (${fk.columns.join(', ')}) → ${q(fk.refSchema, fk.refTable)} has no index with these leading columns: ` +
          `every DELETE or key UPDATE on ${q(fk.refSchema, fk.refTable)} scans ${q(table.schema, table.name)}, and joins on the key cannot use an index`,
        schema: table.schema,
        table: table.name,
        columns: [...fk.columns],
        fixSql: createIndexSql(table.schema, table.name, fk.columns, name),
        revertSql: dropIndexSql(table.schema, name),
      });
    }
    for (const { redundant: index, coveredBy } of v.redundantIndexes) {
      const live = byName.get(`${index.schema}.${index.name}`);
      const size = live ? ` (${formatBytes(live.sizeBytes)})` : '';
      out.push({
        ruleId: 'duplicate-index',
        severity: 'warning',
        message:
          `index ${q(index.schema, index.name)}${size} on ${q(table.schema, table.name)} (${index.columns.join(', ')}) is redundant: ` +
          `${coveredBy.name} (${coveredBy.columns.join(', ')}) serves the same lookups; every write maintains both`,
        schema: table.schema,
        table: table.name,
        index: index.name,
        columns: [...index.columns],
        fixSql: dropIndexSql(index.schema, index.name),
        ...(live ? { revertSql: concurrentDefinition(live.definition) } : {}),
      });
    }
  }
  return out;
}

function missingPrimaryKey(table: Table): HealthFinding {
  return {
    ruleId: 'missing-primary-key',
    severity: 'warning',
    message:
      `table ${q(table.schema, table.name)} has no primary key: rows cannot be addressed reliably, ` +
      'and logical replication cannot replicate its UPDATEs and DELETEs without a replica identity',
    schema: table.schema,
    table: table.name,
  };
}

function invalidIndex(index: CatalogIndex, serverVersionNum: number): HealthFinding {
  const uniqueNote = index.unique ? ' If it is UNIQUE, remove the duplicate values first or the rebuild fails again.' : '';
  return {
    ruleId: 'invalid-index',
    severity: INDEX_HEALTH_RULES['invalid-index'].defaultSeverity,
    message:
      `index ${q(index.schema, index.name)} on ${q(index.schema, index.table)} is invalid (a CREATE INDEX CONCURRENTLY failed, or one is running right now): ` +
      `no query can use it, yet every write still maintains it.${uniqueNote}`,
    schema: index.schema,
    table: index.table,
    index: index.name,
    columns: [...index.columns],
    // REINDEX … CONCURRENTLY exists from PG 12; older servers drop and create again.
    fixSql:
      serverVersionNum >= 120000
        ? `REINDEX INDEX CONCURRENTLY ${qualifiedName(index.schema, index.name)};`
        : rebuildIndexSql(index.schema, index.name, index.definition),
  };
}

function seqScanHeavyTables(catalog: CatalogSnapshot, options: HealthOptions): HealthFinding[] {
  const defaults = INDEX_HEALTH_RULES['seq-scan-heavy-table'].options;
  const minRows = options.seqScanMinRows ?? defaults.minRows;
  const ratio = options.seqScanRatio ?? defaults.ratio;
  const since = statsSinceText(catalog.server.statsReset, catalog.server.serverStarted);
  const out: HealthFinding[] = [];
  for (const t of catalog.tables) {
    const rows = t.estimatedRows ?? t.liveTuples;
    const fetched = t.idxTupFetch ?? 0;
    if (rows <= minRows || t.seqScan === 0 || t.seqTupRead <= ratio * Math.max(fetched, rows)) continue;
    out.push({
      ruleId: 'seq-scan-heavy-table',
      severity: INDEX_HEALTH_RULES['seq-scan-heavy-table'].defaultSeverity,
      message:
        `table ${q(t.schema, t.name)} (~${formatCount(rows)} rows) was read ${formatCount(t.seqScan)} times by sequential scans ` +
        `(${formatCount(t.seqTupRead)} rows) against ${formatCount(fetched)} rows fetched through indexes ${since}: ` +
        'some frequent query filters on a column without an index — find it in Slow queries and Explain it',
      schema: t.schema,
      table: t.name,
    });
  }
  return out;
}

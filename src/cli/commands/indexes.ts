import * as path from 'node:path';
import { flagChoice, flagFailOn, flagNames, flagString, reachesFailOn, UsageError, type ParsedArgs } from '../args';
import { loadConfig } from '../../core/config';
import { COMMON_VALUE_FLAGS, type CliContext, type Command } from '../context';
import { CONNECTION_SWITCHES, CONNECTION_VALUE_FLAGS, DATA_FLAGS_HELP, openCliConnection } from '../connection';
import { connectionJson } from '../connection-json';
import { cancelOnInterrupt } from '../interrupt';
import { healthReport, type HealthReport } from '../../core/health/findings';
import { formatBytes, formatCount } from '../../core/health/format';
import { sqlDisplayLines } from '../../core/health/fix-sql';
import { escapeControl } from '../../core/escape-control';
import { slowQueries, type SlowQueriesResult } from '../../core/health/slow-queries';

/** `--schema a,b` or `--schema a --schema b`; `"a,b"` quoted is one schema (flagNames). */
function schemasFrom(args: ParsedArgs): string[] {
  return flagNames(args, 'schema');
}

/** The JSON of docs/cli.md "`pglens indexes`": required fields first, the rest welcome extras. */
export function indexesJson(report: HealthReport, slow?: SlowQueriesResult): unknown {
  return {
    connection: connectionJson(report.connection, {
      isReplica: report.isReplica,
      statsReset: report.statsReset,
      statsSince: report.statsSince,
      sizesExact: report.catalog.sizesExact,
    }),
    indexes: report.indexes.map((i) => ({
      schema: i.schema,
      table: i.table,
      name: i.name,
      definition: i.definition,
      scans: i.scans,
      sizeBytes: i.sizeBytes,
      unique: i.unique,
      primary: i.primary,
      valid: i.valid,
      columns: i.columns,
      method: i.method,
      ...(i.predicate ? { predicate: i.predicate } : {}),
    })),
    findings: report.findings.map((f) => ({
      rule: f.ruleId,
      severity: f.severity,
      message: f.message,
      schema: f.schema,
      table: f.table,
      ...(f.index ? { index: f.index } : {}),
      ...(f.columns ? { columns: f.columns } : {}),
      ...(f.fixSql ? { fixSql: f.fixSql } : {}),
    })),
    notes: report.notes,
    ...(slow ? { slowQueries: slow } : {}),
  };
}

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

/**
 * Names, messages and SQL come from the database: each is escaped (escapeControl), so a newline
 * or an escape sequence in a table name cannot start a line or reach the terminal.
 */
export function indexesText(report: HealthReport, slow?: SlowQueriesResult): string {
  const e = escapeControl;
  const out: string[] = [];
  const role = report.isReplica ? 'replica' : 'primary';
  out.push(`Connection: ${e(report.connection.label)} (PostgreSQL ${e(report.connection.serverVersion)}, ${report.connection.kind}, ${role}), database ${e(report.connection.database)}`);
  out.push(`Scans counted ${e(report.statsSince)}`);
  if (!report.catalog.sizesExact) out.push('Sizes are estimates from pg_class page counts (large catalog); run VACUUM/ANALYZE for fresher figures.');
  for (const n of report.notes) out.push(`Note: ${e(n)}`);
  out.push('');
  if (report.indexes.length === 0) {
    out.push(`No indexes in ${report.schemas.length === 0 ? 'any user schema' : report.schemas.map(e).join(', ')}.`);
  } else {
    const rows = [['TABLE', 'INDEX', 'SCANS', 'SIZE', 'KIND', 'DEFINITION']];
    for (const i of report.indexes) {
      const kind = [i.primary ? 'primary' : i.unique ? 'unique' : '', i.valid ? '' : 'INVALID'].filter(Boolean).join(',') || '-';
      rows.push([e(`${i.schema}.${i.table}`), e(i.name), i.scans === null ? '-' : formatCount(i.scans), formatBytes(i.sizeBytes), kind, e(i.definition)]);
    }
    out.push(...pad(rows));
  }
  out.push('');
  if (report.findings.length === 0) out.push('No findings.');
  else {
    out.push(`Findings (${report.findings.length}):`);
    for (const f of report.findings) {
      out.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  ${e(`${f.schema}.${f.table}`)}${f.index ? ` ${e(f.index)}` : ''}`);
      out.push(`          ${e(f.message)}`);
      if (f.fixSql) out.push(...sqlDisplayLines(f.fixSql).map((l) => `          fix: ${l}`));
    }
  }
  if (slow) {
    out.push('');
    if (!slow.available) out.push(`Slow queries: ${e(slow.reason)}`);
    else if (slow.queries.length === 0) out.push('Slow queries: pg_stat_statements has no statements for this database yet.');
    else {
      out.push('Slow queries (by total time):');
      const rows = [['TOTAL ms', 'MEAN ms', 'CALLS', 'QUERY']];
      for (const q of slow.queries) rows.push([q.totalMs.toFixed(1), q.meanMs.toFixed(2), formatCount(q.calls), e(q.query.replace(/\s+/g, ' ').slice(0, 120))]);
      out.push(...pad(rows).map((l) => `  ${l}`));
    }
  }
  return out.join('\n') + '\n';
}

export const command: Command = {
  name: 'indexes',
  summary: 'index usage and health of the connected database (unused, duplicate, invalid, missing indexes)',
  usage: [
    'Usage: pglens indexes [options]',
    '',
    'Lists every index of the user schemas with its scans since the statistics reset, size and',
    'definition, and reports fk-without-index, missing-primary-key, duplicate-index, unused-index,',
    'invalid-index and seq-scan-heavy-table, each with the migration SQL that fixes it.',
    '',
    'Options:',
    '  --schema NAME[,NAME]  only these schemas (repeatable; default: all but system schemas;',
    '                        a name holding a comma goes in double quotes: --schema \'"sales,eu",archive\')',
    '  --slow-queries        also list the slowest statements from pg_stat_statements',
    '  --db URL              connect to this server (else DATABASE_URL, ./.env, then the embedded sandbox)',
    '  --embedded            use the embedded sandbox (not with --db; usage rules are skipped there: it has no traffic)',
    '  --migrations DIR      migrations the sandbox replays',
    ...DATA_FLAGS_HELP,
    '  --format text|json    output format (default text)',
    '  --timeout SECONDS     statement timeout of each catalog query on a server (default 30)',
    '  --fail-on error|warning|info|off   exit 1 when a finding is at or above this severity (default warning; off: never)',
    '  --config FILE         .pglens.json with rule severities ("off" turns a rule off) and options (default: found from',
    '                        the current folder)',
    '',
    'Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 could not run.',
  ].join('\n'),
  flags: {
    values: [...COMMON_VALUE_FLAGS, ...CONNECTION_VALUE_FLAGS, 'schema'],
    switches: [...CONNECTION_SWITCHES, 'slow-queries'],
  },
  async run(args, ctx: CliContext) {
    const format = flagChoice(args, 'format', ['text', 'json'] as const, 'text');
    const failOn = flagFailOn(args);
    if (args.positionals.length > 0) throw new UsageError(`indexes takes no arguments, got "${args.positionals[0]}" (use --schema NAME to pick schemas)`);
    const schemas = schemasFrom(args);
    const conn = await openCliConnection(args, ctx);
    try {
      const configFile = flagString(args, 'config');
      const config = loadConfig(ctx.cwd, configFile ? path.resolve(ctx.cwd, configFile) : undefined);
      const { report, slow } = await cancelOnInterrupt(conn, ctx.stderr, async () => ({
        report: await healthReport(conn, { schemas, config }),
        slow: args.flags.get('slow-queries') === true ? await slowQueries(conn) : undefined,
      }));
      ctx.stdout(format === 'json' ? JSON.stringify(indexesJson(report, slow), null, 2) + '\n' : indexesText(report, slow));
      return reachesFailOn(report.findings, failOn) ? 1 : 0;
    } finally {
      await conn.close();
    }
  },
};

import * as path from 'node:path';
import { flagChoice, flagFailOn, flagNames, flagString, reachesFailOn, UsageError } from '../args';
import { loadConfig } from '../../core/config';
import { findingJson, sqlOneLine } from '../output';
import { COMMON_VALUE_FLAGS, type CliContext, type Command } from '../context';
import { CONNECTION_SWITCHES, CONNECTION_VALUE_FLAGS, DATA_FLAGS_HELP, openCliConnection } from '../connection';
import { connectionJson } from '../connection-json';
import { cancelOnInterrupt } from '../interrupt';
import { healthReport, type HealthReport } from '../../core/health/findings';
import { readServerInfo } from '../../core/health/catalog';
import { statsSinceText } from '../../core/health/format';
import type { Connection } from '../../core/db/connection';
import { databaseHealth, type DatabaseHealth } from '../../core/health/database/database-health';
import { DATABASE_CHECKS } from '../../core/health/database/checks';
import type { DatabaseRuleId } from '../../core/health/database/check';
import { healthFindingRecords, type HealthFindingRecord } from '../../core/health/database/finding-record';
import { sqlDisplayLines } from '../../core/health/fix-sql';
import { slowQueries, statementsReading, type SlowQueriesResult } from '../../core/health/slow-queries';
import { escapeControl } from '../../core/escape-control';
import { version } from '../version';
import type { SeveritySetting } from '../../core/types';


/** Who was read: from the index report, or (with --only, which leaves that report out) from one query. */
interface RunHeader {
  connection: HealthReport['connection'];
  isReplica: boolean;
  /** ISO time of the last statistics reset, or null. */
  statsReset: string | null;
  statsSince: string;
  /** From the index report; null with --only (no sizes read). */
  sizesExact: boolean | null;
  /** The index report's notes (none with --only). */
  notes: string[];
}

interface HealthRun {
  header: RunHeader;
  database: DatabaseHealth;
  findings: HealthFindingRecord[];
}

export function healthJson(run: HealthRun): unknown {
  const { header, database } = run;
  return {
    connection: connectionJson(header.connection, {
      isReplica: header.isReplica,
      statsReset: header.statsReset,
      statsSince: header.statsSince,
      sizesExact: header.sizesExact,
    }),
    checks: database.checks,
    findings: run.findings.map(findingJson),
    notes: header.notes,
  };
}

/**
 * Names, messages, queries and SQL come from the database: every one is escaped, so a newline or
 * an escape sequence in a query text or a table name cannot start a line or reach the terminal.
 */
export function healthText(run: HealthRun): string {
  const e = escapeControl;
  const { header, database } = run;
  const out: string[] = [];
  const role = header.isReplica ? 'replica' : 'primary';
  out.push(`Connection: ${e(header.connection.label)} (PostgreSQL ${e(header.connection.serverVersion)}, ${header.connection.kind}, ${role}), database ${e(header.connection.database)}`);
  out.push(`Counters ${e(header.statsSince)}`);
  for (const n of header.notes) out.push(`Note: ${e(n)}`);
  out.push('', 'Checks:');
  const width = Math.max(...database.checks.map((c) => c.id.length));
  const stateOf = (c: DatabaseHealth['checks'][number]): string => {
    if (c.state !== 'ran') return c.state;
    const judged = c.findings > 0 ? `${c.findings} finding${c.findings === 1 ? '' : 's'}` : 'ok';
    // A check that could not read part of what it judges says so in its state, not only in a note.
    return c.partial ? `${judged}, partly` : judged;
  };
  const stateWidth = Math.max(10, ...database.checks.map((c) => stateOf(c).length));
  for (const c of database.checks) {
    const detail = c.state === 'ran' ? (c.summary ?? '') : (c.reason ?? '');
    out.push(`  ${c.id.padEnd(width)}  ${stateOf(c).padEnd(stateWidth)}  ${e(detail)}`.trimEnd());
    for (const n of c.notes) out.push(`  ${''.padEnd(width)}  ${''.padEnd(stateWidth)}  note: ${e(n)}`);
  }
  out.push('');
  const failed = database.checks.filter((c) => c.state === 'failed').map((c) => c.id);
  const partial = database.checks.filter((c) => c.state === 'ran' && c.partial).map((c) => c.id);
  const partly =
    partial.length === 0
      ? ''
      : `${partial.length} check${partial.length === 1 ? '' : 's'} could read only part of what ${partial.length === 1 ? 'it judges' : 'they judge'} (${partial.join(', ')}): see ${partial.length === 1 ? 'its' : 'their'} notes above.`;
  if (run.findings.length === 0) {
    if (failed.length > 0) out.push(`No findings from the checks that ran; ${failed.length} could not run or read nothing to judge (${failed.join(', ')}): see Checks above.`);
    else out.push(partial.length === 0 ? 'No findings.' : `No findings in what could be read; ${partly}`);
    if (failed.length > 0 && partly) out.push(`Partly judged: ${partly}`);
  }
  else {
    if (partly) out.push(`Partly judged: ${partly}`, '');
    out.push(`Findings (${run.findings.length}):`);
    for (const f of run.findings) {
      out.push(`  ${f.severity.padEnd(7)} ${f.ruleId}  ${e(findingSubject(f))}`.trimEnd());
      out.push(`          ${e(f.message)}`);
      if (f.query !== undefined) out.push(`          query: ${e(sqlOneLine(f.query, 200))}`);
      if (f.fixSql) out.push(...sqlDisplayLines(f.fixSql).map((l, i) => `          ${i === 0 ? 'fix: ' : '     '}${e(l)}`));
      if (f.nextStep) out.push(`          next: ${e(f.nextStep)}`);
    }
  }
  return out.join('\n') + '\n';
}


/** What a finding is about, as the text output names it: `schema.table`, `schema.sequence`, `pid 123`; empty for the whole database. */
export function findingSubject(f: HealthFindingRecord): string {
  const parts: string[] = [];
  if (f.table !== undefined) parts.push(`${f.schema ?? ''}${f.schema ? '.' : ''}${f.table}${f.column ? `.${f.column}` : ''}`);
  else if (f.sequence !== undefined) parts.push(`${f.schema ?? ''}${f.schema ? '.' : ''}${f.sequence}`);
  if (f.index !== undefined) parts.push(f.index);
  if (f.pid !== undefined) parts.push(`pid ${f.pid}`);
  return parts.join(' ');
}

/** SARIF 2.1.0. Health findings have no source file: each names its database object as a logical location. */
export function healthSarif(run: HealthRun): Record<string, unknown> {
  const ruleIds = [...new Set(run.findings.map((f) => f.ruleId))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'pglens', version, rules: ruleIds.map((id) => ({ id, name: id, help: { text: `See docs/rules/${id}.md in pglens.` } })) } },
        properties: { database: run.header.connection.database, checks: run.database.checks },
        results: run.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: ruleIds.indexOf(f.ruleId),
          level: f.severity === 'info' ? 'note' : f.severity,
          message: { text: f.message },
          locations: [{ logicalLocations: [{ fullyQualifiedName: `${run.header.connection.database}/${findingSubject(f) || 'database'}`, kind: f.pid !== undefined ? 'session' : f.table !== undefined ? 'table' : 'object' }] }],
          ...(f.fixSql || f.nextStep || f.metrics ? { properties: { ...(f.fixSql && { fixSql: f.fixSql }), ...(f.nextStep && { nextStep: f.nextStep }), ...(f.metrics && { metrics: f.metrics }) } } : {}),
        })),
      },
    ],
  };
}

function headerOf(report: HealthReport): RunHeader {
  return { connection: report.connection, isReplica: report.isReplica, statsReset: report.statsReset, statsSince: report.statsSince, sizesExact: report.catalog.sizesExact, notes: report.notes };
}

async function serverHeader(conn: Connection): Promise<RunHeader> {
  const server = await readServerInfo(conn);
  return {
    connection: { kind: conn.kind, label: conn.label, serverVersion: server.serverVersion, database: server.database },
    isReplica: server.isReplica,
    statsReset: server.statsReset,
    statsSince: statsSinceText(server.statsReset, server.serverStarted),
    sizesExact: null,
    notes: [],
  };
}

/** A table read mostly by sequential scans: name the statements that read it, the ones to Explain. */
function linkStatements(findings: HealthFindingRecord[], slow: SlowQueriesResult): void {
  for (const f of findings) {
    if (f.ruleId !== 'seq-scan-heavy-table' || f.schema === undefined || f.table === undefined) continue;
    if (!slow.available) {
      f.nextStep = `find the query that reads it: ${slow.reason}`;
      continue;
    }
    const reading = statementsReading(f.schema, f.table, slow.queries);
    f.nextStep =
      reading.length === 0
        ? 'no statement in pg_stat_statements names this table among the 200 slowest: find the query in the application'
        : `Explain the statements that read it (pg_stat_statements, slowest total first), or ask \`pglens advise "<statement>"\` for the index: ${reading
            .map((q) => `${sqlOneLine(q.query, 160)} (${q.calls} calls, ${q.meanMs.toFixed(1)} ms mean)`)
            .join('; ')}`;
  }
}

const CHECK_IDS = DATABASE_CHECKS.map((c) => c.id);

/**
 * 2 when a check could not run — the report is incomplete, so a cron or CI job must not read the
 * run as judged, whatever the findings (said on stderr, with those findings counted); else 1 when
 * a finding reaches --fail-on, else 0.
 */
export function healthExitCode(run: Pick<HealthRun, 'database' | 'findings'>, failOn: SeveritySetting, ctx: Pick<CliContext, 'stderr'>): number {
  const failing = reachesFailOn(run.findings, failOn);
  const failed = run.database.checks.filter((c) => c.state === 'failed');
  if (failed.length === 0) return failing ? 1 : 0;
  const ids = failed.map((c) => c.id).join(', ');
  const also = failing ? `; the findings above also reach --fail-on ${failOn}, but exit code 2 (incomplete) wins over 1` : '';
  ctx.stderr(
    `pglens health: ${failed.length} check${failed.length === 1 ? '' : 's'} could not run or read nothing to judge (${ids}): the report is incomplete${also} — ` +
      `see each check's reason (under Checks, or checks[].reason in JSON); fix what it names, or turn such a check off in .pglens.json ("rules": { "<id>": "off" }) if it cannot run on this server\n`,
  );
  return 2;
}

export const command: Command = {
  name: 'health',
  summary: 'database health: bloat, cache, vacuum, locks, long queries, connections, key overflow, wraparound, and the index checks',
  usage: [
    'Usage: pglens health [options]',
    '',
    'Reads the connected database (SELECTs only, each with the statement timeout) and reports:',
    `  ${CHECK_IDS.join(', ')},`,
    '  and the index and schema checks of `pglens indexes`. Each check that cannot run (privileges, a',
    '  managed service hiding a view, the embedded sandbox) says why; the others still run.',
    'Thresholds and severities: "rules" in .pglens.json (docs/rules/<id>.md).',
    '',
    'Options:',
    '  --schema NAME[,NAME]  only these schemas (repeatable; default: all but system schemas;',
    '                        a name holding a comma goes in double quotes: --schema \'"sales,eu",archive\')',
    '  --only ID[,ID]        only these database checks (repeatable)',
    '  --db URL              connect to this server (else DATABASE_URL, ./.env, then the embedded sandbox)',
    '  --embedded            use the embedded sandbox (not with --db; checks on traffic and sessions need a server)',
    '  --migrations DIR      migrations the sandbox replays',
    ...DATA_FLAGS_HELP,
    '  --format text|json|sarif   output format (default text)',
    '  --timeout SECONDS     statement timeout of each query on a server (default 30)',
    '  --fail-on error|warning|info|off   exit 1 when a finding is at or above this severity (default warning; off: never)',
    '  --config FILE         .pglens.json with the checks\' severities ("off" turns one off) and thresholds',
    '                        (default: found from the current folder)',
    '',
    'Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 could not run — also when a check',
    'could not run, findings or not: the report is incomplete (said on stderr).',
  ].join('\n'),
  flags: {
    values: [...COMMON_VALUE_FLAGS, ...CONNECTION_VALUE_FLAGS, 'schema', 'only'],
    switches: [...CONNECTION_SWITCHES],
  },
  async run(args, ctx: CliContext) {
    const format = flagChoice(args, 'format', ['text', 'json', 'sarif'] as const, 'text');
    const failOn = flagFailOn(args);
    if (args.positionals.length > 0) throw new UsageError(`health takes no arguments, got "${args.positionals[0]}" (use --schema NAME or --only CHECK)`);
    const schemas = flagNames(args, 'schema');
    const only = flagNames(args, 'only');
    const unknown = only.filter((id) => !CHECK_IDS.includes(id as DatabaseRuleId));
    if (unknown.length > 0) throw new UsageError(`--only: "${unknown[0]}" is not a health check (checks: ${CHECK_IDS.join(', ')})`);
    const configFile = flagString(args, 'config');
    const config = loadConfig(ctx.cwd, configFile ? path.resolve(ctx.cwd, configFile) : undefined);
    const conn = await openCliConnection(args, ctx);
    try {
      const run = await cancelOnInterrupt(conn, ctx.stderr, async (): Promise<HealthRun> => {
        // --only narrows the run to those database checks: the index report is left out.
        const report = only.length > 0 ? undefined : await healthReport(conn, { schemas, config });
        const header = report ? headerOf(report) : await serverHeader(conn);
        const database = await databaseHealth(conn, { schemas, config, ...(only.length > 0 ? { only: only as DatabaseRuleId[] } : {}) });
        const findings = healthFindingRecords(report?.findings ?? [], database.findings);
        if (findings.some((f) => f.ruleId === 'seq-scan-heavy-table')) linkStatements(findings, await slowQueries(conn, { limit: 200 }));
        return { header, database, findings };
      });
      if (format === 'json') ctx.stdout(JSON.stringify(healthJson(run), null, 2) + '\n');
      else if (format === 'sarif') ctx.stdout(JSON.stringify(healthSarif(run), null, 2) + '\n');
      else ctx.stdout(healthText(run));
      return healthExitCode(run, failOn, ctx);
    } finally {
      await conn.close();
    }
  },
};

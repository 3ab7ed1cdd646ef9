import * as path from 'node:path';
import { flagChoice, flagFailOn, flagList, flagNumber, flagString, MAX_TIMEOUT_SECONDS, reachesFailOn, UsageError, type ParsedArgs } from '../args';
import { COMMON_VALUE_FLAGS, type CliContext, type Command } from '../context';
import { CONNECTION_SWITCHES, CONNECTION_VALUE_FLAGS, DATA_FLAGS_HELP, openCliConnection, timeoutSeconds } from '../connection';
import { connectionJsonOf } from '../connection-json';
import { cancelOnInterrupt } from '../interrupt';
import { escapeControl } from '../../core/escape-control';
import { readTextInput } from '../read-input';
import { explainStatement } from '../../core/explain';
import { SANDBOX_START_TIMEOUT_MS } from '../../core/db/embedded-connection';
import { PglensError } from '../../core/errors';
import { loadSqlParser, parseSql } from '../../core/sql/parse';
import type { Statement } from '../../core/sql/statement';
import type { SqlSyntaxError } from '../../core/sql/syntax-error';
import { countParams, findExplainTargets } from '../../core/sql/explain-targets';
import { isCodeFile } from '../../core/app-code/code-files';
import { planFindingJson } from '../../core/plan/report-json';
import { renderPlanText } from '../../core/plan/render-text';
import { planOptionsFromConfig } from '../../core/plan/config';
import { loadConfig } from '../../core/config';

/** The statement to explain: the SQL argument, stdin (`-`), or the statement of --file at --line. */
export function statementFromArgs(args: ParsedArgs, ctx: CliContext): string {
  const file = flagString(args, 'file');
  const lineText = flagString(args, 'line');
  if (lineText !== undefined && !/^\s*[1-9]\d*\s*$/.test(lineText)) throw new UsageError(`--line must be a positive whole number (a line of --file, from 1), got "${lineText}"`);
  const line = flagNumber(args, 'line');
  const [sqlArg, ...extra] = args.positionals;
  if (extra.length > 0) throw new UsageError('give one SQL statement (quote it), or --file F [--line N]');
  if (file && sqlArg !== undefined) throw new UsageError('give either SQL or --file, not both');
  if (line !== undefined && !file) throw new UsageError('--line needs --file');
  if (!file) {
    if (sqlArg === undefined) throw new UsageError('no statement: pass SQL as an argument, `-` for stdin, or --file F [--line N]');
    if (sqlArg !== '-') return singleStatement(sqlArg, 'the SQL argument');
    const sql = readTextInput(0, 'stdin');
    if (sql.trim() === '') throw new UsageError('stdin was empty: `-` reads the statement from stdin — pipe one in (echo "SELECT …" | pglens … -), or pass the SQL as an argument');
    return singleStatement(sql, 'stdin');
  }
  const text = readTextInput(path.resolve(ctx.cwd, file), file);
  if (isCodeFile(file)) return templateStatement(text, file, line);
  const parsed = parseSql(text);
  if (parsed.statements.length === 0 && parsed.errors.length === 0) throw new PglensError('bad-input', `${file} has no SQL statement`, 'pass a file with the statement to explain');
  const syntaxError = (e: SqlSyntaxError): PglensError =>
    new PglensError('syntax-error', `${file}:${e.range.start.line + 1}:${e.range.start.character + 1}: ${e.message}`);
  let target: Statement | undefined;
  if (line === undefined) {
    if (parsed.statements.length !== 1) throw new UsageError(`${file} has ${parsed.statements.length} statements; pass --line N to choose one`);
    target = parsed.statements[0];
  } else {
    target = parsed.statements.find((s) => line - 1 >= s.range.start.line && line - 1 <= s.range.end.line);
    if (!target) {
      const error = parsed.errors.find((e) => line - 1 >= e.range.start.line && line - 1 <= e.range.end.line);
      if (error) throw syntaxError(error);
      throw new UsageError(`${file} has no statement at line ${line}`);
    }
  }
  // A statement Postgres cannot parse is reported where it fails, not sent to the server.
  const parseError = parsed.errors.find((e) => e.range.startOffset >= target.range.startOffset && e.range.startOffset <= target.range.endOffset);
  if (target.kind === 'Invalid' && parseError) throw syntaxError(parseError);
  return target.text;
}

/**
 * The SQL of a tagged template literal (sql`…`, $queryRaw`…`) in a TypeScript/JavaScript file,
 * found as the editor's Explain lenses find it; `${…}` substitutions are `$1…$n`.
 */
function templateStatement(text: string, file: string, line: number | undefined): string {
  const targets = findExplainTargets(text, 'script');
  if (targets.length === 0) throw new PglensError('bad-input', `${file} has no SQL template literal with an explainable statement (sql\`…\`, $queryRaw\`…\`)`, 'pass a file with one, or the SQL itself');
  if (line === undefined) {
    if (targets.length !== 1) throw new UsageError(`${file} has ${targets.length} SQL templates; pass --line N to choose one (lines ${targets.map((t) => t.range.start.line + 1).join(', ')})`);
    return targets[0].sql;
  }
  const target = targets.find((t) => line - 1 >= t.range.start.line && line - 1 <= t.range.end.line);
  if (!target) throw new UsageError(`${file} has no SQL template at line ${line} (templates at lines ${targets.map((t) => t.range.start.line + 1).join(', ')})`);
  return target.sql;
}

/** `--allow-functions a,b --allow-functions c` → ['a', 'b', 'c']. */
export function allowedFunctions(args: ParsedArgs): string[] | undefined {
  const names = flagList(args, 'allow-functions').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return names.length > 0 ? names : undefined;
}

function singleStatement(sql: string, where: string): string {
  const parsed = parseSql(sql);
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0];
    throw new PglensError('syntax-error', `syntax error in ${where} at line ${e.range.start.line + 1}, column ${e.range.start.character + 1}: ${e.message}`);
  }
  if (parsed.statements.length !== 1) {
    // No command name here: explain and advise share it, and the CLI prefixes the one that ran.
    throw new PglensError('refused', `${where} has ${parsed.statements.length === 0 ? 'no SQL statement (only blanks or comments)' : `${parsed.statements.length} statements`}; give exactly one`, 'pass one statement');
  }
  return parsed.statements[0].text;
}

export const command: Command = {
  name: 'explain',
  summary: 'EXPLAIN (ANALYZE by default, rolled back) one statement and report what is slow and why',
  usage: [
    'Usage: pglens explain [SQL | -] [--file F [--line N]] [options]',
    '',
    '--file takes a .sql file, or a .ts/.tsx/.js/.jsx/.mts/.cts file: then the statement is the SQL tagged',
    'template literal (sql`…`, $queryRaw`…`) at --line, its ${…} substitutions being $1…$n.',
    '',
    'Runs EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) on one statement. ANALYZE always runs inside',
    'BEGIN … ROLLBACK (READ ONLY unless the statement writes) with a statement timeout. Every function the',
    'statement can reach (views, triggers, rules, defaults, policies, function bodies) is checked first:',
    'what a rollback cannot undo is refused. Ctrl-C cancels the statement on the server.',
    '',
    'Options:',
    '  --no-analyze          plain EXPLAIN (does not run the statement; a generic plan for $n without --param, PG 12+)',
    '  --param VALUE         value for $1, $2, … (repeat in order)',
    '  --allow-functions F,G let these user functions run (schema.name or name) although pglens could not prove',
    '                        them free of effects a rollback cannot undo (dynamic SQL, other languages)',
    '  --db URL              connect to this server (else DATABASE_URL, ./.env, then the embedded sandbox)',
    '  --embedded            use the embedded sandbox (not with --db)',
    '  --migrations DIR      migrations the sandbox replays (default: migration folders under the current directory)',
    ...DATA_FLAGS_HELP,
    `  --timeout SECONDS     statement timeout, above 0 and at most ${MAX_TIMEOUT_SECONDS} (default 30); on the embedded`,
    `                        sandbox it counts from when the sandbox is ready (its start has a ${SANDBOX_START_TIMEOUT_MS / 60_000}-minute limit of its own)`,
    '  --format text|json    output format (default text)',
    '  --fail-on error|warning|info|off   exit 1 when a finding is at or above this severity (default warning; off: never)',
    '  --config FILE         .pglens.json with plan thresholds',
  ].join('\n'),
  flags: {
    values: [...COMMON_VALUE_FLAGS, ...CONNECTION_VALUE_FLAGS, 'file', 'line', 'param', 'allow-functions'],
    switches: [...CONNECTION_SWITCHES, 'no-analyze'],
  },
  async run(args, ctx) {
    const format = flagChoice(args, 'format', ['text', 'json'] as const, 'text');
    const failOn = flagFailOn(args);
    const configFile = flagString(args, 'config');
    const analysis = planOptionsFromConfig(loadConfig(ctx.cwd, configFile ? path.resolve(ctx.cwd, configFile) : undefined));
    const timeout = timeoutSeconds(args);
    await loadSqlParser();
    const sql = statementFromArgs(args, ctx);
    const analyze = args.flags.get('no-analyze') !== true;
    const paramValues = flagList(args, 'param');
    const paramCount = countParams(sql);
    if (paramValues.length > 0 && paramValues.length !== paramCount) {
      throw new UsageError(`the statement uses ${paramCount} parameter(s) but ${paramValues.length} --param value(s) were given`);
    }
    if (paramCount > 0 && paramValues.length === 0 && analyze) {
      throw new UsageError(`the statement uses $1…$${paramCount}: pass --param VALUE for each, or --no-analyze for a generic plan`);
    }
    const conn = await openCliConnection(args, ctx);
    try {
      const outcome = await cancelOnInterrupt(conn, ctx.stderr, () =>
        explainStatement(conn, sql, {
          analyze,
          timeoutMs: timeout * 1000,
          params: paramValues.length > 0 ? paramValues.map((v) => (v === 'NULL' ? null : v)) : undefined,
          paramCount,
          allowFunctions: allowedFunctions(args),
          analysis,
        }),
      );
      const { result, report } = outcome;
      if (format === 'json') {
        const out = {
          query: sql,
          connection: await connectionJsonOf(conn, outcome.serverVersion),
          analyzed: result.analyzed,
          rolledBack: result.rolledBack,
          planningTimeMs: report.summary.planningTimeMs ?? null,
          executionTimeMs: report.summary.executionTimeMs ?? null,
          plan: result.plan,
          findings: report.findings.map((f) => planFindingJson(f, report)),
          notices: result.notices,
        };
        ctx.stdout(JSON.stringify(out, null, 2) + '\n');
      } else {
        ctx.stdout(`Connection: ${conn.kind === 'embedded' ? 'embedded sandbox' : escapeControl(conn.label)} (PostgreSQL ${outcome.serverVersion})\n`);
        for (const n of result.notices) ctx.stdout(`Note: ${escapeControl(n)}\n`);
        ctx.stdout(renderPlanText(report) + '\n');
      }
      return reachesFailOn(report.findings, failOn) ? 1 : 0;
    } finally {
      await conn.close();
    }
  },
};

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { flagChoice, flagString, UsageError } from '../args';
import { COMMON_VALUE_FLAGS, type CliContext, type Command } from '../context';
import { verifyWorkerScript } from '../connection';
import { PglensError, type PglensErrorCode } from '../../core/errors';
import { escapeControl } from '../../core/escape-control';
import { loadConfig, ruleSetting } from '../../core/lint/config';
import { describeDifference } from '../../core/migrations/verify/diff';
import { VERIFY_DEFAULT_SEVERITY, verdictFindings, type VerifyFinding, type VerifyRuleId } from '../../core/migrations/verify/findings';
import type { MigrationVerdict, VerifyReport } from '../../core/migrations/verify/verify';
import type { VerifyAnswer, VerifyRequest } from '../../core/migrations/verify/verify-process';
import { createLineIndex } from '../../core/sql/line-index';
import { SEVERITY_RANK, type Severity } from '../../core/types';
import { displayPath, findingJson, githubAnnotation, oneBased, renderText } from './lint';
import { version } from '../version';

const FORMATS = ['text', 'json', 'sarif'] as const;

/**
 * `pglens migrations verify [DIR]`: every migration with a down applied up → down → up on an
 * empty database — the embedded PGlite, or a fresh database pglens creates (and drops) on the
 * server `--db` names, with `--yes-this-is-disposable` — reporting downs that fail, do not
 * restore the schema, destroy data, or leave something behind.
 */
export const command: Command = {
  name: 'migrations',
  summary: 'verify rollbacks: apply each migration up → down → up on an empty database (migrations verify [DIR])',
  usage: [
    'Usage: pglens migrations verify [DIR] [options]',
    '',
    'Reads DIR (default: the current folder) as its runner runs it (goose, golang-migrate, dbmate, sql-migrate,',
    'diesel, Flyway, Liquibase, sqitch, popx…) and, on an empty database, applies every up in order; for each',
    'migration with a down it snapshots the schema, applies the up, the down, snapshots again, and applies the up',
    'again. Reported at the line of the down: a down that fails (rollback-fails), one that does not restore the',
    'schema — each difference (rollback-incomplete) — one that drops a table or column that existed before the up',
    '(rollback-destroys-data), one after which the up fails again (rollback-fails), a migration without a down',
    'where the runner has them (missing-down-migration), and a migration that does not apply on an empty database',
    '(rollback-unverifiable: give what it needs from outside the folder in .pglens.json "sandbox": {"setup": FILE}).',
    '',
    'Options:',
    '  --db URL                    verify on that PostgreSQL server instead of the embedded PGlite: pglens creates a',
    '                              fresh database there (CREATEDB needed), works only in it, and drops it at the end',
    '  --yes-this-is-disposable    required with --db: you confirm the server is not production',
    '  --format text|json|sarif    output format (default text)',
    '  --fail-on error|warning|info  exit 1 when a finding is at or above this severity (default warning)',
    '  --config FILE               .pglens.json to use (default: the nearest one above DIR)',
    '',
    'Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 could not run.',
  ].join('\n'),
  flags: { values: [...COMMON_VALUE_FLAGS, 'db'], switches: ['yes-this-is-disposable'] },
  async run(args, ctx) {
    const [sub, dirArg, ...extra] = args.positionals;
    if (sub !== 'verify') throw new UsageError(sub === undefined ? 'pglens migrations needs a subcommand: verify' : `unknown subcommand "${sub}": pglens migrations verify [DIR]`);
    if (extra.length > 0) throw new UsageError('pglens migrations verify takes one folder');
    const format = flagChoice(args, 'format', FORMATS, 'text');
    const failOn = flagChoice<Severity>(args, 'fail-on', ['error', 'warning', 'info'], 'warning');
    const dir = path.resolve(ctx.cwd, dirArg ?? '.');
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new PglensError('bad-input', `${dirArg ?? '.'} is not a folder`, 'pass the migrations folder (or a folder above it)');
    const explicit = flagString(args, 'config');
    const config = loadConfig(dir, explicit && path.resolve(ctx.cwd, explicit));
    const db = flagString(args, 'db');
    if (db && !args.flags.has('yes-this-is-disposable')) {
      throw new PglensError(
        'bad-input',
        '--db runs every migration and its down on that server (in a new database pglens creates and drops)',
        'point --db at a disposable server and add --yes-this-is-disposable, or leave --db out to verify on the embedded PGlite',
      );
    }
    const request: VerifyRequest = { dir, label: dirArg ?? '.', ...(explicit && { config: path.resolve(ctx.cwd, explicit) }), ...(db && { db }) };
    const report = await runVerifyProcess(request, ctx);
    const abs = (f: string): string => path.join(dir, ...f.split('/'));
    const lines = new Map<string, ReturnType<typeof createLineIndex>>();
    const findings = verdictFindings(
      report.verdicts.map((v) => relocate(v, abs)),
      {
        describe: describeDifference,
        show: (file) => displayPath(ctx.cwd, file),
        severity: (rule) => ruleSetting(config, rule, VERIFY_DEFAULT_SEVERITY[rule as VerifyRuleId])?.severity,
        lineRange: ({ file, line }) => {
          let index = lines.get(file);
          if (!index) lines.set(file, (index = createLineIndex(existsSync(file) ? readFileSync(file, 'utf8') : '')));
          const start = index.lineStarts[line - 1] ?? index.text.length;
          const next = index.lineStarts[line] ?? index.text.length;
          return index.rangeOf(start, Math.max(start, next - 1));
        },
      },
    );
    const display = findings.map((f) => ({ ...f, file: displayPath(ctx.cwd, f.file) }));
    const summary = summarize(report, db ? 'server' : 'embedded PGlite');
    if (format === 'json') ctx.stdout(JSON.stringify({ summary, findings: display.map(verifyJson) }, null, 2) + '\n');
    else if (format === 'sarif') ctx.stdout(JSON.stringify(sarif(display, summary), null, 2) + '\n');
    else {
      ctx.stdout(`${escapeControl(summaryLine(summary))}\n` + renderText(display));
      if (ctx.env.GITHUB_ACTIONS === 'true') ctx.stdout(display.map(githubAnnotation).join(''));
    }
    if (report.cancelled) return 2;
    return display.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]) ? 1 : 0;
  },
};

/**
 * Runs the verification in its child process (PGlite cannot load inside the CLI's code-cached
 * bundle, and a child keeps its memory apart). Ctrl-C is passed on: the child stops after the
 * current migration, drops its scratch database and answers with what it verified.
 */
async function runVerifyProcess(request: VerifyRequest, ctx: CliContext): Promise<VerifyReport> {
  const { script, execArgv } = verifyWorkerScript();
  const child = spawn(process.execPath, [...execArgv, script], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => ctx.stderr(escapeControl(c.toString('utf8')).replace(/\\n/g, '\n')));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      child.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    ctx.stderr(`pglens: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'} — stopping after the current migration\n`);
    child.kill('SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    child.stdin.end(JSON.stringify(request));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const text = Buffer.concat(out).toString('utf8');
    let answer: VerifyAnswer;
    try {
      answer = JSON.parse(text) as VerifyAnswer;
    } catch {
      throw new PglensError('bad-input', `the verification process ended (exit ${code}) without an answer`, 'run again; if it repeats, report it with the folder');
    }
    if ('error' in answer) throw new PglensError(answer.error.code === 'internal' ? 'bad-input' : (answer.error.code as PglensErrorCode), answer.error.message);
    return answer.report;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function relocate(v: MigrationVerdict, abs: (f: string) => string): MigrationVerdict {
  return {
    ...v,
    up: { ...v.up, file: abs(v.up.file) },
    ...(v.down && { down: { ...v.down, file: abs(v.down.file) } }),
    ...(v.failure && { failure: { ...v.failure, file: abs(v.failure.file) } }),
  };
}

interface Summary {
  database: string;
  migrations: number;
  verified: number;
  incomplete: number;
  failing: number;
  withoutDown: number;
  unverifiable: number;
  skipped: number;
  ms: number;
  cancelled: boolean;
}

function summarize(report: VerifyReport, database: string): Summary {
  const count = (...kinds: MigrationVerdict['kind'][]): number => report.verdicts.filter((v) => kinds.includes(v.kind)).length;
  return {
    database,
    migrations: report.verdicts.length,
    verified: count('verified'),
    incomplete: count('incomplete'),
    failing: count('down-fails', 'reapply-fails'),
    withoutDown: count('no-down'),
    unverifiable: count('unverifiable'),
    skipped: count('skipped'),
    ms: report.ms,
    cancelled: report.cancelled,
  };
}

function summaryLine(s: Summary): string {
  const parts = [`${s.verified} rollback(s) verified`];
  if (s.incomplete) parts.push(`${s.incomplete} incomplete`);
  if (s.failing) parts.push(`${s.failing} failing`);
  if (s.withoutDown) parts.push(`${s.withoutDown} without a down`);
  if (s.unverifiable) parts.push(`${s.unverifiable} cannot be verified`);
  if (s.skipped) parts.push(`${s.skipped} not verified (${s.cancelled ? 'cancelled' : 'after a migration that does not apply'})`);
  return `${parts.join(', ')} — on ${s.database}, ${(s.ms / 1000).toFixed(1)} s`;
}

function verifyJson(f: VerifyFinding): Record<string, unknown> {
  return { ...findingJson(f), migration: f.migration, ...(f.difference && { difference: f.difference }) };
}

function sarif(findings: VerifyFinding[], summary: Summary): Record<string, unknown> {
  const ruleIds = [...new Set(findings.map((f) => f.ruleId))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'pglens', version, rules: ruleIds.map((id) => ({ id, name: id, help: { text: `See docs/rules/${id}.md in pglens.` } })) } },
        columnKind: 'utf16CodeUnits',
        properties: { verify: summary },
        results: findings.map((f) => {
          const { line, column, endLine, endColumn } = oneBased(f.range);
          return {
            ruleId: f.ruleId,
            ruleIndex: ruleIds.indexOf(f.ruleId),
            level: f.severity === 'info' ? 'note' : f.severity,
            message: { text: f.message },
            ...(f.difference && { properties: { difference: f.difference, migration: f.migration } }),
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: f.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
                  region: { startLine: line, startColumn: column, endLine, endColumn },
                },
              },
            ],
          };
        }),
      },
    ],
  };
}


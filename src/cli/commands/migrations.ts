import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { flagChoice, flagFailOn, flagString, flagTimeout, reachesFailOn, UsageError, type ParsedArgs } from '../args';
import { COMMON_VALUE_FLAGS, type CliContext, type Command } from '../context';
import { verifyWorkerScript } from '../connection';
import { PglensError, type PglensErrorCode } from '../../core/errors';
import { escapeControl, escapeControlKeepingLayout } from '../../core/escape-control';
import { loadConfig, ruleSetting } from '../../core/config';
import { describeDifference } from '../../core/migrations/verify/diff';
import { VERIFY_DEFAULT_SEVERITY, verdictFindings, type VerifyFinding, type VerifyRuleId } from '../../core/migrations/verify/findings';
import type { MigrationVerdict, VerifyReport } from '../../core/migrations/verify/verify';
import type { DownAnswer, DownRequest, VerifyAnswer, VerifyRequest } from '../../core/migrations/verify/verify-process';
import { applyEdits } from '../../core/migrations/verify/write-down';
import { askChild, DEFAULT_PART_TIMEOUT_SECONDS, PartTimeoutError, type AskOptions } from '../../core/migrations/verify/child';
import { checkServerUrl } from '../../core/migrations/verify/server-url';
import type { HungMigration } from '../../core/migrations/verify/types';
import { createLineIndex } from '../../core/sql/line-index';
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
  summary: 'verify rollbacks up → down → up on an empty database (migrations verify [DIR]); generate a missing down (migrations down FILE)',
  usage: [
    'Usage: pglens migrations verify [DIR] [options]',
    '       pglens migrations down FILE [--write] [options]',
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
    '                              fresh database there (CREATEDB needed), runs the migrations in it and drops it at',
    '                              the end; migrations that reach the whole server (roles, ALTER SYSTEM, other databases,',
    '                              tablespaces, other sessions) are refused there: verify those on the embedded PGlite;',
    '                              the sandbox setup may create roles (they stay on the server; a next run reuses them)',
    '  --yes-this-is-disposable    required with --db: you confirm the server is not production',
    '  --timeout SECONDS           limit of each part of a migration — its up, its down, the up again (default 60): one',
    '                              that runs longer is stopped and reported (rollback-unverifiable), the rest verified',
    '  --format text|json|sarif    output format (default text)',
    '  --fail-on error|warning|info|off  exit 1 when a finding is at or above this severity (default warning; off: never)',
    '  --config FILE               .pglens.json to use (default: the nearest one above DIR)',
    '  (--write and --id belong to migrations down: verify refuses them)',
    '',
    'Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 could not run.',
    '',
    'pglens migrations down FILE generates the down of the migration whose up is FILE (a diesel or Prisma',
    'migration folder will do): it replays the earlier ups of its folder on an empty database, snapshots the',
    'schema, applies the up, snapshots again, and writes the statements that take the second schema back to the',
    'first — drops of what the up created (dependents first), renames reversed (never drop + create: that loses',
    'the data), changes undone, dropped objects re-created. What the schema alone cannot give back (a dropped',
    "column's values, a type narrowed back, an enum value PostgreSQL cannot drop, rows the up changed) is a",
    'commented block saying why. The down is placed in the runner\'s format (a goose or sql-migrate Down section,',
    'a dbmate migrate:down, a .down.sql, diesel down.sql, a Flyway U script, sqitch revert/, Liquibase --rollback',
    'lines; Prisma: a down.sql to run by hand) and verified up → down → up before it is shown.',
    '',
    'Options (down):',
    '  --write                     put it in place (refused when the migration has a down, or it does not verify)',
    '  --id ID                     the migration, when FILE holds several (Liquibase changesets, dbmate sections)',
    '  --db URL --yes-this-is-disposable, --config FILE, --timeout SECONDS   as for verify',
    '  --format text|json          output format (default text: the down as SQL, notes as comments)',
    '  (no --fail-on: down judges no findings; its exit code says whether the down verified)',
    '',
    'Exit codes (down): 0 generated and verified, 1 verified but with parts it cannot reverse (printed),',
    '2 could not generate, or the down does not pass verification (printed, not written).',
  ].join('\n'),
  flags: { values: [...COMMON_VALUE_FLAGS, 'db', 'id'], switches: ['yes-this-is-disposable', 'write'] },
  async run(args, ctx) {
    const [sub, dirArg, ...extra] = args.positionals;
    if (sub === 'down') return runDownCommand(args, ctx);
    if (sub !== 'verify') throw new UsageError(sub === undefined ? 'needs a subcommand: verify [DIR] or down FILE' : `unknown subcommand "${sub}": verify [DIR] or down FILE`);
    refuseFlags(args, VERIFY_REFUSES);
    if (extra.length > 0) throw new UsageError(`verify takes one folder, got ${args.positionals.length - 1} arguments`);
    const format = flagChoice(args, 'format', FORMATS, 'text');
    const failOn = flagFailOn(args);
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
    const db = dbFlag(args);
    if (db !== undefined && !args.flags.has('yes-this-is-disposable')) {
      throw new PglensError(
        'bad-input',
        '--db runs every migration and its down on that server (in a new database pglens creates and drops)',
        'point --db at a disposable server and add --yes-this-is-disposable, or leave --db out to verify on the embedded PGlite',
      );
    }
    const timeoutSeconds = flagTimeout(args) ?? DEFAULT_PART_TIMEOUT_SECONDS;
    const request: VerifyRequest = { dir, label: dirArg ?? '.', ...(explicit && { config: path.resolve(ctx.cwd, explicit) }), ...(db !== undefined && { db }), timeoutSeconds };
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
    const summary = summarize(report, db !== undefined ? 'server' : 'embedded PGlite');
    if (format === 'json') ctx.stdout(JSON.stringify({ summary, findings: display.map(verifyJson) }, null, 2) + '\n');
    else if (format === 'sarif') ctx.stdout(JSON.stringify(sarif(display, summary), null, 2) + '\n');
    else {
      ctx.stdout(`${escapeControl(summaryLine(summary))}\n` + renderText(display));
      if (ctx.env.GITHUB_ACTIONS === 'true') {
        const annotations = display.map(githubAnnotation).join('');
        if (ctx.workflowCommands) ctx.workflowCommands(annotations);
        else ctx.stdout(annotations);
      }
    }
    if (report.cancelled) return 2;
    return reachesFailOn(display, failOn) ? 1 : 0;
  },
};

/**
 * The flags of one subcommand the other does not take (`migrations` declares them all: parseArgs
 * runs before the subcommand is known), each with why and what to do: a usage error, never ignored.
 */
const VERIFY_REFUSES: Record<string, string> = {
  write: 'belongs to `pglens migrations down FILE --write` (it puts a generated down in place); verify writes nothing — leave --write out',
  id: 'picks the migration of FILE for `pglens migrations down FILE --id ID`; verify checks every migration of DIR — leave --id out',
};
const DOWN_REFUSES: Record<string, string> = {
  'fail-on': 'migrations down judges no findings, so there is no severity to fail on (its exit code: 0 verified, 1 verified with parts it cannot reverse, 2 it does not verify) — leave --fail-on out',
};

function refuseFlags(args: ParsedArgs, refused: Record<string, string>): void {
  for (const [name, reason] of Object.entries(refused)) if (args.flags.has(name)) throw new UsageError(`--${name}: ${reason}`);
}

/**
 * `--db URL` when given: refused when empty (it would otherwise fall back to the embedded PGlite
 * without a word) or not a PostgreSQL URL.
 */
function dbFlag(args: ParsedArgs): string | undefined {
  if (!args.flags.has('db')) return undefined;
  const db = flagString(args, 'db') ?? '';
  checkServerUrl(db);
  return db;
}

const PART_WORDS: Record<HungMigration['part'], string> = { up: 'its up', down: 'its down', 'up again': 'its up, applied again after the down,' };

/**
 * Runs the verification in its child process (PGlite cannot load inside the CLI's code-cached
 * bundle, and a child keeps its memory apart). Ctrl-C is passed on: the child stops after the
 * current migration (on a --db server, cancelling the statement running), drops its scratch
 * database and answers with what it verified. A part that runs past --timeout on PGlite (which
 * has no statement timeout, and whose statement blocks the child) ends the child: it is asked
 * again, told not to run that part, which is reported as running too long.
 */
async function runVerifyProcess(request: VerifyRequest, ctx: CliContext): Promise<VerifyReport> {
  const hung: HungMigration[] = [];
  const seconds = request.timeoutSeconds ?? DEFAULT_PART_TIMEOUT_SECONDS;
  /** Time spent in the runs a hung part ended: part of the verification's time. */
  let spent = 0;
  for (;;) {
    let answer: VerifyAnswer;
    const attempt = Date.now();
    try {
      answer = (await askWorker({ ...request, ...(hung.length && { hung }) }, ctx, {
        partTimeoutSeconds: seconds,
        // A server statement is cancelled by the child itself at the limit: the parent waits longer before ending it.
        ...(request.db !== undefined && { graceSeconds: 30 }),
      })) as VerifyAnswer;
    } catch (e) {
      if (!(e instanceof PartTimeoutError) || hung.some((h) => h.folder === e.hung.folder && h.id === e.hung.id)) throw e;
      hung.push(e.hung);
      spent += Date.now() - attempt;
      ctx.stderr(
        escapeControl(`pglens: ${e.hung.id}: ${PART_WORDS[e.hung.part]} ran longer than ${e.hung.seconds} s on ${request.db !== undefined ? 'the --db server' : 'the embedded PGlite'} and was stopped; verifying the folder again without running it`) + '\n',
      );
      continue;
    }
    if ('error' in answer) throw workerError(answer.error);
    if (answer.report.cancelled && request.db !== undefined) {
      ctx.stderr('pglens: verification cancelled — the statement running on the --db server was cancelled and rolled back, and the scratch database dropped\n');
    }
    return { ...answer.report, ms: answer.report.ms + spent };
  }
}

function workerError(error: { code: string; message: string }): PglensError {
  return new PglensError(error.code === 'internal' ? 'bad-input' : (error.code as PglensErrorCode), error.message);
}

/** Sends one request to the verification child and returns its JSON answer. */
async function askWorker(request: VerifyRequest | DownRequest, ctx: CliContext, options: AskOptions): Promise<unknown> {
  const { script, execArgv } = verifyWorkerScript();
  const { child, answer } = askChild(script, execArgv, request, (text) => ctx.stderr(escapeControl(text).replace(/\\n/g, '\n')), process.env, options);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      child.kill('SIGKILL');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    const what = request.db !== undefined ? 'cancelling the statement running on the --db server, rolling back and dropping the scratch database' : 'stopping after the current migration';
    ctx.stderr(`pglens: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'} — ${what} (Ctrl-C again to kill)\n`);
    child.kill('SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await answer;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// ---------------------------------------------------------------------------------------------
// pglens migrations down FILE

async function runDownCommand(args: Parameters<Command['run']>[0], ctx: CliContext): Promise<number> {
  const [, fileArg, ...extra] = args.positionals;
  refuseFlags(args, DOWN_REFUSES);
  if (fileArg === undefined) throw new UsageError('down needs the migration file: pglens migrations down FILE');
  if (extra.length > 0) throw new UsageError(`down takes one migration file, got ${args.positionals.length - 1}`);
  const format = flagChoice(args, 'format', ['text', 'json'] as const, 'text');
  let file = path.resolve(ctx.cwd, fileArg);
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw new PglensError('bad-input', `${fileArg} does not exist`, 'pass the file of the migration (its up)');
  }
  if (stat.isDirectory()) {
    // A diesel or Prisma migration folder: its up.
    const up = ['up.sql', 'migration.sql'].map((f) => path.join(file, f)).find((f) => existsSync(f));
    if (!up) throw new PglensError('bad-input', `${fileArg} is a folder without up.sql or migration.sql`, 'pass the file of the migration (its up)');
    file = up;
  }
  const explicit = flagString(args, 'config');
  const db = dbFlag(args);
  if (db !== undefined && !args.flags.has('yes-this-is-disposable')) {
    throw new PglensError(
      'bad-input',
      '--db runs the earlier migrations, this up and its down on that server (in new databases pglens creates and drops)',
      'point --db at a disposable server and add --yes-this-is-disposable, or leave --db out to use the embedded PGlite',
    );
  }
  const id = flagString(args, 'id');
  const write = args.flags.get('write') === true;
  const timeoutSeconds = flagTimeout(args) ?? DEFAULT_PART_TIMEOUT_SECONDS;
  const request: DownRequest = {
    kind: 'down',
    dir: ctx.cwd,
    file,
    ...(id !== undefined && { id }),
    ...(explicit && { config: path.resolve(ctx.cwd, explicit) }),
    ...(db !== undefined && { db }),
    timeoutSeconds,
  };
  let answer: DownAnswer;
  try {
    // On a server the child cancels a statement itself at the limit: the parent waits longer before ending it.
    answer = (await askWorker(request, ctx, { partTimeoutSeconds: timeoutSeconds, ...(db !== undefined && { graceSeconds: 30 }) })) as DownAnswer;
  } catch (e) {
    if (!(e instanceof PartTimeoutError)) throw e;
    throw new PglensError('timeout', `the down was not generated: ${e.message} on ${db !== undefined ? 'the --db server' : 'the embedded PGlite'}`, 'raise the limit with --timeout SECONDS if it is only slow');
  }
  if ('error' in answer) throw workerError(answer.error);
  const report = answer.down;
  const show = (rel: string): string => displayPath(ctx.cwd, path.join(report.root, ...rel.split('/')));
  const ok = report.verification.ok;
  const irreversible = report.irreversible.length > 0;

  let written: string[] = [];
  let refusal: string | undefined;
  if (write) {
    if (report.existingDown) refusal = `${report.id} already has a down (${show(report.existingDown.file)}:${report.existingDown.line}); pglens does not replace it`;
    else if (!ok) refusal = `the generated down does not pass verification; nothing written`;
    else if (!report.placement?.edits.length) refusal = `nothing to write: ${report.placement?.note ?? 'the runner has no place for a down'}`;
    else {
      const abs = (rel: string): string => path.join(report.root, ...rel.split('/'));
      const read = (rel: string): string | undefined => (existsSync(abs(rel)) ? readFileSync(abs(rel), 'utf8') : undefined);
      let texts;
      try {
        texts = applyEdits(report.placement.edits, read);
      } catch (e) {
        throw new PglensError('bad-input', `cannot write the down: ${(e as Error).message}`, 'run the command again');
      }
      for (const [rel, text] of texts) writeFileSync(abs(rel), text);
      written = [...texts.keys()].map(show);
    }
  }

  if (format === 'json') {
    ctx.stdout(JSON.stringify({ ...report, root: displayPath(ctx.cwd, report.root) || '.', written, ...(refusal && { refused: refusal }) }, null, 2) + '\n');
  } else {
    const v = report.verification;
    const lines: string[] = [];
    const seconds = `${(v.ms / 1000).toFixed(1)} s`;
    if (ok) lines.push(`-- Down of ${report.id} (${report.runner}), generated by pglens and verified up → down → up on ${v.database} (${seconds})${v.note ? `: ${v.note}` : '.'}`);
    else {
      lines.push(`-- Down of ${report.id} (${report.runner}), generated by pglens — it does NOT pass verification on ${v.database} (${v.verdict}${v.failure ? `: ${v.failure.message} at ${show(v.failure.file)}:${v.failure.line}` : ''}).`);
      for (const d of v.unexpected) lines.push(`--   ${d}`);
    }
    if (report.renames.length) lines.push(`-- Renames reversed: ${report.renames.join(', ')}`);
    if (irreversible) {
      lines.push('-- Cannot be reversed from the schema alone:');
      for (const l of report.irreversible) lines.push(`--   ${l}`);
    }
    if (report.existingDown) lines.push(`-- ${report.id} has a down already (${show(report.existingDown.file)}:${report.existingDown.line}): this one is for comparison.`);
    else if (report.placement) {
      if (report.placement.note) lines.push(`-- ${report.placement.note}`);
      // `where` names the files from the current folder already (the child was given it).
      if (report.placement.edits.length) lines.push(written.length ? `-- Written: ${report.placement.where}.` : `-- It goes in ${report.placement.where}${ok ? ' (--write puts it there)' : ''}.`);
    }
    const body = report.placement && !report.existingDown ? report.placement.text : report.sql;
    ctx.stdout(escapeControlKeepingLayout(`${lines.join('\n')}\n\n${body}`));
  }
  if (refusal) throw new PglensError('bad-input', refusal);
  if (!ok) return 2;
  return irreversible ? 1 : 0;
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


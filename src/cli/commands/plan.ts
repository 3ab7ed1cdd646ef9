import * as path from 'node:path';
import { flagChoice, flagFailOn, flagNumber, flagString, UsageError, type ParsedArgs } from '../args';
import { COMMON_VALUE_FLAGS_NO_TIMEOUT, noTimeout, type CliContext, type Command } from '../context';
import { readTextInput } from '../read-input';
import { PglensError, isPglensError } from '../../core/errors';
import { escapeControl } from '../../core/escape-control';
import { loadConfig } from '../../core/config';
import { analyzePlan } from '../../core/plan/analyze';
import { planOptionsFromConfig } from '../../core/plan/config';
import { escapeMarkdown, planToMarkdown } from '../../core/plan/markdown';
import { parsePlan } from '../../core/plan/parse';
import { diffPlans } from '../../core/plan/plan-diff';
import { planDiffToMarkdown, renderPlanDiffText } from '../../core/plan/plan-diff-render';
import { renderPlanText } from '../../core/plan/render-text';
import { findingsAtOrAbove, planReportJson } from '../../core/plan/report-json';
import type { AnalyzePlanOptions, ParsedPlan, PlanReport } from '../../core/plan/types';

/** How the input was read, for --format json: always present, so scripts can check `notes`. */
function inputJson(parsed: ParsedPlan): Record<string, unknown> {
  return {
    format: parsed.inputFormat ?? 'json',
    wrappers: parsed.wrappers ?? [],
    notes: (parsed.notes ?? []).map((n) => ({ kind: n.kind, message: n.message, fromLine: n.fromLine ?? null, toLine: n.toLine ?? null })),
    ignoredLines: parsed.ignoredLines ?? [],
  };
}

/** The input lines left out or joined (with how the input was read), so a pasted plan is never read differently in silence. */
function inputNotes(parsed: ParsedPlan): string[] {
  const notes = parsed.notes ?? [];
  if (notes.length === 0) return [];
  const read = [`${(parsed.inputFormat ?? 'json').toUpperCase()} EXPLAIN`, ...(parsed.wrappers ?? [])].join(' in ');
  return [`Input (read as ${read}):`, ...notes.map((n) => escapeControl(n.message))];
}

function readPlanInput(args: ParsedArgs, ctx: CliContext): { text: string; source: string } {
  const [file, ...extra] = args.positionals;
  if (file === undefined) throw new UsageError('no plan file: pass FILE (EXPLAIN output, JSON or text) or `-` for stdin');
  if (extra.length > 0) throw new UsageError(`one plan file at a time (got ${args.positionals.length})`);
  if (file === '-') return { text: readTextInput(0, 'stdin'), source: 'stdin' };
  return { text: readTextInput(path.resolve(ctx.cwd, file), file), source: file };
}

export const command: Command = {
  name: 'plan',
  summary: 'analyse existing EXPLAIN output (text, JSON, YAML, XML; psql tables, auto_explain logs) and report what is slow and why',
  usage: [
    'Usage: pglens plan FILE [options]',
    '       pglens plan BEFORE AFTER [options]     what changed between two plans of one query',
    '',
    'Reads EXPLAIN output from FILE (`-` for stdin), from PostgreSQL 9.6 to 18, no database needed:',
    'FORMAT TEXT, JSON, YAML or XML, bare or as psql prints it (any border and line style, aligned,',
    'unaligned, wrapped, expanded), auto_explain log entries (server log, syslog, client notices, jsonlog),',
    'pgAdmin or CSV quoted rows. Prompts, the echoed command and log lines around the plan are left out',
    'and lines wrapped by a terminal or mail client are joined back, each with a note in the output.',
    '',
    'Options:',
    '  --format text|json|markdown   output format (default text; markdown suits a pull-request comment)',
    '  --fail-on error|warning|info|off   exit 1 when a finding is at or above this severity (default warning; off: never)',
    '  --config FILE                 .pglens.json with "plan" thresholds and plan rule severities',
    '',
    'Two plans: BEFORE and AFTER may be in different formats (one may be `-`). Nodes are paired by',
    'relation, index and type first, then by position in the tree; the output gives the totals',
    '(time, cost, rows, shared buffers), each changed node (Seq Scan → Index Scan on orders, rows,',
    'estimates, loops, buffers) and the findings resolved and new. --format json prints the whole diff',
    '(one object, "version": 1, described in the README); markdown is a pull-request comment.',
    '  --fail-on-regression PERCENT  exit 1 when the total time (total cost when a plan has no ANALYZE)',
    '                                got worse by more than PERCENT',
    '  --fail-on SEVERITY            with two plans: exit 1 when a new finding is at or above SEVERITY',
    '                                (default off: a diff reports, it does not judge)',
    '',
    'plan reads EXPLAIN output only: it never connects to a database, and takes no --timeout.',
    '',
    'Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it (two plans: a regression',
    'past --fail-on-regression, or a new finding at or above --fail-on), 2 unreadable or malformed input.',
  ].join('\n'),
  flags: { values: [...COMMON_VALUE_FLAGS_NO_TIMEOUT, 'fail-on-regression'], switches: [], refused: noTimeout('plan', 'reads EXPLAIN output') },
  async run(args, ctx) {
    try {
      const format = flagChoice(args, 'format', ['text', 'json', 'markdown'] as const, 'text');
      const failOn = flagFailOn(args);
      const configFile = flagString(args, 'config');
      const config = loadConfig(ctx.cwd, configFile ? path.resolve(ctx.cwd, configFile) : undefined);
      if (args.positionals.length > 2) throw new UsageError(`pass one plan file, or two to compare (got ${args.positionals.length})`);
      if (args.positionals.length === 2) return runPlanDiff(args, ctx, planOptionsFromConfig(config));
      if (args.flags.has('fail-on-regression')) throw new UsageError('--fail-on-regression compares two plans: pass BEFORE and AFTER');
      const { text, source } = readPlanInput(args, ctx);
      let parsed;
      let report;
      try {
        parsed = parsePlan(text);
        report = analyzePlan(parsed, planOptionsFromConfig(config));
      } catch (e) {
        if (isPglensError(e)) throw new PglensError(e.code, `${source}: ${e.message}`);
        throw e;
      }
      const notes = inputNotes(parsed);
      if (format === 'json') ctx.stdout(JSON.stringify({ ...planReportJson(report), input: inputJson(parsed) }, null, 2) + '\n');
      // The notes quote pasted lines: escaped like every other string in the comment.
      else if (format === 'markdown') ctx.stdout(planToMarkdown(report) + (notes.length > 0 ? `\n**${escapeMarkdown(notes[0])}**\n\n${notes.slice(1).map((n) => `- ${escapeMarkdown(n)}`).join('\n')}\n` : ''));
      else ctx.stdout(renderPlanText(report) + '\n' + (notes.length > 0 ? `\n${notes[0]}\n${notes.slice(1).map((n) => `  ${n}`).join('\n')}\n` : ''));
      return findingsAtOrAbove(report.findings, failOn) ? 1 : 0;
    } catch (e) {
      if (e instanceof UsageError || isPglensError(e)) {
        ctx.stderr(`pglens plan: ${escapeControl(e.message)}\n`);
        return 2;
      }
      throw e;
    }
  },
};

/** One of the two plans of a diff, read and analysed; errors name the file. */
function analyzeDiffInput(file: string, ctx: CliContext, options: AnalyzePlanOptions): { report: PlanReport; parsed: ParsedPlan; label: string } {
  const label = file === '-' ? 'stdin' : file;
  const text = file === '-' ? readTextInput(0, 'stdin') : readTextInput(path.resolve(ctx.cwd, file), file);
  try {
    const parsed = parsePlan(text);
    return { report: analyzePlan(parsed, options), parsed, label };
  } catch (e) {
    if (isPglensError(e)) throw new PglensError(e.code, `${label}: ${e.message}`);
    throw e;
  }
}

/** `pglens plan BEFORE AFTER`: the diff in the chosen format; exit 1 only on what the flags ask to fail on. */
function runPlanDiff(args: ParsedArgs, ctx: CliContext, options: AnalyzePlanOptions): number {
  const format = flagChoice(args, 'format', ['text', 'json', 'markdown'] as const, 'text');
  const failOn = flagFailOn(args, 'off');
  const limit = flagNumber(args, 'fail-on-regression');
  if (limit !== undefined && limit < 0) throw new UsageError(`--fail-on-regression must be a percentage of 0 or more, got "${flagString(args, 'fail-on-regression')}"`);
  const [beforeFile, afterFile] = args.positionals;
  if (beforeFile === '-' && afterFile === '-') throw new UsageError('only one of the two plans can come from stdin (`-`)');
  const before = analyzeDiffInput(beforeFile, ctx, options);
  const after = analyzeDiffInput(afterFile, ctx, options);
  const diff = diffPlans(before.report, after.report, { beforeLabel: before.label, afterLabel: after.label });
  // As for one plan: how each input was read, when anything in it was left out or joined.
  const notes = [before, after].flatMap(({ parsed, label }) => {
    const lines = inputNotes(parsed);
    return lines.length > 0 ? [{ title: `${escapeControl(label)}: ${lines[0]}`, lines: lines.slice(1) }] : [];
  });
  if (format === 'json') ctx.stdout(JSON.stringify({ ...diff, input: { before: inputJson(before.parsed), after: inputJson(after.parsed) } }, null, 2) + '\n');
  else if (format === 'markdown') {
    // The notes quote the input's own lines: escaped like every plan string in Markdown.
    ctx.stdout(planDiffToMarkdown(diff) + notes.map((n) => `\n**${escapeMarkdown(n.title)}**\n\n${n.lines.map((l) => `- ${escapeMarkdown(l)}`).join('\n')}\n`).join(''));
  }
  else ctx.stdout(renderPlanDiffText(diff) + '\n' + notes.map((n) => `\n${n.title}\n${n.lines.map((l) => `  ${l}`).join('\n')}\n`).join(''));

  let code = 0;
  if (limit !== undefined) {
    const what = diff.measure.name === 'totalTimeMs' ? 'total time' : 'total cost';
    const pct = diff.measure.figure.pct;
    if (pct === null) ctx.stderr(`pglens plan: --fail-on-regression: the ${what} of ${escapeControl(diff.before.label)} is 0 or unknown, so no percentage can be judged\n`);
    else if (pct > limit) {
      ctx.stderr(`pglens plan: the ${what} got ${pct.toFixed(1)}% worse (${escapeControl(diff.before.label)} → ${escapeControl(diff.after.label)}), more than --fail-on-regression ${limit}%\n`);
      code = 1;
    }
  }
  if (findingsAtOrAbove(diff.findings.new, failOn)) code = 1;
  return code;
}

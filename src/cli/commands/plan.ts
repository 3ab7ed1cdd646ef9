import * as path from 'node:path';
import { flagChoice, flagString, UsageError, type ParsedArgs } from '../args';
import { COMMON_VALUE_FLAGS, type CliContext, type Command } from '../context';
import { readTextInput } from '../read-input';
import { PglensError, isPglensError } from '../../core/errors';
import { escapeControl } from '../../core/escape-control';
import { loadConfig } from '../../core/lint/config';
import { analyzePlan } from '../../core/plan/analyze';
import { planOptionsFromConfig } from '../../core/plan/config';
import { planToMarkdown } from '../../core/plan/markdown';
import { renderPlanText } from '../../core/plan/render-text';
import { findingsAtOrAbove, planReportJson } from '../../core/plan/report-json';
import type { SeveritySetting } from '../../core/types';

function readPlanInput(args: ParsedArgs, ctx: CliContext): { text: string; source: string } {
  const [file, ...extra] = args.positionals;
  if (file === undefined) throw new UsageError('no plan file: pass FILE (EXPLAIN output, JSON or text) or `-` for stdin');
  if (extra.length > 0) throw new UsageError(`one plan file at a time (got ${args.positionals.length})`);
  if (file === '-') return { text: readTextInput(0, 'stdin'), source: 'stdin' };
  return { text: readTextInput(path.resolve(ctx.cwd, file), file), source: file };
}

export const command: Command = {
  name: 'plan',
  summary: 'analyse existing EXPLAIN output (JSON or text, psql borders tolerated) and report what is slow and why',
  usage: [
    'Usage: pglens plan FILE [options]',
    '',
    'Reads EXPLAIN output from FILE (`-` for stdin): FORMAT JSON or the text format, as psql prints it',
    '(header, table borders and `+` continuations are fine), from PostgreSQL 12 to 18. No database needed.',
    '',
    'Options:',
    '  --format text|json|markdown   output format (default text; markdown suits a pull-request comment)',
    '  --fail-on error|warning|info|off   exit 1 when a finding is at or above this severity (default warning)',
    '  --config FILE                 .pglens.json with "plan" thresholds and plan rule severities',
    '',
    'Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 unreadable or malformed input.',
  ].join('\n'),
  flags: { values: [...COMMON_VALUE_FLAGS], switches: [] },
  async run(args, ctx) {
    try {
      const format = flagChoice(args, 'format', ['text', 'json', 'markdown'] as const, 'text');
      const failOn = flagChoice<SeveritySetting>(args, 'fail-on', ['error', 'warning', 'info', 'off'], 'warning');
      const configFile = flagString(args, 'config');
      const config = loadConfig(ctx.cwd, configFile ? path.resolve(ctx.cwd, configFile) : undefined);
      const { text, source } = readPlanInput(args, ctx);
      let report;
      try {
        report = analyzePlan(text, planOptionsFromConfig(config));
      } catch (e) {
        if (isPglensError(e)) throw new PglensError(e.code, `${source}: ${e.message}`);
        throw e;
      }
      if (format === 'json') ctx.stdout(JSON.stringify(planReportJson(report), null, 2) + '\n');
      else if (format === 'markdown') ctx.stdout(planToMarkdown(report));
      else ctx.stdout(renderPlanText(report) + '\n');
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

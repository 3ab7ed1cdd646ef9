import { statSync } from 'node:fs';
import * as path from 'node:path';
import { flagChoice, flagFailOn, flagString, reachesFailOn, UsageError } from '../args';
import { findingJson, sqlOneLine } from '../output';
import { COMMON_VALUE_FLAGS, type CliContext, type Command } from '../context';
import { serverConnection, timeoutSeconds } from '../connection';
import { connectionJson, type ConnectionJson } from '../connection-json';
import { cancelOnInterrupt } from '../interrupt';
import { resolveConnection } from '../../core/db/resolve';
import { PglensError } from '../../core/errors';
import { escapeControl } from '../../core/escape-control';
import { readServerInfo } from '../../core/health/catalog';
import { formatTimestamp } from '../../core/health/format';
import {
  linkCandidatesToCode,
  N_PLUS_ONE_CANDIDATE,
  readNPlusOneCandidates,
  type NPlusOneCandidate,
  type NPlusOneCandidatesResult,
} from '../../core/health/n-plus-one-candidates';
import type { CodeLink } from '../../core/app-code/query-senders';
import { loadConfig } from '../../core/config';

interface QueriesRun {
  connection: ConnectionJson;
  result: NPlusOneCandidatesResult;
  /** The code scan, when one ran: the folder, files read, what could not be read. */
  code?: { root: string; filesRead: number; notes: string[] };
}

/** Links shown per candidate in text (JSON has them all). */
const LINKS_SHOWN = 5;

export function queriesJson(run: QueriesRun): unknown {
  const { result } = run;
  const base = { connection: run.connection };
  if (result.state === 'unavailable') return { ...base, available: false, installed: result.installed, reason: result.reason, candidates: [] };
  if (result.state === 'off') return { ...base, available: true, off: true, reason: result.reason, candidates: [] };
  return {
    ...base,
    available: true,
    since: result.since,
    statements: result.statements,
    frequent: result.frequent,
    hiddenFrequent: result.hiddenFrequent ?? 0,
    thresholds: result.thresholds,
    candidates: result.candidates.map(findingJson),
    ...(run.code ? { code: run.code } : {}),
    notes: result.notes,
  };
}


const MATCH_TEXT: Record<CodeLink['match'], string> = {
  'same-sql': 'the same statement',
  lookup: 'the same lookup',
  model: 'a model call on the table and column',
  table: 'a model call on the table (condition not written literally)',
};

function linkText(l: CodeLink): string {
  const loop = l.loop
    ? `; in a ${l.loop.kind}${l.loop.collection ? ` over ${l.loop.collection}` : ''} at line ${l.loop.line}${l.loop.via ? ` (through ${l.loop.via})` : ''}: n-plus-one-query`
    : '';
  return `${l.file}:${l.line}:${l.column}  ${l.call}  (${MATCH_TEXT[l.match]}${loop})`;
}

function subject(c: NPlusOneCandidate): string {
  return `${c.table.schema ? `${c.table.schema}.` : ''}${c.table.name}.${c.columns.join(',')}`;
}

/**
 * Query texts, names, paths and messages come from the database or the files: every one is
 * escaped, so a newline or an escape sequence in a query cannot start a line or reach the terminal.
 */
export function queriesText(run: QueriesRun): string {
  const e = escapeControl;
  const { result } = run;
  const out: string[] = [];
  out.push(`Connection: ${e(run.connection.label)} (PostgreSQL ${e(run.connection.serverVersion)}), database ${e(run.connection.database)}`);
  if (result.state === 'off') return [...out, `${e(result.reason)}: nothing read.`].join('\n') + '\n';
  if (result.state === 'unavailable') return [...out, `pg_stat_statements: ${e(result.reason)}`].join('\n') + '\n';
  const t = result.thresholds;
  const since = result.since ? ` since ${formatTimestamp(result.since)}` : '';
  out.push(
    `pg_stat_statements: ${result.statements.toLocaleString('en-US')} statement${result.statements === 1 ? '' : 's'} of this database${since}; ` +
      `${result.frequent.toLocaleString('en-US')} run ≥ ${t.minCalls.toLocaleString('en-US')} times with ≤ ${t.maxRowsPerCall} rows per call`,
  );
  if (run.code) out.push(`Code: ${run.code.filesRead.toLocaleString('en-US')} file${run.code.filesRead === 1 ? '' : 's'} read under ${e(run.code.root)} (locations relative to it)`);
  for (const n of [...result.notes, ...(run.code?.notes ?? [])]) out.push(`Note: ${e(n)}`);
  out.push('');
  const hidden = result.hiddenFrequent ?? 0;
  if (result.candidates.length === 0) {
    if (hidden === 0) {
      out.push(`No N+1 candidates: no statement ran ≥ ${t.minCalls.toLocaleString('en-US')} times with ≤ ${t.maxRowsPerCall} rows per call as a lookup by key on one table.`);
    } else {
      // Other roles' statements pass the thresholds on calls and rows, but their text is hidden: not "none".
      out.push(
        `No N+1 candidates among the statements this role may read: none of those ran ≥ ${t.minCalls.toLocaleString('en-US')} times with ≤ ${t.maxRowsPerCall} rows per call as a lookup by key on one table. ` +
          `But ${hidden.toLocaleString('en-US')} statement${hidden === 1 ? '' : 's'} of other roles ${hidden === 1 ? 'was' : 'were'} run that often with that few rows, ` +
          `and ${hidden === 1 ? 'its' : 'their'} text is hidden (<insufficient privilege>), so ${hidden === 1 ? 'it' : 'they'} could not be judged: grant this role pg_read_all_stats and run it again.`,
      );
    }
    return out.join('\n') + '\n';
  }
  out.push(`N+1 candidates (${result.candidates.length}, most total time first):`);
  for (const c of result.candidates) {
    out.push(`  ${c.severity.padEnd(7)} ${N_PLUS_ONE_CANDIDATE}  ${e(subject(c))}`);
    out.push(`          ${e(c.message)}`);
    out.push(`          query: ${e(sqlOneLine(c.query, 300))}`);
    out.push(`          fix: ${e(c.fix)}`);
    if (c.code === undefined) continue;
    if (c.code.length === 0) {
      out.push('          sent from: no code found that writes this statement or calls its table by this column (search for it in generated or dynamic SQL)');
      continue;
    }
    out.push('          sent from:');
    for (const l of c.code.slice(0, LINKS_SHOWN)) out.push(`            ${e(linkText(l))}`);
    if (c.code.length > LINKS_SHOWN) out.push(`            … and ${c.code.length - LINKS_SHOWN} more (--format json lists them all)`);
  }
  return out.join('\n') + '\n';
}

/** `--workspace DIR`: an existing folder, else a usage error. */
function workspaceRoot(cwd: string, flag: string | undefined): string {
  const root = path.resolve(cwd, flag ?? '.');
  let dir = false;
  try {
    dir = statSync(root).isDirectory();
  } catch {
    throw new UsageError(`--workspace ${flag}: no such folder`);
  }
  if (!dir) throw new UsageError(`--workspace ${flag} is a file: pass the folder that holds the application's code`);
  return root;
}

export const command: Command = {
  name: 'queries',
  summary: 'N+1 candidates from pg_stat_statements: lookups by key run once per row, linked to the code that sends them',
  usage: [
    'Usage: pglens queries [options]',
    '',
    'Reads pg_stat_statements of the connected database (SELECTs only, under the statement timeout)',
    'for n-plus-one-candidate: statements run very many times with a row or two each, by equality on',
    'a parameter on one table (`SELECT … FROM posts WHERE author_id = $1`), most total time first,',
    'with what the column is (primary, unique or foreign key; indexed or not) and the code under',
    '--workspace that can send each one (the same SQL, or a Prisma/ORM call on its table and column;',
    'loops marked). pglens\'s own catalog queries are left out.',
    'Thresholds: "rules": { "n-plus-one-candidate": ["info", { "minCalls": 1000, "maxRowsPerCall": 2,',
    '"maxCandidates": 20 }] } in .pglens.json (docs/rules/n-plus-one-candidate.md).',
    '',
    'Needs a server with pg_stat_statements: shared_preload_libraries = \'pg_stat_statements\' in',
    'postgresql.conf, a restart, then CREATE EXTENSION pg_stat_statements; in the database.',
    '',
    'Options:',
    '  --db URL              connect to this server (else DATABASE_URL, then ./.env)',
    '  --workspace DIR       the application code to link candidates to (default: the current folder)',
    '  --no-code             do not read the code',
    '  --format text|json    output format (default text)',
    '  --config FILE         .pglens.json to use (default: found from --workspace upwards)',
    '  --timeout SECONDS     statement timeout of each query (default 30)',
    '  --fail-on error|warning|info|off   exit 1 when a candidate is at or above this severity (default warning; off: never)',
    '',
    'Exit codes: 0 nothing at or above --fail-on, 1 candidates at or above it, 2 could not run',
    '(pg_stat_statements missing or unreadable included).',
  ].join('\n'),
  flags: {
    values: [...COMMON_VALUE_FLAGS, 'db', 'workspace'],
    switches: ['no-code'],
  },
  async run(args, ctx: CliContext) {
    const format = flagChoice(args, 'format', ['text', 'json'] as const, 'text');
    const failOn = flagFailOn(args);
    if (args.positionals.length > 0) throw new UsageError(`queries takes no arguments, got "${args.positionals[0]}" (use --workspace DIR for the code)`);
    const withCode = args.flags.get('no-code') !== true;
    const root = workspaceRoot(ctx.cwd, flagString(args, 'workspace'));
    const configFile = flagString(args, 'config');
    const config = loadConfig(root, configFile ? path.resolve(ctx.cwd, configFile) : undefined);
    const timeout = timeoutSeconds(args);
    const resolved = await resolveConnection({ db: flagString(args, 'db'), env: ctx.env, cwd: ctx.cwd });
    if (resolved.kind !== 'server') {
      throw new PglensError(
        'bad-input',
        `N+1 candidates come from pg_stat_statements of the server the application uses, and no server is given (${resolved.reason})`,
        'pass --db postgresql://… or set DATABASE_URL',
      );
    }
    const conn = serverConnection(resolved.url, timeout);
    try {
      await conn.serverVersion();
      const run = await cancelOnInterrupt(conn, ctx.stderr, async (): Promise<QueriesRun> => {
        const server = await readServerInfo(conn);
        const result = await readNPlusOneCandidates(conn, { config });
        const connection = connectionJson({ kind: conn.kind, serverVersion: server.serverVersion, label: conn.label, database: server.database });
        if (result.state !== 'ran' || !withCode || result.candidates.length === 0) return { connection, result };
        const scan = await linkCandidatesToCode(result.candidates, root, config);
        return { connection, result, code: { root, ...scan } };
      });
      if (run.result.state === 'unavailable') {
        // Said once, on stderr, where the reason for exit code 2 goes; JSON readers get it as a field too.
        if (format === 'json') ctx.stdout(JSON.stringify(queriesJson(run), null, 2) + '\n');
        ctx.stderr(`pglens queries: cannot list N+1 candidates on ${escapeControl(run.connection.database)}: ${escapeControl(run.result.reason)}\n`);
        return 2;
      }
      ctx.stdout(format === 'json' ? JSON.stringify(queriesJson(run), null, 2) + '\n' : queriesText(run));
      if (run.result.state !== 'ran') return 0;
      return reachesFailOn(run.result.candidates, failOn) ? 1 : 0;
    } finally {
      await conn.close();
    }
  },
};

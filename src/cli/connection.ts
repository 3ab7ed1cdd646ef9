import * as path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PglensError, errorMessage } from '../core/errors';
import { escapeControl } from '../core/escape-control';
import { DEFAULT_MIGRATION_GLOBS } from '../core/db/migration-files';
import type { Connection } from '../core/db/connection';
import { PgConnection } from '../core/db/pg-connection';
import { createEmbeddedConnection } from '../core/db/embedded-connection';
import { resolveConnection } from '../core/db/resolve';
import { redactSecrets } from '../core/db/redact';
import { runnerText, sandboxDataLines } from '../core/db/sandbox-report';
import { readStatsFile, type SandboxDataOverrides } from '../core/sandbox-data/settings';
import { flagString, flagTimeout, UsageError, type ParsedArgs } from './args';
import { cacheRoot } from './cache-root';
import type { CliContext } from './context';

/** Flags of the commands that take a server or the sandbox (docs/cli.md "Connection resolution"). */
export const CONNECTION_VALUE_FLAGS = ['db', 'migrations', 'data', 'scale'];
export const CONNECTION_SWITCHES = ['embedded', 'no-data'];

/** Help lines for the sandbox's data flags, shared by the commands that take them. */
export const DATA_FLAGS_HELP = [
  '  --data FILE           fill the sandbox shaped by this stats file (pglens stats export); default: .pglens.json sandbox.data',
  '  --scale N             multiply the sandbox\'s row counts (e.g. 0.1 with a production stats file)',
  '  --no-data             leave the sandbox\'s tables as the migrations leave them (empty)',
];

/** `--data FILE`, `--scale N`, `--no-data`: checked here, so a wrong path fails before the sandbox starts. */
export function dataOverrides(args: ParsedArgs, cwd: string, readFile = true): SandboxDataOverrides | undefined {
  const file = flagString(args, 'data');
  const scaleText = flagString(args, 'scale');
  const off = args.flags.get('no-data') === true;
  if (file === undefined && scaleText === undefined && !off) return undefined;
  if (off && (file !== undefined || scaleText !== undefined)) throw new UsageError('--no-data leaves the tables empty: it cannot be combined with --data or --scale');
  const out: SandboxDataOverrides = {};
  if (off) out.enabled = false;
  if (file !== undefined) {
    if (file.trim() === '') throw new UsageError('--data needs the path of a stats file (pglens stats export -o FILE)');
    const abs = path.resolve(cwd, file);
    if (readFile) readStatsFile(abs, escapeControl(file));
    out.stats = abs;
    out.enabled = true;
  }
  if (scaleText !== undefined) {
    const n = Number(scaleText);
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(scaleText) || !Number.isFinite(n) || n <= 0 || n > 100) throw new UsageError(`--scale ${escapeControl(scaleText)}: give a number above 0 and at most 100 (1 = as given, 0.1 = a tenth)`);
    out.scale = n;
    out.enabled = true;
  }
  return out;
}

/**
 * Node options a child needs to run a TypeScript entry (running from source: `npx tsx
 * src/cli/main.ts`): tsx's loader, by its absolute URL, so it resolves from whatever folder
 * pglens runs in (a bare `--import tsx` resolves from the current folder, a user's project).
 */
function typeScriptLoader(): string[] {
  return ['--import', pathToFileURL(require.resolve('tsx')).href];
}

/** A child process's entry: `<name>.js` next to the bundle, else the TypeScript source with tsx's loader. */
function workerEntry(name: string, source: string[]): { script: string; execArgv: string[] } {
  const bundled = path.join(__dirname, `${name}.js`);
  if (existsSync(bundled)) return { script: bundled, execArgv: [] };
  return { script: path.resolve(__dirname, '..', ...source, `${name}.ts`), execArgv: typeScriptLoader() };
}

/** The sandbox child's entry (see sandbox-process.ts), for createEmbeddedConnection's workerScript and execArgv. */
export function sandboxWorker(): { workerScript: string; execArgv: string[] } {
  const { script, execArgv } = workerEntry('sandbox-process', ['core', 'db']);
  return { workerScript: script, execArgv };
}

/** The rollback verification child's entry (see verify-process.ts), next to the bundle or as TypeScript source. */
export function verifyWorkerScript(): { script: string; execArgv: string[] } {
  return workerEntry('verify-process', ['core', 'migrations', 'verify']);
}

/** A connection to the server `url` names, with the statement timeout; a URL pg cannot use is a one-line error. */
export function serverConnection(url: string, timeoutSeconds: number): PgConnection {
  const label = redactSecrets(url);
  try {
    return new PgConnection({ connectionString: url, label, statementTimeoutMs: Math.ceil(timeoutSeconds * 1000) });
  } catch (e) {
    // pg reads the URL here, and the files its sslcert/sslkey/sslrootcert parameters name.
    throw new PglensError('bad-input', `cannot use the connection ${label}: ${redactSecrets(errorMessage(e))}`, 'check the URL and the files its parameters name');
  }
}

/** `--timeout SECONDS` (docs/cli.md "Common flags": the statement timeout), default 30. */
export function timeoutSeconds(args: ParsedArgs): number {
  return flagTimeout(args) ?? 30;
}

/**
 * Opens the connection docs/cli.md "Connection resolution" picks: --db, DATABASE_URL, ./.env,
 * else the sandbox (--embedded: the sandbox, and never together with --db). A server session
 * gets --timeout as its statement_timeout, so no catalog query or advisor EXPLAIN runs longer
 * than asked (explain also applies it with SET LOCAL, and on the sandbox by ending its process).
 */
export async function openCliConnection(args: ParsedArgs, ctx: CliContext, onOpen?: (conn: Connection) => void): Promise<Connection> {
  const timeout = timeoutSeconds(args);
  const embedded = args.flags.get('embedded') === true;
  if (embedded && args.flags.has('db')) {
    throw new UsageError('--embedded and --db name two different databases (the embedded sandbox, and the server at --db) — give one: --db URL to use that server, --embedded to use the sandbox');
  }
  const resolved = await resolveConnection({
    db: flagString(args, 'db'),
    env: ctx.env,
    cwd: ctx.cwd,
    embedded,
  });
  // On a server connection the flags do nothing: checked for form, the file not read.
  const data = dataOverrides(args, ctx.cwd, resolved.kind !== 'server');
  if (resolved.kind === 'server') {
    // advise --sandbox builds a sandbox from the same flags next to the server: there they count.
    if (args.flags.get('sandbox') !== true) {
      if (data) ctx.stderr(`pglens: --data, --scale and --no-data fill the embedded sandbox: ignored on a server connection\n`);
      if (args.flags.has('migrations')) ctx.stderr(`pglens: --migrations builds the embedded sandbox: ignored on a server connection\n`);
    }
    const conn = serverConnection(resolved.url, timeout);
    // The caller can close it if interrupted before it is ready (advise: Ctrl-C while connecting).
    onOpen?.(conn);
    await conn.serverVersion();
    return conn;
  }
  const migrations = flagString(args, 'migrations');
  if (migrations !== undefined) {
    // A mistyped folder would otherwise give an empty sandbox, and every table "does not exist".
    let isDir = false;
    try {
      isDir = statSync(path.resolve(ctx.cwd, migrations)).isDirectory();
    } catch {
      throw new PglensError('bad-input', `--migrations ${migrations}: no such folder`, 'pass the folder that holds the migration .sql files');
    }
    if (!isDir) throw new PglensError('bad-input', `--migrations ${migrations} is a file`, 'pass the folder that holds the migration .sql files');
  }
  const conn = createEmbeddedConnection({
    workspaceRoot: migrations ? path.resolve(ctx.cwd, migrations) : ctx.cwd,
    migrationGlobs: migrations ? ['**/*.sql'] : undefined,
    cacheDir: path.join(cacheRoot(ctx.env), 'sandbox'),
    ...sandboxWorker(),
    data,
    onProgress: progressPrinter(ctx),
  });
  // …and the sandbox while it starts (a replay can take minutes): closing it then ends its process and removes its working copy.
  onOpen?.(conn);
  await conn.serverVersion();
  const report = await conn.sandboxReport();
  for (const f of report.failed) ctx.stderr(`pglens: sandbox could not apply ${escapeControl(f.file)}:${f.line}: ${escapeControl(f.message)}\n`);
  for (const line of sandboxDataLines(report)) ctx.stderr(`pglens: ${escapeControl(line)}\n`);
  if (report.files.length === 0) {
    ctx.stderr(
      migrations !== undefined
        ? `pglens: no .sql files under ${escapeControl(migrations)}: the sandbox has no tables\n`
        : `pglens: no migrations found under ${escapeControl(ctx.cwd)} (${DEFAULT_MIGRATION_GLOBS.join(', ')}): the sandbox has no tables — pass --migrations DIR or --db URL\n`,
    );
  }
  if (resolved.reason) ctx.stderr(`pglens: using the embedded sandbox (${resolved.reason}${escapeControl(runnerText(report))})\n`);
  return conn;
}

/**
 * A cold sandbox with data takes seconds to fill: on a terminal, say what it is doing (one
 * line every few seconds at most); in a pipe or CI log, nothing (the summary follows).
 */
function progressPrinter(ctx: CliContext): ((message: string) => void) | undefined {
  if (!ctx.stderrIsTTY) return undefined;
  let last = 0;
  return (message) => {
    const now = Date.now();
    if (now - last < 3000) return;
    last = now;
    ctx.stderr(`pglens: ${escapeControl(message)}\n`);
  };
}

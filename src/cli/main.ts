import { flagTimeout, parseArgs, UsageError } from './args';
import { isCommandName, type CommandName } from './command-names';
import type { CliContext, Command } from './context';
import { isPglensError, errorMessage } from '../core/errors';
import { escapeControl } from '../core/escape-control';
import { guardedContext } from './output';
import { quietTlsWarnings } from './tls-warnings';
import { version } from './version';

/**
 * Each command's module is loaded only when it runs: a `pglens lint` in CI then neither compiles
 * nor initialises the database client, the plan analyser and the sandbox (startup is most of a
 * small folder's run time).
 */
const loaders: Record<CommandName, () => Promise<Command>> = {
  lint: async () => (await import('./commands/lint')).command,
  explain: async () => (await import('./commands/explain')).command,
  plan: async () => (await import('./commands/plan')).command,
  indexes: async () => (await import('./commands/indexes')).command,
  advise: async () => (await import('./commands/advise')).command,
  demo: async () => (await import('./commands/demo')).command,
  migrations: async () => (await import('./commands/migrations')).command,
  stats: async () => (await import('./commands/stats')).command,
  health: async () => (await import('./commands/health')).command,
  queries: async () => (await import('./commands/queries')).command,
};

/** Every command, in help order. */
function loadCommands(): Promise<Command[]> {
  return Promise.all(Object.values(loaders).map((load) => load()));
}

async function mainHelp(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `pglens ${version} — PostgreSQL plans, migration lint and database health`,
    '',
    'Usage: pglens <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options: --format text|json, --config FILE, --timeout SECONDS, --fail-on error|warning|info, --help, --version',
    'Connection: --db URL, else DATABASE_URL (environment, then ./.env), else the embedded sandbox built from --migrations DIR.',
    'Run `pglens <command> --help` for a command\'s options.',
  ].join('\n');
}

/** Runs one CLI invocation in-process; returns the exit code (0 clean, 1 findings, 2 could not run). */
export async function runCli(argv: string[], outer: CliContext): Promise<number> {
  const ctx = guardedContext(outer);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout((await mainHelp()) + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    ctx.stdout(`${version}\n`);
    return 0;
  }
  const load = isCommandName(name) ? loaders[name] : undefined;
  if (!load) {
    ctx.stderr(`pglens: unknown command "${escapeControl(name)}" — run \`pglens --help\` for the list\n`);
    return 2;
  }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout(`${cmd.usage}\n`);
    return 0;
  }
  if (rest.includes('--version')) {
    ctx.stdout(`${version}\n`);
    return 0;
  }
  try {
    const args = parseArgs(rest, cmd.flags);
    // Every command takes --timeout: a value out of range is refused before anything starts.
    flagTimeout(args);
    return await cmd.run(args, ctx);
  } catch (e) {
    // Messages carry names from files and servers: one line each, whatever those hold.
    if (e instanceof UsageError || isPglensError(e)) {
      ctx.stderr(`pglens ${name}: ${escapeControl(e.message)}\n`);
    } else {
      ctx.stderr(`pglens ${name}: unexpected error: ${escapeControl(errorMessage(e).split('\n')[0])} — please report it with the command you ran\n`);
    }
    return 2;
  }
}

if (require.main === module) {
  quietTlsWarnings();
  // A reader that stops early (`pglens lint | head`) closes the pipe: the rest of the output has
  // nowhere to go, which is no error of the run, so it finishes quietly with its own exit code.
  let stdoutClosed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stdoutClosed = true;
  });
  const ctx: CliContext = {
    cwd: process.cwd(),
    env: process.env,
    stdout: (t) => {
      if (!stdoutClosed) process.stdout.write(t);
    },
    stderr: (t) => process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
  };
  runCli(process.argv.slice(2), ctx).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`pglens: ${escapeControl(errorMessage(e))}\n`);
      process.exitCode = 2;
    },
  );
}

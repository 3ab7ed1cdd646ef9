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
  schema: async () => (await import('./commands/schema')).command,
};

/** Every command, in help order. */
function loadCommands(): Promise<Command[]> {
  return Promise.all(Object.values(loaders).map((load) => load()));
}

/** The common flags the main help describes (docs/cli.md "Common flags"), each with what it does. */
const COMMON_HELP: Array<{ flag: string; shown: string; meaning: string }> = [
  { flag: 'format', shown: '--format F', meaning: 'output format (text, json, …: see the command\'s --help)' },
  { flag: 'config', shown: '--config FILE', meaning: 'the .pglens.json to use' },
  { flag: 'timeout', shown: '--timeout SECONDS', meaning: 'how long a statement (migrations: each part) may run' },
  { flag: 'fail-on', shown: '--fail-on SEVERITY', meaning: 'error|warning|info|off: exit 1 on a finding at or above it (off: never)' },
];

/**
 * The main help. Which command takes which common flag is read from what each declares, so the
 * text stays true: "all but demo, stats" rather than a list every command is said to take.
 */
export function mainHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const takes = (c: Command, flag: string): boolean => c.flags.values.includes(flag) || c.flags.switches.includes(flag);
  const who = (flag: string): string => {
    const without = commands.filter((c) => !takes(c, flag)).map((c) => c.name);
    if (without.length === 0) return 'every command';
    const with_ = commands.filter((c) => takes(c, flag)).map((c) => c.name);
    return with_.length <= without.length ? `only ${with_.join(', ')}` : `all but ${without.join(', ')}`;
  };
  const optionWidth = Math.max(...COMMON_HELP.map((o) => o.shown.length), '--help, --version'.length);
  const sandboxCommands = commands.filter((c) => takes(c, 'embedded')).map((c) => c.name);
  return [
    `pglens ${version} — PostgreSQL plans, migration lint and database health`,
    '',
    'Usage: pglens <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options most commands take (each command\'s --help lists its own; `migrations down` takes no --fail-on):',
    ...COMMON_HELP.map((o) => `  ${o.shown.padEnd(optionWidth)}  ${o.meaning} — ${who(o.flag)}`),
    `  ${'--help, --version'.padEnd(optionWidth)}  every command`,
    '',
    `Connection (${sandboxCommands.join(', ')}): --db URL, else DATABASE_URL (environment, then ./.env), else the embedded`,
    'sandbox built from --migrations DIR (--embedded picks the sandbox whatever DATABASE_URL says; not with --db).',
    'stats and queries need a server; migrations uses an in-memory PGlite unless --db; lint and plan never connect.',
    'schema draws migrations or a schema.prisma, else a server\'s catalog (--db, DATABASE_URL); never the sandbox.',
    'Run `pglens <command> --help` for a command\'s options.',
  ].join('\n');
}

/** Runs one CLI invocation in-process; returns the exit code (0 clean, 1 findings, 2 could not run). */
export async function runCli(argv: string[], outer: CliContext): Promise<number> {
  const ctx = guardedContext(outer);
  const [name, ...rest] = argv;
  if (name === undefined) {
    // No command is a usage error (docs/cli.md "Arguments and help"): the list goes to stderr with
    // the cause, so `pglens > out` does not take the help for output, and the exit code stays 2.
    ctx.stderr(`${mainHelp(await loadCommands())}\n\npglens: no command given — pick one of the commands above (\`pglens --help\` prints this list)\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout(mainHelp(await loadCommands()) + '\n');
    return 0;
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
    // A --timeout out of range is refused before anything starts (the commands that take one; the
    // others refuse the flag itself in parseArgs, FlagSpec.refused).
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

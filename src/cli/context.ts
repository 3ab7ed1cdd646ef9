import type { ParsedArgs, FlagSpec } from './args';

/** What a command may touch: injected so tests can run commands in-process. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * CI workflow commands pglens means (lint's GitHub annotations), written as they are: runCli's
   * stdout makes any `::` or `##[` command inert (output.ts). Without it, they go to stdout.
   */
  workflowCommands?(text: string): void;
  /** stderr is a terminal: progress lines are worth printing. */
  stderrIsTTY?: boolean;
}

/** One `pglens <name>` command, in `src/cli/commands/<name>.ts`. Returns the exit code (docs/cli.md "Exit codes"). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

/**
 * The common flags (docs/cli.md "Common flags"), declared by each command that uses them: most
 * take all four; `lint` and `plan` never connect and refuse `--timeout` (NO_TIMEOUT), `demo`
 * takes none and `stats` only `--timeout`. The main help lists which commands take which.
 */
export const COMMON_VALUE_FLAGS = ['format', 'config', 'timeout', 'fail-on'];

/** The common flags but `--timeout`: for the commands that run no SQL. */
export const COMMON_VALUE_FLAGS_NO_TIMEOUT = COMMON_VALUE_FLAGS.filter((f) => f !== 'timeout');

/** `--timeout` refused by a command that runs no SQL, with why and what to do (FlagSpec.refused). */
export function noTimeout(command: string, what: string): Record<string, string> {
  return { timeout: `${command} ${what} and never connects to a database, so there is no statement to time out — leave --timeout out` };
}

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

/** One `pglens <name>` command, in `src/cli/commands/<name>.ts`. Returns the exit code (CLI.md). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

/** Flags every command accepts (CLI.md "Common flags"). */
export const COMMON_VALUE_FLAGS = ['format', 'config', 'timeout', 'fail-on'];

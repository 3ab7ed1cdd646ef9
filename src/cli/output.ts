import { escapeControlKeepingLayout } from '../core/escape-control';
import type { CliContext } from './context';

/** `##[cmd]` (GitHub Actions' older syntax), `##vso[` (Azure Pipelines), `##teamcity[`: read anywhere in a line. */
const CI_MESSAGE = /##(?=\w*\[)/g;
/** `::cmd::`: GitHub Actions reads it at the start of a line, after blanks. */
const LINE_COMMAND = /(^|\n)([^\S\n]*):(?=:)/g;
const BLANK = /^[^\S\n]*$/;

/**
 * The context runCli hands a command: everything it prints passes here. Names and messages are
 * escaped where they are formatted (escapeControl: only the formatter knows which newlines are
 * its own); this guard holds for whatever reaches the output anyway:
 *  - no control character but newline and tab reaches the terminal, so no escape sequence;
 *  - no text can be taken for a CI command: a `::` starting a line (a file named `::error …`)
 *    or a `##…[` anywhere gets one character written as its JSON escape (`\u003a`, `\u0023`),
 *    so a JSON document stays valid and means the same.
 * The only commands pglens means, lint's GitHub annotations, go out through `workflowCommands`.
 */
export function guardedContext(ctx: CliContext): CliContext {
  return {
    cwd: ctx.cwd,
    env: ctx.env,
    stdout: inertWriter((t) => ctx.stdout(t)),
    stderr: inertWriter((t) => ctx.stderr(t)),
    workflowCommands: (t) => ctx.stdout(t),
    stderrIsTTY: ctx.stderrIsTTY,
  };
}

/** One stream's writer; it remembers whether the last write left it at a line's start (blanks only so far). */
function inertWriter(write: (text: string) => void): (text: string) => void {
  let lineStart = true;
  return (text) => {
    const out = escapeControlKeepingLayout(text)
      .replace(CI_MESSAGE, '#\\u0023')
      .replace(LINE_COMMAND, (whole, newline: string, blanks: string) =>
        newline === '' && !lineStart ? whole : `${newline}${blanks}\\u003a`,
      );
    const lastNewline = out.lastIndexOf('\n');
    lineStart = lastNewline < 0 ? lineStart && BLANK.test(out) : BLANK.test(out.slice(lastNewline + 1));
    write(out);
  };
}

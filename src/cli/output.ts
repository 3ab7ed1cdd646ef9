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

/**
 * A statement on one line for text output: runs of whitespace between tokens become one space, but
 * the inside of a quoted identifier, string or dollar-quoted body is kept as written — `"a\nb"` and
 * `"a b"` are different names, so a newline in one stays (escapeControl then shows it as `\n`).
 * Cut at `max` characters with an ellipsis.
 */
export function sqlOneLine(text: string, max: number): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      while (i < text.length && /\s/.test(text[i])) i++;
      out += ' ';
      continue;
    }
    if (ch === '"' || ch === "'") {
      // To the closing quote; a doubled quote is part of the name or string.
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === ch) {
          if (text[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const dollar = ch === '$' ? /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i)) : null;
    if (dollar) {
      const end = text.indexOf(dollar[0], i + dollar[0].length);
      const stop = end < 0 ? text.length : end + dollar[0].length;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    out += ch;
    i++;
  }
  const flat = out.trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A finding as the JSON outputs write it: the field `ruleId` under the key `rule` (docs/cli.md, a
 * public contract), in the same place among the keys, the others as they are.
 */
export function findingJson<T extends { ruleId: string }>(finding: T): Omit<T, 'ruleId'> & { rule: T['ruleId'] } {
  return Object.fromEntries(Object.entries(finding).map(([key, value]) => [key === 'ruleId' ? 'rule' : key, value])) as Omit<T, 'ruleId'> & { rule: T['ruleId'] };
}

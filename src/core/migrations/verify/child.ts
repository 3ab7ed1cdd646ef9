import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';
import { PglensError, errorMessage } from '../../errors';
import type { PglensConfig } from '../../config';
import type { HungMigration, PartName, PartStart } from './types';

/** What the verification children (verify-process.ts, verify-serve.ts) share. */

/** `.pglens.json` `"sandbox": { "setup" }`: the SQL run before the first migration, or undefined. */
export function readSetup(config: PglensConfig): string | undefined {
  if (!config.sandbox?.setup) return undefined;
  try {
    return readFileSync(config.sandbox.setup, 'utf8');
  } catch (e) {
    throw new PglensError('bad-input', `cannot read the sandbox setup file ${config.sandbox.setup}: ${errorMessage(e)}`, 'fix "sandbox": { "setup": … } in .pglens.json');
  }
}

/** The child ends with the process that started it (a parent killed with -9 must not leave it spinning). */
export function exitWithParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(1);
    }
  }, 2000).unref();
}

/** Default limit of one part (up, down, up again) of a migration, in seconds. */
export const DEFAULT_PART_TIMEOUT_SECONDS = 60;

/**
 * A line of the child's stderr that is for its parent's watchdog, not for the user: a part of a
 * migration starts (JSON PartStart), or none runs any more (`null`).
 */
const PART_MARK = '@@pglens-part ';

/**
 * Tells the parent that a part starts (undefined: none runs any more). Written synchronously: a
 * PGlite statement that never ends blocks this process, and the line must be out before it.
 */
export function announcePart(start: PartStart | undefined): void {
  const line = `${PART_MARK}${JSON.stringify(start ?? null)}\n`;
  try {
    writeSync(2, line);
  } catch {
    process.stderr.write(line);
  }
}

const PART_WORDS: Record<PartName, string> = { up: 'its up', down: 'its down', 'up again': 'its up, applied again after the down,' };

/** The child was ended because one part ran longer than the limit: which one. */
export class PartTimeoutError extends Error {
  constructor(readonly hung: HungMigration) {
    super(`${hung.id}: ${PART_WORDS[hung.part]} ran longer than ${hung.seconds} s and was stopped`);
    this.name = 'PartTimeoutError';
  }
}

/**
 * The parent's side: counts from each part the child announces and calls `onHang` when one runs
 * longer than `limitMs` (PGlite has no statement timeout, and its statement blocks the child's
 * process: only its parent can stop it).
 */
export class PartWatchdog {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limitMs: number,
    /** The limit as the user set it, for the report (a --db child stops its statements itself: its watchdog waits longer). */
    private readonly seconds: number,
    private readonly onHang: (hung: HungMigration) => void,
  ) {}

  /** One line of the child's stderr (without its line end): true when it was a part mark. */
  line(text: string): boolean {
    if (!text.startsWith(PART_MARK)) return false;
    clearTimeout(this.timer);
    this.timer = undefined;
    let start: PartStart | null;
    try {
      start = JSON.parse(text.slice(PART_MARK.length)) as PartStart | null;
    } catch {
      return true;
    }
    if (start) this.timer = setTimeout(() => this.onHang({ folder: start.folder, id: start.id, part: start.part, seconds: this.seconds }), this.limitMs);
    return true;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Whether a line of the child's stderr is a part mark (shown to no one). */
export function isPartMark(text: string): boolean {
  return text.startsWith(PART_MARK);
}

export interface AskOptions {
  /**
   * A part running longer than this (seconds) ends the child with SIGKILL; the answer then
   * rejects with a PartTimeoutError naming it.
   */
  partTimeoutSeconds?: number;
  /** Seconds added to the limit before the child is ended (a --db child cancels its statement itself at the limit). */
  graceSeconds?: number;
}

/**
 * Sends one JSON request to a verification child (`node [execArgv] script`) and resolves with
 * its one JSON answer; `onStderr` gets its progress lines. The caller may signal the returned
 * child (SIGINT: stop after the current migration and answer).
 */
export function askChild(
  script: string,
  execArgv: string[],
  request: unknown,
  onStderr: (text: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  options: AskOptions = {},
): { child: ChildProcessWithoutNullStreams; answer: Promise<unknown> } {
  const child = spawn(process.execPath, [...execArgv, script], { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  const out: Buffer[] = [];
  let hung: HungMigration | undefined;
  const limit = options.partTimeoutSeconds;
  const watchdog =
    limit !== undefined
      ? new PartWatchdog((limit + (options.graceSeconds ?? 0)) * 1000, limit, (h) => {
          hung = h;
          child.kill('SIGKILL');
        })
      : undefined;
  child.stdout.on('data', (c: Buffer) => out.push(c));
  // Line by line: the part marks go to the watchdog, the rest to the caller.
  let partial = '';
  child.stderr.on('data', (c: Buffer) => {
    const lines = (partial + c.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    const shown = lines.filter((l) => !(watchdog ? watchdog.line(l) : isPartMark(l)));
    if (shown.length) onStderr(shown.map((l) => `${l}\n`).join(''));
  });
  child.stdin.on('error', () => undefined);
  const answer = new Promise<unknown>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      watchdog?.stop();
      if (partial && !isPartMark(partial)) onStderr(partial);
      if (hung) {
        reject(new PartTimeoutError(hung));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as unknown);
      } catch {
        reject(new PglensError('bad-input', `the verification process ended (exit ${code}) without an answer`, 'run again; if it repeats, report it with the folder'));
      }
    });
  });
  child.stdin.end(JSON.stringify(request));
  return { child, answer };
}

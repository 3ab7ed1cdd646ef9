import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PglensError, errorMessage } from '../../errors';
import type { LintConfig } from '../../lint/config';

/** What the verification children (verify-process.ts, verify-serve.ts) share. */

/** `.pglens.json` `"sandbox": { "setup" }`: the SQL run before the first migration, or undefined. */
export function readSetup(config: LintConfig): string | undefined {
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
): { child: ChildProcessWithoutNullStreams; answer: Promise<unknown> } {
  const child = spawn(process.execPath, [...execArgv, script], { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => onStderr(c.toString('utf8')));
  child.stdin.on('error', () => undefined);
  const answer = new Promise<unknown>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
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

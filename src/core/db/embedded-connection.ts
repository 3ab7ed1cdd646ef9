import { fork, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PglensError } from '../errors';
import type { Connection, ExplainOptions, ExplainResult, QueryResult } from './connection';
import { TIMEOUT_HINT } from './db-error';
import { processAlive } from './process-alive';
import type { FromSandbox, ToSandbox, WireError } from './sandbox-protocol';
import type { SandboxReport } from './sandbox-report';
import type { SandboxDataOverrides } from '../sandbox-data/settings';

export interface EmbeddedConnectionOptions {
  workspaceRoot: string;
  /** Globs relative to workspaceRoot (default: DEFAULT_MIGRATION_GLOBS). */
  migrationGlobs?: string[];
  /** Explicit migration files, replayed in this order; overrides the globs. */
  migrationFiles?: string[];
  /** Cache root (editor: globalStorage; CLI: ~/.cache/pglens or $XDG_CACHE_HOME/pglens). */
  cacheDir: string;
  /** The sandbox process entry: dist/sandbox-process.js when bundled, or src/core/db/sandbox-process.ts with a TS loader in `execArgv`. */
  workerScript: string;
  /** PGlite's initdb as a data directory dump; default: the one shipped next to the bundled sandbox. */
  initdbArchive?: string;
  /** Node flags for the child, e.g. ['--import', 'tsx'] to run the .ts entry in tests. Default: none. */
  execArgv?: string[];
  onProgress?(message: string): void;
  /** After every start (the first, a restart after cancel, after refresh): what it built or loaded. */
  onReady?(report: SandboxReport): void;
  /** Data flags over `.pglens.json` `sandbox.data` (the CLI's --data, --scale, --no-data). */
  data?: SandboxDataOverrides;
  /** Longest a start may take (default SANDBOX_START_TIMEOUT_MS); statement timeouts count from when it is ready. */
  startTimeoutMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Sandbox {
  child: ChildProcess;
  ready: Promise<SandboxReport>;
  pending: Map<number, Pending>;
  stderr: string[];
  /** The process reported ready (its database is open). */
  started: boolean;
  /** The last progress message of its start, to say where a start that took too long was. */
  lastProgress?: string;
  /** Set when we end the process on purpose (cancel, timeout, close). */
  ending?: PglensError;
  /** Resolves close() when the child reports its database closed. */
  onClosed?: () => void;
}

const CLOSE_GRACE_MS = 3000;
/**
 * A start replays the migrations into PGlite, which enforces no statement_timeout: a migration
 * that never ends (a loop in a DO block) would hang it. Real starts take seconds (2.4 s for
 * initdb, 0.6 ms per statement, a minute for ~100,000 statements), so this only ends a hung one.
 */
export const SANDBOX_START_TIMEOUT_MS = 5 * 60_000;
let instances = 0;

/**
 * The embedded default: PGlite in its own Node process, started lazily on first use, so the
 * 450–600 MB it holds never live in the editor and come back when the process ends. Cancel
 * and timeouts end the process (PGlite enforces no statement_timeout); the next start loads
 * from the cache.
 */
export class EmbeddedConnection implements Connection {
  readonly kind = 'embedded' as const;
  readonly label = 'embedded sandbox (PGlite)';
  private sandbox: Sandbox | undefined;
  private nextId = 1;
  private starts = 0;
  private closed = false;
  /** This connection's working copy of the database; it outlives restarts, so data written survives a cancel. */
  private workDir: string;
  private readonly instance = instances++;
  private generation = 0;
  private lastReport: SandboxReport | undefined;

  constructor(private readonly options: EmbeddedConnectionOptions) {
    this.workDir = this.nextWorkDir();
  }

  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.request({ type: 'query', sql, params }) as Promise<QueryResult<R>>;
  }

  queryOne<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.request({ type: 'query', sql, params, single: true }) as Promise<QueryResult<R>>;
  }

  explain(sql: string, options: ExplainOptions): Promise<ExplainResult> {
    return this.request({ type: 'explain', sql, options }, options.timeoutMs) as Promise<ExplainResult>;
  }

  serverVersion(): Promise<string> {
    return this.request({ type: 'version' }) as Promise<string>;
  }

  /** Starts the sandbox if needed and returns what its build or cache load did. */
  async sandboxReport(): Promise<SandboxReport> {
    return this.start().ready;
  }

  /** The report of the last start, without starting anything. */
  get report(): SandboxReport | undefined {
    return this.lastReport;
  }

  /** Ends what is running by ending the process; it restarts right away on its working copy (Postgres recovers it), else from the cache. */
  async cancel(): Promise<void> {
    const sb = this.sandbox;
    if (!sb || sb.pending.size === 0) return;
    await this.end(sb, new PglensError('cancelled', 'the statement was cancelled', 'run it again when ready'));
    this.restartQuietly();
  }

  async close(): Promise<void> {
    this.closed = true;
    const sb = this.sandbox;
    if (!sb) return;
    await this.release(sb, this.workDir, false);
  }

  /**
   * The migrations changed: the running sandbox is out of date. It ends once the requests it
   * has already been sent are answered (the process handles messages in order), and the next
   * request starts a new one from the current files, in a new working copy — from the cache
   * when that build exists, else from the cached build of the files before the first changed
   * one. What this session wrote into the old working copy goes with it.
   */
  refresh(): void {
    const sb = this.sandbox;
    if (!sb || this.closed) return;
    this.sandbox = undefined;
    const workDir = this.workDir;
    this.workDir = this.nextWorkDir();
    this.starts = 0;
    void this.release(sb, workDir, true);
  }

  private nextWorkDir(): string {
    return path.join(this.options.cacheDir, 'run', `${process.pid}-${this.instance}-${this.generation++}`);
  }

  /**
   * Asks the process to close its database and exit; ends it after a grace period otherwise.
   * With `drain`, the grace period starts once the requests sent before are answered.
   */
  private async release(sb: Sandbox, workDir: string, drain: boolean): Promise<void> {
    if (!drain && !sb.started) {
      // Closed while it starts (the restart after a timeout or cancel, as the CLI exits): it has
      // answered nothing and holds nothing to keep, so waiting out its start would only delay the close.
      await this.end(sb, closedError());
      await removeDir(workDir);
      return;
    }
    const released = new Promise<void>((resolve) => {
      sb.onClosed = resolve;
      sb.child.once('exit', () => resolve());
    });
    if (sb.child.connected) sb.child.send({ type: 'close' } satisfies ToSandbox);
    while (drain && sb.pending.size > 0 && sb.child.exitCode === null && sb.child.signalCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const timer = setTimeout(() => void this.end(sb, closedError()), CLOSE_GRACE_MS);
    await released;
    clearTimeout(timer);
    // The child may still be copying for the next start (a second or so): let it finish and
    // exit on its own without holding this process (the CLI) open.
    if (sb.child.connected) sb.child.disconnect();
    sb.child.unref();
    (sb.child.stderr as { unref?: () => void } | null)?.unref?.();
    await removeDir(workDir);
  }

  private async request(message: DistributiveOmit<ToSandbox & { id: number }, 'id'>, timeoutMs?: number): Promise<unknown> {
    const sb = this.start();
    await sb.ready;
    // Ended, or replaced by refresh() while it started: send to the current one.
    if (sb.ending || !sb.child.connected || sb !== this.sandbox) return this.request(message, timeoutMs);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (fn: () => void) => {
        if (timer) clearTimeout(timer);
        sb.pending.delete(id);
        fn();
      };
      sb.pending.set(id, { resolve: (v) => done(() => resolve(v)), reject: (e) => done(() => reject(e)) });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          void this.end(sb, new PglensError('timeout', `the statement ran longer than the statement timeout (${formatSeconds(timeoutMs)}); the sandbox was restarted`, TIMEOUT_HINT));
          this.restartQuietly();
        }, timeoutMs);
      }
      sb.child.send({ ...message, id } as ToSandbox);
    });
  }

  private start(): Sandbox {
    if (this.closed) throw closedError();
    if (this.sandbox) return this.sandbox;
    const workDir = this.workDir;
    const restart = this.starts++ > 0;
    const child = fork(this.options.workerScript, [], {
      serialization: 'advanced',
      execArgv: this.options.execArgv ?? [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const sb: Sandbox = { child, pending: new Map(), stderr: [], started: false, ready: Promise.resolve(undefined as never) };
    this.sandbox = sb;
    child.stderr?.on('data', (chunk: Buffer) => {
      sb.stderr.push(chunk.toString('utf8'));
      if (sb.stderr.length > 20) sb.stderr.shift();
    });
    sb.ready = new Promise<SandboxReport>((resolve, reject) => {
      const startTimeoutMs = this.options.startTimeoutMs ?? SANDBOX_START_TIMEOUT_MS;
      const startTimer = setTimeout(() => {
        const where = sb.lastProgress ? ` (last step: ${sb.lastProgress})` : '';
        const filling = /^(sandbox data:|filling the tables)/.test(sb.lastProgress ?? '');
        const e = new PglensError(
          'timeout',
          `the embedded sandbox did not start within ${formatSeconds(startTimeoutMs)}${where}`,
          filling
            ? 'the generated data is too large to fill in time: lower "scale", "rowsPerTable" or "rows" in .pglens.json sandbox.data (or --scale), or set "data": false'
            : 'a migration may never finish (PGlite has no statement timeout): check the migrations, or connect to a server',
        );
        reject(e);
        void this.end(sb, e);
      }, startTimeoutMs);
      child.on('message', (msg: FromSandbox) => {
        switch (msg.type) {
          case 'progress':
            sb.lastProgress = msg.message;
            this.options.onProgress?.(msg.message);
            return;
          case 'ready':
            clearTimeout(startTimer);
            sb.started = true;
            this.lastReport = msg.report;
            resolve(msg.report);
            this.options.onReady?.(msg.report);
            return;
          case 'closed':
            sb.onClosed?.();
            return;
          case 'init-failed':
            reject(fromWire(msg.error));
            void this.end(sb, fromWire(msg.error));
            return;
          case 'result':
            sb.pending.get(msg.id)?.resolve(msg.value);
            return;
          case 'error':
            sb.pending.get(msg.id)?.reject(fromWire(msg.error));
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(startTimer);
        const reason =
          sb.ending ??
          new PglensError(
            'sandbox-failed',
            `the embedded sandbox process ended unexpectedly (${signal ?? `exit code ${code}`})${tail(sb.stderr)}`,
            'run the command again; if it keeps failing, delete the sandbox cache or connect to a server',
          );
        reject(reason);
        for (const p of [...sb.pending.values()]) p.reject(reason);
        if (this.sandbox === sb) this.sandbox = undefined;
        if (this.closed) void removeDir(workDir);
      });
      child.on('error', (e) => {
        reject(new PglensError('sandbox-failed', `could not start the embedded sandbox process (${this.options.workerScript}): ${e.message}`, 'check the installation, or connect to a server'));
      });
    });
    // Callers that never await `ready` (a quiet restart) must not leave an unhandled rejection.
    sb.ready.catch(() => undefined);
    void cleanStaleRuns(this.options.cacheDir);
    child.send({
      type: 'init',
      options: {
        workspaceRoot: this.options.workspaceRoot,
        migrationGlobs: this.options.migrationGlobs,
        migrationFiles: this.options.migrationFiles,
        cacheDir: this.options.cacheDir,
        workDir,
        reuseWorkDir: restart,
        initdbArchive: this.options.initdbArchive,
        data: this.options.data,
      },
    } satisfies ToSandbox);
    return sb;
  }

  private restartQuietly(): void {
    if (!this.closed) this.start();
  }

  private end(sb: Sandbox, reason: PglensError): Promise<void> {
    if (!sb.ending) sb.ending = reason;
    if (this.sandbox === sb) this.sandbox = undefined;
    for (const p of [...sb.pending.values()]) p.reject(reason);
    if (sb.child.exitCode !== null || sb.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      sb.child.once('exit', () => resolve());
      sb.child.kill('SIGKILL');
    });
  }
}

export function createEmbeddedConnection(options: EmbeddedConnectionOptions): EmbeddedConnection {
  return new EmbeddedConnection(options);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function fromWire(e: WireError): PglensError {
  return new PglensError(e.code, e.message, e.hint, e.position, e.unverifiedFunctions);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function closedError(): PglensError {
  return new PglensError('connection-failed', 'the embedded sandbox connection was closed', 'open a new connection');
}

function tail(stderr: string[]): string {
  const text = stderr.join('').trim().split('\n').slice(-3).join(' | ');
  return text ? `: ${text.slice(0, 500)}` : '';
}

async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** Session copies left by processes that died without cleaning up (named `<parent pid>-<n>`). */
async function cleanStaleRuns(cacheDir: string): Promise<void> {
  const runDir = path.join(cacheDir, 'run');
  const names = await fs.readdir(runDir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (pid && pid !== process.pid && !processAlive(pid)) await removeDir(path.join(runDir, name));
  }
}

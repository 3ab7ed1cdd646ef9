import * as vscode from 'vscode';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../core/errors';
import { escapeControl } from '../core/escape-control';
import { loadConfig, ruleSetting, type PglensConfig } from '../core/config';
import { runnerSetForFile, runnerSetsUnder } from '../core/lint/migration-lint';
import type { MigrationSet } from '../core/migrations/migration';
import { DEFAULT_PART_TIMEOUT_SECONDS, PartWatchdog } from '../core/migrations/verify/child';
import type { HungMigration } from '../core/migrations/verify/types';
import { describeDifference } from '../core/migrations/verify/diff';
import { VERIFY_DEFAULT_SEVERITY, verdictFindings, type VerifyFinding, type VerifyRuleId } from '../core/migrations/verify/findings';
import { RUNNERS_WITH_DOWNS, type MigrationVerdict, type VerifyReport } from '../core/migrations/verify/verify';
import type { ServeAnswer, ServeRequest } from '../core/migrations/verify/verify-serve';
import { createLineIndex, type LineIndex } from '../core/sql/line-index';
import type { Severity } from '../core/types';
import { configFor } from './workspace-config';

/**
 * "Verify rollback": a code lens above each migration's up (runners that have downs), and the
 * `pglens.verifyRollbacks` command, which verifies the file's whole migration folder in the
 * same child process `pglens migrations verify` uses (dist/verify-process.js: up → down → up
 * of every migration on the embedded PGlite). The extension only runs it and shows the
 * findings core gives; it never runs anything in an untrusted workspace.
 *
 * Results are cached per folder, keyed by a hash of what the child would read (every part of
 * every set, the setup SQL); once a folder has been verified in the session, saving one of
 * its files verifies it again in the background (`pglens.rollback.verifyOnSave`).
 */

export const VERIFY_ROLLBACKS_COMMAND = 'pglens.verifyRollbacks';
const SAVE_DEBOUNCE_MS = 1000;

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** What the command answers (the editor tests read it). */
export interface RollbackVerifyResult {
  /** The folder verified (absolute). */
  folder: string;
  /** The cached result of an unchanged folder: nothing ran. */
  cached: boolean;
  cancelled: boolean;
  summary: string;
  findings: number;
  /** Only the newest migration changed since the last run: verified on the kept database. */
  warm?: boolean;
}

interface FolderResult {
  hash: string;
  report: VerifyReport;
  summary: string;
  /** Absolute files of the folder's sets when verified (a save of one of them re-verifies). */
  files: Set<string>;
}

/** The long-lived verification child and the requests waiting for its answer. */
interface ServeChild {
  child: ChildProcessWithoutNullStreams;
  pending: Map<number, { resolve(answer: ServeAnswer['answer']): void; reject(e: Error): void }>;
  progress: ((message: string) => void) | undefined;
  /** Ends the child when a part runs past the limit (PGlite cannot stop a statement). */
  watchdog: PartWatchdog;
  /** The request that was running when the watchdog ended the child, and the part that ran too long. */
  stopped: { id: number; hung: HungMigration } | undefined;
}

interface Run {
  hash: string;
  promise: Promise<RollbackVerifyResult | undefined>;
  /** The child stops after the current migration and answers. */
  interrupt(): void;
  /** The run is being replaced: its answer is dropped. */
  superseded: boolean;
  kill(): void;
}

function isSqlFile(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && uri.fsPath.toLowerCase().endsWith('.sql');
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function summarize(report: VerifyReport, ms: number): string {
  const count = (...kinds: MigrationVerdict['kind'][]): number => report.verdicts.filter((v) => kinds.includes(v.kind)).length;
  const parts = [`${count('verified')} rollback(s) verified`];
  const add = (n: number, what: string): void => {
    if (n) parts.push(`${n} ${what}`);
  };
  add(count('incomplete'), 'incomplete');
  add(count('down-fails', 'reapply-fails'), 'failing');
  add(count('no-down'), 'without a down');
  add(count('unverifiable'), 'cannot be verified');
  add(count('skipped'), `not verified (${report.cancelled ? 'cancelled' : 'after a migration that does not apply'})`);
  return `${parts.join(', ')} — on embedded PGlite, ${(ms / 1000).toFixed(1)} s`;
}

export class RollbackVerifier implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('pglens-rollback');
  private readonly changed = new vscode.EventEmitter<void>();
  /** Per file: the lines of its migrations' ups, for a document version (see provideCodeLenses). */
  private readonly lensCache = new Map<string, { version: number; root: string; lines: number[] }>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly results = new Map<string, FolderResult>();
  /** Files holding each folder's published diagnostics. */
  private readonly published = new Map<string, vscode.Uri[]>();
  private readonly runs = new Map<string, Run>();
  /** The long-lived verification child, while it runs. */
  private serve: ServeChild | undefined;
  private requestId = 0;
  /** Folders verified at least once this session: saving one of their files verifies again. */
  private readonly verified = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.sql');
    this.disposables.push(
      this.collection,
      this.changed,
      watcher,
      watcher.onDidDelete((uri) => this.fileChanged(uri)),
      watcher.onDidCreate((uri) => this.fileChanged(uri, true)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.fileChanged(doc.uri)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pglens.codeLens.enabled')) this.changed.fire();
      }),
      // Any change of the folders' files or of .pglens.json may change the lenses.
      this.changed.event(() => this.lensCache.clear()),
      vscode.workspace.onDidSaveTextDocument(() => this.lensCache.clear()),
    );
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted || !isSqlFile(document.uri)) return [];
    if (!vscode.workspace.getConfiguration('pglens').get<boolean>('codeLens.enabled', true)) return [];
    const file = document.uri.fsPath;
    // The folder is read once per version of the document (VS Code asks again on every edit
    // and scroll); a save, a new or deleted file, or a config change clears it.
    let lens = this.lensCache.get(file);
    if (!lens || lens.version !== document.version) {
      const config = configFor(document.uri);
      // Open documents' unsaved text first, so the lenses follow the edits.
      const open = (f: string): string | undefined => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === f)?.getText();
      const rs = runnerSetForFile(file, { config, read: open });
      lens =
        rs && RUNNERS_WITH_DOWNS.has(rs.set.runner)
          ? { version: document.version, root: rs.root, lines: rs.set.migrations.filter((m) => path.join(rs.root, ...m.up.file.split('/')) === file).map((m) => m.up.line) }
          : { version: document.version, root: '', lines: [] };
      this.lensCache.set(file, lens);
    }
    const root = lens.root;
    const lenses: vscode.CodeLens[] = [];
    for (const line of lens.lines) {
      const at = new vscode.Range(line, 0, line, 0);
      lenses.push(
        new vscode.CodeLens(at, {
          title: 'Verify rollback',
          command: VERIFY_ROLLBACKS_COMMAND,
          arguments: [document.uri],
          tooltip: `Apply every migration of ${vscode.workspace.asRelativePath(root)} up → down → up on the embedded PGlite and report downs that do not restore the schema`,
        }),
      );
    }
    return lenses;
  }

  /** The command: verifies the migration folder of `target` (default: the active editor's file). */
  async command(target?: vscode.Uri | string): Promise<RollbackVerifyResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'pglens: rollback verification runs the migrations, which pglens never does in an untrusted workspace. Trust this workspace (Workspaces: Manage Workspace Trust) first.',
      );
      return undefined;
    }
    const uri =
      typeof target === 'string'
        ? path.isAbsolute(target) || !/^[a-z][\w+.-]*:/i.test(target)
          ? vscode.Uri.file(path.resolve(target))
          : vscode.Uri.parse(target)
        : target instanceof vscode.Uri
          ? target
          : vscode.window.activeTextEditor?.document.uri;
    if (!uri || !isSqlFile(uri)) {
      void vscode.window.showInformationMessage('pglens: open a migration file (.sql) to verify the rollbacks of its folder.');
      return undefined;
    }
    const file = uri.fsPath;
    let config: PglensConfig;
    try {
      config = loadConfig(path.dirname(file));
    } catch (e) {
      this.fail(e, false);
      return undefined;
    }
    const rs = runnerSetForFile(file, { config });
    if (!rs || !RUNNERS_WITH_DOWNS.has(rs.set.runner)) {
      const why = rs ? `its runner (${rs.set.runner}) has no down migrations` : 'it is not a migration';
      void vscode.window.showInformationMessage(`pglens: ${vscode.workspace.asRelativePath(uri)} has no rollback to verify: ${why}.`);
      return undefined;
    }
    if (vscode.workspace.textDocuments.some((d) => d.isDirty && d.uri.scheme === 'file' && isInside(rs.root, d.uri.fsPath))) {
      this.output.appendLine(`[rollback] ${vscode.workspace.asRelativePath(rs.root)} has unsaved changes: the files as saved are verified`);
    }
    return this.verifyFolder(rs.root, false);
  }

  /**
   * Verifies `root` (absolute): the cached result when nothing changed since, the running
   * verification when it verifies the same text, else a new one (a running one interrupted first).
   */
  async verifyFolder(root: string, background: boolean): Promise<RollbackVerifyResult | undefined> {
    if (!vscode.workspace.isTrusted) return undefined;
    let config: PglensConfig;
    let sets: MigrationSet[];
    let files: Set<string>;
    let hash: string;
    try {
      if (!existsSync(root) || !statSync(root).isDirectory()) {
        this.forget(root);
        return undefined;
      }
      config = loadConfig(root);
      const found = runnerSetsUnder(root, { config }).filter((s) => s.set.migrations.length > 0);
      sets = found.map((s) => s.set);
      files = new Set(found.flatMap((s) => s.files));
      hash = this.hashOf(sets, config);
    } catch (e) {
      this.fail(e, background);
      return undefined;
    }
    if (sets.length === 0) {
      this.forget(root);
      if (!background) void vscode.window.showInformationMessage(`pglens: no migrations under ${vscode.workspace.asRelativePath(root)}.`);
      return undefined;
    }
    const cached = this.results.get(root);
    if (cached && cached.hash === hash) {
      this.verified.add(root);
      this.publish(root, cached.report, config);
      this.output.appendLine(`[rollback] ${this.label(root)}: unchanged since the last verification — ${cached.summary}`);
      return { folder: root, cached: true, cancelled: false, summary: cached.summary, findings: this.findingCount(root) };
    }
    const running = this.runs.get(root);
    if (running && running.hash === hash) return running.promise;
    if (running) {
      running.superseded = true;
      running.interrupt();
      await running.promise.catch(() => undefined);
      // Another caller may have started the run for this text meanwhile.
      const other = this.runs.get(root);
      if (other && other !== running) return other.hash === hash ? other.promise : this.verifyFolder(root, background);
    }
    return this.start(root, hash, files, config, background);
  }

  /**
   * The long-lived verification child (dist/verify-serve.js), started on first use: it keeps
   * each folder's database warm, so re-verifying the migration being written takes a fraction
   * of a second. One request at a time; answers are matched by id.
   */
  private server(): ServeChild {
    if (this.serve && this.serve.child.exitCode === null && this.serve.child.signalCode === null) return this.serve;
    const script = this.context.asAbsolutePath(path.join('dist', 'verify-serve.js'));
    const child = spawn(process.execPath, [script], {
      // The extension host's executable is Electron in the desktop editor: run it as Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const serve: ServeChild = {
      child,
      pending: new Map(),
      progress: undefined,
      stopped: undefined,
      watchdog: new PartWatchdog(DEFAULT_PART_TIMEOUT_SECONDS * 1000, DEFAULT_PART_TIMEOUT_SECONDS, (hung) => {
        // Requests run one at a time, in the order sent: the first one waiting is the one running.
        const running = serve.pending.keys().next().value;
        if (running !== undefined) serve.stopped = { id: running, hung };
        child.kill('SIGKILL');
      }),
    };
    child.stdin.on('error', () => undefined);
    let buffered = '';
    child.stdout.on('data', (c: Buffer) => {
      const lines = (buffered + c.toString('utf8')).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        let message: ServeAnswer;
        try {
          message = JSON.parse(line) as ServeAnswer;
        } catch {
          continue;
        }
        serve.pending.get(message.id)?.resolve(message.answer);
        serve.pending.delete(message.id);
      }
    });
    let partial = '';
    child.stderr.on('data', (c: Buffer) => {
      const lines = (partial + c.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim())) {
        if (serve.watchdog.line(line)) continue;
        this.output.appendLine(`[rollback] ${escapeControl(line)}`);
        serve.progress?.(escapeControl(line));
      }
    });
    child.on('close', (code) => {
      serve.watchdog.stop();
      for (const p of serve.pending.values()) p.reject(new Error(`the verification process ended (exit ${code})${partial ? `: ${partial}` : ''}`));
      serve.pending.clear();
      if (this.serve === serve) this.serve = undefined;
    });
    this.serve = serve;
    return serve;
  }

  private start(root: string, hash: string, files: Set<string>, config: PglensConfig, background: boolean): Promise<RollbackVerifyResult | undefined> {
    const id = ++this.requestId;
    let serve: ServeChild | undefined;
    const run: Run = {
      hash,
      superseded: false,
      promise: Promise.resolve(undefined),
      // The child stops after the current migration and answers with what it verified.
      interrupt: () => serve?.child.stdin.write(`${JSON.stringify({ cancel: id })}\n`),
      kill: () => serve?.child.kill('SIGKILL'),
    };
    const title = `pglens: verifying rollbacks of ${this.label(root)}`;
    const location = background ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification;
    this.output.appendLine(`[rollback] ${this.label(root)}: verifying${background ? ' (saved)' : ''}…`);
    run.promise = Promise.resolve(
      vscode.window.withProgress({ location, title, cancellable: !background }, async (progress, token) => {
        if (run.superseded) return undefined;
        const started = Date.now();
        const cancel = token.onCancellationRequested(() => {
          this.output.appendLine(`[rollback] ${this.label(root)}: cancelled — stopping after the current migration`);
          run.interrupt();
        });
        try {
          // A part running past the limit ends the child (PGlite blocks it): asked again, without running that part.
          const hung: HungMigration[] = [];
          let answer: ServeAnswer['answer'];
          for (;;) {
            const current = this.server();
            serve = current;
            current.progress = (message) => progress.report({ message });
            try {
              const request: ServeRequest = { id, dir: root, label: this.label(root), ...(hung.length && { hung }) };
              const answered = new Promise<ServeAnswer['answer']>((resolve, reject) => current.pending.set(id, { resolve, reject }));
              current.child.stdin.write(`${JSON.stringify(request)}\n`);
              answer = await answered;
              break;
            } catch (e) {
              const stopped = current.stopped;
              if (!stopped || run.superseded) throw e;
              // Another folder's part ran too long: this one is asked again as it was.
              if (stopped.id === id) {
                const h = stopped.hung;
                if (hung.some((x) => x.folder === h.folder && x.id === h.id)) throw e;
                hung.push(h);
                this.output.appendLine(
                  `[rollback] ${this.label(root)}: ${escapeControl(h.id)}: its ${h.part} ran longer than ${h.seconds} s on the embedded PGlite and was stopped; verifying again without running it`,
                );
              }
            } finally {
              current.progress = undefined;
            }
          }
          if (run.superseded) return undefined;
          if ('error' in answer) throw new Error(answer.error.message);
          const report = answer.report;
          const summary = summarize(report, report.ms || Date.now() - started) + (answer.warm ? ' (warm: only the newest migration changed)' : '');
          this.verified.add(root);
          // A cancelled run verified only part of the folder: shown, never taken for the folder's result.
          if (report.cancelled) this.results.delete(root);
          else this.results.set(root, { hash, report, summary, files });
          this.publish(root, report, config);
          const findings = this.findingCount(root);
          this.output.appendLine(`[rollback] ${this.label(root)}: ${summary}`);
          if (!background) {
            const problems = findings ? ` — ${findings} problem(s)` : '';
            void vscode.window.showInformationMessage(`pglens: ${this.label(root)}: ${summary}${problems}`);
          }
          return { folder: root, cached: false, cancelled: report.cancelled, summary, findings, warm: answer.warm };
        } finally {
          cancel.dispose();
        }
      }),
    )
      .catch((e: unknown) => {
        this.fail(e, background);
        return undefined;
      })
      .finally(() => {
        if (this.runs.get(root) === run) this.runs.delete(root);
      });
    this.runs.set(root, run);
    return run.promise;
  }

  /** A saved, created or deleted .sql file: its folder is verified again if it was this session. */
  private fileChanged(uri: vscode.Uri, created = false): void {
    this.lensCache.clear();
    if (!isSqlFile(uri) || !vscode.workspace.isTrusted) return;
    const file = uri.fsPath;
    for (const root of this.verified) {
      if (!isInside(root, file)) continue;
      if (!existsSync(root)) {
        this.forget(root);
        continue;
      }
      if (!vscode.workspace.getConfiguration('pglens').get<boolean>('rollback.verifyOnSave', true)) continue;
      const known = this.results.get(root)?.files.has(file) || this.published.get(root)?.some((u) => u.fsPath === file);
      if (!known) {
        // A file the folder did not run: only a new migration of this folder counts.
        if (!created && existsSync(file)) {
          if (runnerSetForFile(file, { config: configFor(uri) })?.root !== root) continue;
        } else if (!created) continue;
      }
      this.verifySoon(root);
    }
  }

  private verifySoon(root: string): void {
    clearTimeout(this.timers.get(root));
    this.timers.set(
      root,
      setTimeout(() => {
        this.timers.delete(root);
        void this.verifyFolder(root, true);
      }, SAVE_DEBOUNCE_MS),
    );
  }

  /** The folder is gone or holds no migrations: its results and diagnostics go. */
  private forget(root: string): void {
    for (const uri of this.published.get(root) ?? []) this.collection.delete(uri);
    this.published.delete(root);
    this.results.delete(root);
    this.verified.delete(root);
    clearTimeout(this.timers.get(root));
    this.timers.delete(root);
  }

  private hashOf(sets: MigrationSet[], config: PglensConfig): string {
    const hash = createHash('sha256').update(JSON.stringify(sets));
    const setup = config.sandbox?.setup;
    if (setup) {
      let text: string;
      try {
        text = readFileSync(setup, 'utf8');
      } catch {
        text = '\0unreadable';
      }
      hash.update(`\0setup\0${setup}\0${text}`);
    }
    return hash.digest('hex');
  }

  /** Replaces the folder's diagnostics with the report's findings (severities from .pglens.json). */
  private publish(root: string, report: VerifyReport, config: PglensConfig): void {
    const abs = (f: string): string => path.join(root, ...f.split('/'));
    const verdicts = report.verdicts.map((v) => ({
      ...v,
      up: { ...v.up, file: abs(v.up.file) },
      ...(v.down && { down: { ...v.down, file: abs(v.down.file) } }),
      ...(v.failure && { failure: { ...v.failure, file: abs(v.failure.file) } }),
    }));
    const indexes = new Map<string, LineIndex>();
    const findings = verdictFindings(verdicts, {
      describe: describeDifference,
      show: (file) => vscode.workspace.asRelativePath(file),
      severity: (rule) => ruleSetting(config, rule, VERIFY_DEFAULT_SEVERITY[rule as VerifyRuleId])?.severity,
      lineRange: ({ file, line }) => {
        let index = indexes.get(file);
        if (!index) {
          let text = '';
          try {
            text = readFileSync(file, 'utf8');
          } catch {
            text = '';
          }
          indexes.set(file, (index = createLineIndex(text)));
        }
        const start = index.lineStarts[line - 1] ?? index.text.length;
        const next = index.lineStarts[line] ?? index.text.length;
        return index.rangeOf(start, Math.max(start, next - 1));
      },
    });
    const byFile = new Map<string, VerifyFinding[]>();
    for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    for (const uri of this.published.get(root) ?? []) if (!byFile.has(uri.fsPath)) this.collection.delete(uri);
    const uris: vscode.Uri[] = [];
    for (const [file, list] of byFile) {
      const uri = vscode.Uri.file(file);
      uris.push(uri);
      this.collection.set(uri, list.map((f) => this.diagnostic(f)));
    }
    this.published.set(root, uris);
  }

  private diagnostic(f: VerifyFinding): vscode.Diagnostic {
    const d = new vscode.Diagnostic(
      new vscode.Range(f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character),
      f.message,
      SEVERITY[f.severity],
    );
    d.source = 'pglens';
    d.code = { value: f.ruleId, target: vscode.Uri.joinPath(this.context.extensionUri, 'docs', 'rules', `${f.ruleId}.md`) };
    return d;
  }

  private findingCount(root: string): number {
    return (this.published.get(root) ?? []).reduce((n, uri) => n + (this.collection.get(uri)?.length ?? 0), 0);
  }

  private label(root: string): string {
    return vscode.workspace.asRelativePath(root);
  }

  private fail(e: unknown, background: boolean): void {
    const message = `pglens: verify rollbacks: ${errorMessage(e)}`;
    this.output.appendLine(`[error] ${message}`);
    if (!background) void vscode.window.showErrorMessage(message);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const run of this.runs.values()) {
      run.superseded = true;
      run.kill();
    }
    // Closing its stdin ends the child: it closes its databases and exits.
    this.serve?.child.stdin.end();
    for (const d of this.disposables) d.dispose();
  }
}

/** The lens provider, the command and the on-save verification. */
export function registerRollbackVerify(context: vscode.ExtensionContext, output: vscode.OutputChannel): vscode.Disposable {
  const verifier = new RollbackVerifier(context, output);
  return vscode.Disposable.from(
    verifier,
    vscode.languages.registerCodeLensProvider([{ scheme: 'file', language: 'sql' }, { scheme: 'file', pattern: '**/*.sql' }], verifier),
    vscode.commands.registerCommand(VERIFY_ROLLBACKS_COMMAND, (target?: vscode.Uri | string) => verifier.command(target)),
  );
}

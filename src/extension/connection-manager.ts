import * as vscode from 'vscode';
import * as path from 'node:path';
import { rm } from 'node:fs/promises';
import type { Connection } from '../core/db/connection';
import type { EmbeddedConnection } from '../core/db/embedded-connection';
import { sandboxDataLines, sandboxDataNote, sandboxSummary, type SandboxReport } from '../core/db/sandbox-report';
import { CONFIG_FILE_NAME } from '../core/config';
import { isMigrationFile } from '../core/db/migration-files';
import { checkDotEnvUrl, isPostgresUrl, readDotEnv } from '../core/db/resolve';
import { redactSecrets } from '../core/db/redact';
import { passwordSecretKey, type PasswordTarget } from '../core/db/password-key';
import { PglensError, isPglensError } from '../core/errors';
import type { ConnectionProvider } from './connection-provider';

/** A `pglens.connections` entry. Never holds a password: those live in SecretStorage. */
export interface ConnectionSetting {
  name: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  sslmode?: 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
}

/** What the picker can choose: a configured connection, the workspace `.env`, or the sandbox. */
export type ConnectionChoice =
  | { kind: 'setting'; setting: ConnectionSetting }
  | { kind: 'dotenv'; url: string; file: string }
  | { kind: 'embedded' };

const ACTIVE_KEY = 'pglens.activeConnection';
const EMBEDDED_ID = '$embedded';
const DOTENV_ID = '$dotenv';

function choiceId(c: ConnectionChoice): string {
  return c.kind === 'setting' ? c.setting.name : c.kind === 'dotenv' ? DOTENV_ID : EMBEDDED_ID;
}

export function choiceLabel(c: ConnectionChoice): string {
  if (c.kind === 'setting') {
    const s = c.setting;
    return `${s.name} (${s.host ?? 'localhost'}:${s.port ?? 5432}/${s.database ?? s.user ?? 'postgres'})`;
  }
  if (c.kind === 'dotenv') return `DATABASE_URL from .env (${redactSecrets(c.url)})`;
  return 'embedded sandbox';
}

/** The server a setting's password belongs to: the key it is kept under in SecretStorage. */
function passwordTarget(s: ConnectionSetting): PasswordTarget {
  return { host: s.host ?? 'localhost', port: s.port ?? 5432, database: s.database ?? '', user: s.user ?? '' };
}

/**
 * The pg driver and the sandbox's glue are evaluated on the first connection, not when the
 * manager loads (just after activation, for the status bar).
 */
function loadPg(): typeof import('../core/db/pg-connection') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: each connection kind loads when first used, not at activation
  return require('../core/db/pg-connection') as typeof import('../core/db/pg-connection');
}

function loadEmbedded(): typeof import('../core/db/embedded-connection') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: each connection kind loads when first used, not at activation
  return require('../core/db/embedded-connection') as typeof import('../core/db/embedded-connection');
}

function sslFor(mode: ConnectionSetting['sslmode']): boolean | { rejectUnauthorized: boolean } | undefined {
  if (!mode || mode === 'disable' || mode === 'prefer') return undefined;
  return { rejectUnauthorized: mode === 'verify-ca' || mode === 'verify-full' };
}

/**
 * Owns the active connection: resolves the choice (setting → `.env` → sandbox), opens it
 * lazily on first use, asks for a password once and keeps it in SecretStorage, and shows
 * the active connection in the status bar. Nothing connects in an untrusted workspace.
 */
export class ConnectionManager implements ConnectionProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeConnection = this.changed.event;
  private readonly opened = new vscode.EventEmitter<void>();
  /** A connection finished opening (lenses that never open one themselves can now show data). */
  readonly onDidOpenConnection = this.opened.event;
  private readonly statusItem: vscode.StatusBarItem;
  private open: { id: string; connection: Promise<Connection> } | undefined;
  private embedded: EmbeddedConnection | undefined;
  private dotenv: ConnectionChoice | undefined;
  private readonly sandboxDiagnostics: vscode.DiagnosticCollection;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('pglens.connection', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = 'pglens connection';
    this.statusItem.command = 'pglens.selectConnection';
    this.sandboxDiagnostics = vscode.languages.createDiagnosticCollection('pglens-sandbox');
    this.disposables.push(
      this.statusItem,
      this.changed,
      this.opened,
      this.sandboxDiagnostics,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pglens.connections') || e.affectsConfiguration('pglens.activeConnection') || e.affectsConfiguration('pglens.sandbox')) {
          void this.reset();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reset()),
    );
    const envWatcher = vscode.workspace.createFileSystemWatcher('**/.env');
    const onEnv = () => void this.refreshDotEnv();
    this.disposables.push(envWatcher, envWatcher.onDidChange(onEnv), envWatcher.onDidCreate(onEnv), envWatcher.onDidDelete(onEnv));
    const sqlWatcher = vscode.workspace.createFileSystemWatcher('**/*.sql');
    const onSql = (uri: vscode.Uri) => this.migrationChanged(uri);
    this.disposables.push(sqlWatcher, sqlWatcher.onDidChange(onSql), sqlWatcher.onDidCreate(onSql), sqlWatcher.onDidDelete(onSql));
    const jsonWatcher = vscode.workspace.createFileSystemWatcher('**/*.json');
    const onJson = (uri: vscode.Uri) => this.dataSettingsChanged(uri);
    this.disposables.push(jsonWatcher, jsonWatcher.onDidChange(onJson), jsonWatcher.onDidCreate(onJson), jsonWatcher.onDidDelete(onJson));
    this.updateStatus();
    this.statusItem.show();
    void this.refreshDotEnv();
  }

  get activeLabel(): string {
    return choiceLabel(this.activeChoice());
  }

  /** What the embedded sandbox's last start built or loaded. */
  get sandboxReport(): SandboxReport | undefined {
    return this.embedded?.report;
  }

  /** Text of the status bar item, for tests and the Test Connection message. */
  get statusText(): string {
    return this.statusItem.text;
  }

  private settings(): ConnectionSetting[] {
    const list = vscode.workspace.getConfiguration('pglens').get<ConnectionSetting[]>('connections', []);
    return Array.isArray(list) ? list.filter((c) => c && typeof c.name === 'string' && c.name.length > 0) : [];
  }

  private workspaceRoot(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  /** Re-reads the workspace `.env` (at start, and when it changes); never blocks activation. */
  private async refreshDotEnv(): Promise<void> {
    const root = this.workspaceRoot();
    const url = root ? (await readDotEnv(root).catch(() => ({}) as Record<string, string>)).DATABASE_URL : undefined;
    const next: ConnectionChoice | undefined = root && url && isPostgresUrl(url) ? { kind: 'dotenv', url, file: path.join(root, '.env') } : undefined;
    const before = this.dotenv?.kind === 'dotenv' ? this.dotenv.url : undefined;
    this.dotenv = next;
    if (before !== url) {
      if (this.open?.id === DOTENV_ID) await this.reset();
      else {
        this.updateStatus();
        this.changed.fire();
      }
    }
  }

  /** Every choice the picker offers, configured connections first. */
  choices(): ConnectionChoice[] {
    const list: ConnectionChoice[] = this.settings().map((setting) => ({ kind: 'setting', setting }));
    if (this.dotenv) list.push(this.dotenv);
    list.push({ kind: 'embedded' });
    return list;
  }

  activeChoice(): ConnectionChoice {
    const all = this.choices();
    const wanted =
      this.context.workspaceState.get<string>(ACTIVE_KEY) ||
      vscode.workspace.getConfiguration('pglens').get<string>('activeConnection', '');
    return all.find((c) => choiceId(c) === wanted) ?? all[0];
  }

  async select(choice: ConnectionChoice): Promise<void> {
    await this.context.workspaceState.update(ACTIVE_KEY, choiceId(choice));
    await this.reset();
  }

  getConnection(): Promise<Connection> {
    if (!vscode.workspace.isTrusted) {
      return Promise.reject(
        new PglensError('refused', 'pglens does not connect to databases or execute SQL in an untrusted workspace', 'trust this workspace (Workspaces: Manage Workspace Trust) to use Explain and the index sidebar'),
      );
    }
    const choice = this.activeChoice();
    const id = choiceId(choice);
    if (!this.open || this.open.id !== id) {
      const connection = this.connect(choice);
      this.open = { id, connection };
      // A failed attempt must not stick: the next call retries (e.g. after the server starts).
      connection.then(
        () => this.opened.fire(),
        () => {
          if (this.open?.connection === connection) this.open = undefined;
        },
      );
    }
    return this.open.connection;
  }

  /**
   * The embedded sandbox whatever the active connection is (the index advisor verifies there
   * when a server has no HypoPG); opened once and kept until the next reset.
   */
  embeddedConnection(): Promise<Connection> {
    if (!vscode.workspace.isTrusted) {
      return Promise.reject(
        new PglensError('refused', 'pglens does not run the embedded sandbox in an untrusted workspace', 'trust this workspace (Workspaces: Manage Workspace Trust) first'),
      );
    }
    return this.openEmbedded();
  }

  /** The open server connection, if one is open already (lenses never open one themselves). */
  openServerConnection(): Promise<Connection> | undefined {
    if (!vscode.workspace.isTrusted || !this.open || this.activeChoice().kind === 'embedded') return undefined;
    return this.open.connection;
  }

  private async connect(choice: ConnectionChoice): Promise<Connection> {
    if (choice.kind === 'embedded') return this.openEmbedded();
    if (choice.kind === 'dotenv') {
      checkDotEnvUrl(choice.url);
      const { PgConnection } = loadPg();
      const conn = new PgConnection({ connectionString: choice.url, label: choiceLabel(choice) });
      await conn.serverVersion();
      return conn;
    }
    const s = choice.setting;
    const target = passwordTarget(s);
    const base = {
      host: target.host,
      port: target.port,
      database: s.database,
      user: s.user,
      ssl: sslFor(s.sslmode),
      label: choiceLabel(choice),
    };
    // Keyed by the server, not the name: a workspace that points `prod` elsewhere gets no password.
    const key = passwordSecretKey(target);
    const stored = await this.context.secrets.get(key);
    const { PgConnection } = loadPg();
    try {
      const conn = new PgConnection({ ...base, password: stored });
      await conn.serverVersion();
      return conn;
    } catch (e) {
      if (!isPglensError(e) || e.code !== 'auth-failed') throw e;
      const password = await vscode.window.showInputBox({
        title: `pglens: password for ${s.user ?? 'postgres'}@${target.host}:${target.port} (${s.name})`,
        prompt: stored ? 'The saved password was rejected. Enter the current one (kept in SecretStorage).' : 'Kept in VS Code SecretStorage, never in settings.',
        password: true,
        ignoreFocusOut: true,
      });
      if (password === undefined) throw e;
      const conn = new PgConnection({ ...base, password });
      await conn.serverVersion();
      await this.context.secrets.store(key, password);
      return conn;
    }
  }

  private async openEmbedded(): Promise<Connection> {
    if (!this.embedded) {
      const root = this.workspaceRoot() ?? this.context.globalStorageUri.fsPath;
      this.embedded = loadEmbedded().createEmbeddedConnection({
        workspaceRoot: root,
        migrationGlobs: this.sandboxGlobs(),
        cacheDir: this.sandboxCacheDir(),
        workerScript: this.context.asAbsolutePath(path.join('dist', 'sandbox-process.js')),
        onProgress: (msg) => this.output.appendLine(`[sandbox] ${msg}`),
        onReady: () => this.publishSandboxReport(),
      });
    }
    const conn = this.embedded;
    await conn.serverVersion();
    return conn;
  }

  /** pglens.sandbox.migrations, or undefined for the defaults. */
  private sandboxGlobs(): string[] | undefined {
    const globs = vscode.workspace.getConfiguration('pglens').get<string[]>('sandbox.migrations');
    return globs && globs.length > 0 ? globs : undefined;
  }

  /**
   * A file the sandbox replays was saved, added or deleted: the running sandbox is out of
   * date. It is replaced on next use, replaying from the first changed file on (see refresh).
   */
  private migrationChanged(uri: vscode.Uri): void {
    const root = this.workspaceRoot();
    if (!this.embedded || !root) return;
    const rel = path.relative(root, uri.fsPath).split(path.sep).join('/');
    if (!isMigrationFile(rel, this.sandboxGlobs())) return;
    this.output.appendLine(`[sandbox] ${rel} changed: the sandbox follows at its next use`);
    this.embedded.refresh();
  }

  /**
   * `.pglens.json` (its `sandbox.data`, its migration folders) or the stats file the sandbox
   * was filled from changed: the sandbox follows at its next use, from the cached build of the
   * migrations when only the data settings changed.
   */
  private dataSettingsChanged(uri: vscode.Uri): void {
    if (!this.embedded) return;
    const isConfig = path.basename(uri.fsPath) === CONFIG_FILE_NAME;
    const stats = this.embedded.report?.data?.statsPath;
    if (!isConfig && !(stats && path.resolve(stats) === path.resolve(uri.fsPath))) return;
    this.output.appendLine(`[sandbox] ${vscode.workspace.asRelativePath(uri)} changed: the sandbox follows at its next use`);
    this.embedded.refresh();
  }

  /** Migrations that failed to replay become diagnostics on their files: nothing is lost silently. */
  private publishSandboxReport(): void {
    const report = this.embedded?.report;
    this.sandboxDiagnostics.clear();
    if (!report) return;
    this.output.appendLine(
      `[sandbox] ${sandboxSummary(report)}`,
    );
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const f of report.failed) {
      const line = Math.max(0, f.line - 1);
      const d = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        `The embedded sandbox could not apply this migration: ${f.message}. Explain runs against the migrations that did apply.`,
        vscode.DiagnosticSeverity.Warning,
      );
      d.source = 'pglens sandbox';
      byFile.set(f.file, [...(byFile.get(f.file) ?? []), d]);
      this.output.appendLine(`[sandbox] ${f.file}:${f.line}: ${f.message}`);
    }
    this.output.appendLine(`[sandbox] ${sandboxDataNote(report.data)}`);
    for (const line of sandboxDataLines(report)) this.output.appendLine(`[sandbox] ${line}`);
    // Report paths are relative to the workspace root.
    const root = this.workspaceRoot() ?? '';
    for (const [file, diags] of byFile) this.sandboxDiagnostics.set(vscode.Uri.file(path.resolve(root, file)), diags);
  }

  /** Closes the open connection (the sandbox process ends) and announces the change. */
  async reset(): Promise<void> {
    const previous = this.open;
    this.open = undefined;
    if (previous) {
      await previous.connection.then((c) => c.close()).catch(() => undefined);
    }
    if (this.embedded) {
      await this.embedded.close().catch(() => undefined);
      this.embedded = undefined;
    }
    this.updateStatus();
    this.changed.fire();
  }

  async storePassword(setting: ConnectionSetting, password: string): Promise<void> {
    await this.context.secrets.store(passwordSecretKey(passwordTarget(setting)), password);
  }

  /** Ends the sandbox and drops its cache, so the next use replays the migrations from scratch. */
  async rebuildSandbox(): Promise<void> {
    await this.reset();
    // A closing sandbox may still be writing its spare copy for a moment: retry the removal.
    await rm(this.sandboxCacheDir(), { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }

  private sandboxCacheDir(): string {
    return path.join(this.context.globalStorageUri.fsPath, 'sandbox');
  }

  private updateStatus(): void {
    const choice = this.activeChoice();
    const trusted = vscode.workspace.isTrusted;
    const name = choice.kind === 'setting' ? choice.setting.name : choice.kind === 'dotenv' ? '.env DATABASE_URL' : 'embedded sandbox';
    this.statusItem.text = trusted ? `$(database) pglens: ${name}` : '$(shield) pglens: untrusted';
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.isTrusted = false;
    tooltip.appendText(
      trusted
        ? `pglens connection: ${choiceLabel(choice)}\nClick to select another connection.`
        : 'This workspace is not trusted: pglens lints files but never connects or executes SQL.',
    );
    this.statusItem.tooltip = tooltip;
  }

  dispose(): void {
    void this.reset();
    for (const d of this.disposables) d.dispose();
  }
}

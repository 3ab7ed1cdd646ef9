import * as vscode from 'vscode';
import { choiceLabel, type ConnectionManager, type ConnectionSetting } from './connection-manager';
import { showError } from './errors';

const SSL_MODES: NonNullable<ConnectionSetting['sslmode']>[] = ['prefer', 'disable', 'require', 'verify-ca', 'verify-full'];

export interface TestConnectionResult {
  label: string;
  kind: 'server' | 'embedded';
  serverVersion: string;
  latencyMs: number;
}

/** Add / Select / Test Connection. Returns disposables for context.subscriptions. */
export function registerConnectionCommands(manager: ConnectionManager): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('pglens.addConnection', () => addConnection(manager)),
    vscode.commands.registerCommand('pglens.selectConnection', () => selectConnection(manager)),
    vscode.commands.registerCommand('pglens.testConnection', () => testConnection(manager)),
  ];
}

async function addConnection(manager: ConnectionManager): Promise<void> {
  const ask = (title: string, value: string, validate?: (v: string) => string | undefined) =>
    vscode.window.showInputBox({ title: `pglens: Add Connection — ${title}`, value, ignoreFocusOut: true, validateInput: validate });
  const config = vscode.workspace.getConfiguration('pglens');
  const existing = config.get<ConnectionSetting[]>('connections', []);
  const name = await ask('name', 'local', (v) =>
    !v.trim() ? 'A name is required' : existing.some((c) => c.name === v.trim()) ? `A connection named "${v.trim()}" exists already` : undefined,
  );
  if (name === undefined) return;
  const host = await ask('host', 'localhost', (v) => (v.trim() ? undefined : 'A host is required'));
  if (host === undefined) return;
  const port = await ask('port', '5432', (v) => (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number between 1 and 65535'));
  if (port === undefined) return;
  const database = await ask('database', 'postgres');
  if (database === undefined) return;
  const user = await ask('user', 'postgres');
  if (user === undefined) return;
  const sslmode = await vscode.window.showQuickPick(SSL_MODES, { title: 'pglens: Add Connection — SSL mode', ignoreFocusOut: true });
  if (sslmode === undefined) return;
  const password = await vscode.window.showInputBox({
    title: 'pglens: Add Connection — password (optional)',
    prompt: 'Kept in VS Code SecretStorage, never in settings. Leave empty for trust/peer authentication.',
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) return;
  const setting: ConnectionSetting = { name: name.trim(), host: host.trim(), port: Number(port), database, user, sslmode: sslmode as ConnectionSetting['sslmode'] };
  if (password) await manager.storePassword(setting, password);
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('connections', [...existing, setting], target);
  await manager.select({ kind: 'setting', setting });
  await testConnection(manager);
}

async function selectConnection(manager: ConnectionManager): Promise<void> {
  const active = manager.activeChoice();
  const items = manager.choices().map((choice) => ({
    label: choice.kind === 'setting' ? choice.setting.name : choice.kind === 'dotenv' ? 'DATABASE_URL (.env)' : 'Embedded sandbox (PGlite)',
    description: choiceLabel(choice) === choiceLabel(active) ? 'active' : undefined,
    detail: choice.kind === 'embedded' ? 'Built from the workspace migrations; no server needed' : choiceLabel(choice),
    choice,
  }));
  const add = { label: '$(add) Add Connection…', description: undefined, detail: undefined, choice: undefined };
  const picked = await vscode.window.showQuickPick([...items, add], { title: 'pglens: Select Connection', ignoreFocusOut: true });
  if (!picked) return;
  if (!picked.choice) {
    await vscode.commands.executeCommand('pglens.addConnection');
    return;
  }
  await manager.select(picked.choice);
}

/** Connects, measures a round trip and reports the server version; returns the figures (tests use them). */
export async function testConnection(manager: ConnectionManager): Promise<TestConnectionResult | undefined> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `pglens: testing ${manager.activeLabel}…` },
      async () => {
        const conn = await manager.getConnection();
        const serverVersion = await conn.serverVersion();
        const started = performance.now();
        await conn.query('SELECT 1');
        const latencyMs = performance.now() - started;
        const result: TestConnectionResult = { label: conn.label, kind: conn.kind, serverVersion, latencyMs };
        const where = conn.kind === 'embedded' ? 'Embedded sandbox (PGlite)' : conn.label;
        void vscode.window.showInformationMessage(`pglens: ${where} — PostgreSQL ${serverVersion}, round trip ${latencyMs.toFixed(1)} ms`);
        return result;
      },
    );
  } catch (e) {
    showError(e, 'Test Connection failed');
    return undefined;
  }
}

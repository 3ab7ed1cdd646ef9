/**
 * The activation shell registers a forwarding command for every command and loads the feature module that
 * implements it on first use; that module then replaces its area's forwarders with the real commands
 * (src/extension/extension.ts). So the shell's command table must name every command each
 * feature module registers, under that module's area, and every command the manifest
 * contributes. Runs the shell and each feature module against a permissive in-memory `vscode`.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { installVscode } from '../viewer/fake-vscode';
import type * as ShellModule from '../../../src/extension/extension';
import type { FeatureHost } from '../../../src/extension/features/host';
import type { ConnectionManager } from '../../../src/extension/connection-manager';

const root = path.resolve(__dirname, '../../..');
const extensionDir = path.join(root, 'src', 'extension');

/** Any property is a callable that returns another such value; calls return disposables. */
function anything(): unknown {
  const fn = function () {};
  return new Proxy(fn, {
    get: (_t, p) => (p === 'then' ? undefined : p === 'dispose' ? () => undefined : p === Symbol.iterator ? [][Symbol.iterator] : anything()),
    apply: () => anything(),
    construct: () => anything() as object,
    set: () => true,
  });
}

function permissive<T extends object>(known: T): T {
  return new Proxy(known, { get: (t, p) => (p in t ? (t as Record<string | symbol, unknown>)[p] : anything()) });
}

class AnyClass {
  constructor() {
    return anything() as AnyClass;
  }
}

function fakeVscode(registered: Map<string, unknown>) {
  const disposable = () => ({ dispose: () => undefined });
  class EventEmitter {
    event = () => disposable();
    fire(): void {}
    dispose(): void {}
  }
  class Disposable {
    constructor(private readonly f?: () => void) {}
    static from(...items: { dispose(): unknown }[]): Disposable {
      return new Disposable(() => items.forEach((d) => d.dispose()));
    }
    dispose(): void {
      this.f?.();
    }
  }
  const uri = (p: string) => ({ fsPath: p, path: p, scheme: 'file', toString: () => `file://${p}` });
  return permissive({
    EventEmitter,
    Disposable,
    Uri: { file: uri, joinPath: (base: { fsPath: string }, ...parts: string[]) => uri(path.join(base.fsPath, ...parts)), parse: uri },
    MarkdownString: AnyClass,
    ThemeIcon: AnyClass,
    TreeItem: AnyClass,
    // `import * as vscode` copies the module's own properties: each namespace is listed.
    window: permissive({}),
    languages: permissive({}),
    env: permissive({}),
    extensions: permissive({}),
    ProgressLocation: { Notification: 15, Window: 10 },
    ConfigurationTarget: { Global: 1, Workspace: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1 },
    CodeActionKind: { QuickFix: 'quickfix' },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    commands: {
      registerCommand: (id: string, handler: unknown) => {
        assert.ok(!registered.has(id), `command ${id} registered twice`);
        registered.set(id, handler);
        return { dispose: () => registered.delete(id) };
      },
      executeCommand: () => Promise.resolve(undefined),
    },
    workspace: permissive({
      isTrusted: true,
      workspaceFolders: undefined,
      textDocuments: [],
      getConfiguration: () => ({ get: (_key: string, fallback?: unknown) => fallback, update: () => Promise.resolve() }),
    }),
  });
}

describe('activation shell: lazily loaded commands', () => {
  const registered = new Map<string, unknown>();
  let previousVscode: NodeJS.Module | undefined;
  let shell: typeof ShellModule;
  const context = {
    subscriptions: [] as { dispose(): unknown }[],
    workspaceState: { get: () => undefined, update: () => Promise.resolve() },
    globalState: { get: () => undefined, update: () => Promise.resolve() },
    secrets: { get: () => Promise.resolve(undefined), store: () => Promise.resolve() },
    extensionUri: { fsPath: root, path: root, scheme: 'file' },
    extensionPath: root,
    globalStorageUri: { fsPath: '/nonexistent/pglens-test', path: '/nonexistent/pglens-test', scheme: 'file' },
    asAbsolutePath: (p: string) => path.join(root, p),
    extension: { packageJSON: { version: '0.0.0' } },
  };
  const host = (): FeatureHost =>
    ({ context, output: { appendLine: () => undefined }, connections: () => Promise.reject(new Error('unused')), onExplain: () => undefined, healthView: anything() }) as never;

  before(() => {
    previousVscode = require.cache.vscode;
    installVscode(fakeVscode(registered));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded in the order the test measures, after the fake vscode module is installed
    shell = require(path.join(extensionDir, 'extension')) as typeof ShellModule;
  });

  after(() => {
    for (const d of context.subscriptions) d.dispose();
    for (const id of Object.keys(require.cache)) if (id.startsWith(extensionDir)) delete require.cache[id];
    if (previousVscode) require.cache.vscode = previousVscode;
    else delete require.cache.vscode;
  });

  it('names every command the manifest contributes', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded in the order the test measures, after the fake vscode module is installed
    const manifest = require(path.join(root, 'package.json')) as { contributes: { commands: { command: string }[] } };
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).filter((id) => !(id in shell.COMMAND_AREAS)), []);
  });

  it('registers a forwarding command for each command at activation, and loads no feature module', () => {
    const before = new Set(Object.keys(require.cache));
    const api = shell.activate(context as never);
    assert.ok(Number.isFinite(api.activationMs));
    assert.deepEqual([...registered.keys()].sort(), Object.keys(shell.COMMAND_AREAS).sort());
    const loaded = Object.keys(require.cache).filter((id) => !before.has(id) && id.startsWith(extensionDir));
    assert.deepEqual(loaded, []);
  });

  it('each feature module registers exactly the commands listed under its area', () => {
    const areaCommands = (area: string) =>
      Object.entries(shell.COMMAND_AREAS)
        .filter(([, a]) => a === area)
        .map(([id]) => id)
        .sort();
    const run = (area: string, activateArea: () => void) => {
      registered.clear();
      activateArea();
      assert.deepEqual([...registered.keys()].sort(), areaCommands(area), `commands of the ${area} feature module`);
    };
    const features = path.join(extensionDir, 'features');
    let manager: ConnectionManager | undefined;
    run('connections', () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded in the order the test measures, after the fake vscode module is installed
      manager = (require(path.join(features, 'connections')) as typeof import('../../../src/extension/features/connections')).activateConnections(host()).manager;
    });
    assert.ok(manager);
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded in the order the test measures, after the fake vscode module is installed */
    run('editor', () => (require(path.join(features, 'editor')) as typeof import('../../../src/extension/features/editor')).activateEditor(host()));
    run('explain', () => (require(path.join(features, 'explain')) as typeof import('../../../src/extension/features/explain')).activateExplain(host(), manager!));
    run('health', () => (require(path.join(features, 'health')) as typeof import('../../../src/extension/features/health')).activateHealth(host(), manager!));
    run('prisma', () => (require(path.join(features, 'prisma')) as typeof import('../../../src/extension/features/prisma')).activatePrisma(host(), manager!));
    run('stats', () => (require(path.join(features, 'stats')) as typeof import('../../../src/extension/features/stats')).activateStats(host(), manager!));
    run('diagram', () => (require(path.join(features, 'diagram')) as typeof import('../../../src/extension/features/diagram')).activateDiagram(host()));
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
});

/**
 * The slice of the `vscode` API plan-panel.ts uses, in memory: panels record the HTML and the
 * messages they were sent, the file system is a Map, the clipboard a string. Installed in
 * require's cache under the name 'vscode' before plan-panel.ts is loaded.
 */
import Module from 'node:module';

export class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.path.replace(/\/$/, ''), ...parts].join('/'));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export interface FakePanel {
  viewType: string;
  title: string;
  options: { enableScripts?: boolean; retainContextWhenHidden?: boolean; localResourceRoots?: Uri[] };
  webview: {
    html: string;
    options: { enableScripts?: boolean; localResourceRoots?: Uri[] };
    cspSource: string;
    posted: unknown[];
    receive(message: unknown): Promise<void>;
  };
  revealed: number;
  dispose(): void;
}

type Handler = (m: unknown) => unknown;

export function createFakeVscode() {
  const files = new Map<string, Uint8Array>();
  const panels: FakePanel[] = [];
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const serializers = new Map<string, { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }>();
  const info: string[] = [];
  let clipboard = '';

  function makePanel(viewType: string, title: string, options: FakePanel['options']): FakePanel {
    let handler: Handler = () => undefined;
    const disposers: (() => void)[] = [];
    const panel: FakePanel = {
      viewType,
      title,
      options,
      revealed: 0,
      webview: {
        html: '',
        options: {},
        cspSource: 'https://fake.vscode-cdn.net',
        posted: [],
        async receive(message: unknown) {
          await handler(message);
        },
      },
      dispose() {
        for (const d of disposers) d();
      },
    };
    const webview = panel.webview as FakePanel['webview'] & Record<string, unknown>;
    webview.asWebviewUri = (u: Uri) => ({ toString: () => `https://fake.vscode-cdn.net${u.path}` });
    webview.postMessage = (m: unknown) => {
      panel.webview.posted.push(m);
      return Promise.resolve(true);
    };
    webview.onDidReceiveMessage = (h: Handler) => {
      handler = h;
      return { dispose: () => undefined };
    };
    (panel as unknown as Record<string, unknown>).reveal = () => panel.revealed++;
    (panel as unknown as Record<string, unknown>).onDidDispose = (h: () => void) => {
      disposers.push(h);
      return { dispose: () => undefined };
    };
    panels.push(panel);
    return panel;
  }

  const api = {
    Uri,
    ViewColumn: { Beside: -2, Active: -1 },
    FileType: { File: 1, Directory: 2 },
    window: {
      activeTextEditor: undefined,
      createWebviewPanel: (viewType: string, title: string, _column: unknown, options: FakePanel['options']) => makePanel(viewType, title, options),
      registerWebviewPanelSerializer: (viewType: string, s: { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }) => {
        serializers.set(viewType, s);
        return { dispose: () => undefined };
      },
      showInformationMessage: (m: string) => {
        info.push(m);
        return Promise.resolve(undefined);
      },
      showErrorMessage: (m: string) => {
        info.push(m);
        return Promise.resolve(undefined);
      },
      showQuickPick: () => Promise.resolve(undefined),
      showOpenDialog: () => Promise.resolve(undefined),
    },
    commands: {
      registerCommand: (id: string, f: (...args: unknown[]) => unknown) => {
        commands.set(id, f);
        return { dispose: () => undefined };
      },
      /** Like VS Code's: runs a registered command, rejecting when it throws or is unknown. */
      executeCommand: async (id: string, ...args: unknown[]) => {
        const f = commands.get(id);
        if (!f) throw new Error(`command '${id}' not found`);
        return f(...args);
      },
    },
    env: {
      clipboard: {
        writeText: (t: string) => {
          clipboard = t;
          return Promise.resolve();
        },
      },
    },
    workspace: {
      asRelativePath: (u: Uri) => u.path,
      fs: {
        createDirectory: () => Promise.resolve(),
        writeFile: (u: Uri, b: Uint8Array) => {
          files.set(u.path, b);
          return Promise.resolve();
        },
        readFile: (u: Uri) => {
          const b = files.get(u.path);
          return b ? Promise.resolve(b) : Promise.reject(new Error(`ENOENT ${u.path}`));
        },
        delete: (u: Uri) => {
          files.delete(u.path);
          return Promise.resolve();
        },
        readDirectory: (u: Uri) =>
          Promise.resolve([...files.keys()].filter((p) => p.startsWith(`${u.path}/`)).map((p) => [p.slice(u.path.length + 1), 1])),
        stat: () => Promise.resolve({ mtime: Date.now(), ctime: Date.now(), size: 0, type: 1 }),
      },
    },
  };
  return { api, files, panels, commands, serializers, info, clipboard: () => clipboard };
}

/** Makes `require('vscode')` return `api` (the real module exists only inside VS Code). */
export function installVscode(api: unknown): void {
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? 'vscode' : original.call(this, request, ...rest);
  };
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: api } as unknown as NodeJS.Module;
}

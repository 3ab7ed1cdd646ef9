/**
 * The connection manager reads and stores passwords under the server they belong to: a workspace
 * that redefines a connection named `prod` to point elsewhere is not given prod's password, and
 * a password kept under the old name key is not used. Runs against a small in-memory `vscode`
 * (only what ConnectionManager touches); nothing listens on the ports used, so no password is
 * ever sent.
 */
import * as assert from 'node:assert/strict';
import { installVscode } from '../viewer/fake-vscode';
import { passwordSecretKey } from '../../../src/core/db/password-key';
import type * as ManagerModule from '../../../src/extension/connection-manager';

type Setting = ManagerModule.ConnectionSetting;

const disposable = { dispose: () => undefined };
const event = () => disposable;

function fakeVscode(settings: () => Setting[]) {
  class EventEmitter {
    event = event;
    fire(): void {}
    dispose(): void {}
  }
  class MarkdownString {
    isTrusted = false;
    appendText(): this {
      return this;
    }
  }
  return {
    EventEmitter,
    MarkdownString,
    StatusBarAlignment: { Left: 1 },
    window: {
      createStatusBarItem: () => ({ text: '', show: () => undefined, dispose: () => undefined }),
      showInputBox: () => Promise.resolve(undefined),
    },
    languages: { createDiagnosticCollection: () => ({ clear: () => undefined, set: () => undefined, dispose: () => undefined }) },
    workspace: {
      isTrusted: true,
      workspaceFolders: undefined,
      onDidChangeConfiguration: event,
      onDidGrantWorkspaceTrust: event,
      createFileSystemWatcher: () => ({ onDidChange: event, onDidCreate: event, onDidDelete: event, dispose: () => undefined }),
      getConfiguration: () => ({ get: (key: string, fallback?: unknown) => (key === 'connections' ? settings() : fallback) }),
    },
  };
}

describe('ConnectionManager: SecretStorage keys', () => {
  const secrets = new Map<string, string>();
  const reads: Array<{ key: string; value: string | undefined }> = [];
  let settings: Setting[] = [];
  let manager: ManagerModule.ConnectionManager;
  let previousVscode: NodeJS.Module | undefined;

  const prod: Setting = { name: 'prod', host: '127.0.0.1', port: 1, database: 'app', user: 'app' };
  const prodKey = passwordSecretKey({ host: '127.0.0.1', port: 1, database: 'app', user: 'app' });

  before(() => {
    previousVscode = require.cache.vscode;
    installVscode(fakeVscode(() => settings));
    const modulePath = require.resolve('../../../src/extension/connection-manager');
    delete require.cache[modulePath];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance, loaded after clearing require.cache and installing the fake vscode
    const { ConnectionManager } = require(modulePath) as typeof ManagerModule;
    const state = new Map<string, unknown>();
    const context = {
      secrets: {
        get: (key: string) => {
          reads.push({ key, value: secrets.get(key) });
          return Promise.resolve(secrets.get(key));
        },
        store: (key: string, value: string) => {
          secrets.set(key, value);
          return Promise.resolve();
        },
      },
      workspaceState: { get: (k: string) => state.get(k), update: (k: string, v: unknown) => Promise.resolve(void state.set(k, v)) },
      globalStorageUri: { fsPath: '/nonexistent/pglens-test' },
      asAbsolutePath: (p: string) => p,
    };
    manager = new ConnectionManager(context as never, { appendLine: () => undefined } as never);
  });

  after(() => {
    manager.dispose();
    if (previousVscode) require.cache.vscode = previousVscode;
    else delete require.cache.vscode;
  });

  beforeEach(() => {
    reads.length = 0;
  });

  it('stores a password under host, port, database and user', async () => {
    await manager.storePassword(prod, 's3cret');
    assert.deepEqual([...secrets.keys()], [prodKey]);
  });

  it('reads it back for the same server, whatever the connection is now called', async () => {
    settings = [{ ...prod, name: 'renamed' }];
    await assert.rejects(manager.getConnection(), /connection refused/);
    assert.deepEqual(reads, [{ key: prodKey, value: 's3cret' }]);
  });

  it('gives a workspace that redefines "prod" to point at another host no password', async () => {
    await manager.reset();
    settings = [{ ...prod, host: '127.0.0.2' }];
    await assert.rejects(manager.getConnection(), /connection refused/);
    assert.equal(reads.length, 1);
    assert.notEqual(reads[0].key, prodKey);
    assert.equal(reads[0].value, undefined);
  });

  it('does not use a password kept under the connection name by older versions', async () => {
    await manager.reset();
    secrets.set('pglens.password.other', 'old-secret');
    settings = [{ ...prod, name: 'other', database: 'other' }];
    await assert.rejects(manager.getConnection(), /connection refused/);
    assert.deepEqual(reads, [{ key: passwordSecretKey({ host: '127.0.0.1', port: 1, database: 'other', user: 'app' }), value: undefined }]);
  });
});

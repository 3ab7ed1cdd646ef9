/**
 * Cancel Query… / Terminate Session… in the Health view: refused in an untrusted workspace before
 * anything connects, and never without the confirmation that names the pid and the query.
 * Runs against a small in-memory `vscode` (only what health-commands.ts touches).
 */
import * as assert from 'node:assert/strict';
import { installVscode } from '../viewer/fake-vscode';
import type * as CommandsModule from '../../../src/extension/health-commands';
import type { HealthNode, HealthTreeProvider } from '../../../src/extension/health-tree';

describe('Health view: cancel / terminate a session', () => {
  const shown: string[] = [];
  const workspace = { isTrusted: false };
  let commands: typeof CommandsModule;
  let previous: NodeJS.Module | undefined;
  let connects = 0;
  const provider = {
    connection: () => {
      connects++;
      return Promise.reject(new Error('a test connection is never opened'));
    },
    refresh: () => undefined,
  } as unknown as HealthTreeProvider;
  const node: HealthNode = {
    kind: 'dbFinding',
    finding: { ruleId: 'long-running-query', severity: 'warning', message: 'm', pid: 4242, query: 'SELECT pg_sleep(600)', metrics: { state: 'active', query_start: '2026-01-01T00:00:00.000000Z' } },
  };

  before(() => {
    previous = require.cache.vscode;
    const record = (m: string) => {
      shown.push(m);
      return Promise.resolve(undefined);
    };
    installVscode({
      workspace,
      window: { showWarningMessage: record, showInformationMessage: record, showErrorMessage: record, setStatusBarMessage: () => ({ dispose: () => undefined }) },
      commands: { registerCommand: () => ({ dispose: () => undefined }), executeCommand: () => Promise.resolve(undefined) },
      env: { clipboard: { writeText: () => Promise.resolve() } },
      Uri: { file: (p: string) => ({ fsPath: p }) },
      Range: class {},
    });
    for (const m of ['health-commands', 'confirm']) delete require.cache[require.resolve(`../../../src/extension/${m}`)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance, loaded after clearing require.cache and installing the fake vscode
    commands = require('../../../src/extension/health-commands') as typeof CommandsModule;
  });

  after(() => {
    if (previous) require.cache.vscode = previous;
    else delete require.cache.vscode;
  });

  beforeEach(() => {
    shown.length = 0;
    connects = 0;
  });

  it('refuses in an untrusted workspace without asking and without connecting', async () => {
    workspace.isTrusted = false;
    const asked: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance, loaded after clearing require.cache and installing the fake vscode
    const { setConfirm } = require('../../../src/extension/confirm') as typeof import('../../../src/extension/confirm');
    setConfirm(async (message) => {
      asked.push(message);
      return true;
    });
    assert.equal(await commands.signalSession(node, 'terminate', provider), undefined);
    assert.deepEqual(asked, []);
    assert.equal(connects, 0);
    assert.match(shown[0], /refused in an untrusted workspace/);
  });

  it('asks first, naming the pid and the query; declined, nothing connects', async () => {
    workspace.isTrusted = true;
    const asked: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance, loaded after clearing require.cache and installing the fake vscode
    const { setConfirm } = require('../../../src/extension/confirm') as typeof import('../../../src/extension/confirm');
    setConfirm(async (message, detail) => {
      asked.push(`${message}\n${detail}`);
      return false;
    });
    assert.equal(await commands.signalSession(node, 'cancel', provider), undefined);
    assert.equal(asked.length, 1);
    assert.match(asked[0], /4242/);
    assert.match(asked[0], /SELECT pg_sleep\(600\)/);
    assert.equal(connects, 0);
  });
});

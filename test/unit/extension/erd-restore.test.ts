/**
 * The schema diagram comes back after a window reload: the manifest wakes the extension for its
 * panel (`onWebviewPanel:pglens.erd`), the activation shell registers the serializer without
 * loading the diagram module, and the restored panel draws again the source its viewer's saved
 * state names. Runs erd-panel.ts against the in-memory `vscode` of the plan viewer's tests.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { createFakeVscode, installVscode, Uri, type FakePanel } from '../viewer/fake-vscode';
import type * as ErdPanelModule from '../../../src/extension/erd-panel';

const root = path.resolve(__dirname, '../../..');

describe('schema diagram: restored after a window reload', () => {
  const fake = createFakeVscode();
  const folder = Uri.file(path.join(root, 'examples', 'shop'));
  Object.assign(fake.api.workspace, {
    isTrusted: false,
    workspaceFolders: [{ uri: folder, name: 'shop', index: 0 }],
    textDocuments: [],
    createFileSystemWatcher: () => ({ onDidChange: () => undefined, onDidCreate: () => undefined, onDidDelete: () => undefined, dispose: () => undefined }),
  });
  let previousVscode: NodeJS.Module | undefined;
  let erd: typeof ErdPanelModule;
  const context = { subscriptions: [] as { dispose(): unknown }[], extensionUri: Uri.file(root) };

  before(() => {
    previousVscode = require.cache.vscode;
    installVscode(fake.api);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the fake vscode module is installed
    erd = require(path.join(root, 'src', 'extension', 'erd-panel')) as typeof ErdPanelModule;
  });

  after(() => {
    for (const id of Object.keys(require.cache)) if (id.startsWith(path.join(root, 'src', 'extension'))) delete require.cache[id];
    if (previousVscode) require.cache.vscode = previousVscode;
    else delete require.cache.vscode;
  });

  it('the manifest activates pglens for a diagram panel VS Code restores', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the manifest as VS Code reads it
    const manifest = require(path.join(root, 'package.json')) as { activationEvents: string[] };
    assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${erd.ERD_VIEW_TYPE}`));
  });

  it('draws again the source the viewer last showed, in the panel VS Code gives back', async () => {
    const panel = fake.api.window.createWebviewPanel(erd.ERD_VIEW_TYPE, 'Schema Diagram', -2, {}) as FakePanel;
    const restoring = erd.restoreSchemaDiagram(context as never, () => Promise.reject(new Error('no connection')), panel as never, { version: 1, sourceId: 'prisma:schema.prisma', columns: 'keys' });
    await panel.webview.receive({ type: 'ready' });
    await restoring;
    assert.equal(panel.webview.options.enableScripts, true);
    assert.match(panel.webview.html, /Content-Security-Policy/);
    const posted = panel.webview.posted as { type: string; sourceId?: string; selected?: string; payload?: string }[];
    assert.deepEqual(posted.map((m) => m.type), ['sources', 'loading', 'model']);
    assert.equal(posted[0].selected, 'prisma:schema.prisma');
    assert.equal(posted[2].sourceId, 'prisma:schema.prisma');
    assert.ok(JSON.parse(posted[2].payload ?? '{}').tables.length > 0);
    assert.equal(panel.title, 'Schema: schema.prisma');
    // The command reuses the restored panel rather than opening a second one.
    context.subscriptions.push(erd.registerSchemaDiagram(context as never, () => Promise.reject(new Error('no connection'))));
    const shown = (await fake.api.commands.executeCommand('pglens.showSchemaDiagram')) as { panel: unknown };
    assert.equal(shown.panel, panel);
    assert.equal(fake.panels.length, 1);
  });

  it('a second restored diagram panel closes: one diagram at a time', async () => {
    const extra = fake.api.window.createWebviewPanel(erd.ERD_VIEW_TYPE, 'Schema', -2, {}) as FakePanel;
    let disposed = false;
    (extra as unknown as { onDidDispose(h: () => void): void }).onDidDispose(() => (disposed = true));
    await erd.restoreSchemaDiagram(context as never, () => Promise.reject(new Error('no connection')), extra as never, undefined);
    assert.equal(disposed, true);
  });
});

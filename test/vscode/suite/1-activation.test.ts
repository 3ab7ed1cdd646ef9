import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activeApi, pglens } from './helpers';

describe('installation and activation', () => {
  it('is not active before anything needs it', () => {
    // The workbench opened a folder with .sql files but no editor: nothing should have woken pglens.
    assert.strictEqual(pglens().isActive, false);
  });

  it('is the copy installed from the packaged .vsix, with only what the package should hold', function () {
    const expected = process.env.PGLENS_TEST_EXTENSION_PATH;
    if (!expected || process.env.PGLENS_TEST_FROM_VSIX !== '1') this.skip();
    const root = pglens().extensionPath;
    assert.strictEqual(path.resolve(root), path.resolve(expected));
    for (const shipped of ['dist/extension.js', 'dist/sandbox-process.js', 'dist/cli.js', 'dist/cli-bundle.js', 'dist/libpg-query.wasm', 'dist/pglite.wasm', 'package.json']) {
      assert.ok(fs.existsSync(path.join(root, shipped)), `${shipped} is missing from the .vsix`);
    }
    const dist = fs.readdirSync(path.join(root, 'dist'));
    assert.ok(dist.some((f) => /^pglite-initdb-.+\.tar\.gz$/.test(f)), `the shipped initdb is missing from the .vsix: ${dist.join(', ')}`);
    assert.deepStrictEqual(dist.filter((f) => f.endsWith('.map')), [], 'source maps should not be in the .vsix');
    // vsce stores README.md as readme.md.
    assert.ok(fs.readdirSync(root).some((f) => f.toLowerCase() === 'readme.md'), 'README is missing from the .vsix');
    for (const unwanted of ['src', 'test', 'node_modules', 'tsconfig.json', 'esbuild.config.mjs']) {
      assert.ok(!fs.existsSync(path.join(root, unwanted)), `${unwanted} should not be in the .vsix`);
    }
  });

  it('activates when a .sql file opens and returns its API', async () => {
    const api = await activeApi();
    assert.strictEqual(typeof api.statusBarText, 'function');
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs >= 0, `activationMs: ${api.activationMs}`);
  });

  it('registers every command the manifest contributes', async () => {
    await activeApi();
    const contributed: string[] = pglens().packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepStrictEqual(contributed.filter((id) => !registered.has(id)), []);
  });
});

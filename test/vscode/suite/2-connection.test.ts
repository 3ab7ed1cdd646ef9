import * as assert from 'assert';
import * as vscode from 'vscode';
import { Client } from 'pg';
import type { TestConnectionResult } from '../../../src/extension/connection-commands';
import { activeApi, realServerSetting, setConnections, waitFor } from './helpers';

async function testConnection(): Promise<TestConnectionResult> {
  const result = await vscode.commands.executeCommand<TestConnectionResult | undefined>('pglens.testConnection');
  assert.ok(result, 'pglens.testConnection returned nothing (it failed; see the pglens output channel)');
  return result;
}

describe('connections', () => {
  before(() => setConnections([]));
  after(() => setConnections([]));

  it('shows the embedded sandbox in the status bar when no connection is configured', async () => {
    const api = await activeApi();
    await waitFor(() => /embedded sandbox/i.test(api.statusBarText()), `status bar to name the embedded sandbox (it says "${api.statusBarText()}")`);
  });

  it('Test Connection answers from PGlite when no connection is configured', async function () {
    this.timeout(90_000);
    await activeApi();
    const result = await testConnection();
    assert.strictEqual(result.kind, 'embedded');
    // PGlite 0.5 is Postgres 18 compiled to wasm.
    assert.strictEqual(Number.parseInt(result.serverVersion, 10), 18, `serverVersion: ${result.serverVersion}`);
    assert.ok(result.latencyMs >= 0);
  });

  it('Test Connection answers from the real server once one is configured', async function () {
    this.timeout(60_000);
    const setting = realServerSetting();
    const client = new Client({ host: setting.host, port: setting.port, database: setting.database, user: setting.user });
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    await client.end();
    const expected = rows[0].server_version.split(' ')[0];

    const api = await activeApi();
    await setConnections([setting]);
    await waitFor(() => api.statusBarText().includes(setting.name), `status bar to name "${setting.name}" (it says "${api.statusBarText()}")`);
    const result = await testConnection();
    assert.strictEqual(result.kind, 'server');
    assert.strictEqual(result.serverVersion.split(' ')[0], expected);
    assert.ok(result.label.includes(setting.name), `label: ${result.label}`);
  });
});

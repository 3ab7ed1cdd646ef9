import * as assert from 'assert';
import * as vscode from 'vscode';
import type { Client } from 'pg';
import type { HealthTreeAccess, PglensApi } from '../../../src/extension/extension';
import type { HealthNode } from '../../../src/extension/health-tree';
import { activeApi, connectRealServer, requireServer, serverClient, setConnections, uniqueSchemaName, waitFor, workspaceUri } from './helpers';

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/**
 * The Health node on the real server: every database check listed with its state, a real
 * idle-in-transaction session found, and Terminate Session… only after a confirmation that names
 * the pid and the query (answered through the API: a modal cannot be clicked from a test).
 */
describe('Health checks in the sidebar on the real server', function () {
  this.timeout(90_000);
  const marker = uniqueSchemaName('pgl_idle_marker');
  let admin: Client | undefined;
  let idle: Client | undefined;
  let idlePid = 0;
  let api: PglensApi;
  let tree: HealthTreeAccess;
  let health: HealthNode;
  const config = workspaceUri('.pglens.json');

  before(async function () {
    admin = await requireServer(this);
    api = await activeApi();
    // A 1-second threshold, so the test's own idle transaction counts.
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(JSON.stringify({ rules: { 'idle-in-transaction': ['warning', { seconds: 1 }] } })));
    idle = serverClient();
    // A terminated session emits an error on the client: expected here.
    idle.on('error', () => undefined);
    await idle.connect();
    idlePid = (await idle.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await idle.query('BEGIN');
    await idle.query(`SELECT '${marker}' AS marker`);
    await new Promise((r) => setTimeout(r, 1500));
    await connectRealServer(api);
    tree = api.healthTree();
    await waitFor(async () => {
      await vscode.commands.executeCommand('pglens.refreshHealth');
      const [connection] = await tree.getChildren();
      const found = (await tree.getChildren(connection)).find((n) => n.kind === 'health');
      if (!found) return undefined;
      health = found;
      const idleCheck = (await tree.getChildren(health)).find((n) => n.kind === 'check' && n.check.id === 'idle-in-transaction');
      return idleCheck && (await tree.getChildren(idleCheck)).some((n) => n.kind === 'dbFinding' && n.finding.pid === idlePid);
    }, 'the idle transaction under Health', 60_000);
  });

  after(async () => {
    api?.setConfirm(undefined);
    await vscode.workspace.fs.delete(config).then(undefined, () => undefined);
    await idle?.end().catch(() => undefined);
    await admin?.end();
    await setConnections([]);
  });

  it('lists every database check with its state', async () => {
    const checks = await tree.getChildren(health);
    const ids = checks.map((n) => (n.kind === 'check' ? n.check.id : '?'));
    assert.deepStrictEqual([...ids].sort(), [
      'blocking-locks', 'cache-hit-ratio', 'connections', 'idle-in-transaction', 'int-key-overflow', 'long-running-query',
      'missing-stats', 'sequence-exhaustion', 'table-bloat', 'unlogged-table', 'xid-wraparound',
    ]);
    for (const node of checks) {
      assert.ok(node.kind === 'check');
      assert.strictEqual(node.check.state, 'ran', `${node.check.id}: ${node.check.reason ?? ''}`);
      assert.ok(labelOf(tree.getTreeItem(node)).length > 0);
    }
    const connections = checks.find((n) => n.kind === 'check' && n.check.id === 'connections');
    assert.ok(connections && connections.kind === 'check');
    assert.match(String(tree.getTreeItem(connections).description), /\d+ of \d+/, 'the connections summary is shown without a finding');
  });

  it('Terminate Session… asks first, naming the pid and the query; declined, nothing happens; confirmed, the session ends', async () => {
    const idleCheck = (await tree.getChildren(health)).find((n) => n.kind === 'check' && n.check.id === 'idle-in-transaction');
    assert.ok(idleCheck);
    const node = (await tree.getChildren(idleCheck)).find((n) => n.kind === 'dbFinding' && n.finding.pid === idlePid);
    assert.ok(node && node.kind === 'dbFinding');
    assert.match(String(tree.getTreeItem(node).contextValue), /\bsession\b/);

    const asked: string[] = [];
    api.setConfirm(async (message, detail) => {
      asked.push(`${message}\n${detail}`);
      return false;
    });
    await vscode.commands.executeCommand('pglens.health.terminateSession', node);
    assert.strictEqual(asked.length, 1, 'one confirmation');
    assert.ok(asked[0].includes(String(idlePid)), asked[0]);
    assert.ok(asked[0].includes(marker), `the dialog shows the query: ${asked[0]}`);
    const alive = await admin!.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [idlePid]);
    assert.strictEqual(alive.rowCount, 1, 'declined: the session is still there');

    api.setConfirm(async () => true);
    await vscode.commands.executeCommand('pglens.health.terminateSession', node);
    await waitFor(async () => (await admin!.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [idlePid])).rowCount === 0, 'the session to end');
  });
});

import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Client } from 'pg';
import type { HealthTreeAccess } from '../../../src/extension/extension';
import type { HealthNode } from '../../../src/extension/health-tree';
import type { ExportStatsResult } from '../../../src/extension/stats-command';
import { activeApi, closeAllEditors, connectRealServer, requireServer, setConnections, uniqueSchemaName, waitFor, workspaceUri } from './helpers';

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

function iconOf(item: vscode.TreeItem): string | undefined {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
}

/** The child whose tree item has this label, or a failure listing what is there. */
async function child(tree: HealthTreeAccess, parent: HealthNode, label: string): Promise<HealthNode> {
  const children = await tree.getChildren(parent);
  const found = children.find((n) => labelOf(tree.getTreeItem(n)) === label);
  assert.ok(found, `no "${label}" under "${labelOf(tree.getTreeItem(parent))}": ${children.map((n) => labelOf(tree.getTreeItem(n))).join(', ')}`);
  return found;
}

describe('Indexes & Health view on the real server', function () {
  this.timeout(90_000);
  const schema = uniqueSchemaName('pgl_ed_health');
  let client: Client | undefined;
  let tree: HealthTreeAccess;
  let connection: HealthNode;
  const created: vscode.Uri[] = [];

  before(async function () {
    client = await requireServer(this);
    await client.query(`
      CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.customers (id bigint PRIMARY KEY, email text NOT NULL);
      CREATE TABLE ${schema}.orders (
        id bigint PRIMARY KEY,
        customer_id bigint NOT NULL REFERENCES ${schema}.customers (id),
        status text NOT NULL
      );
      CREATE INDEX orders_status_idx ON ${schema}.orders (status);
      CREATE TABLE ${schema}.events (payload text);
      INSERT INTO ${schema}.customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 50) g;
      INSERT INTO ${schema}.orders SELECT g, 1 + g % 50, 'new' FROM generate_series(1, 200) g;
      ANALYZE ${schema}.customers, ${schema}.orders;
    `);
    // A test server's statistics are young (a fresh machine, a new database): unused indexes are
    // judged only once they cover minStatsDays, so the workspace asks for them at once.
    const config = workspaceUri('.pglens.json');
    created.push(config);
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(JSON.stringify({ rules: { 'unused-index': ['warning', { minStatsDays: 0 }] } }, null, 2)));
    const api = await activeApi();
    await connectRealServer(api);
    // The snapshot may predate the seeding (the view caches one per connection).
    await vscode.commands.executeCommand('pglens.refreshHealth');
    tree = api.healthTree();
    const roots = await tree.getChildren();
    assert.strictEqual(roots.length, 1, 'one root: the connection');
    connection = roots[0];
    // A concurrent run dropping its schema mid-read can fail one catalog read: Retry, as a user would.
    await waitFor(async () => {
      const nodes = await tree.getChildren(connection);
      if (nodes.some((n) => n.kind === 'schema' && n.schema === schema)) return true;
      await vscode.commands.executeCommand('pglens.refreshHealth');
      return false;
    }, `schema ${schema} under the connection node`, 60_000);
    // The configuration is read again once the file watcher sees .pglens.json.
    await waitFor(async () => {
      const findings = (await tree.getChildren(connection)).find((n) => labelOf(tree.getTreeItem(n)) === 'Findings');
      const rules = findings ? await tree.getChildren(findings) : [];
      if (rules.some((n) => labelOf(tree.getTreeItem(n)) === 'Unused indexes')) return true;
      await vscode.commands.executeCommand('pglens.refreshHealth');
      return false;
    }, 'unused indexes judged once .pglens.json sets minStatsDays 0', 60_000);
  });

  after(async () => {
    await closeAllEditors();
    for (const uri of created) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    await setConnections([]);
    if (client) {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  it('names the connection and when statistics started counting', () => {
    const item = tree.getTreeItem(connection);
    assert.match(labelOf(item), /^local-test \(/);
    assert.strictEqual(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.match(String(item.description), /^stats since /);
  });

  it('expands connection → schema → table → index with statistics in the descriptions', async () => {
    const schemaNode = await child(tree, connection, schema);
    assert.strictEqual(tree.getTreeItem(schemaNode).description, '3 tables');

    const orders = await child(tree, schemaNode, 'orders');
    const ordersItem = tree.getTreeItem(orders);
    assert.match(String(ordersItem.description), /^~200 rows · [\d.]+ [kMG]?B · seq \d+ \/ idx \d+ scans/);
    assert.strictEqual(iconOf(ordersItem), 'warning', 'orders has findings');
    assert.strictEqual(ordersItem.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);

    const pkey = tree.getTreeItem(await child(tree, orders, 'orders_pkey'));
    assert.match(String(pkey.description), /^\d+ scans · [\d.]+ [kMG]?B · primary key$/);
    assert.strictEqual(iconOf(pkey), 'key');
    const status = tree.getTreeItem(await child(tree, orders, 'orders_status_idx'));
    assert.match(String(status.description), /^0 scans · [\d.]+ [kMG]?B$/);
    assert.strictEqual(iconOf(status), 'circle-slash');
    assert.ok(status.tooltip instanceof vscode.MarkdownString && status.tooltip.value.includes('CREATE INDEX orders_status_idx'), 'the tooltip shows the definition');

    const events = tree.getTreeItem(await child(tree, schemaNode, 'events'));
    assert.strictEqual(events.collapsibleState, vscode.TreeItemCollapsibleState.None, 'events has no index to expand');
  });

  it('groups the seeded findings by rule under Findings', async () => {
    const findings = await child(tree, connection, 'Findings');
    const findingsItem = tree.getTreeItem(findings);
    assert.strictEqual(findingsItem.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    assert.match(String(findingsItem.description), /^\d+$/);

    const ours = async (ruleTitle: string) => {
      const rule = await child(tree, findings, ruleTitle);
      const nodes = await tree.getChildren(rule);
      assert.match(String(tree.getTreeItem(rule).description), new RegExp(`^${nodes.length} · `));
      return nodes.filter((n) => n.kind === 'finding' && n.finding.schema === schema);
    };
    const unused = await ours('Unused indexes');
    assert.deepStrictEqual(unused.map((n) => labelOf(tree.getTreeItem(n))), ['orders_status_idx']);
    assert.strictEqual(tree.getTreeItem(unused[0]).description, `${schema}.orders`);
    assert.match(String(tree.getTreeItem(unused[0]).contextValue), /\bfixable\b/);

    const fk = await ours('Foreign keys without an index');
    assert.deepStrictEqual(fk.map((n) => labelOf(tree.getTreeItem(n))), ['orders (customer_id)']);
    assert.ok(fk[0].kind === 'finding' && fk[0].finding.ruleId === 'fk-without-index');

    const noPk = await ours('Tables without a primary key');
    assert.deepStrictEqual(noPk.map((n) => labelOf(tree.getTreeItem(n))), ['events']);
    assert.doesNotMatch(String(tree.getTreeItem(noPk[0]).contextValue), /\bfixable\b/, 'which key to add is for a person to decide');
  });

  it('Create Migration… on the foreign key finding writes CREATE INDEX CONCURRENTLY in a new migration and opens it', async () => {
    const findings = await child(tree, connection, 'Findings');
    const rule = await child(tree, findings, 'Foreign keys without an index');
    const node = (await tree.getChildren(rule)).find((n) => n.kind === 'finding' && n.finding.schema === schema);
    assert.ok(node, 'no fk-without-index finding in the seeded schema');

    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('pglens.health.createMigration', node);
    assert.ok(uri, 'Create Migration… wrote nothing (see the pglens output channel)');
    created.push(uri);
    // Next to 001_/002_, numbered the way they are.
    assert.strictEqual(path.dirname(uri.fsPath), workspaceUri('migrations').fsPath);
    assert.strictEqual(path.basename(uri.fsPath), '003_add_index_orders_customer_id.sql');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    assert.match(text, new RegExp(`CREATE INDEX CONCURRENTLY [^\\n]*\\b${schema}\\.orders \\(customer_id\\)`));
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath === uri.fsPath, 'the new migration to open in an editor');
  });

  it('Export Statistics writes the connection\'s planner statistics and names the file in .pglens.json for the sandbox', async () => {
    const file = workspaceUri('stats/pglens-stats.json');
    const config = workspaceUri('.pglens.json');
    created.push(file, config);
    await vscode.workspace.fs.createDirectory(workspaceUri('stats'));
    created.push(workspaceUri('stats'));
    const result = await vscode.commands.executeCommand<ExportStatsResult | undefined>('pglens.exportStats', { values: false, file: file.fsPath, useForSandbox: true });
    assert.ok(result, 'the export failed (see the pglens output channel)');
    assert.strictEqual(result.values, false);
    assert.strictEqual(result.config, config.fsPath);
    const stats = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)));
    assert.strictEqual(stats.values, false);
    const orders = stats.tables[`${schema}.orders`];
    assert.ok(orders, `no ${schema}.orders in the file: ${Object.keys(stats.tables).join(', ')}`);
    assert.strictEqual(orders.rows, 200);
    assert.strictEqual(orders.columns.status.mcv, undefined, 'no real values without them');
    assert.deepStrictEqual(orders.columns.status.mcvFreqs, [1]);
    const written = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(config)));
    assert.deepStrictEqual(written.sandbox, { data: { stats: 'stats/pglens-stats.json' } });
  });
});

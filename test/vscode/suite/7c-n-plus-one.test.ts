import * as assert from 'assert';
import * as vscode from 'vscode';
import { Client } from 'pg';
import type { HealthTreeAccess } from '../../../src/extension/extension';
import type { HealthNode } from '../../../src/extension/health-tree';
import { activeApi, closeAllEditors, setConnections, uniqueSchemaName, waitFor, workspaceUri } from './helpers';

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** The server with pg_stat_statements preloaded (.ci/pss-cluster), as the integration tests find it. */
function pssUrl(database = 'postgres'): string {
  const url = new URL(process.env.PGLENS_PSS_URL ?? 'postgresql://postgres@127.0.0.1:5433/postgres');
  url.pathname = `/${database}`;
  return url.toString();
}

const LOOP = `import { Pool } from 'pg';

const pool = new Pool();

export async function titlesByAuthor(authorIds: number[]) {
  const out: string[] = [];
  for (const id of authorIds) {
    const { rows } = await pool.query('SELECT id, title FROM posts WHERE author_id = $1', [id]);
    out.push(...rows.map((r) => r.title));
  }
  return out;
}
`;

describe('N+1 candidates in the Indexes & Health view (pg_stat_statements server)', function () {
  this.timeout(120_000);
  const database = uniqueSchemaName('pgl_ed_n1');
  let admin: Client | undefined;
  let tree: HealthTreeAccess;
  const created: vscode.Uri[] = [];

  before(async function () {
    admin = new Client({ connectionString: pssUrl(), connectionTimeoutMillis: 5000 });
    try {
      await admin.connect();
      const r = await admin.query<{ v: string }>(`SELECT current_setting('shared_preload_libraries') AS v`);
      if (!/\bpg_stat_statements\b/.test(r.rows[0]?.v ?? '')) throw new Error(`shared_preload_libraries is '${r.rows[0]?.v ?? ''}'`);
    } catch (e) {
      await admin.end().catch(() => undefined);
      admin = undefined;
      const why = `no server with pg_stat_statements at ${pssUrl()} (${(e as Error).message}); create it with sudo .ci/pss-cluster`;
      if (process.env.CI === 'true') throw new Error(`${why} — CI=true requires it`);
      console.log(`\n  *** SKIPPED ${why} ***\n`);
      this.skip();
    }
    await admin.query(`CREATE DATABASE ${database}`);
    const app = new Client({ connectionString: pssUrl(database) });
    await app.connect();
    try {
      await app.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await app.query(`
        CREATE TABLE authors (id bigint PRIMARY KEY, name text NOT NULL);
        CREATE TABLE posts (id bigint PRIMARY KEY, author_id bigint NOT NULL REFERENCES authors (id), title text NOT NULL);
        INSERT INTO authors SELECT g, 'a' || g FROM generate_series(1, 150) g;
        INSERT INTO posts SELECT g, 1 + g % 150, 't' || g FROM generate_series(1, 300) g;
        ANALYZE authors, posts;
      `);
      // What the loop in the workspace file sends: one lookup per author.
      for (let id = 1; id <= 150; id++) await app.query('SELECT id, title FROM posts WHERE author_id = $1', [id]);
    } finally {
      await app.end();
    }

    const config = workspaceUri('.pglens.json');
    const source = workspaceUri('app/n1-posts.ts');
    created.push(config, source);
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(JSON.stringify({ rules: { 'n-plus-one-candidate': ['info', { minCalls: 100 }] } }, null, 2)));
    await vscode.workspace.fs.writeFile(source, new TextEncoder().encode(LOOP));

    const api = await activeApi();
    const url = new URL(pssUrl(database));
    await setConnections([{ name: 'pss-n1', host: url.hostname, port: Number(url.port), database, user: 'postgres', sslmode: 'disable' }]);
    await waitFor(() => api.statusBarText().includes('pss-n1'), 'the status bar to name pss-n1');
    const result = await vscode.commands.executeCommand<{ kind: string } | undefined>('pglens.testConnection');
    assert.strictEqual(result?.kind, 'server', 'pglens.testConnection did not open the pss server');
    tree = api.healthTree();
  });

  after(async () => {
    await closeAllEditors();
    for (const uri of created) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    await setConnections([]);
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('lists the lookup run once per author, and its code line opens the loop that sends it', async () => {
    // The workspace configuration (minCalls 100) is read once the file watcher sees .pglens.json.
    const candidate = await waitFor(async () => {
      await vscode.commands.executeCommand('pglens.refreshHealth');
      const connection = (await tree.getChildren())[0];
      const group = (await tree.getChildren(connection)).find((n) => labelOf(tree.getTreeItem(n)) === 'N+1 candidates');
      if (!group) return undefined;
      return (await tree.getChildren(group)).find((n) => n.kind === 'nPlusOneCandidate');
    }, 'an N+1 candidate under "N+1 candidates"', 60_000);
    const item = tree.getTreeItem(candidate);
    assert.strictEqual(labelOf(item), 'posts.author_id');
    assert.match(String(item.description), /^150 calls · 2\.00 rows\/call · /);
    assert.ok(item.tooltip instanceof vscode.MarkdownString && item.tooltip.value.includes('WHERE author_id = $1'), 'the tooltip shows the statement');

    const links = await tree.getChildren(candidate);
    const link = links.find((n): n is Extract<HealthNode, { kind: 'codeLink' }> => n.kind === 'codeLink');
    assert.ok(link, `no code link under the candidate: ${links.map((n) => labelOf(tree.getTreeItem(n))).join(', ')}`);
    const linkItem = tree.getTreeItem(link);
    assert.strictEqual(labelOf(linkItem), 'app/n1-posts.ts:8');
    assert.match(String(linkItem.description), /pool\.query · in a for…of loop over authorIds at line 7/);
    assert.ok(linkItem.command, 'the code line opens the file');
    await vscode.commands.executeCommand(linkItem.command.command, ...(linkItem.command.arguments ?? []));
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.path.endsWith('/app/n1-posts.ts'), 'the loop file to open');
    assert.strictEqual(vscode.window.activeTextEditor?.selection.active.line, 7);
  });
});

import * as assert from 'assert';
import * as vscode from 'vscode';
import type { Client } from 'pg';
import type { ExplainCommandResult } from '../../../src/extension/explain-command';
import {
  activeApi, closeAllEditors, connectRealServer, openDocument, requireServer, ruleOf, setConnections, uniqueSchemaName, waitFor, workspaceUri,
} from './helpers';

const SHOP = 'prisma/shop.prisma';

function lineOf(document: vscode.TextDocument, pattern: RegExp): number {
  const line = document.getText().split('\n').findIndex((l) => pattern.test(l));
  assert.ok(line >= 0, `no line matches ${pattern} in ${document.uri.path}`);
  return line;
}

async function lensesOf(uri: vscode.Uri, enough: (lenses: vscode.CodeLens[]) => boolean, what: string): Promise<vscode.CodeLens[]> {
  return waitFor(async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
    const ours = lenses.filter((l) => l.command?.command.startsWith('pglens.') || l.command?.title.startsWith('pglens:'));
    return enough(ours) ? ours : undefined;
  }, what, 30_000);
}

describe('schema.prisma diagnostics and lenses', () => {
  afterEach(() => vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor'));

  it('reports fk-without-index on the relation of a scalar field no @@index covers', async () => {
    const api = await activeApi();
    const editor = await openDocument(SHOP);
    const uri = editor.document.uri;
    const found = await waitFor(() => api.diagnostics(uri).find((d) => ruleOf(d) === 'fk-without-index'), 'a fk-without-index diagnostic');
    assert.strictEqual(found.range.start.line, lineOf(editor.document, /^\s+customer\s+Customer\s+@relation/));
    assert.strictEqual(found.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(found.message, /Invoice\.customerId has no index/);
  });

  it('its quick fix adds @@index([customerId]) and the warning goes away', async () => {
    const api = await activeApi();
    const editor = await openDocument(SHOP);
    const uri = editor.document.uri;
    const found = await waitFor(() => api.diagnostics(uri).find((d) => ruleOf(d) === 'fk-without-index'), 'a fk-without-index diagnostic');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, found.range);
    const listed = actions.map((a) => `"${a.title}"`).join(', ') || 'none';
    const fix = actions.find((a) => a.title === 'Add @@index([customerId]) to Invoice');
    assert.ok(fix?.edit, `no edit adding the index; actions: ${listed}`);
    assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind), `"${fix.title}" is not a quick fix`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    // The attribute lands inside the Invoice block, after its fields.
    assert.match(editor.document.getText(), /customer\s+Customer\s+@relation\([^)]*\)\s*\n\s*@@index\(\[customerId\]\)\s*\n\}/);
    await waitFor(() => !api.diagnostics(uri).some((d) => ruleOf(d) === 'fk-without-index'), 'fk-without-index to clear after the fix');
  });

  it('reports money-as-float on a Float amount field', async () => {
    const api = await activeApi();
    const editor = await openDocument(SHOP);
    const found = await waitFor(() => api.diagnostics(editor.document.uri).find((d) => ruleOf(d) === 'money-as-float'), 'a money-as-float diagnostic');
    assert.strictEqual(found.range.start.line, lineOf(editor.document, /^\s+amount\s+Float/));
    assert.match(found.message, /Invoice\.amount is Float/);
  });

  it('shows an Explain lookup lens on each relation field, and no table lens without a connection', async () => {
    await activeApi();
    await setConnections([]);
    const editor = await openDocument(SHOP);
    const lenses = await lensesOf(editor.document.uri, (ls) => ls.length > 0, 'Explain lookup lenses');
    const lookups = lenses.filter((l) => l.command?.command === 'pglens.prisma.explainLookup');
    assert.deepStrictEqual(
      lookups.map((l) => l.range.start.line).sort((a, b) => a - b),
      [lineOf(editor.document, /^\s+invoices\s+Invoice\[\]/), lineOf(editor.document, /^\s+customer\s+Customer/)],
    );
    assert.ok(lookups.every((l) => l.command?.title === 'Explain lookup'));
    const byInvoices = lookups.find((l) => l.range.start.line === lineOf(editor.document, /^\s+invoices\s+Invoice\[\]/));
    assert.match(String(byInvoices?.command?.arguments?.[0]), /FROM "public"\."Invoice" WHERE "public"\."Invoice"\."customerId" = \$1/);
    assert.deepStrictEqual(lenses.filter((l) => l.command?.command === 'pglens.prisma.showTable'), [], 'the sandbox is active: no table lenses');
  });
});

describe('schema.prisma lenses on the real server', function () {
  this.timeout(90_000);
  const schema = uniqueSchemaName('pgl_ed_prisma');
  const liveFile = 'prisma/live.prisma';
  let client: Client | undefined;

  before(async function () {
    client = await requireServer(this);
    await client.query(`
      CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.customers (id bigint PRIMARY KEY, email text NOT NULL);
      CREATE TABLE ${schema}.invoices (
        id bigint PRIMARY KEY,
        customer_id bigint NOT NULL REFERENCES ${schema}.customers (id),
        total numeric(12, 2) NOT NULL
      );
      CREATE INDEX invoices_total_idx ON ${schema}.invoices (total);
      INSERT INTO ${schema}.customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 300) g;
      INSERT INTO ${schema}.invoices SELECT g, 1 + g % 300, g % 500 FROM generate_series(1, 3000) g;
      ANALYZE ${schema}.customers, ${schema}.invoices;
    `);
    const text = [
      'datasource db {',
      '  provider = "postgresql"',
      '  url      = env("DATABASE_URL")',
      `  schemas  = ["${schema}"]`,
      '}',
      '',
      'model Customer {',
      '  id       BigInt    @id',
      '  email    String',
      '  invoices Invoice[]',
      '',
      '  @@map("customers")',
      `  @@schema("${schema}")`,
      '}',
      '',
      'model Invoice {',
      '  id         BigInt   @id',
      '  customerId BigInt   @map("customer_id")',
      '  total      Decimal  @db.Decimal(12, 2)',
      '  customer   Customer @relation(fields: [customerId], references: [id])',
      '',
      '  @@index([total], map: "invoices_total_idx")',
      '  @@map("invoices")',
      `  @@schema("${schema}")`,
      '}',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(workspaceUri(liveFile), new TextEncoder().encode(text));
  });

  after(async () => {
    await closeAllEditors();
    await vscode.workspace.fs.delete(workspaceUri(liveFile)).then(undefined, () => undefined);
    await setConnections([]);
    if (client) {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  it('shows rows, size and index usage above each model once the server connection is open', async () => {
    assert.ok(client);
    const api = await activeApi();
    await connectRealServer(api);
    const editor = await openDocument(liveFile);
    const lenses = await lensesOf(
      editor.document.uri,
      (ls) => ls.filter((l) => l.command?.command === 'pglens.prisma.showTable').length === 2,
      'a table lens above both models',
    );
    const { rows } = await client.query<{ relname: string; rows: string; bytes: string }>(
      `SELECT c.relname, c.reltuples::bigint::text AS rows, pg_total_relation_size(c.oid)::text AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [schema],
    );
    const reltuples = new Map(rows.map((r) => [r.relname, Number(r.rows).toLocaleString('en-US')]));
    const tableLens = (model: RegExp) => lenses.find((l) => l.command?.command === 'pglens.prisma.showTable' && l.range.start.line === lineOf(editor.document, model));

    const invoices = tableLens(/^model Invoice \{/);
    assert.ok(invoices?.command, 'no lens above model Invoice');
    assert.match(invoices.command.title, new RegExp(`^~${reltuples.get('invoices')} rows · [\\d.]+ [kMG]?B · 2 indexes \\(1 unused\\)$`));
    assert.deepStrictEqual(invoices.command.arguments, [schema, 'invoices']);
    const customers = tableLens(/^model Customer \{/);
    assert.ok(customers?.command, 'no lens above model Customer');
    assert.match(customers.command.title, new RegExp(`^~${reltuples.get('customers')} rows · [\\d.]+ [kMG]?B · 1 index$`));
    assert.deepStrictEqual(customers.command.arguments, [schema, 'customers']);
  });

  it('Explain lookup runs EXPLAIN ANALYZE of the relation query with a real key, showing the scan of the unindexed foreign key', async () => {
    const api = await activeApi();
    await connectRealServer(api);
    const editor = await openDocument(liveFile);
    const line = lineOf(editor.document, /^\s+invoices\s+Invoice\[\]/);
    const lenses = await lensesOf(editor.document.uri, (ls) => ls.some((l) => l.command?.command === 'pglens.prisma.explainLookup'), 'Explain lookup lenses');
    const lens = lenses.find((l) => l.command?.command === 'pglens.prisma.explainLookup' && l.range.start.line === line);
    assert.ok(lens?.command, `no Explain lookup lens on line ${line + 1}`);
    const result = await vscode.commands.executeCommand<ExplainCommandResult | undefined>(lens.command.command, ...(lens.command.arguments ?? []));
    assert.ok(result, 'Explain lookup returned nothing (it failed; see the pglens output channel)');
    assert.match(result.sql, new RegExp(`WHERE "${schema}"\\."invoices"\\."customer_id" = \\$1`));
    assert.strictEqual(result.outcome.result.analyzed, true);
    const scan = result.outcome.report.nodes.find((n) => n.relation === 'invoices');
    assert.ok(scan, `no node reads invoices: ${result.outcome.report.nodes.map((n) => n.label).join(', ')}`);
    // No index leads with customer_id: the lookup reads the whole table.
    assert.strictEqual(scan.nodeType, 'Seq Scan');
  });
});

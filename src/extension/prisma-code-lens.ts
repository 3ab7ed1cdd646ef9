import * as vscode from 'vscode';
import { parsePrismaSchema } from '../core/prisma/parse';
import { modelRanges, relationLookups } from '../core/prisma/relation-lookup';
import { tableSummaries, type TableSummary } from '../core/health/table-summary';
import { formatBytes } from '../core/health/format';
import { errorMessage } from '../core/errors';
import type { ConnectionManager } from './connection-manager';
import { showError } from './errors';

/**
 * Lenses in schema.prisma: above each model, the table's rows, size and index usage when a
 * server is connected (never opened just to draw a lens); above each relation field,
 * *Explain lookup*, which runs EXPLAIN ANALYZE of the query Prisma issues for the relation
 * with a real key value, so a missing index shows in a real plan.
 */
export function registerPrismaLenses(connections: ConnectionManager): vscode.Disposable {
  const provider = new PrismaLensProvider(connections);
  return vscode.Disposable.from(
    provider,
    vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: '**/*.prisma' }, provider),
    vscode.commands.registerCommand('pglens.prisma.explainLookup', (sql: string, sampleSql: string) => explainLookup(connections, sql, sampleSql)),
    vscode.commands.registerCommand('pglens.prisma.showTable', (schema: string, table: string) =>
      vscode.commands.executeCommand('pglens.health.revealTable', schema, table),
    ),
  );
}

class PrismaLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly connections: ConnectionManager) {
    this.subscription = vscode.Disposable.from(
      connections.onDidChangeConnection(() => this.changed.fire()),
      connections.onDidOpenConnection(() => this.changed.fire()),
    );
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const doc = parsePrismaSchema(document.getText(), document.uri.fsPath);
    if (doc.diagnostics.length > 0) return [];
    const lenses: vscode.CodeLens[] = [];
    const at = (line: number, character: number) => new vscode.Range(line, character, line, character);

    const conn = this.connections.openServerConnection();
    if (conn) {
      const models = modelRanges(doc).filter((m) => m.kind === 'model');
      let stats: TableSummary[] = [];
      try {
        stats = await tableSummaries(await conn, models);
      } catch (e) {
        const m = models[0];
        if (m) lenses.push(new vscode.CodeLens(at(m.range.start.line, 0), { title: `pglens: table statistics unavailable (${errorMessage(e).split('\n')[0]})`, command: '' }));
      }
      for (const m of models) {
        const s = stats.find((t) => t.schema === m.schema && t.table === m.table);
        const title = s
          ? `~${s.estimatedRows.toLocaleString('en-US')} rows · ${formatBytes(s.totalBytes)} · ${s.indexes} index${s.indexes === 1 ? '' : 'es'}${s.unusedIndexes > 0 ? ` (${s.unusedIndexes} unused)` : ''}`
          : `table ${m.schema}.${m.table} not found in the connected database`;
        lenses.push(new vscode.CodeLens(at(m.range.start.line, m.range.start.character), { title, command: 'pglens.prisma.showTable', arguments: [m.schema, m.table] }));
      }
    }
    for (const r of relationLookups(doc)) {
      lenses.push(
        new vscode.CodeLens(at(r.range.start.line, r.range.start.character), {
          title: 'Explain lookup',
          tooltip: `EXPLAIN ANALYZE of the query Prisma runs: ${r.description}`,
          command: 'pglens.prisma.explainLookup',
          arguments: [r.sql, r.sampleSql],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

async function explainLookup(connections: ConnectionManager, sql: string, sampleSql: string): Promise<unknown> {
  try {
    const conn = await connections.getConnection();
    const sample = await conn.query<Record<string, unknown>>(sampleSql);
    const row = sample.rows[0];
    if (!row) {
      void vscode.window.showWarningMessage('pglens: the table is empty, so there is no real key value to look up; showing the generic plan instead.');
      return vscode.commands.executeCommand('pglens.explainSql', sql, false);
    }
    const params = Object.values(row).map((v) => (v === null ? null : v instanceof Date ? v.toISOString() : String(v)));
    return vscode.commands.executeCommand('pglens.explainSql', sql, true, params);
  } catch (e) {
    showError(e, 'Explain lookup failed');
    return undefined;
  }
}

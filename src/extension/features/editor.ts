import { loadSqlParser } from '../../core/sql/parse';
import { SqlCodeLensProvider, SQL_SELECTOR } from '../sql-code-lens';
import { LintDiagnostics } from '../lint-diagnostics';
import { registerAppCodeDiagnostics } from '../app-code-diagnostics';
import { registerRollbackVerify } from '../rollback-verify';
import { registerGenerateDown } from '../generate-down';
import { SchemaNavigation } from '../schema-navigation';
import * as vscode from 'vscode';
import type { FeatureHost } from './host';

/**
 * What open SQL, Prisma and code files get: diagnostics (migrations, schema.prisma, N+1 and SQL
 * templates), Explain lenses, Verify rollback lenses, Generate down, and navigation in SQL from
 * the migrations' schema (hover, definition, references, completion, unknown names). Loaded
 * when the first such document is open; the SQL parser's wasm starts loading then, and lenses,
 * lint and navigation start when it is ready.
 */
export function activateEditor(host: FeatureHost): void {
  const { context, output } = host;
  const lenses = new SqlCodeLensProvider();
  const navigation = new SchemaNavigation(output);
  // Query files and SQL in code are linted against the workspace's migrations, as navigation resolves their names.
  const workspaceSchema = (doc: vscode.TextDocument) => navigation.workspaceSchema(doc);
  const lint = new LintDiagnostics(context, workspaceSchema);
  context.subscriptions.push(
    lenses,
    lint,
    navigation,
    vscode.languages.registerCodeLensProvider(SQL_SELECTOR, lenses),
    registerRollbackVerify(context, output),
    registerGenerateDown(context, output),
    registerAppCodeDiagnostics(context, workspaceSchema),
    navigation.onDidChangeSchemas(() => lint.workspaceSchemaChanged()),
  );
  loadSqlParser().then(
    () => {
      lenses.refresh();
      lint.start();
      navigation.start();
    },
    (e) => output.appendLine(`SQL parser failed to load: ${String(e)}`),
  );
}

import { loadSqlParser } from '../../core/sql/parse';
import { SqlCodeLensProvider, SQL_SELECTOR } from '../sql-code-lens';
import { LintDiagnostics } from '../lint-diagnostics';
import { registerAppCodeDiagnostics } from '../app-code-diagnostics';
import { registerRollbackVerify } from '../rollback-verify';
import { registerGenerateDown } from '../generate-down';
import * as vscode from 'vscode';
import type { FeatureHost } from './host';

/**
 * What open SQL, Prisma and code files get: diagnostics (migrations, schema.prisma, N+1 and SQL
 * templates), Explain lenses, Verify rollback lenses and Generate down. Loaded when the first
 * such document is open; the SQL parser's wasm starts loading then, and lenses and lint refresh
 * when it is ready.
 */
export function activateEditor(host: FeatureHost): void {
  const { context, output } = host;
  const lenses = new SqlCodeLensProvider();
  const lint = new LintDiagnostics(context);
  context.subscriptions.push(
    lenses,
    lint,
    vscode.languages.registerCodeLensProvider(SQL_SELECTOR, lenses),
    registerRollbackVerify(context, output),
    registerGenerateDown(context, output),
    registerAppCodeDiagnostics(context),
  );
  loadSqlParser().then(
    () => {
      lenses.refresh();
      lint.start();
    },
    (e) => output.appendLine(`SQL parser failed to load: ${String(e)}`),
  );
}

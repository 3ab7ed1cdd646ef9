import * as vscode from 'vscode';
import { findExplainTargets, languageOf, type ExplainTarget } from '../core/sql/explain-targets';
import { isSqlParserLoaded } from '../core/sql/parse';

/** Arguments the lens passes to pglens.explain / pglens.explainAnalyze. */
export interface ExplainRequest {
  uri: string;
  /** Character offset of the statement start in the document. */
  offset: number;
  sql: string;
}

export const SQL_SELECTOR: vscode.DocumentSelector = [
  { language: 'sql' },
  { language: 'typescript' },
  { language: 'typescriptreact' },
  { language: 'javascript' },
  { language: 'javascriptreact' },
];

/** Cached per document version: lenses, cursor commands and hovers share one parse. */
const cache = new WeakMap<vscode.TextDocument, { version: number; targets: ExplainTarget[] }>();

export function explainTargets(document: vscode.TextDocument): ExplainTarget[] {
  const language = languageOf(document.languageId);
  if (!language || !isSqlParserLoaded()) return [];
  const hit = cache.get(document);
  if (hit && hit.version === document.version) return hit.targets;
  const targets = findExplainTargets(document.getText(), language);
  cache.set(document, { version: document.version, targets });
  return targets;
}

export class SqlCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('pglens').get<boolean>('codeLens.enabled', true)) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const target of explainTargets(document)) {
      const start = new vscode.Position(target.range.start.line, target.range.start.character);
      const range = new vscode.Range(start, start);
      const request: ExplainRequest = { uri: document.uri.toString(), offset: target.range.startOffset, sql: target.sql };
      lenses.push(
        new vscode.CodeLens(range, { title: 'Explain', command: 'pglens.explain', arguments: [request], tooltip: 'EXPLAIN: the plan without running the statement' }),
        new vscode.CodeLens(range, {
          title: 'Explain Analyze',
          command: 'pglens.explainAnalyze',
          arguments: [request],
          tooltip: 'EXPLAIN ANALYZE: runs the statement inside a transaction that is rolled back',
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

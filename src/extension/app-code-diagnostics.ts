import * as vscode from 'vscode';
import { loadSqlParser } from '../core/sql/parse';
import type { Finding } from '../core/types';
import type { SchemaModel } from '../core/schema/model';
import { configFor, watchConfig } from './workspace-config';
import { findingDiagnostic, findingOfDiagnostic, quickFix } from './finding-diagnostics';

type AppCodeCore = typeof import('../core/app-code/lint-code-file') &
  typeof import('../core/app-code/code-files') &
  typeof import('../core/app-code/prisma-models') &
  typeof import('../core/app-code/actions');

/**
 * Loaded on the first open code document: the TypeScript parser stays out of activation, and a
 * workspace without open .ts/.js files never loads it.
 */
let core: AppCodeCore | undefined;
function loadCore(): AppCodeCore {
  core ??= {
    /* eslint-disable @typescript-eslint/no-require-imports -- lazy load, bundled by esbuild: the TypeScript parser loads when the first code file is linted, not at activation */
    ...(require('../core/app-code/lint-code-file') as typeof import('../core/app-code/lint-code-file')),
    ...(require('../core/app-code/code-files') as typeof import('../core/app-code/code-files')),
    ...(require('../core/app-code/prisma-models') as typeof import('../core/app-code/prisma-models')),
    ...(require('../core/app-code/actions') as typeof import('../core/app-code/actions')),
    /* eslint-enable @typescript-eslint/no-require-imports */
  };
  return core;
}

const LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'];
const SELECTOR: vscode.DocumentSelector = LANGUAGES.map((language) => ({ scheme: 'file', language }));
const N_PLUS_ONE = 'n-plus-one-query';

/**
 * Diagnostics in open TypeScript/JavaScript files: N+1 queries and the SQL rules on SQL
 * template literals, from the same core call as `pglens lint` (lintCodeFile). Only open
 * documents are read, never the rest of the workspace. While a file does not parse (half-typed
 * code) its last N+1 findings stay. Pure text analysis: runs in untrusted workspaces too.
 */
class AppCodeDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('pglens-app-code');
  private readonly findings = new Map<string, Finding[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  private prisma: InstanceType<AppCodeCore['PrismaModelCache']> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly workspaceSchema: (doc: vscode.TextDocument) => SchemaModel | undefined,
  ) {
    this.disposables.push(
      this.collection,
      vscode.languages.registerCodeActionsProvider(SELECTOR, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.workspace.onDidOpenTextDocument((d) => this.lintSoon(d, 0)),
      vscode.workspace.onDidSaveTextDocument((d) => this.lintSoon(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const config = vscode.workspace.getConfiguration('pglens');
        if (config.get<boolean>('lint.onType', true)) this.lintSoon(e.document, config.get<number>('lint.debounceMs', 300));
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        clearTimeout(this.timers.get(d.uri.toString()));
        this.findings.delete(d.uri.toString());
        this.collection.delete(d.uri);
      }),
      watchConfig(() => this.lintOpen()),
      // A changed schema.prisma changes which relations the include rewrite knows.
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.fileName.endsWith('.prisma')) {
          this.prisma?.clear();
          this.lintOpen();
        }
      }),
    );
  }

  /** Lints the open code documents; called once the SQL parser is loaded (template findings need it). */
  start(): void {
    this.lintOpen();
  }

  private lintOpen(): void {
    for (const doc of vscode.workspace.textDocuments) this.lintSoon(doc, 0);
  }

  private isCode(doc: vscode.TextDocument): boolean {
    return doc.uri.scheme === 'file' && LANGUAGES.includes(doc.languageId);
  }

  private lintSoon(doc: vscode.TextDocument, delayMs: number): void {
    if (!this.isCode(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!doc.isClosed) this.lint(doc);
      }, delayMs),
    );
  }

  private lint(doc: vscode.TextDocument): void {
    const c = loadCore();
    const file = doc.uri.fsPath;
    const config = configFor(doc.uri);
    const key = doc.uri.toString();
    if (c.isSkippedCode(config, file)) {
      this.publish(doc.uri, []);
      return;
    }
    this.prisma ??= new c.PrismaModelCache();
    const schema = this.workspaceSchema(doc);
    const result = c.lintCodeFile(file, doc.getText(), config, { prisma: this.prisma.forCodeFile(file), ...(schema && { workspaceSchema: schema }) });
    let findings = result.findings;
    // Half-typed code: keep the N+1 findings of the last version that parsed.
    if (result.parseError) findings = [...findings, ...(this.findings.get(key) ?? []).filter((f) => f.ruleId === N_PLUS_ONE)];
    this.publish(doc.uri, findings);
  }

  private publish(uri: vscode.Uri, findings: Finding[]): void {
    this.findings.set(uri.toString(), findings);
    this.collection.set(
      uri,
      findings.map((f) => findingDiagnostic(f, this.context.extensionUri)),
    );
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const findings = this.findings.get(doc.uri.toString()) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const finding = findingOfDiagnostic(findings, diagnostic);
      if (!finding) continue;
      for (const a of loadCore().codeFindingActions(doc.getText(), finding)) actions.push(quickFix(doc, diagnostic, a));
    }
    return actions;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Registers N+1 and SQL-template diagnostics for open .ts/.tsx/.js/.jsx files. N+1 findings
 * come at once; the open files are linted again when the SQL parser (activation starts loading
 * it, one shared promise) is ready for the template findings.
 */
export function registerAppCodeDiagnostics(
  context: vscode.ExtensionContext,
  workspaceSchema: (doc: vscode.TextDocument) => SchemaModel | undefined = () => undefined,
): vscode.Disposable {
  const diagnostics = new AppCodeDiagnostics(context, workspaceSchema);
  loadSqlParser().then(
    () => diagnostics.start(),
    () => undefined,
  );
  return diagnostics;
}

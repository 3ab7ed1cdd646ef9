import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { lintSqlFile, findingActions } from '../core/lint';
import { isMigrationSet, lintRunnerSet, runnerSetForFile } from '../core/lint/migration-lint';
import { prismaFindingActions } from '../core/prisma/finding-actions';
import { lintPrismaFiles } from '../core/prisma/lint';
import { prismaSchemaFiles } from '../core/prisma/schema-files';
import { isSqlParserLoaded } from '../core/sql/parse';
import type { SchemaModel } from '../core/schema/model';
import type { Finding } from '../core/types';
import { configFor, watchConfig } from './workspace-config';
import { findingDiagnostic, findingOfDiagnostic, quickFix } from './finding-diagnostics';

function isSqlDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && (doc.languageId === 'sql' || doc.fileName.toLowerCase().endsWith('.sql'));
}

/** A file's text from the disk; undefined when it is not a readable file. */
function readIfFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function isPrismaDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && doc.fileName.endsWith('.prisma');
}

/**
 * Diagnostics on open, on save and while typing (debounced), from the same core calls as
 * `pglens lint`: a migration is linted with the replay of its folder as schema context, and
 * the whole folder's diagnostics are refreshed, so editing one file re-lints the later ones.
 * Linting is pure text analysis, so it also runs in untrusted workspaces.
 */
export class LintDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('pglens');
  private readonly findings = new Map<string, Finding[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  private started = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    /** The workspace's migrations a loose query file runs against (SchemaNavigation.workspaceSchema). */
    private readonly workspaceSchema: (doc: vscode.TextDocument) => SchemaModel | undefined = () => undefined,
  ) {
    this.disposables.push(
      this.collection,
      vscode.languages.registerCodeActionsProvider([{ scheme: 'file', language: 'sql' }, { scheme: 'file', pattern: '**/*.prisma' }, { scheme: 'file', pattern: '**/*.sql' }], this, {
        providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
      }),
      vscode.workspace.onDidOpenTextDocument((d) => this.lintSoon(d, 0)),
      vscode.workspace.onDidSaveTextDocument((d) => this.lintSoon(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const config = vscode.workspace.getConfiguration('pglens');
        if (config.get<boolean>('lint.onType', true)) this.lintSoon(e.document, config.get<number>('lint.debounceMs', 300));
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        // A migration keeps its diagnostics (its set is still linted); a loose file's go with it.
        if (isSqlDocument(d) && !runnerSetForFile(d.uri.fsPath, { config: configFor(d.uri) })) this.publish(d.uri.fsPath, []);
      }),
      watchConfig(() => this.lintOpen()),
    );
  }

  /** Called once the SQL parser's wasm is loaded. */
  start(): void {
    this.started = true;
    this.lintOpen();
  }

  private lintOpen(): void {
    for (const doc of vscode.workspace.textDocuments) this.lintSoon(doc, 0);
  }

  /** The workspace's migrations changed: the open query files (not migrations) run against them again. */
  workspaceSchemaChanged(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (!isSqlDocument(doc) || doc.uri.scheme !== 'file') continue;
      const config = configFor(doc.uri);
      const set = runnerSetForFile(doc.uri.fsPath, { config });
      if (!set || !isMigrationSet(set, config)) this.lintSoon(doc, 500);
    }
  }

  private lintSoon(doc: vscode.TextDocument, delayMs: number): void {
    if (!this.started || (!isSqlDocument(doc) && !isPrismaDocument(doc))) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.lint(doc);
      }, delayMs),
    );
  }

  /** Lints the document (and its migration set); returns the document's findings. */
  lint(doc: vscode.TextDocument): Finding[] {
    if (!isSqlParserLoaded()) return [];
    const file = doc.uri.fsPath;
    const config = configFor(doc.uri);
    let all: Finding[];
    let files: string[];
    if (isPrismaDocument(doc)) {
      files = prismaSchemaFiles(file);
      all = lintPrismaFiles(files.map((f) => ({ file: f, text: this.openText(f, doc) ?? readIfFile(f) ?? '' })), config);
    } else {
      // The same core calls as `pglens lint`: the folder read as its runner runs it, open
      // documents' unsaved text first, each file read once per lint.
      const texts = new Map<string, string | undefined>();
      const read = (f: string): string | undefined => {
        if (!texts.has(f)) texts.set(f, this.openText(f, doc) ?? readIfFile(f));
        return texts.get(f);
      };
      const set = runnerSetForFile(file, { config, read });
      files = set ? set.files : [file];
      // A folder of queries (a set that is not migrations) runs against the workspace's migrations, as in `pglens lint`.
      const schema = set && isMigrationSet(set, config) ? undefined : this.workspaceSchema(doc);
      const options = schema ? { workspaceSchema: schema } : {};
      all = set ? lintRunnerSet(set, (f) => read(f) ?? '', config, options) : lintSqlFile(file, doc.getText(), config, options);
    }
    for (const f of files) this.publish(f, all.filter((x) => x.file === f));
    return all.filter((x) => x.file === file);
  }

  /** The unsaved text of an open document, else undefined (the disk has it). */
  private openText(file: string, current: vscode.TextDocument): string | undefined {
    if (file === current.uri.fsPath) return current.getText();
    return vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.getText();
  }

  private publish(file: string, findings: Finding[]): void {
    const uri = vscode.Uri.file(file);
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
      if (!finding || finding.ruleId === 'syntax-error') continue;
      const offered = isPrismaDocument(doc) ? prismaFindingActions(doc.getText(), finding) : findingActions(doc.getText(), finding);
      for (const a of offered) actions.push(quickFix(doc, diagnostic, a));
    }
    return actions;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

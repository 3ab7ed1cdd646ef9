import * as vscode from 'vscode';
import * as path from 'node:path';
import {
  completionsAt,
  definitionsOf,
  describeTarget,
  hoverAt,
  largeDocumentNote,
  nameDiagnostics,
  navigationDocument,
  referencesTo,
  targetAt,
  type CompletionKind,
  type NavigationDocument,
} from '../core/schema/navigation';
import type { HoverTextOptions } from '../core/schema/hover-text';
import { escapeMarkdown } from '../core/schema/markdown-safe';
import type { SchemaModel } from '../core/schema/model';
import type { SchemaIndex } from '../core/schema/schema-index';
import type { NameTarget } from '../core/schema/sql-names';
import { WorkspaceSchemas } from '../core/schema/workspace-schemas';
import { languageOf } from '../core/sql/explain-targets';
import { isSqlParserLoaded } from '../core/sql/parse';
import type { SourceRange } from '../core/types';
import { configFor, watchConfig } from './workspace-config';

/** SQL files and the SQL template literals of TypeScript/JavaScript files (sql`…`, $queryRaw`…`). */
const SELECTOR: vscode.DocumentSelector = ['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'].flatMap((language) => [
  { scheme: 'file', language },
  { scheme: 'untitled', language },
]);

function itemKind(kind: CompletionKind): vscode.CompletionItemKind {
  switch (kind) {
    case 'table':
      return vscode.CompletionItemKind.Struct;
    case 'view':
      return vscode.CompletionItemKind.Interface;
    case 'column':
      return vscode.CompletionItemKind.Field;
    case 'schema':
      return vscode.CompletionItemKind.Module;
    case 'alias':
      return vscode.CompletionItemKind.Variable;
  }
}

/**
 * Hover, Go to Definition, Find References, completion and unknown-name diagnostics in SQL,
 * from the schema the workspace's migrations (or schema.prisma) define — no database. The SQL
 * logic is the core's (src/core/schema/navigation.ts); this adapter keeps one WorkspaceSchemas
 * per workspace folder, drops it when a migration, schema.prisma or `.pglens.json` changes (the
 * next request rebuilds it, re-parsing only changed files), and caches each document's parse
 * per version. Pure text analysis: works in untrusted workspaces too.
 */
export class SchemaNavigation
  implements vscode.HoverProvider, vscode.DefinitionProvider, vscode.ReferenceProvider, vscode.CompletionItemProvider, vscode.Disposable
{
  private readonly workspaces = new Map<string, WorkspaceSchemas>();
  private readonly documents = new WeakMap<vscode.TextDocument, { version: number; doc: NavigationDocument }>();
  /** What each completion item names, for its documentation (computed when the editor shows it). */
  private readonly completionTargets = new WeakMap<vscode.CompletionItem, { index: SchemaIndex; target: NameTarget }>();
  private readonly collection = vscode.languages.createDiagnosticCollection('pglens-schema');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The last schema summary written to the output channel, per workspace folder. */
  private readonly logged = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];
  private started = false;

  private readonly schemasChanged = new vscode.EventEmitter<void>();
  /** A migration or Prisma schema changed (on disk or unsaved): what workspaceSchema() gives may differ. */
  readonly onDidChangeSchemas = this.schemasChanged.event;

  constructor(private readonly output: vscode.OutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{sql,prisma}');
    const changed = (uri: vscode.Uri): void => this.schemaFileChanged(uri);
    this.disposables.push(
      this.collection,
      this.schemasChanged,
      vscode.languages.registerHoverProvider(SELECTOR, this),
      vscode.languages.registerDefinitionProvider(SELECTOR, this),
      vscode.languages.registerReferenceProvider(SELECTOR, this),
      vscode.languages.registerCompletionItemProvider(SELECTOR, this, '.', '"'),
      watcher,
      watcher.onDidCreate(changed),
      watcher.onDidChange(changed),
      watcher.onDidDelete(changed),
      watchConfig(() => this.invalidateAll()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.workspaces.clear()),
      vscode.workspace.onDidOpenTextDocument((d) => this.checkSoon(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Typing in a migration changes the schema; typing in a query changes only its own diagnostics.
        const d = e.document;
        if (!this.started) return;
        if (d.uri.scheme === 'file' && (d.fileName.endsWith('.prisma') || this.schemasFor(d)?.isMigration(d.uri.fsPath))) this.schemaFileChanged(d.uri);
        else this.checkSoon(d, vscode.workspace.getConfiguration('pglens').get<number>('lint.debounceMs', 300));
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        clearTimeout(this.timers.get(d.uri.toString()));
        this.collection.delete(d.uri);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pglens.schemaDiagnostics')) this.checkOpen();
      }),
    );
  }

  /** Called once the SQL parser is loaded: checks the open documents (which builds the schemas). */
  start(): void {
    this.started = true;
    this.checkOpen();
  }

  // ---- providers ----

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const at = this.at(document);
    if (!at) return undefined;
    const result = hoverAt(at.index, at.doc, document.offsetAt(position), this.textOptions());
    if (!result) return undefined;
    return new vscode.Hover(untrusted(result.markdown), toRange(result.range));
  }

  provideDefinition(document: vscode.TextDocument, position: vscode.Position): vscode.LocationLink[] | undefined {
    const at = this.at(document);
    if (!at) return undefined;
    const origin = targetAt(at.index, at.doc, document.offsetAt(position));
    if (!origin) return undefined;
    return definitionsOf(at.index, origin.target).map((l) => ({
      originSelectionRange: toRange(origin.range),
      targetUri: vscode.Uri.file(l.file),
      targetRange: toRange(l.fullRange ?? l.range),
      targetSelectionRange: toRange(l.range),
    }));
  }

  provideReferences(document: vscode.TextDocument, position: vscode.Position, context: vscode.ReferenceContext): vscode.Location[] | undefined {
    const at = this.at(document);
    if (!at) return undefined;
    const found = targetAt(at.index, at.doc, document.offsetAt(position));
    if (!found) return undefined;
    const started = performance.now();
    const files = at.schemas.referenceFiles();
    const locations = referencesTo(at.index, found.target, files, { includeDefinition: context.includeDeclaration });
    this.output.appendLine(`[navigation] references: ${locations.length} in ${files.length} files, ${(performance.now() - started).toFixed(0)} ms`);
    return locations.map((l) => new vscode.Location(vscode.Uri.file(l.file), toRange(l.range)));
  }

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionList | undefined {
    const at = this.at(document);
    if (!at) return undefined;
    const result = completionsAt(at.index, at.doc, document.offsetAt(position));
    if (!result || result.items.length === 0) return undefined;
    const range = new vscode.Range(document.positionAt(result.start), document.positionAt(result.end));
    const items = result.items.map((e) => {
      const item = new vscode.CompletionItem(e.label, itemKind(e.kind));
      if (e.target) this.completionTargets.set(item, { index: at.index, target: e.target });
      item.insertText = e.insertText;
      item.filterText = e.filterText;
      item.detail = e.detail;
      item.sortText = e.sortText;
      item.range = range;
      return item;
    });
    return new vscode.CompletionList(items, false);
  }

  resolveCompletionItem(item: vscode.CompletionItem): vscode.CompletionItem {
    const named = this.completionTargets.get(item);
    if (named) item.documentation = untrusted(describeTarget(named.index, named.target, this.textOptions()));
    return item;
  }

  // ---- schemas and documents ----

  private textOptions(): HoverTextOptions {
    return {
      link: (file, range) => {
        const shown = `${vscode.workspace.asRelativePath(file)}:${range.start.line + 1}`;
        const target = vscode.Uri.file(file).with({ fragment: `L${range.start.line + 1},${range.start.character + 1}` });
        return `[${escapeMarkdown(shown)}](<${target.toString()}>)`;
      },
    };
  }

  /** The schema of the migrations nearest to a document (a Prisma-only schema aside), for the query rules of loose SQL and code. */
  workspaceSchema(document: vscode.TextDocument): SchemaModel | undefined {
    if (!isSqlParserLoaded() || document.uri.scheme !== 'file') return undefined;
    const index = this.schemasFor(document)?.indexFor(document.uri.fsPath);
    // A set that did not replay fully (a statement that does not parse, a DO block changing tables) may have dropped or changed the tables it shows.
    return index?.kind === 'migrations' && !index.incomplete ? index.schema : undefined;
  }

  /** The document's schema and parse, when the parser is loaded and the workspace has a schema. */
  private at(document: vscode.TextDocument): { schemas: WorkspaceSchemas; index: SchemaIndex; doc: NavigationDocument } | undefined {
    const language = languageOf(document.languageId);
    if (!language || !isSqlParserLoaded()) return undefined;
    const schemas = this.schemasFor(document);
    const file = document.uri.scheme === 'file' ? document.uri.fsPath : undefined;
    const index = schemas?.indexFor(file);
    if (!schemas || !index) return undefined;
    let cached = this.documents.get(document);
    if (!cached || cached.version !== document.version) {
      cached = { version: document.version, doc: navigationDocument(document.getText(), language, file) };
      this.documents.set(document, cached);
    }
    return { schemas, index, doc: cached.doc };
  }

  private schemasFor(document: vscode.TextDocument): WorkspaceSchemas | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(document.uri) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') return undefined;
    const root = folder.uri.fsPath;
    let schemas = this.workspaces.get(root);
    if (!schemas) {
      schemas = new WorkspaceSchemas(root, {
        read: (file) => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file)?.getText(),
        config: () => configFor(vscode.Uri.file(path.join(root, '.pglens.json'))),
        onBuild: (indexes, ms) => {
          // Said when it changes, not on every rebuild while a migration is edited.
          const summary = indexes.map((i) => {
            const notes = [i.incomplete && `unknown names not checked: ${i.incomplete}`, i.unreadStatements && `${i.unreadStatements} statements' names not read`].filter(Boolean);
            return `${i.label}: ${i.files.length} files, ${i.schema.tables.size} tables${notes.length ? ` (${notes.join('; ')})` : ''}`;
          });
          if (this.logged.get(root) === summary.join('\n')) return;
          this.logged.set(root, summary.join('\n'));
          this.output.appendLine(`[navigation] schemas of ${root} (${ms.toFixed(0)} ms): ${summary.length ? summary.join('; ') : 'no migrations or schema.prisma found'}`);
        },
      });
      this.workspaces.set(root, schemas);
    }
    return schemas;
  }

  private schemaFileChanged(uri: vscode.Uri): void {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder) this.workspaces.get(folder.uri.fsPath)?.invalidate();
    else this.invalidateAll();
    this.checkOpen(500);
    this.schemasChanged.fire();
  }

  private invalidateAll(): void {
    for (const w of this.workspaces.values()) w.invalidate();
    this.checkOpen(500);
    this.schemasChanged.fire();
  }

  // ---- diagnostics ----

  private checkOpen(delayMs = 0): void {
    for (const doc of vscode.workspace.textDocuments) this.checkSoon(doc, delayMs);
  }

  private checkSoon(document: vscode.TextDocument, delayMs: number): void {
    if (!this.started || !languageOf(document.languageId) || (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled')) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.check(document);
      }, delayMs),
    );
  }

  /** Unknown tables and columns in a query document (never in a migration: the linter reads those). */
  private check(document: vscode.TextDocument): void {
    if (document.isClosed) return;
    if (!vscode.workspace.getConfiguration('pglens').get<boolean>('schemaDiagnostics', true)) {
      this.collection.delete(document.uri);
      return;
    }
    try {
      // A huge document is not parsed for diagnostics at all: one note says why.
      const large = largeDocumentNote(document.getText());
      const at = large ? undefined : this.at(document);
      const schemas = large ? this.schemasFor(document) : at?.schemas;
      if (!schemas || (!at && !large) || (document.uri.scheme === 'file' && schemas.isMigration(document.uri.fsPath))) {
        this.collection.delete(document.uri);
        return;
      }
      if (large && !(languageOf(document.languageId) && isSqlParserLoaded() && schemas.indexFor(document.uri.scheme === 'file' ? document.uri.fsPath : undefined))) {
        this.collection.delete(document.uri);
        return;
      }
      const diagnostics = (large ? [large] : nameDiagnostics(at!.index, at!.doc)).map((d) => {
        const diagnostic = new vscode.Diagnostic(toRange(d.range), d.message, d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
        diagnostic.source = 'pglens';
        diagnostic.code = d.code;
        return diagnostic;
      });
      this.collection.set(document.uri, diagnostics);
    } catch (e) {
      this.output.appendLine(`[navigation] ${document.uri.fsPath}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Markdown built from migration text: escaped by the core (hover-text.ts), and shown with no
 * command links, no HTML and no `$(icon)` syntax, whatever a name spells.
 */
function untrusted(markdown: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(markdown, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.supportThemeIcons = false;
  return md;
}

function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

import * as vscode from 'vscode';
import { explainStatement, GENERIC_PLAN_MIN_MAJOR, majorVersion, type ExplainOutcome } from '../core/explain';
import { PglensError, isPglensError } from '../core/errors';
import { explainTargets, type ExplainRequest } from './sql-code-lens';
import type { ConnectionProvider } from './connection-provider';
import { showError } from './errors';
import { ANALYZE_WITH_VALUES_COMMAND, showPlan, type AnalyzeWithValuesRequest } from './plan-panel';
import { planOptionsFor } from './workspace-config';
import { countParams, targetAtOffset, type ExplainTarget } from '../core/sql/explain-targets';

/** workspaceState key of the parameter values typed per statement text. */
const PARAM_MEMORY_KEY = 'pglens.parameterValues';
/** Statements whose values are remembered; the least recently used go first. */
const MAX_REMEMBERED_STATEMENTS = 50;

/**
 * Parameter values typed by the user, per statement text: in the workspace's state (it outlives a
 * reload) once registerExplainCommands has run, else in memory.
 */
let paramMemory: Pick<vscode.Memento, 'get' | 'update'> | undefined;
const sessionParams = new Map<string, string[]>();

function rememberedValues(sql: string): string[] | undefined {
  if (!paramMemory) return sessionParams.get(sql);
  const stored = paramMemory.get<Record<string, unknown>>(PARAM_MEMORY_KEY)?.[sql];
  return Array.isArray(stored) && stored.every((v) => typeof v === 'string') ? (stored as string[]) : undefined;
}

function rememberValues(sql: string, values: string[]): void {
  if (!paramMemory) {
    sessionParams.set(sql, values);
    return;
  }
  const entries = Object.entries(paramMemory.get<Record<string, string[]>>(PARAM_MEMORY_KEY) ?? {}).filter(([k]) => k !== sql);
  entries.push([sql, values]);
  void paramMemory.update(PARAM_MEMORY_KEY, Object.fromEntries(entries.slice(-MAX_REMEMBERED_STATEMENTS)));
}

export interface ExplainCommandResult {
  outcome: ExplainOutcome;
  sql: string;
}

/** Explain / Explain Analyze from a lens, the cursor, the selection, or raw SQL (sidebar). */
export function registerExplainCommands(
  context: vscode.ExtensionContext,
  connections: ConnectionProvider,
  onResult: (r: ExplainCommandResult) => void,
): vscode.Disposable[] {
  paramMemory = context.workspaceState;
  const errors = vscode.languages.createDiagnosticCollection('pglens-explain');
  const run = async (analyze: boolean, request: ExplainRequest | undefined) => {
    const resolved = request ? await fromRequest(request) : fromEditor();
    if (!resolved) return undefined;
    const result = await runExplain(context, connections, errors, resolved, analyze);
    if (result) onResult(result);
    return result;
  };
  return [
    errors,
    vscode.workspace.onDidChangeTextDocument((e) => errors.delete(e.document.uri)),
    vscode.commands.registerCommand('pglens.explain', (req?: ExplainRequest) => run(false, req)),
    vscode.commands.registerCommand('pglens.explainAnalyze', (req?: ExplainRequest) => run(true, req)),
    vscode.commands.registerCommand('pglens.explainAtCursor', () => run(false, undefined)),
    vscode.commands.registerCommand('pglens.explainAnalyzeAtCursor', () => run(true, undefined)),
    // The plan viewer's "Explain Analyze with values…" on a generic plan.
    vscode.commands.registerCommand(ANALYZE_WITH_VALUES_COMMAND, async (request: AnalyzeWithValuesRequest) => {
      if (typeof request?.sql !== 'string' || !request.sql.trim()) return undefined;
      const resolved = await fromGenericPlan(request);
      const values = await askParams(resolved);
      if (!values) return undefined;
      const result = await runExplain(context, connections, errors, { ...resolved, params: values.map((v) => (v === 'NULL' ? null : v)) }, true);
      if (result) onResult(result);
      return result;
    }),
    vscode.commands.registerCommand('pglens.explainSql', async (sql: string, analyze = false, params?: (string | null)[]) => {
      if (typeof sql !== 'string' || !sql.trim()) return undefined;
      const result = await runExplain(context, connections, errors, { sql, paramCount: countParams(sql), paramSources: [], params }, analyze);
      if (result) onResult(result);
      return result;
    }),
  ];
}

/** A statement to run, as found in the editor or passed in. */
export interface Resolved {
  sql: string;
  paramCount: number;
  paramSources: string[];
  document?: vscode.TextDocument;
  /** Offset of the statement in the document, to place syntax errors. */
  offset?: number;
  /** Values already known (e.g. a real key for a Prisma relation lookup). */
  params?: (string | null)[];
  /** The parameters' types, when a generic plan told them (shown in the prompts). */
  paramTypes?: string[];
}

/**
 * The statement of a generic plan, back in its document when that is still open or on disk (so
 * errors are marked there and the plan lands in the same viewer), else as plain text.
 */
async function fromGenericPlan(request: AnalyzeWithValuesRequest): Promise<Resolved> {
  const base: Resolved = { sql: request.sql, paramCount: countParams(request.sql), paramSources: [], paramTypes: request.parameterTypes };
  if (!request.uri) return base;
  try {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(request.uri));
    const target = explainTargets(document).find((t) => t.sql === request.sql);
    return target ? { ...resolvedFromTarget(target, document), paramTypes: request.parameterTypes } : { ...base, document };
  } catch {
    return base;
  }
}

function resolvedFromTarget(target: ExplainTarget, document: vscode.TextDocument): Resolved {
  return { sql: target.sql, paramCount: target.paramCount, paramSources: target.paramSources, document, offset: target.range.startOffset };
}

async function fromRequest(request: ExplainRequest): Promise<Resolved | undefined> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(request.uri));
  const target = explainTargets(document).find((t) => t.range.startOffset === request.offset) ?? explainTargets(document).find((t) => t.sql === request.sql);
  if (!target) {
    void vscode.window.showWarningMessage('pglens: the statement changed since the code lens was drawn; click the lens again.');
    return undefined;
  }
  return resolvedFromTarget(target, document);
}

/** The statement at the cursor or the selection; undefined (after saying why) when there is none. */
export function fromEditor(): Resolved | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('pglens: open a .sql file (or SQL in a template literal) and put the cursor in a statement.');
    return undefined;
  }
  const document = editor.document;
  if (!editor.selection.isEmpty) {
    const selected = document.getText(editor.selection);
    const sql = selected.trim().replace(/;\s*$/, '');
    // Error positions count from the statement's first character, not from the selection's.
    const leading = selected.length - selected.trimStart().length;
    return { sql, paramCount: countParams(sql), paramSources: [], document, offset: document.offsetAt(editor.selection.start) + leading };
  }
  const target = targetAtOffset(explainTargets(document), document.offsetAt(editor.selection.active), editor.selection.active.line);
  if (!target) {
    void vscode.window.showWarningMessage('pglens: no explainable statement (SELECT, INSERT, UPDATE, DELETE, MERGE, …) at the cursor.');
    return undefined;
  }
  return resolvedFromTarget(target, document);
}

/** Asks for $1…$n, pre-filled with the values last typed for the same statement; undefined if dismissed. */
export async function askParams(resolved: Resolved): Promise<string[] | undefined> {
  const previous = rememberedValues(resolved.sql) ?? [];
  const values: string[] = [];
  for (let i = 1; i <= resolved.paramCount; i++) {
    const source = resolved.paramSources[i - 1];
    const type = resolved.paramTypes?.[i - 1];
    const about = [source ? `\${${source}}` : undefined, type].filter(Boolean).join(', ');
    const value = await vscode.window.showInputBox({
      title: `pglens: value for $${i}${about ? ` (${about})` : ''}`,
      prompt: `Parameter ${i} of ${resolved.paramCount}. Typed as Postgres infers it; use NULL for a null.`,
      value: previous[i - 1] ?? '',
      ignoreFocusOut: true,
    });
    if (value === undefined) return undefined;
    values.push(value);
  }
  rememberValues(resolved.sql, values);
  return values;
}

async function runExplain(
  context: vscode.ExtensionContext,
  connections: ConnectionProvider,
  errors: vscode.DiagnosticCollection,
  resolved: Resolved,
  analyze: boolean,
  allowFunctions?: string[],
): Promise<ExplainCommandResult | undefined> {
  const timeoutSeconds = vscode.workspace.getConfiguration('pglens').get<number>('explain.statementTimeout', 30);
  if (resolved.document) errors.delete(resolved.document.uri);
  const what = analyze ? 'Explain Analyze' : 'Explain';
  try {
    // One notification from the click on: opening the connection (a sandbox's first start
    // replays the migrations, seconds on a big project) is part of the wait and can be
    // cancelled too; an abandoned sandbox start still finishes for the next Explain.
    const ran = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `pglens: ${what} on ${connections.activeLabel}`, cancellable: true },
      async (progress, token) => {
        const cancelled = new Promise<never>((_resolve, reject) => {
          token.onCancellationRequested(() => reject(new PglensError('cancelled', 'the statement was cancelled', 'run it again when ready')));
        });
        cancelled.catch(() => undefined);
        progress.report({ message: 'connecting…' });
        const conn = await Promise.race([connections.getConnection(), cancelled]);
        let params: unknown[] | undefined = resolved.params;
        if (resolved.paramCount > 0 && !params) {
          const generic = !analyze && majorVersion(await conn.serverVersion()) >= GENERIC_PLAN_MIN_MAJOR;
          if (!generic) {
            const values = await askParams(resolved);
            if (!values) return undefined;
            params = values.map((v) => (v === 'NULL' ? null : v));
          }
        }
        if (token.isCancellationRequested) return undefined;
        progress.report({ message: analyze ? 'running the statement (rolled back)…' : 'planning…' });
        const cancel = token.onCancellationRequested(() => void conn.cancel());
        try {
          const outcome = await explainStatement(conn, resolved.sql, {
            analyze,
            timeoutMs: timeoutSeconds * 1000,
            params,
            paramCount: resolved.paramCount,
            allowFunctions,
            analysis: planOptionsFor(resolved.document?.uri),
          });
          return { conn, outcome };
        } finally {
          cancel.dispose();
        }
      },
    );
    if (!ran) return undefined;
    const { conn, outcome } = ran;
    showPlan(context, {
      report: outcome.report,
      rawJson: outcome.result.plan,
      query: resolved.sql,
      connectionLabel: conn.label,
      title: `${analyze ? 'Explain Analyze' : 'Explain'}: ${firstLine(resolved.sql)}`,
      statementKey: `${resolved.document?.uri.toString() ?? 'sql'}#${resolved.sql}`,
      notices: outcome.result.notices,
      analyzed: outcome.result.analyzed,
      rolledBack: outcome.result.rolledBack,
      generic: outcome.result.generic ? { parameterTypes: outcome.result.generic.parameterTypes, sourceUri: resolved.document?.uri.toString() } : undefined,
    });
    return { outcome, sql: resolved.sql };
  } catch (e) {
    // A syntax error, or an error Postgres places (an unknown column…), is marked where it is.
    if (
      isPglensError(e) &&
      (e.code === 'syntax-error' || (e.code === 'sql-error' && e.position !== undefined)) &&
      resolved.document &&
      resolved.offset !== undefined
    ) {
      const at = resolved.document.positionAt(resolved.offset + (e.position ?? 0));
      const range = resolved.document.getWordRangeAtPosition(at) ?? new vscode.Range(at, at.translate(0, 1));
      const d = new vscode.Diagnostic(range, e.message, vscode.DiagnosticSeverity.Error);
      d.source = 'pglens explain';
      errors.set(resolved.document.uri, [d]);
    }
    if (isPglensError(e) && e.code === 'cancelled') {
      void vscode.window.showInformationMessage('pglens: Explain cancelled.');
      return undefined;
    }
    if (isPglensError(e) && e.unverifiedFunctions && e.unverifiedFunctions.length > 0) {
      const allowed = await confirmFunctions(e.unverifiedFunctions, e.message, what);
      return allowed ? runExplain(context, connections, errors, resolved, analyze, [...(allowFunctions ?? []), ...allowed]) : undefined;
    }
    showError(e, analyze ? 'Explain Analyze failed' : 'Explain failed');
    return undefined;
  }
}

/**
 * pglens could not prove some user functions free of effects a rollback leaves behind (dynamic
 * SQL, another language): the user decides, naming them, in a modal. Returns the allowed names.
 */
export async function confirmFunctions(functions: string[], why: string, what: string): Promise<string[] | undefined> {
  const run = 'Run anyway';
  const choice = await vscode.window.showWarningMessage(
    `pglens: ${what} would run ${functions.join(', ')}, which pglens cannot prove free of effects a rollback leaves behind. Run it anyway?`,
    { modal: true, detail: why },
    run,
  );
  return choice === run ? functions : undefined;
}

function firstLine(sql: string): string {
  const line = sql.trim().split('\n')[0];
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

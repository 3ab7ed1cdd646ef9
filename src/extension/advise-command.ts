/**
 * Suggest Indexes: runs the index advisor on a statement (the one at the cursor, or SQL passed
 * in by the plan viewer) and writes a chosen index where the project keeps its schema:
 * `@@index` in schema.prisma, else a new migration named after the folder's convention.
 *
 * The advisor never builds a real index on a server; without HypoPG there, the user is
 * offered the embedded sandbox, and every result says which of the two proved it.
 */
import * as vscode from 'vscode';
import type { Connection } from '../core/db/connection';
import { adviseIndexes, type AdviceResult, type Suggestion, type VerifyMethod } from '../core/advise/advise';
import { costLine, evidenceLine, extensionMigrationSpec, indexMigrationSpec } from '../core/advise/index-migration';
import { prismaIndexPlan, type PrismaIndexPlan } from '../core/advise/prisma-index';
import { isPglensError, errorMessage } from '../core/errors';
import { migrationFileIn } from '../core/health/migration-file';
import { parsePrismaSchema } from '../core/prisma/parse';
import type { ViewAdvice } from '../../media/src/protocol';
import type { ConnectionProvider } from './connection-provider';
import { showError } from './errors';
import { askParams, confirmFunctions, fromEditor, type Resolved } from './explain-command';
import { countParams } from '../core/sql/explain-targets';
import { workspaceMigrationFolder, writeMigration } from './health-commands';

/** Internal (not in the palette): the plan viewer's *Add to migration*. */
const ADD_TO_MIGRATION_COMMAND = 'pglens.advise.addToMigration';

const SANDBOX_OFFER = 'Verify on the embedded sandbox';

/** What the advisor needs from the connection manager: the active connection and, as a fallback, the sandbox. */
export interface AdviseConnections extends ConnectionProvider {
  embeddedConnection(): Promise<Connection>;
}

/**
 * Registers `pglens.suggestIndexes` and the viewer's Add to migration. The command takes
 * either nothing (the statement at the cursor or the selection; results in a quick pick) or
 * `(sql, params?)`: then it returns the ViewAdvice (undefined when the user dismissed a
 * prompt) and throws on failure, for the caller to show.
 */
export function registerAdviseCommands(context: vscode.ExtensionContext, connections: AdviseConnections): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('pglens.suggestIndexes', (sql?: unknown, params?: unknown) =>
      typeof sql === 'string' ? suggestForSql(connections, sql, validParams(params)) : suggestAtCursor(connections),
    ),
    vscode.commands.registerCommand(ADD_TO_MIGRATION_COMMAND, (advice: ViewAdvice, index: number) => addToMigration(advice, index)),
  );
}

function validParams(params: unknown): (string | null)[] | undefined {
  return Array.isArray(params) && params.every((p) => p === null || typeof p === 'string') ? (params as (string | null)[]) : undefined;
}

async function suggestForSql(connections: AdviseConnections, sql: string, params: (string | null)[] | undefined): Promise<ViewAdvice | undefined> {
  if (!sql.trim()) throw new Error('there is no query to suggest indexes for — run Explain on a statement first');
  return advise(connections, { sql, paramCount: countParams(sql), paramSources: [], params });
}

async function suggestAtCursor(connections: AdviseConnections): Promise<ViewAdvice | undefined> {
  const resolved = fromEditor();
  if (!resolved) return undefined;
  try {
    const advice = await advise(connections, resolved);
    if (advice) await present(advice);
    return advice;
  } catch (e) {
    showError(e, 'Suggest Indexes failed');
    return undefined;
  }
}

/** Asks for parameter values, runs the advisor, and on a server without HypoPG offers the sandbox. */
async function advise(connections: AdviseConnections, resolved: Resolved): Promise<ViewAdvice | undefined> {
  let params = resolved.params;
  if (resolved.paramCount > 0 && !params) {
    const values = await askParams(resolved);
    if (!values) return undefined;
    params = values.map((v) => (v === 'NULL' ? null : v));
  }
  const conn = await connections.getConnection();
  try {
    const result = await run(conn, resolved.sql, params);
    // HypoPG simulates B-tree, BRIN and hash only: the GIN/GiST candidates can be built on the sandbox instead.
    if (conn.kind !== 'server' || !result.unverified?.length) return { result, verifiedOn: conn.label };
    const picked = await vscode.window.showWarningMessage(
      `pglens: ${result.unverified.length} candidate index(es) could not be verified on ${conn.label} (${result.unverified[0].reason}). Build them on the embedded sandbox (your migrations replayed, rolled back) to verify them?`,
      SANDBOX_OFFER,
    );
    if (picked !== SANDBOX_OFFER) return { result, verifiedOn: conn.label };
    const sandbox = await connections.embeddedConnection();
    return {
      result: await run(conn, resolved.sql, params, undefined, undefined, sandbox),
      verifiedOn: conn.label,
      note: `Candidates HypoPG cannot simulate were built for real on ${sandbox.label} and rolled back; their costs are the sandbox's.`,
    };
  } catch (e) {
    if (isPglensError(e) && e.unverifiedFunctions && e.unverifiedFunctions.length > 0) {
      const allowed = await confirmFunctions(e.unverifiedFunctions, e.message, 'Suggest Indexes');
      return allowed ? { result: await run(conn, resolved.sql, params, undefined, allowed), verifiedOn: conn.label } : undefined;
    }
    // Only a server without HypoPG is worth the sandbox; other refusals hold there too.
    if (!(isPglensError(e) && e.code === 'refused' && conn.kind === 'server' && /HypoPG/.test(e.message))) throw e;
    const picked = await vscode.window.showWarningMessage(
      `pglens: ${e.message}. The sandbox replays your workspace migrations: its tables have your schema but only the data the migrations insert, so costs there can differ from the server's.`,
      SANDBOX_OFFER,
    );
    if (picked !== SANDBOX_OFFER) return undefined;
    const sandbox = await connections.embeddedConnection();
    return {
      result: await run(sandbox, resolved.sql, params, 'sandbox'),
      verifiedOn: sandbox.label,
      note: `${conn.label} has no HypoPG, so the indexes were built for real on the embedded sandbox and rolled back.`,
    };
  }
}

async function run(
  conn: Connection,
  sql: string,
  params: (string | null)[] | undefined,
  method?: VerifyMethod,
  allowFunctions?: string[],
  sandbox?: Connection,
): Promise<AdviceResult> {
  return await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `pglens: trying candidate indexes on ${conn.label}`, cancellable: true },
    (_progress, token) => {
      const cancel = token.onCancellationRequested(() => {
        void conn.cancel();
        void sandbox?.cancel();
      });
      return adviseIndexes(conn, sql, { params, method, allowFunctions, sandbox }).finally(() => cancel.dispose());
    },
  );
}

/** From the editor: the verified indexes in a quick pick; picking one writes it to a migration. */
async function present(advice: ViewAdvice): Promise<void> {
  const r = advice.result;
  if (r.suggestions.length === 0) {
    void vscode.window.showInformationMessage(`pglens: ${r.summary} (tried on ${advice.verifiedOn}).`);
    return;
  }
  type Item = vscode.QuickPickItem & { index: number };
  const items: Item[] = r.suggestions.map((s, index) => {
    // A partitioned table's recipe is several statements (ON ONLY the parent, each partition, ATTACH): the first names it.
    const lines = s.ddl.split('\n').filter((l) => l.trim() !== '');
    const more = lines.length > 1 ? ` (+${lines.length - 1} more statement${lines.length > 2 ? 's' : ''})` : '';
    return {
      index,
      label: lines[0] ?? s.ddl,
      description: `cost ${r.before.totalCost.toFixed(1)} → ${s.after.totalCost.toFixed(1)}${more}`,
      detail: [s.reason, evidenceLine(r, s), costLine(s)].filter(Boolean).join(' · '),
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: `pglens: ${r.suggestions.length} index(es) verified on ${advice.verifiedOn}${advice.note ? ` (${advice.note})` : ''} — pick one to add to a migration`,
    matchOnDetail: true,
  });
  if (picked) await addToMigration(advice, picked.index);
}

/**
 * Writes suggestion `index`: `@@index` into the schema.prisma whose model maps the table,
 * else (no such model, or an index Prisma cannot express) a new SQL migration. Returns what
 * was written, for the viewer; undefined when nothing was.
 */
export async function addToMigration(advice: ViewAdvice, index: number): Promise<string | undefined> {
  const s = advice.result.suggestions[index];
  if (!s) {
    void vscode.window.showErrorMessage('pglens: that index suggestion is no longer available — run Suggest Indexes again.');
    return undefined;
  }
  try {
    const prisma = await prismaPlan(s);
    if (prisma?.kind === 'edit') return await insertPrismaIndex(prisma);
    if (prisma?.kind === 'exists') {
      void vscode.window.showInformationMessage(
        `pglens: model ${prisma.model} already declares ${prisma.attribute} covering these columns; the database lacks it, so apply your Prisma migrations (prisma migrate dev / deploy).`,
      );
      return undefined;
    }
    const written = await writeSqlMigration(advice.result, s);
    if (!written) return undefined;
    if (prisma?.kind === 'sql') {
      void vscode.window.showInformationMessage(`pglens: ${prisma.reason}, so the index went into a SQL migration instead: ${written}.`);
      return `${written} (SQL migration: ${prisma.reason})`;
    }
    return written;
  } catch (e) {
    void vscode.window.showErrorMessage(`pglens: could not add the index to a migration: ${errorMessage(e)}`);
    return undefined;
  }
}

/** The first schema.prisma (single or multi-file) of the workspace with a model mapping the table. */
async function prismaPlan(s: Suggestion): Promise<PrismaIndexPlan | undefined> {
  const files = await vscode.workspace.findFiles('**/*.prisma', '**/node_modules/**');
  for (const uri of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
    // Through the open document, so unsaved edits are what the edit is computed against.
    const document = await vscode.workspace.openTextDocument(uri);
    const plan = prismaIndexPlan(parsePrismaSchema(document.getText(), uri.fsPath), s);
    if (plan) return plan;
  }
  return undefined;
}

async function insertPrismaIndex(plan: Extract<PrismaIndexPlan, { kind: 'edit' }>): Promise<string> {
  const uri = vscode.Uri.file(plan.file);
  const r = plan.edit.range;
  const at = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, at, plan.edit.newText);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`${plan.file} could not be edited (is it read-only?)`);
  const document = await vscode.workspace.openTextDocument(uri);
  const line = document.getText().split(/\r?\n/).findIndex((l, i) => i >= r.start.line && l.includes(plan.attribute));
  const where = line >= 0 ? new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER) : at;
  await vscode.window.showTextDocument(document, { selection: where });
  const target = `${plan.attribute} in model ${plan.model} (${vscode.workspace.asRelativePath(uri)})`;
  void vscode.window.showInformationMessage(`pglens: added ${target}; run prisma migrate dev to create its migration.${plan.note ? ` Note: ${plan.note}.` : ''}`);
  return target;
}

/**
 * The index's migration, in the form the folder's runner runs: CREATE EXTENSION and CREATE INDEX
 * CONCURRENTLY in one file where the runner runs them one by one outside a transaction; where
 * the runner model refuses that file (it would send it as one string, one transaction), the
 * extension in a migration of its own first, then the index alone, still CONCURRENTLY.
 */
async function writeSqlMigration(advice: AdviceResult, s: Suggestion): Promise<string | undefined> {
  const spec = indexMigrationSpec(advice, s);
  const folder = await workspaceMigrationFolder();
  if (folder) {
    const extension = extensionMigrationSpec(s);
    const placed = await migrationFileIn(spec, folder).catch(async (e: unknown) => {
      if (!extension || !(isPglensError(e) && e.code === 'refused')) throw e;
      return undefined;
    });
    if (placed) return vscode.workspace.asRelativePath(await writeMigration(placed));
    const first = await writeMigration(await migrationFileIn(extension!, folder));
    const second = await writeMigration(await migrationFileIn(indexMigrationSpec(advice, s, { withExtension: false }), folder, new Date(Date.now() + 1000)));
    return `${vscode.workspace.asRelativePath(first)} + ${vscode.workspace.asRelativePath(second)}`;
  }
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'pglens found no migration folder in this workspace: where should the migration go?',
    saveLabel: 'Save migration',
    defaultUri: root ? vscode.Uri.joinPath(root, `${spec.slug}.sql`) : undefined,
    filters: { SQL: ['sql'] },
  });
  if (!target) return undefined;
  const uri = await writeMigration({ content: spec.content, path: target.fsPath });
  return vscode.workspace.asRelativePath(uri);
}

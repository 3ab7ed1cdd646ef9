import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import type { CatalogIndex, CatalogTable } from '../core/health/catalog';
import { healthReport } from '../core/health/findings';
import { formatBytes, formatCount, formatTimestamp } from '../core/health/format';
import type { HealthFinding, HealthRuleId } from '../core/health/health-finding';
import { healthOverview, indexSummary, lastAnalyzeText, tableSummary, type HealthOverview } from '../core/health/overview';
import { slowQueries, statementsReading, type SlowQueriesResult, type SlowQuery } from '../core/health/slow-queries';
import { databaseHealth, type CheckResult, type DatabaseHealth } from '../core/health/database/database-health';
import { linkCandidatesToCode, readNPlusOneCandidates, type NPlusOneCandidate, type NPlusOneCandidatesResult } from '../core/health/n-plus-one-candidates';
import type { CodeLink } from '../core/app-code/query-senders';
import type { DatabaseFinding } from '../core/health/database/check';
import { tableKey } from '../core/schema/model';
import type { ConnectionProvider } from './connection-provider';
import { configFor } from './workspace-config';
import { registerHealthCommands } from './health-commands';
import type { HealthCommandSource, HealthNode } from './health-node';

export type { HealthNode } from './health-node';

interface Snapshot {
  overview: HealthOverview;
  slow: SlowQueriesResult;
  database: DatabaseHealth;
  nPlusOne: NPlusOneCandidatesResult;
}

/** Per candidate (by rank): the workspace code that can send it, found once per snapshot on the first expand. */
interface CodeLinks {
  links: Array<Array<{ link: CodeLink; folder: string }>>;
  filesRead: number;
  notes: string[];
}

const RULE_TITLES: Record<HealthRuleId, string> = {
  'invalid-index': 'Invalid indexes',
  'fk-without-index': 'Foreign keys without an index',
  'unused-index': 'Unused indexes',
  'duplicate-index': 'Duplicate indexes',
  'missing-primary-key': 'Tables without a primary key',
  'seq-scan-heavy-table': 'Tables read mostly by sequential scans',
};

const SEVERITY_ICON = { error: 'error', warning: 'warning', info: 'info' } as const;

/**
 * The sidebar: connection → schemas → tables → indexes, plus Findings and Slow queries. Nothing
 * connects until the connection node is expanded; one catalog snapshot serves every expand
 * until Refresh (or a connection change) drops it.
 */
export class HealthTreeProvider implements vscode.TreeDataProvider<HealthNode>, vscode.Disposable, HealthCommandSource {
  private readonly changed = new vscode.EventEmitter<HealthNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private snapshot: Promise<Snapshot> | undefined;
  private loaded: Snapshot | undefined;
  private codeLinks: Promise<CodeLinks> | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly connections: ConnectionProvider) {
    this.subscriptions = [
      this.changed,
      connections.onDidChangeConnection(() => this.refresh()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()),
    ];
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }

  refresh(): void {
    this.snapshot = undefined;
    this.loaded = undefined;
    this.codeLinks = undefined;
    this.changed.fire(undefined);
  }

  /** The current snapshot, loading it on first use. */
  load(): Promise<Snapshot> {
    if (!this.snapshot) {
      this.snapshot = (async () => {
        const conn = await this.connections.getConnection();
        const config = configFor(undefined);
        const report = await healthReport(conn, { config });
        const slow = await slowQueries(conn);
        const database = await databaseHealth(conn, { config });
        const nPlusOne = await readNPlusOneCandidates(conn, { config }).catch(
          (e: unknown): NPlusOneCandidatesResult => ({ state: 'unavailable', installed: true, reason: `N+1 candidates could not be read: ${errorMessage(e)}` }),
        );
        const snap = { overview: healthOverview(report), slow, database, nPlusOne };
        this.loaded = snap;
        // The connection node's description (stats reset) is only known now.
        this.changed.fire({ kind: 'connection' });
        return snap;
      })();
    }
    return this.snapshot;
  }

  /** The connection the view reads (rejects in an untrusted workspace). */
  connection(): ReturnType<ConnectionProvider['getConnection']> {
    return this.connections.getConnection();
  }

  /** The loaded snapshot's findings, for commands invoked without a node. */
  findings(): HealthFinding[] {
    return this.loaded?.overview.report.findings ?? [];
  }

  /** The snapshot's index a finding is about. */
  indexOf(f: HealthFinding): CatalogIndex | undefined {
    if (!f.index) return undefined;
    return this.loaded?.overview.indexesByTable.get(tableKey(f.schema, f.table))?.find((i) => i.name === f.index);
  }

  /** Parents exist so TreeView.reveal can open the path to a table (from a Prisma model lens). */
  getParent(node: HealthNode): HealthNode | undefined {
    switch (node.kind) {
      case 'findings':
      case 'slow':
      case 'nPlusOne':
      case 'health':
      case 'schema':
        return { kind: 'connection' };
      case 'nPlusOneCandidate':
        return { kind: 'nPlusOne' };
      case 'codeLink': {
        const n = this.loaded?.nPlusOne;
        const candidate = n?.state === 'ran' ? n.candidates[node.rank] : undefined;
        return candidate ? { kind: 'nPlusOneCandidate', candidate, rank: node.rank } : { kind: 'nPlusOne' };
      }
      case 'check':
        return { kind: 'health' };
      case 'dbFinding': {
        const check = this.loaded?.database.checks.find((c) => c.id === node.finding.ruleId);
        return check ? { kind: 'check', check } : { kind: 'health' };
      }
      case 'rule':
        return { kind: 'findings' };
      case 'finding':
        return { kind: 'rule', rule: node.finding.ruleId };
      case 'slowQuery':
        return { kind: 'slow' };
      case 'table':
        return { kind: 'schema', schema: node.table.schema };
      case 'index': {
        const table = this.tableNode(node.index.schema, node.index.table);
        return table ?? { kind: 'schema', schema: node.index.schema };
      }
      default:
        return undefined;
    }
  }

  /** The node of a table in the loaded snapshot, if it is there. */
  tableNode(schema: string, table: string): HealthNode | undefined {
    const found = this.loaded?.overview.tablesBySchema.get(schema)?.find((t) => t.name === table);
    return found ? { kind: 'table', table: found } : undefined;
  }

  async getChildren(node?: HealthNode): Promise<HealthNode[]> {
    if (!node) {
      if (!vscode.workspace.isTrusted) {
        return [
          {
            kind: 'message',
            id: 'untrusted',
            label: 'pglens does not connect in an untrusted workspace',
            detail: 'Trust this workspace (Workspaces: Manage Workspace Trust) to browse index health.',
            icon: 'shield',
            command: { title: 'Manage Workspace Trust', command: 'workbench.trust.manage' },
          },
        ];
      }
      return [{ kind: 'connection' }];
    }
    switch (node.kind) {
      case 'connection':
        return this.connectionChildren();
      case 'findings':
        return this.withSnapshot((s) => [...s.overview.findingsByRule.keys()].map((rule): HealthNode => ({ kind: 'rule', rule })));
      case 'rule':
        return this.withSnapshot((s) => (s.overview.findingsByRule.get(node.rule) ?? []).map((finding): HealthNode => ({ kind: 'finding', finding })));
      case 'slow':
        return this.withSnapshot((s) => slowChildren(s.slow));
      case 'nPlusOne':
        return this.withSnapshot((s) => nPlusOneChildren(s.nPlusOne));
      case 'nPlusOneCandidate':
        return this.codeLinkChildren(node.rank);
      case 'health':
        return this.withSnapshot((s) => s.database.checks.map((check): HealthNode => ({ kind: 'check', check })));
      case 'check':
        return this.withSnapshot((s) => checkChildren(node.check, s.database));
      case 'schema':
        return this.withSnapshot((s) => (s.overview.tablesBySchema.get(node.schema) ?? []).map((table): HealthNode => ({ kind: 'table', table })));
      case 'table':
        return this.withSnapshot((s) =>
          (s.overview.indexesByTable.get(tableKey(node.table.schema, node.table.name)) ?? []).map((index): HealthNode => ({ kind: 'index', index })),
        );
      default:
        return [];
    }
  }

  private async withSnapshot(fn: (s: Snapshot) => HealthNode[]): Promise<HealthNode[]> {
    try {
      return fn(await this.load());
    } catch {
      // The connection node shows the cause; deeper nodes just empty.
      return [];
    }
  }

  private async connectionChildren(): Promise<HealthNode[]> {
    let snap: Snapshot;
    try {
      snap = await this.load();
    } catch (e) {
      return [
        { kind: 'message', id: 'error', label: `Cannot read the database: ${errorMessage(e)}`, icon: 'error' },
        {
          kind: 'message',
          id: 'select',
          label: 'Select Connection…',
          icon: 'plug',
          command: { title: 'Select Connection', command: 'pglens.selectConnection' },
        },
        { kind: 'message', id: 'retry', label: 'Retry', icon: 'refresh', command: { title: 'Refresh', command: 'pglens.refreshHealth' } },
      ];
    }
    const nodes: HealthNode[] = [{ kind: 'findings' }, { kind: 'health' }];
    const slow = snap.slow;
    if (slow.available || slow.installed) nodes.push({ kind: 'slow' });
    if (snap.nPlusOne.state === 'ran' || (snap.nPlusOne.state === 'unavailable' && snap.nPlusOne.installed)) nodes.push({ kind: 'nPlusOne' });
    for (const note of snap.overview.report.notes) nodes.push({ kind: 'message', id: `note:${note}`, label: note, icon: 'info' });
    for (const schema of snap.overview.tablesBySchema.keys()) nodes.push({ kind: 'schema', schema });
    return nodes;
  }

  getTreeItem(node: HealthNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    const report = this.loaded?.overview.report;
    switch (node.kind) {
      case 'message': {
        const item = new vscode.TreeItem(node.label, C.None);
        item.id = `message:${node.id}`;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        if (node.detail) item.tooltip = node.detail;
        item.command = node.command;
        return item;
      }
      case 'connection': {
        const item = new vscode.TreeItem(this.connections.activeLabel, C.Collapsed);
        item.id = 'connection';
        item.iconPath = new vscode.ThemeIcon('database');
        item.contextValue = 'connection';
        if (report) {
          item.description = report.statsReset ? `stats since ${formatTimestamp(report.statsReset)}` : 'stats since cluster start or creation';
          const md = new vscode.MarkdownString();
          md.appendMarkdown('**');
          md.appendText(`${report.connection.label}`);
          md.appendMarkdown('**\n\n');
          md.appendText(`PostgreSQL ${report.connection.serverVersion} · ${report.isReplica ? 'replica' : 'primary'} · database ${report.connection.database}\n\n`);
          md.appendText(`Scans counted ${report.statsSince}.\n\n`);
          md.appendText(
            report.isReplica
              ? 'This is a replica: only scans served here are counted.'
              : 'Scans served by replicas are not counted here: check them before dropping an "unused" index.',
          );
          if (!report.catalog.sizesExact) md.appendText('\n\nSizes are estimates from pg_class page counts (large catalog).');
          item.tooltip = md;
        } else {
          item.description = 'expand to load';
        }
        return item;
      }
      case 'findings': {
        const count = report?.findings.length ?? 0;
        const item = new vscode.TreeItem('Findings', count > 0 ? C.Expanded : C.None);
        item.id = 'findings';
        item.description = count === 0 ? 'none' : String(count);
        item.iconPath = new vscode.ThemeIcon(count === 0 ? 'pass' : 'warning');
        return item;
      }
      case 'rule': {
        const list = this.loaded?.overview.findingsByRule.get(node.rule) ?? [];
        const item = new vscode.TreeItem(RULE_TITLES[node.rule], C.Collapsed);
        item.id = `rule:${node.rule}`;
        item.description = `${list.length} · ${node.rule}`;
        item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[list[0]?.severity ?? 'info']);
        return item;
      }
      case 'finding':
        return findingItem(node.finding, this.statementsFor(node.finding));
      case 'slow': {
        const slow = this.loaded?.slow;
        const item = new vscode.TreeItem('Slow queries', C.Collapsed);
        item.id = 'slow';
        item.iconPath = new vscode.ThemeIcon('pulse');
        item.description = slow?.available ? `${slow.queries.length} by total time` : 'unavailable';
        return item;
      }
      case 'slowQuery':
        return slowQueryItem(node.query, node.rank);
      case 'nPlusOne':
        return nPlusOneItem(this.loaded?.nPlusOne);
      case 'nPlusOneCandidate':
        return candidateItem(node.candidate, node.rank);
      case 'codeLink':
        return codeLinkItem(node);
      case 'health':
        return healthItem(this.loaded?.database);
      case 'check':
        return checkItem(node.check);
      case 'dbFinding':
        return databaseFindingItem(node.finding);
      case 'schema': {
        const tables = this.loaded?.overview.tablesBySchema.get(node.schema) ?? [];
        const item = new vscode.TreeItem(node.schema, tables.length > 0 ? C.Collapsed : C.None);
        item.id = `schema:${node.schema}`;
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.description = `${tables.length} tables`;
        return item;
      }
      case 'table':
        return this.tableItem(node.table);
      case 'index':
        return indexItem(node.index);
    }
  }

  /**
   * The code that can send a candidate: every workspace folder is scanned once per snapshot, on
   * the first expand of a candidate (it parses code files, so never on a refresh).
   */
  private async codeLinkChildren(rank: number): Promise<HealthNode[]> {
    const n = this.loaded?.nPlusOne;
    if (n?.state !== 'ran') return [];
    const candidate = n.candidates[rank];
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      return [{ kind: 'message', id: `code-none:${rank}`, label: 'Open the application\'s folder to find the code that sends it', icon: 'info' }];
    }
    if (!this.codeLinks) {
      const candidates = n.candidates;
      this.codeLinks = (async () => {
        const out: CodeLinks = { links: candidates.map(() => []), filesRead: 0, notes: [] };
        for (const folder of folders) {
          // Each folder's scan fills `code` of its own copies.
          const copies = candidates.map((c) => ({ ...c, code: undefined }));
          const scan = await linkCandidatesToCode(copies, folder.uri.fsPath, configFor(folder.uri.with({ path: `${folder.uri.path}/.pglens.json` })));
          copies.forEach((c, i) => out.links[i].push(...(c.code ?? []).map((link) => ({ link, folder: folder.uri.fsPath }))));
          out.filesRead += scan.filesRead;
          out.notes.push(...scan.notes);
        }
        return out;
      })();
    }
    let found: CodeLinks;
    try {
      found = await this.codeLinks;
    } catch (e) {
      this.codeLinks = undefined;
      return [{ kind: 'message', id: `code-error:${rank}`, label: `Cannot search the workspace: ${errorMessage(e)}`, icon: 'error' }];
    }
    const links = found.links[rank] ?? [];
    if (links.length > 0) return links.map(({ link, folder }, index): HealthNode => ({ kind: 'codeLink', link, folder, rank, index }));
    const table = candidate?.table.name ?? '';
    return [
      {
        kind: 'message',
        id: `code-empty:${rank}`,
        label: `No code in the workspace sends it (${formatCount(found.filesRead)} code files read)`,
        detail: found.notes.join('\n') || undefined,
        icon: 'info',
        command: { title: 'Search the workspace', command: 'workbench.action.findInFiles', arguments: [{ query: table, triggerSearch: true }] },
      },
    ];
  }

  /** For a table read mostly by sequential scans: the slow statements that read it (to Explain, or to ask the advisor). */
  private statementsFor(f: HealthFinding): SlowQuery[] {
    const slow = this.loaded?.slow;
    if (f.ruleId !== 'seq-scan-heavy-table' || !slow?.available) return [];
    return statementsReading(f.schema, f.table, slow.queries);
  }

  private tableItem(t: CatalogTable): vscode.TreeItem {
    const key = tableKey(t.schema, t.name);
    const indexes = this.loaded?.overview.indexesByTable.get(key) ?? [];
    const findings = this.loaded?.overview.findingsByTable.get(key) ?? [];
    const item = new vscode.TreeItem(t.name, indexes.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `table:${key}`;
    item.contextValue = 'table';
    item.iconPath = new vscode.ThemeIcon(findings.length > 0 ? 'warning' : t.kind === 'materialized view' ? 'eye' : 'table');
    item.description = tableSummary(t);
    const md = new vscode.MarkdownString();
    md.appendMarkdown('**');
    md.appendText(`${t.schema}.${t.name}`);
    md.appendMarkdown(`** (${t.kind})\n\n`);
    md.appendText(`Estimated rows: ${t.estimatedRows === null ? `never analyzed (${formatCount(t.liveTuples)} live tuples counted)` : formatCount(t.estimatedRows)}\n\n`);
    md.appendText(`Total size: ${formatBytes(t.totalBytes)}\n\n`);
    md.appendText(`Sequential scans: ${formatCount(t.seqScan)} (${formatCount(t.seqTupRead)} rows read)\n\n`);
    md.appendText(`Index scans: ${t.idxScan === null ? 'not counted' : `${formatCount(t.idxScan)} (${formatCount(t.idxTupFetch ?? 0)} rows fetched)`}\n\n`);
    md.appendText(`Dead tuples: ${formatCount(t.deadTuples)} · last analyze: ${lastAnalyzeText(t)}`);
    for (const f of findings) {
      md.appendMarkdown('\n\n$(warning) ');
      md.appendText(`${f.ruleId}: ${f.message}`);
    }
    md.supportThemeIcons = true;
    item.tooltip = md;
    return item;
  }
}

function findingItem(f: HealthFinding, statements: SlowQuery[] = []): vscode.TreeItem {
  const subject = f.index ?? (f.columns ? `${f.table} (${f.columns.join(', ')})` : f.table);
  const item = new vscode.TreeItem(subject, vscode.TreeItemCollapsibleState.None);
  item.id = `finding:${f.ruleId}:${f.schema}.${f.table}:${f.index ?? (f.columns ?? []).join(',')}`;
  item.description = `${f.schema}.${f.table}`;
  item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[f.severity]);
  item.contextValue = ['finding', f.fixSql ? 'fixable' : '', f.index ? 'hasIndex' : ''].filter(Boolean).join(' ');
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**');
  md.appendText(f.ruleId);
  md.appendMarkdown(`** (${f.severity})\n\n`);
  md.appendText(f.message);
  if (f.fixSql) {
    md.appendMarkdown('\n\nFix (*Create Migration…* writes it to a new migration file):\n');
    md.appendCodeblock(f.fixSql, 'sql');
  }
  if (statements.length > 0) {
    md.appendMarkdown('\n\nSlow statements that read it (Explain one under *Slow queries*, or *Suggest Indexes* on it):\n');
    for (const q of statements) md.appendCodeblock(q.query, 'sql');
  }
  item.tooltip = md;
  return item;
}

/** "Health": the database checks, with how many found something and how many could not run here. */
function healthItem(health: DatabaseHealth | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem('Health', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = 'health';
  const found = health?.findings.length ?? 0;
  const notRun = health?.checks.filter((c) => c.state === 'skipped' || c.state === 'failed').length ?? 0;
  item.description = health ? [found === 0 ? 'no findings' : `${found} finding${found === 1 ? '' : 's'}`, notRun > 0 ? `${notRun} not run` : ''].filter(Boolean).join(' · ') : '';
  const worst = health?.findings[0]?.severity;
  item.iconPath = new vscode.ThemeIcon(worst ? SEVERITY_ICON[worst] : 'heart');
  return item;
}

function checkChildren(check: CheckResult, health: DatabaseHealth): HealthNode[] {
  const nodes: HealthNode[] = health.findings.filter((f) => f.ruleId === check.id).map((finding): HealthNode => ({ kind: 'dbFinding', finding }));
  check.notes.forEach((note, i) => nodes.push({ kind: 'message', id: `check-note:${check.id}:${i}`, label: note, detail: note, icon: 'info' }));
  return nodes;
}

function checkItem(c: CheckResult): vscode.TreeItem {
  const C = vscode.TreeItemCollapsibleState;
  const item = new vscode.TreeItem(c.title, c.findings > 0 || c.notes.length > 0 ? C.Collapsed : C.None);
  item.id = `check:${c.id}`;
  item.contextValue = `check ${c.state}`;
  const icon = c.state === 'ran' ? (c.findings > 0 ? 'warning' : 'pass') : c.state === 'failed' ? 'error' : 'circle-slash';
  item.iconPath = new vscode.ThemeIcon(icon);
  // Partly judged (some of what it reads was unreadable): said before the summary, the notes below say what.
  item.description = c.state === 'ran' ? [c.findings > 0 ? String(c.findings) : '', c.partial ? 'partly' : '', c.summary ?? 'ok'].filter(Boolean).join(' · ') : c.state === 'off' ? 'off' : `${c.state}: ${c.reason ?? ''}`;
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**');
  md.appendText(c.id);
  md.appendMarkdown('**\n\n');
  if (c.summary) md.appendText(`${c.summary}\n\n`);
  if (c.reason) md.appendText(`${c.reason}\n\n`);
  const thresholds = Object.entries(c.thresholds);
  if (thresholds.length > 0) md.appendText(`Thresholds: ${thresholds.map(([k, v]) => `${k} ${v}`).join(', ')} (set them in .pglens.json "rules")`);
  item.tooltip = md;
  return item;
}

/** What a database finding is about, as its tree label. */
function databaseSubject(f: DatabaseFinding): string {
  if (f.pid !== undefined) return `pid ${f.pid}${f.query ? ` · ${f.query.replace(/\s+/g, ' ').slice(0, 60)}` : ''}`;
  if (f.table !== undefined) return `${f.schema ? `${f.schema}.` : ''}${f.table}${f.column ? `.${f.column}` : ''}`;
  if (f.sequence !== undefined) return `${f.schema ? `${f.schema}.` : ''}${f.sequence}`;
  return f.message.length > 80 ? `${f.message.slice(0, 79)}…` : f.message;
}

function databaseFindingItem(f: DatabaseFinding): vscode.TreeItem {
  const item = new vscode.TreeItem(databaseSubject(f), vscode.TreeItemCollapsibleState.None);
  // Database-wide findings (xid-wraparound of several databases) share rule and subject: the message tells them apart.
  item.id = `dbFinding:${f.ruleId}:${f.schema ?? ''}.${f.table ?? f.sequence ?? ''}.${f.column ?? ''}:${f.pid ?? ''}:${f.message}`;
  item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[f.severity]);
  item.description = f.message;
  // A cancel reaches only a running statement: an idle session can only be terminated.
  const running = f.metrics?.state === 'active';
  item.contextValue = ['dbFinding', f.pid !== undefined ? 'session' : '', f.pid !== undefined && running ? 'running' : '', f.query ? 'hasQuery' : '', f.table !== undefined ? 'hasTable' : '', f.fixSql ? 'hasFix' : '']
    .filter(Boolean)
    .join(' ');
  if (f.table !== undefined && f.schema !== undefined) {
    item.command = { title: 'Reveal Table', command: 'pglens.health.revealTable', arguments: [f.schema, f.table] };
  }
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**');
  md.appendText(f.ruleId);
  md.appendMarkdown(`** (${f.severity})\n\n`);
  md.appendText(f.message);
  if (f.query) md.appendCodeblock(f.query, 'sql');
  if (f.fixSql) {
    md.appendMarkdown('\n\nFix:\n');
    md.appendCodeblock(f.fixSql, 'sql');
  }
  if (f.nextStep) {
    md.appendMarkdown('\n\n');
    md.appendText(f.nextStep);
  }
  item.tooltip = md;
  return item;
}

function nPlusOneChildren(n: NPlusOneCandidatesResult): HealthNode[] {
  if (n.state !== 'ran') return [{ kind: 'message', id: 'n1-unavailable', label: n.reason, icon: 'info', detail: n.reason }];
  const nodes = n.candidates.map((candidate, rank): HealthNode => ({ kind: 'nPlusOneCandidate', candidate, rank }));
  if (nodes.length === 0) {
    const label = `No statement ran ≥ ${formatCount(n.thresholds.minCalls)} times with ≤ ${n.thresholds.maxRowsPerCall} rows per call as a lookup by key`;
    nodes.push({ kind: 'message', id: 'n1-empty', label, icon: 'pass', detail: `${label} (thresholds: "n-plus-one-candidate" in .pglens.json)` });
  }
  n.notes.forEach((note, i) => nodes.push({ kind: 'message', id: `n1-note:${i}`, label: note, icon: 'info', detail: note }));
  return nodes;
}

function nPlusOneItem(n: NPlusOneCandidatesResult | undefined): vscode.TreeItem {
  const count = n?.state === 'ran' ? n.candidates.length : 0;
  const item = new vscode.TreeItem('N+1 candidates', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = 'nPlusOne';
  item.iconPath = new vscode.ThemeIcon(count > 0 ? 'warning' : 'references');
  item.description = n?.state === 'ran' ? (count === 0 ? 'none' : `${count} · n-plus-one-candidate`) : 'unavailable';
  item.tooltip = 'Statements pg_stat_statements saw run very many times with a row or two each, by key on one table: what a query per loop turn sends. Expand one to find the code that sends it.';
  return item;
}

function candidateItem(c: NPlusOneCandidate, rank: number): vscode.TreeItem {
  const where = `${c.table.name}.${c.columns.join(', ')}`;
  const item = new vscode.TreeItem(where, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `n1:${c.queryIds[0] ?? rank}`;
  item.iconPath = new vscode.ThemeIcon(SEVERITY_ICON[c.severity]);
  item.contextValue = 'nPlusOneCandidate';
  item.description = `${formatCount(c.calls)} calls · ${c.rowsPerCall.toFixed(c.rowsPerCall < 10 ? 2 : 0)} rows/call · ${formatMs(c.totalMs)} total`;
  const md = new vscode.MarkdownString();
  md.appendText(c.message);
  md.appendCodeblock(c.query, 'sql');
  md.appendText(`Fix: ${c.fix}`);
  item.tooltip = md;
  return item;
}

function codeLinkItem(node: Extract<HealthNode, { kind: 'codeLink' }>): vscode.TreeItem {
  const { link } = node;
  const item = new vscode.TreeItem(`${link.file}:${link.line}`, vscode.TreeItemCollapsibleState.None);
  item.id = `code:${node.rank}:${node.index}`;
  item.iconPath = new vscode.ThemeIcon(link.loop ? 'sync' : 'go-to-file');
  const loop = link.loop ? ` · in a ${link.loop.kind}${link.loop.collection ? ` over ${link.loop.collection}` : ''} at line ${link.loop.line}${link.loop.via ? ` (via ${link.loop.via})` : ''}` : '';
  item.description = `${link.call}${loop}`;
  item.tooltip = `${link.call} at ${link.file}:${link.line}:${link.column} — ${LINK_MATCH[link.match]}${loop}`;
  const uri = vscode.Uri.file(`${node.folder}/${link.file}`);
  const at = new vscode.Position(link.line - 1, link.column - 1);
  item.resourceUri = uri;
  item.command = { title: 'Open', command: 'vscode.open', arguments: [uri, { selection: new vscode.Range(at, at) }] };
  return item;
}

const LINK_MATCH: Record<CodeLink['match'], string> = {
  'same-sql': 'sends the same statement',
  lookup: 'sends the same lookup',
  model: 'an ORM call on the table by the column',
  table: 'an ORM call on the table',
};

function slowChildren(slow: SlowQueriesResult): HealthNode[] {
  if (!slow.available) return [{ kind: 'message', id: 'slow-unavailable', label: slow.reason, icon: 'info', detail: slow.reason }];
  if (slow.queries.length === 0) {
    return [{ kind: 'message', id: 'slow-empty', label: 'No statements recorded for this database yet', icon: 'info' }];
  }
  return slow.queries.map((query, rank): HealthNode => ({ kind: 'slowQuery', query, rank }));
}

function slowQueryItem(q: SlowQuery, rank: number): vscode.TreeItem {
  const item = new vscode.TreeItem(q.query.replace(/\s+/g, ' ').slice(0, 80), vscode.TreeItemCollapsibleState.None);
  item.id = `slow:${q.queryId ?? rank}`;
  item.iconPath = new vscode.ThemeIcon('history');
  item.contextValue = 'slowQuery';
  item.description = `${q.meanMs.toFixed(1)} ms mean · ${formatMs(q.totalMs)} total · ${formatCount(q.calls)} calls`;
  const md = new vscode.MarkdownString();
  md.appendCodeblock(q.query, 'sql');
  md.appendText(`Mean ${q.meanMs.toFixed(2)} ms · total ${formatMs(q.totalMs)} · ${formatCount(q.calls)} calls · ${formatCount(q.rows)} rows`);
  item.tooltip = md;
  return item;
}

function formatMs(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

function indexItem(i: CatalogIndex): vscode.TreeItem {
  const item = new vscode.TreeItem(i.name, vscode.TreeItemCollapsibleState.None);
  item.id = `index:${i.schema}.${i.name}`;
  item.contextValue = 'index';
  item.iconPath = new vscode.ThemeIcon(!i.valid ? 'error' : i.primary ? 'key' : i.scans === 0 && !i.unique ? 'circle-slash' : 'list-ordered');
  item.description = indexSummary(i);
  const md = new vscode.MarkdownString();
  md.appendCodeblock(i.definition, 'sql');
  md.appendText(`${i.scans === null ? 'Scans not counted (partitioned parent)' : `${formatCount(i.scans)} scans`} · ${formatBytes(i.sizeBytes)}`);
  md.appendText(` · ${i.primary ? 'primary key' : i.unique ? 'unique' : 'not unique'} · ${i.valid ? 'valid' : 'INVALID'} · ${i.method}`);
  if (i.predicate) md.appendText(` · partial: WHERE ${i.predicate}`);
  item.tooltip = md;
  return item;
}

/** The registered view; `provider` is handed to the editor tests through the extension API. */
export interface HealthView extends vscode.Disposable {
  readonly provider: HealthTreeProvider;
}

/**
 * Registers the `pglens.health` view, its refresh button and context actions. `view` is the view
 * the activation shell created (its provider hands over to this one); without it one is created.
 */
export function registerHealthView(_context: vscode.ExtensionContext, connections: ConnectionProvider, shellView?: vscode.TreeView<HealthNode>): HealthView {
  const provider = new HealthTreeProvider(connections);
  const view = shellView ?? vscode.window.createTreeView('pglens.health', { treeDataProvider: provider, showCollapseAll: true });
  const revealTable = vscode.commands.registerCommand('pglens.health.revealTable', async (schema: string, table: string) => {
    await provider.load();
    const node = provider.tableNode(schema, table);
    if (!node) {
      void vscode.window.showWarningMessage(`pglens: table ${schema}.${table} is not in the connected database.`);
      return;
    }
    await view.reveal(node, { select: true, focus: true, expand: true });
  });
  // A view the shell created is the shell's to dispose.
  const disposable = vscode.Disposable.from(provider, ...(shellView ? [] : [view]), revealTable, autoRefresh(view, provider), ...registerHealthCommands(provider));
  return { provider, dispose: () => disposable.dispose() };
}

/**
 * `pglens.health.refreshSeconds` (0 = off): sessions, locks and connections change by the
 * minute, so the view can refresh itself — only while it is visible and the workspace trusted.
 */
function autoRefresh(view: vscode.TreeView<HealthNode>, provider: HealthTreeProvider): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const apply = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
    const seconds = vscode.workspace.getConfiguration('pglens').get<number>('health.refreshSeconds') ?? 0;
    if (!(seconds > 0) || !view.visible) return;
    // Never faster than every 5 s: each refresh reads the whole catalog.
    timer = setInterval(() => {
      if (view.visible && vscode.workspace.isTrusted) provider.refresh();
    }, Math.max(5, seconds) * 1000);
  };
  apply();
  const subscriptions = [
    view.onDidChangeVisibility(apply),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('pglens.health.refreshSeconds')) apply();
    }),
  ];
  return new vscode.Disposable(() => {
    if (timer) clearInterval(timer);
    for (const s of subscriptions) s.dispose();
  });
}
